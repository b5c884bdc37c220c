import FaultlineCore
import Testing

/// A response, the expected answer, and the outcome a judge must give.
struct JudgeCase: CustomTestStringConvertible, Sendable {
    var response: String
    var expected: String
    var outcome: Outcome
    var unparsed = false

    var testDescription: String { "\"\(response.prefix(50))\" vs \"\(expected)\" → \(outcome.rawValue)" }
}

private func verdict(_ judge: some Judge, _ example: JudgeCase, format: AnswerFormat, choices: [String]? = nil)
    -> Verdict
{
    judge.judge(
        response: ModelResponse(text: example.response),
        expected: ExpectedAnswer(text: example.expected, format: format, choices: choices))
}

@Suite struct JudgeMultipleChoiceTests {
    static let choices = ["a cat", "a dog", "a bird", "a fish"]
    static let cases: [JudgeCase] = [
        JudgeCase(response: "B", expected: "B", outcome: .correct),
        JudgeCase(response: "The correct answer is (B)", expected: "B", outcome: .correct),
        JudgeCase(response: "a dog", expected: "B", outcome: .correct),
        JudgeCase(response: "It is a bird.", expected: "B", outcome: .wrong),
        JudgeCase(
            response:
                "A cat has pointed ears, but this animal has floppy ears and a long snout, so it's not (A). Answer: B",
            expected: "B", outcome: .correct),
        JudgeCase(response: "I am not sure what animal this is.", expected: "B", outcome: .wrong, unparsed: true),
        JudgeCase(response: "Either (A) or (B).", expected: "B", outcome: .wrong, unparsed: true),
    ]

    @Test(arguments: cases)
    func judgesTheExtractedLetter(_ example: JudgeCase) {
        let result = verdict(MultipleChoiceJudge(), example, format: .multipleChoice, choices: Self.choices)
        #expect(result.outcome == example.outcome)
        #expect(result.isUnparsed == example.unparsed)
        #expect(result.score == (example.outcome == .correct ? 1 : 0))
        #expect(result.judge == "multiple-choice/1")
    }

    @Test func unparsedAnswersCarryTheMarkerAndTheResponse() {
        let result = verdict(
            MultipleChoiceJudge(), JudgeCase(response: "Either (A) or (C).", expected: "B", outcome: .wrong),
            format: .multipleChoice, choices: Self.choices)
        #expect(result.detail.hasPrefix(Verdict.unparsedMarker))
        #expect(result.detail.contains("A and C"))
        #expect(result.detail.contains("Either (A) or (C)."))
    }

    @Test func anExpectedLetterOutsideTheOptionsIsAProbeError() {
        let result = verdict(
            MultipleChoiceJudge(), JudgeCase(response: "B", expected: "T", outcome: .error),
            format: .multipleChoice, choices: Self.choices)
        #expect(result.outcome == .error)
        #expect(result.detail.contains("not one of its option letters (A, B, C, D)"))
    }

    @Test func withoutChoicesOnlyLettersAreRead() {
        let judge = MultipleChoiceJudge()
        let expected = ExpectedAnswer(text: "C", format: .multipleChoice)
        #expect(
            judge.judge(response: ModelResponse(text: "The answer is (C)."), expected: expected).outcome == .correct)
        #expect(judge.judge(response: ModelResponse(text: "a bird"), expected: expected).isUnparsed)
        // Up to the expected letter when it is after D.
        let late = ExpectedAnswer(text: "F", format: .multipleChoice)
        #expect(judge.judge(response: ModelResponse(text: "F"), expected: late).outcome == .correct)
    }

    @Test func choiceProbabilitiesDecideWhenTheTextIsUnreadable() {
        let judge = MultipleChoiceJudge()
        let expected = ExpectedAnswer(text: "B", format: .multipleChoice, choices: Self.choices)
        let scored = ModelResponse(text: "", choiceProbabilities: ["A": 0.1, "B": 0.7, "C": 0.1, "D": 0.1])
        #expect(judge.judge(response: scored, expected: expected).outcome == .correct)
        let tied = ModelResponse(text: "", choiceProbabilities: ["A": 0.5, "B": 0.5])
        #expect(judge.judge(response: tied, expected: expected).isUnparsed)
        // A readable text wins over the probabilities.
        let both = ModelResponse(text: "A", choiceProbabilities: ["B": 0.9, "A": 0.1])
        #expect(judge.judge(response: both, expected: expected).outcome == .wrong)
    }
}

@Suite struct JudgeYesNoTests {
    static let cases: [JudgeCase] = [
        JudgeCase(response: "Yes", expected: "yes", outcome: .correct),
        JudgeCase(response: "yes.", expected: "Yes", outcome: .correct),
        JudgeCase(response: "**No**", expected: "no", outcome: .correct),
        JudgeCase(response: "No, it is not.", expected: "no", outcome: .correct),
        JudgeCase(response: "No, it is not.", expected: "yes", outcome: .wrong),
        JudgeCase(response: "Yes, there is a red car next to the tree.", expected: "yes", outcome: .correct),
        JudgeCase(response: "True", expected: "yes", outcome: .correct),
        JudgeCase(response: "False.", expected: "no", outcome: .correct),
        JudgeCase(response: "There is no cat in the image.", expected: "no", outcome: .correct),
        JudgeCase(response: "That is not true.", expected: "no", outcome: .correct),
        JudgeCase(response: "Looking closely at the picture, the answer is yes.", expected: "yes", outcome: .correct),
        JudgeCase(
            response: "There is no doubt about it: the sign says stop. Answer: Yes", expected: "yes", outcome: .correct),
        JudgeCase(response: "<think>Maybe no... the shape is round.</think> Yes", expected: "yes", outcome: .correct),
        JudgeCase(response: "I don't see a cat.", expected: "no", outcome: .wrong, unparsed: true),
        JudgeCase(response: "", expected: "yes", outcome: .wrong, unparsed: true),
    ]

    @Test(arguments: cases)
    func readsTheFirstClearAnswer(_ example: JudgeCase) {
        let result = verdict(YesNoJudge(), example, format: .yesNo)
        #expect(result.outcome == example.outcome)
        #expect(result.isUnparsed == example.unparsed)
    }

    @Test func anExpectedAnswerThatIsNotYesOrNoIsAProbeError() {
        let result = verdict(
            YesNoJudge(), JudgeCase(response: "yes", expected: "maybe", outcome: .error), format: .yesNo)
        #expect(result.outcome == .error)
        #expect(result.detail.contains("not yes or no"))
    }
}

@Suite struct JudgeNumberTests {
    static let cases: [JudgeCase] = [
        JudgeCase(response: "3", expected: "3", outcome: .correct),
        JudgeCase(response: "There are three apples.", expected: "3", outcome: .correct),
        JudgeCase(response: "zero", expected: "0", outcome: .correct),
        JudgeCase(response: "None.", expected: "0", outcome: .correct),
        JudgeCase(response: "I count twenty-one birds.", expected: "21", outcome: .correct),
        JudgeCase(response: "1,000", expected: "1000", outcome: .correct),
        JudgeCase(response: "The answer is 4.", expected: "four", outcome: .correct),
        JudgeCase(response: "4", expected: "5", outcome: .wrong),
        JudgeCase(response: "Let me count: 1, 2, 3, 4. So there are 4 cars.", expected: "4", outcome: .correct),
        JudgeCase(
            response: "There are 2 red balls and 3 blue balls. In total, there are 5 balls.", expected: "5",
            outcome: .correct),
        JudgeCase(response: "There are 2 red balls and 3 blue balls.", expected: "3", outcome: .wrong),
        JudgeCase(response: "The object at x0 is a car; there are 6.", expected: "6", outcome: .correct),
        JudgeCase(response: "Several.", expected: "3", outcome: .wrong, unparsed: true),
    ]

    @Test(arguments: cases)
    func readsTheAnswerNumber(_ example: JudgeCase) {
        let result = verdict(NumberJudge(), example, format: .number)
        #expect(result.outcome == example.outcome)
        #expect(result.isUnparsed == example.unparsed)
    }

    @Test func toleranceWidensWhatIsCorrect() {
        let judge = NumberJudge(tolerance: 0.5)
        let expected = ExpectedAnswer(text: "2.5", format: .number)
        #expect(judge.judge(response: ModelResponse(text: "about 2.9"), expected: expected).outcome == .correct)
        #expect(judge.judge(response: ModelResponse(text: "3.1"), expected: expected).outcome == .wrong)
        #expect(judge.name == "number-within-0.5/1")
        #expect(NumberJudge().name == "number/1")
    }

    @Test func negativeNumbersAndDecimalsAreRead() {
        #expect(NumberJudge.number(in: "It dropped to -3 degrees") == -3)
        #expect(NumberJudge.number(in: "about 12.75 metres") == 12.75)
        #expect(NumberJudge.number(in: "pages 10-20") == 10)
        #expect(NumberJudge.number(in: "no digits here") == nil)
    }
}

@Suite struct JudgeFreeTextTests {
    static let cases: [JudgeCase] = [
        JudgeCase(response: "circle", expected: "circle", outcome: .correct),
        JudgeCase(response: "Circle.", expected: "circle", outcome: .correct),
        JudgeCase(response: "The circle", expected: "circle", outcome: .correct),
        JudgeCase(response: "Answer: circle", expected: "circle", outcome: .correct),
        JudgeCase(response: "two", expected: "2", outcome: .correct),
        JudgeCase(response: "Don't walk", expected: "dont walk", outcome: .correct),
        JudgeCase(response: "1,000 people", expected: "1000 people", outcome: .correct),
        JudgeCase(response: "3.5", expected: "3.5", outcome: .correct),
        JudgeCase(response: "red", expected: "blue", outcome: .wrong),
        JudgeCase(response: "a red circle", expected: "circle", outcome: .wrong),
        JudgeCase(response: " ... ", expected: "circle", outcome: .wrong, unparsed: true),
    ]

    @Test(arguments: cases)
    func matchesAfterVQANormalisation(_ example: JudgeCase) {
        let result = verdict(FreeTextJudge(), example, format: .freeText)
        #expect(result.outcome == example.outcome)
        #expect(result.isUnparsed == example.unparsed)
    }

    @Test func containsExpectedAcceptsTheAnswerInsideASentence() {
        let judge = FreeTextJudge(matching: .containsExpected)
        let expected = ExpectedAnswer(text: "circle", format: .freeText)
        #expect(
            judge.judge(response: ModelResponse(text: "It is a red circle."), expected: expected).outcome == .correct)
        #expect(judge.judge(response: ModelResponse(text: "It is a semicircle."), expected: expected).outcome == .wrong)
    }

    @Test func normalisationDropsArticlesPunctuationAndCase() {
        #expect(FreeTextJudge.normalise("The Answer is: An Apple!") == "apple")
        #expect(FreeTextJudge.normalise("Ten, eleven") == "10 11")
    }
}

@Suite struct JudgeBoxTests {
    static let cases: [JudgeCase] = [
        JudgeCase(response: "0.1, 0.2, 0.5, 0.6", expected: "0.1,0.2,0.5,0.6", outcome: .correct),
        JudgeCase(response: "[100, 200, 500, 600]", expected: "0.1,0.2,0.5,0.6", outcome: .correct),
        JudgeCase(response: "{\"bbox_2d\": [110, 190, 520, 610]}", expected: "0.1,0.2,0.5,0.6", outcome: .correct),
        JudgeCase(
            response: "<|box_start|>(100,200),(500,600)<|box_end|>", expected: "0.1,0.2,0.5,0.6", outcome: .correct),
        JudgeCase(response: "The dog is at [0.5, 0.6, 0.1, 0.2].", expected: "0.1,0.2,0.5,0.6", outcome: .correct),
        JudgeCase(response: "x0: 0.1, y0: 0.2, x1: 0.5, y1: 0.6", expected: "0.1,0.2,0.5,0.6", outcome: .correct),
        JudgeCase(response: "[0.6, 0.6, 0.9, 0.9]", expected: "0.1,0.2,0.5,0.6", outcome: .wrong),
        JudgeCase(response: "[120, 240, 1500, 900]", expected: "0.1,0.2,0.5,0.6", outcome: .wrong, unparsed: true),
        JudgeCase(response: "The dog is on the left.", expected: "0.1,0.2,0.5,0.6", outcome: .wrong, unparsed: true),
    ]

    @Test(arguments: cases)
    func judgesByIntersectionOverUnion(_ example: JudgeCase) {
        let result = verdict(BoxJudge(), example, format: .box)
        #expect(result.outcome == example.outcome)
        #expect(result.isUnparsed == example.unparsed)
    }

    @Test func theScoreIsTheIoU() {
        let expected = ExpectedAnswer(text: "[0, 0, 0.5, 0.5]", format: .box)
        // Half the expected box: IoU = 0.125 / 0.25 = 0.5, exactly at the threshold.
        let half = BoxJudge().judge(response: ModelResponse(text: "0, 0, 0.5, 0.25"), expected: expected)
        #expect(abs(half.score - 0.5) < 1e-12)
        #expect(half.outcome == .correct)
        let strict = BoxJudge(threshold: 0.75).judge(
            response: ModelResponse(text: "0, 0, 0.5, 0.25"), expected: expected)
        #expect(strict.outcome == .wrong)
        let a = BoxJudge.Box(x0: 0, y0: 0, x1: 1, y1: 1)
        #expect(a.intersectionOverUnion(with: BoxJudge.Box(x0: 2, y0: 2, x1: 3, y1: 3)) == 0)
        #expect(a.intersectionOverUnion(with: a) == 1)
    }

    @Test func pixelCoordinatesAreExplained() {
        guard case .failure(let problem) = BoxJudge.box(in: "[12, 40, 1024, 768]") else {
            Issue.record("pixel coordinates were accepted")
            return
        }
        #expect(problem == .pixelCoordinates(1024))
        #expect(problem.description.contains("image size"))
    }
}

@Suite struct JudgeSelectorTests {
    @Test func picksTheJudgeByFormatAndOCRAbility() {
        func name(_ format: AnswerFormat, _ ability: Ability) -> String {
            JudgeSelector.judge(for: ExpectedAnswer(text: "x", format: format), ability: ability).name
        }
        #expect(name(.multipleChoice, .attribute) == "multiple-choice/1")
        #expect(name(.yesNo, .entity) == "yes-no/1")
        #expect(name(.number, .counting) == "number/1")
        #expect(name(.box, .grounding) == "box-iou-0.5/1")
        #expect(name(.freeText, .ocr) == OCRJudge().name)
        #expect(name(.freeText, .attribute) == "free-text-vqa/1")
    }
}
