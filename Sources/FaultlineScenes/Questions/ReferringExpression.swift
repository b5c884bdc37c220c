/// Words that pick out objects of a scene by their attributes: "the star", "the red star",
/// "the small red star", or without a shape "the red object".
///
/// Questions refer to objects by words, never by id, and are answered about whatever those
/// words denote: on an edited scene "the red star" is re-resolved, so recolouring it makes
/// the expression denote nothing and the question unanswerable rather than silently wrong.
public struct ReferringExpression: Sendable, Hashable {
    /// The attributes an expression may use.
    public enum Attribute: String, Sendable, CaseIterable, Hashable {
        case size, colour, shape
    }

    public var shape: Shape?
    public var colour: NamedColour?
    public var size: SizeClass?

    public init(shape: Shape? = nil, colour: NamedColour? = nil, size: SizeClass? = nil) {
        self.shape = shape
        self.colour = colour
        self.size = size
    }

    /// "small red star"; "red object" when the shape is not named.
    public var nounPhrase: String {
        [size?.rawValue, colour?.rawValue, shape?.rawValue ?? "object"].compactMap { $0 }.joined(separator: " ")
    }

    /// "the small red star".
    public var phrase: String { "the " + nounPhrase }

    /// How many attributes the expression names.
    public var attributeCount: Int { [shape != nil, colour != nil, size != nil].filter { $0 }.count }

    /// The objects of `scene` the expression fits.
    public func matches(in scene: Scene) -> [SceneObject] { scene.objects(shape: shape, colour: colour, size: size) }

    /// The one object the expression denotes in `scene`, or nil when it fits none or several.
    public func resolve(in scene: Scene) -> SceneObject? {
        let matching = matches(in: scene)
        return matching.count == 1 ? matching[0] : nil
    }

    /// The shortest expression, using only `attributes`, that denotes `object` and nothing
    /// else in `scene`; nil when no such expression exists.
    ///
    /// With the shape allowed, expressions always name it ("the red star", never "the red
    /// object"), adding colour before size as people do; without it they name colour, size,
    /// or both ("the small red object").
    public static func shortest(
        for object: SceneObject, in scene: Scene, using attributes: Set<Attribute> = Set(Attribute.allCases)
    ) -> ReferringExpression? {
        let candidates: [[Attribute]] =
            attributes.contains(.shape)
            ? [[.shape], [.colour, .shape], [.size, .shape], [.size, .colour, .shape]]
            : [[.colour], [.size], [.size, .colour]]
        for candidate in candidates where candidate.allSatisfy(attributes.contains) {
            let expression = ReferringExpression(
                shape: candidate.contains(.shape) ? object.shape : nil,
                colour: candidate.contains(.colour) ? object.colour : nil,
                size: candidate.contains(.size) ? object.size : nil)
            if let denoted = expression.resolve(in: scene), denoted.id == object.id { return expression }
        }
        return nil
    }

    /// Every object of `scene` that some expression over `attributes` denotes uniquely, with
    /// its shortest expression, in scene order.
    public static func referable(
        in scene: Scene, using attributes: Set<Attribute> = Set(Attribute.allCases)
    ) -> [(object: SceneObject, expression: ReferringExpression)] {
        scene.objects.compactMap { object in
            shortest(for: object, in: scene, using: attributes).map { (object, $0) }
        }
    }

    /// The expression as subject entries under `role`, e.g. `target.shape: star`.
    public func subjectEntries(role: String) -> [String: String] {
        var entries: [String: String] = [:]
        entries["\(role).shape"] = shape?.rawValue
        entries["\(role).colour"] = colour?.rawValue
        entries["\(role).size"] = size?.rawValue
        return entries
    }

    /// Reads the expression stored under `role`; nil when it names no valid attribute.
    public init?(subject: [String: String], role: String) {
        let shapeName = subject["\(role).shape"]
        let colourName = subject["\(role).colour"]
        let sizeName = subject["\(role).size"]
        let shape = shapeName.flatMap(Shape.init(rawValue:))
        let colour = colourName.flatMap(NamedColour.init(rawValue:))
        let size = sizeName.flatMap(SizeClass.init(rawValue:))
        // A misspelt attribute must not widen the expression to more objects.
        guard (shapeName == nil) == (shape == nil), (colourName == nil) == (colour == nil),
            (sizeName == nil) == (size == nil), shape != nil || colour != nil || size != nil
        else { return nil }
        self.init(shape: shape, colour: colour, size: size)
    }

    /// The plural of a shape's name, for counting questions.
    public static func plural(of shape: Shape) -> String {
        shape == .cross ? "crosses" : shape.rawValue + "s"
    }
}
