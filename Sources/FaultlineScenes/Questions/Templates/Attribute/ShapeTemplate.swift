import FaultlineCore

/// "What shape is the red object?" — the object is named by colour and size only.
public struct ShapeTemplate: ComputedQuestionTemplate {
    public let id = "attribute.shape"
    public let ability = Ability.attribute
    public let formats: [AnswerFormat] = [.multipleChoice, .freeText]
    public let sceneKind = QuestionSceneKind.objects
    public let freeTextInstruction = "Answer with the shape name."

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        QuestionRandom.pick(ReferringExpression.referable(in: scene, using: [.colour, .size]), rng: &rng)?
            .expression.subjectEntries(role: "target")
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let target = ReferringExpression(subject: subject, role: "target"), target.shape == nil else {
            return nil
        }
        return "What shape is \(target.phrase)?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        ReferringExpression(subject: subject, role: "target")?.resolve(in: scene)?.shape.rawValue
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(
            preferred: QuestionSupport.unique(scene.objects.map(\.shape.rawValue)),
            fallback: Shape.allCases.map(\.rawValue))
    }
}
