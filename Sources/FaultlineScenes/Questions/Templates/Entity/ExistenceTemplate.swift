import FaultlineCore

/// "Is there a red star?" — "yes" and "no" drawn half and half; a "no" asks about a near
/// miss where it can (the colour or the shape occurs, not together).
public struct ExistenceTemplate: ComputedQuestionTemplate {
    public let id = "entity.existence"
    public let ability = Ability.entity
    public let formats: [AnswerFormat] = [.yesNo]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard QuestionSupport.kind(of: scene) == .objects else { return nil }
        let wantYes = QuestionRandom.chance(0.5, rng: &rng)
        let combinations = NamedColour.allCases.flatMap { colour in Shape.allCases.map { (colour, $0) } }
        let present = combinations.filter { !scene.objects(shape: $0.1, colour: $0.0).isEmpty }
        let absent = combinations.filter { scene.objects(shape: $0.1, colour: $0.0).isEmpty }
        let colours = Set(scene.objects.map(\.colour))
        let shapes = Set(scene.objects.map(\.shape))
        let nearMisses = absent.filter { colours.contains($0.0) || shapes.contains($0.1) }
        let pool = wantYes ? present : (nearMisses.isEmpty ? absent : nearMisses)
        guard let (colour, shape) = QuestionRandom.pick(pool, rng: &rng) else { return nil }
        return ["colour": colour.rawValue, "shape": shape.rawValue]
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let shape = subject["shape"].flatMap(Shape.init(rawValue:)),
            let colour = subject["colour"].flatMap(NamedColour.init(rawValue:))
        else { return nil }
        return "Is there a \(colour.rawValue) \(shape.rawValue)?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard QuestionSupport.kind(of: scene) == .objects, let shape = subject["shape"].flatMap(Shape.init(rawValue:)),
            let colour = subject["colour"].flatMap(NamedColour.init(rawValue:))
        else { return nil }
        return QuestionSupport.yesNo(!scene.objects(shape: shape, colour: colour).isEmpty)
    }
}
