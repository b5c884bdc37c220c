/// The outcome of judging one response.
public enum Outcome: String, Codable, Sendable, CaseIterable {
    case correct
    case wrong
    /// The backend failed or the probe could not be put to it; `Verdict.detail` says why.
    /// (An answer that cannot be parsed is `wrong`, with a detail that starts with "unparsed".)
    case error
}

/// A judged response: the outcome, a graded score in [0, 1], and which judge decided.
public struct Verdict: Codable, Sendable, Equatable {
    public var outcome: Outcome
    /// A graded score, e.g. 1 − CER for OCR; 1 or 0 for exact judges; 0 for errors.
    public var score: Double
    /// The judge's name and version, e.g. `ocr-exact/1`.
    public var judge: String
    /// Why, in words: the normalised forms compared, or the error.
    public var detail: String

    public init(outcome: Outcome, score: Double, judge: String, detail: String) {
        self.outcome = outcome
        self.score = score
        self.judge = judge
        self.detail = detail
    }

    /// A verdict for a backend error, carrying its reason.
    public static func error(_ reason: String, judge: String = "runner") -> Verdict {
        Verdict(outcome: .error, score: 0, judge: judge, detail: reason)
    }
}

/// Turns a response into a verdict.
public protocol Judge: Sendable {
    /// Name and version, recorded on every verdict.
    var name: String { get }
    func judge(response: ModelResponse, expected: ExpectedAnswer) -> Verdict
}
