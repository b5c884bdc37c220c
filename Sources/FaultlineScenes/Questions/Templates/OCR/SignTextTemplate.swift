import FaultlineCore

/// "What does the sign say?" about the one free-standing text of a scene.
public struct SignTextTemplate: ComputedQuestionTemplate {
    public let id = "ocr.sign"
    public let ability = Ability.ocr
    public let formats: [AnswerFormat] = [.freeText, .multipleChoice]
    public let sceneKind = QuestionSceneKind.objects
    public let freeTextInstruction = "Answer with the text only."

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        answer(for: [:], in: scene) == nil ? nil : [:]
    }

    public func stem(for subject: [String: String]) -> String? { "What does the sign say?" }

    /// The sign's text; nil when there is no sign or more than one ("the sign" would be ambiguous).
    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard QuestionSupport.kind(of: scene) == .objects, scene.labels.count == 1 else { return nil }
        let text = scene.labels[0].text
        return text.allSatisfy(\.isWhitespace) ? nil : text
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(preferred: scene.objects.compactMap(\.label), fallback: QuestionSupport.similarTexts(to: answer))
    }
}
