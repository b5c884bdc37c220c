/// An 8-bit image in memory, row-major, `channels` interleaved bytes per pixel
/// (1 = grey, 3 = RGB, 4 = RGBA).
public struct RasterImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel buffer does not match its size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A blank image filled with one value in every channel.
    public init(width: Int, height: Int, channels: Int, fill: UInt8) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: fill, count: width * height * channels))
    }

    /// The same image with three RGB channels (grey is replicated, alpha is dropped).
    public func rgb() -> RasterImage {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            switch channels {
            case 1:
                let v = pixels[i]
                out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v
            default:
                out[3 * i] = pixels[channels * i]
                out[3 * i + 1] = pixels[channels * i + 1]
                out[3 * i + 2] = pixels[channels * i + 2]
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: out)
    }
}
