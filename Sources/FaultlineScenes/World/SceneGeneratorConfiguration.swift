import Foundation

/// What the scene generator may draw and how often. Every field has a default, and a JSON
/// configuration may leave any field out.
public struct SceneGeneratorConfiguration: Codable, Sendable, Hashable {
    /// Canvas size in pixels; positions are fractions, so the layout does not depend on it.
    public var width: Int
    /// Canvas height in pixels.
    public var height: Int
    /// How many objects an object scene holds, drawn uniformly.
    public var objectCount: ClosedRange<Int>
    /// The shapes objects are drawn from, uniformly (repeat an entry to weight it).
    public var shapes: [Shape]
    /// The colours objects are drawn from, uniformly.
    public var colours: [NamedColour]
    /// The sizes objects are drawn from; a crowded canvas may fall back to a smaller one.
    public var sizes: [SizeClass]
    /// The backgrounds of object scenes; charts and tables use the calm ones (plain or
    /// gradient) among them, or plain.
    public var backgrounds: [BackgroundKind]
    /// The chart kinds chart scenes use.
    public var chartKinds: [Chart.Kind]
    /// The chance that an object has a fill pattern.
    public var textureProbability: Double
    /// The chance that an object has a short word written on it (when one fits).
    public var labelProbability: Double
    /// The chance that an object scene has a free-standing sign.
    public var signProbability: Double
    /// The chance that a scene with two or more objects puts a small object inside a large
    /// one of another colour, so that the `inside` relation occurs.
    public var insideProbability: Double
    /// Objects are rotated uniformly within ± this many degrees.
    public var maxRotationDegrees: Double

    /// A configuration; every argument has the default described on its field.
    public init(
        width: Int = 224, height: Int = 224, objectCount: ClosedRange<Int> = 0...10, shapes: [Shape] = Shape.allCases,
        colours: [NamedColour] = NamedColour.allCases, sizes: [SizeClass] = SizeClass.allCases,
        backgrounds: [BackgroundKind] = BackgroundKind.allCases, chartKinds: [Chart.Kind] = Chart.Kind.allCases,
        textureProbability: Double = 0.2, labelProbability: Double = 0.15, signProbability: Double = 0.2,
        insideProbability: Double = 0.25, maxRotationDegrees: Double = 30
    ) {
        self.width = width
        self.height = height
        self.objectCount = objectCount
        self.shapes = shapes
        self.colours = colours
        self.sizes = sizes
        self.backgrounds = backgrounds
        self.chartKinds = chartKinds
        self.textureProbability = textureProbability
        self.labelProbability = labelProbability
        self.signProbability = signProbability
        self.insideProbability = insideProbability
        self.maxRotationDegrees = maxRotationDegrees
    }

    /// The most objects a scene may ask for, whatever the canvas.
    public static let maximumObjectCount = 30

    /// Checks every field and names the first bad one.
    public func validate() throws(SceneConfigurationError) {
        for (field, value) in [("width", width), ("height", height)] where !Scene.canvasSideRange.contains(value) {
            throw SceneConfigurationError(
                field: field,
                message: "\(value) px is outside \(Scene.canvasSideRange.lowerBound)...\(Scene.canvasSideRange.upperBound) px")
        }
        guard objectCount.lowerBound >= 0, objectCount.upperBound <= Self.maximumObjectCount else {
            throw SceneConfigurationError(
                field: "objectCount",
                message: "\(objectCount.lowerBound)...\(objectCount.upperBound) is outside 0...\(Self.maximumObjectCount)")
        }
        for (field, count) in [
            ("shapes", shapes.count), ("colours", colours.count), ("sizes", sizes.count),
            ("backgrounds", backgrounds.count), ("chartKinds", chartKinds.count),
        ] where count == 0 {
            throw SceneConfigurationError(field: field, message: "the list is empty; give at least one value or leave the field out for all")
        }
        for (field, value) in [
            ("textureProbability", textureProbability), ("labelProbability", labelProbability),
            ("signProbability", signProbability), ("insideProbability", insideProbability),
        ] where !(value.isFinite && (0...1).contains(value)) {
            throw SceneConfigurationError(field: field, message: "\(value) is not a probability in 0...1")
        }
        guard maxRotationDegrees.isFinite, (0...180).contains(maxRotationDegrees) else {
            throw SceneConfigurationError(field: "maxRotationDegrees", message: "\(maxRotationDegrees)° is outside 0...180°")
        }
        if let smallest = sizes.min() {
            let capacity = ObjectLayout.gridCapacity(size: smallest, width: width, height: height)
            if objectCount.upperBound > capacity {
                throw SceneConfigurationError(
                    field: "objectCount",
                    message: "at most \(capacity) \(smallest.rawValue) objects fit on a \(width)×\(height) canvas without overlapping, but up to \(objectCount.upperBound) were asked for; lower the count or allow smaller sizes")
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case width, height, objectCount, shapes, colours, sizes, backgrounds, chartKinds, textureProbability,
            labelProbability, signProbability, insideProbability, maxRotationDegrees
    }

    /// Decodes a configuration, taking the default for every field left out, and validates it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SceneGeneratorConfiguration()
        width = try container.decodeIfPresent(Int.self, forKey: .width) ?? defaults.width
        height = try container.decodeIfPresent(Int.self, forKey: .height) ?? defaults.height
        objectCount = try container.decodeIfPresent(ClosedRange<Int>.self, forKey: .objectCount) ?? defaults.objectCount
        shapes = try container.decodeIfPresent([Shape].self, forKey: .shapes) ?? defaults.shapes
        colours = try container.decodeIfPresent([NamedColour].self, forKey: .colours) ?? defaults.colours
        sizes = try container.decodeIfPresent([SizeClass].self, forKey: .sizes) ?? defaults.sizes
        backgrounds = try container.decodeIfPresent([BackgroundKind].self, forKey: .backgrounds) ?? defaults.backgrounds
        chartKinds = try container.decodeIfPresent([Chart.Kind].self, forKey: .chartKinds) ?? defaults.chartKinds
        textureProbability = try container.decodeIfPresent(Double.self, forKey: .textureProbability) ?? defaults.textureProbability
        labelProbability = try container.decodeIfPresent(Double.self, forKey: .labelProbability) ?? defaults.labelProbability
        signProbability = try container.decodeIfPresent(Double.self, forKey: .signProbability) ?? defaults.signProbability
        insideProbability = try container.decodeIfPresent(Double.self, forKey: .insideProbability) ?? defaults.insideProbability
        maxRotationDegrees = try container.decodeIfPresent(Double.self, forKey: .maxRotationDegrees) ?? defaults.maxRotationDegrees
        try validate()
    }
}

/// Why a scene generator configuration was rejected.
public struct SceneConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The configuration field at fault.
    public var field: String
    /// What is wrong with it and what to do.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "invalid scene generator configuration: field `\(field)`: \(message)" }
}
