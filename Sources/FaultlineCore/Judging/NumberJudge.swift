import Foundation

/// Judges numeric answers, such as counts: the number read from the response against the
/// expected number, within an absolute `tolerance`.
///
/// The response's number is, in this order: the last stated one ("The answer is 4",
/// "In total, there are 7", "so there are 3"), so that counting aloud ("1, 2, 3. So there
/// are 3") is read at its end; otherwise the first number, in digits ("3", "2.5", "1,000", "-2") or words
/// ("three", "twenty-one", "zero", "none"). A response without a number is wrong and
/// unparsed (`Verdict.isUnparsed`).
public struct NumberJudge: Judge {
    /// The largest absolute difference still judged correct; 0 for exact counts.
    public let tolerance: Double

    public init(tolerance: Double = 0) {
        precondition(tolerance >= 0 && tolerance.isFinite, "tolerance must be a finite number ≥ 0")
        self.tolerance = tolerance
    }

    public var name: String { tolerance == 0 ? "number/1" : "number-within-\(NumberReader.format(tolerance))/1" }

    public func judge(response: ModelResponse, expected: ExpectedAnswer) -> Verdict {
        guard let want = Self.number(in: expected.text) else {
            return .error(
                "the probe expects \"\(expected.text)\", which has no number; fix the probe's answer or its format",
                judge: name)
        }
        guard let got = Self.number(in: response.text) else {
            return .unparsed("no number", response: response.text, judge: name)
        }
        let correct = abs(got - want) <= tolerance
        return Verdict(
            outcome: correct ? .correct : .wrong, score: correct ? 1 : 0, judge: name,
            detail: "expected \(NumberReader.format(want)), read \(NumberReader.format(got))")
    }

    /// The answer number of a response, or `nil` when it has none.
    public static func number(in response: String) -> Double? {
        let text = ResponseText.clean(response)
        let numbers = NumberReader.numbers(in: text)
        guard let first = numbers.first else { return nil }
        let lower = Array(text.lowercased())
        // A number right after a cue ("answer", "total") and filler words is a stated answer.
        let stated = numbers.filter { number in
            let before = String(lower[max(0, number.start - 40)..<number.start])
            let words = ResponseText.tokens(before).filter { $0.kind == .word }.map(\.lower)
            guard let cue = words.lastIndex(where: { statementCues.contains($0) }) else { return false }
            return words[(cue + 1)...].allSatisfy { statementFillers.contains($0) }
        }
        return (stated.last ?? first).value
    }

    private static let statementCues: Set<String> = [
        "answer", "total", "altogether", "overall", "so", "therefore", "thus", "hence",
    ]
    private static let statementFillers: Set<String> = [
        "is", "are", "was", "be", "would", "should", "will", "of", "there", "in", "we", "have", "i", "see",
        "final", "exactly", "about", "the", "number",
    ]
}
