import FaultlineCore

/// "How many objects are there?"
public struct CountObjectsTemplate: ComputedQuestionTemplate {
    public let id = "counting.objects"
    public let ability = Ability.counting
    public let formats: [AnswerFormat] = [.number, .multipleChoice]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        QuestionSupport.kind(of: scene) == .objects ? [:] : nil
    }

    public func stem(for subject: [String: String]) -> String? { "How many objects are there?" }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        QuestionSupport.kind(of: scene) == .objects ? String(scene.objects.count) : nil
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(fallback: QuestionSupport.nearbyNumbers(Int(answer) ?? 0))
    }
}
