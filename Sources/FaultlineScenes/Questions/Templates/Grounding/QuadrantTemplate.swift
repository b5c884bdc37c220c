import FaultlineCore

/// "In which quadrant of the image is the red star?" — "top left", "top right", "bottom
/// left" or "bottom right"; objects on a dividing line are not asked about.
public struct QuadrantTemplate: ComputedQuestionTemplate {
    public let id = "grounding.quadrant"
    public let ability = Ability.grounding
    public let formats: [AnswerFormat] = [.multipleChoice, .freeText]
    public let sceneKind = QuestionSceneKind.objects
    public let freeTextInstruction = "Answer top left, top right, bottom left or bottom right."

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        let placed = ReferringExpression.referable(in: scene).filter { scene.quadrant(of: $0.object) != nil }
        return QuestionRandom.pick(placed, rng: &rng)?.expression.subjectEntries(role: "target")
    }

    public func stem(for subject: [String: String]) -> String? {
        ReferringExpression(subject: subject, role: "target").map { "In which quadrant of the image is \($0.phrase)?" }
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let target = ReferringExpression(subject: subject, role: "target")?.resolve(in: scene) else { return nil }
        return scene.quadrant(of: target)?.rawValue
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(fallback: Quadrant.allCases.map(\.rawValue))
    }
}
