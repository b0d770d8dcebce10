enum SVGNormalizer {
    static func normalize(_ s: String) -> String { s }
}
