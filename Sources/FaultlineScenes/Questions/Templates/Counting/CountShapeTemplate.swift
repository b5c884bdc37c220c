import FaultlineCore

/// "How many stars are there?" A quarter of the questions ask about a shape that is absent,
/// so that zero is a count models must give.
public struct CountShapeTemplate: ComputedQuestionTemplate {
    public let id = "counting.shape"
    public let ability = Ability.counting
    public let formats: [AnswerFormat] = [.number, .multipleChoice]
    public let sceneKind = QuestionSceneKind.objects

    /// The share of questions about an absent shape (answer 0).
    public static let absentShare = 0.25

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard QuestionSupport.kind(of: scene) == .objects else { return nil }
        let present = Set(scene.objects.map(\.shape))
        let absent = Shape.allCases.filter { !present.contains($0) }
        let presentInOrder = Shape.allCases.filter(present.contains)
        let askAbsent = QuestionRandom.chance(Self.absentShare, rng: &rng)
        let pool = (askAbsent && !absent.isEmpty) || presentInOrder.isEmpty ? absent : presentInOrder
        guard let shape = QuestionRandom.pick(pool, rng: &rng) else { return nil }
        return ["shape": shape.rawValue]
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let shape = subject["shape"].flatMap(Shape.init(rawValue:)) else { return nil }
        return "How many \(ReferringExpression.plural(of: shape)) are there?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard QuestionSupport.kind(of: scene) == .objects, let shape = subject["shape"].flatMap(Shape.init(rawValue:))
        else { return nil }
        return String(scene.objects(shape: shape).count)
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(fallback: QuestionSupport.nearbyNumbers(Int(answer) ?? 0))
    }
}
