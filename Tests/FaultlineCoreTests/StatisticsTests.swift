import FaultlineCore
import Foundation
import Testing

private func close(_ a: Double, _ b: Double, tolerance: Double) -> Bool { abs(a - b) <= tolerance }

@Suite("Statistics")
struct StatisticsTests {
    @Test("Wilson interval matches hand-computed values")
    func wilson() {
        // 8/10: p̂ = 0.8, z² / n = 0.38415, centre 0.71674, half-width 0.22658.
        let eight = Statistics.wilson(successes: 8, total: 10)
        #expect(eight.successes == 8 && eight.total == 10 && eight.rate == 0.8)
        #expect(close(eight.low, 0.490162, tolerance: 1e-6))
        #expect(close(eight.high, 0.943318, tolerance: 1e-6))

        let none = Statistics.wilson(successes: 0, total: 10)
        #expect(none.low == 0)
        #expect(close(none.high, 0.277533, tolerance: 1e-6))
        let all = Statistics.wilson(successes: 10, total: 10)
        #expect(close(all.low, 0.722467, tolerance: 1e-6))
        #expect(all.high == 1)

        let one = Statistics.wilson(successes: 1, total: 3)
        #expect(close(one.low, 0.061492, tolerance: 1e-6))
        #expect(close(one.high, 0.792340, tolerance: 1e-6))

        #expect(Statistics.wilson(successes: 0, total: 0) == Proportion(successes: 0, total: 0, rate: 0, low: 0, high: 1))
        // A wider confidence level gives a wider interval around the same rate.
        let wide = Statistics.wilson(successes: 8, total: 10, confidence: 0.99)
        #expect(wide.low < eight.low && wide.high > eight.high)
    }

    @Test("normal distribution: cdf, tails and critical values")
    func normal() {
        #expect(close(NormalDistribution.cdf(1.96), 0.9750021048517795, tolerance: 1e-12))
        #expect(close(NormalDistribution.cdf(0), 0.5, tolerance: 1e-15))
        #expect(close(NormalDistribution.criticalValue(confidence: 0.95), 1.959963984540054, tolerance: 1e-12))
        #expect(close(NormalDistribution.criticalValue(confidence: 0.99), 2.5758293035489004, tolerance: 1e-12))
        #expect(close(NormalDistribution.quantile(0.5), 0, tolerance: 1e-15))
        for p in [1e-10, 0.001, 0.02, 0.3, 0.7, 0.98, 0.999] {
            #expect(close(NormalDistribution.cdf(NormalDistribution.quantile(p)), p, tolerance: p * 1e-10))
        }
        // Far tails come from erfc directly, not 1 − cdf, so they do not round to zero.
        #expect(NormalDistribution.twoSidedTail(10) > 0)
        #expect(close(NormalDistribution.twoSidedTail(10), 1.5239706048321186e-23, tolerance: 1e-35))
    }

    @Test("two-proportion z-test against a hand-worked example")
    func zTest() {
        // 40/50 vs 30/50: pooled 0.7, se = √(0.7·0.3·(2/50)) = 0.091652, z = 2.18218.
        let p = Statistics.twoProportionZTest(successes1: 40, total1: 50, successes2: 30, total2: 50)
        #expect(close(p, 0.029096331741252226, tolerance: 1e-12))
        #expect(Statistics.twoProportionZTest(successes1: 30, total1: 50, successes2: 40, total2: 50) == p)
        #expect(Statistics.twoProportionZTest(successes1: 50, total1: 50, successes2: 20, total2: 20) == 1)
        #expect(Statistics.twoProportionZTest(successes1: 0, total1: 0, successes2: 3, total2: 20) == 1)
    }

    @Test("Fisher's exact test against known tables")
    func fisher() {
        // Fisher's tea-tasting table [[3, 1], [1, 3]].
        #expect(close(Statistics.fisherExact(successes1: 3, total1: 4, successes2: 1, total2: 4), 0.4857142857142857, tolerance: 1e-12))
        // [[1, 9], [11, 3]], the table of R's fisher.test documentation: p = 0.002759.
        #expect(close(Statistics.fisherExact(successes1: 1, total1: 10, successes2: 11, total2: 14), 0.002759456185220083, tolerance: 1e-12))
        #expect(Statistics.fisherExact(successes1: 5, total1: 5, successes2: 7, total2: 7) == 1)
    }

    @Test("differencePValue uses Fisher for small expected counts and the z-test otherwise")
    func differenceChoosesTest() {
        #expect(Statistics.differencePValue(successes1: 3, total1: 4, successes2: 1, total2: 4)
            == Statistics.fisherExact(successes1: 3, total1: 4, successes2: 1, total2: 4))
        #expect(Statistics.differencePValue(successes1: 40, total1: 50, successes2: 30, total2: 50)
            == Statistics.twoProportionZTest(successes1: 40, total1: 50, successes2: 30, total2: 50))
        // 2 failures in 200: expected failures per group are 1, so Fisher.
        #expect(Statistics.differencePValue(successes1: 98, total1: 100, successes2: 100, total2: 100)
            == Statistics.fisherExact(successes1: 98, total1: 100, successes2: 100, total2: 100))
    }

    @Test("Benjamini–Hochberg q-values against a hand-worked example")
    func benjaminiHochberg() {
        // Sorted: 0.005, 0.01, 0.03, 0.04, 0.5 → m·p/rank = 0.025, 0.025, 0.05, 0.05, 0.5;
        // the running minimum from the top changes nothing here.
        let q = Statistics.benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5])
        let expected = [0.025, 0.05, 0.05, 0.025, 0.5]
        for (got, want) in zip(q, expected) { #expect(close(got, want, tolerance: 1e-15)) }
        // Step-up: 2·0.02/1 = 0.04 is lowered to the larger p-value's 2·0.021/2 = 0.021.
        let stepUp = Statistics.benjaminiHochberg([0.02, 0.021])
        #expect(close(stepUp[0], 0.021, tolerance: 1e-15) && close(stepUp[1], 0.021, tolerance: 1e-15))
        #expect(Statistics.benjaminiHochberg([0.9, 0.8]) == [0.9, 0.9])
        #expect(Statistics.benjaminiHochberg([]) == [])
    }

    @Test("quantiles interpolate between order statistics (type 7)")
    func quantiles() {
        #expect(Statistics.quantile([4, 1, 3, 2], 0.5) == 2.5)
        #expect(close(Statistics.quantile([4, 1, 3, 2], 0.95)!, 3.85, tolerance: 1e-12))
        #expect(Statistics.quantile([4, 1, 3, 2], 0) == 1)
        #expect(Statistics.quantile([4, 1, 3, 2], 1) == 4)
        #expect(Statistics.quantile([7], 0.95) == 7)
        #expect(Statistics.quantile([], 0.5) == nil)
        let summary = Statistics.p50p95((1...100).map(Double.init))
        #expect(summary?.p50 == 50.5)
        #expect(close(summary!.p95, 95.05, tolerance: 1e-12))
    }

    @Test("percentile bootstrap is seeded and brackets the estimate")
    func bootstrap() {
        let sample = (1...100).map(Double.init)
        let mean: ([Double]) -> Double = { $0.reduce(0, +) / Double($0.count) }
        let interval = Statistics.percentileBootstrap(sample, resamples: 2000, seed: 7, statistic: mean)
        #expect(interval.estimate == 50.5)
        // The mean's standard error is 29.0/√100 ≈ 2.9, so the 95% interval is about ±5.7.
        #expect(interval.low < 50.5 && interval.high > 50.5)
        #expect(interval.low > 43 && interval.high < 58)
        #expect(interval.high - interval.low > 8 && interval.high - interval.low < 15)
        let again = Statistics.percentileBootstrap(sample, resamples: 2000, seed: 7, statistic: mean)
        #expect(again == interval)
        let otherSeed = Statistics.percentileBootstrap(sample, resamples: 2000, seed: 8, statistic: mean)
        #expect(otherSeed != interval)
        let constant = Statistics.percentileBootstrap([3.0, 3.0, 3.0], resamples: 50, seed: 1, statistic: mean)
        #expect(constant.low == 3 && constant.high == 3)
    }
}
