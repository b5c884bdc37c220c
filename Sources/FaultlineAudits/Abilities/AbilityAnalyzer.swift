import FaultlineCore
import Foundation

/// The AbilityLens audit over judged responses: per model and ability, accuracy with a
/// Wilson interval, and stability across sub-suites (see `AbilityScore`) with a bootstrap
/// interval. Streams: it keeps counts per (model, ability, dimension, level) only.
public struct AbilityAnalyzer: Sendable {
    /// The lineage factors that define sub-suites, in the order reports list them.
    public static let defaultDimensions = [
        "format", "template", "background", "objects", "edit", "category", "l2-category", "question-type",
    ]

    public var dimensions: [String]
    /// Sub-suites smaller than this are shown but left out of the stability spread.
    public var minimumSubSuiteSize: Int
    public var bootstrapResamples: Int
    public var seed: UInt64

    private struct Tally: Sendable {
        var correct = 0
        var judged = 0
        var unparsed = 0
    }
    private struct Key: Hashable, Sendable {
        var model: String
        var ability: Ability
    }
    private var overall: [Key: Tally] = [:]
    private var bySubSuite: [Key: [String: [String: Tally]]] = [:]

    public init(
        dimensions: [String] = AbilityAnalyzer.defaultDimensions, minimumSubSuiteSize: Int = 20,
        bootstrapResamples: Int = 400, seed: UInt64 = 20_241_122
    ) {
        self.dimensions = dimensions
        self.minimumSubSuiteSize = minimumSubSuiteSize
        self.bootstrapResamples = bootstrapResamples
        self.seed = seed
    }

    /// Counts one judged response. Errors are left out of accuracy, as in the failure analysis.
    public mutating func add(_ row: JudgedProbe) {
        guard row.outcome != .error else { return }
        let key = Key(model: row.modelKey, ability: row.ability)
        let correct = row.outcome == .correct ? 1 : 0
        let unparsed = row.detail.hasPrefix("unparsed") ? 1 : 0
        overall[key, default: Tally()].judged += 1
        overall[key, default: Tally()].correct += correct
        overall[key, default: Tally()].unparsed += unparsed
        for dimension in dimensions {
            guard let level = row.factors[dimension] else { continue }
            bySubSuite[key, default: [:]][dimension, default: [:]][level, default: Tally()].judged += 1
            bySubSuite[key, default: [:]][dimension, default: [:]][level, default: Tally()].correct += correct
        }
    }

    /// The scores, sorted by model then ability (in `Ability.allCases` order).
    public func scores() -> [AbilityScore] {
        let abilityOrder = Dictionary(uniqueKeysWithValues: Ability.allCases.enumerated().map { ($1, $0) })
        let keys = overall.keys.sorted {
            ($0.model, abilityOrder[$0.ability] ?? 0) < ($1.model, abilityOrder[$1.ability] ?? 0)
        }
        return keys.map { key in
            let tally = overall[key] ?? Tally()
            var subSuites: [SubSuiteScore] = []
            for dimension in dimensions {
                guard let levels = bySubSuite[key]?[dimension], levels.count > 1 else { continue }
                for level in levels.keys.sorted() {
                    let t = levels[level]!
                    subSuites.append(
                        SubSuiteScore(
                            dimension: dimension, level: level,
                            accuracy: Statistics.wilson(successes: t.correct, total: t.judged)))
                }
            }
            let compared = subSuites.filter { $0.accuracy.total >= minimumSubSuiteSize }
            var stability: Double? = nil, low: Double? = nil, high: Double? = nil
            var weakest: String? = nil, strongest: String? = nil
            if compared.count >= 2 {
                let worst = compared.min { ($0.accuracy.rate, $0.dimension, $0.level) < ($1.accuracy.rate, $1.dimension, $1.level) }!
                let best = compared.max { ($0.accuracy.rate, $1.dimension, $1.level) < ($1.accuracy.rate, $0.dimension, $0.level) }!
                stability = 1 - (best.accuracy.rate - worst.accuracy.rate)
                weakest = "\(worst.dimension)=\(worst.level)"
                strongest = "\(best.dimension)=\(best.level)"
                (low, high) = bootstrapInterval(compared, key: key)
            }
            return AbilityScore(
                model: key.model, ability: key.ability,
                accuracy: Statistics.wilson(successes: tally.correct, total: tally.judged), stability: stability,
                stabilityLow: low, stabilityHigh: high, weakestSubSuite: weakest, strongestSubSuite: strongest,
                subSuites: subSuites, unparsedRate: tally.judged > 0 ? Double(tally.unparsed) / Double(tally.judged) : 0)
        }
    }

    /// Redraws each sub-suite's successes from Binomial(n, p̂) — the stratified bootstrap of
    /// binary outcomes — and takes the 2.5th and 97.5th percentiles of the stability.
    private func bootstrapInterval(_ subSuites: [SubSuiteScore], key: Key) -> (Double, Double) {
        let stream = UInt64(truncatingIfNeeded: "\(key.model)|\(key.ability.rawValue)".utf8.reduce(5381) { $0 &* 33 &+ Int($1) })
        var rng = SeededGenerator(seed: seed, stream: stream)
        var draws: [Double] = []
        draws.reserveCapacity(bootstrapResamples)
        for _ in 0..<bootstrapResamples {
            var lowest = 1.0, highest = 0.0
            for subSuite in subSuites {
                let n = subSuite.accuracy.total, p = subSuite.accuracy.rate
                var successes = 0
                for _ in 0..<n where rng.unit() < p { successes += 1 }
                let rate = Double(successes) / Double(n)
                lowest = min(lowest, rate)
                highest = max(highest, rate)
            }
            draws.append(1 - (highest - lowest))
        }
        let quantiles = Statistics.quantiles(draws, at: [0.025, 0.975])
        return (quantiles[0] ?? 0, quantiles[1] ?? 1)
    }
}
