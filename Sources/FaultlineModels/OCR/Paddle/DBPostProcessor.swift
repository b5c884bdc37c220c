import Foundation

/// A text box found by the detector: four corners (top-left, top-right, bottom-right,
/// bottom-left) in whole pixels of the image the detector was given.
struct DetectedTextBox: Sendable, Equatable {
    var corners: [SIMD2<Double>]
    /// The mean text probability inside the box before it was grown.
    var score: Double
}

/// Turns the DB detector's probability map into text boxes, as PaddleOCR's `DBPostProcess`
/// does: threshold, dilate, take every region border, fit a minimum-area rectangle, score it,
/// grow it back out (DB predicts shrunk text kernels) and scale it to the source image.
struct DBPostProcessor: Sendable {
    var binaryThreshold: Float
    var boxThreshold: Double
    var maxCandidates: Int
    var unclipRatio: Double
    var useDilation: Bool
    /// Rectangles with a shorter side than this (in map pixels) are noise.
    let minimumSide = 3.0

    init(_ settings: PaddleOCRSettings.Detection) {
        binaryThreshold = Float(settings.binaryThreshold)
        boxThreshold = settings.boxThreshold
        maxCandidates = settings.maxCandidates
        unclipRatio = settings.unclipRatio
        useDilation = settings.useDilation
    }

    /// The boxes in a `width`×`height` probability map, in the coordinates of a
    /// `destinationWidth`×`destinationHeight` image.
    func boxes(
        probabilities: [Float], width: Int, height: Int, destinationWidth: Int, destinationHeight: Int
    ) -> [DetectedTextBox] {
        precondition(probabilities.count == width * height, "the probability map does not match its size")
        var mask = probabilities.map { $0 > binaryThreshold ? UInt8(1) : 0 }
        if useDilation { mask = DBPostProcessor.dilate2x2(mask, width: width, height: height) }

        var found: [DetectedTextBox] = []
        for border in DBPostProcessor.regionBorders(mask: mask, width: width, height: height).prefix(maxCandidates) {
            let rectangle = PaddleGeometry.minimumAreaRectangle(border)
            guard rectangle.shortSide >= minimumSide else { continue }
            let box = PaddleGeometry.orderedCorners(rectangle.corners)
            let score = DBPostProcessor.meanInside(box, probabilities: probabilities, width: width, height: height)
            guard score >= boxThreshold else { continue }

            let grown = PaddleGeometry.minimumAreaRectangle(unclip(box))
            guard grown.shortSide >= minimumSide + 2 else { continue }
            let corners = PaddleGeometry.orderedCorners(grown.corners).map { point in
                SIMD2(
                    min(max((point.x / Double(width) * Double(destinationWidth)).rounded(.toNearestOrEven), 0),
                        Double(destinationWidth)),
                    min(max((point.y / Double(height) * Double(destinationHeight)).rounded(.toNearestOrEven), 0),
                        Double(destinationHeight)))
            }
            found.append(DetectedTextBox(corners: corners, score: score))
        }
        return found
    }

    /// Grows a box by area × ratio / perimeter on every side. The corners are cut to whole
    /// pixels first, as the polygon-offset library PaddleOCR calls does with its input.
    func unclip(_ box: [PaddleGeometry.Point]) -> [PaddleGeometry.Point] {
        let perimeter = PaddleGeometry.polygonPerimeter(box)
        guard perimeter > 0 else { return box }
        let distance = PaddleGeometry.polygonArea(box) * unclipRatio / perimeter
        let whole = box.map { PaddleGeometry.Point($0.x.rounded(.towardZero), $0.y.rounded(.towardZero)) }
        return PaddleGeometry.offsetOutline(whole, by: distance)
    }

    /// Sets a pixel when it or its left, upper or upper-left neighbour is set (OpenCV's dilation
    /// with a 2×2 kernel anchored at its centre).
    static func dilate2x2(_ mask: [UInt8], width: Int, height: Int) -> [UInt8] {
        var output = mask
        for y in 0..<height {
            for x in 0..<width where output[y * width + x] == 0 {
                let left = x > 0 && mask[y * width + x - 1] != 0
                let up = y > 0 && mask[(y - 1) * width + x] != 0
                let upLeft = x > 0 && y > 0 && mask[(y - 1) * width + x - 1] != 0
                if left || up || upLeft { output[y * width + x] = 1 }
            }
        }
        return output
    }

    /// The pixels on every border of the mask, one list per border, as OpenCV's
    /// `findContours(RETR_LIST)` would list them: the outer border of each 8-connected region
    /// of set pixels, and the border around each 4-connected hole inside a region.
    ///
    /// Only the leftmost and rightmost border pixel of each row is kept: the rectangle fitted
    /// afterwards depends on the convex hull alone, which those pixels determine.
    static func regionBorders(mask: [UInt8], width: Int, height: Int) -> [[PaddleGeometry.Point]] {
        var borders: [[PaddleGeometry.Point]] = []
        var label = [Int32](repeating: 0, count: width * height)
        var stack: [Int] = []
        var extremes = RowExtremes(height: height)

        // Regions of set pixels, 8-connected.
        var regionCount: Int32 = 0
        for start in 0..<(width * height) where mask[start] != 0 && label[start] == 0 {
            regionCount += 1
            label[start] = regionCount
            stack.append(start)
            while let index = stack.popLast() {
                let (x, y) = (index % width, index / width)
                extremes.add(x: x, y: y)
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let (nx, ny) = (x + dx, y + dy)
                        guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                        let neighbour = ny * width + nx
                        if mask[neighbour] != 0 && label[neighbour] == 0 {
                            label[neighbour] = regionCount
                            stack.append(neighbour)
                        }
                    }
                }
            }
            borders.append(extremes.takePoints())
        }

        // Unset pixels, 4-connected: first everything reachable from the image edge, then
        // each remaining component is a hole, bordered by the set pixels next to it.
        let outside: Int32 = -1
        for index in 0..<(width * height) where mask[index] == 0 && label[index] == 0 {
            let (x, y) = (index % width, index / width)
            guard x == 0 || y == 0 || x == width - 1 || y == height - 1 else { continue }
            fillBackground(
                from: index, with: outside, mask: mask, label: &label, width: width, height: height, stack: &stack
            ) { _ in }
        }
        var holeCount: Int32 = 0
        for start in 0..<(width * height) where mask[start] == 0 && label[start] == 0 {
            holeCount += 1
            fillBackground(
                from: start, with: outside - holeCount, mask: mask, label: &label, width: width, height: height,
                stack: &stack
            ) { border in
                extremes.add(x: border % width, y: border / width)
            }
            borders.append(extremes.takePoints())
        }
        return borders
    }

    /// Labels the 4-connected unset pixels reachable from `start`, reporting each set pixel
    /// found next to them.
    private static func fillBackground(
        from start: Int, with value: Int32, mask: [UInt8], label: inout [Int32], width: Int, height: Int,
        stack: inout [Int], border: (Int) -> Void
    ) {
        label[start] = value
        stack.append(start)
        while let index = stack.popLast() {
            let (x, y) = (index % width, index / width)
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                let (nx, ny) = (x + dx, y + dy)
                guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                let neighbour = ny * width + nx
                if mask[neighbour] != 0 {
                    border(neighbour)
                } else if label[neighbour] == 0 {
                    label[neighbour] = value
                    stack.append(neighbour)
                }
            }
        }
    }

    /// The leftmost and rightmost x seen on each row, reset after each border is taken.
    private struct RowExtremes {
        var minX: [Int]
        var maxX: [Int]
        var rows: [Int] = []

        init(height: Int) {
            minX = [Int](repeating: Int.max, count: height)
            maxX = [Int](repeating: Int.min, count: height)
        }

        mutating func add(x: Int, y: Int) {
            if minX[y] == Int.max { rows.append(y) }
            minX[y] = min(minX[y], x)
            maxX[y] = max(maxX[y], x)
        }

        mutating func takePoints() -> [PaddleGeometry.Point] {
            var points: [PaddleGeometry.Point] = []
            points.reserveCapacity(rows.count * 2)
            for y in rows.sorted() {
                points.append(PaddleGeometry.Point(Double(minX[y]), Double(y)))
                if maxX[y] != minX[y] { points.append(PaddleGeometry.Point(Double(maxX[y]), Double(y))) }
                minX[y] = Int.max
                maxX[y] = Int.min
            }
            rows.removeAll(keepingCapacity: true)
            return points
        }
    }

    /// The mean probability over the pixels of `box` (PaddleOCR's "fast" score): the box's
    /// polygon with corners cut to whole pixels, rasterised as OpenCV's `fillPoly` does it —
    /// the pixels strictly inside plus the outline drawn as 8-connected lines.
    static func meanInside(_ box: [PaddleGeometry.Point], probabilities: [Float], width: Int, height: Int) -> Double {
        let xs = box.map(\.x), ys = box.map(\.y)
        let xMin = min(max(Int(xs.min()!.rounded(.down)), 0), width - 1)
        let xMax = min(max(Int(xs.max()!.rounded(.up)), 0), width - 1)
        let yMin = min(max(Int(ys.min()!.rounded(.down)), 0), height - 1)
        let yMax = min(max(Int(ys.max()!.rounded(.up)), 0), height - 1)
        let (regionWidth, regionHeight) = (xMax - xMin + 1, yMax - yMin + 1)
        let polygon = box.map {
            (x: Int(($0.x - Double(xMin)).rounded(.towardZero)), y: Int(($0.y - Double(yMin)).rounded(.towardZero)))
        }

        var inside = [Bool](repeating: false, count: regionWidth * regionHeight)
        let corners = polygon.map { PaddleGeometry.Point(Double($0.x), Double($0.y)) }
        for row in 0..<regionHeight {
            guard let (from, to) = span(of: corners, atRow: Double(row)) else { continue }
            let first = max(Int((from - 1e-9).rounded(.up)), 0)
            let last = min(Int((to + 1e-9).rounded(.down)), regionWidth - 1)
            guard first <= last else { continue }
            for column in first...last { inside[row * regionWidth + column] = true }
        }
        for index in polygon.indices {
            let a = polygon[index], b = polygon[(index + 1) % polygon.count]
            drawLine(from: a, to: b) { x, y in
                if x >= 0 && y >= 0 && x < regionWidth && y < regionHeight { inside[y * regionWidth + x] = true }
            }
        }

        var sum = 0.0
        var count = 0
        for row in 0..<regionHeight {
            for column in 0..<regionWidth where inside[row * regionWidth + column] {
                sum += Double(probabilities[(row + yMin) * width + column + xMin])
                count += 1
            }
        }
        return count > 0 ? sum / Double(count) : 0
    }

    /// Visits the pixels of the 8-connected line between two points (Bresenham), always
    /// walked left to right so that a line and its reverse cover the same pixels, stepping
    /// across only when the error is strictly positive: the pixels OpenCV's line drawing picks.
    private static func drawLine(from start: (x: Int, y: Int), to end: (x: Int, y: Int), plot: (Int, Int) -> Void) {
        let (a, b) = start.x < end.x || (start.x == end.x && start.y <= end.y) ? (start, end) : (end, start)
        let dx = abs(b.x - a.x), dy = abs(b.y - a.y)
        let stepX = b.x >= a.x ? 1 : -1
        let stepY = b.y >= a.y ? 1 : -1
        var (x, y) = (a.x, a.y)
        if dx >= dy {
            var error = 2 * dy - dx
            for _ in 0...dx {
                plot(x, y)
                if error > 0 {
                    y += stepY
                    error -= 2 * dx
                }
                error += 2 * dy
                x += stepX
            }
        } else {
            var error = 2 * dx - dy
            for _ in 0...dy {
                plot(x, y)
                if error > 0 {
                    x += stepX
                    error -= 2 * dy
                }
                error += 2 * dx
                y += stepY
            }
        }
    }

    /// Where a horizontal line crosses a convex polygon: the leftmost and rightmost x.
    private static func span(of polygon: [PaddleGeometry.Point], atRow y: Double) -> (Double, Double)? {
        var low = Double.infinity
        var high = -Double.infinity
        for index in polygon.indices {
            let a = polygon[index]
            let b = polygon[(index + 1) % polygon.count]
            if a.y == b.y {
                if a.y == y {
                    low = min(low, a.x, b.x)
                    high = max(high, a.x, b.x)
                }
                continue
            }
            guard y >= min(a.y, b.y) && y <= max(a.y, b.y) else { continue }
            let x = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)
            low = min(low, x)
            high = max(high, x)
        }
        return low <= high ? (low, high) : nil
    }
}
