import Foundation

/// The fingerprint of a target's source files: one SHA-256 over every file, in the order of
/// their paths, each contributing `path \0 length \0 bytes`, where `path` is relative to the
/// target's folder with `/` separators and `length` is the byte count in decimal. Because
/// the path and length are hashed with the bytes, changing a byte, renaming a file, adding
/// or removing one, or moving bytes from one file to the next all change the digest; the
/// order in which files are listed does not, nor does where the checkout lives.
public enum SourceDigest {
    /// One file of a target: its path relative to the target folder and its contents.
    public struct File: Equatable, Sendable {
        public let path: String
        public let contents: [UInt8]

        public init(path: String, contents: [UInt8]) {
            self.path = path
            self.contents = contents
        }
    }

    /// The digest of `files`, as 64 lowercase hexadecimal digits. Paths are sorted by their
    /// UTF-8 bytes (independent of locale); two files with the same path are a programmer
    /// error.
    public static func digest(of files: [File]) -> String {
        let sorted = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            precondition(a.path != b.path, "SourceDigest: the path \(a.path) is listed twice")
        }
        var h = SHA256Digester()
        for f in sorted {
            h.update(f.path.utf8)
            h.update(CollectionOfOne(0))
            h.update(String(f.contents.count).utf8)
            h.update(CollectionOfOne(0))
            h.update(f.contents)
        }
        return h.hexDigest()
    }

    /// Reads `files` (absolute) and returns the digest of their contents under paths
    /// relative to `root`. Throws `SourceHashingError` naming the file if one cannot be
    /// read or lies outside `root`.
    public static func digest(root: URL, files: [URL]) throws -> String {
        try digest(of: files.map { url in
            let path = try relativePath(of: url, under: root)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw SourceHashingError.unreadable(path: url.path)
            }
            return File(path: path, contents: [UInt8](data))
        })
    }

    /// Every regular file under `root`, recursively, skipping hidden files and folders (names
    /// starting with `.`), as SwiftPM does when it collects a target's sources.
    public static func files(under root: URL) throws -> [URL] {
        let keys: [URLResourceKey] = [.isRegularFileKey, .isDirectoryKey]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys,
                                                          options: [.skipsHiddenFiles]) else {
            throw SourceHashingError.unreadable(path: root.path)
        }
        var out: [URL] = []
        for case let url as URL in walker {
            if try url.resourceValues(forKeys: Set(keys)).isRegularFile == true { out.append(url) }
        }
        return out
    }

    /// `url`'s path relative to `root`, with `/` separators.
    public static func relativePath(of url: URL, under root: URL) throws -> String {
        let base = root.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let full = url.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        guard full.count > base.count, Array(full.prefix(base.count)) == base else {
            throw SourceHashingError.outsideRoot(path: url.path, root: root.path)
        }
        return full.dropFirst(base.count).joined(separator: "/")
    }
}

/// Why a target's sources could not be fingerprinted; each case names the file.
public enum SourceHashingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder does not exist or cannot be read.
    case unreadable(path: String)
    /// A source file that is not inside the folder its path is taken relative to.
    case outsideRoot(path: String, root: String)

    public var description: String {
        switch self {
        case .unreadable(let path):
            return "\(path): cannot be read"
        case .outsideRoot(let path, let root):
            return "\(path): not inside the target folder \(root), so it has no relative path to hash"
        }
    }
}
