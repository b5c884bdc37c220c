import FaultlineCore
import Testing

/// One response and what the extractor must read from it.
struct ChoiceCase: CustomTestStringConvertible, Sendable {
    var response: String
    var letter: String?
    var rule: ChoiceExtractor.Rule
    var options: [String] = ["red", "blue", "green", "yellow"]

    var testDescription: String { "\"\(response.prefix(50))\" → \(letter ?? "nil") (\(rule.rawValue))" }
}

@Suite struct JudgeChoiceExtractorTests {
    static let readable: [ChoiceCase] = [
        // Bare letters in every dress.
        ChoiceCase(response: "B", letter: "B", rule: .bareLetter),
        ChoiceCase(response: "B.", letter: "B", rule: .bareLetter),
        ChoiceCase(response: "(B)", letter: "B", rule: .bareLetter),
        ChoiceCase(response: " b \n", letter: "B", rule: .bareLetter),
        ChoiceCase(response: "**B**", letter: "B", rule: .bareLetter),
        ChoiceCase(response: "[C]", letter: "C", rule: .bareLetter),
        ChoiceCase(response: "Answer: B", letter: "B", rule: .bareLetter),
        ChoiceCase(response: "Option (D)", letter: "D", rule: .bareLetter),
        ChoiceCase(response: "A", letter: "A", rule: .bareLetter),
        // Stated answers, including the lmms-eval BLINK case that became "T".
        ChoiceCase(response: "The correct answer is (B)", letter: "B", rule: .statedAnswer),
        ChoiceCase(response: "The correct answer is (B).", letter: "B", rule: .statedAnswer),
        ChoiceCase(response: "The answer is B", letter: "B", rule: .statedAnswer),
        ChoiceCase(response: "The answer is A because the apple is red.", letter: "A", rule: .statedAnswer),
        ChoiceCase(response: "Answer: C, since the leaf is green.", letter: "C", rule: .statedAnswer),
        ChoiceCase(response: "the answer is b", letter: "B", rule: .statedAnswer),
        ChoiceCase(response: "I would choose option C.", letter: "C", rule: .statedAnswer),
        ChoiceCase(response: "Looking at the image, (B) is correct.", letter: "B", rule: .statedAnswer),
        ChoiceCase(response: "Option D is the right answer here.", letter: "D", rule: .statedAnswer),
        ChoiceCase(response: "The answer is red.", letter: "A", rule: .statedAnswer),
        ChoiceCase(response: "The answer to this question is **(C) green**.", letter: "C", rule: .statedAnswer),
        ChoiceCase(
            response: "The answer is a red circle.", letter: "B", rule: .statedAnswer,
            options: ["blue square", "red circle", "green star"]),
        ChoiceCase(
            response: "The answer is A red circle.", letter: "A", rule: .statedAnswer,
            options: ["red circle", "blue square"]),
        // Final answers win over what came before.
        ChoiceCase(
            response: "The answer might be A at first sight.\nFinal answer: C", letter: "C", rule: .finalAnswer),
        ChoiceCase(response: "Let me think. ... \\boxed{D}", letter: "D", rule: .finalAnswer),
        ChoiceCase(
            response: "<think>The answer is A? No, the sky is blue so B.</think>\nThe answer is (B).", letter: "B",
            rule: .statedAnswer),
        // Conclusions after reasoning.
        ChoiceCase(
            response:
                "A is wrong because the apple is not red. B is wrong too, the sky is not in the picture. Therefore C.",
            letter: "C", rule: .conclusion),
        ChoiceCase(
            response: "(A) is wrong because the car is not red.\n(B) is wrong as well.\nSo (C).", letter: "C",
            rule: .conclusion),
        ChoiceCase(response: "The leaf is clearly green, so C.", letter: "C", rule: .conclusion),
        ChoiceCase(
            response: "First, A cannot be right: the ball is blue. Thus, B", letter: "B", rule: .conclusion),
        // Multi-line reasoning ending with the letter alone.
        ChoiceCase(
            response: "A is wrong because the object is round.\nB is wrong because it is small.\nC", letter: "C",
            rule: .lastLine),
        ChoiceCase(
            response: "Let me look at the colours.\nThe car has a green roof.\n(C)", letter: "C", rule: .lastLine),
        // Leading letters.
        ChoiceCase(response: "B. blue", letter: "B", rule: .leadingLetter),
        ChoiceCase(response: "b) blue", letter: "B", rule: .leadingLetter),
        ChoiceCase(response: "B: blue", letter: "B", rule: .leadingLetter),
        ChoiceCase(response: "(B) blue", letter: "B", rule: .leadingLetter),
        ChoiceCase(response: "C because the leaf is the only green object.", letter: "C", rule: .leadingLetter),
        ChoiceCase(
            response: "A red circle", letter: "A", rule: .leadingLetter, options: ["red circle", "blue square"]),
        // Option texts instead of letters.
        ChoiceCase(response: "red", letter: "A", rule: .optionText),
        ChoiceCase(response: "The colour is red.", letter: "A", rule: .optionText),
        ChoiceCase(
            response: "A red circle", letter: "B", rule: .optionText, options: ["blue square", "red circle"]),
        ChoiceCase(response: "It is not blue; it is green.", letter: "C", rule: .optionText),
        ChoiceCase(
            response: "dark red", letter: "B", rule: .optionText, options: ["red", "dark red", "pink"]),
        ChoiceCase(
            response: "There are 3 apples on the table.", letter: "B", rule: .optionText, options: ["2", "3", "4"]),
        // More shapes seen from real models.
        ChoiceCase(response: "The answer is: B) green", letter: "B", rule: .statedAnswer),
        ChoiceCase(response: "Answer: (C) blue", letter: "C", rule: .statedAnswer),
        ChoiceCase(response: "**Answer:** (C) blue", letter: "C", rule: .statedAnswer),
        ChoiceCase(response: "The correct answer is B, not A.", letter: "B", rule: .statedAnswer),
        ChoiceCase(response: "Neither A nor B; the answer is C.", letter: "C", rule: .statedAnswer),
        ChoiceCase(response: "Answer: A\nExplanation: B is wrong because the car is red.", letter: "A", rule: .statedAnswer),
        ChoiceCase(response: "I would say that the best option is D.", letter: "D", rule: .statedAnswer),
        ChoiceCase(response: "Both look similar. So I'll go with B.", letter: "B", rule: .statedAnswer),
        ChoiceCase(
            response: "What colour is the car?\nA. red\nB. green\nC. blue\nD. yellow\nAnswer with the option's letter.\nB",
            letter: "B", rule: .lastLine),
        ChoiceCase(response: "a) red", letter: "A", rule: .leadingLetter),
        ChoiceCase(response: "A: The red one", letter: "A", rule: .leadingLetter),
        ChoiceCase(response: "Option C: green", letter: "C", rule: .optionText),
        // A letter in brackets mentioned once.
        ChoiceCase(response: "Hmm, I'd lean towards (D) here.", letter: "D", rule: .mentionedLetter),
        ChoiceCase(response: "It's C.", letter: "C", rule: .mentionedLetter),
        ChoiceCase(response: "Based on the image, the correct option is (A) red.", letter: "A", rule: .statedAnswer),
        ChoiceCase(response: "The image shows a red apple. The answer is A.", letter: "A", rule: .statedAnswer),
        ChoiceCase(
            response: "I think the answer is B, but the sky could also look green.", letter: "B", rule: .statedAnswer),
    ]

    static let unreadable: [ChoiceCase] = [
        // Two options asserted.
        ChoiceCase(response: "The answer is A or B.", letter: nil, rule: .ambiguous),
        ChoiceCase(response: "The answer is A. The answer is C.", letter: nil, rule: .ambiguous),
        ChoiceCase(response: "It could be red or blue.", letter: nil, rule: .ambiguous),
        ChoiceCase(response: "Final answer: B\nFinal answer: D", letter: nil, rule: .ambiguous),
        // No answer at all; never a random letter.
        ChoiceCase(response: "I cannot see the image clearly.", letter: nil, rule: .unparsed),
        ChoiceCase(response: "", letter: nil, rule: .unparsed),
        // "A" as an article is not option A.
        ChoiceCase(
            response: "A red circle on a white background.", letter: nil, rule: .unparsed,
            options: ["square", "triangle"]),
        ChoiceCase(response: "A dog is sitting on the sofa.", letter: nil, rule: .unparsed),
        // Letters outside the options are not read.
        ChoiceCase(response: "The answer is E", letter: nil, rule: .unparsed),
        ChoiceCase(response: "E", letter: nil, rule: .unparsed),
        // An echo of the option list answers nothing.
        ChoiceCase(response: "A. red\nB. blue\nC. green\nD. yellow", letter: nil, rule: .ambiguous),
        ChoiceCase(response: "I think it's (A) or maybe (B).", letter: nil, rule: .ambiguous),
        // Negated letters are not answers.
        ChoiceCase(response: "(A) is wrong.", letter: nil, rule: .unparsed),
        ChoiceCase(response: "Comparing B and C, both look plausible.", letter: nil, rule: .ambiguous),
        ChoiceCase(response: "The answer is not B.", letter: nil, rule: .unparsed),
    ]

    @Test(arguments: readable + unreadable)
    func readsTheChosenLetter(_ example: ChoiceCase) {
        let extraction = ChoiceExtractor(options: example.options).extract(from: example.response)
        #expect(extraction.letter == example.letter)
        #expect(extraction.rule == example.rule)
    }

    @Test func theBlinkResponseIsNeverReadAsT() {
        let extractor = ChoiceExtractor(options: ["left", "right", "top", "bottom"])
        for response in ["The correct answer is (B)", "The correct answer is (B) right", "THE CORRECT ANSWER IS (B)"] {
            #expect(extractor.extract(from: response).letter == "B")
        }
    }

    @Test func ambiguityNamesTheConflictingLetters() {
        let extraction = ChoiceExtractor(options: ["cat", "dog", "bird"]).extract(from: "Either (A) or (C) fits.")
        #expect(extraction.letter == nil)
        #expect(extraction.rule == .ambiguous)
        #expect(extraction.conflicting == ["A", "C"])
    }

    @Test func verboseChainOfThoughtEndsAtItsConclusion() {
        let response = """
            Let's analyse each option step by step.
            Option A says the ball is red. Looking at the image, the ball is blue, so A is incorrect.
            Option B says the ball is blue. This matches what we see.
            Option C says the ball is green, which is wrong.
            Option D says the ball is yellow; there is no yellow in the picture.
            Therefore, the answer is B.
            """
        let extraction = ChoiceExtractor(options: ["red", "blue", "green", "yellow"]).extract(from: response)
        #expect(extraction.letter == "B")
    }

    @Test func lettersComeFromLabelledOptions() {
        let extractor = ChoiceExtractor(labelled: [.init(letter: "x", text: "left"), .init(letter: "Y", text: "right")])
        #expect(extractor.options.map(\.letter) == ["X", "Y"])
        #expect(extractor.extract(from: "(Y)").letter == "Y")
        #expect(extractor.extract(from: "left").letter == "X")
        #expect(ChoiceExtractor.letter(at: 0) == "A" && ChoiceExtractor.letter(at: 25) == "Z")
    }
}
