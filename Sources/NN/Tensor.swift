/// A dense float32 tensor in row-major order. Image batches are NHWC (batch, height,
/// width, channels); sequences are (batch, time, features); dense activations are
/// (batch, features). Value semantics: `data` is a copy-on-write Swift array.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) values, data has \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    public init(repeating value: Float, shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// Number of elements.
    public var count: Int { data.count }
    /// Size of the first (batch) axis.
    public var batch: Int { shape.first ?? 0 }
    /// Elements per batch item (product of all axes but the first).
    public var itemSize: Int { shape.dropFirst().reduce(1, *) }

    /// The same values with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, data: data) }

    /// Batch items `range` (along the first axis).
    public func items(_ range: Range<Int>) -> Tensor {
        let n = itemSize
        return Tensor(shape: [range.count] + shape.dropFirst(), data: Array(data[(range.lowerBound * n)..<(range.upperBound * n)]))
    }

    /// Batch items at `indices`, in that order.
    public func gather(_ indices: [Int]) -> Tensor {
        let n = itemSize
        var out = [Float](repeating: 0, count: indices.count * n)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < batch, "Tensor.gather: index \(i) outside batch of \(batch)")
                    for j in 0..<n { dst[k * n + j] = src[i * n + j] }
                }
            }
        }
        return Tensor(shape: [indices.count] + shape.dropFirst(), data: out)
    }
}

/// Whether a forward pass trains (dropout active, batch statistics) or infers.
public enum Mode: Sendable { case training, inference }

/// A named weight with its gradient. Layers list their parameters explicitly, in the
/// order Keras stores its weights (e.g. kernel then bias; gamma, beta, moving mean,
/// moving variance). Non-trainable ones (BatchNorm moving statistics) are saved and
/// loaded but never updated by an optimizer.
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var grad: Tensor
    public let trainable: Bool

    public init(name: String, value: Tensor, trainable: Bool = true) {
        self.name = name
        self.value = value
        self.grad = Tensor(zeros: value.shape)
        self.trainable = trainable
    }

    public func zeroGrad() {
        grad.data.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = 0 }
        }
    }
}

/// A shape mismatch found while building a model, naming the layer and both shapes.
public struct ShapeError: Error, CustomStringConvertible, Sendable {
    public let layer: String
    public let input: [Int]
    public let expected: String
    public init(layer: String, input: [Int], expected: String) {
        self.layer = layer; self.input = input; self.expected = expected
    }
    public var description: String {
        "layer '\(layer)' cannot take input of shape \(input): it expects \(expected)"
    }
}
