import Foundation

/// Judges multiple-choice answers: the letter read by `ChoiceExtractor` against the
/// expected letter.
///
/// The options come from `ExpectedAnswer.choices` (lettered A, B, … in order), so a response
/// may also answer with an option's text. Without choices only letters can be read, A to D
/// or up to the expected letter if that is later.
///
/// A response that chooses nothing, or several options, is wrong with a `detail` starting
/// with `Verdict.unparsedMarker` (see `Verdict.isUnparsed`); the rule that read the letter
/// is named in `detail` otherwise. When the text is unreadable but the backend scored each
/// choice, the single most probable choice is taken.
public struct MultipleChoiceJudge: Judge {
    public init() {}

    public var name: String { "multiple-choice/1" }

    public func judge(response: ModelResponse, expected: ExpectedAnswer) -> Verdict {
        let want = expected.text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let extractor = Self.extractor(for: expected, expectedLetter: want)
        guard extractor.options.contains(where: { $0.letter == want }) else {
            let letters = extractor.options.map(\.letter).joined(separator: ", ")
            return .error(
                "the probe expects \"\(expected.text)\", which is not one of its option letters (\(letters)); fix the probe's answer",
                judge: name)
        }
        let extraction = extractor.extract(from: response.text)
        let letter: String
        let how: String
        if let read = extraction.letter {
            letter = read
            how = "rule \(extraction.rule.rawValue)"
        } else if let likeliest = Self.likeliest(response.choiceProbabilities, letters: extractor.options.map(\.letter))
        {
            letter = likeliest
            how = "choice probabilities"
        } else if extraction.rule == .ambiguous {
            return .unparsed(
                "options \(extraction.conflicting.joined(separator: " and ")) both asserted", response: response.text,
                judge: name)
        } else {
            return .unparsed("no option chosen", response: response.text, judge: name)
        }
        let correct = letter == want
        return Verdict(
            outcome: correct ? .correct : .wrong, score: correct ? 1 : 0, judge: name,
            detail: "expected \(want), read \(letter) (\(how))")
    }

    static func extractor(for expected: ExpectedAnswer, expectedLetter: String) -> ChoiceExtractor {
        if let choices = expected.choices, !choices.isEmpty, choices.count <= 26 {
            return ChoiceExtractor(options: choices)
        }
        var count = 4
        if expectedLetter.count == 1, let scalar = expectedLetter.unicodeScalars.first,
            (65...90).contains(scalar.value)
        {
            count = max(count, Int(scalar.value) - 64)
        }
        return ChoiceExtractor(options: Array(repeating: "", count: count))
    }

    /// The one choice with the highest probability, if there is a single highest.
    static func likeliest(_ probabilities: [String: Double]?, letters: [String]) -> String? {
        guard let probabilities else { return nil }
        let scored = letters.compactMap { letter in probabilities[letter].map { (letter, $0) } }
        guard let best = scored.max(by: { $0.1 < $1.1 }) else { return nil }
        return scored.filter { $0.1 == best.1 }.count == 1 ? best.0 : nil
    }
}
