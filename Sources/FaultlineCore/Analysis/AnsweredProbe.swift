/// One model's stored answer to one probe, with everything an analysis beyond accuracy needs:
/// the whole probe (lineage, scene, options) and the response (its text and, where the backend
/// gives them, choice probabilities).
public struct AnsweredProbe: Sendable, Equatable {
    public var probe: Probe
    public var modelKey: String
    public var outcome: Outcome
    /// Nil when the backend failed (`outcome == .error`).
    public var response: ModelResponse?

    public init(probe: Probe, modelKey: String, outcome: Outcome, response: ModelResponse?) {
        self.probe = probe
        self.modelKey = modelKey
        self.outcome = outcome
        self.response = response
    }

    /// The answer as a value comparable across probes (`AnswerValue.read`).
    public var answerValue: String? {
        guard outcome != .error, let response else { return nil }
        return AnswerValue.read(response.text, expected: probe.expected)
    }

}
