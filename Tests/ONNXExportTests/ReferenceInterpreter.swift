import Foundation
@testable import ONNXExport

/// A naive ONNX interpreter for the operators the exporter writes, written from the ONNX
/// operator specification (opset 17) in plain loops over Double, independent of the NN
/// engine's kernels. It runs a decoded `Onnx_ModelProto` so that tests can compare the
/// graph's outputs with our engine's without Python. Only what the exporter uses is
/// implemented (Conv: 2-D, group 1, no dilation; LSTM: forward, layout 0, default
/// activations, no peepholes or sequence lengths); anything else fails the test.
struct ReferenceInterpreter {
    struct Value {
        var shape: [Int]
        var data: [Double]
        var count: Int { data.count }
        func strides() -> [Int] {
            var s = [Int](repeating: 1, count: shape.count)
            for i in stride(from: shape.count - 2, through: 0, by: -1) { s[i] = s[i + 1] * shape[i + 1] }
            return s
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case unsupported(String)
        case missing(String)
        var description: String {
            switch self {
            case .unsupported(let s): return "interpreter: unsupported \(s)"
            case .missing(let s): return "interpreter: tensor '\(s)' is not defined before use"
            }
        }
    }

    let model: Onnx_ModelProto

    func run(input: [Float], shape: [Int]) throws -> Value {
        var env: [String: Value] = [:]
        for t in model.graph.initializer { env[t.name] = try Self.decode(t) }
        env[model.graph.input[0].name] = Value(shape: shape, data: input.map(Double.init))
        for node in model.graph.node {
            let inputs = try node.input.map { name -> Value? in
                if name.isEmpty { return nil }
                guard let v = env[name] else { throw Failure.missing(name) }
                return v
            }
            let outputs = try evaluate(node, inputs)
            for (name, v) in zip(node.output, outputs) where !name.isEmpty { env[name] = v }
        }
        guard let out = env[model.graph.output[0].name] else { throw Failure.missing(model.graph.output[0].name) }
        return out
    }

    static func decode(_ t: Onnx_TensorProto) throws -> Value {
        let shape = t.dims.map(Int.init)
        let n = shape.reduce(1, *)
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .float:
            guard t.rawData.count == 4 * n else { throw Failure.unsupported("float initializer \(t.name) without raw_data of \(n) values") }
            let d = t.rawData.withUnsafeBytes { raw in
                (0..<n).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) }
            }
            return Value(shape: shape, data: d)
        case .int64:
            guard t.rawData.count == 8 * n else { throw Failure.unsupported("int64 initializer \(t.name) without raw_data") }
            let d = t.rawData.withUnsafeBytes { raw in
                (0..<n).map { Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
            }
            return Value(shape: shape, data: d)
        default:
            throw Failure.unsupported("initializer data type \(t.dataType)")
        }
    }

    func ints(_ node: Onnx_NodeProto, _ name: String) -> [Int]? {
        node.attribute.first { $0.name == name }.map { $0.ints.map(Int.init) }
    }
    func int(_ node: Onnx_NodeProto, _ name: String) -> Int? {
        node.attribute.first { $0.name == name }.map { Int($0.i) }
    }
    func float(_ node: Onnx_NodeProto, _ name: String) -> Double? {
        node.attribute.first { $0.name == name }.map { Double($0.f) }
    }

    func evaluate(_ node: Onnx_NodeProto, _ inputs: [Value?]) throws -> [Value] {
        let x = inputs[0]!
        switch node.opType {
        case "Identity":
            return [x]
        case "Relu":
            return [Value(shape: x.shape, data: x.data.map { max($0, 0) })]
        case "Sigmoid":
            return [Value(shape: x.shape, data: x.data.map { 1 / (1 + exp(-$0)) })]
        case "Tanh":
            return [Value(shape: x.shape, data: x.data.map { tanh($0) })]
        case "Softmax":
            return [softmax(x, axis: int(node, "axis") ?? -1)]
        case "Transpose":
            return [transpose(x, perm: ints(node, "perm") ?? Array((0..<x.shape.count).reversed()))]
        case "Flatten":
            let axis = int(node, "axis") ?? 1
            let a = x.shape[..<axis].reduce(1, *)
            return [Value(shape: [a, x.count / a], data: x.data)]
        case "Squeeze":
            let axes = Set(inputs[1]!.data.map { Int($0) < 0 ? Int($0) + x.shape.count : Int($0) })
            for a in axes where x.shape[a] != 1 { throw Failure.unsupported("Squeeze of axis \(a) of size \(x.shape[a])") }
            return [Value(shape: x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element), data: x.data)]
        case "Gemm":
            return [try gemm(node, x, inputs[1]!, inputs.count > 2 ? inputs[2] : nil)]
        case "MatMul":
            return [try matmul(x, inputs[1]!)]
        case "Add":
            return [try addLastAxis(x, inputs[1]!)]
        case "Conv":
            return [try conv(node, x, inputs[1]!, inputs.count > 2 ? inputs[2] : nil)]
        case "MaxPool":
            return [maxPool(node, x)]
        case "BatchNormalization":
            return [batchNorm(node, x, scale: inputs[1]!, bias: inputs[2]!, mean: inputs[3]!, variance: inputs[4]!)]
        case "LSTM":
            return try lstm(node, inputs)
        default:
            throw Failure.unsupported("operator \(node.opType)")
        }
    }

    // MARK: Operators

    func softmax(_ x: Value, axis a: Int) -> Value {
        let axis = a < 0 ? a + x.shape.count : a
        let st = x.strides(), n = x.shape[axis], step = st[axis]
        var y = x.data
        for base in 0..<x.count where (base / step) % n == 0 {
            let idx = (0..<n).map { base + $0 * step }
            let m = idx.map { x.data[$0] }.max()!
            let e = idx.map { exp(x.data[$0] - m) }
            let s = e.reduce(0, +)
            for (k, i) in idx.enumerated() { y[i] = e[k] / s }
        }
        return Value(shape: x.shape, data: y)
    }

    func transpose(_ x: Value, perm: [Int]) -> Value {
        let outShape = perm.map { x.shape[$0] }
        let inStrides = x.strides()
        var out = Value(shape: outShape, data: [Double](repeating: 0, count: x.count))
        let outStrides = out.strides()
        for o in 0..<x.count {
            var rem = o, src = 0
            for d in 0..<outShape.count {
                let i = rem / outStrides[d]
                rem %= outStrides[d]
                src += i * inStrides[perm[d]]
            }
            out.data[o] = x.data[src]
        }
        return out
    }

    func gemm(_ node: Onnx_NodeProto, _ a: Value, _ b: Value, _ c: Value?) throws -> Value {
        guard (int(node, "transA") ?? 0) == 0, (int(node, "transB") ?? 0) == 0 else { throw Failure.unsupported("Gemm with transposes") }
        let alpha = float(node, "alpha") ?? 1, beta = float(node, "beta") ?? 1
        var y = try matmul(a, b)
        for i in 0..<y.count { y.data[i] *= alpha }
        if let c {
            guard c.shape == [y.shape[1]] else { throw Failure.unsupported("Gemm C of shape \(c.shape)") }
            for i in 0..<y.count { y.data[i] += beta * c.data[i % y.shape[1]] }
        }
        return y
    }

    /// (…, k) × (k, n) → (…, n).
    func matmul(_ a: Value, _ b: Value) throws -> Value {
        guard b.shape.count == 2, a.shape.last == b.shape[0] else { throw Failure.unsupported("MatMul \(a.shape) × \(b.shape)") }
        let k = b.shape[0], n = b.shape[1], rows = a.count / k
        var y = [Double](repeating: 0, count: rows * n)
        a.data.withUnsafeBufferPointer { ap in b.data.withUnsafeBufferPointer { bp in
            for r in 0..<rows { for j in 0..<n {
                var s = 0.0
                for t in 0..<k { s += ap[r * k + t] * bp[t * n + j] }
                y[r * n + j] = s
            } }
        } }
        return Value(shape: Array(a.shape.dropLast()) + [n], data: y)
    }

    func addLastAxis(_ a: Value, _ b: Value) throws -> Value {
        guard b.shape == [a.shape.last!] else { throw Failure.unsupported("Add \(a.shape) + \(b.shape)") }
        let n = b.count
        return Value(shape: a.shape, data: a.data.enumerated().map { $0.element + b.data[$0.offset % n] })
    }

    /// Output size of a window along one axis, ONNX's rule (floor) with explicit pads.
    func outSize(_ size: Int, _ k: Int, _ s: Int, _ before: Int, _ after: Int) -> Int { (size + before + after - k) / s + 1 }

    func conv(_ node: Onnx_NodeProto, _ x: Value, _ w: Value, _ b: Value?) throws -> Value {
        guard (int(node, "group") ?? 1) == 1, (ints(node, "dilations") ?? [1, 1]) == [1, 1] else {
            throw Failure.unsupported("Conv with groups or dilations")
        }
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (m, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        guard w.shape[1] == c else { throw Failure.unsupported("Conv weight \(w.shape) on input \(x.shape)") }
        let s = ints(node, "strides") ?? [1, 1], p = ints(node, "pads") ?? [0, 0, 0, 0]
        let oh = outSize(h, kh, s[0], p[0], p[2]), ow = outSize(wd, kw, s[1], p[1], p[3])
        let (sh, sw, pt, pl) = (s[0], s[1], p[0], p[1])
        var y = [Double](repeating: 0, count: n * m * oh * ow)
        // Raw pointers only to keep the debug-build loops fast; the arithmetic is the definition.
        x.data.withUnsafeBufferPointer { xp in w.data.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
            for b0 in 0..<n { for o in 0..<m { for yy in 0..<oh { for xx in 0..<ow {
                var acc = b?.data[o] ?? 0
                for ci in 0..<c { for ky in 0..<kh {
                    let iy = yy * sh - pt + ky
                    if iy < 0 || iy >= h { continue }
                    let xrow = ((b0 * c + ci) * h + iy) * wd, wrow = ((o * c + ci) * kh + ky) * kw
                    for kx in 0..<kw {
                        let ix = xx * sw - pl + kx
                        if ix < 0 || ix >= wd { continue }
                        acc += xp[xrow + ix] * wp[wrow + kx]
                    }
                } }
                yp[((b0 * m + o) * oh + yy) * ow + xx] = acc
            } } } }
        } } }
        return Value(shape: [n, m, oh, ow], data: y)
    }

    func maxPool(_ node: Onnx_NodeProto, _ x: Value) -> Value {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let k = ints(node, "kernel_shape")!, s = ints(node, "strides") ?? [1, 1], p = ints(node, "pads") ?? [0, 0, 0, 0]
        let oh = outSize(h, k[0], s[0], p[0], p[2]), ow = outSize(wd, k[1], s[1], p[1], p[3])
        var y = [Double](repeating: 0, count: n * c * oh * ow)
        for b0 in 0..<n { for ch in 0..<c { for yy in 0..<oh { for xx in 0..<ow {
            var m = -Double.infinity
            for ky in 0..<k[0] {
                let iy = yy * s[0] - p[0] + ky
                if iy < 0 || iy >= h { continue }
                for kx in 0..<k[1] {
                    let ix = xx * s[1] - p[1] + kx
                    if ix < 0 || ix >= wd { continue }
                    m = max(m, x.data[((b0 * c + ch) * h + iy) * wd + ix])
                }
            }
            y[((b0 * c + ch) * oh + yy) * ow + xx] = m
        } } } }
        return Value(shape: [n, c, oh, ow], data: y)
    }

    /// Inference mode: y = scale · (x − mean) / √(var + ε) + bias, channel axis 1.
    func batchNorm(_ node: Onnx_NodeProto, _ x: Value, scale: Value, bias: Value, mean: Value, variance: Value) -> Value {
        let eps = float(node, "epsilon") ?? 1e-5
        let c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *)
        var y = x.data
        for i in 0..<x.count {
            let ch = (i / inner) % c
            y[i] = scale.data[ch] * (x.data[i] - mean.data[ch]) / (variance.data[ch] + eps).squareRoot() + bias.data[ch]
        }
        return Value(shape: x.shape, data: y)
    }

    /// Forward LSTM, X (T, N, F), W (1, 4H, F), R (1, 4H, H), B (1, 8H), gates i, o, f, c:
    /// it = σ(Xt·Wiᵀ + Ht-1·Riᵀ + Wbi + Rbi), ft, ot likewise, ct~ = tanh(…),
    /// Ct = ft ⊙ Ct-1 + it ⊙ ct~, Ht = ot ⊙ tanh(Ct). Returns Y (T, 1, N, H) and Y_h (1, N, H).
    func lstm(_ node: Onnx_NodeProto, _ inputs: [Value?]) throws -> [Value] {
        let x = inputs[0]!, w = inputs[1]!, r = inputs[2]!
        guard inputs.count <= 4, (node.attribute.first { $0.name == "direction" }.map { String(decoding: $0.s, as: UTF8.self) } ?? "forward") == "forward",
              (int(node, "layout") ?? 0) == 0 else { throw Failure.unsupported("LSTM options") }
        if let acts = node.attribute.first(where: { $0.name == "activations" }) {
            guard acts.strings.map({ String(decoding: $0, as: UTF8.self) }) == ["Sigmoid", "Tanh", "Tanh"] else {
                throw Failure.unsupported("LSTM activations")
            }
        }
        let (t, n, f) = (x.shape[0], x.shape[1], x.shape[2])
        let hs = int(node, "hidden_size")!
        guard w.shape == [1, 4 * hs, f], r.shape == [1, 4 * hs, hs] else { throw Failure.unsupported("LSTM weight shapes") }
        let b = inputs.count > 3 ? inputs[3]!.data : [Double](repeating: 0, count: 8 * hs)
        func sigm(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        var h = [Double](repeating: 0, count: n * hs), cell = h
        var y = [Double](repeating: 0, count: t * n * hs)
        for s in 0..<t {
            var newH = h, newC = cell
            for bi in 0..<n {
                var z = [Double](repeating: 0, count: 4 * hs)
                for row in 0..<(4 * hs) {
                    var acc = b[row] + b[4 * hs + row]
                    for k in 0..<f { acc += x.data[(s * n + bi) * f + k] * w.data[row * f + k] }
                    for k in 0..<hs { acc += h[bi * hs + k] * r.data[row * hs + k] }
                    z[row] = acc
                }
                for j in 0..<hs {
                    let i = sigm(z[j]), o = sigm(z[hs + j]), fg = sigm(z[2 * hs + j]), g = tanh(z[3 * hs + j])
                    let cv = fg * cell[bi * hs + j] + i * g
                    newC[bi * hs + j] = cv
                    newH[bi * hs + j] = o * tanh(cv)
                }
            }
            h = newH; cell = newC
            for i in 0..<(n * hs) { y[s * n * hs + i] = h[i] }
        }
        return [Value(shape: [t, 1, n, hs], data: y), Value(shape: [1, n, hs], data: h)]
    }
}
