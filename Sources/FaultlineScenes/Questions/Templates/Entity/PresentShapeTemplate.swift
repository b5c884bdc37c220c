import FaultlineCore

/// "Which of these shapes is in the image?" — multiple choice between one shape that is
/// present and three that are absent.
public struct PresentShapeTemplate: ComputedQuestionTemplate {
    public let id = "entity.present-shape"
    public let ability = Ability.entity
    public let formats: [AnswerFormat] = [.multipleChoice]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    /// The subject holds the four candidate shapes, so that re-asking on an edited scene
    /// checks the same candidates.
    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard QuestionSupport.kind(of: scene) == .objects else { return nil }
        let present = Shape.allCases.filter { !scene.objects(shape: $0).isEmpty }
        let absent = Shape.allCases.filter { scene.objects(shape: $0).isEmpty }
        guard absent.count >= 3, let shown = QuestionRandom.pick(present, rng: &rng) else { return nil }
        let others = QuestionRandom.shuffled(absent, rng: &rng).prefix(3)
        return ["candidates": ([shown] + others).map(\.rawValue).joined(separator: ",")]
    }

    public func stem(for subject: [String: String]) -> String? {
        candidates(subject) == nil ? nil : "Which of these shapes is in the image?"
    }

    /// The one candidate present in `scene`; nil when none or several are.
    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard QuestionSupport.kind(of: scene) == .objects, let candidates = candidates(subject) else { return nil }
        let present = candidates.filter { !scene.objects(shape: $0).isEmpty }
        return present.count == 1 ? present[0].rawValue : nil
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(fallback: (candidates(subject) ?? []).map(\.rawValue))
    }

    /// Options are not exclusive by kind (two shapes can both be present), so a wrong option
    /// must be absent.
    public func isWrong(_ option: String, for subject: [String: String], answer: String, in scene: Scene) -> Bool {
        guard option != answer, let shape = Shape(rawValue: option) else { return false }
        return scene.objects(shape: shape).isEmpty
    }

    private func candidates(_ subject: [String: String]) -> [Shape]? {
        guard let names = subject["candidates"]?.split(separator: ",") else { return nil }
        let shapes = names.compactMap { Shape(rawValue: String($0)) }
        return shapes.count == names.count && Set(shapes).count == shapes.count && shapes.count >= 2 ? shapes : nil
    }
}
