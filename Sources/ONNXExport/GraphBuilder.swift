import Foundation

/// Collects the nodes and initializers of one ONNX graph, in order, and hands out unique
/// tensor names. Float initializers are stored as float32 `raw_data`, little-endian, as the
/// ONNX IR requires for raw data.
struct GraphBuilder {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var used: Set<String> = []

    init(reserved: [String]) { used = Set(reserved) }

    /// `base`, or `base_2`, `base_3`, … if taken.
    mutating func unique(_ base: String) -> String {
        var name = base, k = 1
        while used.contains(name) { k += 1; name = "\(base)_\(k)" }
        used.insert(name)
        return name
    }

    /// Appends a node; returns the names of its outputs (`outputs` base names made unique;
    /// an empty string stays empty — an omitted optional output).
    @discardableResult
    mutating func node(_ op: String, name: String, inputs: [String], outputs: [String],
                       attributes: [Onnx_AttributeProto] = [], doc: String? = nil) -> [String] {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = unique(name)
        n.input = inputs
        n.output = outputs.map { $0.isEmpty ? "" : unique($0) }
        n.attribute = attributes
        if let doc { n.docString = doc }
        nodes.append(n)
        return n.output
    }

    /// One-output node; returns the output's name (the node's name).
    mutating func node(_ op: String, name: String, inputs: [String],
                       attributes: [Onnx_AttributeProto] = [], doc: String? = nil) -> String {
        node(op, name: name, inputs: inputs, outputs: [name], attributes: attributes, doc: doc)[0]
    }

    /// A float32 initializer of `shape`, values row-major.
    mutating func floats(_ name: String, shape: [Int], _ values: [Float], doc: String? = nil) -> String {
        precondition(shape.reduce(1, *) == values.count,
                     "ONNX initializer '\(name)': shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        var t = Onnx_TensorProto()
        t.name = unique(name)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.dims = shape.map(Int64.init)
        t.rawData = littleEndianData(values)
        if let doc { t.docString = doc }
        initializers.append(t)
        return t.name
    }

    /// A 1-D int64 initializer (shapes, axes).
    mutating func int64s(_ name: String, _ values: [Int]) -> String {
        var t = Onnx_TensorProto()
        t.name = unique(name)
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.dims = [Int64(values.count)]
        var raw = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { raw.append(contentsOf: $0) } }
        t.rawData = raw
        initializers.append(t)
        return t.name
    }

    /// Removes and returns the last node (its output names stay reserved).
    mutating func removeLastNode() -> Onnx_NodeProto { nodes.removeLast() }

    /// Renames the output `old` of the node that produces it to `new` (for the graph output).
    /// Returns false when no node produces `old` (it is the graph input or an initializer).
    mutating func renameOutput(_ old: String, to new: String) -> Bool {
        guard let i = nodes.lastIndex(where: { $0.output.contains(old) }) else { return false }
        nodes[i].output = nodes[i].output.map { $0 == old ? new : $0 }
        used.insert(new)
        return true
    }
}

// MARK: - Attributes

enum Attr {
    static func int(_ name: String, _ v: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .int; a.i = Int64(v)
        return a
    }

    static func ints(_ name: String, _ v: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .ints; a.ints = v.map(Int64.init)
        return a
    }

    static func float(_ name: String, _ v: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .float; a.f = v
        return a
    }

    static func string(_ name: String, _ v: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .string; a.s = Data(v.utf8)
        return a
    }

    static func strings(_ name: String, _ v: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .strings; a.strings = v.map { Data($0.utf8) }
        return a
    }
}

// MARK: - Value infos

/// A float32 tensor value info whose first axis is the symbolic dimension `batch`.
func batchedFloatValueInfo(_ name: String, shape: [Int]) -> Onnx_ValueInfoProto {
    var shapeProto = Onnx_TensorShapeProto()
    var batch = Onnx_TensorShapeProto.Dimension()
    batch.dimParam = "batch"
    shapeProto.dim = [batch] + shape.map { d in
        var dim = Onnx_TensorShapeProto.Dimension()
        dim.dimValue = Int64(d)
        return dim
    }
    var tensor = Onnx_TypeProto.Tensor()
    tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    tensor.shape = shapeProto
    var type = Onnx_TypeProto()
    type.tensorType = tensor
    var v = Onnx_ValueInfoProto()
    v.name = name
    v.type = type
    return v
}

/// float32 values as little-endian bytes (ONNX raw_data, the sidecar `.f32` files).
func littleEndianData(_ values: [Float]) -> Data {
    #if _endian(little)
    return values.withUnsafeBufferPointer { Data(buffer: $0) }
    #else
    var d = Data(capacity: values.count * 4)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
    return d
    #endif
}
