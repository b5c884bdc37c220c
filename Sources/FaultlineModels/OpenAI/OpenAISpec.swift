import Foundation

/// The settings of an `openai:` backend, parsed from its spec.
///
/// Grammar: `openai:BASE_URL#MODEL?option=value&…`, for example
/// `openai:http://127.0.0.1:8080/v1#model-name?key_env=OPENAI_API_KEY&concurrency=8&timeout=60&max_retries=4`.
///
/// - `BASE_URL`: an `http` or `https` URL up to and including the API version path (`/v1`);
///   requests go to `BASE_URL/chat/completions`, `BASE_URL/embeddings` and `BASE_URL/models`.
/// - `MODEL`: the model name sent in each request's `model` field.
///
/// Options (all optional):
/// - `key_env=NAME`: the environment variable holding the API key, sent as `Authorization: Bearer`.
///   The key itself never appears in a spec, so it cannot leak into stored keys, fingerprints,
///   logs or error messages. Without it no `Authorization` header is sent (local servers).
/// - `concurrency=N` (default 4, at most 256): the most requests in flight; the adaptive limit stays within 1…N.
/// - `timeout=S` (default 60): seconds one attempt may take, response body included.
/// - `max_retries=N` (default 4): retries after the first attempt, so at most N+1 attempts.
/// - `backoff_base=S` (default 0.5) and `backoff_max=S` (default 30): the exponential backoff,
///   `base·2^retry` capped at `max`, with full jitter.
/// - `max_retry_after=S` (default 120): the longest `Retry-After` honoured; a server asking
///   for a longer wait fails the request instead of stalling the run.
/// - `breaker_threshold=N` (default 5) and `breaker_cooldown=S` (default 30): the circuit
///   breaker opens after N consecutive failed attempts and fails fast for S seconds.
/// - `top_logprobs=N` (default 20): candidates per token asked for on multiple-choice probes.
/// - `latency_factor=X` (default 3): an attempt slower than X times the running median
///   latency counts as congestion for the adaptive concurrency limit.
public struct OpenAISpec: Sendable, Hashable {
    /// The spec as given, minus the `key_env` option (see `key`).
    public let key: String
    public let baseURL: String
    public let model: String
    public let apiKeyVariable: String?
    public let concurrency: Int
    public let timeoutSeconds: Double
    public let maxRetries: Int
    public let backoffBaseSeconds: Double
    public let backoffMaxSeconds: Double
    public let maxRetryAfterSeconds: Double
    public let breakerThreshold: Int
    public let breakerCooldownSeconds: Double
    public let topLogprobs: Int
    public let latencyFactor: Double

    static let knownOptions: Set<String> = [
        "key_env", "concurrency", "timeout", "max_retries", "backoff_base", "backoff_max", "max_retry_after",
        "breaker_threshold", "breaker_cooldown", "top_logprobs", "latency_factor",
    ]

    /// Parses a spec string such as `openai:http://127.0.0.1:8080/v1#model`.
    public init(_ raw: String) throws {
        try self.init(BackendSpec(raw))
    }

    public init(_ spec: BackendSpec) throws {
        guard spec.family == "openai" else {
            throw BackendError("backend '\(spec.raw)' is not an openai: spec; write openai:BASE_URL#MODEL")
        }
        let target = String(spec.name.dropFirst("openai:".count))
        guard let hash = target.firstIndex(of: "#") else {
            throw BackendError(
                "backend '\(spec.raw)' names no model; write openai:BASE_URL#MODEL, e.g. openai:http://127.0.0.1:8080/v1#qwen2-vl")
        }
        var base = String(target[..<hash])
        let model = String(target[target.index(after: hash)...])
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw BackendError(
                "backend '\(spec.raw)': '\(base)' is not an http(s) base URL; write e.g. openai:http://127.0.0.1:8080/v1#MODEL")
        }
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BackendError("backend '\(spec.raw)': the model name after '#' is empty")
        }
        let unknown = spec.options.keys.filter { !Self.knownOptions.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw BackendError(
                "backend '\(spec.raw)': unknown option(s) \(unknown.joined(separator: ", ")); known: \(Self.knownOptions.sorted().joined(separator: ", "))"
            )
        }
        if let variable = spec.options["key_env"], variable.isEmpty {
            throw BackendError("backend '\(spec.raw)': key_env must name an environment variable")
        }
        self.baseURL = base
        self.model = model
        self.apiKeyVariable = spec.options["key_env"]
        self.concurrency = try Self.positive(spec.int("concurrency", default: 4), "concurrency", spec)
        guard concurrency <= OpenAIClient.maximumConnectionsPerHost else {
            throw BackendError(
                "option 'concurrency' of backend '\(spec.raw)' is \(concurrency); at most "
                    + "\(OpenAIClient.maximumConnectionsPerHost) requests can be in flight to one endpoint")
        }
        self.timeoutSeconds = try Self.positive(spec.double("timeout", default: 60), "timeout", spec)
        self.maxRetries = try spec.int("max_retries", default: 4)
        self.backoffBaseSeconds = try Self.nonNegative(spec.double("backoff_base", default: 0.5), "backoff_base", spec)
        self.backoffMaxSeconds = try Self.nonNegative(spec.double("backoff_max", default: 30), "backoff_max", spec)
        self.maxRetryAfterSeconds = try Self.nonNegative(
            spec.double("max_retry_after", default: 120), "max_retry_after", spec)
        self.breakerThreshold = try Self.positive(spec.int("breaker_threshold", default: 5), "breaker_threshold", spec)
        self.breakerCooldownSeconds = try Self.nonNegative(
            spec.double("breaker_cooldown", default: 30), "breaker_cooldown", spec)
        self.topLogprobs = try Self.positive(spec.int("top_logprobs", default: 20), "top_logprobs", spec)
        self.latencyFactor = try spec.double("latency_factor", default: 3)
        guard latencyFactor > 1 else {
            throw BackendError("option 'latency_factor' of backend '\(spec.raw)' must be greater than 1, got \(latencyFactor)")
        }
        self.key = Self.removingOption("key_env", from: spec.raw)
    }

    /// The endpoint a path is sent to, e.g. `endpoint("chat/completions")`.
    public func endpoint(_ path: String) -> String { baseURL + "/" + path }

    private static func positive<T: Numeric & Comparable>(_ value: T, _ name: String, _ spec: BackendSpec) throws -> T {
        guard value > 0 else { throw BackendError("option '\(name)' of backend '\(spec.raw)' must be greater than 0") }
        return value
    }

    private static func nonNegative(_ value: Double, _ name: String, _ spec: BackendSpec) throws -> Double {
        guard value >= 0, value.isFinite else {
            throw BackendError("option '\(name)' of backend '\(spec.raw)' must be a finite number ≥ 0")
        }
        return value
    }

    /// The spec with one option removed, the others kept in their order.
    static func removingOption(_ option: String, from raw: String) -> String {
        guard let question = raw.firstIndex(of: "?") else { return raw }
        let kept = raw[raw.index(after: question)...].split(separator: "&").filter {
            $0.split(separator: "=", maxSplits: 1).first.map(String.init) != option
        }
        return kept.isEmpty ? String(raw[..<question]) : String(raw[..<question]) + "?" + kept.joined(separator: "&")
    }
}
