import Foundation

/// Judges yes/no answers (`yes`, `no`, `true`, `false` in the expected text).
///
/// The response is read in this order, the first that applies decides:
/// 1. its first word, when that word is an answer: "Yes, there is", "No, it is not",
///    "True.", "Correct";
/// 2. a stated answer, the last one wins: "The answer is no", "Final answer: Yes";
/// 3. the first yes/no word anywhere, with negation care: "There is no cat" → no,
///    "That is not true" → no; idioms such as "no doubt" are skipped.
///
/// Anything else is wrong and unparsed (`Verdict.isUnparsed`). The question is not known
/// here, so a bare negation ("I don't see a cat") is not turned into an answer.
public struct YesNoJudge: Judge {
    public init() {}

    public var name: String { "yes-no/1" }

    public func judge(response: ModelResponse, expected: ExpectedAnswer) -> Verdict {
        guard let want = Self.answer(in: expected.text, firstWordOnly: true) else {
            return .error(
                "the probe expects \"\(expected.text)\", which is not yes or no; fix the probe's answer or its format",
                judge: name)
        }
        guard let got = Self.answer(in: response.text) else {
            return .unparsed("no yes or no", response: response.text, judge: name)
        }
        let correct = got == want
        return Verdict(
            outcome: correct ? .correct : .wrong, score: correct ? 1 : 0, judge: name,
            detail: "expected \(Self.word(want)), read \(Self.word(got))")
    }

    /// Reads yes (`true`) or no (`false`) from a response, or `nil` when it gives neither.
    public static func answer(in response: String) -> Bool? {
        answer(in: response, firstWordOnly: false)
    }

    static func answer(in response: String, firstWordOnly: Bool) -> Bool? {
        let words = ResponseText.tokens(ResponseText.clean(response)).filter { $0.kind == .word }.map(\.lower)
        guard let first = words.first else { return nil }
        if let value = polarity[first] { return value }
        if firstWordOnly { return nil }
        var stated: Bool?
        for (index, word) in words.enumerated() where word == "answer" {
            var next = index + 1
            while next < words.count,
                ["is", "would", "be", "should", "will", "definitely", "clearly"].contains(words[next])
            {
                next += 1
            }
            if next < words.count, let value = polarity[words[next]] { stated = value }
        }
        if let stated { return stated }
        for (index, word) in words.enumerated() {
            guard let value = polarity[word] else { continue }
            if word == "no", index + 1 < words.count, idiomsAfterNo.contains(words[index + 1]) { continue }
            let negated = index > 0 && ["not", "isn't", "never"].contains(words[index - 1])
            return negated ? !value : value
        }
        return nil
    }

    private static let polarity: [String: Bool] = [
        "yes": true, "yeah": true, "yep": true, "yup": true, "true": true, "correct": true, "affirmative": true,
        "no": false, "nope": false, "false": false, "incorrect": false,
    ]
    private static let idiomsAfterNo: Set<String> = ["doubt", "matter", "question", "problem", "longer"]

    private static func word(_ value: Bool) -> String { value ? "yes" : "no" }
}
