import FaultlineCore

/// "How many red stars are there?" A quarter of the questions ask about an absent
/// combination whose colour or shape does occur (a near miss), so the answer is 0.
public struct CountColouredShapeTemplate: ComputedQuestionTemplate {
    public let id = "counting.coloured-shape"
    public let ability = Ability.counting
    public let formats: [AnswerFormat] = [.number, .multipleChoice]
    public let sceneKind = QuestionSceneKind.objects

    /// The share of questions about an absent combination (answer 0).
    public static let absentShare = 0.25

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard QuestionSupport.kind(of: scene) == .objects else { return nil }
        let combinations = NamedColour.allCases.flatMap { colour in Shape.allCases.map { (colour, $0) } }
        let present = combinations.filter { !scene.objects(shape: $0.1, colour: $0.0).isEmpty }
        let colours = Set(scene.objects.map(\.colour))
        let shapes = Set(scene.objects.map(\.shape))
        let absent = combinations.filter { scene.objects(shape: $0.1, colour: $0.0).isEmpty }
        let nearMisses = absent.filter { colours.contains($0.0) || shapes.contains($0.1) }
        let askAbsent = QuestionRandom.chance(Self.absentShare, rng: &rng)
        let pool = askAbsent || present.isEmpty ? (nearMisses.isEmpty ? absent : nearMisses) : present
        guard let (colour, shape) = QuestionRandom.pick(pool, rng: &rng) else { return nil }
        return ["colour": colour.rawValue, "shape": shape.rawValue]
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let shape = subject["shape"].flatMap(Shape.init(rawValue:)),
            let colour = subject["colour"].flatMap(NamedColour.init(rawValue:))
        else { return nil }
        return "How many \(colour.rawValue) \(ReferringExpression.plural(of: shape)) are there?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard QuestionSupport.kind(of: scene) == .objects, let shape = subject["shape"].flatMap(Shape.init(rawValue:)),
            let colour = subject["colour"].flatMap(NamedColour.init(rawValue:))
        else { return nil }
        return String(scene.objects(shape: shape, colour: colour).count)
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(fallback: QuestionSupport.nearbyNumbers(Int(answer) ?? 0))
    }
}
