import CImageCodecs
import FaultlineCore
import Foundation

/// PNG decoding and deterministic encoding, through libpng.
public enum PNGCodec {
    /// Decodes any PNG (grey, grey+alpha, RGB, RGBA, palette, 1–16 bits, interlaced or not)
    /// into an 8-bit RGB image; transparency is composited over white.
    ///
    /// - Throws: `ImageCodecError` saying what is wrong, e.g. a bad signature, the byte where
    ///   truncated data ends, or libpng's message for a damaged file.
    public static func decode(_ data: Data) throws(ImageCodecError) -> RasterImage {
        try CodecBuffers.decodeRGB(data, format: .png, using: fl_png_decode_rgb)
    }

    /// Encodes a 1-, 2-, 3- or 4-channel 8-bit image as PNG.
    ///
    /// The same pixels always give the same bytes: the zlib level, the row filter and the
    /// chunk set are fixed and no time stamp is written.
    public static func encode(_ image: RasterImage) throws(ImageCodecError) -> Data {
        try CodecBuffers.checkEncodable(image, format: .png, channels: [1, 2, 3, 4])
        return try image.pixels.withUnsafeBufferPointer { pixels throws(ImageCodecError) in
            try CodecBuffers.encode(format: .png) { output, size, report in
                fl_png_encode(
                    pixels.baseAddress, UInt32(image.width), UInt32(image.height), UInt32(image.channels),
                    output, size, report)
            }
        }
    }
}
