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
/// Writing: 8-bit gray, non-interlaced.
public enum PNGCodec {
    /// Reads and decodes the PNG file at `url`; errors name the file by its last path
    /// component.
    public static func read(_ url: URL) throws(DataError) -> GrayImage {
        let bytes = try readFileBytes(url, name: url.lastPathComponent)
        return try decode(bytes, name: url.lastPathComponent)
    }

    /// Decodes PNG bytes; `name` is used in error messages.
    public static func decode(_ bytes: [UInt8], name: String) throws(DataError) -> GrayImage {
        let bytes = withoutColorManagement(bytes)
        // libpng reads from the memory until png_image_finish_read returns, so both calls
        // happen inside one withUnsafeBytes.
        let result = bytes.withUnsafeBytes { raw in decodeMemory(raw, name: name) }
        return try result.get()
    }

    private static func decodeMemory(_ raw: UnsafeRawBufferPointer, name: String) -> Result<GrayImage, DataError> {
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
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else {
            png_image_free(&image)
            return .failure(.corruptPNG(file: name, reason: "implausible size \(width)×\(height)"))
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

    /// The PNG without its gAMA, sRGB, iCCP and cHRM chunks. libpng's simplified API would
    /// otherwise convert stored values to sRGB encoding (a gray file with gAMA 1.0 would read
    /// 64 as 136); the study, like OpenCV, reads the stored sample values. Bytes that are not a
    /// well-formed chunk sequence are passed on unchanged for libpng to report.
    static func withoutColorManagement(_ bytes: [UInt8]) -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count > 8, bytes.starts(with: signature) else { return bytes }
        let dropped: Set<String> = ["gAMA", "sRGB", "iCCP", "cHRM"]
        var ranges: [Range<Int>] = []   // chunks to drop
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            let end = i + 12 + length
            guard length >= 0, end <= bytes.count else { break }
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            if dropped.contains(type) { ranges.append(i..<end) }
            if type == "IEND" || type == "IDAT" { break }   // colour chunks precede IDAT
            i = end
        }
        guard !ranges.isEmpty else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var from = 0
        for r in ranges { out += bytes[from..<r.lowerBound]; from = r.upperBound }
        out += bytes[from...]
        return out
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

/// The whole file as bytes; a missing or unreadable file is a `DataError` naming `name`.
func readFileBytes(_ url: URL, name: String) throws(DataError) -> [UInt8] {
    do {
        let data = try Data(contentsOf: url)
        return [UInt8](data)
    } catch {
        if !FileManager.default.fileExists(atPath: url.path) { throw .missingFile(path: name) }
        throw .unreadable(path: name, reason: "\(error.localizedDescription)")
    }
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
