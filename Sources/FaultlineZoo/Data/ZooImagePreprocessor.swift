import FaultlineCore

/// Turns an image of any size into the model's input: `channels × size × size` floats,
/// channel-major (CHW), in [-1, 1].
///
/// Resampling is an area average (a box filter): each output pixel is the mean of the source
/// area it covers, partially covered source pixels weighted by the covered fraction. When
/// the size divides the source side this is the exact mean of whole blocks. Non-square images
/// are stretched to a square, as every image is at training and inference alike. Grey is
/// replicated to three channels, alpha is dropped. The arithmetic runs in a fixed order, so
/// the same image always gives the same floats.
public struct ZooImagePreprocessor: Sendable, Hashable {
    /// The output side in pixels.
    public let size: Int
    public static let channels = 3

    public init(size: Int) {
        precondition(size > 0, "the preprocessor's size must be positive, got \(size)")
        self.size = size
    }

    /// How many floats `process` returns.
    public var valueCount: Int { Self.channels * size * size }

    /// The image as CHW floats in [-1, 1] (byte 0 → -1, byte 255 → 1).
    public func process(_ image: RasterImage) -> [Float] {
        let rgb = image.rgb()
        let columns = Self.weights(source: rgb.width, target: size)
        let rows = Self.weights(source: rgb.height, target: size)
        // Horizontal pass: source rows × target columns, per channel.
        var horizontal = [Float](repeating: 0, count: rgb.height * size * 3)
        rgb.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<rgb.height {
                let rowStart = y * rgb.width * 3
                for (x, taps) in columns.enumerated() {
                    var sums: (Float, Float, Float) = (0, 0, 0)
                    for tap in taps {
                        let p = rowStart + tap.index * 3
                        sums.0 += Float(pixels[p]) * tap.weight
                        sums.1 += Float(pixels[p + 1]) * tap.weight
                        sums.2 += Float(pixels[p + 2]) * tap.weight
                    }
                    let o = (y * size + x) * 3
                    horizontal[o] = sums.0
                    horizontal[o + 1] = sums.1
                    horizontal[o + 2] = sums.2
                }
            }
        }
        var output = [Float](repeating: 0, count: valueCount)
        let plane = size * size
        for (y, taps) in rows.enumerated() {
            for x in 0..<size {
                var sums: (Float, Float, Float) = (0, 0, 0)
                for tap in taps {
                    let p = (tap.index * size + x) * 3
                    sums.0 += horizontal[p] * tap.weight
                    sums.1 += horizontal[p + 1] * tap.weight
                    sums.2 += horizontal[p + 2] * tap.weight
                }
                let o = y * size + x
                output[o] = sums.0 / 127.5 - 1
                output[plane + o] = sums.1 / 127.5 - 1
                output[2 * plane + o] = sums.2 / 127.5 - 1
            }
        }
        return output
    }

    struct Tap: Sendable, Hashable {
        var index: Int
        var weight: Float
    }

    /// For each target pixel, the source pixels it covers and their weights (summing to 1).
    ///
    /// Target pixel `t` covers source interval [t·s/n, (t+1)·s/n); the bounds are computed in
    /// integer units of 1/n source pixels so that exact divisions give exact weights.
    static func weights(source: Int, target: Int) -> [[Tap]] {
        (0..<target).map { t in
            // In units of 1/target of a source pixel.
            let start = t * source, end = (t + 1) * source
            var taps: [Tap] = []
            var index = start / target
            while index * target < end {
                let covered = min(end, (index + 1) * target) - max(start, index * target)
                if covered > 0 { taps.append(Tap(index: index, weight: Float(covered) / Float(source))) }
                index += 1
            }
            return taps
        }
    }
}
