import FaultlineCore
import FaultlineImageIO
import Foundation

/// An image as a probe stores it: PNG bytes and their content reference.
struct StoredImage: Sendable {
    var png: Data
    var reference: ImageRef
}

/// Turns the encoded images found in data sets into decoded pixels and stored PNGs.
enum ImageLoading {
    /// Why bytes are not an image this importer reads.
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes PNG or JPEG bytes (told apart by their signature) into RGB pixels.
    static func decode(_ data: Data) throws(Unreadable) -> RasterImage {
        let head = [UInt8](data.prefix(12))
        do {
            if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try PNGCodec.decode(data) }
            if head.starts(with: [0xFF, 0xD8, 0xFF]) { return try JPEGCodec.decode(data) }
        } catch {
            throw Unreadable(description: error.description)
        }
        throw Unreadable(description: "\(formatName(head)); convert it to PNG or JPEG")
    }

    /// Decodes and re-encodes as PNG, the form the probe store keeps.
    static func stored(_ data: Data) throws(Unreadable) -> StoredImage {
        let image = try decode(data)
        let png: Data
        do {
            png = try PNGCodec.encode(image)
        } catch {
            throw Unreadable(description: error.description)
        }
        return StoredImage(
            png: png, reference: ImageRef(sha256: SHA256.hex(of: png), width: image.width, height: image.height))
    }

    /// Names what the bytes look like, for the error message.
    private static func formatName(_ head: [UInt8]) -> String {
        if head.isEmpty { return "the image is empty" }
        if head.starts(with: Array("GIF8".utf8)) { return "the image is a GIF, which is not supported" }
        if head.starts(with: Array("RIFF".utf8)), head.count >= 12, Array(head[8..<12]) == Array("WEBP".utf8) {
            return "the image is a WebP, which is not supported"
        }
        if head.starts(with: Array("BM".utf8)) { return "the image is a BMP, which is not supported" }
        let hex = head.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
        return "the bytes are not a PNG or JPEG image (they start with \(hex))"
    }
}
