import FaultlineCore
import Foundation
import Testing

@Suite("Answer values, paired differences and repair comparisons")
struct AnswerValueTests {
    static let options = ["Blue", "red", "green."]
    static let multipleChoice = ExpectedAnswer(text: "B", format: .multipleChoice, choices: options)
    static let yesNo = ExpectedAnswer(text: "Yes", format: .yesNo)
    static let number = ExpectedAnswer(text: "3", format: .number)
    static let freeText = ExpectedAnswer(text: "Circle.", format: .freeText)
    static let box = ExpectedAnswer(text: "[0.1, 0.2, 0.3, 0.4]", format: .box)

    static let z = NormalDistribution.criticalValue(confidence: 0.95)

    // MARK: - Multiple choice

    @Test("multiple choice reads the chosen option's text, not its letter")
    func multipleChoiceRead() {
        let expected = Self.multipleChoice
        #expect(AnswerValue.read("B", expected: expected) == "red")
        #expect(AnswerValue.read("(C)", expected: expected) == "green")
        #expect(AnswerValue.read("b", expected: expected) == "red")
        #expect(AnswerValue.read("B. red", expected: expected) == "red")
        #expect(AnswerValue.read("The answer is A", expected: expected) == "blue")
        #expect(AnswerValue.read("It is green.", expected: expected) == "green")
        // Two options asserted, a letter that is not an option, nothing at all.
        #expect(AnswerValue.read("The answer is A or B", expected: expected) == nil)
        #expect(AnswerValue.read("Final answer: A. Final answer: C", expected: expected) == nil)
        #expect(AnswerValue.read("E", expected: expected) == nil)
        #expect(AnswerValue.read("I cannot tell", expected: expected) == nil)
        // Without options there is nothing to map a letter to.
        #expect(AnswerValue.read("B", expected: ExpectedAnswer(text: "B", format: .multipleChoice, choices: [])) == nil)
        #expect(AnswerValue.read("B", expected: ExpectedAnswer(text: "B", format: .multipleChoice)) == nil)
    }

    @Test("multiple choice expects and offers the options' normalised texts")
    func multipleChoiceExpectedAndOffered() {
        #expect(AnswerValue.expected(Self.multipleChoice) == "red")
        #expect(AnswerValue.expected(ExpectedAnswer(text: "a", format: .multipleChoice, choices: Self.options)) == "blue")
        #expect(AnswerValue.expected(ExpectedAnswer(text: "C", format: .multipleChoice, choices: Self.options)) == "green")
        // A letter past the options falls back to the text itself.
        #expect(AnswerValue.expected(ExpectedAnswer(text: "E", format: .multipleChoice, choices: Self.options)) == "e")
        #expect(AnswerValue.offered(Self.multipleChoice) == ["blue", "red", "green"])
        // The value read for the right letter equals the value expected.
        #expect(AnswerValue.read("B", expected: Self.multipleChoice) == AnswerValue.expected(Self.multipleChoice))
    }

    // MARK: - Yes / no

    @Test("yes/no reads yes or no wherever the response states it")
    func yesNo() {
        let expected = Self.yesNo
        #expect(AnswerValue.read("The answer is no", expected: expected) == "no")
        #expect(AnswerValue.read("Yes, there is.", expected: expected) == "yes")
        #expect(AnswerValue.read("There is no cat.", expected: expected) == "no")
        #expect(AnswerValue.read("That is not true", expected: expected) == "no")
        #expect(AnswerValue.read("I cannot tell", expected: expected) == nil)
        #expect(AnswerValue.read("", expected: expected) == nil)
        #expect(AnswerValue.expected(expected) == "yes")
        #expect(AnswerValue.expected(ExpectedAnswer(text: " NO ", format: .yesNo)) == "no")
        #expect(AnswerValue.offered(expected) == ["yes", "no"])
    }

    // MARK: - Numbers

    @Test("numbers read digits or words and print them plainly")
    func numbers() {
        let expected = Self.number
        #expect(AnswerValue.read("three", expected: expected) == "3")
        #expect(AnswerValue.read("There are 12 circles.", expected: expected) == "12")
        #expect(AnswerValue.read("2.5", expected: expected) == "2.5")
        #expect(AnswerValue.read("twenty-one", expected: expected) == "21")
        #expect(AnswerValue.read("I count none", expected: expected) == "0")
        #expect(AnswerValue.read("4 or 5", expected: expected) == "4")
        #expect(AnswerValue.read("several", expected: expected) == nil)
        #expect(AnswerValue.expected(expected) == "3")
        #expect(AnswerValue.expected(ExpectedAnswer(text: "3.0", format: .number)) == "3")
        #expect(AnswerValue.expected(ExpectedAnswer(text: "07", format: .number)) == "7")
        #expect(AnswerValue.expected(ExpectedAnswer(text: "1.25", format: .number)) == "1.25")
        #expect(AnswerValue.expected(ExpectedAnswer(text: "Many", format: .number)) == "many")
        #expect(AnswerValue.offered(expected) == nil)
    }

    // MARK: - Free text and boxes

    @Test("free text is cleaned, trimmed of punctuation and lower-cased")
    func freeText() {
        let expected = Self.freeText
        #expect(AnswerValue.read("  The Triangle! ", expected: expected) == "the triangle")
        #expect(AnswerValue.read("<think>square</think>Circle.", expected: expected) == "circle")
        #expect(AnswerValue.read("**Red**", expected: expected) == "red")
        #expect(AnswerValue.read("\u{201C}Dark red\u{201D}", expected: expected) == "dark red")
        #expect(AnswerValue.read("...", expected: expected) == nil)
        #expect(AnswerValue.read("   \n", expected: expected) == nil)
        #expect(AnswerValue.expected(expected) == "circle")
        #expect(AnswerValue.offered(expected) == nil)
    }

    @Test("boxes have no comparable value")
    func boxes() {
        #expect(AnswerValue.read("[0.1, 0.2, 0.3, 0.4]", expected: Self.box) == nil)
        #expect(AnswerValue.offered(Self.box) == nil)
        #expect(AnswerValue.expected(Self.box) == "0.1, 0.2, 0.3, 0.4")
    }

    @Test("an answered probe has a value only when the backend answered")
    func answeredProbeValue() {
        let probe = Probe(
            id: "p", images: [], prompt: "Which colour?", expected: Self.multipleChoice, ability: .attribute,
            lineage: Lineage(source: "test", seed: 1))
        #expect(AnsweredProbe(probe: probe, modelKey: "m", outcome: .wrong, response: ModelResponse(text: "C")).answerValue == "green")
        #expect(AnsweredProbe(probe: probe, modelKey: "m", outcome: .correct, response: ModelResponse(text: "B. red")).answerValue == "red")
        #expect(AnsweredProbe(probe: probe, modelKey: "m", outcome: .error, response: ModelResponse(text: "C")).answerValue == nil)
        #expect(AnsweredProbe(probe: probe, modelKey: "m", outcome: .wrong, response: nil).answerValue == nil)
    }

    // MARK: - Paired difference

    @Test("paired difference with no pairs or one pair has the whole interval")
    func pairedDifferenceTiny() {
        let empty = Statistics.pairedDifference([], [])
        #expect(empty.mean == 0 && empty.low == -1 && empty.high == 1)
        let one = Statistics.pairedDifference([true], [false])
        #expect(one.mean == 1 && one.low == -1 && one.high == 1)
        let oneReversed = Statistics.pairedDifference([false], [true])
        #expect(oneReversed.mean == -1 && oneReversed.low == -1 && oneReversed.high == 1)
    }

    @Test("paired difference matches the hand computation")
    func pairedDifferenceByHand() {
        // d = (1, 0, 0, 0): mean 1/4, sample variance 1/4, standard error √(1/4 / 4) = 1/4.
        let four = Statistics.pairedDifference([true, true, true, false], [false, true, true, false])
        #expect(abs(four.mean - 0.25) < 1e-12)
        #expect(abs(four.low - (0.25 - Self.z * 0.25)) < 1e-12)
        #expect(abs(four.low - -0.2399909961) < 1e-9)
        #expect(abs(four.high - 0.7399909961) < 1e-9)

        // d = (1, 0, 0, 1, −1, 1): mean 1/3, sample variance (10/3)/5 = 2/3, standard error 1/3.
        let six = Statistics.pairedDifference(
            [true, false, true, true, false, true], [false, false, true, false, true, false])
        #expect(abs(six.mean - 1.0 / 3) < 1e-12)
        #expect(abs(six.low - -0.3199879948) < 1e-9)
        #expect(abs(six.high - 0.9866546615) < 1e-9)

        // Swapping the sides negates the mean and mirrors the interval.
        let swapped = Statistics.pairedDifference(
            [false, false, true, false, true, false], [true, false, true, true, false, true])
        #expect(abs(swapped.mean + six.mean) < 1e-12)
        #expect(abs(swapped.low + six.high) < 1e-12 && abs(swapped.high + six.low) < 1e-12)
    }

    @Test("paired difference clamps to [−1, 1] and has no width without variation")
    func pairedDifferenceEdges() {
        // d = (1, −1): mean 0, sample variance 2, standard error 1: ±1.96 clamps to ±1.
        let wide = Statistics.pairedDifference([true, false], [false, true])
        #expect(wide.mean == 0 && wide.low == -1 && wide.high == 1)
        // Every pair differs the same way: the interval collapses onto the mean.
        let constant = Statistics.pairedDifference([true, true, true], [false, false, false])
        #expect(constant.mean == 1 && constant.low == 1 && constant.high == 1)
        let same = Statistics.pairedDifference([true, false, true], [true, false, true])
        #expect(same.mean == 0 && same.low == 0 && same.high == 0)
    }

    // MARK: - Repair comparisons

    @Test("accuracy regresses only below the original's lower bound")
    func regressedWhenHigherIsBetter() {
        func comparison(after: Double) -> RepairComparison {
            RepairComparison(
                name: "counting", kind: "ability", metric: "accuracy", before: (0.80, 0.75, 0.85),
                after: (after, after - 0.05, after + 0.05), count: 200, higherIsBetter: true)
        }
        #expect(comparison(after: 0.74).regressed)
        #expect(!comparison(after: 0.75).regressed)
        #expect(!comparison(after: 0.78).regressed)
        #expect(!comparison(after: 0.95).regressed)
        let kept = comparison(after: 0.78)
        #expect(kept.before == 0.80 && kept.beforeLow == 0.75 && kept.beforeHigh == 0.85)
        #expect(kept.after == 0.78 && abs(kept.afterLow - 0.73) < 1e-12 && abs(kept.afterHigh - 0.83) < 1e-12)
    }

    @Test("gaps and flip rates regress only above the original's upper bound")
    func regressedWhenLowerIsBetter() {
        func comparison(after: Double, higherIsBetter: Bool = false) -> RepairComparison {
            RepairComparison(
                name: "background = grass → star", kind: "spurious-cue", metric: "accuracy gap",
                before: (0.10, 0.05, 0.15), after: (after, after - 0.04, after + 0.04), count: 60,
                higherIsBetter: higherIsBetter)
        }
        #expect(comparison(after: 0.16).regressed)
        #expect(!comparison(after: 0.15).regressed)
        #expect(!comparison(after: 0.02).regressed)
        // The direction matters: the same numbers read as accuracies flip the verdicts.
        #expect(!comparison(after: 0.16, higherIsBetter: true).regressed)
        #expect(comparison(after: 0.02, higherIsBetter: true).regressed)
    }

    @Test("a rectify audit lists exactly the regressed comparisons")
    func rectifyRegressions() {
        let worse = RepairComparison(
            name: "ocr", kind: "ability", metric: "accuracy", before: (0.9, 0.85, 0.95), after: (0.6, 0.55, 0.65),
            count: 100, higherIsBetter: true)
        let better = RepairComparison(
            name: "misleading", kind: "interference", metric: "answers changed", before: (0.4, 0.3, 0.5),
            after: (0.1, 0.05, 0.15), count: 100, higherIsBetter: false)
        let audit = RectifyAudit(
            generator: "test", model: "m", repairedModel: "m+r", fromAudits: [], repairSeed: 1, heldOutSeed: 2,
            repairData: [:], exports: [], settings: [:], lossStart: 1, lossEnd: 0.5, heldOutRuns: [], findings: [],
            interference: [better], abilities: [worse])
        #expect(audit.regressions.map(\.name) == ["ocr"])
    }
}
