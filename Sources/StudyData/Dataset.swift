import Parallel
import Dispatch
import Foundation

/// The side of every image the study works with.
public let studyImageSize = 64

/// One split of the dataset: N images of H×W pixels and, for labelled splits, three 0/1
/// labels per image.
///
/// `pixels` holds the images back to back, each row-major: pixel (x, y) of image n is
/// `pixels[(n * height + y) * width + x]` (layout NHW, one channel).
public struct Split: Sendable {
    /// `train`, `val` or `test`.
    public let name: String
    /// File names of the images, e.g. `10000.png`, in CSV order.
    public let ids: [String]
    /// N·H·W bytes, NHW row-major.
    public var pixels: [UInt8]
    public let height: Int
    public let width: Int
    /// N rows of (label1, label2, label3), each 0 or 1; `nil` for the unlabelled test split.
    public let labels: [[UInt8]]?

    public init(name: String, ids: [String], pixels: [UInt8], height: Int, width: Int, labels: [[UInt8]]?) {
        precondition(pixels.count == ids.count * height * width,
                     "Split \(name): \(pixels.count) pixels for \(ids.count) images of \(width)×\(height)")
        if let labels {
            precondition(labels.count == ids.count, "Split \(name): \(labels.count) label rows for \(ids.count) ids")
            precondition(labels.allSatisfy { $0.count == 3 && $0.allSatisfy { $0 <= 1 } },
                         "Split \(name): every label row must be three values of 0 or 1")
        }
        self.name = name
        self.ids = ids
        self.pixels = pixels
        self.height = height
        self.width = width
        self.labels = labels
    }

    /// Number of images.
    public var count: Int { ids.count }

    /// Image `index` as a `GrayImage` (a copy of its H·W bytes).
    public func image(at index: Int) -> GrayImage {
        precondition(index >= 0 && index < count, "Split \(name): image index \(index) out of 0..<\(count)")
        let n = height * width
        return GrayImage(width: width, height: height, pixels: Array(pixels[(index * n)..<((index + 1) * n)]))
    }

    /// A split made of the images at `indices` (in that order), with the same name.
    public func subset(_ indices: [Int]) -> Split {
        let n = height * width
        var out = [UInt8](repeating: 0, count: indices.count * n)
        for (k, i) in indices.enumerated() {
            precondition(i >= 0 && i < count, "Split \(name): subset index \(i) out of 0..<\(count)")
            out.replaceSubrange((k * n)..<((k + 1) * n), with: pixels[(i * n)..<((i + 1) * n)])
        }
        return Split(name: name, ids: indices.map { ids[$0] }, pixels: out, height: height, width: width,
                     labels: labels.map { l in indices.map { l[$0] } })
    }
}

/// The competition's dataset: train and val with labels, test without.
///
/// Layout under `root` (see STUDY-NOTES):
/// `train_images/<id>`, `val_images/<id>`, `test_images/<id>`, `train_labels.csv`,
/// `val_labels.csv` and `sample_submission.csv` (its rows give the test ids; its labels
/// are read and checked but not kept).
public struct Dataset: Sendable {
    public let train: Split
    public let val: Split
    public let test: Split
    public let root: URL
    /// 16 hex digits: FNV-1a 64 over every split's name, ids, labels and pixels (see
    /// `Dataset.fingerprint(of:)`); equal content gives an equal fingerprint in any process.
    public let fingerprint: String

    public init(train: Split, val: Split, test: Split, root: URL) {
        self.train = train
        self.val = val
        self.test = test
        self.root = root
        self.fingerprint = Dataset.fingerprint(of: [train, val, test])
    }

    /// Reads and checks the dataset under `root`. Reads only; never writes.
    ///
    /// Checks, each failure a `DataError` naming file, line or id: `root` is a folder
    /// (`missingFile` / `wrongKind`, named by `root.path`); the three CSVs are files and
    /// their headers, rows and labels are valid; ids are plain `.png` file names; each CSV's
    /// ids and its folder's `.png` entries are the same set without duplicates; every entry
    /// is a regular file (a folder or FIFO named `x.png` is `wrongKind`); every image is
    /// 64×64 by its PNG header, checked before decoding — or, with `resize`, at most
    /// `PNGCodec.maxSide` on each side and resampled to 64×64 (`resample(_:width:height:)`);
    /// every PNG decodes.
    ///
    /// A split may be empty (a header-only CSV): `report stats` describes such a dataset.
    /// What training needs on top is `validateForTraining(blackPolicy:)`.
    public static func load(from root: URL, resize: Bool = false) throws(DataError) -> Dataset {
        try checkRoot(root)
        let train = try loadSplit(root: root, name: "train", csv: "train_labels.csv", keepLabels: true, resize: resize)
        let val = try loadSplit(root: root, name: "val", csv: "val_labels.csv", keepLabels: true, resize: resize)
        let test = try loadSplit(root: root, name: "test", csv: "sample_submission.csv", keepLabels: false, resize: resize)
        return Dataset(train: train, val: val, test: test, root: root)
    }

    /// Throws unless `root` is an existing folder: `missingFile("<root>/")` ("folder not
    /// found") or `wrongKind(found: .file, expected: .folder)` ("is a file, not a folder"),
    /// both naming `root.path`. The first check of `load(from:resize:)`.
    public static func checkRoot(_ root: URL) throws(DataError) {
        try checkFolder(root, name: root.path)
    }

    /// Throws what makes this dataset unusable for training and scoring, so a run can
    /// refuse it before its first cell:
    /// - `emptySplit` if the train or the val split has no image (header-only CSV): nothing
    ///   to train on, or every score computed on nothing;
    /// - `noTrainingImages` if `blackPolicy` leaves no training image (`dropAll` when every
    ///   training image is entirely black; `keepAll` and `keepOne` keep at least one image
    ///   of a non-empty split).
    /// The test split may be empty.
    public func validateForTraining(blackPolicy: BlackPolicy = .keepOne) throws(DataError) {
        if train.count == 0 { throw .emptySplit(file: "train_labels.csv", split: "train") }
        if val.count == 0 { throw .emptySplit(file: "val_labels.csv", split: "val") }
        if blackPolicy == .dropAll && nonBlackCount(train) == 0 {
            throw .noTrainingImages(folder: "train_images", count: train.count, policy: blackPolicy.rawValue)
        }
    }

    static func loadSplit(root: URL, name: String, csv: String, keepLabels: Bool, resize: Bool) throws(DataError) -> Split {
        let table = try LabelCSV.parse(try readFileBytes(root.appendingPathComponent(csv), name: csv), file: csv)
        let folder = "\(name)_images"
        let files = try pngFiles(in: root.appendingPathComponent(folder), name: folder)
        try LabelCSV.checkSameSet(ids: table.ids, files: files, csv: csv, folder: folder)
        let pixels = try readImages(folderURL: root.appendingPathComponent(folder), folder: folder,
                                    ids: table.ids, size: studyImageSize, resize: resize)
        return Split(name: name, ids: table.ids, pixels: pixels, height: studyImageSize, width: studyImageSize,
                     labels: keepLabels ? table.labels : nil)
    }

    /// Names of the non-hidden `.png` files (case-insensitive suffix) in a folder.
    /// Entries that are not regular files are listed too; reading them is `wrongKind`.
    static func pngFiles(in url: URL, name: String) throws(DataError) -> [String] {
        try checkFolder(url, name: name)
        do {
            return try FileManager.default.contentsOfDirectory(atPath: url.path)
                .filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".png") }
        } catch {
            throw .unreadable(path: name + "/", reason: error.localizedDescription)
        }
    }

    /// Decodes `ids` from `folderURL` in parallel (contiguous chunks on
    /// `DispatchQueue.concurrentPerform`) into one NHW buffer of size×size images.
    /// Without `resize` an image whose header is not size×size is refused before decoding.
    /// The first failing image in id order decides the error, so errors are deterministic.
    static func readImages(folderURL: URL, folder: String, ids: [String], size: Int, resize: Bool) throws(DataError) -> [UInt8] {
        let n = ids.count
        guard n > 0 else { return [] }
        let plane = size * size
        var pixels = [UInt8](repeating: 0, count: n * plane)
        // One result per image: nil when it was read, else its error.
        var errors = [DataError?](repeating: nil, count: n)
        pixels.withUnsafeMutableBufferPointer { out in
            errors.withUnsafeMutableBufferPointer { errs in
                let out = SharedPointer(base: out.baseAddress!), errs = SharedPointer(base: errs.baseAddress!)
                parallelRanges(n) { range in
                    for i in range {
                        let file = "\(folder)/\(ids[i])"
                        do throws(DataError) {
                            let bytes = try readFileBytes(folderURL.appendingPathComponent(ids[i]), name: file)
                            var image = try PNGCodec.decode(bytes, name: file, expectedSize: resize ? nil : size)
                            if image.width != size || image.height != size {
                                image = resample(image, width: size, height: size)
                            }
                            for k in 0..<plane { out[i * plane + k] = image.pixels[k] }
                        } catch {
                            errs[i] = error
                            return
                        }
                    }
                }
            }
        }
        if let first = errors.first(where: { $0 != nil }) { throw first! }
        return pixels
    }

    // MARK: - Fingerprint

    /// FNV-1a 64 of a byte buffer (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    @inline(__always)
    static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Per-image FNV-1a 64 of the pixels of every image in `split`, computed in parallel.
    static func imageHashes(_ split: Split) -> [UInt64] {
        let plane = split.width * split.height
        guard split.count > 0 else { return [] }
        return split.pixels.withUnsafeBufferPointer { px in
            let shared = SharedConstPointer(base: px.baseAddress!)
            return parallelMap(split.count) { i in
                fnv1a(UnsafeBufferPointer(start: shared.base + i * plane, count: plane))
            }
        }
    }

    /// The dataset fingerprint: FNV-1a 64 over, for each split in order, its name, image
    /// count, H and W, then per image its id, its three labels (or 0xFF for none) and the
    /// 8 little-endian bytes of the image's own FNV-1a 64 pixel hash. Printed as 16 hex digits.
    public static func fingerprint(of splits: [Split]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { h = fnv1a($0, seed: h) } }
        func mix(_ value: UInt64) { mix((0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }) }
        for split in splits {
            mix(Array(split.name.utf8) + [0])
            mix(UInt64(split.count)); mix(UInt64(split.height)); mix(UInt64(split.width))
            let hashes = imageHashes(split)
            for i in 0..<split.count {
                mix(Array(split.ids[i].utf8) + [0])
                mix(split.labels?[i] ?? [0xFF])
                mix(hashes[i])
            }
        }
        return hex64(h)
    }
}

/// 16 lower-case hex digits.
func hex64(_ value: UInt64) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

// MARK: - Label CSVs

/// The label CSV format: header `id,label1,label2,label3`, then one row per image.
/// A UTF-8 BOM and CRLF line ends are accepted; blank lines are skipped; spaces around a
/// field are ignored; a line that is not valid UTF-8 is `notUTF8`. Line numbers in errors
/// count the header as line 1.
public enum LabelCSV {
    public static let header = "id,label1,label2,label3"

    public struct Table: Sendable, Equatable {
        public var ids: [String]
        public var labels: [[UInt8]]
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(DataError) -> Table {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var table = Table(ids: [], labels: [])
        var sawHeader = false
        var lineNumber = 0
        for rawLine in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            guard let text = String(validating: line, as: UTF8.self) else {
                throw .notUTF8(file: file, line: lineNumber, text: DataError.decodingEscaped(line))
            }
            if text.allSatisfy({ $0 == " " || $0 == "\t" }) {
                continue
            }
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if !sawHeader {
                guard fields.joined(separator: ",") == header else { throw .badHeader(file: file, found: text) }
                sawHeader = true
                continue
            }
            guard fields.count == 4 else { throw .badFieldCount(file: file, line: lineNumber, count: fields.count) }
            let id = fields[0]
            if let reason = idProblem(id) { throw .badID(file: file, line: lineNumber, id: id, reason: reason) }
            var row: [UInt8] = []
            for k in 1...3 {
                switch fields[k] {
                case "0": row.append(0)
                case "1": row.append(1)
                default: throw .badLabel(file: file, line: lineNumber, column: "label\(k)", value: fields[k])
                }
            }
            table.ids.append(id)
            table.labels.append(row)
        }
        guard sawHeader else { throw .emptyCSV(file: file) }
        return table
    }

    /// Reads and parses the label CSV at `url` (errors name it by its last path component).
    public static func read(_ url: URL) throws(DataError) -> Table {
        try parse(try readFileBytes(url, name: url.lastPathComponent), file: url.lastPathComponent)
    }

    /// The labels of `split`'s images, in split order, from a separate label file such as the
    /// generator's `answers/test_labels.csv` (`report run --test-labels FILE`). The file's
    /// ids and the split's ids must be the same set without duplicates (`idMismatch`
    /// otherwise, with the split's `<name>_images` as the folder).
    public static func labels(from url: URL, for split: Split) throws(DataError) -> [[UInt8]] {
        let table = try read(url)
        try checkSameSet(ids: table.ids, files: split.ids, csv: url.lastPathComponent, folder: "\(split.name)_images")
        var byID: [String: [UInt8]] = [:]
        for (id, row) in zip(table.ids, table.labels) { byID[id] = row }
        return split.ids.map { byID[$0]! }
    }

    /// Why `id` is not a plain `.png` file name, or nil if it is one.
    public static func idProblem(_ id: String) -> String? {
        if id.isEmpty { return "empty id" }
        if id.contains("/") || id.contains("\\") { return "an id is a plain file name, without a path separator" }
        if id.contains("..") { return "an id may not contain \"..\"" }
        if id.hasPrefix(".") { return "an id may not start with \".\"" }
        if !id.lowercased().hasSuffix(".png") { return "an id is a file name ending in .png" }
        return nil
    }

    /// Throws `idMismatch` unless `ids` (CSV order) and `files` are the same set and the
    /// CSV has no duplicate.
    static func checkSameSet(ids: [String], files: [String], csv: String, folder: String) throws(DataError) {
        let fileSet = Set(files)
        var seen = Set<String>(), dupSeen = Set<String>()
        var duplicates: [String] = [], missing: [String] = []
        for id in ids {
            if !seen.insert(id).inserted {
                if dupSeen.insert(id).inserted { duplicates.append(id) }
            } else if !fileSet.contains(id) {
                missing.append(id)
            }
        }
        let extra = files.filter { !seen.contains($0) }.sorted()
        guard missing.isEmpty && extra.isEmpty && duplicates.isEmpty else {
            throw .idMismatch(csv: csv, folder: folder,
                              missing: Array(missing.prefix(5)), missingCount: missing.count,
                              extra: Array(extra.prefix(5)), extraCount: extra.count,
                              duplicates: Array(duplicates.prefix(5)), duplicateCount: duplicates.count)
        }
    }

    /// The CSV text of a table: header, then `id,l1,l2,l3` rows, LF line ends.
    public static func render(_ table: Table) -> String {
        var out = header + "\n"
        for (id, l) in zip(table.ids, table.labels) { out += "\(id),\(l[0]),\(l[1]),\(l[2])\n" }
        return out
    }
}

// MARK: - Resampling

/// 1-D resampling weights from `source` samples to `target` samples: for shrinking, area
/// averaging (each output sample averages the input interval [j·s/t, (j+1)·s/t) with
/// fractional coverage weights); for enlarging, linear interpolation at the pixel-centre
/// position (j + 0.5)·s/t − 0.5, clamped to the edges.
func resampleWeights(source: Int, target: Int) -> [[(index: Int, weight: Float)]] {
    precondition(source > 0 && target > 0, "resampleWeights: sizes must be positive")
    let ratio = Double(source) / Double(target)
    return (0..<target).map { j in
        if source >= target {
            let lo = Double(j) * ratio, hi = Double(j + 1) * ratio
            var taps: [(index: Int, weight: Float)] = []
            var i = Int(lo.rounded(.down))
            while Double(i) < hi && i < source {
                let cover = min(hi, Double(i + 1)) - max(lo, Double(i))
                if cover > 1e-12 { taps.append((i, Float(cover / ratio))) }
                i += 1
            }
            return taps
        } else {
            let x = min(max((Double(j) + 0.5) * ratio - 0.5, 0), Double(source - 1))
            let i0 = Int(x.rounded(.down)), i1 = min(i0 + 1, source - 1)
            let f = Float(x - Double(i0))
            return i0 == i1 ? [(index: i0, weight: Float(1))] : [(index: i0, weight: 1 - f), (index: i1, weight: f)]
        }
    }
}

/// Separable resampling of a float plane (row-major H×W) to `width`×`height` with
/// `resampleWeights` on each axis (area average when shrinking, bilinear when enlarging).
func resamplePlane(_ plane: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
    let wx = resampleWeights(source: width, target: toWidth)
    let wy = resampleWeights(source: height, target: toHeight)
    var rows = [Float](repeating: 0, count: height * toWidth)
    for y in 0..<height {
        for (j, taps) in wx.enumerated() {
            var s: Float = 0
            for t in taps { s += t.weight * plane[y * width + t.index] }
            rows[y * toWidth + j] = s
        }
    }
    var out = [Float](repeating: 0, count: toHeight * toWidth)
    for (i, taps) in wy.enumerated() {
        for t in taps {
            let src = t.index * toWidth
            for x in 0..<toWidth { out[i * toWidth + x] += t.weight * rows[src + x] }
        }
    }
    return out
}

/// `image` resampled to `width`×`height` (area average when shrinking, bilinear when
/// enlarging; each axis on its own), rounded to the nearest integer.
public func resample(_ image: GrayImage, width: Int, height: Int) -> GrayImage {
    if image.width == width && image.height == height { return image }
    let out = resamplePlane(image.pixels.map(Float.init), width: image.width, height: image.height,
                            toWidth: width, toHeight: height)
    return GrayImage(width: width, height: height, pixels: out.map { UInt8(min(max($0.rounded(), 0), 255)) })
}

// MARK: - Benchmark

/// Timings of the data pipeline, for the README and the report.
public enum DataBenchmark {
    /// Wall-clock seconds of `Dataset.load(from: root)`.
    public static func readSeconds(root: URL) throws(DataError) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try Dataset.load(from: root)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Wall-clock seconds of `PhantomGenerator.write(to: dir, config: config)`.
    public static func generateSeconds(to dir: URL, config: PhantomConfig) throws(DataError) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try PhantomGenerator.write(to: dir, config: config)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Wall-clock seconds of `DatasetAnalysis.analyze(dataset)`.
    public static func analyzeSeconds(_ dataset: Dataset) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = DatasetAnalysis.analyze(dataset)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
