import FaultlineCore
import Foundation

/// Pixel-level degradations applied after rasterising, written here (not in Cairo) so that
/// their output depends only on the input bytes and the seed.
enum ImageEffects {
    /// A separable Gaussian blur with standard deviation `sigma` pixels; edges are clamped.
    static func gaussianBlur(_ image: RasterImage, sigma: Double) -> RasterImage {
        guard sigma > 0, image.width > 0, image.height > 0 else { return image }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        for i in kernel.indices { kernel[i] /= total }

        let width = image.width, height = image.height, channels = image.channels
        let rowLength = width * channels
        var horizontal = [Float](repeating: 0, count: height * rowLength)
        var padded = [Float](repeating: 0, count: (width + 2 * radius) * channels)

        image.pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { target in
                padded.withUnsafeMutableBufferPointer { padded in
                    for y in 0..<height {
                        let row = y * rowLength
                        // The row with `radius` copies of its edge pixels on each side.
                        for x in 0..<(width + 2 * radius) {
                            let sourceX = min(max(x - radius, 0), width - 1)
                            for c in 0..<channels { padded[x * channels + c] = Float(source[row + sourceX * channels + c]) }
                        }
                        for (tap, weight) in kernel.enumerated() {
                            let offset = tap * channels
                            for i in 0..<rowLength { target[row + i] += weight * padded[offset + i] }
                        }
                    }
                }
            }
        }

        var output = [UInt8](repeating: 0, count: height * rowLength)
        var accumulator = [Float](repeating: 0, count: rowLength)
        horizontal.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                accumulator.withUnsafeMutableBufferPointer { accumulator in
                    for y in 0..<height {
                        for i in 0..<rowLength { accumulator[i] = 0 }
                        for (tap, weight) in kernel.enumerated() {
                            let sourceRow = min(max(y + tap - radius, 0), height - 1) * rowLength
                            for i in 0..<rowLength { accumulator[i] += weight * source[sourceRow + i] }
                        }
                        let row = y * rowLength
                        for i in 0..<rowLength { target[row + i] = clampToByte(accumulator[i]) }
                    }
                }
            }
        }
        return RasterImage(width: width, height: height, channels: channels, pixels: output)
    }

    /// Adds zero-mean Gaussian noise with standard deviation `sigma` grey levels to every
    /// channel of every pixel independently.
    static func addGaussianNoise(_ image: RasterImage, sigma: Double, generator: inout SeededGenerator) -> RasterImage {
        guard sigma > 0 else { return image }
        let scale = Float(sigma)
        var pixels = image.pixels
        let table = standardNormalQuantiles
        pixels.withUnsafeMutableBufferPointer { pixels in
            table.withUnsafeBufferPointer { table in
                var bits: UInt64 = 0
                var remaining = 0
                for i in 0..<pixels.count {
                    if remaining == 0 {
                        bits = generator.next()
                        remaining = 5
                    }
                    let index = Int(bits & UInt64(quantileCount - 1))
                    bits >>= 12
                    remaining -= 1
                    pixels[i] = clampToByte(Float(pixels[i]) + scale * table[index])
                }
            }
        }
        return RasterImage(width: image.width, height: image.height, channels: image.channels, pixels: pixels)
    }

    /// The number of entries of the noise table; a power of two so 12 random bits pick one.
    static let quantileCount = 4096

    /// Standard normal quantiles at (i + 0.5) / 4096, so a uniformly random index gives a
    /// Gaussian sample. A table is about fifty times faster than Box–Muller per sample, and
    /// cutting the tails at ±3.7σ does not matter for image noise.
    static let standardNormalQuantiles: [Float] = (0..<quantileCount).map { i in
        let p = (Double(i) + 0.5) / Double(quantileCount)
        // Bisection on the normal CDF, Φ(z) = erfc(-z / √2) / 2.
        var low = -10.0, high = 10.0
        for _ in 0..<80 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < p { low = middle } else { high = middle }
        }
        return Float((low + high) / 2)
    }

    @inline(__always) static func clampToByte(_ value: Float) -> UInt8 {
        UInt8(min(255, max(0, value.rounded())))
    }
}
