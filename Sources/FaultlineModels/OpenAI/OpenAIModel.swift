import FaultlineCore
import FaultlineImageIO
import Foundation

/// A vision-language model behind an OpenAI-compatible chat completions endpoint
/// (OpenAI, vLLM, llama.cpp server, SGLang, LM Studio …); see `OpenAISpec` for its spec.
///
/// Each probe becomes one user message: its images as PNG data URLs, then its prompt. For
/// multiple-choice probes the model is asked for log-probabilities, and the alternatives
/// at the first answer token become a probability per option letter.
public struct OpenAIModel: VisionLanguageModel {
    /// The spec without `key_env`: where the key is read from does not change the answers.
    public let key: String
    public let fingerprint: String
    public let maxConcurrentRequests: Int
    public let client: OpenAIClient
    /// The model as `GET /models` listed it, when `connect` asked.
    public let servedModel: ServedModel?

    public init(client: OpenAIClient, servedModel: ServedModel? = nil) {
        self.client = client
        self.servedModel = servedModel
        key = client.spec.key
        maxConcurrentRequests = client.spec.concurrency
        var fingerprint = "openai|\(client.spec.baseURL)|\(client.spec.model)"
        if let servedModel {
            fingerprint += "|served=\(servedModel.id)"
            if let root = servedModel.root, root != servedModel.id { fingerprint += "|root=\(root)" }
        }
        self.fingerprint = fingerprint
    }

    /// Makes a model for the registry, without contacting the server.
    public init(spec: BackendSpec, environment: BackendEnvironment) throws {
        self.init(client: try OpenAIClient(spec: OpenAISpec(spec), logger: environment.logger))
    }

    /// Makes a model after asking the endpoint what it serves, so that the fingerprint names
    /// the served model; a model name the endpoint does not list is an error naming those it does.
    public static func connect(client: OpenAIClient) async throws -> OpenAIModel {
        let served = try await client.models()
        guard let entry = served.first(where: { $0.id == client.spec.model }) else {
            let names = served.map(\.id).joined(separator: ", ")
            throw BackendError(
                "\(client.spec.baseURL) does not serve model '\(client.spec.model)'; it serves: \(names.isEmpty ? "nothing" : names). Fix the name after '#' in backend '\(client.spec.key)'"
            )
        }
        return OpenAIModel(client: client, servedModel: entry)
    }

    public func answer(_ request: ModelRequest) async throws -> ModelResponse {
        let letters = request.probe.expected.choices.map { Self.optionLetters(count: $0.count) }
        var pngs: [Data] = []
        for (index, image) in request.images.enumerated() {
            do {
                pngs.append(try PNGCodec.encode(image))
            } catch {
                throw BackendError("probe \(request.probe.id): image \(index) could not be encoded as PNG: \(error)")
            }
        }
        let completion = try await client.chatCompletion(
            ChatCompletionRequest(
                prompt: request.probe.prompt, imagePNGs: pngs, temperature: request.parameters.temperature,
                maxTokens: request.parameters.maxTokens, seed: request.parameters.seed,
                topLogprobs: letters == nil ? nil : client.spec.topLogprobs))
        let probabilities = letters.flatMap { letters in
            completion.tokens.flatMap { Self.choiceProbabilities(tokens: $0, letters: letters) }
        }
        return ModelResponse(
            text: completion.text, choiceProbabilities: probabilities, latencySeconds: completion.latencySeconds,
            promptTokens: completion.promptTokens, completionTokens: completion.completionTokens)
    }

    /// `A`, `B`, … for `count` options (at most 26).
    static func optionLetters(count: Int) -> [String] {
        (0..<min(count, 26)).map { String(UnicodeScalar(UInt8(65 + $0))) }
    }

    /// A probability per option letter from the alternatives at the first answer token:
    /// the first generated position whose alternatives include an option letter (so a
    /// leading `(` or space is skipped). Tokens that differ only by spacing, case or
    /// wrapping punctuation (`" B"`, `"b"`, `"B."`, `"(B"`) add up to the same letter;
    /// the result is renormalised over the letters present. `nil` when no position names one.
    public static func choiceProbabilities(tokens: [GeneratedToken], letters: [String]) -> [String: Double]? {
        let wanted = Set(letters.map { $0.uppercased() })
        for position in tokens {
            let candidates =
                position.alternatives.isEmpty
                ? [TokenCandidate(token: position.token, logprob: position.logprob)] : position.alternatives
            var mass: [String: Double] = [:]
            for candidate in candidates {
                guard let letter = normalisedLetter(candidate.token), wanted.contains(letter),
                    candidate.logprob.isFinite
                else { continue }
                mass[letter, default: 0] += exp(candidate.logprob)
            }
            let total = mass.values.reduce(0, +)
            if total > 0 { return mass.mapValues { $0 / total } }
        }
        return nil
    }

    private static func normalisedLetter(_ token: String) -> String? {
        let wrapping = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "()[].:*\"'"))
        let core = token.trimmingCharacters(in: wrapping)
        guard core.count == 1, let scalar = core.unicodeScalars.first, scalar.isASCII,
            CharacterSet.letters.contains(scalar)
        else { return nil }
        return core.uppercased()
    }
}
