import FaultlineCore

/// "What word is written on the red star?" about an object whose label is one word.
public struct ObjectLabelTemplate: ComputedQuestionTemplate {
    public let id = "ocr.object-label"
    public let ability = Ability.ocr
    public let formats: [AnswerFormat] = [.freeText, .multipleChoice]
    public let sceneKind = QuestionSceneKind.objects
    public let freeTextInstruction = "Answer with the word only."

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        let labelled = ReferringExpression.referable(in: scene).filter {
            $0.object.label.map(QuestionSupport.isSingleWord) ?? false
        }
        return QuestionRandom.pick(labelled, rng: &rng)?.expression.subjectEntries(role: "target")
    }

    public func stem(for subject: [String: String]) -> String? {
        ReferringExpression(subject: subject, role: "target").map { "What word is written on \($0.phrase)?" }
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let label = ReferringExpression(subject: subject, role: "target")?.resolve(in: scene)?.label,
            QuestionSupport.isSingleWord(label)
        else { return nil }
        return label
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        let inScene =
            scene.objects.compactMap(\.label).filter(QuestionSupport.isSingleWord)
            + scene.labels.map(\.text).filter(QuestionSupport.isSingleWord)
        return DistractorPool(preferred: inScene, fallback: QuestionSupport.similarTexts(to: answer))
    }
}
