import Foundation

/// One probe answered twice: as made, and with one perturbation of the modality its answer
/// does not need (text added to an image question, an image added to a text question).
public struct PerturbedPair: Codable, Sendable, Equatable {
    public var probeID: String
    /// The chosen answers, in any form that is equal exactly when the choice is (the interference
    /// analysis passes `AnswerValue`s).
    public var cleanAnswer: String
    public var perturbedAnswer: String
    public var cleanCorrect: Bool
    public var perturbedCorrect: Bool
    /// The answer distributions, where the backend gives them (keys are the choices).
    public var cleanDistribution: [String: Double]?
    public var perturbedDistribution: [String: Double]?

    public init(
        probeID: String, cleanAnswer: String, perturbedAnswer: String, cleanCorrect: Bool, perturbedCorrect: Bool,
        cleanDistribution: [String: Double]? = nil, perturbedDistribution: [String: Double]? = nil
    ) {
        self.probeID = probeID
        self.cleanAnswer = cleanAnswer
        self.perturbedAnswer = perturbedAnswer
        self.cleanCorrect = cleanCorrect
        self.perturbedCorrect = perturbedCorrect
        self.cleanDistribution = cleanDistribution
        self.perturbedDistribution = perturbedDistribution
    }
}

/// The modality-interference metrics of one model under one perturbation (methods.md §3):
/// δ_cp, the share of probes whose chosen answer flips; the accuracy drop; and, over the
/// pairs with answer distributions, the mean KL and Jensen–Shannon divergences and total
/// variation distance from the clean to the perturbed distribution.
public struct InterferenceMetrics: Codable, Sendable, Equatable {
    /// δ_cp with its 95% Wilson interval.
    public var flipRate: Proportion
    public var cleanAccuracy: Proportion
    public var perturbedAccuracy: Proportion
    /// Clean minus perturbed accuracy, with a 95% interval for the paired difference.
    public var accuracyDrop: Double
    public var accuracyDropLow: Double
    public var accuracyDropHigh: Double
    /// Means over the pairs with both distributions (nil when there are none), in nats.
    public var meanKL: Double?
    public var meanJS: Double?
    public var meanTotalVariation: Double?
    /// How many pairs the distribution figures are over.
    public var distributionPairs: Int

    /// Probabilities below this are raised to it before logarithms, so that an answer one
    /// side never gives does not make KL infinite.
    public static let probabilityFloor = 1e-6

    public init(pairs: [PerturbedPair]) {
        let n = pairs.count
        flipRate = Statistics.wilson(successes: pairs.filter { $0.cleanAnswer != $0.perturbedAnswer }.count, total: n)
        cleanAccuracy = Statistics.wilson(successes: pairs.filter(\.cleanCorrect).count, total: n)
        perturbedAccuracy = Statistics.wilson(successes: pairs.filter(\.perturbedCorrect).count, total: n)
        let drop = Statistics.pairedDifference(pairs.map(\.cleanCorrect), pairs.map(\.perturbedCorrect))
        accuracyDrop = drop.mean
        accuracyDropLow = drop.low
        accuracyDropHigh = drop.high

        var kl = 0.0, js = 0.0, tv = 0.0, counted = 0
        for pair in pairs {
            guard let p = pair.cleanDistribution, let q = pair.perturbedDistribution else { continue }
            let (clean, perturbed) = Self.aligned(p, q)
            kl += Self.kullbackLeibler(clean, perturbed)
            js += Self.jensenShannon(clean, perturbed)
            tv += zip(clean, perturbed).reduce(0) { $0 + abs($1.0 - $1.1) } / 2
            counted += 1
        }
        distributionPairs = counted
        meanKL = counted > 0 ? kl / Double(counted) : nil
        meanJS = counted > 0 ? js / Double(counted) : nil
        meanTotalVariation = counted > 0 ? tv / Double(counted) : nil
    }

    /// Both distributions over the union of their keys (sorted), each normalised to sum 1.
    static func aligned(_ p: [String: Double], _ q: [String: Double]) -> ([Double], [Double]) {
        let keys = Set(p.keys).union(q.keys).sorted()
        func normalised(_ d: [String: Double]) -> [Double] {
            let values = keys.map { max(0, d[$0] ?? 0) }
            let total = values.reduce(0, +)
            return total > 0 ? values.map { $0 / total } : values.map { _ in 1 / Double(keys.count) }
        }
        return (normalised(p), normalised(q))
    }

    /// KL(p ‖ q) in nats, with both sides floored at `probabilityFloor`.
    static func kullbackLeibler(_ p: [Double], _ q: [Double]) -> Double {
        zip(p, q).reduce(0) { sum, pair in
            let (a, b) = (max(pair.0, probabilityFloor), max(pair.1, probabilityFloor))
            return pair.0 > 0 ? sum + pair.0 * Foundation.log(a / b) : sum
        }
    }

    /// JS(p, q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = ½ (p + q); in nats, at most ln 2.
    static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        let m = zip(p, q).map { ($0 + $1) / 2 }
        return (kullbackLeibler(p, m) + kullbackLeibler(q, m)) / 2
    }
}
