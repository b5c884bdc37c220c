import Foundation

/// Plane geometry for turning a text-probability map into boxes and boxes into upright crops.
/// Image coordinates: x to the right, y down, a pixel's centre at its integer coordinates.
enum PaddleGeometry {
    typealias Point = SIMD2<Double>

    /// A rectangle at any angle: `axis` is the unit direction of its first side.
    struct RotatedRectangle: Equatable {
        var corners: [Point]
        /// The lengths of the first side (along `axis`) and of the second.
        var width: Double
        var height: Double
        var shortSide: Double { min(width, height) }
    }

    /// The convex hull, counter-clockwise in a y-up frame, without collinear points.
    static func convexHull(_ points: [Point]) -> [Point] {
        let sorted = points.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
        var unique: [Point] = []
        unique.reserveCapacity(sorted.count)
        for point in sorted where unique.last != point { unique.append(point) }
        guard unique.count > 2 else { return unique }

        func cross(_ o: Point, _ a: Point, _ b: Point) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [Point] = []
        for point in unique {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], point) <= 0 {
                lower.removeLast()
            }
            lower.append(point)
        }
        var upper: [Point] = []
        for point in unique.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], point) <= 0 {
                upper.removeLast()
            }
            upper.append(point)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }

    /// The rectangle of least area that contains `points` (rotating calipers over the hull:
    /// the optimal rectangle has a side on a hull edge).
    static func minimumAreaRectangle(_ points: [Point]) -> RotatedRectangle {
        let hull = convexHull(points)
        switch hull.count {
        case 0:
            return RotatedRectangle(corners: [Point](repeating: .zero, count: 4), width: 0, height: 0)
        case 1:
            return RotatedRectangle(corners: [Point](repeating: hull[0], count: 4), width: 0, height: 0)
        case 2:
            let length = distance(hull[0], hull[1])
            return RotatedRectangle(corners: [hull[0], hull[1], hull[1], hull[0]], width: length, height: 0)
        default:
            break
        }
        var best: RotatedRectangle?
        var bestArea = Double.infinity
        for index in hull.indices {
            let edge = hull[(index + 1) % hull.count] - hull[index]
            let length = (edge * edge).sum().squareRoot()
            guard length > 0 else { continue }
            let u = edge / length
            let v = Point(-u.y, u.x)
            var minU = Double.infinity, maxU = -Double.infinity
            var minV = Double.infinity, maxV = -Double.infinity
            for point in hull {
                let alongU = (point * u).sum()
                let alongV = (point * v).sum()
                minU = Swift.min(minU, alongU); maxU = Swift.max(maxU, alongU)
                minV = Swift.min(minV, alongV); maxV = Swift.max(maxV, alongV)
            }
            let area = (maxU - minU) * (maxV - minV)
            if area < bestArea {
                bestArea = area
                best = RotatedRectangle(
                    corners: [minU * u + minV * v, maxU * u + minV * v, maxU * u + maxV * v, minU * u + maxV * v],
                    width: maxU - minU, height: maxV - minV)
            }
        }
        return best ?? RotatedRectangle(corners: [Point](repeating: hull[0], count: 4), width: 0, height: 0)
    }

    /// The corners ordered top-left, top-right, bottom-right, bottom-left: the two leftmost
    /// points are the left side, and on each side the upper point comes first.
    static func orderedCorners(_ corners: [Point]) -> [Point] {
        let byX = corners.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
        let left = byX[0].y <= byX[1].y ? [byX[0], byX[1]] : [byX[1], byX[0]]
        let right = byX[2].y <= byX[3].y ? [byX[2], byX[3]] : [byX[3], byX[2]]
        return [left[0], right[0], right[1], left[1]]
    }

    static func distance(_ a: Point, _ b: Point) -> Double {
        let d = a - b
        return (d * d).sum().squareRoot()
    }

    /// The area enclosed by a simple polygon (shoelace formula).
    static func polygonArea(_ polygon: [Point]) -> Double {
        abs(signedArea(polygon))
    }

    static func signedArea(_ polygon: [Point]) -> Double {
        var twice = 0.0
        for index in polygon.indices {
            let a = polygon[index]
            let b = polygon[(index + 1) % polygon.count]
            twice += a.x * b.y - b.x * a.y
        }
        return twice / 2
    }

    static func polygonPerimeter(_ polygon: [Point]) -> Double {
        polygon.indices.reduce(0) { $0 + distance(polygon[$1], polygon[($1 + 1) % polygon.count]) }
    }

    /// The outline of `polygon` pushed outward by `offset`: for each vertex, the ends of its
    /// two neighbouring edges moved along their outward normals, rounded to whole pixels.
    ///
    /// This is the outline a round-joined polygon offset (Clipper's, which PaddleOCR uses)
    /// produces, less the arc points between those ends: the arcs lie within `offset` of the
    /// vertex and so never widen the rectangle fitted around the result.
    static func offsetOutline(_ polygon: [Point], by offset: Double) -> [Point] {
        guard polygon.count >= 3 else { return polygon }
        // With a positive (counter-clockwise in y-up) orientation the outward normal of edge
        // a->b is (dy, -dx); flip it for the other orientation.
        let orientation: Double = signedArea(polygon) >= 0 ? 1 : -1
        func outwardNormal(_ a: Point, _ b: Point) -> Point {
            let edge = b - a
            let length = (edge * edge).sum().squareRoot()
            guard length > 0 else { return .zero }
            return Point(edge.y, -edge.x) / length * orientation
        }
        var outline: [Point] = []
        for index in polygon.indices {
            let previous = polygon[(index + polygon.count - 1) % polygon.count]
            let vertex = polygon[index]
            let next = polygon[(index + 1) % polygon.count]
            for normal in [outwardNormal(previous, vertex), outwardNormal(vertex, next)] {
                let moved = vertex + normal * offset
                outline.append(Point(moved.x.rounded(), moved.y.rounded()))
            }
        }
        return outline
    }

    /// The 3×3 projective transform (row-major, last entry 1) that maps each `source` point to
    /// the `destination` point at the same index; nil when the points are degenerate.
    static func perspectiveTransform(from source: [Point], to destination: [Point]) -> [Double]? {
        precondition(source.count == 4 && destination.count == 4, "a perspective transform needs four point pairs")
        // Unknowns a..h of x' = (a x + b y + c) / (g x + h y + 1), y' = (d x + e y + f) / (g x + h y + 1).
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for index in 0..<4 {
            let (x, y) = (source[index].x, source[index].y)
            let (u, v) = (destination[index].x, destination[index].y)
            matrix[2 * index] = [x, y, 1, 0, 0, 0, -x * u, -y * u, u]
            matrix[2 * index + 1] = [0, 0, 0, x, y, 1, -x * v, -y * v, v]
        }
        guard let solution = solve(&matrix) else { return nil }
        return solution + [1]
    }

    /// Solves an n×(n+1) augmented system by Gaussian elimination with partial pivoting.
    private static func solve(_ matrix: inout [[Double]]) -> [Double]? {
        let n = matrix.count
        for column in 0..<n {
            var pivot = column
            for row in column..<n where abs(matrix[row][column]) > abs(matrix[pivot][column]) { pivot = row }
            guard abs(matrix[pivot][column]) > 1e-12 else { return nil }
            matrix.swapAt(column, pivot)
            for row in 0..<n where row != column {
                let factor = matrix[row][column] / matrix[column][column]
                guard factor != 0 else { continue }
                for k in column...n { matrix[row][k] -= factor * matrix[column][k] }
            }
        }
        return (0..<n).map { matrix[$0][n] / matrix[$0][$0] }
    }
}
