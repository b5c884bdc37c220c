import Foundation

/// Small, exact statistics for audits: intervals for proportions, tests of a difference,
/// multiple-testing correction, bootstrap intervals and quantiles.
///
/// Every function is deterministic; the bootstrap draws from a `SeededGenerator`.
public enum Statistics {
    // MARK: - Paired outcomes

    /// The mean of the per-item difference first − second of two paired successes (each item
    /// scored twice, e.g. a probe clean and perturbed), with a normal interval (95% by default) on that mean,
    /// clamped to [−1, 1].
    ///
    /// The two rates are not independent (both come from the same items), so the interval is
    /// on the differences d ∈ {−1, 0, 1}: mean ± z·s/√n with s the sample standard deviation.
    /// With fewer than two pairs the interval is the whole [−1, 1].
    public static func pairedDifference(
        _ first: [Bool], _ second: [Bool], confidence: Double = 0.95
    ) -> (mean: Double, low: Double, high: Double) {
        precondition(first.count == second.count, "paired outcomes need equal counts, got \(first.count) and \(second.count)")
        let n = first.count
        guard n > 0 else { return (0, -1, 1) }
        let differences = zip(first, second).map { Double($0 ? 1 : 0) - Double($1 ? 1 : 0) }
        let mean = differences.reduce(0, +) / Double(n)
        guard n > 1 else { return (mean, -1, 1) }
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let margin = NormalDistribution.criticalValue(confidence: confidence) * (variance / Double(n)).squareRoot()
        return (mean, max(-1, mean - margin), min(1, mean + margin))
    }

    // MARK: - Proportions

    /// The Wilson score interval for `successes` out of `total`.
    ///
    /// With p̂ = s/n and z the two-sided critical value,
    /// centre = (p̂ + z²/2n) / (1 + z²/n) and
    /// half-width = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).
    /// Unlike the normal (Wald) interval it stays inside [0, 1] and is sensible at 0/n and n/n.
    /// For `total == 0` the rate is 0 and the interval is the whole [0, 1].
    public static func wilson(successes: Int, total: Int, confidence: Double = 0.95) -> Proportion {
        precondition(total >= 0 && successes >= 0 && successes <= total, "need 0 ≤ successes ≤ total, got \(successes)/\(total)")
        guard total > 0 else { return Proportion(successes: 0, total: 0, rate: 0, low: 0, high: 1) }
        let n = Double(total), p = Double(successes) / n
        let z = NormalDistribution.criticalValue(confidence: confidence)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At 0/n and n/n the bound equals 0 or 1 exactly in real arithmetic; clamp rounding.
        let low = successes == 0 ? 0 : max(0, centre - halfWidth)
        let high = successes == total ? 1 : min(1, centre + halfWidth)
        return Proportion(successes: successes, total: total, rate: p, low: low, high: high)
    }

    /// Two-sided p-value of the pooled two-proportion z-test of H0: p₁ = p₂.
    ///
    /// p̂ = (s₁ + s₂)/(n₁ + n₂), z = (s₁/n₁ − s₂/n₂) / √(p̂(1 − p̂)(1/n₁ + 1/n₂)),
    /// p = P(|Z| ≥ |z|). The normal approximation needs every expected cell count to be about
    /// 5 or more; use `fisherExact` (or `differencePValue`) for smaller tables.
    /// Returns 1 when either group is empty or both groups are all-success or all-failure.
    public static func twoProportionZTest(successes1: Int, total1: Int, successes2: Int, total2: Int) -> Double {
        checkTable(successes1, total1, successes2, total2)
        guard total1 > 0, total2 > 0 else { return 1 }
        let n1 = Double(total1), n2 = Double(total2)
        let pooled = Double(successes1 + successes2) / (n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        guard variance > 0 else { return 1 }
        let z = (Double(successes1) / n1 - Double(successes2) / n2) / variance.squareRoot()
        return NormalDistribution.twoSidedTail(z)
    }

    /// Two-sided p-value of Fisher's exact test on the 2×2 table
    /// [[s₁, n₁ − s₁], [s₂, n₂ − s₂]].
    ///
    /// With the margins fixed, the count in the top-left cell is hypergeometric:
    /// P(x) = C(n₁, x)·C(n₂, k − x) / C(n₁ + n₂, k), k = s₁ + s₂. The p-value sums P(x) over
    /// every table at most as probable as the observed one (with a relative tolerance of 1e-7
    /// so that ties are not lost to rounding), as R's `fisher.test` does.
    public static func fisherExact(successes1: Int, total1: Int, successes2: Int, total2: Int) -> Double {
        checkTable(successes1, total1, successes2, total2)
        let k = successes1 + successes2, n = total1 + total2
        guard total1 > 0, total2 > 0, k > 0, k < n else { return 1 }
        let logDenominator = logChoose(n, k)
        func logProbability(_ x: Int) -> Double { logChoose(total1, x) + logChoose(total2, k - x) - logDenominator }
        let observed = logProbability(successes1)
        let tolerance = log1p(1e-7)
        var sum = 0.0
        for x in max(0, k - total2)...min(total1, k) {
            let lp = logProbability(x)
            if lp <= observed + tolerance { sum += exp(lp) }
        }
        return min(1, sum)
    }

    /// The two-sided p-value for a difference of two proportions: Fisher's exact test when
    /// the smallest expected cell count is below 5 (where the z-test's normal approximation is
    /// poor), the pooled z-test otherwise.
    public static func differencePValue(successes1: Int, total1: Int, successes2: Int, total2: Int) -> Double {
        checkTable(successes1, total1, successes2, total2)
        let n = Double(total1 + total2)
        guard n > 0 else { return 1 }
        let successes = Double(successes1 + successes2), failures = n - successes
        let smallestExpected = min(Double(total1), Double(total2)) * min(successes, failures) / n
        return smallestExpected < 5
            ? fisherExact(successes1: successes1, total1: total1, successes2: successes2, total2: total2)
            : twoProportionZTest(successes1: successes1, total1: total1, successes2: successes2, total2: total2)
    }

    // MARK: - Multiple testing

    /// Benjamini–Hochberg q-values (adjusted p-values), in the order of `pValues`.
    ///
    /// With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎,
    /// q₍ᵢ₎ = min over j ≥ i of min(1, m·p₍ⱼ₎ / j). Rejecting every test with q ≤ α controls the
    /// false discovery rate at α for independent or positively dependent tests.
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        precondition(pValues.allSatisfy { $0 >= 0 && $0 <= 1 }, "p-values must lie in [0, 1]")
        let m = pValues.count
        // Ties are broken by position so that the result does not depend on sort stability.
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var qValues = [Double](repeating: 1, count: m)
        var runningMinimum = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let index = order[rank - 1]
            runningMinimum = min(runningMinimum, Double(m) * pValues[index] / Double(rank))
            qValues[index] = runningMinimum
        }
        return qValues
    }

    // MARK: - Quantiles

    /// The p-quantile of `values` by linear interpolation between order statistics (Hyndman
    /// and Fan's type 7, the default of R and NumPy): h = (n − 1)·p,
    /// Q = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) on the sorted values (0-based).
    /// Returns nil for an empty array.
    public static func quantile(_ values: [Double], _ p: Double) -> Double? {
        quantiles(values, at: [p]).first ?? nil
    }

    /// Several quantiles of `values` at once (one sort); nil entries for an empty array.
    public static func quantiles(_ values: [Double], at probabilities: [Double]) -> [Double?] {
        precondition(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 }, "quantile probabilities must lie in [0, 1]")
        precondition(values.allSatisfy { !$0.isNaN }, "quantiles of NaN are undefined")
        guard !values.isEmpty else { return probabilities.map { _ in nil } }
        let sorted = values.sorted()
        return probabilities.map { sortedQuantile(sorted, $0) }
    }

    /// The median and 95th percentile (type 7), e.g. of latencies.
    public static func p50p95(_ values: [Double]) -> (p50: Double, p95: Double)? {
        let q = quantiles(values, at: [0.5, 0.95])
        guard let p50 = q[0], let p95 = q[1] else { return nil }
        return (p50, p95)
    }

    // MARK: - Bootstrap

    /// A percentile bootstrap interval: the statistic on the sample, and the (1 − c)/2 and
    /// (1 + c)/2 quantiles (type 7) of the statistic over `resamples` resamples drawn with
    /// replacement.
    ///
    /// Draws come from `SeededGenerator(seed:)` through an unbiased bounded draw written here
    /// (not the standard library's, whose algorithm may change between Swift versions), so the
    /// same seed gives the same interval everywhere.
    public static func percentileBootstrap<Element>(
        _ sample: [Element], resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64,
        statistic: ([Element]) -> Double
    ) -> BootstrapInterval {
        precondition(!sample.isEmpty, "cannot bootstrap an empty sample")
        precondition(resamples > 0, "need at least one resample")
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        var generator = SeededGenerator(seed: seed)
        var replicate = sample
        var replicates = [Double]()
        replicates.reserveCapacity(resamples)
        for _ in 0..<resamples {
            for i in replicate.indices { replicate[i] = sample[boundedDraw(sample.count, using: &generator)] }
            replicates.append(statistic(replicate))
        }
        replicates.sort()
        let alpha = 1 - confidence
        return BootstrapInterval(
            estimate: statistic(sample), low: sortedQuantile(replicates, alpha / 2),
            high: sortedQuantile(replicates, 1 - alpha / 2), resamples: resamples, confidence: confidence)
    }

    // MARK: - Helpers

    /// log C(n, k) through the log-gamma function.
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    private static func sortedQuantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lower = Int(h.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-shift with rejection: no modulo bias).
    private static func boundedDraw(_ bound: Int, using generator: inout SeededGenerator) -> Int {
        let range = UInt64(bound)
        var product = generator.next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = generator.next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    private static func checkTable(_ s1: Int, _ n1: Int, _ s2: Int, _ n2: Int) {
        precondition(s1 >= 0 && s1 <= n1 && s2 >= 0 && s2 <= n2, "need 0 ≤ successes ≤ total, got \(s1)/\(n1) and \(s2)/\(n2)")
    }
}

/// A bootstrap estimate with its percentile interval.
public struct BootstrapInterval: Codable, Sendable, Equatable {
    /// The statistic on the original sample.
    public var estimate: Double
    public var low: Double
    public var high: Double
    public var resamples: Int
    public var confidence: Double

    public init(estimate: Double, low: Double, high: Double, resamples: Int, confidence: Double) {
        self.estimate = estimate
        self.low = low
        self.high = high
        self.resamples = resamples
        self.confidence = confidence
    }
}
