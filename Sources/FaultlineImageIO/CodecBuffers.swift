import CImageCodecs
import FaultlineCore
import Foundation

/// Glue between Swift values and the C codecs' calling convention (status + out-buffers).
enum CodecBuffers {
    typealias Decoder = (
        UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
        UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<fl_codec_error>?
    ) -> Int32

    /// Runs a C decoder on `data` and copies its RGB output into a `RasterImage`.
    static func decodeRGB(_ data: Data, format: ImageCodecError.Format, using decoder: Decoder) throws(ImageCodecError)
        -> RasterImage
    {
        var report = fl_codec_error()
        var pixels: UnsafeMutablePointer<UInt8>? = nil
        var width: UInt32 = 0
        var height: UInt32 = 0
        let status = data.withUnsafeBytes { raw in
            decoder(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &pixels, &width, &height, &report)
        }
        defer { fl_codec_free(pixels) }
        guard status == Int32(FL_CODEC_OK.rawValue), let pixels else {
            throw ImageCodecError(format: format, operation: .decode, report: report)
        }
        let count = Int(width) * Int(height) * 3
        return RasterImage(
            width: Int(width), height: Int(height), channels: 3,
            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// Runs a C encoder and copies its output into `Data`.
    static func encode(
        format: ImageCodecError.Format,
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<fl_codec_error>) -> Int32
    ) throws(ImageCodecError) -> Data {
        var report = fl_codec_error()
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        let status = body(&output, &size, &report)
        defer { fl_codec_free(output) }
        guard status == Int32(FL_CODEC_OK.rawValue), let output else {
            throw ImageCodecError(format: format, operation: .encode, report: report)
        }
        return Data(bytes: output, count: size)
    }

    /// Rejects images the C encoders cannot take, before crossing into C.
    static func checkEncodable(_ image: RasterImage, format: ImageCodecError.Format, channels allowed: Set<Int>)
        throws(ImageCodecError)
    {
        guard allowed.contains(image.channels) else {
            throw ImageCodecError(
                format: format, operation: .encode, kind: .invalidArgument,
                message: "\(format.rawValue) encoding takes \(allowed.sorted().map(String.init).joined(separator: ", ")) channels, not \(image.channels)")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageCodecError(
                format: format, operation: .encode, kind: .invalidArgument,
                message: "cannot encode an empty image (\(image.width)x\(image.height))")
        }
        guard image.width <= Int(FL_CODEC_MAX_SIDE), image.height <= Int(FL_CODEC_MAX_SIDE) else {
            throw ImageCodecError(
                format: format, operation: .encode, kind: .tooLarge,
                message: "image is \(image.width)x\(image.height), larger than \(FL_CODEC_MAX_SIDE) per side")
        }
    }
}
