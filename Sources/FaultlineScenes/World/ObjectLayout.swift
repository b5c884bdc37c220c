import FaultlineCore
import Foundation

/// Where the objects of a generated scene go: rejection sampling of free positions, so that
/// objects neither overlap nor leave the canvas, with a grid as the last resort so that a
/// scene always gets exactly the number of objects it asked for.
struct ObjectLayout {
    /// Free space kept along the canvas edge, as a fraction of each side.
    static let edgeMargin = 0.01
    /// Free space kept between generated objects, in shorter-side units, so that outlines
    /// never touch (edits only require that boxes do not overlap).
    static let gap = 0.02

    /// One placed object: its centre (canvas fractions), size, and the index of the object
    /// it lies inside, if any.
    struct Placement {
        var x: Double
        var y: Double
        var size: SizeClass
        var container: Int?
    }

    let width: Int
    let height: Int

    private var side: Double { Double(min(width, height)) }
    /// A length in shorter-side units as fractions of the width and of the height.
    private func fractions(_ length: Double) -> (x: Double, y: Double) {
        (length * side / Double(width), length * side / Double(height))
    }

    /// The most objects of `size` that fit on a grid of the canvas with the usual gaps.
    static func gridCapacity(size: SizeClass, width: Int, height: Int) -> Int {
        let layout = ObjectLayout(width: width, height: height)
        let (columns, rows) = layout.gridShape(size: size)
        return columns * rows
    }

    private func gridShape(size: SizeClass) -> (columns: Int, rows: Int) {
        let radius = fractions(size.radiusFraction), spacing = fractions(Self.gap)
        let usable = 1 - 2 * Self.edgeMargin
        // k boxes and k−1 gaps must fit: k·2r + (k−1)·gap ≤ usable.
        let columns = Int(((usable + spacing.x) / (2 * radius.x + spacing.x)).rounded(.down))
        let rows = Int(((usable + spacing.y) / (2 * radius.y + spacing.y)).rounded(.down))
        return (max(0, columns), max(0, rows))
    }

    private func box(_ placement: Placement) -> Box {
        let radius = fractions(placement.size.radiusFraction)
        return Box(
            minX: placement.x - radius.x, minY: placement.y - radius.y, maxX: placement.x + radius.x,
            maxY: placement.y + radius.y)
    }

    /// Whether a free-standing box keeps the gap to every placed object.
    func isFree(_ candidate: Box, among placements: [Placement]) -> Bool {
        let half = fractions(Self.gap / 2)
        let grown = Box(
            minX: candidate.minX - half.x, minY: candidate.minY - half.y, maxX: candidate.maxX + half.x,
            maxY: candidate.maxY + half.y)
        return placements.allSatisfy { placement in
            let other = box(placement)
            let grownOther = Box(
                minX: other.minX - half.x, minY: other.minY - half.y, maxX: other.maxX + half.x, maxY: other.maxY + half.y)
            return !Scene.overlap(grown, grownOther)
        }
    }

    /// A random free position for an object of `size`, or nil after `attempts` misses.
    func freePlacement(size: SizeClass, among placements: [Placement], rng: inout SeededGenerator, attempts: Int = 80)
        -> Placement?
    {
        let radius = fractions(size.radiusFraction)
        let xRange = (Self.edgeMargin + radius.x)...(1 - Self.edgeMargin - radius.x)
        let yRange = (Self.edgeMargin + radius.y)...(1 - Self.edgeMargin - radius.y)
        guard xRange.lowerBound <= xRange.upperBound, yRange.lowerBound <= yRange.upperBound else { return nil }
        for _ in 0..<attempts {
            let candidate = Placement(
                x: WorldRandom.roundedPosition(WorldRandom.uniform(xRange, &rng)),
                y: WorldRandom.roundedPosition(WorldRandom.uniform(yRange, &rng)), size: size, container: nil)
            let candidateBox = box(candidate)
            if Scene.isInsideCanvas(candidateBox), isFree(candidateBox, among: placements) { return candidate }
        }
        return nil
    }

    /// A position for an object of `size` inside `container` (whose shape is `shape`), at a
    /// random offset from its centre small enough to stay within the container's outline.
    func insidePlacement(
        size: SizeClass, in container: Placement, containerIndex: Int, shape: Shape, rng: inout SeededGenerator
    ) -> Placement {
        let room = max(
            0,
            ShapeGeometry.inradius(of: shape) * container.size.radiusFraction - size.radiusFraction
                - Scene.insideClearance - 0.002)
        let distance = room * rng.unit().squareRoot()
        let angle = WorldRandom.uniform(0...(2 * .pi), &rng)
        let offset = fractions(distance)
        // Rounding moves the centre by at most 0.00005, well inside the 0.002 kept back above.
        return Placement(
            x: WorldRandom.roundedPosition(container.x + offset.x * cos(angle)),
            y: WorldRandom.roundedPosition(container.y + offset.y * sin(angle)), size: size,
            container: containerIndex)
    }

    /// Room for an object of `inner` size inside a `container`-size object of `shape`.
    static func insideRoom(inner: SizeClass, container: SizeClass, shape: Shape) -> Double {
        ShapeGeometry.inradius(of: shape) * container.radiusFraction - inner.radiusFraction - Scene.insideClearance - 0.004
    }

    /// `count` objects on grid cells in random order, all of the smallest allowed size: the
    /// fallback when rejection sampling keeps failing on a crowded canvas.
    func gridPlacements(count: Int, size: SizeClass, rng: inout SeededGenerator) -> [Placement] {
        let (columns, rows) = gridShape(size: size)
        let usable = 1 - 2 * Self.edgeMargin
        let cells = WorldRandom.shuffled(Array(0..<(columns * rows)), &rng).prefix(count)
        return cells.map { cell in
            let column = cell % columns, row = cell / columns
            return Placement(
                x: WorldRandom.roundedPosition(Self.edgeMargin + usable * (Double(column) + 0.5) / Double(columns)),
                y: WorldRandom.roundedPosition(Self.edgeMargin + usable * (Double(row) + 0.5) / Double(rows)), size: size,
                container: nil)
        }
    }
}
