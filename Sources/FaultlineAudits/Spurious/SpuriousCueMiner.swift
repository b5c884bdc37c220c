import FaultlineCore
import Foundation

/// Mines candidate spurious cues from one model's answers to `SpuriousMiningSource` probes.
///
/// For every answer the model gave wrongly often enough, the probes *at risk* are those whose
/// right answer is another one while this answer was possible (an option, or an answer the
/// same question template gives elsewhere in the sample). Over them, each cue is tested for
/// pulling towards the answer: is "the model says it" more frequent with the cue present? (A
/// lead-in phrase is compared with the other phrases rather than with none.)
///
/// The test is an exact permutation test stratified by question template: under the null
/// hypothesis every assignment of the cue labels within a template is equally likely, so the
/// number of at-risk probes that carry the cue and got the answer is a sum of independent
/// hypergeometric counts, one per template; its distribution is computed by convolution, which
/// gives the p-value every random permutation would approach, without sampling noise.
/// Stratifying keeps templates whose answers differ in kind from posing as cues. Mutual
/// information and Theil's U measure the size of the association; Benjamini–Hochberg
/// controls the false discovery rate over every answer × cue pair tested.
public struct SpuriousCueMiner: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Fewer wrong answers with the cue than this are not tested.
        public var minimumCueAnswers: Int = 5
        /// Probes with the cue, and without it, needed for a test (the test is exact, so small
        /// groups are allowed; they simply rarely reach significance).
        public var minimumGroup: Int = 5
        /// The smallest lift (rate with cue − rate without) reported.
        public var minimumLift: Double = 0.10
        /// The largest q-value reported.
        public var maximumQ: Double = 0.01

        public init() {}
    }

    /// What the miner needs of one answered probe.
    public struct Observation: Sendable, Equatable {
        public var probeID: String
        public var template: String
        public var ability: Ability
        /// The right answer and the model's, as `AnswerValue`s.
        public var truth: String
        public var predicted: String
        /// The answers this probe could have had (its options, or its template's answers).
        public var possible: Set<String>
        public var cues: Set<CueIdentity>
        /// The question's first line (its stem), for telling evidence from nuisance.
        public var question: String

        public init(
            probeID: String, template: String, ability: Ability, truth: String, predicted: String,
            possible: Set<String>, cues: Set<CueIdentity>, question: String = ""
        ) {
            self.probeID = probeID
            self.template = template
            self.ability = ability
            self.truth = truth
            self.predicted = predicted
            self.possible = possible
            self.cues = cues
            self.question = question
        }
    }

    public var settings: Settings

    public init(settings: Settings = .init()) {
        self.settings = settings
    }

    /// Observations per model from stored answers; probes whose answer could not be read are left out.
    public static func observations(_ answers: [AnsweredProbe]) -> [String: [Observation]] {
        let templateAnswers = templateAnswers(answers)
        var byModel: [String: [Observation]] = [:]
        var cueCache: [String: Set<CueIdentity>] = [:]
        for answer in answers {
            guard let predicted = answer.answerValue else { continue }
            let probe = answer.probe
            let template = probe.lineage.factors["template"] ?? "?"
            let cues = cueCache[probe.id] ?? CueScan.cues(in: probe)
            cueCache[probe.id] = cues
            let possible = Set(AnswerValue.offered(probe.expected) ?? []).union(templateAnswers[template] ?? [])
            byModel[answer.modelKey, default: []].append(
                Observation(
                    probeID: probe.id, template: template, ability: probe.ability,
                    truth: AnswerValue.expected(probe.expected), predicted: predicted, possible: possible, cues: cues,
                    question: String(probe.prompt.prefix { $0 != "\n" })))
        }
        return byModel
    }

    /// Each question template's answer space: every right answer it had among `answers`.
    public static func templateAnswers(_ answers: [AnsweredProbe]) -> [String: Set<String>] {
        var spaces: [String: Set<String>] = [:]
        for answer in answers {
            spaces[answer.probe.lineage.factors["template"] ?? "?", default: []].insert(AnswerValue.expected(answer.probe.expected))
        }
        return spaces
    }

    /// Every answer × cue pair tested for `model`, with q-values; `candidates(from:)` keeps the reportable ones.
    public func test(_ observations: [Observation], model: String) -> [SpuriousCandidate] {
        var wrongCounts: [String: Int] = [:]
        for observation in observations where observation.predicted != observation.truth {
            wrongCounts[observation.predicted, default: 0] += 1
        }
        struct Tested {
            var cue: CueIdentity, answer: String, table: (n11: Int, n1: Int, n01: Int, n0: Int), p: Double
            var examples: [String]
        }
        var tested: [Tested] = []
        for answer in wrongCounts.keys.sorted() where wrongCounts[answer]! >= settings.minimumCueAnswers {
            let atRisk = observations.filter { $0.truth != answer && $0.possible.contains(answer) }
            var cueHits: [CueIdentity: Int] = [:]
            for observation in atRisk where observation.predicted == answer {
                for cue in observation.cues
                where !CueScan.isEvidence(cue, answer: answer, ability: observation.ability, question: observation.question) {
                    cueHits[cue, default: 0] += 1
                }
            }
            for cue in cueHits.keys.sorted() where cueHits[cue]! >= settings.minimumCueAnswers {
                // A phrase is compared with the other phrases, not with no phrase: a model that
                // changes its answers whenever any words come before a question (which the
                // interference audit measures) has not learnt this phrase.
                let isLeadIn = cue.attribute == CueIdentity.leadInAttribute
                let sample = atRisk.filter {
                    !CueScan.isEvidence(cue, answer: answer, ability: $0.ability, question: $0.question)
                        && (!isLeadIn || $0.cues.contains { $0.attribute == CueIdentity.leadInAttribute })
                }
                let withCue = sample.filter { $0.cues.contains(cue) }
                let n1 = withCue.count, n0 = sample.count - n1
                guard n1 >= settings.minimumGroup, n0 >= settings.minimumGroup else { continue }
                let n11 = withCue.filter { $0.predicted == answer }.count
                let n01 = sample.filter { !$0.cues.contains(cue) && $0.predicted == answer }.count
                guard Double(n11) / Double(n1) > Double(n01) / Double(n0) else { continue }
                let p = Self.stratifiedPermutationPValue(
                    strata: Dictionary(grouping: sample, by: \.template).values.map { group in
                        (items: group.count, positives: group.filter { $0.predicted == answer }.count,
                         marked: group.filter { $0.cues.contains(cue) }.count)
                    }, observed: n11)
                let examples = withCue.filter { $0.predicted == answer }.prefix(6).map(\.probeID)
                tested.append(Tested(cue: cue, answer: answer, table: (n11, n1, n01, n0), p: p, examples: Array(examples)))
            }
        }
        let q = Statistics.benjaminiHochberg(tested.map(\.p))
        return zip(tested, q).map { test, q in
            let (n11, n1, n01, n0) = test.table
            let (mi, u) = Self.association(n11: n11, n10: n1 - n11, n01: n01, n00: n0 - n01)
            return SpuriousCandidate(
                model: model, cue: test.cue, answer: test.answer,
                withCue: Statistics.wilson(successes: n11, total: n1), withoutCue: Statistics.wilson(successes: n01, total: n0),
                mutualInformationBits: mi, theilsU: u, pValue: test.p, qValue: q, exampleProbeIDs: test.examples)
        }
    }

    /// The tested pairs that pass the thresholds, largest lift first (then q).
    ///
    /// Why lift first: every candidate here is already significant, and a cap on how many go
    /// to confirmation should keep the largest effects. Ordered by q, a common cue with a
    /// 13-point lift ranked above a rarer planted one with 93 points.
    public func candidates(from tested: [SpuriousCandidate]) -> [SpuriousCandidate] {
        tested.filter { $0.qValue <= settings.maximumQ && $0.lift >= settings.minimumLift }
            .sorted { (-$0.lift, $0.qValue, $0.cue, $0.answer) < (-$1.lift, $1.qValue, $1.cue, $1.answer) }
    }

    // MARK: - Statistics

    /// P(T ≥ observed) where T = Σ T_s and T_s is hypergeometric: `marked` of a stratum's
    /// `items` drawn without replacement, `positives` of them successes. The tail is raised by
    /// a relative 1e-7 so that rounding never puts a p-value below its exact value.
    static func stratifiedPermutationPValue(
        strata: [(items: Int, positives: Int, marked: Int)], observed: Int
    ) -> Double {
        var distribution: [Double] = [1]
        // In a fixed order: the convolution's rounding depends on it, and callers may pass the
        // strata in a dictionary's order, which changes between processes.
        let ordered = strata.sorted { ($0.items, $0.positives, $0.marked) < ($1.items, $1.positives, $1.marked) }
        for stratum in ordered {
            let low = max(0, stratum.marked - (stratum.items - stratum.positives))
            let high = min(stratum.marked, stratum.positives)
            guard high >= low else { continue }
            let logTotal = logChoose(stratum.items, stratum.marked)
            var pmf = [Double](repeating: 0, count: high + 1)
            for t in low...high {
                pmf[t] = exp(
                    logChoose(stratum.positives, t) + logChoose(stratum.items - stratum.positives, stratum.marked - t)
                        - logTotal)
            }
            var next = [Double](repeating: 0, count: distribution.count + high)
            for (a, pa) in distribution.enumerated() where pa > 0 {
                for t in low...high { next[a + t] += pa * pmf[t] }
            }
            distribution = next
        }
        guard observed < distribution.count else { return 0 }
        let tail = distribution[observed...].reduce(0, +)
        return min(1, max(0, tail * (1 + 1e-7)))
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// Mutual information (bits) between cue and answer in a 2×2 table, and Theil's
    /// U(answer | cue) = I / H(answer) (0 when the answer never varies).
    static func association(n11: Int, n10: Int, n01: Int, n00: Int) -> (bits: Double, u: Double) {
        let total = Double(n11 + n10 + n01 + n00)
        guard total > 0 else { return (0, 0) }
        let cells = [[Double(n11), Double(n10)], [Double(n01), Double(n00)]]
        let rows = cells.map { $0.reduce(0, +) / total }
        let columns = [(cells[0][0] + cells[1][0]) / total, (cells[0][1] + cells[1][1]) / total]
        var information = 0.0
        for r in 0..<2 {
            for c in 0..<2 where cells[r][c] > 0 {
                let joint = cells[r][c] / total
                information += joint * log2(joint / (rows[r] * columns[c]))
            }
        }
        let entropy = -columns.filter { $0 > 0 }.reduce(0) { $0 + $1 * log2($1) }
        return (max(0, information), entropy > 0 ? max(0, information) / entropy : 0)
    }
}
