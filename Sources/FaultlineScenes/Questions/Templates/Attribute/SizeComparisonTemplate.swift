import FaultlineCore

/// "Is the red star bigger than the blue circle?" — the objects are named without their
/// sizes, which differ; "yes" and "no" are drawn half and half.
public struct SizeComparisonTemplate: ComputedQuestionTemplate {
    public let id = "attribute.size-comparison"
    public let ability = Ability.attribute
    public let formats: [AnswerFormat] = [.yesNo]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        let references = ReferringExpression.referable(in: scene, using: [.shape, .colour])
        let wantYes = QuestionRandom.chance(0.5, rng: &rng)
        var pairs: [(ReferringExpression, ReferringExpression)] = []
        for first in references {
            for second in references
            where wantYes ? first.object.size > second.object.size : first.object.size < second.object.size {
                pairs.append((first.expression, second.expression))
            }
        }
        guard let (first, second) = QuestionRandom.pick(pairs, rng: &rng) else { return nil }
        return first.subjectEntries(role: "first").merging(second.subjectEntries(role: "second")) { $1 }
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let first = ReferringExpression(subject: subject, role: "first"),
            let second = ReferringExpression(subject: subject, role: "second"), first.size == nil, second.size == nil
        else { return nil }
        return "Is \(first.phrase) bigger than \(second.phrase)?"
    }

    /// "yes" or "no"; nil when the two are the same size (an edge case a "no" would hide).
    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let first = ReferringExpression(subject: subject, role: "first")?.resolve(in: scene),
            let second = ReferringExpression(subject: subject, role: "second")?.resolve(in: scene),
            first.id != second.id, first.size != second.size
        else { return nil }
        return QuestionSupport.yesNo(first.size > second.size)
    }
}
