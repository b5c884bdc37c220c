import FaultlineCore
import Foundation

/// The shapes of the procedural world.
public enum Shape: String, Codable, Sendable, CaseIterable, Hashable {
    case circle, square, triangle, star, hexagon, diamond, pentagon, cross
}

/// The named colours objects can have; each has one exact sRGB value so that a rendered
/// colour and its name never disagree.
public enum NamedColour: String, Codable, Sendable, CaseIterable, Hashable {
    case red, orange, yellow, green, blue, purple, brown, grey

    /// sRGB components in 0…1.
    public var rgb: (red: Double, green: Double, blue: Double) {
        switch self {
        case .red: (0.86, 0.13, 0.15)
        case .orange: (0.98, 0.55, 0.05)
        case .yellow: (0.98, 0.86, 0.10)
        case .green: (0.16, 0.64, 0.22)
        case .blue: (0.13, 0.35, 0.85)
        case .purple: (0.55, 0.22, 0.70)
        case .brown: (0.50, 0.30, 0.13)
        case .grey: (0.50, 0.50, 0.50)
        }
    }
}

/// Three size classes; the radius is a fraction of the canvas's shorter side.
public enum SizeClass: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    case small, medium, large

    public var radiusFraction: Double {
        switch self {
        case .small: 0.06
        case .medium: 0.10
        case .large: 0.16
        }
    }

    public static func < (a: SizeClass, b: SizeClass) -> Bool { a.radiusFraction < b.radiusFraction }
}

/// An optional fill pattern drawn over an object's colour.
public enum Texture: String, Codable, Sendable, CaseIterable, Hashable {
    case stripes, dots, checks
}

/// One object of a scene. Positions are fractions of the canvas (0…1, origin top-left), so a
/// scene renders the same at any resolution.
public struct SceneObject: Codable, Sendable, Hashable, Identifiable {
    /// Unique within its scene; edits keep ids stable so that "the same object" can be followed.
    public var id: Int
    public var shape: Shape
    public var colour: NamedColour
    public var size: SizeClass
    /// Centre, as fractions of the canvas width and height.
    public var x: Double
    public var y: Double
    /// Degrees, counter-clockwise.
    public var rotation: Double
    public var texture: Texture?
    /// Text written on the object, if any (OCR on objects).
    public var label: String?

    public init(
        id: Int, shape: Shape, colour: NamedColour, size: SizeClass, x: Double, y: Double, rotation: Double = 0,
        texture: Texture? = nil, label: String? = nil
    ) {
        self.id = id
        self.shape = shape
        self.colour = colour
        self.size = size
        self.x = x
        self.y = y
        self.rotation = rotation
        self.texture = texture
        self.label = label
    }
}

/// What is behind the objects. Context backgrounds (sky, grass, water) are the nuisance cues
/// that spurious-correlation audits plant and remove.
public enum BackgroundKind: String, Codable, Sendable, CaseIterable, Hashable {
    case plain, gradient, textured, sky, grass, water
}

public struct Background: Codable, Sendable, Hashable {
    public var kind: BackgroundKind
    /// The base colour for plain, gradient and textured backgrounds (light tints of it are used).
    public var tint: NamedColour?

    public init(kind: BackgroundKind, tint: NamedColour? = nil) {
        self.kind = kind
        self.tint = tint
    }
}

/// Free-standing text: a sign or caption near objects.
public struct TextLabel: Codable, Sendable, Hashable {
    public var text: String
    /// Centre, as fractions of the canvas.
    public var x: Double
    public var y: Double
    /// Font size as a fraction of the canvas's shorter side.
    public var size: Double

    public init(text: String, x: Double, y: Double, size: Double) {
        self.text = text
        self.x = x
        self.y = y
        self.size = size
    }
}

/// A chart with labelled values (structured-data ability).
public struct Chart: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable, Hashable { case bar, line, pie }
    public var kind: Kind
    public var title: String
    public var labels: [String]
    /// Whole numbers, so that exact answers are exact.
    public var values: [Int]

    public init(kind: Kind, title: String, labels: [String], values: [Int]) {
        self.kind = kind
        self.title = title
        self.labels = labels
        self.values = values
    }
}

/// A small table of text cells with a header row (structured-data ability).
public struct DataTable: Codable, Sendable, Hashable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// A scene graph: everything needed to render an image and to compute exact answers about
/// it. Stored (as JSON) with every probe made from it.
public struct Scene: Codable, Sendable, Hashable {
    /// Schema version of the stored JSON.
    public var schema: Int = 1
    public var width: Int
    public var height: Int
    public var background: Background
    public var objects: [SceneObject]
    public var labels: [TextLabel]
    /// A chart or a table replaces the objects for structured-data scenes.
    public var chart: Chart?
    public var table: DataTable?
    /// Seeds the renderer's texture and clutter noise.
    public var seed: UInt64

    public init(
        width: Int, height: Int, background: Background, objects: [SceneObject] = [], labels: [TextLabel] = [],
        chart: Chart? = nil, table: DataTable? = nil, seed: UInt64
    ) {
        self.width = width
        self.height = height
        self.background = background
        self.objects = objects
        self.labels = labels
        self.chart = chart
        self.table = table
        self.seed = seed
    }

    /// The scene as sorted-key JSON, as stored with probes.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain value types cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public func object(id: Int) -> SceneObject? { objects.first { $0.id == id } }
}

/// An axis-aligned box in canvas fractions.
public struct Box: Codable, Sendable, Hashable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    public var area: Double { max(0, maxX - minX) * max(0, maxY - minY) }

    /// Intersection over union, 0 for disjoint boxes.
    public func iou(_ other: Box) -> Double {
        let intersection = Box(
            minX: max(minX, other.minX), minY: max(minY, other.minY), maxX: min(maxX, other.maxX),
            maxY: min(maxY, other.maxY)
        ).area
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }

    public func contains(_ other: Box) -> Bool {
        other.minX >= minX && other.maxX <= maxX && other.minY >= minY && other.maxY <= maxY
    }
}

/// Spatial relations between two objects, computed from the graph (never stored), so that an
/// edited scene's relations are always right.
public enum Relation: String, Codable, Sendable, CaseIterable, Hashable {
    case leftOf = "left of", rightOf = "right of", above, below, inside, nextTo = "next to"
}

/// The four quadrants of the canvas.
public enum Quadrant: String, Codable, Sendable, CaseIterable, Hashable {
    case topLeft = "top left", topRight = "top right", bottomLeft = "bottom left", bottomRight = "bottom right"
}

extension Scene {
    /// The object's bounding box in canvas fractions (a circle's radius on the shorter side).
    public func boundingBox(of object: SceneObject) -> Box {
        let side = Double(min(width, height))
        let rx = object.size.radiusFraction * side / Double(width)
        let ry = object.size.radiusFraction * side / Double(height)
        return Box(minX: object.x - rx, minY: object.y - ry, maxX: object.x + rx, maxY: object.y + ry)
    }

    /// The relations that hold from `a` to `b`. Left/right and above/below need a clear gap
    /// (boxes must not overlap on that axis) so that every stated relation is unambiguous.
    public func relations(from a: SceneObject, to b: SceneObject) -> Set<Relation> {
        let boxA = boundingBox(of: a), boxB = boundingBox(of: b)
        var result: Set<Relation> = []
        if boxA.maxX < boxB.minX { result.insert(.leftOf) }
        if boxA.minX > boxB.maxX { result.insert(.rightOf) }
        if boxA.maxY < boxB.minY { result.insert(.above) }
        if boxA.minY > boxB.maxY { result.insert(.below) }
        // Inside means drawn within the container's outline, not merely its box: a small
        // object in the corner of a triangle's box is not inside the triangle.
        if isDrawnInside(a, b) { result.insert(.inside) }
        let gapX = max(0, max(boxA.minX, boxB.minX) - min(boxA.maxX, boxB.maxX))
        let gapY = max(0, max(boxA.minY, boxB.minY) - min(boxA.maxY, boxB.maxY))
        if !result.contains(.inside), max(gapX, gapY) < 0.08, boxA.iou(boxB) == 0 { result.insert(.nextTo) }
        return result
    }

    /// The quadrant holding the object's centre, or nil when it sits on a dividing line
    /// (within 0.05), where the answer would be ambiguous.
    public func quadrant(of object: SceneObject) -> Quadrant? {
        guard abs(object.x - 0.5) > 0.05, abs(object.y - 0.5) > 0.05 else { return nil }
        switch (object.x < 0.5, object.y < 0.5) {
        case (true, true): return .topLeft
        case (false, true): return .topRight
        case (true, false): return .bottomLeft
        case (false, false): return .bottomRight
        }
    }

    /// Objects matching a description; templates use it to refer to "the red star" only when
    /// exactly one object matches.
    public func objects(shape: Shape? = nil, colour: NamedColour? = nil, size: SizeClass? = nil) -> [SceneObject] {
        objects.filter {
            (shape == nil || $0.shape == shape) && (colour == nil || $0.colour == colour) && (size == nil || $0.size == size)
        }
    }
}
