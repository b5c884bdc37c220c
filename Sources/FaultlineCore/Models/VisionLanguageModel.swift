import Foundation

/// Decoding settings that, with the model fingerprint and the probe's content hash, key the
/// response cache. Backends that do not sample ignore them.
public struct DecodingParameters: Codable, Sendable, Hashable {
    public var temperature: Double
    public var maxTokens: Int
    public var seed: UInt64

    public init(temperature: Double = 0, maxTokens: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
    }

    /// A stable textual key for the cache.
    public var cacheKey: String { "t=\(temperature);max=\(maxTokens);seed=\(seed)" }
}

/// What a backend is asked: the probe and its decoded images.
public struct ModelRequest: Sendable {
    public var probe: Probe
    /// The probe's images, decoded, in the order of `probe.images`.
    public var images: [RasterImage]
    public var parameters: DecodingParameters

    public init(probe: Probe, images: [RasterImage], parameters: DecodingParameters) {
        self.probe = probe
        self.images = images
        self.parameters = parameters
    }
}

/// What a backend answered.
public struct ModelResponse: Codable, Sendable, Equatable {
    /// The free-text answer.
    public var text: String
    /// A probability per choice, where the backend can give one (keys are the choice labels).
    public var choiceProbabilities: [String: Double]?
    /// Wall-clock seconds the backend took.
    public var latencySeconds: Double
    /// Tokens consumed, where the backend reports them.
    public var promptTokens: Int?
    public var completionTokens: Int?

    public init(
        text: String, choiceProbabilities: [String: Double]? = nil, latencySeconds: Double = 0,
        promptTokens: Int? = nil, completionTokens: Int? = nil
    ) {
        self.text = text
        self.choiceProbabilities = choiceProbabilities
        self.latencySeconds = latencySeconds
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// A model under audit: it answers a probe (image(s) + text) with free text and, where it
/// can, a probability for each choice.
///
/// Conformers must be safe to call concurrently up to `maxConcurrentRequests`; a backend
/// whose native state is not thread-safe serialises access itself.
public protocol VisionLanguageModel: Sendable {
    /// The registry key this instance was made from, e.g. `ocr:tesseract`.
    var key: String { get }
    /// Identifies the exact weights and settings: a change invalidates cached responses.
    var fingerprint: String { get }
    /// How many requests the runner may have in flight at once.
    var maxConcurrentRequests: Int { get }
    /// Whether this backend can answer the probe at all (an OCR engine answers OCR probes only).
    func canAnswer(_ probe: Probe) -> Bool
    /// Answers one probe. Errors become a verdict `error` with their description.
    func answer(_ request: ModelRequest) async throws -> ModelResponse
}

extension VisionLanguageModel {
    public var maxConcurrentRequests: Int { 1 }
    public func canAnswer(_ probe: Probe) -> Bool { true }
}

/// Embeds text and/or images into unit vectors.
public protocol Embedder: Sendable {
    var key: String { get }
    var dimension: Int { get }
    func embed(texts: [String]) async throws -> [[Float]]
    func embed(images: [RasterImage]) async throws -> [[Float]]
}
