import AsyncHTTPClient
import FaultlineCore
import FaultlineModels
import Foundation
import Testing

/// Runs `body` against a scripted loopback server with a client made from `options`.
private func withServer<T>(
    _ script: [ScriptedOpenAIServer.Action], options: String, environment: [String: String] = [:],
    _ body: (ScriptedOpenAIServer, OpenAIClient) async throws -> T
) async throws -> T {
    let server = ScriptedOpenAIServer(script)
    try await server.start()
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let spec = try OpenAISpec("openai:\(server.baseURL)#test-model?\(options)")
        let client = try OpenAIClient(spec: spec, httpClient: http, environment: environment)
        let result = try await body(server, client)
        try await http.shutdown()
        try await server.stop()
        return result
    } catch {
        try? await http.shutdown()
        try? await server.stop()
        throw error
    }
}

private func multipleChoiceProbe() -> Probe {
    Probe(
        id: "mc-1", images: [], prompt: "Which colour is the square? A. red B. green C. blue",
        expected: ExpectedAnswer(text: "B", format: .multipleChoice, choices: ["red", "green", "blue"]),
        ability: .attribute, lineage: Lineage(source: "test", seed: 0))
}

private func openAIError(_ body: () async throws -> Void) async -> OpenAIError? {
    do {
        try await body()
        return nil
    } catch let error as OpenAIError {
        return error
    } catch {
        Issue.record("expected an OpenAIError, got \(error)")
        return nil
    }
}

@Suite("OpenAI spec")
struct OpenAISpecTests {
    @Test func parsesTheDocumentedExample() throws {
        let spec = try OpenAISpec(
            "openai:http://127.0.0.1:8080/v1#model-name?key_env=OPENAI_API_KEY&concurrency=8&timeout=60&max_retries=4")
        #expect(spec.baseURL == "http://127.0.0.1:8080/v1")
        #expect(spec.model == "model-name")
        #expect(spec.apiKeyVariable == "OPENAI_API_KEY")
        #expect(spec.concurrency == 8)
        #expect(spec.timeoutSeconds == 60)
        #expect(spec.maxRetries == 4)
        #expect(spec.key == "openai:http://127.0.0.1:8080/v1#model-name?concurrency=8&timeout=60&max_retries=4")
        #expect(spec.endpoint("chat/completions") == "http://127.0.0.1:8080/v1/chat/completions")
    }

    @Test func rejectsBadSpecsWithTheReason() {
        func message(_ raw: String) -> String {
            do {
                _ = try OpenAISpec(raw)
                return ""
            } catch { return "\(error)" }
        }
        #expect(message("openai:http://127.0.0.1:8080/v1").contains("names no model"))
        #expect(message("openai:ftp://host/v1#m").contains("not an http(s) base URL"))
        #expect(message("openai:http://h/v1#m?concurency=3").contains("unknown option(s) concurency"))
        #expect(message("openai:http://h/v1#m?max_retries=-1").contains("max_retries"))
        #expect(message("openai:http://h/v1#m?timeout=0").contains("timeout"))
    }

    @Test func theRegistrySnippetMakesAModelWithoutContactingTheServer() throws {
        var registry = BackendRegistry()
        registry.register("openai:*", summary: "OpenAI-compatible endpoint") { spec, environment in
            try OpenAIModel(spec: spec, environment: environment)
        }
        let model = try registry.make(
            "openai:http://127.0.0.1:9/v1/#vlm?concurrency=2&timeout=5",
            environment: BackendEnvironment())
        #expect(model.key == "openai:http://127.0.0.1:9/v1/#vlm?concurrency=2&timeout=5")
        #expect(model.fingerprint == "openai|http://127.0.0.1:9/v1|vlm")
        #expect(model.maxConcurrentRequests == 2)
    }

    @Test func missingKeyVariableIsNamedButNoValueShown() throws {
        let spec = try OpenAISpec("openai:http://127.0.0.1:1/v1#m?key_env=FAULTLINE_ABSENT_KEY")
        #expect(throws: OpenAIError.self) { try OpenAIClient(spec: spec, environment: [:]) }
        do {
            _ = try OpenAIClient(spec: spec, environment: [:])
        } catch {
            #expect("\(error)".contains("FAULTLINE_ABSENT_KEY"))
        }
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        #expect(RetryPolicy.parseRetryAfter("1") == 1)
        #expect(RetryPolicy.parseRetryAfter(" 0.25 ") == 0.25)
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // 2015-10-21 07:27:50 GMT
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 10)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test func backoffIsFullJitterUnderTheCap() {
        let policy = RetryPolicy(maxRetries: 4, baseSeconds: 0.5, maxSeconds: 3, maxRetryAfterSeconds: 10)
        #expect(policy.delay(beforeRetry: 0, retryAfter: nil, unitRandom: 1) == 0.5)
        #expect(policy.delay(beforeRetry: 2, retryAfter: nil, unitRandom: 0.5) == 1)
        #expect(policy.delay(beforeRetry: 10, retryAfter: nil, unitRandom: 1) == 3)
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, unitRandom: 0) == 0)
        #expect(policy.delay(beforeRetry: 3, retryAfter: 1.5, unitRandom: 0) == 1.5)
    }
}

@Suite("OpenAI client against a scripted loopback server")
struct OpenAIClientTests {
    @Test func chatCompletionSendsImagesAndSettingsAndRecordsUsage() async throws {
        try await withServer([OpenAIFixtures.ok], options: "backoff_base=0.01") { server, client in
            let png = Data([0x89, 0x50, 0x4E, 0x47])
            let completion = try await client.chatCompletion(
                ChatCompletionRequest(
                    prompt: "Read the text.", imagePNGs: [png], temperature: 0.5, maxTokens: 7, seed: 42,
                    stop: ["\n"]))
            #expect(completion.text == "hello")
            #expect(completion.promptTokens == 12)
            #expect(completion.completionTokens == 1)
            #expect(completion.attempts == 1)
            #expect(completion.latencySeconds > 0)
            #expect(server.requestCount == 1)
            let sent = try #require(server.received.first)
            #expect(sent.method == "POST")
            #expect(sent.path == "/v1/chat/completions")
            #expect(sent.authorization == nil)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
            #expect(json["model"] as? String == "test-model")
            #expect(json["temperature"] as? Double == 0.5)
            #expect(json["max_tokens"] as? Int == 7)
            #expect(json["seed"] as? Int == 42)
            #expect(json["stop"] as? [String] == ["\n"])
            #expect(json["logprobs"] == nil)
            #expect(sent.body.contains("\"url\":\"data:image/png;base64,\(png.base64EncodedString())\""))
            #expect(sent.body.contains("\"type\":\"text\""))
        }
    }

    @Test func retriesStopAtTheCap() async throws {
        let script = Array(repeating: OpenAIFixtures.status(500), count: 6)
        try await withServer(script, options: "max_retries=2&backoff_base=0.01&breaker_threshold=100") {
            server, client in
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(error?.kind == .httpStatus(500))
            #expect(error?.attempts == 3)
            #expect(error?.description.contains("gave up after 3 attempts") == true)
            #expect(server.requestCount == 3)
        }
    }

    @Test func tooManyRequestsThenSuccessHonoursRetryAfter() async throws {
        let script = [OpenAIFixtures.status(429, retryAfter: "1"), OpenAIFixtures.ok]
        try await withServer(script, options: "max_retries=3&backoff_base=0.01") { server, client in
            let start = ContinuousClock.now
            let completion = try await client.chatCompletion(ChatCompletionRequest(prompt: "x"))
            let elapsed = ContinuousClock.now - start
            #expect(completion.text == "hello")
            #expect(completion.attempts == 2)
            #expect(server.requestCount == 2)
            #expect(elapsed >= .milliseconds(950))
        }
    }

    @Test func gatewayErrorsAreRetriedUntilSuccess() async throws {
        let script = [OpenAIFixtures.status(502), OpenAIFixtures.status(503), OpenAIFixtures.status(504), OpenAIFixtures.ok]
        try await withServer(script, options: "max_retries=4&backoff_base=0.01") { server, client in
            let completion = try await client.chatCompletion(ChatCompletionRequest(prompt: "x"))
            #expect(completion.attempts == 4)
            #expect(server.requestCount == 4)
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        try await withServer([OpenAIFixtures.status(404), OpenAIFixtures.ok], options: "backoff_base=0.01") {
            server, client in
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(error?.kind == .httpStatus(404))
            #expect(error?.description.contains("scripted 404") == true)
            #expect(server.requestCount == 1)
        }
    }

    @Test func garbageJSONIsAnErrorCarryingTheBodyExcerpt() async throws {
        let garbage = "<html>" + String(repeating: "x", count: 300) + "</html>"
        try await withServer([.reply(status: 200, headers: [], body: garbage)], options: "backoff_base=0.01") {
            server, client in
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(error?.kind == .malformedResponse)
            let message = error?.description ?? ""
            #expect(message.contains(String(garbage.prefix(200))))
            #expect(!message.contains(String(garbage.prefix(201))))
            #expect(message.contains("/v1/chat/completions"))
            #expect(server.requestCount == 1)
        }
    }

    @Test func truncatedJSONIsAnErrorCarryingTheBodyExcerpt() async throws {
        let whole = OpenAIFixtures.chat("hello")
        let truncated = String(whole.prefix(whole.count / 2))
        try await withServer([.reply(status: 200, headers: [], body: truncated)], options: "backoff_base=0.01") {
            server, client in
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(error?.kind == .malformedResponse)
            #expect(error?.description.contains(String(truncated.prefix(60))) == true)
            #expect(server.requestCount == 1)
        }
    }

    @Test func connectionCutMidBodyIsRetried() async throws {
        let script: [ScriptedOpenAIServer.Action] = [.cutOff(announced: 5000, body: "{\"id\":"), OpenAIFixtures.ok]
        try await withServer(script, options: "max_retries=2&backoff_base=0.01") { server, client in
            let completion = try await client.chatCompletion(ChatCompletionRequest(prompt: "x"))
            #expect(completion.text == "hello")
            #expect(server.requestCount == 2)
        }
    }

    @Test func aHangingServerTimesOutAndRetriesStopAtTheCap() async throws {
        try await withServer([.hang, .hang, .hang], options: "timeout=0.3&max_retries=1&backoff_base=0.01") {
            server, client in
            let start = ContinuousClock.now
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            let elapsed = ContinuousClock.now - start
            #expect(error?.kind == .timeout)
            #expect(error?.attempts == 2)
            #expect(server.requestCount == 2)
            #expect(elapsed >= .milliseconds(550))
        }
    }

    @Test func circuitOpensAfterConsecutiveFailuresAndHalfOpensAfterCooldown() async throws {
        let script = Array(repeating: OpenAIFixtures.status(500), count: 3) + [OpenAIFixtures.ok]
        try await withServer(script, options: "max_retries=0&breaker_threshold=3&breaker_cooldown=0.4") {
            server, client in
            for _ in 0..<3 {
                let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
                #expect(error?.kind == .httpStatus(500))
            }
            #expect(await client.breaker.isOpen)
            let rejected = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(rejected?.kind == .circuitOpen)
            #expect(rejected?.attempts == 0)
            #expect(server.requestCount == 3)
            try await Task.sleep(for: .milliseconds(500))
            let completion = try await client.chatCompletion(ChatCompletionRequest(prompt: "x"))
            #expect(completion.text == "hello")
            #expect(server.requestCount == 4)
            #expect(await client.breaker.state == .closed(consecutiveFailures: 0))
        }
    }

    @Test func adaptiveLimitHalvesOnTooManyRequestsAndGrowsBack() async throws {
        let script = [OpenAIFixtures.status(429)] + Array(repeating: OpenAIFixtures.ok, count: 40)
        // A huge latency factor keeps a loaded test machine's slow replies from counting as
        // congestion: this test is about 429s.
        try await withServer(script, options: "concurrency=8&max_retries=0&backoff_base=0.01&latency_factor=1000") {
            server, client in
            #expect(await client.limiter.currentLimit == 8)
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(error?.kind == .httpStatus(429))
            #expect(await client.limiter.currentLimit == 4)
            var successes = 0
            while await client.limiter.currentLimit < 8 {
                _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x"))
                successes += 1
                try #require(successes <= 40, "the limit never grew back")
            }
            // From 4 to 8 at +1/limit per success takes about 4+5+6+7 successes.
            #expect((18...26).contains(successes))
            #expect(server.requestCount == 1 + successes)
        }
    }

    @Test func requestsInFlightNeverExceedTheSpecConcurrency() async throws {
        let slow = ScriptedOpenAIServer.Action.delayed(seconds: 0.05, then: OpenAIFixtures.ok)
        try await withServer(Array(repeating: slow, count: 12), options: "concurrency=3") { server, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
                }
                try await group.waitForAll()
            }
            #expect(server.requestCount == 12)
            #expect(server.maxConcurrentRequests == 3)
        }
    }

    @Test func apiKeyIsSentAsBearerButNeverShown() async throws {
        let secret = "sk-test-SECRET-0123456789"
        let echo = ScriptedOpenAIServer.Action.reply(
            status: 401, headers: [], body: "{\"error\":\"invalid key \(secret)\"}")
        try await withServer(
            [OpenAIFixtures.ok, echo], options: "key_env=FAULTLINE_TEST_KEY&backoff_base=0.01",
            environment: ["FAULTLINE_TEST_KEY": secret]
        ) { server, client in
            let model = OpenAIModel(client: client)
            _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x"))
            #expect(server.received.first?.authorization == "Bearer \(secret)")
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(error?.kind == .httpStatus(401))
            #expect(error?.description.contains("[redacted]") == true)
            #expect(error?.description.contains(secret) == false)
            #expect(!model.fingerprint.contains(secret))
            #expect(!model.key.contains(secret))
            #expect(!model.key.contains("key_env"))
        }
    }
}

@Suite("OpenAI model and embedder")
struct OpenAIModelTests {
    @Test func logprobsBecomeChoiceProbabilitiesSummingToOne() async throws {
        let body = OpenAIFixtures.chat("B", alternatives: [("B", -0.2), (" A", -2.0), ("c", -3.0), ("The", -1.0)])
        try await withServer([.reply(status: 200, headers: [], body: body)], options: "backoff_base=0.01") {
            server, client in
            let model = OpenAIModel(client: client)
            let response = try await model.answer(
                ModelRequest(
                    probe: multipleChoiceProbe(), images: [RasterImage(width: 2, height: 2, channels: 3, fill: 200)],
                    parameters: DecodingParameters()))
            #expect(response.text == "B")
            let probabilities = try #require(response.choiceProbabilities)
            #expect(Set(probabilities.keys) == ["A", "B", "C"])
            #expect(abs(probabilities.values.reduce(0, +) - 1) < 1e-9)
            let expectedB = exp(-0.2) / (exp(-0.2) + exp(-2.0) + exp(-3.0))
            #expect(abs((probabilities["B"] ?? 0) - expectedB) < 1e-9)
            #expect(response.promptTokens == 12)
            let sent = try #require(server.received.first)
            #expect(sent.body.contains("\"logprobs\":true"))
            #expect(sent.body.contains("\"top_logprobs\":20"))
            #expect(sent.body.contains("data:image/png;base64,iVBORw0KGgo"))
        }
    }

    @Test func choiceProbabilitiesSkipPositionsWithoutALetter() {
        let tokens = [
            GeneratedToken(token: "(", logprob: -0.1, alternatives: [TokenCandidate(token: "(", logprob: -0.1)]),
            GeneratedToken(
                token: "D", logprob: -0.5,
                alternatives: [
                    TokenCandidate(token: "D", logprob: -0.5), TokenCandidate(token: "A", logprob: -1.5),
                    TokenCandidate(token: "Z", logprob: -0.1),
                ]),
        ]
        let probabilities = OpenAIModel.choiceProbabilities(tokens: tokens, letters: ["A", "B", "C", "D"])
        #expect(probabilities?.keys.sorted() == ["A", "D"])
        #expect(OpenAIModel.choiceProbabilities(tokens: [tokens[0]], letters: ["A", "B"]) == nil)
    }

    @Test func connectPutsTheServedModelInTheFingerprint() async throws {
        let list = """
            {"object":"list","data":[{"id":"other","object":"model"},{"id":"test-model","object":"model","root":"/weights/qwen2-vl-2b","owned_by":"vllm"}]}
            """
        try await withServer([.reply(status: 200, headers: [], body: list)], options: "concurrency=3") {
            server, client in
            let model = try await OpenAIModel.connect(client: client)
            #expect(model.fingerprint == "openai|\(server.baseURL)|test-model|served=test-model|root=/weights/qwen2-vl-2b")
            #expect(model.maxConcurrentRequests == 3)
            #expect(server.received.first?.path == "/v1/models")
        }
    }

    @Test func embeddingsAreUnitVectorsInInputOrder() async throws {
        let probe = #"{"data":[{"index":0,"embedding":[1,0,0]}]}"#
        let pair = #"{"data":[{"index":1,"embedding":[0,0,2]},{"index":0,"embedding":[3,4,0]}],"usage":{"prompt_tokens":4}}"#
        try await withServer(
            [.reply(status: 200, headers: [], body: probe), .reply(status: 200, headers: [], body: pair)], options: ""
        ) { server, client in
            let embedder = try await OpenAIEmbedder.connect(client: client)
            #expect(embedder.dimension == 3)
            let vectors = try await embedder.embed(texts: ["first", "second"])
            #expect(vectors == [[0.6, 0.8, 0], [0, 0, 1]])
            #expect(server.received.last?.path == "/v1/embeddings")
            #expect(server.received.last?.body.contains("\"input\":[\"first\",\"second\"]") == true)
        }
    }
}

@Suite("AIMD limiter")
struct OpenAIAIMDLimiterTests {
    @Test func onlyOneDecreasePerCongestionEpisode() async throws {
        let limiter = AIMDLimiter(maximum: 8)
        var permits: [AIMDLimiter.Permit] = []
        for _ in 0..<4 { permits.append(try await limiter.acquire()) }
        for permit in permits { await limiter.release(permit, outcome: .rateLimited) }
        // Four 429s from requests sent at the same limit are one signal, not four.
        #expect(await limiter.currentLimit == 4)
        let later = try await limiter.acquire()
        await limiter.release(later, outcome: .rateLimited)
        #expect(await limiter.currentLimit == 2)
    }

    @Test func aLatencySpikeWellAboveTheMedianShrinksTheLimit() async throws {
        let limiter = AIMDLimiter(maximum: 4, latencyFactor: 3)
        for _ in 0..<12 {
            await limiter.release(try await limiter.acquire(), outcome: .success(latencySeconds: 0.1))
        }
        #expect(await limiter.currentLimit == 4)
        await limiter.release(try await limiter.acquire(), outcome: .success(latencySeconds: 0.25))
        #expect(await limiter.currentLimit == 4)
        await limiter.release(try await limiter.acquire(), outcome: .success(latencySeconds: 1.0))
        #expect(await limiter.currentLimit == 2)
    }

    @Test func neverAdmitsMoreThanTheLimit() async throws {
        let limiter = AIMDLimiter(maximum: 2)
        let first = try await limiter.acquire()
        let second = try await limiter.acquire()
        let third = Task { try await limiter.acquire() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await limiter.inFlight == 2)
        await limiter.release(first, outcome: .other)
        let admitted = try await third.value
        #expect(await limiter.inFlight == 2)
        await limiter.release(second, outcome: .other)
        await limiter.release(admitted, outcome: .other)
        #expect(await limiter.inFlight == 0)
    }
}

@Suite("OpenAI failure policies")
struct OpenAIFailurePolicyTests {
    @Test func halfOpenTrialFailureReopensTheBreaker() async throws {
        let breaker = CircuitBreaker(threshold: 2, cooldown: .milliseconds(100))
        await breaker.recordFailure()
        #expect(await breaker.admit() == nil)
        await breaker.recordFailure()
        guard case .coolingDown = await breaker.admit() else {
            Issue.record("an open breaker must reject")
            return
        }
        try await Task.sleep(for: .milliseconds(150))
        #expect(await breaker.admit() == nil)  // the trial
        #expect(await breaker.admit() == .trialInFlight)
        await breaker.recordFailure()
        #expect(await breaker.isOpen)
        try await Task.sleep(for: .milliseconds(150))
        #expect(await breaker.admit() == nil)
        await breaker.recordSuccess()
        #expect(await breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test func aRetryAfterLongerThanAllowedFailsAtOnce() async throws {
        try await withServer(
            [OpenAIFixtures.status(503, retryAfter: "600"), OpenAIFixtures.ok], options: "max_retry_after=2"
        ) { server, client in
            // No timing bound (timing assertions flake on a loaded machine): one request and
            // the right error show that it did not wait out the 600 s.
            let error = await openAIError { _ = try await client.chatCompletion(ChatCompletionRequest(prompt: "x")) }
            #expect(error?.kind == .retryAfterTooLong)
            #expect(error?.description.contains("600") == true)
            #expect(error?.attempts == 1)
            #expect(server.requestCount == 1)
        }
    }

    @Test func aServerRefusingLogprobsIsAskedAgainWithout() async throws {
        let refusal = ScriptedOpenAIServer.Action.reply(
            status: 400, headers: [], body: #"{"error":{"message":"logprobs are not supported by this model"}}"#)
        try await withServer(
            [refusal, .reply(status: 200, headers: [], body: OpenAIFixtures.chat("B")), OpenAIFixtures.ok],
            options: "backoff_base=0.01"
        ) { server, client in
            let model = OpenAIModel(client: client)
            let request = ModelRequest(probe: multipleChoiceProbe(), images: [], parameters: DecodingParameters())
            let response = try await model.answer(request)
            #expect(response.text == "B")
            #expect(response.choiceProbabilities == nil)
            #expect(client.logprobsUnsupported)
            #expect(server.requestCount == 2)
            #expect(server.received[0].body.contains("\"logprobs\":true"))
            #expect(!server.received[1].body.contains("logprobs"))
            _ = try await model.answer(request)
            #expect(server.requestCount == 3)
            #expect(!server.received[2].body.contains("logprobs"))
        }
    }
}
