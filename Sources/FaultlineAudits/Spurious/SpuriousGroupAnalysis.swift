import FaultlineCore

/// Scores counterfactual groups: per model and candidate, accuracy on anchors (cue present)
/// and counterfactuals (cue removed), and the paired gap. A cue is confirmed for a model when
/// it was mined from that model's own answers, the gap is at least `minimumGap`, and the gap's
/// interval lies above zero at the Bonferroni-corrected level 1 − 0.05/m, m the number of
/// candidates mined from that model (several are confirmed at once, so a plain 95% interval
/// would let through about one borderline cue in twenty): both kinds of evidence,
/// association and intervention, come from the same model. A model that also loses accuracy on another model's cue is reported
/// as affected, not as having that cue (a phrase it never saw in training can still distract it).
public struct SpuriousGroupAnalysis: Sendable {
    /// The smallest gap that confirms a cue.
    public var minimumGap: Double = 0.10
    /// Fewer pairs than this never confirm a cue.
    public var minimumPairs: Int = 20

    public init() {}

    /// Results for every model and request of a group run. `minedFrom` names, per request
    /// index, the model(s) the candidate came from.
    public func results(
        _ answers: [AnsweredProbe], requests: [SpuriousGroupSource.Request], minedFrom: [Int: String]
    ) -> [SpuriousGroupResult] {
        struct Side { var correct: Bool; var saysCue: Bool; var id: String }
        struct Key: Hashable, Comparable {
            var model: String
            var request: Int
            static func < (a: Key, b: Key) -> Bool { (a.model, a.request) < (b.model, b.request) }
        }
        var sides: [Key: [String: (anchor: Side?, counter: Side?)]] = [:]  // pair → its two sides
        for answer in answers where answer.outcome != .error {
            let factors = answer.probe.lineage.factors
            guard let request = factors[SpuriousGroupSource.requestFactor], let pair = factors[SpuriousGroupSource.pairFactor],
                let role = factors[SpuriousGroupSource.roleFactor], let index = Int(request), requests.indices.contains(index)
            else { continue }
            let side = Side(
                correct: answer.outcome == .correct, saysCue: answer.answerValue == requests[index].answer, id: answer.probe.id)
            let key = Key(model: answer.modelKey, request: index)
            var entry = sides[key, default: [:]][pair] ?? (nil, nil)
            if role == SpuriousGroupSource.anchorRole { entry.anchor = side } else { entry.counter = side }
            sides[key, default: [:]][pair] = entry
        }
        // The family sizes of the corrections: candidates mined from each model, and all.
        var minedCounts: [String: Int] = [:]
        for models in minedFrom.values {
            for model in models.components(separatedBy: ", ") { minedCounts[model, default: 0] += 1 }
        }
        var results: [SpuriousGroupResult] = []
        for key in sides.keys.sorted() {
            let index = key.request
            let complete = sides[key]!.keys.sorted().compactMap { pair -> (Side, Side)? in
                guard let a = sides[key]![pair]!.anchor, let c = sides[key]![pair]!.counter else { return nil }
                return (a, c)
            }
            let anchors = complete.map(\.0.correct), counters = complete.map(\.1.correct)
            let gap = Statistics.pairedDifference(counters, anchors)
            let request = requests[index]
            let model = key.model
            let mined = (minedFrom[index] ?? "").components(separatedBy: ", ").contains(model)
            results.append(
                SpuriousGroupResult(
                    model: model, cue: request.cue, answer: request.answer, minedFrom: minedFrom[index] ?? "",
                    pairs: complete.count,
                    anchorAccuracy: Statistics.wilson(successes: anchors.filter { $0 }.count, total: complete.count),
                    counterfactualAccuracy: Statistics.wilson(successes: counters.filter { $0 }.count, total: complete.count),
                    gap: gap.mean, gapLow: gap.low, gapHigh: gap.high,
                    anchorSaysCueAnswer: Statistics.wilson(successes: complete.filter(\.0.saysCue).count, total: complete.count),
                    confirmed: mined && complete.count >= minimumPairs && gap.mean >= minimumGap
                        && Statistics.pairedDifference(
                            counters, anchors, confidence: 1 - 0.05 / Double(max(1, minedCounts[model] ?? 1))).low > 0,
                    affected: complete.count >= minimumPairs && gap.mean >= minimumGap
                        && Statistics.pairedDifference(counters, anchors, confidence: 1 - 0.05 / Double(max(1, requests.count))).low > 0,
                    examplePairs: complete.filter { !$0.0.correct && $0.1.correct }.prefix(4).map { [$0.0.id, $0.1.id] }))
        }
        return results
    }
}
