import Foundation
import Testing

@testable import FaultlineCore

@Suite("Modality-interference metrics")
struct InterferenceMetricsTests {
    /// Four probes: one flips right → wrong, one wrong → right, one changes a wrong answer
    /// for another wrong one, one stays right.
    static let pairs = [
        PerturbedPair(probeID: "a", cleanAnswer: "A", perturbedAnswer: "B", cleanCorrect: true, perturbedCorrect: false,
                      cleanDistribution: ["A": 0.8, "B": 0.2], perturbedDistribution: ["A": 0.4, "B": 0.6]),
        PerturbedPair(probeID: "b", cleanAnswer: "C", perturbedAnswer: "A", cleanCorrect: false, perturbedCorrect: true),
        PerturbedPair(probeID: "c", cleanAnswer: "C", perturbedAnswer: "D", cleanCorrect: false, perturbedCorrect: false),
        PerturbedPair(probeID: "d", cleanAnswer: "B", perturbedAnswer: "B", cleanCorrect: true, perturbedCorrect: true,
                      cleanDistribution: ["A": 0.5, "B": 0.5], perturbedDistribution: ["A": 0.5, "B": 0.5]),
    ]

    @Test("δ_cp, accuracies and the paired accuracy drop match the hand count")
    func counts() {
        let metrics = InterferenceMetrics(pairs: Self.pairs)
        #expect(metrics.flipRate.successes == 3 && metrics.flipRate.total == 4)
        #expect(metrics.cleanAccuracy.successes == 2 && metrics.perturbedAccuracy.successes == 2)
        // d = (1, −1, 0, 0): mean 0, sample variance 2/3, margin 1.96·√(2/3 / 4).
        #expect(metrics.accuracyDrop == 0)
        let margin = NormalDistribution.criticalValue(confidence: 0.95) * ((2.0 / 3.0) / 4).squareRoot()
        #expect(abs(metrics.accuracyDropHigh - margin) < 1e-12)
        #expect(abs(metrics.accuracyDropLow + margin) < 1e-12)
    }

    @Test("KL, JS and total variation are the means over the pairs with distributions, by hand")
    func distributions() throws {
        let metrics = InterferenceMetrics(pairs: Self.pairs)
        #expect(metrics.distributionPairs == 2)
        // Pair a: KL = 0.8 ln(0.8/0.4) + 0.2 ln(0.2/0.6); m = (0.6, 0.4);
        // JS = ½[0.8 ln(0.8/0.6) + 0.2 ln(0.2/0.4)] + ½[0.4 ln(0.4/0.6) + 0.6 ln(0.6/0.4)];
        // TV = ½(0.4 + 0.4) = 0.4. Pair d contributes 0 to each.
        let kl = 0.8 * log(2.0) + 0.2 * log(1.0 / 3.0)
        let js = 0.5 * (0.8 * log(0.8 / 0.6) + 0.2 * log(0.5)) + 0.5 * (0.4 * log(0.4 / 0.6) + 0.6 * log(1.5))
        #expect(abs(try #require(metrics.meanKL) - kl / 2) < 1e-12)
        #expect(abs(try #require(metrics.meanJS) - js / 2) < 1e-12)
        #expect(abs(try #require(metrics.meanTotalVariation) - 0.2) < 1e-12)
    }

    @Test("distributions over different choices are aligned on their union, and KL stays finite")
    func alignment() throws {
        let pair = PerturbedPair(
            probeID: "x", cleanAnswer: "yes", perturbedAnswer: "no", cleanCorrect: true, perturbedCorrect: false,
            cleanDistribution: ["yes": 1], perturbedDistribution: ["no": 1])
        let metrics = InterferenceMetrics(pairs: [pair])
        let kl = try #require(metrics.meanKL)
        #expect(kl.isFinite && abs(kl - log(1 / InterferenceMetrics.probabilityFloor)) < 1e-9)
        #expect(abs(try #require(metrics.meanJS) - log(2.0)) < 1e-9)
        #expect(try #require(metrics.meanTotalVariation) == 1)
        #expect(InterferenceMetrics(pairs: []).meanKL == nil)
    }
}
