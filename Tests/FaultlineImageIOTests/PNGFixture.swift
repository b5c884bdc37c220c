import Foundation
import Testing

/// Builds PNG files by hand (stored, uncompressed deflate) so that tests can feed the decoder
/// colour types and bit depths that `PNGCodec.encode` never writes.
enum PNGFixture {
    struct Chunk {
        var type: String
        var payload: [UInt8]
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A complete PNG: IHDR, optional extra chunks (PLTE, tRNS…), one IDAT, IEND.
    /// `rows` are the raw scanlines without filter bytes (for an interlaced image, the
    /// scanlines of the seven Adam7 passes in order).
    static func make(
        width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]], extra: [Chunk] = [],
        interlaced: Bool = false
    ) -> Data {
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [bitDepth, colorType, 0, 0, interlaced ? 1 : 0]
        var raw: [UInt8] = []
        for row in rows { raw.append(0); raw += row }
        var chunks = [Chunk(type: "IHDR", payload: header)]
        chunks += extra
        chunks.append(Chunk(type: "IDAT", payload: zlibStored(raw)))
        chunks.append(Chunk(type: "IEND", payload: []))
        var file = signature
        for chunk in chunks { file += encode(chunk) }
        return Data(file)
    }

    /// The chunk types of a PNG file, in order.
    static func chunkTypes(of data: Data) -> [String] {
        let bytes = [UInt8](data)
        var types: [String] = []
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            types.append(String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self))
            offset += 12 + length
        }
        return types
    }

    /// The byte offset of the payload of the first chunk of `type`.
    static func payloadOffset(of type: String, in data: Data) -> Int? {
        let bytes = [UInt8](data)
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self) == type { return offset + 8 }
            offset += 12 + length
        }
        return nil
    }

    private static func encode(_ chunk: Chunk) -> [UInt8] {
        let typeBytes = Array(chunk.type.utf8)
        return bigEndian(UInt32(chunk.payload.count)) + typeBytes + chunk.payload + bigEndian(crc32(typeBytes + chunk.payload))
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + bigEndian(b << 16 | a)
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}

private let standardErrorCaptureLock = NSLock()

/// Runs `body` with file descriptor 2 redirected to a pipe and returns what was written there.
/// (Only for small outputs: the pipe is drained after `body` returns.)
/// Captures are serialised by a lock because file descriptor 2 is process-wide.
func capturingStandardError<T>(_ body: () throws -> T) rethrows -> (result: T, stderr: String) {
    standardErrorCaptureLock.lock()
    defer { standardErrorCaptureLock.unlock() }
    fflush(nil)
    var ends: [Int32] = [0, 0]
    precondition(pipe(&ends) == 0, "pipe() failed")
    let saved = dup(2)
    dup2(ends[1], 2)
    close(ends[1])
    var restored = false
    func restore() {
        guard !restored else { return }
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        restored = true
    }
    defer {
        restore()
        close(ends[0])
    }
    let result = try body()
    restore()
    _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
    var captured: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(ends[0], &buffer, buffer.count)
        if n <= 0 { break }
        captured += buffer[0..<n]
    }
    return (result, String(decoding: captured, as: UTF8.self))
}

/// Checks that the codecs wrote nothing to standard error while the capture ran.
///
/// The test runner itself reports the progress of tests running in parallel on the same
/// stream, so the capture is searched for what libpng and libjpeg print by default (libpng
/// prefixes every line with "libpng"; libjpeg prints its message texts) rather than
/// required to be empty.
func expectNothingPrinted(_ captured: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let libraryOutput = [
        "libpng", "Premature end of JPEG file", "Not a JPEG file", "Corrupt JPEG data", "Invalid JPEG file structure",
        "Bogus marker",
    ]
    for needle in libraryOutput where captured.contains(needle) {
        Issue.record("standard error received \"\(needle)\": \(captured)", sourceLocation: sourceLocation)
    }
}
