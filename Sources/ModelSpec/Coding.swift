import NN

/// `Codable` in the file format of `docs/architectures-format.md`, so a spec can sit inside
/// another Codable document (a run configuration's `architectures:` list) and be written
/// back. Decoding applies the same checks as `parse(yaml:source:)` (unknown fields and
/// layer types are errors naming the path) and throws `DecodingError.dataCorrupted` whose
/// `debugDescription` is the `SpecError`'s line and whose `underlyingError` is the
/// `SpecError`; encoding writes every option explicitly.
extension ModelSpec: Codable {
    public init(from decoder: Decoder) throws {
        let value = try Value(from: decoder)
        // Errors name the spec by where it sits in the outer document: `architectures[0]`.
        var source = ""
        for k in decoder.codingPath {
            if let i = k.intValue { source += "[\(i)]" } else { source += (source.isEmpty ? "" : ".") + k.stringValue }
        }
        if source.isEmpty { source = "model" }
        // A DecodingError, so that decoders pass it through unwrapped; the description is
        // the SpecError's one line, and the SpecError itself is the underlying error.
        do { self = try ModelSpec.interpret(value, source: source) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description,
                                                    underlyingError: error))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: Key("name"))
        if let label { try c.encode(label, forKey: Key("label")) }
        if let description { try c.encode(description, forKey: Key("description")) }
        try c.encode(inputShape, forKey: Key("input"))
        var list = c.nestedUnkeyedContainer(forKey: Key("layers"))
        for layer in layers {
            var l = list.nestedContainer(keyedBy: Key.self)
            try l.encode(layer.kind.typeName, forKey: Key("type"))
            if let n = layer.name { try l.encode(n, forKey: Key("name")) }
            func size(_ s: Size2, _ key: String) throws {
                if s.height == s.width { try l.encode(s.height, forKey: Key(key)) } else { try l.encode([s.height, s.width], forKey: Key(key)) }
            }
            switch layer.kind {
            case .conv2D(let f, let k, let s, let p, let a, let b):
                try l.encode(f, forKey: Key("filters")); try size(k, "kernel"); try size(s, "strides")
                try l.encode(p.rawValue, forKey: Key("padding")); try l.encode(a.rawValue, forKey: Key("activation"))
                try l.encode(b, forKey: Key("use_bias"))
            case .maxPooling2D(let p, let s, let pad):
                try size(p, "pool"); if let s { try size(s, "strides") }
                try l.encode(pad.rawValue, forKey: Key("padding"))
            case .dense(let u, let a, let b):
                try l.encode(u, forKey: Key("units")); try l.encode(a.rawValue, forKey: Key("activation"))
                try l.encode(b, forKey: Key("use_bias"))
            case .dropout(let r): try l.encode(r, forKey: Key("rate"))
            case .flatten: break
            case .batchNormalization(let m, let e):
                try l.encode(m, forKey: Key("momentum")); try l.encode(e, forKey: Key("epsilon"))
            case .lstm(let u, let r):
                try l.encode(u, forKey: Key("units")); try l.encode(r, forKey: Key("return_sequences"))
            case .activation(let a): try l.encode(a.rawValue, forKey: Key("activation"))
            }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// A document tree from any `Decoder` (JSONDecoder, Yams's YAMLDecoder, …). Mapping keys
/// come in sorted order (decoders do not keep the document's order) and no line numbers.
extension Value: Decodable {
    init(from decoder: Decoder) throws {
        if let c = try? decoder.container(keyedBy: ModelSpec.Key.self) {
            var pairs: [(key: String, value: Value)] = []
            for k in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                pairs.append((k.stringValue, try c.decode(Value.self, forKey: k)))
            }
            self = .object(pairs, line: nil)
            return
        }
        if var u = try? decoder.unkeyedContainer() {
            var items: [Value] = []
            while !u.isAtEnd { items.append(try u.decode(Value.self)) }
            self = .array(items, line: nil)
            return
        }
        let s = try decoder.singleValueContainer()
        if s.decodeNil() { self = .scalar("null", quoted: false, line: nil) }
        else if let b = try? s.decode(Bool.self) { self = .scalar(b ? "true" : "false", quoted: false, line: nil) }
        else if let i = try? s.decode(Int.self) { self = .scalar(String(i), quoted: false, line: nil) }
        else if let d = try? s.decode(Double.self) { self = .scalar(String(d), quoted: false, line: nil) }
        else { self = .scalar(try s.decode(String.self), quoted: true, line: nil) }
    }
}
