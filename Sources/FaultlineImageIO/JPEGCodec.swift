import CImageCodecs
import FaultlineCore
import Foundation

/// JPEG encoding and decoding through libjpeg, mainly to give images real compression artefacts.
public enum JPEGCodec {
    /// The qualities libjpeg accepts.
    public static let qualityRange: ClosedRange<Int> = 1...100

    /// Encodes a grey, RGB or RGBA image (alpha is dropped) as a baseline JPEG.
    ///
    /// Deterministic: standard tables scaled to `quality`, 4:2:0 chroma, exact integer DCT.
    public static func encode(_ image: RasterImage, quality: Int) throws(ImageCodecError) -> Data {
        try checkQuality(quality, operation: .encode)
        try CodecBuffers.checkEncodable(image, format: .jpeg, channels: [1, 3, 4])
        let source = image.channels == 4 ? image.rgb() : image
        return try source.pixels.withUnsafeBufferPointer { pixels throws(ImageCodecError) in
            try CodecBuffers.encode(format: .jpeg) { output, size, report in
                fl_jpeg_encode(
                    pixels.baseAddress, UInt32(source.width), UInt32(source.height), UInt32(source.channels),
                    Int32(quality), output, size, report)
            }
        }
    }

    /// Decodes a JPEG into an 8-bit RGB image. Damaged or truncated data is an error, not a
    /// partly grey image.
    public static func decode(_ data: Data) throws(ImageCodecError) -> RasterImage {
        try CodecBuffers.decodeRGB(data, format: .jpeg, using: fl_jpeg_decode_rgb)
    }

    /// Encodes at `quality` and decodes again, returning the image with JPEG artefacts (RGB).
    public static func roundTrip(_ image: RasterImage, quality: Int) throws(ImageCodecError) -> RasterImage {
        try decode(encode(image, quality: quality))
    }

    private static func checkQuality(_ quality: Int, operation: ImageCodecError.Operation) throws(ImageCodecError) {
        guard qualityRange.contains(quality) else {
            throw ImageCodecError(
                format: .jpeg, operation: operation, kind: .invalidArgument,
                message: "JPEG quality \(quality) is outside \(qualityRange.lowerBound)...\(qualityRange.upperBound)")
        }
    }
}
