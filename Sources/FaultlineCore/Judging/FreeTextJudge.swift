import Foundation

/// Judges short free-text answers by exact match after VQA-style normalisation.
///
/// Both sides are normalised the same way, following the VQA accuracy script's intent:
/// reasoning in `<think>` tags and a leading "Answer:" or "The answer is" are dropped;
/// case is folded; thousands separators go ("1,000" → "1000"); punctuation other than a
/// decimal point becomes a space and apostrophes vanish ("don't" → "dont"); number words
/// up to twenty become digits; the articles a, an and the are dropped; whitespace is
/// collapsed. "The circle." and "circle" match; "a red circle" and "circle" do not, unless
/// `matching` is `.containsExpected`.
public struct FreeTextJudge: Judge {
    /// How the normalised response must relate to the normalised expected answer.
    public enum Matching: String, Sendable, Codable {
        /// Equal.
        case exact
        /// The expected answer occurs in the response as whole words, e.g. "circle" in
        /// "it is a circle". Lenient: "not a circle" also matches.
        case containsExpected = "contains-expected"
    }

    public let matching: Matching

    public init(matching: Matching = .exact) { self.matching = matching }

    public var name: String { matching == .exact ? "free-text-vqa/1" : "free-text-vqa-contains/1" }

    public func judge(response: ModelResponse, expected: ExpectedAnswer) -> Verdict {
        let want = Self.normalise(expected.text)
        let got = Self.normalise(response.text)
        guard !got.isEmpty else {
            return .unparsed("empty answer", response: response.text, judge: name)
        }
        let correct: Bool
        switch matching {
        case .exact: correct = got == want
        case .containsExpected: correct = " \(got) ".contains(" \(want) ")
        }
        return Verdict(
            outcome: correct ? .correct : .wrong, score: correct ? 1 : 0, judge: name,
            detail: "expected \"\(want)\", read \"\(ResponseText.excerpt(got))\"")
    }

    /// The normalised form answers are compared in.
    public static func normalise(_ text: String) -> String {
        let characters = Array(ResponseText.clean(text).lowercased())
        var output = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let previousIsDigit = index > 0 && characters[index - 1].isNumber
            let nextIsDigit = index + 1 < characters.count && characters[index + 1].isNumber
            if character.isLetter || character.isNumber {
                output.append(character)
            } else if character == "," && previousIsDigit && nextIsDigit {
                // 1,000 → 1000
            } else if character == "." && previousIsDigit && nextIsDigit {
                output.append(character)
            } else if character == "'" {
                // don't → dont, so spelling without the apostrophe matches.
            } else {
                output.append(" ")
            }
            index += 1
        }
        var words = output.split(separator: " ").map(String.init)
        if let cue = leadingCue(words) { words.removeFirst(cue) }
        return words.compactMap { word -> String? in
            if articles.contains(word) { return nil }
            if let value = NumberReader.numberWords[word], value <= 20, word != "none" { return String(value) }
            return word
        }.joined(separator: " ")
    }

    /// How many leading words are an answer label: "answer", "final answer is", "the answer is".
    private static func leadingCue(_ words: [String]) -> Int? {
        for cue in [
            ["the", "final", "answer", "is"], ["final", "answer", "is"], ["the", "answer", "is"],
            ["answer", "is"], ["final", "answer"], ["answer"],
        ]
        where words.count > cue.count && Array(words.prefix(cue.count)) == cue {
            return cue.count
        }
        return nil
    }

    private static let articles: Set<String> = ["a", "an", "the"]
}
