/// One judged response with what an analysis needs to know about its probe: the flat row
/// that analyses and reports read, streamed from the store.
public struct JudgedProbe: Codable, Sendable, Equatable {
    public var probeID: String
    public var modelKey: String
    public var ability: Ability
    public var prompt: String
    public var expected: String
    /// The model's answer (untrusted text), or empty for errors.
    public var response: String
    public var outcome: Outcome
    public var score: Double
    public var judge: String
    /// Why: the judge's comparison or the error's reason.
    public var detail: String
    /// The probe's controlled factors (from its lineage).
    public var factors: [String: String]
    /// The first image of the probe, if any (for thumbnails).
    public var image: ImageRef?
    public var latencySeconds: Double
    /// Tokens the backend reported for the response, where it reports them.
    public var promptTokens: Int?
    public var completionTokens: Int?

    public init(
        probeID: String, modelKey: String, ability: Ability, prompt: String, expected: String,
        response: String, outcome: Outcome, score: Double, judge: String, detail: String,
        factors: [String: String], image: ImageRef?, latencySeconds: Double,
        promptTokens: Int? = nil, completionTokens: Int? = nil
    ) {
        self.probeID = probeID
        self.modelKey = modelKey
        self.ability = ability
        self.prompt = prompt
        self.expected = expected
        self.response = response
        self.outcome = outcome
        self.score = score
        self.judge = judge
        self.detail = detail
        self.factors = factors
        self.image = image
        self.latencySeconds = latencySeconds
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}
