import Foundation
import Yams

/// The repository root, found from this file's path (Tests/ContribTests/…).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Every document of the YAML file at `path` (relative to the repository root), as Yams
/// nodes. Throws `YAMLSyntaxError` (the parser's line, column and problem) when the text is
/// not YAML: `Yams.compose_all` reports that only through the sequence, so it is checked here.
func yamlDocuments(_ path: String) throws -> [Node] {
    let url = repositoryRoot.appendingPathComponent(path)
    let text = try String(contentsOf: url, encoding: .utf8)
    var sequence = try Yams.compose_all(yaml: text)
    var documents: [Node] = []
    while let node = sequence.next() { documents.append(node) }
    if let error = sequence.error { throw YAMLSyntaxError(file: path, underlying: error) }
    return documents
}

/// A file that is not YAML: the path and the parser's message (line:column: problem).
struct YAMLSyntaxError: Error, CustomStringConvertible {
    let file: String
    let underlying: Error
    var description: String { "\(file): \(underlying)" }
}

extension Node {
    /// The value under `key` in a mapping, comparing keys as the text written in the file.
    /// (Plain `node["on"]` would miss GitHub's `on:` key: YAML 1.1 resolves `on` as a bool.)
    subscript(key key: String) -> Node? {
        mapping?.first { $0.key.scalar?.string == key }?.value
    }

    /// The keys of a mapping as written; empty for scalars and sequences.
    var keyNames: [String] { mapping?.compactMap { $0.key.scalar?.string } ?? [] }

    /// The text of a scalar, nil for mappings and sequences.
    var text: String? { scalar?.string }

    /// An unquoted integer scalar (Kubernetes rejects `"4"` where it wants `4`).
    var plainInt: Int? {
        guard let s = scalar, s.style == .plain || s.style == .any else { return nil }
        return Int(s.string)
    }

    /// The scalar strings of a sequence (empty when this is not a sequence).
    var strings: [String] { sequence?.compactMap { $0.scalar?.string } ?? [] }
}

/// A key or index that a check expected and the YAML file lacks; names the dotted path.
struct MissingYAMLPath: Error, CustomStringConvertible {
    let file: String
    let path: String
    var description: String { "\(file): missing \(path)" }
}

/// Follows `path` (mapping keys, or decimal indices into sequences) from `node`; throws
/// `MissingYAMLPath` naming the file and the path walked so far when a step is missing.
func require(_ node: Node, in file: String, _ path: String...) throws -> Node {
    var current = node
    for (i, step) in path.enumerated() {
        let next: Node?
        if let index = Int(step), let seq = current.sequence {
            next = index < seq.count ? seq[index] : nil
        } else {
            next = current[key: step]
        }
        guard let n = next else { throw MissingYAMLPath(file: file, path: path.prefix(i + 1).joined(separator: ".")) }
        current = n
    }
    return current
}
