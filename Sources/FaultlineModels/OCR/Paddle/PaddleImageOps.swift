import FaultlineCore
import Foundation

/// The image operations of PaddleOCR's pre-processing, written to sample the way OpenCV does
/// (which the models were trained and evaluated with, and which RapidOCR calls): pixel centres
/// at half-integers when resizing, at integers when warping, edge pixels replicated.
///
/// All functions take and return 3-channel images; channel order is left as it is.
enum PaddleImageOps {
    /// Resizes with bilinear interpolation, computed as OpenCV's `INTER_LINEAR` computes it for
    /// 8-bit images: 11-bit fixed-point weights, a horizontal then a vertical pass, and the
    /// rounding of its vectorised vertical pass. Matching it bit for bit keeps the detector's
    /// input, and so its boxes, the same as in PaddleOCR.
    static func resizeBilinear(_ image: RasterImage, width: Int, height: Int) -> RasterImage {
        precondition(image.channels == 3 && width > 0 && height > 0, "resize needs a 3-channel image and a positive size")
        if width == image.width && height == image.height { return image }
        let xTaps = bilinearTaps(source: image.width, destination: width, clampWeights: true)
        let yTaps = bilinearTaps(source: image.height, destination: height, clampWeights: false)
        let rowValues = width * 3
        var output = [UInt8](repeating: 0, count: width * height * 3)
        // Horizontally resized source rows, cached because neighbouring output rows share them.
        var upper = [Int32](repeating: 0, count: rowValues)
        var lower = [Int32](repeating: 0, count: rowValues)
        var upperRow = -1, lowerRow = -1
        image.pixels.withUnsafeBufferPointer { source in
            func horizontal(_ row: Int, into buffer: inout [Int32]) {
                let base = row * image.width * 3
                for x in 0..<width {
                    let tap = xTaps[x]
                    for channel in 0..<3 {
                        buffer[x * 3 + channel] =
                            Int32(source[base + tap.first * 3 + channel]) * tap.firstWeight
                            + Int32(source[base + tap.second * 3 + channel]) * tap.secondWeight
                    }
                }
            }
            for y in 0..<height {
                let tap = yTaps[y]
                if upperRow != tap.first {
                    if lowerRow == tap.first {
                        swap(&upper, &lower)
                        swap(&upperRow, &lowerRow)
                    } else {
                        horizontal(tap.first, into: &upper)
                        upperRow = tap.first
                    }
                }
                if lowerRow != tap.second {
                    horizontal(tap.second, into: &lower)
                    lowerRow = tap.second
                }
                let outBase = y * rowValues
                for index in 0..<rowValues {
                    let sum =
                        (((upper[index] >> 4) * tap.firstWeight) >> 16) + (((lower[index] >> 4) * tap.secondWeight) >> 16)
                    output[outBase + index] = UInt8(clamping: (sum + 2) >> 2)
                }
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: output)
    }

    /// Two source indices and their weights in 1/2048ths.
    private struct BilinearTap {
        var first: Int
        var second: Int
        var firstWeight: Int32
        var secondWeight: Int32
    }

    /// For each destination index, the taps OpenCV uses: sample at `(i + 0.5) × scale − 0.5`,
    /// weights rounded half to even. Past an edge, columns move the sample onto the edge pixel
    /// (weight 0 for the second tap) while rows keep their weights on two copies of the edge
    /// row; both give the edge value, but the fixed-point rounding differs, so both are kept.
    private static func bilinearTaps(source: Int, destination: Int, clampWeights: Bool) -> [BilinearTap] {
        let scale = 1 / (Double(destination) / Double(source))
        return (0..<destination).map { index in
            var position = Float((Double(index) + 0.5) * scale - 0.5)
            var lower = Int(position.rounded(.down))
            position -= Float(lower)
            if clampWeights {
                if lower < 0 {
                    lower = 0
                    position = 0
                }
                if lower >= source - 1 {
                    lower = source - 1
                    position = 0
                }
            }
            return BilinearTap(
                first: min(max(lower, 0), source - 1), second: min(max(lower + 1, 0), source - 1),
                firstWeight: Int32(((1 - position) * 2048).rounded(.toNearestOrEven)),
                secondWeight: Int32((position * 2048).rounded(.toNearestOrEven)))
        }
    }

    /// Samples `image` at `inverse × (x, y, 1)` for every pixel of a `width`×`height` output
    /// with bicubic interpolation and edge pixels replicated (OpenCV's `warpPerspective` with
    /// `INTER_CUBIC` and `BORDER_REPLICATE`). Sample positions are used exactly, as OpenCV 5
    /// does; OpenCV 4 rounded them to 1/32 pixel first.
    static func warpPerspectiveBicubic(
        _ image: RasterImage, inverse m: [Double], width: Int, height: Int
    ) -> RasterImage {
        precondition(image.channels == 3 && m.count == 9, "warp needs a 3-channel image and a 3×3 matrix")
        var output = [UInt8](repeating: 0, count: max(width * height * 3, 0))
        let maxX = image.width - 1
        let maxY = image.height - 1
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                for y in 0..<height {
                    for x in 0..<width {
                        let (dx, dy) = (Double(x), Double(y))
                        let w = m[6] * dx + m[7] * dy + m[8]
                        let inverseW = w != 0 ? 1 / w : 0
                        let sourceX = (m[0] * dx + m[1] * dy + m[2]) * inverseW
                        let sourceY = (m[3] * dx + m[4] * dy + m[5]) * inverseW
                        let baseX = Int(sourceX.rounded(.down)), baseY = Int(sourceY.rounded(.down))
                        let wx = cubicWeights(Float(sourceX - Double(baseX)))
                        let wy = cubicWeights(Float(sourceY - Double(baseY)))
                        var sums: (Float, Float, Float) = (0, 0, 0)
                        for j in 0..<4 {
                            let sy = min(max(baseY - 1 + j, 0), maxY)
                            var row: (Float, Float, Float) = (0, 0, 0)
                            for i in 0..<4 {
                                let sx = min(max(baseX - 1 + i, 0), maxX)
                                let offset = (sy * image.width + sx) * 3
                                row.0 += Float(source[offset]) * wx[i]
                                row.1 += Float(source[offset + 1]) * wx[i]
                                row.2 += Float(source[offset + 2]) * wx[i]
                            }
                            sums.0 += row.0 * wy[j]
                            sums.1 += row.1 * wy[j]
                            sums.2 += row.2 * wy[j]
                        }
                        let out = (y * width + x) * 3
                        destination[out] = clampToByte(sums.0)
                        destination[out + 1] = clampToByte(sums.1)
                        destination[out + 2] = clampToByte(sums.2)
                    }
                }
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: output)
    }

    /// The four weights of the cubic convolution kernel (a = -0.75, as OpenCV uses) for a
    /// sample `t` of the way from the second tap to the third.
    private static func cubicWeights(_ t: Float) -> SIMD4<Float> {
        let a: Float = -0.75
        let w0 = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a
        let w1 = ((a + 2) * t - (a + 3)) * t * t + 1
        let w2 = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1
        return SIMD4(w0, w1, w2, 1 - w0 - w1 - w2)
    }

    /// Turns the image a quarter turn counter-clockwise (NumPy's `rot90`).
    static func rotateCounterClockwise(_ image: RasterImage) -> RasterImage {
        let (width, height) = (image.height, image.width)
        var output = [UInt8](repeating: 0, count: image.pixels.count)
        for y in 0..<height {
            for x in 0..<width {
                // Output (x, y) shows source column (sourceWidth - 1 - y) of source row x.
                let source = (x * image.width + (image.width - 1 - y)) * 3
                let destination = (y * width + x) * 3
                output[destination] = image.pixels[source]
                output[destination + 1] = image.pixels[source + 1]
                output[destination + 2] = image.pixels[source + 2]
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: output)
    }

    /// Turns the image upside down.
    static func rotateHalfTurn(_ image: RasterImage) -> RasterImage {
        let count = image.width * image.height
        var output = [UInt8](repeating: 0, count: image.pixels.count)
        for index in 0..<count {
            let source = (count - 1 - index) * 3
            output[index * 3] = image.pixels[source]
            output[index * 3 + 1] = image.pixels[source + 1]
            output[index * 3 + 2] = image.pixels[source + 2]
        }
        return RasterImage(width: image.width, height: image.height, channels: 3, pixels: output)
    }

    /// Adds black rows above and below.
    static func padVertically(_ image: RasterImage, top: Int, bottom: Int) -> RasterImage {
        let rowBytes = image.width * 3
        var output = [UInt8](repeating: 0, count: rowBytes * (image.height + top + bottom))
        output.replaceSubrange(top * rowBytes..<(top + image.height) * rowBytes, with: image.pixels)
        return RasterImage(width: image.width, height: image.height + top + bottom, channels: 3, pixels: output)
    }

    /// Writes `image` as a planar (channel, row, column) float tensor slice of width
    /// `paddedWidth`, channels reversed (RGB in, BGR out: the models were trained on OpenCV's
    /// BGR images), each value `(v / 255 - mean) / std`; columns past the image stay as they are.
    static func writeNormalizedBGR(
        _ image: RasterImage, into tensor: inout [Float], at offset: Int, paddedWidth: Int, mean: [Double],
        std: [Double]
    ) {
        precondition(image.channels == 3 && image.width <= paddedWidth, "the image must fit the tensor row")
        let plane = image.height * paddedWidth
        let scale = (0..<3).map { Float(1 / (255 * std[$0])) }
        let shift = (0..<3).map { Float(mean[$0] / std[$0]) }
        image.pixels.withUnsafeBufferPointer { pixels in
            tensor.withUnsafeMutableBufferPointer { values in
                for channel in 0..<3 {
                    let sourceChannel = 2 - channel
                    let base = offset + channel * plane
                    for y in 0..<image.height {
                        for x in 0..<image.width {
                            let value = Float(pixels[(y * image.width + x) * 3 + sourceChannel])
                            values[base + y * paddedWidth + x] = value * scale[channel] - shift[channel]
                        }
                    }
                }
            }
        }
    }

    @inline(__always) private static func clampToByte(_ value: Float) -> UInt8 {
        UInt8(min(max(value.rounded(), 0), 255))
    }
}
