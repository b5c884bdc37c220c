import FaultlineCore

/// "What size is the red star?" — small, medium or large; the object is named without its
/// size. Multiple choice has three options, one per size class.
public struct SizeTemplate: ComputedQuestionTemplate {
    public let id = "attribute.size"
    public let ability = Ability.attribute
    public let formats: [AnswerFormat] = [.multipleChoice, .freeText]
    public let sceneKind = QuestionSceneKind.objects
    public let freeTextInstruction = "Answer small, medium or large."
    public let minimumDistractors = SizeClass.allCases.count - 1

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        QuestionRandom.pick(ReferringExpression.referable(in: scene, using: [.shape, .colour]), rng: &rng)?
            .expression.subjectEntries(role: "target")
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let target = ReferringExpression(subject: subject, role: "target"), target.size == nil else {
            return nil
        }
        return "What size is \(target.phrase)?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        ReferringExpression(subject: subject, role: "target")?.resolve(in: scene)?.size.rawValue
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(fallback: SizeClass.allCases.map(\.rawValue))
    }
}
