import Foundation
import Yams

/// A parsed YAML or JSON document: what the two have in common, in document order, each
/// node with the line it starts on (1-based). JSON is read by the same YAML parser (JSON
/// is YAML's flow style), so both get line numbers and one set of rules.
indirect enum Value: Sendable {
    case object([(key: String, value: Value)], line: Int?)
    case array([Value], line: Int?)
    /// A scalar's text; `quoted` scalars are always strings ("3" is not a number).
    case scalar(String, quoted: Bool, line: Int?)

    var line: Int? {
        switch self {
        case .object(_, let l), .array(_, let l), .scalar(_, _, let l): l
        }
    }

    /// `null`, `~` or an empty plain scalar.
    var isNull: Bool {
        if case .scalar(let s, false, _) = self { return s == "null" || s == "~" || s == "" || s == "Null" || s == "NULL" }
        return false
    }

    /// A short description for "expected X, got Y" messages.
    var kindName: String {
        switch self {
        case .object: "a mapping"
        case .array: "a list"
        case .scalar(let s, _, _): isNull ? "null" : "'\(s)'"
        }
    }

    /// Parses YAML (or JSON) text.
    static func parse(_ text: String, source: String) throws(SpecError) -> Value {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let e as YamlError {
            throw SpecError(source: source, line: Value.line(of: e), message: "not valid YAML/JSON: \(Value.problem(of: e))")
        } catch {
            throw SpecError(source: source, message: "not valid YAML/JSON: \(error)")
        }
        guard let node else { throw SpecError(source: source, message: "the document is empty") }
        return try convert(node, source: source)
    }

    private static func convert(_ node: Node, source: String) throws(SpecError) -> Value {
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded
            return .scalar(s.string, quoted: quoted, line: s.mark?.line)
        case .sequence(let seq):
            var items: [Value] = []
            for n in seq { items.append(try convert(n, source: source)) }
            return .array(items, line: seq.mark?.line)
        case .mapping(let map):
            var pairs: [(key: String, value: Value)] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw SpecError(source: source, line: k.mark?.line, message: "mapping keys must be plain names")
                }
                if pairs.contains(where: { $0.key == ks.string }) {
                    throw SpecError(source: source, line: k.mark?.line, message: "field '\(ks.string)' appears twice")
                }
                pairs.append((ks.string, try convert(v, source: source)))
            }
            return .object(pairs, line: map.mark?.line)
        }
    }

    private static func line(of e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _): m.line
        default: nil
        }
    }

    private static func problem(of e: YamlError) -> String {
        switch e {
        case .scanner(_, let p, _, _), .parser(_, let p, _, _), .composer(_, let p, _, _): p
        case .reader(let p, _, _, _): p
        default: "\(e)"
        }
    }
}

/// A value at a path of a document, with typed, path-naming accessors. Every accessor
/// throws a `SpecError` naming the source, the line and the path.
struct Cursor {
    let value: Value
    let path: String
    let source: String

    func fail(_ message: String) -> SpecError {
        SpecError(source: source, line: value.line, path: path, message: message)
    }

    func child(_ key: String, _ v: Value) -> Cursor {
        Cursor(value: v, path: path.isEmpty ? key : "\(path).\(key)", source: source)
    }

    func object() throws(SpecError) -> Fields {
        guard case .object(let pairs, _) = value else { throw fail("expected a mapping of fields, got \(value.kindName)") }
        return Fields(cursor: self, pairs: pairs)
    }

    func array() throws(SpecError) -> [Cursor] {
        guard case .array(let items, _) = value else { throw fail("expected a list, got \(value.kindName)") }
        return items.enumerated().map { Cursor(value: $0.element, path: "\(path)[\($0.offset)]", source: source) }
    }

    func string() throws(SpecError) -> String {
        guard case .scalar(let s, _, _) = value, !value.isNull else { throw fail("expected text, got \(value.kindName)") }
        return s
    }

    func int() throws(SpecError) -> Int {
        if case .scalar(let s, false, _) = value, let i = Int(s) { return i }
        if case .scalar(let s, false, _) = value, let d = Double(s), d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        throw fail("expected a whole number, got \(value.kindName)")
    }

    func positiveInt() throws(SpecError) -> Int {
        let i = try int()
        guard i > 0 else { throw fail("must be positive, got \(i)") }
        return i
    }

    func double() throws(SpecError) -> Double {
        if case .scalar(let s, false, _) = value, let d = Double(s), d.isFinite { return d }
        throw fail("expected a number, got \(value.kindName)")
    }

    func bool() throws(SpecError) -> Bool {
        if case .scalar(let s, false, _) = value {
            switch s {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        throw fail("expected true or false, got \(value.kindName)")
    }

    /// One of `cases` by raw value; the error lists them.
    func oneOf<E: RawRepresentable>(_ cases: [E], what: String) throws(SpecError) -> E where E.RawValue == String {
        let s = try string()
        if let e = E(rawValue: s) { return e }
        let known = cases.map(\.rawValue)
        var hint = ""
        if let near = suggestion(for: s, among: known) { hint = "did you mean '\(near)'? " }
        throw fail("unknown \(what) '\(s)' (\(hint)known: \(known.joined(separator: ", ")))")
    }

    /// A size given as one number (square) or as [height, width], each positive.
    func size2() throws(SpecError) -> Size2 {
        if case .array = value {
            let items = try array()
            guard items.count == 2 else { throw fail("expected one number or [height, width], got \(items.count) numbers") }
            return Size2(try items[0].positiveInt(), try items[1].positiveInt())
        }
        let n = try positiveInt()
        return Size2(n, n)
    }

    /// A shape: a non-empty list of positive sizes.
    func shape() throws(SpecError) -> [Int] {
        let items = try array()
        guard !items.isEmpty else { throw fail("expected a non-empty list of sizes") }
        var out: [Int] = []
        for i in items { out.append(try i.positiveInt()) }
        return out
    }
}

/// The fields of a mapping: looked up by name, remembering which were read, so that
/// `finish(known:)` can reject the rest as unknown with a "did you mean" hint.
struct Fields {
    let cursor: Cursor
    let pairs: [(key: String, value: Value)]

    func has(_ key: String) -> Bool {
        guard let v = pairs.first(where: { $0.key == key })?.value else { return false }
        return !v.isNull
    }

    /// The field, or nil when absent or null.
    func optional(_ key: String) -> Cursor? {
        guard let v = pairs.first(where: { $0.key == key })?.value, !v.isNull else { return nil }
        return cursor.child(key, v)
    }

    func required(_ key: String) throws(SpecError) -> Cursor {
        guard let c = optional(key) else { throw cursor.fail("missing field '\(key)'") }
        return c
    }

    /// Throws for the first field not in `known`, suggesting the nearest known one.
    func finish(known: [String], aliases: [String: String] = [:]) throws(SpecError) {
        for (key, value) in pairs where !known.contains(key) {
            var hint = ""
            if let near = suggestion(for: key, among: known, aliases: aliases) { hint = " (did you mean '\(near)'?)" }
            throw SpecError(source: cursor.source, line: value.line ?? cursor.value.line, path: cursor.path,
                            message: "unknown field '\(key)'\(hint); known: \(known.joined(separator: ", "))")
        }
    }
}
