import FaultlineCore

/// "Is there a striped object?" (or dotted, checkered) — "yes" and "no" drawn half and half.
public struct TextureTemplate: ComputedQuestionTemplate {
    public let id = "entity.texture"
    public let ability = Ability.entity
    public let formats: [AnswerFormat] = [.yesNo]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    /// The adjective for a texture, as the question says it.
    public static func adjective(for texture: Texture) -> String {
        switch texture {
        case .stripes: "striped"
        case .dots: "dotted"
        case .checks: "checkered"
        }
    }

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard QuestionSupport.kind(of: scene) == .objects else { return nil }
        let wantYes = QuestionRandom.chance(0.5, rng: &rng)
        let present = Set(scene.objects.compactMap(\.texture))
        let pool = Texture.allCases.filter { present.contains($0) == wantYes }
        return QuestionRandom.pick(pool, rng: &rng).map { ["texture": $0.rawValue] }
    }

    public func stem(for subject: [String: String]) -> String? {
        subject["texture"].flatMap(Texture.init(rawValue:)).map { "Is there a \(Self.adjective(for: $0)) object?" }
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard QuestionSupport.kind(of: scene) == .objects,
            let texture = subject["texture"].flatMap(Texture.init(rawValue:))
        else { return nil }
        return QuestionSupport.yesNo(scene.objects.contains { $0.texture == texture })
    }
}
