import FaultlineCore

/// "Is the red star left of the blue circle?" — and right of, above, below, inside, next to.
///
/// The relation is drawn among those the scene has both a "yes" and a "no" pair for, then
/// the answer, half and half, so that no relation's wording gives its answer away. "No" is
/// asked only where the statement is clearly false (the opposite direction holds, the
/// objects are far apart, the boxes do not meet), never for a borderline pair.
public struct RelationCheckTemplate: ComputedQuestionTemplate {
    public let id = "grounding.relation-check"
    public let ability = Ability.grounding
    public let formats: [AnswerFormat] = [.yesNo]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        let references = ReferringExpression.referable(in: scene)
        typealias Pair = (first: ReferringExpression, second: ReferringExpression)
        var yesPairs: [Relation: [Pair]] = [:]
        var noPairs: [Relation: [Pair]] = [:]
        for first in references {
            for second in references where second.object.id != first.object.id {
                for relation in Relation.allCases {
                    if QuestionSupport.holds(relation, from: first.object, to: second.object, in: scene) {
                        yesPairs[relation, default: []].append((first.expression, second.expression))
                    } else if QuestionSupport.contradicts(relation, from: first.object, to: second.object, in: scene) {
                        noPairs[relation, default: []].append((first.expression, second.expression))
                    }
                }
            }
        }
        let askable = Relation.allCases.filter { yesPairs[$0] != nil && noPairs[$0] != nil }
        guard let relation = QuestionRandom.pick(askable, rng: &rng) else { return nil }
        let wantYes = QuestionRandom.chance(0.5, rng: &rng)
        guard let pair = QuestionRandom.pick((wantYes ? yesPairs : noPairs)[relation] ?? [], rng: &rng) else {
            return nil
        }
        return pair.first.subjectEntries(role: "first").merging(pair.second.subjectEntries(role: "second")) { $1 }
            .merging(["relation": relation.rawValue]) { $1 }
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let first = ReferringExpression(subject: subject, role: "first"),
            let second = ReferringExpression(subject: subject, role: "second"),
            let relation = subject["relation"].flatMap(Relation.init(rawValue:))
        else { return nil }
        return "Is \(first.phrase) \(QuestionSupport.words(for: relation)) \(second.phrase)?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let first = ReferringExpression(subject: subject, role: "first")?.resolve(in: scene),
            let second = ReferringExpression(subject: subject, role: "second")?.resolve(in: scene),
            first.id != second.id, let relation = subject["relation"].flatMap(Relation.init(rawValue:))
        else { return nil }
        if QuestionSupport.holds(relation, from: first, to: second, in: scene) { return QuestionSupport.yes }
        if QuestionSupport.contradicts(relation, from: first, to: second, in: scene) { return QuestionSupport.no }
        return nil
    }
}
