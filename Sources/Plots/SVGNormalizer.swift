/// Makes cairo's SVG output independent of what the process drew before.
///
/// cairo names some SVG elements after process-wide counters (`id="surface931"`,
/// `image12`, `pattern3`, …), so the same figure drawn twice gets different ids. This
/// renumbers every such id, per prefix, by order of first appearance (1, 2, …) wherever it
/// occurs after `"` or `#` (definitions and `url(#…)` / `xlink:href="#…"` references).
/// Glyph ids (`glyph0-1`) are already per-document and are left alone.
///
/// It also marks every `<image>` for nearest-neighbour scaling (cairo 1.16 drops the
/// pattern filter in SVG), so upscaled scans stay sharp squares in browsers too.
enum SVGNormalizer {
    static func process(_ svg: String) -> String {
        normalize(svg).replacingOccurrences(
            of: "<image ", with: "<image image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" ")
    }

    static let prefixes = ["surface", "image", "pattern", "clip", "mask", "source", "filter"]

    static func normalize(_ svg: String) -> String {
        let bytes = Array(svg.utf8)
        let prefixBytes = prefixes.map { Array($0.utf8) }
        var maps = [[String: Int]](repeating: [:], count: prefixes.count)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        while i < bytes.count {
            let b = bytes[i]
            out.append(b)
            i += 1
            guard b == UInt8(ascii: "\"") || b == UInt8(ascii: "#") else { continue }
            for (p, prefix) in prefixBytes.enumerated() {
                let end = i + prefix.count
                guard end < bytes.count, bytes[i..<end].elementsEqual(prefix), isDigit(bytes[end]) else { continue }
                var j = end
                while j < bytes.count && isDigit(bytes[j]) { j += 1 }
                // Only whole ids: the number must end the token (quote, bracket, dash-free).
                guard j < bytes.count, bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: ")") else { continue }
                let old = String(decoding: bytes[end..<j], as: UTF8.self)
                let new = maps[p][old] ?? (maps[p].count + 1)
                maps[p][old] = new
                out.append(contentsOf: prefix)
                out.append(contentsOf: Array(String(new).utf8))
                i = j
                break
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
