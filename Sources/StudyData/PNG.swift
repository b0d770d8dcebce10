import CPNG
import Foundation

/// A single-channel 8-bit image, row-major: the pixel at column `x`, row `y` is
/// `pixels[y * width + x]`, 0 = black, 255 = white.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "GrayImage: size must be positive, got \(width)×\(height)")
        precondition(pixels.count == width * height,
                     "GrayImage: \(pixels.count) pixels for a \(width)×\(height) image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of one constant value.
    public init(width: Int, height: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }

    @inline(__always) public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }
}

/// PNG reading and writing through libpng's simplified API (`png_image`), which reports
/// errors through `png_image.message` instead of `longjmp`. This is the only file in the
/// project that imports CPNG.
///
/// Reading: whatever the PNG holds — 1/2/4/8/16-bit gray, gray+alpha, RGB, RGBA, palette,
/// with or without tRNS — becomes one 8-bit gray channel:
/// - libpng expands low bit depths and palettes and reduces 16 to 8 bits
///   (v16 → round(v16 / 257): 16-bit data is taken as sRGB-encoded, `PNG_IMAGE_FLAG_16BIT_sRGB`);
/// - colour becomes gray with libpng's own conversion (`png_set_rgb_to_gray` with the
///   sRGB/Rec. 709 weights 0.2126 R + 0.7152 G + 0.0722 B, applied in linear light), so an
///   RGB pixel with R = G = B = v stays v;
/// - gAMA, sRGB, iCCP and cHRM chunks are ignored (removed before libpng sees the file), so
///   the stored sample values are read as they are, as OpenCV reads them;
/// - an alpha channel is dropped (the colour values are kept as stored, not composited).
///
/// Reading is bounded before anything is decoded (no decompression bomb gets through):
/// - the signature and the IHDR chunk (its CRC checked) are parsed here first, and a
///   declared size other than the expected one (`wrongImageSize`), or with a side above
///   `maxSide` (`imageTooLarge`), is refused before libpng is called;
/// - libpng is given only a well-formed chunk sequence of the critical chunks (IHDR, PLTE,
///   IDAT, IEND, and any unknown critical chunk, which it refuses) and tRNS; every other
///   ancillary chunk — compressed text (zTXt, iTXt), iCCP, sPLT, eXIf, unknown ones — is
///   removed, so libpng never inflates or stores an ancillary chunk. (The simplified API
///   does not expose the `png_struct` for `png_set_user_limits` /
///   `png_set_chunk_malloc_max`, and `png_image_begin_read_*` parses every chunk before
///   IDAT, so the bound has to come before libpng sees the bytes.)
/// - IDAT data is inflated row by row into the output buffer, whose size comes from the
///   header's width × height; data past the last row is never stored. What decoding
///   allocates is therefore O(width × height) with both sides ≤ `maxSide`, plus the file
///   itself (≤ `maxDataFileBytes`).
///
/// Writing: 8-bit gray, non-interlaced.
public enum PNGCodec {
    /// The largest side a PNG may declare to be decoded at all: 4096 (a 4096×4096 image
    /// decodes into at most 32 MiB). Larger headers are `DataError.imageTooLarge`.
    public static let maxSide = 4096

    /// The fields of a PNG's IHDR chunk.
    public struct Header: Sendable, Equatable {
        public let width: Int
        public let height: Int
        public let bitDepth: Int
        public let colorType: Int
        public let interlaced: Bool
    }

    /// Reads and decodes the PNG file at `url`; errors name the file by its last path
    /// component. `expectedSize` as in `decode`.
    public static func read(_ url: URL, expectedSize: Int? = nil) throws(DataError) -> GrayImage {
        let bytes = try readFileBytes(url, name: url.lastPathComponent)
        return try decode(bytes, name: url.lastPathComponent, expectedSize: expectedSize)
    }

    /// Decodes PNG bytes; `name` is used in error messages.
    ///
    /// The header is checked before any decoding: with `expectedSize` n, anything but n×n is
    /// `wrongImageSize`; without, a side above `maxSide` is `imageTooLarge`.
    public static func decode(_ bytes: [UInt8], name: String, expectedSize: Int? = nil) throws(DataError) -> GrayImage {
        let header = try header(bytes, name: name)
        if let n = expectedSize, header.width != n || header.height != n {
            throw .wrongImageSize(file: name, width: header.width, height: header.height, expected: n)
        }
        guard header.width <= maxSide, header.height <= maxSide else {
            throw .imageTooLarge(file: name, width: header.width, height: header.height, maxSide: maxSide)
        }
        let bytes = try decodableChunks(bytes, name: name)
        // libpng reads from the memory until png_image_finish_read returns, so both calls
        // happen inside one withUnsafeBytes.
        let result = bytes.withUnsafeBytes { raw in decodeMemory(raw, name: name, header: header) }
        return try result.get()
    }

    /// The PNG signature.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Parses the 8-byte signature and the IHDR chunk that must follow it (length 13, CRC
    /// checked), without decoding anything. Width and height must be 1…2³¹−1 (the PNG
    /// specification's range); other fields are left for libpng to check.
    public static func header(_ bytes: [UInt8], name: String) throws(DataError) -> Header {
        guard bytes.count >= 8, bytes.starts(with: signature) else {
            throw .corruptPNG(file: name, reason: bytes.isEmpty ? "empty file" : "no PNG signature")
        }
        guard bytes.count >= 8 + 8 + 13 + 4 else {
            throw .corruptPNG(file: name, reason: "file ends before the IHDR chunk is complete")
        }
        guard be32(bytes, 8) == 13, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw .corruptPNG(file: name, reason: "the first chunk is not a 13-byte IHDR")
        }
        guard crc32(bytes[12..<29]) == UInt32(be32(bytes, 29)) else {
            throw .corruptPNG(file: name, reason: "IHDR CRC error")
        }
        let width = be32(bytes, 16), height = be32(bytes, 20)
        guard (1...0x7FFF_FFFF).contains(width), (1...0x7FFF_FFFF).contains(height) else {
            throw .corruptPNG(file: name, reason: "IHDR declares \(width)×\(height); each side must be 1 to 2147483647")
        }
        return Header(width: width, height: height, bitDepth: Int(bytes[24]), colorType: Int(bytes[25]),
                      interlaced: bytes[28] != 0)
    }

    private static func decodeMemory(_ raw: UnsafeRawBufferPointer, name: String, header: Header) -> Result<GrayImage, DataError> {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            return .failure(.corruptPNG(file: name, reason: message))
        }
        let width = Int(image.width), height = Int(image.height)
        let hasAlpha = (image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA)) != 0
        let channels = hasAlpha ? 2 : 1
        image.format = hasAlpha ? png_uint_32(PNG_FORMAT_FLAG_ALPHA) : png_uint_32(PNG_FORMAT_GRAY)
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
        // libpng read the same IHDR as `header`; the bound was checked on that one.
        guard width == header.width, height == header.height else {
            png_image_free(&image)
            return .failure(.corruptPNG(file: name, reason: "libpng reads \(width)×\(height), the header says \(header.width)×\(header.height)"))
        }
        var buffer = [UInt8](repeating: 0, count: width * height * channels)
        let finished = buffer.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, png_int_32(width * channels), nil)
        }
        guard finished != 0 else {
            let message = libpngMessage(&image)
            png_image_free(&image)
            return .failure(.corruptPNG(file: name, reason: message))
        }
        png_image_free(&image)
        if hasAlpha {
            var gray = [UInt8](repeating: 0, count: width * height)
            for i in 0..<(width * height) { gray[i] = buffer[2 * i] }
            buffer = gray
        }
        return .success(GrayImage(width: width, height: height, pixels: buffer))
    }

    /// Encodes an image as an 8-bit gray PNG. `fast` trades size for speed
    /// (`PNG_IMAGE_FLAG_FAST`: a cheaper filter choice and zlib effort).
    public static func encode(_ image: GrayImage, fast: Bool = false) throws(DataError) -> [UInt8] {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        png.format = png_uint_32(PNG_FORMAT_GRAY)
        if fast { png.flags |= png_uint_32(PNG_IMAGE_FLAG_FAST) }
        var size: png_alloc_size_t = 0
        // First call: ask for the size; second: write into a buffer of that size.
        let sized = image.pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&png, nil, &size, 0, raw.baseAddress, png_int_32(image.width), nil)
        }
        guard sized != 0 else {
            let message = libpngMessage(&png)
            png_image_free(&png)
            throw .writeFailed(path: "(PNG encoder)", reason: message)
        }
        var out = [UInt8](repeating: 0, count: Int(size))
        let written = out.withUnsafeMutableBytes { dst in
            image.pixels.withUnsafeBytes { src in
                png_image_write_to_memory(&png, dst.baseAddress, &size, 0, src.baseAddress,
                                          png_int_32(image.width), nil)
            }
        }
        guard written != 0 else {
            let message = libpngMessage(&png)
            png_image_free(&png)
            throw .writeFailed(path: "(PNG encoder)", reason: message)
        }
        png_image_free(&png)
        out.removeSubrange(Int(size)...)
        return out
    }

    /// Encodes and writes `image` to `url` atomically (temporary file, then rename).
    public static func write(_ image: GrayImage, to url: URL) throws(DataError) {
        let bytes = try encode(image)
        try writeFileBytes(bytes, to: url)
    }

    /// The chunks libpng is given: the signature, then every critical chunk (IHDR, PLTE,
    /// IDAT, IEND, unknown critical ones) and tRNS, in file order, up to and including IEND;
    /// every other ancillary chunk is dropped. That removes gAMA, sRGB, iCCP and cHRM —
    /// libpng's simplified API would otherwise convert stored values to sRGB encoding (a gray
    /// file with gAMA 1.0 would read 64 as 136), and the study, like OpenCV, reads the stored
    /// sample values — and every chunk libpng would inflate or keep (zTXt, iTXt, sPLT, eXIf,
    /// …). A chunk whose declared length runs past the end of the file is `corruptPNG`
    /// naming the chunk; bytes after IEND are ignored. Expects `header(_:name:)` to have
    /// passed.
    static func decodableChunks(_ bytes: [UInt8], name: String) throws(DataError) -> [UInt8] {
        var out = signature
        out.reserveCapacity(bytes.count)
        var i = 8
        while i < bytes.count {
            guard i + 12 <= bytes.count else {
                throw .corruptPNG(file: name, reason: "file ends inside a chunk header at byte \(i) (truncated?)")
            }
            let length = be32(bytes, i)
            let type = bytes[(i + 4)..<(i + 8)]
            let typeName = DataError.printable(bytes: type, limit: 16)
            guard length <= 0x7FFF_FFFF, length <= bytes.count - i - 12 else {
                throw .corruptPNG(file: name, reason: "chunk \(typeName) at byte \(i) declares \(length) bytes, past the end of the file (truncated?)")
            }
            let end = i + 12 + length
            let critical = bytes[i + 4] & 0x20 == 0   // bit 5 of the first letter: 0 = upper case = critical
            if critical || type.elementsEqual("tRNS".utf8) { out += bytes[i..<end] }
            if type.elementsEqual("IEND".utf8) { break }
            i = end
        }
        return out
    }

    /// The big-endian 32-bit value at `bytes[i..<i+4]`, as an Int (0…2³²−1).
    private static func be32(_ bytes: [UInt8], _ i: Int) -> Int {
        Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
    }

    /// CRC-32 as PNG uses it (polynomial 0xEDB88320, reflected, initial and final XOR ~0).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    private static func libpngMessage(_ image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng failed without a message" : text
    }
}

// MARK: - File helpers shared by the target

/// The largest file the reader reads, PNG or CSV: 256 MiB. Larger files are
/// `DataError.fileTooLarge` before anything is read.
public let maxDataFileBytes = 256 << 20

/// What the mode bits of a `stat` say a path is.
func fileKind(mode: mode_t) -> FileKind {
    switch mode & mode_t(S_IFMT) {
    case mode_t(S_IFREG): return .file
    case mode_t(S_IFDIR): return .folder
    case mode_t(S_IFIFO): return .fifo
    case mode_t(S_IFCHR): return .characterDevice
    case mode_t(S_IFBLK): return .blockDevice
    case mode_t(S_IFSOCK): return .socket
    default: return .other
    }
}

/// The kind of what `url` names (symbolic links followed; `.brokenLink` for a link to
/// nothing), or nil if nothing is there. Any other `stat` failure (permission, a loop of
/// links) is `unreadable` naming `name`.
func existingKind(_ url: URL, name: String) throws(DataError) -> FileKind? {
    var st = stat()
    guard stat(url.path, &st) == 0 else {
        let code = errno
        if code == ENOENT || code == ENOTDIR {
            return lstat(url.path, &st) == 0 && st.st_mode & mode_t(S_IFMT) == mode_t(S_IFLNK) ? .brokenLink : nil
        }
        throw .unreadable(path: name, reason: String(cString: strerror(code)))
    }
    return fileKind(mode: st.st_mode)
}

/// Throws unless `url` is an existing folder: `missingFile("name/")` if nothing is there,
/// `wrongKind` if it is a file (or a pipe, a device, …).
func checkFolder(_ url: URL, name: String) throws(DataError) {
    switch try existingKind(url, name: name) {
    case nil: throw .missingFile(path: name.hasSuffix("/") ? name : name + "/")
    case .folder?: return
    case let kind?: throw .wrongKind(path: name, found: kind, expected: .folder)
    }
}

/// The whole file as bytes; errors name `name`: `missingFile` if nothing is there,
/// `wrongKind` for a folder, named pipe, device or socket (checked before opening, and
/// again on the opened descriptor, which is opened non-blocking so a FIFO cannot hang the
/// reader), `fileTooLarge` above `limit` bytes, `unreadable` for any other failure.
func readFileBytes(_ url: URL, name: String, limit: Int = maxDataFileBytes) throws(DataError) -> [UInt8] {
    switch try existingKind(url, name: name) {
    case nil: throw .missingFile(path: name)
    case .file?: break
    case let kind?: throw .wrongKind(path: name, found: kind, expected: .file)
    }
    let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
        let code = errno
        if code == ENOENT || code == ENOTDIR { throw .missingFile(path: name) }
        throw .unreadable(path: name, reason: String(cString: strerror(code)))
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw .unreadable(path: name, reason: String(cString: strerror(errno))) }
    let kind = fileKind(mode: st.st_mode)
    // The path may have been replaced since stat: decide on what was opened.
    guard kind == .file else { throw .wrongKind(path: name, found: kind, expected: .file) }
    let size = Int(st.st_size)
    guard size <= limit else { throw .fileTooLarge(path: name, bytes: size, limit: limit) }
    // Read to end of file (it may have changed size since fstat), never past limit + 1.
    var bytes = [UInt8](repeating: 0, count: size + 1)
    var count = 0
    while true {
        if count == bytes.count {
            guard bytes.count <= limit else { throw .fileTooLarge(path: name, bytes: count, limit: limit) }
            bytes += [UInt8](repeating: 0, count: min(max(bytes.count, 4096), limit + 1 - bytes.count))
        }
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
        if n == 0 { break }
        if n < 0 {
            if errno == EINTR { continue }
            throw .unreadable(path: name, reason: String(cString: strerror(errno)))
        }
        count += n
    }
    bytes.removeSubrange(count...)
    return bytes
}

/// Creates (or truncates) the file at `url` and writes `bytes` with plain POSIX calls — no
/// temporary file; for files inside a folder that is itself renamed into place afterwards.
func writeNewFile(_ bytes: [UInt8], to url: URL) throws(DataError) {
    let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw .writeFailed(path: url.path, reason: String(cString: strerror(errno))) }
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if n < 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .writeFailed(path: url.path, reason: reason)
        }
        offset += n
    }
    guard close(fd) == 0 else { throw .writeFailed(path: url.path, reason: String(cString: strerror(errno))) }
}

/// Writes bytes atomically (a temporary file in the same folder, then rename).
func writeFileBytes(_ bytes: [UInt8], to url: URL) throws(DataError) {
    do {
        try Data(bytes).write(to: url, options: .atomic)
    } catch {
        throw .writeFailed(path: url.path, reason: "\(error.localizedDescription)")
    }
}

/// The libpng version linked at run time.
public func libpngVersion() -> String { String(cString: png_get_libpng_ver(nil)) }
