import Foundation

/// A weights file that cannot be read into a model, naming the file and the tensor.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(file: String, reason: String)
    case malformedHeader(file: String, reason: String)
    case missingTensor(file: String, tensor: String)
    case unexpectedTensor(file: String, tensor: String)
    case wrongDType(file: String, tensor: String, dtype: String)
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])
    case badOffsets(file: String, tensor: String, reason: String)
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(f, r): return "\(f): cannot read weights file: \(r)"
        case let .malformedHeader(f, r): return "\(f): not a safetensors file: \(r)"
        case let .missingTensor(f, t): return "\(f): tensor '\(t)' is missing (the model needs it; was the file saved from another architecture?)"
        case let .unexpectedTensor(f, t): return "\(f): tensor '\(t)' does not belong to this model (was the file saved from another architecture?)"
        case let .wrongDType(f, t, d): return "\(f): tensor '\(t)' has dtype \(d), expected F32"
        case let .wrongShape(f, t, e, s): return "\(f): tensor '\(t)' has shape \(s), the model expects \(e)"
        case let .badOffsets(f, t, r): return "\(f): tensor '\(t)': \(r)"
        case let .unwritable(f, r): return "\(f): cannot write weights file: \(r)"
        }
    }
}

/// Model weights in the safetensors format (https://github.com/huggingface/safetensors):
///
///     [8 bytes: N, little-endian UInt64] [N bytes: JSON header, space-padded to a multiple of 8]
///     [data: each tensor's float32 values, little-endian, row-major, back to back]
///
/// The header maps each tensor name to `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`
/// (byte offsets into the data section) and holds string metadata under `"__metadata__"`.
/// Tensor names are `<layer name>/<parameter name>`, e.g. `conv2d_1/kernel`,
/// `batch_normalization_1/moving_mean`, `lstm_1/recurrent_kernel`; shapes and layouts are the
/// parameters' own (Keras's; see docs/weights.md). Tensors are written in the model's
/// parameter order.
public enum Safetensors {
    /// Writes every parameter of `model` (trainable and not) to `url`, atomically (a temporary
    /// file in the same directory, then a rename), with `metadata` under `"__metadata__"`.
    public static func save(_ model: Sequential, to url: URL, metadata: [String: String] = [:]) throws(SafetensorsError) {
        let file = url.path
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        var seen = Set<String>()
        let named = tensorNames(model)
        for (name, p) in named {
            precondition(seen.insert(name).inserted, "Safetensors.save: duplicate tensor name '\(name)' in model '\(model.name)'")
            let bytes = p.value.count * 4
            let shape = p.value.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, p) in named {
            p.value.data.withUnsafeBufferPointer { buf in
                #if _endian(little)
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buf.baseAddress!)
                    .assumingMemoryBound(to: UInt8.self), count: buf.count * 4))
                #else
                for v in buf { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                #endif
            }
        }
        do {
            // `.atomic` writes a temporary file next to the target and renames it into place.
            try data.write(to: url, options: .atomic)
        } catch {
            throw .unwritable(file: file, reason: error.localizedDescription)
        }
    }

    /// Reads `url` into the parameters of `model`. Every model tensor must be present with
    /// dtype F32 and the parameter's shape, and the file must hold no other tensors;
    /// otherwise nothing is changed and a `SafetensorsError` names the file and tensor.
    public static func load(into model: Sequential, from url: URL) throws(SafetensorsError) {
        let file = url.path
        let (header, _, body) = try read(url)
        var values: [(Parameter, [Float])] = []
        var expected = Set<String>()
        for (name, p) in tensorNames(model) {
            expected.insert(name)
            guard let info = header[name] else { throw .missingTensor(file: file, tensor: name) }
            guard info.dtype == "F32" else { throw .wrongDType(file: file, tensor: name, dtype: info.dtype) }
            guard info.shape == p.value.shape else {
                throw .wrongShape(file: file, tensor: name, expected: p.value.shape, found: info.shape)
            }
            let (begin, end) = info.offsets
            guard begin >= 0, end >= begin, end <= body.count else {
                throw .badOffsets(file: file, tensor: name, reason: "data_offsets [\(begin), \(end)] outside the \(body.count)-byte data section")
            }
            guard end - begin == p.value.count * 4 else {
                throw .badOffsets(file: file, tensor: name, reason: "data_offsets span \(end - begin) bytes, shape \(info.shape) of F32 needs \(p.value.count * 4)")
            }
            var floats = [Float](repeating: 0, count: p.value.count)
            body.withUnsafeBytes { raw in
                for i in 0..<floats.count {
                    let bits = raw.loadUnaligned(fromByteOffset: begin + 4 * i, as: UInt32.self)
                    floats[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
            values.append((p, floats))
        }
        if let extra = header.keys.sorted().first(where: { !expected.contains($0) }) {
            throw .unexpectedTensor(file: file, tensor: extra)
        }
        for (p, v) in values { p.value = Tensor(shape: p.value.shape, data: v) }
    }

    /// The `"__metadata__"` strings of a safetensors file.
    public static func metadata(at url: URL) throws(SafetensorsError) -> [String: String] {
        try read(url).metadata
    }

    /// `(<layer>/<parameter>, parameter)` for every parameter of `model`, in order.
    public static func tensorNames(_ model: Sequential) -> [(String, Parameter)] {
        model.layers.flatMap { layer in layer.parameters.map { ("\(layer.name)/\($0.name)", $0) } }
    }

    struct TensorInfo { var dtype: String; var shape: [Int]; var offsets: (Int, Int) }

    static func read(_ url: URL) throws(SafetensorsError)
        -> (header: [String: TensorInfo], metadata: [String: String], body: Data) {
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(file: file, reason: error.localizedDescription)
        }
        guard data.count >= 8 else { throw .malformedHeader(file: file, reason: "only \(data.count) bytes") }
        let n = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(data.count - 8) else {
            throw .malformedHeader(file: file, reason: "header length \(n) exceeds the file size \(data.count)")
        }
        let headerBytes = data.subdata(in: 8..<(8 + Int(n)))
        guard let json = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
            throw .malformedHeader(file: file, reason: "the header is not a JSON object")
        }
        var header: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else {
                    throw .malformedHeader(file: file, reason: "__metadata__ is not an object")
                }
                for (k, v) in m {
                    guard let s = v as? String else {
                        throw .malformedHeader(file: file, reason: "__metadata__ value of '\(k)' is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard let obj = value as? [String: Any], let dtype = obj["dtype"] as? String,
                  let shape = (obj["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  shape.count == (obj["shape"] as? [Any])?.count,
                  let offs = (obj["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offs.count == 2
            else { throw .malformedHeader(file: file, reason: "entry '\(name)' lacks dtype, shape or data_offsets") }
            header[name] = TensorInfo(dtype: dtype, shape: shape, offsets: (offs[0], offs[1]))
        }
        return (header, metadata, data.subdata(in: (8 + Int(n))..<data.count))
    }

    /// A JSON string literal with the escapes JSON requires.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
