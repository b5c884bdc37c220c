import FaultlineCore

/// "What colour is the star?" — the object is named without its colour ("the small star").
public struct ColourTemplate: ComputedQuestionTemplate {
    public let id = "attribute.colour"
    public let ability = Ability.attribute
    public let formats: [AnswerFormat] = [.multipleChoice, .freeText]
    public let sceneKind = QuestionSceneKind.objects
    public let freeTextInstruction = "Answer with the colour name."

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        QuestionRandom.pick(ReferringExpression.referable(in: scene, using: [.shape, .size]), rng: &rng)?
            .expression.subjectEntries(role: "target")
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let target = ReferringExpression(subject: subject, role: "target"), target.colour == nil else {
            return nil
        }
        return "What colour is \(target.phrase)?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        ReferringExpression(subject: subject, role: "target")?.resolve(in: scene)?.colour.rawValue
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(
            preferred: QuestionSupport.unique(scene.objects.map(\.colour.rawValue)),
            fallback: NamedColour.allCases.map(\.rawValue))
    }
}
