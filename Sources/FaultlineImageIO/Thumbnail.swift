import FaultlineCore

extension RasterImage {
    /// A copy no larger than `maxSide` on its longer side, keeping the aspect ratio; each
    /// output pixel is the exact area-weighted average of the source pixels it covers.
    ///
    /// Images that already fit are returned unchanged (never upscaled). `maxSide` must be
    /// at least 1.
    public func thumbnail(maxSide: Int) -> RasterImage {
        precondition(maxSide >= 1, "thumbnail(maxSide:) needs maxSide >= 1, got \(maxSide)")
        let longer = Swift.max(width, height)
        guard longer > maxSide, width > 0, height > 0 else { return self }
        let scale = Double(maxSide) / Double(longer)
        let outWidth = Swift.min(maxSide, Swift.max(1, Int((Double(width) * scale).rounded())))
        let outHeight = Swift.min(maxSide, Swift.max(1, Int((Double(height) * scale).rounded())))

        let columns = Self.coverage(source: width, target: outWidth)
        let rows = Self.coverage(source: height, target: outHeight)
        let c = channels

        // Horizontal pass into floats, then vertical pass with rounding.
        var horizontal = [Float](repeating: 0, count: height * outWidth * c)
        pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let sourceRow = y * width * c
                    let targetRow = y * outWidth * c
                    for x in 0..<outWidth {
                        for tap in columns[x] {
                            let s = sourceRow + tap.index * c
                            let t = targetRow + x * c
                            for k in 0..<c { target[t + k] += tap.weight * Float(source[s + k]) }
                        }
                    }
                }
            }
        }
        var output = [UInt8](repeating: 0, count: outHeight * outWidth * c)
        horizontal.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                var accumulator = [Float](repeating: 0, count: outWidth * c)
                for y in 0..<outHeight {
                    for i in accumulator.indices { accumulator[i] = 0 }
                    for tap in rows[y] {
                        let s = tap.index * outWidth * c
                        for i in 0..<(outWidth * c) { accumulator[i] += tap.weight * source[s + i] }
                    }
                    let t = y * outWidth * c
                    for i in 0..<(outWidth * c) {
                        target[t + i] = UInt8(Swift.min(255, Swift.max(0, accumulator[i].rounded())))
                    }
                }
            }
        }
        return RasterImage(width: outWidth, height: outHeight, channels: c, pixels: output)
    }

    /// For each target cell, the source cells it overlaps and the fraction of the target
    /// cell each one covers (weights sum to 1).
    private static func coverage(source: Int, target: Int) -> [[(index: Int, weight: Float)]] {
        let step = Double(source) / Double(target)
        return (0..<target).map { t in
            let start = Double(t) * step
            let end = Swift.min(Double(source), start + step)
            var taps: [(index: Int, weight: Float)] = []
            var i = Int(start)
            while Double(i) < end, i < source {
                let overlap = Swift.min(end, Double(i + 1)) - Swift.max(start, Double(i))
                if overlap > 1e-9 { taps.append((i, Float(overlap / step))) }
                i += 1
            }
            return taps
        }
    }
}
