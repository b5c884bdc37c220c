import CCairo
import Foundation

/// The outline of each shape, drawn inside a circle of radius 1 around the object's centre
/// (y pointing down), so that an object's bounding box does not change when it rotates.
enum ShapeGeometry {
    /// The star's inner vertices lie at this fraction of its radius; a chunky star keeps
    /// enough filled area for its colour to read at small sizes.
    static let starInnerRatio = 0.5
    /// Half the width of each arm of the cross, as a fraction of its radius.
    static let crossArmHalfWidth = 0.34
    /// Half the width of the diamond; narrower than tall, so that a rotated square never
    /// looks like a diamond.
    static let diamondHalfWidth = 0.62

    /// The vertices of the outline in order, or nil for the circle.
    static func vertices(of shape: Shape) -> [(x: Double, y: Double)]? {
        switch shape {
        case .circle:
            return nil
        case .square:
            return regularPolygon(sides: 4, startAngle: -.pi / 4)
        case .triangle:
            return regularPolygon(sides: 3, startAngle: -.pi / 2)
        case .pentagon:
            return regularPolygon(sides: 5, startAngle: -.pi / 2)
        case .hexagon:
            return regularPolygon(sides: 6, startAngle: -.pi / 2)
        case .diamond:
            return [(0, -1), (diamondHalfWidth, 0), (0, 1), (-diamondHalfWidth, 0)]
        case .star:
            return (0..<10).map { k in
                let radius = k % 2 == 0 ? 1 : starInnerRatio
                let angle = -Double.pi / 2 + Double(k) * .pi / 5
                return (radius * cos(angle), radius * sin(angle))
            }
        case .cross:
            let a = crossArmHalfWidth, l = (1 - a * a).squareRoot()
            return [
                (-a, -l), (a, -l), (a, -a), (l, -a), (l, a), (a, a),
                (a, l), (-a, l), (-a, a), (-l, a), (-l, -a), (-a, -a),
            ]
        }
    }

    private static func regularPolygon(sides: Int, startAngle: Double) -> [(x: Double, y: Double)] {
        (0..<sides).map { k in
            let angle = startAngle + Double(k) * 2 * .pi / Double(sides)
            return (cos(angle), sin(angle))
        }
    }

    /// The radius of the largest circle around the centre that lies inside the shape, as a
    /// fraction of the shape's radius; another object fits visibly inside within it.
    static func inradius(of shape: Shape) -> Double { inradii[shape] ?? 0 }

    private static let inradii: [Shape: Double] = Dictionary(
        uniqueKeysWithValues: Shape.allCases.map { shape in
            guard let points = vertices(of: shape) else { return (shape, 1.0) }
            var nearest = Double.infinity
            for (index, start) in points.enumerated() {
                let end = points[(index + 1) % points.count]
                nearest = min(nearest, distanceFromOrigin(toSegmentFrom: start, to: end))
            }
            return (shape, nearest)
        })

    private static func distanceFromOrigin(
        toSegmentFrom a: (x: Double, y: Double), to b: (x: Double, y: Double)
    ) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let t = max(0, min(1, -(a.x * dx + a.y * dy) / (dx * dx + dy * dy)))
        let px = a.x + t * dx, py = a.y + t * dy
        return (px * px + py * py).squareRoot()
    }

    /// A rectangle inside the unrotated shape where a label can be written: its centre's
    /// downward offset and half extents, as fractions of the shape's radius.
    struct LabelArea {
        let centreY: Double
        let halfWidth: Double
        let halfHeight: Double
    }

    /// Each area was checked against the outline above: its corners lie inside the shape.
    static func labelArea(of shape: Shape) -> LabelArea {
        switch shape {
        case .circle: LabelArea(centreY: 0, halfWidth: 0.80, halfHeight: 0.40)
        case .square: LabelArea(centreY: 0, halfWidth: 0.62, halfHeight: 0.40)
        case .triangle: LabelArea(centreY: 0.22, halfWidth: 0.52, halfHeight: 0.20)
        case .star: LabelArea(centreY: 0, halfWidth: 0.33, halfHeight: 0.20)
        case .pentagon: LabelArea(centreY: 0, halfWidth: 0.68, halfHeight: 0.40)
        case .hexagon: LabelArea(centreY: 0, halfWidth: 0.80, halfHeight: 0.40)
        case .diamond: LabelArea(centreY: 0, halfWidth: 0.45, halfHeight: 0.20)
        case .cross: LabelArea(centreY: 0, halfWidth: 0.85, halfHeight: 0.28)
        }
    }

    /// Whether a point (in radius units, unrotated) lies inside the shape.
    static func contains(_ shape: Shape, x: Double, y: Double) -> Bool {
        guard let points = vertices(of: shape) else { return x * x + y * y <= 1 }
        // Even–odd ray casting, which also handles the concave star and cross.
        var inside = false
        for (index, a) in points.enumerated() {
            let b = points[(index + 1) % points.count]
            if (a.y > y) != (b.y > y), x < a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y) { inside.toggle() }
        }
        return inside
    }

    /// Adds the outline, centred on the current origin with the given radius, as a closed path.
    static func addPath(of shape: Shape, radius: Double, to cairo: OpaquePointer) {
        cairo_new_sub_path(cairo)
        guard let points = vertices(of: shape) else {
            cairo_arc(cairo, 0, 0, radius, 0, 2 * .pi)
            cairo_close_path(cairo)
            return
        }
        for (index, point) in points.enumerated() {
            if index == 0 {
                cairo_move_to(cairo, radius * point.x, radius * point.y)
            } else {
                cairo_line_to(cairo, radius * point.x, radius * point.y)
            }
        }
        cairo_close_path(cairo)
    }
}
