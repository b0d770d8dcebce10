/// Flattens everything but the batch axis (Keras `Flatten`): (B, d1, …, dn) → (B, d1·…·dn).
public final class Flatten: Layer {
    public var name: String
    public var typeName: String { "Flatten" }
    public var parameters: [Parameter] { [] }
    private var inputShape: [Int] = []

    public init(name: String = "") { self.name = name }

    public func build(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> [Int] {
        engineSetup
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(layer: name, input: inputShape, expected: "at least one non-empty axis")
        }
        return [inputShape.reduce(1, *)]
    }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        inputShape = x.shape
        return x.reshaped([x.batch, x.itemSize])
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(!inputShape.isEmpty, "Flatten '\(name)': backward before forward")
        return dy.reshaped(inputShape)
    }
}
