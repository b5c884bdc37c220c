import FaultlineAudits
import FaultlineCore
import Foundation
import Testing

@Suite struct InterferenceAnalysisTests {
    static let expected = ExpectedAnswer(text: "A", format: .multipleChoice, choices: ["red", "blue", "green"])

    /// One stored answer; a perturbed probe names its clean parent and the perturbation.
    static func answer(
        _ id: String, model: String, said response: String?, _ outcome: Outcome, parent: String? = nil,
        transformation: String? = nil, probabilities: [String: Double]? = nil
    ) -> AnsweredProbe {
        let probe = Probe(
            id: id, images: [], prompt: "What colour is the circle?", expected: expected, ability: .attribute,
            lineage: Lineage(source: "interference", parent: parent, transformation: transformation, seed: 9))
        return AnsweredProbe(
            probe: probe, modelKey: model, outcome: outcome,
            response: response.map { ModelResponse(text: $0, choiceProbabilities: probabilities) })
    }

    static let misleading = InterferencePerturbation.misleadingDescription.rawValue

    /// Model m1 under the misleading description: c1 flips right → wrong, c2 keeps its answer
    /// ("A" and "A. red" are the same value), c3 flips wrong → right, c4 changes one wrong answer
    /// for another; c5 and c6 have an error on one side and an orphan has no clean parent.
    static let m1Answers: [AnsweredProbe] = [
        answer("c1", model: "m1", said: "A", .correct, probabilities: ["A": 0.7, "B": 0.2, "C": 0.1]),
        answer(
            "c1-mis", model: "m1", said: "B", .wrong, parent: "c1", transformation: misleading,
            probabilities: ["A": 0.2, "B": 0.7, "C": 0.1]),
        answer("c2", model: "m1", said: "A", .correct, probabilities: ["A": 0.9, "B": 0.1]),
        answer(
            "c2-mis", model: "m1", said: "A. red", .correct, parent: "c2", transformation: misleading,
            probabilities: ["A": 0.6, "B": 0.4]),
        answer("c3", model: "m1", said: "B", .wrong),
        answer("c3-mis", model: "m1", said: "A", .correct, parent: "c3", transformation: misleading),
        answer("c4", model: "m1", said: "C", .wrong),
        answer("c4-mis", model: "m1", said: "B", .wrong, parent: "c4", transformation: misleading),
        answer("c5", model: "m1", said: nil, .error),
        answer("c5-mis", model: "m1", said: "A", .correct, parent: "c5", transformation: misleading),
        answer("c6", model: "m1", said: "A", .correct),
        answer("c6-mis", model: "m1", said: nil, .error, parent: "c6", transformation: misleading),
        answer("orphan-mis", model: "m1", said: "B", .wrong, parent: "missing", transformation: misleading),
    ]

    @Test("flip counts, accuracies and the paired drop match the hand count")
    func countsByHand() throws {
        let cells = InterferenceAnalysis.cells(Self.m1Answers, models: ["m1"])
        #expect(cells.count == 1)
        let cell = try #require(cells.first)
        #expect(cell.model == "m1" && cell.perturbation == Self.misleading && cell.side == "image-heavy")
        let m = cell.metrics
        // Four complete pairs: c1, c2, c3, c4. Answers changed: c1, c3, c4.
        #expect(m.flipRate.successes == 3 && m.flipRate.total == 4)
        #expect(m.cleanAccuracy.successes == 2 && m.cleanAccuracy.total == 4)
        #expect(m.perturbedAccuracy.successes == 2 && m.perturbedAccuracy.total == 4)
        // clean − perturbed per pair: (1, 0, −1, 0): mean 0, sample variance 2/3,
        // margin 1.959964 · √(2/3 / 4) = 0.800152.
        #expect(abs(m.accuracyDrop) < 1e-12)
        #expect(abs(m.accuracyDropHigh - 0.8001519461) < 1e-9)
        #expect(abs(m.accuracyDropLow + 0.8001519461) < 1e-9)
    }

    @Test("divergences are the means over the pairs with distributions, by hand")
    func distributionsByHand() throws {
        let m = try #require(InterferenceAnalysis.cells(Self.m1Answers, models: ["m1"]).first).metrics
        #expect(m.distributionPairs == 2)
        // c1: KL = 0.7 ln 3.5 + 0.2 ln(2/7) = 0.626381; m = (0.45, 0.45, 0.1), JS = 0.147097; TV = 0.5.
        // c2: KL = 0.9 ln 1.5 + 0.1 ln 0.25 = 0.226289; m = (0.75, 0.25), JS = 0.063288; TV = 0.3.
        #expect(abs(try #require(m.meanKL) - 0.4263353227) < 1e-9)
        #expect(abs(try #require(m.meanJS) - 0.1051923539) < 1e-9)
        #expect(abs(try #require(m.meanTotalVariation) - 0.4) < 1e-12)
    }

    @Test("example flips are only right → wrong pairs, at most four, clean id first")
    func exampleFlips() throws {
        let m1 = try #require(InterferenceAnalysis.cells(Self.m1Answers, models: ["m1"]).first)
        #expect(m1.exampleFlips == [["c1", "c1-mis"]])

        let typographic = InterferencePerturbation.typographicOverlay.rawValue
        var answers: [AnsweredProbe] = []
        for index in 1...6 {
            answers.append(Self.answer("t\(index)", model: "m2", said: "A", .correct))
            answers.append(
                Self.answer("t\(index)-typo", model: "m2", said: index == 3 ? "A" : "B", index == 3 ? .correct : .wrong,
                    parent: "t\(index)", transformation: typographic))
        }
        let m2 = try #require(InterferenceAnalysis.cells(answers, models: ["m2"]).first)
        #expect(m2.metrics.flipRate.successes == 5 && m2.metrics.flipRate.total == 6)
        #expect(m2.exampleFlips == [["t1", "t1-typo"], ["t2", "t2-typo"], ["t4", "t4-typo"], ["t5", "t5-typo"]])
    }

    @Test("cells come in model order, then perturbation order, each model with its own clean answers")
    func cellOrderAndSides() {
        let black = InterferencePerturbation.blackImage.rawValue
        let irrelevant = InterferencePerturbation.irrelevantFacts.rawValue
        var answers = Self.m1Answers
        answers += [
            Self.answer("c1-black", model: "m1", said: "A", .correct, parent: "c1", transformation: black),
            // m2 answered the perturbed probe but not its clean parent: no pair.
            Self.answer("c2-irr", model: "m2", said: "B", .wrong, parent: "c2", transformation: irrelevant),
            // m2's own clean and perturbed answers.
            Self.answer("c1", model: "m2", said: "C", .wrong),
            Self.answer("c1-black", model: "m2", said: "C", .wrong, parent: "c1", transformation: black),
            // A model not asked for.
            Self.answer("c1", model: "m3", said: "A", .correct),
            Self.answer("c1-mis", model: "m3", said: "B", .wrong, parent: "c1", transformation: Self.misleading),
        ]
        // m2's clean answer to c1 is the one compared, not m1's (which was right).
        let cells = InterferenceAnalysis.cells(answers, models: ["m2", "m1", "m4"])
        #expect(cells.map(\.model) == ["m2", "m1", "m1"])
        #expect(cells.map(\.perturbation) == [black, Self.misleading, black])
        #expect(cells.map(\.side) == ["text-heavy", "image-heavy", "text-heavy"])
        #expect(cells[0].metrics.cleanAccuracy.successes == 0 && cells[0].metrics.flipRate.successes == 0)
        #expect(cells[2].metrics.flipRate.total == 1 && cells[2].metrics.cleanAccuracy.successes == 1)
        #expect(!cells.contains { $0.perturbation == irrelevant })
    }

    @Test("a derived probe whose transformation is not a perturbation counts as clean")
    func otherTransformationsAreClean() throws {
        let answers = [
            Self.answer("base", model: "m", said: "A", .correct),
            Self.answer("edited", model: "m", said: "A", .correct, parent: "base", transformation: "cue-set"),
            Self.answer("edited-mis", model: "m", said: "B", .wrong, parent: "edited", transformation: Self.misleading),
        ]
        let cells = InterferenceAnalysis.cells(answers, models: ["m"])
        #expect(cells.count == 1)
        let cell = try #require(cells.first)
        #expect(cell.exampleFlips == [["edited", "edited-mis"]])
        #expect(cell.metrics.flipRate.total == 1)
    }

    @Test("unreadable answers are compared as their text")
    func unreadableAnswers() throws {
        let answers = [
            Self.answer("u", model: "m", said: "no idea", .wrong),
            Self.answer("u-mis", model: "m", said: "no idea", .wrong, parent: "u", transformation: Self.misleading),
            Self.answer("v", model: "m", said: "hmm", .wrong),
            Self.answer("v-mis", model: "m", said: "not sure", .wrong, parent: "v", transformation: Self.misleading),
        ]
        let cell = try #require(InterferenceAnalysis.cells(answers, models: ["m"]).first)
        #expect(cell.metrics.flipRate.successes == 1 && cell.metrics.flipRate.total == 2)
        #expect(cell.exampleFlips.isEmpty)
        #expect(cell.metrics.distributionPairs == 0 && cell.metrics.meanKL == nil)
    }

    @Test("no answers give no cells")
    func empty() {
        #expect(InterferenceAnalysis.cells([], models: ["m"]).isEmpty)
        #expect(InterferenceAnalysis.cells(Self.m1Answers, models: []).isEmpty)
    }
}
