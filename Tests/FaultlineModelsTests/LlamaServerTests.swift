import AsyncHTTPClient
import FaultlineCore
import FaultlineModels
import FaultlineRunner
import FaultlineScenes
import FaultlineStore
import Foundation
import Logging
import NIOCore
import Testing

// The server is spawned through Glibc's posix_spawn types; the project builds and runs on Linux.
#if canImport(Glibc)
    import Glibc

/// The llama.cpp server and SmolLM2 model that scripts/install-llama.sh places under `FaultlineHome`.
private enum LlamaInstallation {
    static let version = "0.3.36"
    static var server: URL {
        FaultlineHome.directory.appendingPathComponent("llama.cpp/\(version)/bin/llama-server")
    }
    static var model: URL {
        FaultlineHome.models.appendingPathComponent("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    }
    /// SmolLM2-135M's hidden size, which mean pooling keeps.
    static let embeddingDimension = 576

    static var isPresent: Bool {
        FileManager.default.isExecutableFile(atPath: server.path) && FileManager.default.fileExists(atPath: model.path)
    }

    static var absence: Comment {
        Comment(
            rawValue:
                "llama-server tests skipped: need the executable \(server.path) and the model \(model.path); run scripts/install-llama.sh (FAULTLINE_HOME moves both)"
        )
    }
}

/// Why the llama-server could not be started.
private struct LlamaServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A running llama-server on a loopback port, serving chat, completions and embeddings.
private final class LlamaServer: @unchecked Sendable {
    /// Generous: under `--parallel` the zoo tests train models on the same two cores, and a
    /// starved server can take minutes to load; this is a deadline, not a speed check.
    static let healthDeadlineSeconds = 300.0
    static let minimumHealthAttempts = 50
    static let terminationGraceSeconds = 5.0

    let port: Int
    let logFile: URL
    private let processIdentifier: pid_t
    private let lock = NSLock()
    /// The wait status once the child has been reaped; guarded by `lock`.
    private var reapedStatus: Int32?

    private init(port: Int, logFile: URL, processIdentifier: pid_t) {
        self.port = port
        self.logFile = logFile
        self.processIdentifier = processIdentifier
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A spec for this server; `options` is appended after `?` when not empty.
    func spec(options: String = "") -> String {
        "openai:\(baseURL)/v1#smollm2" + (options.isEmpty ? "" : "?" + options)
    }

    /// Starts the server and waits until `/health` says the model is loaded. A port taken
    /// between choosing and binding it makes the server exit at once, so that is retried
    /// on another port.
    static func start(http: HTTPClient) async throws -> LlamaServer {
        var failures: [String] = []
        for _ in 0..<3 {
            let server = try launch(port: try freeLoopbackPort())
            do {
                try await server.waitUntilHealthy(http: http)
                return server
            } catch let error as LlamaServerError {
                let exitedEarly = !server.isRunning
                await server.stop()
                failures.append(error.description)
                if !exitedEarly { break }
            } catch {
                await server.stop()
                throw error
            }
        }
        throw LlamaServerError(failures.joined(separator: "\n---\n"))
    }

    /// Spawns the server with posix_spawn rather than Foundation's `Process`, whose children
    /// inherit the spawning worker thread's signal mask: there SIGTERM is blocked, so the
    /// server would ignore it and only SIGKILL could stop it.
    private static func launch(port: Int) throws -> LlamaServer {
        let logFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("faultline-llama-server-\(port)-\(UUID().uuidString).log")
        let arguments = [
            LlamaInstallation.server.path, "-m", LlamaInstallation.model.path, "--host", "127.0.0.1",
            "--port", String(port), "-t", "2", "-c", "2048", "--embeddings", "--pooling", "mean", "--parallel", "2",
        ]
        var attributes = posix_spawnattr_t()
        var fileActions = posix_spawn_file_actions_t()
        guard posix_spawnattr_init(&attributes) == 0, posix_spawn_file_actions_init(&fileActions) == 0 else {
            throw LlamaServerError("posix_spawn set-up failed with errno \(errno)")
        }
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&fileActions)
        }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGTERM)
        sigaddset(&defaultSignals, SIGINT)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // A file, not a pipe: nobody drains a pipe while tests run, and a full one blocks the server.
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, logFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var processIdentifier: pid_t = 0
        let result = posix_spawn(&processIdentifier, arguments[0], &fileActions, &attributes, argv, environ)
        guard result == 0 else {
            throw LlamaServerError(
                "cannot start \(arguments[0]): posix_spawn failed with \(String(cString: strerror(result)))")
        }
        return LlamaServer(port: port, logFile: logFile, processIdentifier: processIdentifier)
    }

    /// Whether the child still runs; reaps it once it has exited.
    var isRunning: Bool {
        lock.withLock {
            guard reapedStatus == nil else { return false }
            var status: Int32 = 0
            let result = waitpid(processIdentifier, &status, WNOHANG)
            if result == processIdentifier {
                reapedStatus = status
                return false
            }
            // -1 (ECHILD) means someone else reaped it: it is gone either way.
            if result == -1 { reapedStatus = -1 }
            return result == 0
        }
    }

    private var exitDescription: String {
        guard let status = lock.withLock({ reapedStatus }), status >= 0 else { return "an unknown status" }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7F
        return signal == 0 ? "exit code \((status >> 8) & 0xFF)" : "signal \(signal)"
    }

    private func waitUntilHealthy(http: HTTPClient) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(Self.healthDeadlineSeconds)
        var lastAnswer = "no answer yet"
        // Not the clock alone: in the whole suite, tests that compute synchronously can hold
        // the cooperative threads for minutes, so this task may get to ask only once or twice
        // before the deadline has passed (it then failed with the 503 of the first, loading,
        // answer while the server had long been ready). It asks at least this many times.
        var attempts = 0
        while clock.now < deadline || attempts < Self.minimumHealthAttempts {
            attempts += 1
            guard isRunning else {
                throw LlamaServerError(
                    "llama-server on port \(port) ended with \(exitDescription) during start-up; log:\n\(logTail())")
            }
            var request = HTTPClientRequest(url: baseURL + "/health")
            request.method = .GET
            do {
                // /health answers 503 while the model loads and 200 once it can serve.
                let response = try await http.execute(request, timeout: .seconds(2))
                let body = try await response.body.collect(upTo: 1 << 16)
                if response.status == .ok { return }
                // The body says why (loading, or another listener on the port): kept for the error.
                lastAnswer = "HTTP \(response.status.code) \(String(buffer: body).prefix(200))"
            } catch {
                lastAnswer = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LlamaServerError(
            "llama-server on port \(port) not healthy within \(Self.healthDeadlineSeconds) s and \(attempts) attempts (last /health: \(lastAnswer)); log:\n\(logTail())"
        )
    }

    /// Stops the server: SIGTERM, then SIGKILL if it is still running after the grace period.
    func stop() async {
        if isRunning {
            kill(processIdentifier, SIGTERM)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(Self.terminationGraceSeconds)
            while isRunning && clock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            if isRunning {
                kill(processIdentifier, SIGKILL)
                while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            }
        }
        try? FileManager.default.removeItem(at: logFile)
    }

    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? "(log unreadable)"
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// A port nobody listens on now: bind port 0 on loopback, read what the kernel chose, release it.
    private static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LlamaServerError("socket() failed with errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw LlamaServerError("bind(127.0.0.1:0) failed with errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw LlamaServerError("getsockname failed with errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// What `RunsLlamaServer` gives the tests of its suite.
private struct LlamaFixture: Sendable {
    /// The fixture of the suite being run, set by `RunsLlamaServer` around it.
    @TaskLocal static var current: LlamaFixture?

    let server: LlamaServer
    /// Shut down before the server is stopped, so no pooled connection outlives the suite.
    let http: HTTPClient

    /// A client for the server; `options` are spec options such as `concurrency=2`.
    func client(options: String = "") throws -> OpenAIClient {
        try OpenAIClient(spec: OpenAISpec(server.spec(options: options)), httpClient: http)
    }
}

/// Runs a suite with one llama-server, which is stopped when the suite ends, whether its tests
/// passed, failed or threw.
private struct RunsLlamaServer: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let server: LlamaServer
        do {
            server = try await LlamaServer.start(http: http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        do {
            try await LlamaFixture.$current.withValue(LlamaFixture(server: server, http: http)) { try await function() }
        } catch {
            try? await http.shutdown()
            await server.stop()
            throw error
        }
        try? await http.shutdown()
        await server.stop()
    }
}

private func capitalProbe() -> Probe {
    Probe(
        id: "capital-fr", images: [],
        prompt: "What is the capital of France?\nA. Berlin\nB. Paris\nC. Rome\nD. Madrid\nAnswer with the letter.",
        expected: ExpectedAnswer(text: "B", format: .multipleChoice, choices: ["Berlin", "Paris", "Rome", "Madrid"]),
        ability: .entity, lineage: Lineage(source: "llama-server-test", seed: 0))
}

/// Checks what any multiple-choice answer must satisfy, right or wrong.
private func expectWellFormedChoiceAnswer(_ response: ModelResponse, maxTokens: Int, probe: String) {
    #expect(!response.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "probe \(probe): empty text")
    guard let probabilities = response.choiceProbabilities else {
        Issue.record("probe \(probe): no choice probabilities; text was '\(response.text)'")
        return
    }
    #expect(!probabilities.isEmpty)
    #expect(Set(probabilities.keys).isSubset(of: ["A", "B", "C", "D"]), "probe \(probe): keys \(probabilities.keys.sorted())")
    #expect(probabilities.values.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect(abs(probabilities.values.reduce(0, +) - 1) <= 1e-6)
    let promptTokens = response.promptTokens ?? 0
    let completionTokens = response.completionTokens ?? 0
    #expect(promptTokens > 0, "probe \(probe): prompt tokens \(String(describing: response.promptTokens))")
    #expect(
        completionTokens > 0 && completionTokens <= maxTokens,
        "probe \(probe): completion tokens \(String(describing: response.completionTokens))")
}

private func cosine(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

private func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
}

@Suite(
    "OpenAI backend against a real llama-server (SmolLM2-135M)", .serialized,
    .enabled(if: LlamaInstallation.isPresent, LlamaInstallation.absence), RunsLlamaServer())
struct LlamaServerTests {
    private func fixture() throws -> LlamaFixture {
        try #require(LlamaFixture.current, "the suite trait RunsLlamaServer did not provide a server")
    }

    @Test func multipleChoiceProbeGivesTextLetterProbabilitiesAndUsageDeterministically() async throws {
        let model = OpenAIModel(client: try fixture().client())
        let parameters = DecodingParameters(temperature: 0, maxTokens: 8, seed: 7)
        let request = ModelRequest(probe: capitalProbe(), images: [], parameters: parameters)

        let first = try await model.answer(request)
        let second = try await model.answer(request)

        expectWellFormedChoiceAnswer(first, maxTokens: parameters.maxTokens, probe: "first")
        expectWellFormedChoiceAnswer(second, maxTokens: parameters.maxTokens, probe: "second")
        #expect(first.text == second.text)
        #expect(first.completionTokens == second.completionTokens)
        let firstProbabilities = first.choiceProbabilities ?? [:]
        let secondProbabilities = second.choiceProbabilities ?? [:]
        #expect(Set(firstProbabilities.keys) == Set(secondProbabilities.keys))
        for (letter, probability) in firstProbabilities {
            #expect(abs(probability - (secondProbabilities[letter] ?? -1)) <= 1e-4, "letter \(letter)")
        }
    }

    @Test func embeddingsAreDeterministicUnitVectorsThatSeparateTexts() async throws {
        let embedder = try await OpenAIEmbedder.connect(client: try fixture().client())
        #expect(embedder.dimension == LlamaInstallation.embeddingDimension)

        let batch = try await embedder.embed(texts: ["a red square", "a blue circle", "a red square"])
        let again = try await embedder.embed(texts: ["a red square"])
        try #require(batch.count == 3 && again.count == 1)
        for vector in batch + again {
            #expect(vector.count == LlamaInstallation.embeddingDimension)
            #expect(abs(cosine(vector, vector) - 1) < 1e-4)
        }
        // The same text, within one request and across two, embeds to the same vector.
        #expect(largestDifference(batch[0], batch[2]) < 1e-4)
        #expect(largestDifference(batch[0], again[0]) < 1e-4)
        // Different texts do not.
        #expect(largestDifference(batch[0], batch[1]) > 1e-2)
        #expect(cosine(batch[0], batch[1]) < 0.999)
    }

    @Test func concurrentProbesAllSucceedWithinTheSpecsConcurrency() async throws {
        let model = OpenAIModel(client: try fixture().client(options: "concurrency=2"))
        #expect(model.maxConcurrentRequests == 2)
        let parameters = DecodingParameters(temperature: 0, maxTokens: 6, seed: 0)
        let questions = [
            "What is the capital of France?\nA. Berlin\nB. Paris\nC. Rome\nD. Madrid",
            "Which animal barks?\nA. Cat\nB. Cow\nC. Dog\nD. Fish",
            "What colour is the sky on a clear day?\nA. Blue\nB. Green\nC. Red\nD. Yellow",
            "How many legs does a spider have?\nA. Four\nB. Six\nC. Ten\nD. Eight",
            "Which is a fruit?\nA. Carrot\nB. Apple\nC. Potato\nD. Onion",
            "What is 2 + 2?\nA. 3\nB. 5\nC. 4\nD. 22",
        ]
        let responses = try await withThrowingTaskGroup(of: (Int, ModelResponse).self) { group in
            for (index, question) in questions.enumerated() {
                // Only the machinery is checked: a 135M model need not pick the right letter.
                let probe = Probe(
                    id: "concurrent-\(index)", images: [], prompt: question + "\nAnswer with the letter.",
                    expected: ExpectedAnswer(text: "A", format: .multipleChoice, choices: ["1", "2", "3", "4"]),
                    ability: .entity, lineage: Lineage(source: "llama-server-test", seed: UInt64(index)))
                group.addTask {
                    (index, try await model.answer(ModelRequest(probe: probe, images: [], parameters: parameters)))
                }
            }
            var collected: [Int: ModelResponse] = [:]
            for try await (index, response) in group { collected[index] = response }
            return collected
        }
        #expect(responses.count == questions.count)
        // Every permit was returned and no attempt failed.
        #expect(await model.client.limiter.inFlight == 0)
        #expect(await model.client.limiter.maximum == 2)
        #expect(await model.client.breaker.state == .closed(consecutiveFailures: 0))
        for (index, response) in responses.sorted(by: { $0.key < $1.key }) {
            expectWellFormedChoiceAnswer(response, maxTokens: parameters.maxTokens, probe: "concurrent-\(index)")
        }
    }

    @Test func languageSuiteRunsEndToEndThroughTheRunnerWithChoiceProbabilitiesAndTokens() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-llama-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AuditDatabase(directory: directory)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = AuditRunner(database: database, logger: logger)
        let source = LanguageProbeSource(count: 9, seed: 5)
        try database.createRun(
            id: "lang", configJSON: "{}",
            manifest: RunManifest(runID: "lang", suite: "language", seed: 5, probeCount: 9, models: [], faultlineVersion: "test"))
        try runner.materialise(runID: "lang", source: source)
        let model = try BackendRegistry.standard.make(
            try fixture().server.spec(options: "concurrency=2"), environment: BackendEnvironment(logger: logger))

        let progress = try await runner.answer(runID: "lang", model: model, judging: { JudgeSelector.judge(for: $0) })

        #expect(progress.done == 9)
        var rows: [JudgedProbe] = []
        try database.forEachJudgedProbe(runID: "lang") { rows.append($0) }
        #expect(rows.count == 9)
        // A 135M model need not be right; every answer must be a parsed letter with usage.
        for row in rows {
            #expect(row.outcome == .correct || row.outcome == .wrong, "probe \(row.probeID): \(row.outcome) \(row.detail)")
            #expect(row.ability == .language)
            #expect((row.promptTokens ?? 0) > 0 && (row.completionTokens ?? 0) > 0, "probe \(row.probeID)")
        }
    }
}
#endif
