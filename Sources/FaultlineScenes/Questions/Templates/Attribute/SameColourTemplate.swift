import FaultlineCore

/// "Do the star and the circle have the same colour?" — the objects are named without their
/// colours; "yes" and "no" are drawn half and half.
public struct SameColourTemplate: ComputedQuestionTemplate {
    public let id = "attribute.same-colour"
    public let ability = Ability.attribute
    public let formats: [AnswerFormat] = [.yesNo]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        let references = ReferringExpression.referable(in: scene, using: [.shape, .size])
        let wantYes = QuestionRandom.chance(0.5, rng: &rng)
        var pairs: [(ReferringExpression, ReferringExpression)] = []
        for first in references {
            for second in references
            where second.object.id != first.object.id && (first.object.colour == second.object.colour) == wantYes {
                pairs.append((first.expression, second.expression))
            }
        }
        guard let (first, second) = QuestionRandom.pick(pairs, rng: &rng) else { return nil }
        return first.subjectEntries(role: "first").merging(second.subjectEntries(role: "second")) { $1 }
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let first = ReferringExpression(subject: subject, role: "first"),
            let second = ReferringExpression(subject: subject, role: "second"), first.colour == nil,
            second.colour == nil
        else { return nil }
        return "Do \(first.phrase) and \(second.phrase) have the same colour?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let first = ReferringExpression(subject: subject, role: "first")?.resolve(in: scene),
            let second = ReferringExpression(subject: subject, role: "second")?.resolve(in: scene),
            first.id != second.id
        else { return nil }
        return QuestionSupport.yesNo(first.colour == second.colour)
    }
}
