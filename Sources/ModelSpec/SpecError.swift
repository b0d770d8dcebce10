/// A model description that cannot be read or cannot be built, with where it went wrong.
///
/// `source` is the file (or a name for text that came from elsewhere), `line` the line the
/// offending value starts on when known (1-based), `path` the field inside the document
/// (`layers[3].filters`, empty for the whole document). The description is one line:
/// `architectures/mine.yaml:12: layers[3]: unknown layer type 'Conv3D' (known: …)`.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    public let source: String
    public let line: Int?
    public let path: String
    public let message: String

    public init(source: String, line: Int? = nil, path: String = "", message: String) {
        self.source = source; self.line = line; self.path = path; self.message = message
    }

    public var description: String {
        var s = source
        if let line { s += ":\(line)" }
        s += ": "
        if !path.isEmpty { s += path + ": " }
        return s + message
    }
}

/// The closest of `known` to `name` for a "did you mean" hint: a listed alias, else the
/// nearest by edit distance when it is close (at most a third of the longer name, at least
/// 2), else one that starts with the other; nil when nothing is close.
func suggestion(for name: String, among known: [String], aliases: [String: String] = [:]) -> String? {
    if let a = aliases[name], known.contains(a) { return a }
    let lower = name.lowercased()
    if let same = known.first(where: { $0.lowercased() == lower }) { return same }
    var best: (String, Int)?
    for k in known {
        let d = editDistance(lower, k.lowercased())
        if d <= max(2, max(k.count, name.count) / 3), d < (best?.1 ?? .max) { best = (k, d) }
    }
    if let best { return best.0 }
    return known.first { lower.hasPrefix($0.lowercased()) || $0.lowercased().hasPrefix(lower) }
}

/// Levenshtein distance (insertions, deletions and substitutions each cost 1).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
