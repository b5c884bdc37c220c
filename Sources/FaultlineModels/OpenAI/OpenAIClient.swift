import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One candidate for a generated token and its log-probability.
public struct TokenCandidate: Sendable, Equatable {
    public var token: String
    public var logprob: Double

    public init(token: String, logprob: Double) {
        self.token = token
        self.logprob = logprob
    }
}

/// A generated token with the most likely alternatives at its position.
public struct GeneratedToken: Sendable, Equatable {
    public var token: String
    public var logprob: Double
    public var alternatives: [TokenCandidate]

    public init(token: String, logprob: Double, alternatives: [TokenCandidate]) {
        self.token = token
        self.logprob = logprob
        self.alternatives = alternatives
    }
}

/// What to ask the chat completions endpoint.
public struct ChatCompletionRequest: Sendable {
    /// An optional system message, sent before the user's.
    public var system: String?
    public var prompt: String
    /// PNG-encoded images, sent as `data:image/png;base64,…` URLs before the prompt.
    public var imagePNGs: [Data]
    public var temperature: Double
    public var maxTokens: Int
    public var seed: UInt64
    public var stop: [String]
    /// Alternatives per token to ask for; `nil` asks for no log-probabilities.
    public var topLogprobs: Int?

    public init(
        prompt: String, imagePNGs: [Data] = [], temperature: Double = 0, maxTokens: Int = 64, seed: UInt64 = 0,
        stop: [String] = [], topLogprobs: Int? = nil, system: String? = nil
    ) {
        self.system = system
        self.prompt = prompt
        self.imagePNGs = imagePNGs
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
        self.stop = stop
        self.topLogprobs = topLogprobs
    }
}

/// The server's answer to a chat completion request.
public struct ChatCompletion: Sendable {
    public var text: String
    /// The generated tokens with alternatives, when log-probabilities were asked for and given.
    public var tokens: [GeneratedToken]?
    public var finishReason: String?
    public var servedModel: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Seconds from the first attempt to the decoded answer, waits between retries included.
    public var latencySeconds: Double
    /// HTTP attempts made, 1 when the first succeeded.
    public var attempts: Int
}

/// Texts embedded by the server, in input order.
public struct EmbeddingResult: Sendable {
    public var vectors: [[Float]]
    public var promptTokens: Int?
    public var latencySeconds: Double
}

/// A model an endpoint serves, from `GET /models`.
public struct ServedModel: Sendable, Equatable {
    public var id: String
    /// The weights behind an alias (vLLM's `root`), if the server says.
    public var root: String?
    public var ownedBy: String?
}

/// A client for one OpenAI-compatible endpoint, on a shared `HTTPClient`.
///
/// Every attempt passes the endpoint's circuit breaker and adaptive concurrency limit, is
/// bounded by the spec's timeout, and is retried (429, 500, 502, 503, 504, connection
/// errors, timeouts) at most `max_retries` times with full-jitter backoff or the server's
/// `Retry-After`. Other failures, malformed JSON included, are not retried.
///
/// The default `OpenAIClient.sharedHTTPClient` lives for the process and needs no shut-down;
/// a caller that passes its own client shuts it down after the last call.
public final class OpenAIClient: Sendable {
    /// The process's HTTP client for endpoints: AsyncHTTPClient's own `HTTPClient.shared`
    /// keeps at most 8 connections per host and queues the rest, which would cap any
    /// `concurrency` above 8 without saying so. This one allows `maximumConnectionsPerHost`.
    /// It is never released, so it is never shut down.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnectionsPerHost)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The most connections `sharedHTTPClient` opens to one host (the spec's concurrency is
    /// capped to this too).
    public static let maximumConnectionsPerHost = 256

    public let spec: OpenAISpec
    public let breaker: CircuitBreaker
    public let limiter: AIMDLimiter
    public let retryPolicy: RetryPolicy
    private let httpClient: HTTPClient
    private let apiKey: String?
    private let logger: Logger
    private let logprobsRefused = LockedFlag()

    /// Makes a client; the API key is read here from the variable `spec.apiKeyVariable` names.
    public init(
        spec: OpenAISpec, httpClient: HTTPClient = OpenAIClient.sharedHTTPClient,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "faultline.openai")
    ) throws {
        self.spec = spec
        self.httpClient = httpClient
        self.logger = logger
        if let variable = spec.apiKeyVariable {
            guard let key = environment[variable], !key.isEmpty else {
                throw OpenAIError(
                    .missingAPIKey,
                    "backend '\(spec.key)' reads its API key from the environment variable \(variable), which is not set; export it or drop key_env")
            }
            apiKey = key
        } else {
            apiKey = nil
        }
        breaker = CircuitBreaker(threshold: spec.breakerThreshold, cooldown: .seconds(spec.breakerCooldownSeconds))
        limiter = AIMDLimiter(maximum: spec.concurrency, latencyFactor: spec.latencyFactor)
        retryPolicy = RetryPolicy(
            maxRetries: spec.maxRetries, baseSeconds: spec.backoffBaseSeconds, maxSeconds: spec.backoffMaxSeconds,
            maxRetryAfterSeconds: spec.maxRetryAfterSeconds)
    }

    /// Whether the server refused log-probabilities once, so they are no longer asked for.
    public var logprobsUnsupported: Bool { logprobsRefused.value }

    /// `POST /chat/completions` with an optional system message and one user message of
    /// images and text.
    public func chatCompletion(_ request: ChatCompletionRequest) async throws -> ChatCompletion {
        var content = request.imagePNGs.map {
            OpenAIWire.ContentPart.image(dataURL: "data:image/png;base64," + $0.base64EncodedString())
        }
        content.append(.text(request.prompt))
        let wantLogprobs = request.topLogprobs != nil && !logprobsRefused.value
        var body = OpenAIWire.ChatRequest(
            model: spec.model,
            messages: (request.system.map { [OpenAIWire.Message(role: "system", content: [.text($0)])] } ?? [])
                + [OpenAIWire.Message(role: "user", content: content)],
            temperature: request.temperature, max_tokens: request.maxTokens,
            seed: Int64(bitPattern: request.seed & 0x7FFF_FFFF_FFFF_FFFF),
            stop: request.stop.isEmpty ? nil : request.stop,
            logprobs: wantLogprobs ? true : nil, top_logprobs: wantLogprobs ? request.topLogprobs : nil)
        let path = "chat/completions"
        var reply: Reply
        do {
            reply = try await send(.POST, path, body: try encode(body))
        } catch let error as OpenAIError where wantLogprobs && error.kind == .httpStatus(400)
            && error.description.lowercased().contains("logprob")
        {
            // Some servers reject the logprobs fields outright; answer without them.
            logger.notice("openai: \(spec.endpoint(path)) refused logprobs; asking without them from now on")
            logprobsRefused.set()
            body.logprobs = nil
            body.top_logprobs = nil
            reply = try await send(.POST, path, body: try encode(body))
        }
        let decoded = try decode(OpenAIWire.ChatResponse.self, from: reply, path: path)
        guard let choice = decoded.choices.first else {
            throw OpenAIError(
                .unexpectedContent,
                "\(spec.endpoint(path)) answered with no choices: \(OpenAIError.excerpt(reply.body, redacting: apiKey))")
        }
        let tokens = choice.logprobs?.content.map { entries in
            entries.map { entry in
                GeneratedToken(
                    token: entry.token, logprob: entry.logprob,
                    alternatives: (entry.top_logprobs ?? []).map { TokenCandidate(token: $0.token, logprob: $0.logprob) })
            }
        }
        return ChatCompletion(
            text: choice.message.content ?? "", tokens: tokens, finishReason: choice.finish_reason,
            servedModel: decoded.model, promptTokens: decoded.usage?.prompt_tokens,
            completionTokens: decoded.usage?.completion_tokens, latencySeconds: reply.totalSeconds,
            attempts: reply.attempts)
    }

    /// `POST /embeddings` for a batch of texts; vectors come back in input order.
    public func embeddings(_ texts: [String]) async throws -> EmbeddingResult {
        let path = "embeddings"
        let reply = try await send(
            .POST, path, body: try encode(OpenAIWire.EmbeddingRequest(model: spec.model, input: texts)))
        let decoded = try decode(OpenAIWire.EmbeddingResponse.self, from: reply, path: path)
        guard decoded.data.count == texts.count else {
            throw OpenAIError(
                .unexpectedContent,
                "\(spec.endpoint(path)) returned \(decoded.data.count) embeddings for \(texts.count) texts")
        }
        let ordered = decoded.data.enumerated().sorted { ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset) }
        return EmbeddingResult(
            vectors: ordered.map(\.element.embedding), promptTokens: decoded.usage?.prompt_tokens,
            latencySeconds: reply.totalSeconds)
    }

    /// `GET /models`: what the endpoint serves.
    public func models() async throws -> [ServedModel] {
        let path = "models"
        let reply = try await send(.GET, path, body: nil)
        return try decode(OpenAIWire.ModelList.self, from: reply, path: path).data.map {
            ServedModel(id: $0.id, root: $0.root, ownedBy: $0.owned_by)
        }
    }

    // MARK: - Transport

    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
        var retryAfter: String?
        var totalSeconds: Double
        var attempts: Int
    }

    private func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    private func decode<T: Decodable>(_ type: T.Type, from reply: Reply, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(reply.body))
        } catch {
            throw OpenAIError(
                .malformedResponse,
                "\(spec.endpoint(path)) returned malformed JSON (\(Self.summary(of: error))); body starts: \(OpenAIError.excerpt(reply.body, redacting: apiKey))",
                attempts: reply.attempts)
        }
    }

    private static func summary(of error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path)"
        }
        switch decoding {
        case .dataCorrupted(let context): return "not valid JSON\(at(context))"
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)'\(at(context))"
        case .typeMismatch(let type, let context): return "expected \(type)\(at(context))"
        case .valueNotFound(let type, let context): return "null where \(type) belongs\(at(context))"
        @unknown default: return "\(decoding)"
        }
    }

    /// Sends one logical request: attempts until success, a non-retryable failure, or the cap.
    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> Reply {
        let url = spec.endpoint(path)
        let clock = ContinuousClock()
        let started = clock.now
        var attempts = 0
        while true {
            if let rejection = await breaker.admit() {
                throw OpenAIError(
                    .circuitOpen,
                    "circuit breaker for \(spec.baseURL) is open after \(spec.breakerThreshold) consecutive failed attempts; no request sent (\(rejection)). Check the server, or raise breaker_threshold",
                    attempts: attempts)
            }
            let permit: AIMDLimiter.Permit
            do {
                permit = try await limiter.acquire()
            } catch {
                await breaker.recordNeutral()
                throw error
            }
            attempts += 1
            let attemptStart = clock.now
            let failure: OpenAIError
            var retryAfterHeader: String?
            do {
                let reply = try await attempt(method, url: url, body: body)
                let seconds = Self.seconds(clock.now - attemptStart)
                if (200..<300).contains(reply.status) {
                    await limiter.release(permit, outcome: .success(latencySeconds: seconds))
                    await breaker.recordSuccess()
                    return Reply(
                        status: reply.status, body: reply.body, retryAfter: nil,
                        totalSeconds: Self.seconds(clock.now - started), attempts: attempts)
                }
                retryAfterHeader = reply.retryAfter
                failure = OpenAIError(
                    .httpStatus(reply.status),
                    "\(url) answered HTTP \(reply.status): \(OpenAIError.excerpt(reply.body, redacting: apiKey))")
            } catch let error as OpenAIError {
                failure = error
            } catch is CancellationError {
                await limiter.release(permit, outcome: .other)
                await breaker.recordNeutral()
                throw CancellationError()
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                failure = OpenAIError(.timeout, "\(url) did not answer within \(spec.timeoutSeconds) s")
            } catch {
                failure = OpenAIError(.connection, "connection to \(url) failed: \(error)")
            }
            await limiter.release(permit, outcome: failure.kind == .httpStatus(429) ? .rateLimited : .other)
            if failure.countsAgainstEndpoint {
                await breaker.recordFailure()
            } else {
                await breaker.recordNeutral()
            }
            let retry = attempts - 1
            guard failure.isRetryable, retry < retryPolicy.maxRetries else { throw failure.after(attempts: attempts) }
            let retryAfter = retryAfterHeader.flatMap { RetryPolicy.parseRetryAfter($0) }
            if let retryAfter, retryAfter > retryPolicy.maxRetryAfterSeconds {
                throw OpenAIError(
                    .retryAfterTooLong,
                    "\(failure.description); the server asked to retry after \(retryAfter) s, more than max_retry_after=\(retryPolicy.maxRetryAfterSeconds)",
                    attempts: attempts)
            }
            let delay = retryPolicy.delay(
                beforeRetry: retry, retryAfter: retryAfter, unitRandom: Double.random(in: 0..<1))
            logger.notice(
                "openai: \(failure.description); retry \(retry + 1) of \(retryPolicy.maxRetries) in \(String(format: "%.2f", delay)) s")
            try await Task.sleep(for: .seconds(delay))
        }
    }

    private struct RawReply: Sendable {
        var status: Int
        var body: [UInt8]
        var retryAfter: String?
    }

    /// One HTTP exchange, response body included, within the spec's timeout.
    private func attempt(_ method: HTTPMethod, url: String, body: [UInt8]?) async throws -> RawReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        let timeout = spec.timeoutSeconds
        let client = httpClient
        let finalRequest = request
        let outcome = try await withThrowingTaskGroup(of: RawReply?.self) { group in
            group.addTask {
                // AHC's own deadline is a backstop; the race below also bounds the body.
                let response = try await client.execute(
                    finalRequest, timeout: .milliseconds(Int64((timeout + 1) * 1000)))
                var buffer = try await response.body.collect(upTo: 256 << 20)
                let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                return RawReply(
                    status: Int(response.status.code), body: bytes,
                    retryAfter: response.headers.first(name: "Retry-After"))
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let outcome else {
            throw OpenAIError(.timeout, "\(url) did not answer within \(timeout) s (timeout)")
        }
        return outcome
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// A flag set once from any thread.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
