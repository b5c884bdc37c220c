import FaultlineCore

/// "Which shape is left of the red star?" — also right of, above, below, inside and next
/// to — asked only when exactly one object stands in that relation and no other object is a
/// borderline case. The answer is that object's shape.
public struct RelatedObjectTemplate: ComputedQuestionTemplate {
    public let id = "grounding.related-object"
    public let ability = Ability.grounding
    public let formats: [AnswerFormat] = [.multipleChoice, .freeText]
    public let sceneKind = QuestionSceneKind.objects
    public let freeTextInstruction = "Answer with the shape name."

    public init() {}

    /// Chooses the relation first, uniformly among those some object can be asked about, so
    /// that the rarer "inside" and "next to" are not crowded out by the four directions.
    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        let references = ReferringExpression.referable(in: scene)
        var candidates: [Relation: [ReferringExpression]] = [:]
        for relation in Relation.allCases {
            candidates[relation] = references.filter {
                QuestionSupport.onlyObject(relation, to: $0.object, in: scene) != nil
            }.map(\.expression)
        }
        let askable = Relation.allCases.filter { !(candidates[$0] ?? []).isEmpty }
        guard let relation = QuestionRandom.pick(askable, rng: &rng),
            let reference = QuestionRandom.pick(candidates[relation] ?? [], rng: &rng)
        else { return nil }
        return reference.subjectEntries(role: "reference").merging(["relation": relation.rawValue]) { $1 }
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let reference = ReferringExpression(subject: subject, role: "reference"),
            let relation = subject["relation"].flatMap(Relation.init(rawValue:))
        else { return nil }
        return "Which shape is \(QuestionSupport.words(for: relation)) \(reference.phrase)?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let reference = ReferringExpression(subject: subject, role: "reference")?.resolve(in: scene),
            let relation = subject["relation"].flatMap(Relation.init(rawValue:))
        else { return nil }
        return QuestionSupport.onlyObject(relation, to: reference, in: scene)?.shape.rawValue
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(
            preferred: QuestionSupport.unique(scene.objects.map(\.shape.rawValue)),
            fallback: Shape.allCases.map(\.rawValue))
    }
}
