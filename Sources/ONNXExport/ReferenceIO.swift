import Foundation
import NN

/// Inputs and our engine's outputs for them, written beside an ONNX file so that
/// scripts/onnx-check.py can run the file in onnxruntime and compare.
///
/// Files for `<name>`: `<name>.io.json`, `<name>.input.f32`, `<name>.output.f32`. The two
/// `.f32` files are raw float32, little-endian, row-major (C order), no header; the JSON says
/// which files they are and their shapes (batch axis first):
///
///     {"model": "conv2.onnx", "dtype": "float32", "byte_order": "little",
///      "input": {"file": "conv2.input.f32", "shape": [4, 64, 64, 3]},
///      "output": {"file": "conv2.output.f32", "shape": [4, 2]}}
public enum ReferenceIO {
    /// The JSON header of the sidecar.
    public struct Header: Codable, Equatable, Sendable {
        public struct Array: Codable, Equatable, Sendable {
            public var file: String
            public var shape: [Int]
        }
        public var model: String
        public var dtype: String
        public var byteOrder: String
        public var input: Array
        public var output: Array

        enum CodingKeys: String, CodingKey {
            case model, dtype, input, output
            case byteOrder = "byte_order"
        }
    }

    /// Runs `model` in inference mode on `inputs` (batch, …) in batches of at most
    /// `batchSize` and writes the sidecar for `<directory>/<name>.onnx`. Returns the outputs.
    @discardableResult
    public static func write(_ model: Sequential, inputs: Tensor, name: String, directory: URL,
                             batchSize: Int = 16) throws(ONNXExportError) -> Tensor {
        precondition(Swift.Array(inputs.shape.dropFirst()) == model.inputShape,
                     "ReferenceIO.write: model '\(model.name)' takes (batch, \(model.inputShape)), got \(inputs.shape)")
        let outputs = predict(model, inputs, batchSize: batchSize)
        let header = Header(model: "\(name).onnx", dtype: "float32", byteOrder: "little",
                            input: .init(file: "\(name).input.f32", shape: inputs.shape),
                            output: .init(file: "\(name).output.f32", shape: outputs.shape))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json: Data
        do { json = try encoder.encode(header) } catch {
            throw .unwritable(file: "\(name).io.json", reason: "\(error)")
        }
        try write(json, directory.appendingPathComponent("\(name).io.json"))
        try write(littleEndianData(inputs.data), directory.appendingPathComponent(header.input.file))
        try write(littleEndianData(outputs.data), directory.appendingPathComponent(header.output.file))
        return outputs
    }

    /// Reads a sidecar back: the header and both tensors.
    public static func read(_ jsonURL: URL) throws -> (header: Header, input: Tensor, output: Tensor) {
        let header = try JSONDecoder().decode(Header.self, from: Data(contentsOf: jsonURL))
        let dir = jsonURL.deletingLastPathComponent()
        func tensor(_ a: Header.Array) throws -> Tensor {
            let data = try Data(contentsOf: dir.appendingPathComponent(a.file))
            let n = a.shape.reduce(1, *)
            guard data.count == 4 * n else {
                throw ONNXExportError.unreadable(file: a.file, reason: "holds \(data.count) bytes, shape \(a.shape) needs \(4 * n)")
            }
            let values = data.withUnsafeBytes { raw in
                (0..<n).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            return Tensor(shape: a.shape, data: values)
        }
        return (header, try tensor(header.input), try tensor(header.output))
    }

    /// `model.forward(x, mode: .inference)` in batches.
    public static func predict(_ model: Sequential, _ x: Tensor, batchSize: Int = 16) -> Tensor {
        var out: [Float] = []
        var outShape = [0] + model.outputShape
        for start in stride(from: 0, to: x.batch, by: batchSize) {
            let y = model.forward(x.items(start..<min(x.batch, start + batchSize)), mode: .inference)
            out += y.data
            outShape[0] += y.batch
        }
        return Tensor(shape: outShape, data: out)
    }

    private static func write(_ data: Data, _ url: URL) throws(ONNXExportError) {
        do { try data.write(to: url, options: .atomic) } catch {
            throw .unwritable(file: url.path, reason: error.localizedDescription)
        }
    }
}
