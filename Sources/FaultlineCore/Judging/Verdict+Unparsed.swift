/// Responses whose answer could not be read.
///
/// An unparsed answer is the model's failure to answer in a readable form, so its outcome
/// is `.wrong`, never `.error`: `.error` is kept for backend failures, which the runner
/// retries, and retrying a deterministic model would only give the same unreadable text.
/// Counting unparsed answers as wrong also keeps accuracy comparable with harnesses that
/// score exact matches. To keep the unparsed rate countable per model, every such verdict's
/// `detail` starts with `Verdict.unparsedMarker`.
extension Verdict {
    /// The prefix of `detail` on verdicts for answers that could not be read.
    public static let unparsedMarker = "unparsed"

    /// Whether this verdict is for an answer that could not be read.
    public var isUnparsed: Bool {
        outcome == .wrong && detail.hasPrefix(Self.unparsedMarker)
    }

    /// A wrong verdict for an unreadable answer; `reason` says what was missing.
    public static func unparsed(_ reason: String, response: String, judge: String) -> Verdict {
        Verdict(
            outcome: .wrong, score: 0, judge: judge,
            detail: "\(unparsedMarker): \(reason) in \"\(ResponseText.excerpt(response))\"")
    }
}
