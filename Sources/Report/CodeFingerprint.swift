import Crypto
import Foundation

/// Fingerprints of the code the report runs, computed at build time by the
/// SourceFingerprints plugin: for each target of this package that `Report` depends on
/// (and `Report` itself), the SHA-256 of its source files. A cell key that includes
/// `CodeFingerprint.of([...])` for the targets whose code produces the cell's value is
/// invalidated exactly when that code changes: a training cell takes `of(["NN"])`, a figure
/// cell `of(["Plots"])`, and so on.
public enum CodeFingerprint {
    /// Target name → SHA-256 (64 lowercase hex digits) of that target's sources.
    public static var all: [String: String] { SourceFingerprints.byTarget }

    /// Target name → the targets of this package it depends on directly.
    public static var dependencies: [String: [String]] { SourceFingerprints.dependencies }

    /// `targets` and every target of this package they depend on, directly or not, sorted.
    /// An unknown name is a programmer error.
    public static func closure(of targets: [String]) -> [String] {
        closure(of: targets, dependencies: dependencies)
    }

    /// One SHA-256 over the fingerprints of `targets` and everything they depend on (see
    /// `closure(of:)`): changing the code of `NN` or of `SeededRandom` changes `of(["NN"])`,
    /// changing `Plots` does not. The order and repetition of `targets` do not matter.
    public static func of(_ targets: [String]) -> String {
        digest(of: targets, fingerprints: all, dependencies: dependencies)
    }

    /// `of(_:)` over given fingerprints and dependencies instead of the built-in ones, so a
    /// test can change one target's fingerprint and see which digests move. The digest is
    /// SHA-256 of `name=fingerprint\n` for each target of the closure in sorted order.
    public static func digest(of targets: [String], fingerprints: [String: String],
                              dependencies: [String: [String]]) -> String {
        var h = SHA256()
        for name in closure(of: targets, dependencies: dependencies) {
            guard let fingerprint = fingerprints[name] else {
                preconditionFailure("CodeFingerprint: no fingerprint for target \(name); known: \(fingerprints.keys.sorted().joined(separator: ", "))")
            }
            h.update(data: Data("\(name)=\(fingerprint)\n".utf8))
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func closure(of targets: [String], dependencies: [String: [String]]) -> [String] {
        var seen = Set<String>()
        var stack = targets
        while let name = stack.popLast() {
            guard seen.insert(name).inserted else { continue }
            guard let direct = dependencies[name] else {
                preconditionFailure("CodeFingerprint: unknown target \(name); known: \(dependencies.keys.sorted().joined(separator: ", "))")
            }
            stack += direct
        }
        return seen.sorted()
    }
}
