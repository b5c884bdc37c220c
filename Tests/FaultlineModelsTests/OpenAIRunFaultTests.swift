import FaultlineCore
import FaultlineModels
import FaultlineRunner
import FaultlineStore
import Foundation
import Logging
import Testing

/// Text-only multiple-choice probes (no image), as a remote language model would be asked.
private struct TextQuestions: ProbeSource {
    var count: Int
    var name: String { "text-questions" }

    func samples() -> AnySequence<ProbeSample> {
        AnySequence((0..<count).lazy.map { i in
            ProbeSample(
                probe: Probe(
                    id: String(format: "q-%02d", i), images: [],
                    prompt: "Question \(i): which letter comes second?\nA. a\nB. b\nC. c\nAnswer with the letter.",
                    expected: ExpectedAnswer(text: "B", format: .multipleChoice, choices: ["a", "b", "c"]),
                    ability: .structuredData, lineage: Lineage(source: name, seed: 0)),
                imagePNGs: [])
        })
    }
}

/// A whole run through the runner against the scripted loopback server (a test double):
/// the faults that exhaust their retries become `error` verdicts, nothing else is lost, and
/// a resumed run asks again about the errors only.
@Suite struct OpenAIRunFaultTests {
    @Test func faultsBecomeExactlyTheRightErrorsAndAResumeRetriesOnlyThem() async throws {
        let answer = ScriptedOpenAIServer.Action.reply(status: 200, headers: [], body: OpenAIFixtures.chat("B"))
        // One request at a time, so the script's order is the probes' order.
        let script: [ScriptedOpenAIServer.Action] = [
            answer,  // q-00
            OpenAIFixtures.status(500), OpenAIFixtures.status(500),  // q-01: retries exhausted → error
            OpenAIFixtures.status(429, retryAfter: "1"), answer,  // q-02: waits, then answers
            .reply(status: 200, headers: [], body: "{\"choices\": [tru"),  // q-03: malformed → error, not retried
            .cutOff(announced: 400, body: "{\"id\":"), answer,  // q-04: cut connection, retried
            .hang, .hang,  // q-05: two timeouts → error
            OpenAIFixtures.status(503), answer,  // q-06
            answer,  // q-07
        ]
        let server = ScriptedOpenAIServer(script)
        try await server.start()
        defer { Task { try? await server.stop() } }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-openai-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AuditDatabase(directory: directory)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = AuditRunner(database: database, logger: logger)
        try database.createRun(
            id: "r", configJSON: "{}",
            manifest: RunManifest(runID: "r", suite: "text-questions", seed: 0, probeCount: 8, models: [], faultlineVersion: "test"))
        try runner.materialise(runID: "r", source: TextQuestions(count: 8))

        let spec = "openai:\(server.baseURL)#test-model?concurrency=1&max_retries=1&timeout=0.5&backoff_base=0.01"
        let model = try BackendRegistry.standard.make(spec, environment: BackendEnvironment(logger: logger))
        let first = try await runner.answer(runID: "r", model: model, judging: { JudgeSelector.judge(for: $0) })
        #expect(first.done == 8)
        #expect(server.requestCount == 13)

        var errors: [String: String] = [:]
        var outcomes: [String: Outcome] = [:]
        try database.forEachJudgedProbe(runID: "r") { row in
            outcomes[row.probeID] = row.outcome
            if row.outcome == .error { errors[row.probeID] = row.detail }
        }
        #expect(outcomes.count == 8)
        #expect(errors.keys.sorted() == ["q-01", "q-03", "q-05"])
        #expect(errors["q-03"]?.contains("{\"choices\": [tru") == true)
        #expect(outcomes.filter { $0.value == .correct }.count == 5)

        // Resume: only the three errors are asked again.
        server.enqueue([answer, answer, answer])
        let second = try await runner.answer(runID: "r", model: model, judging: { JudgeSelector.judge(for: $0) })
        #expect(second.backendCalls == 3)
        #expect(server.requestCount == 16)
        #expect(try database.verdictCounts(runID: "r")[model.key]?[.correct] == 8)
    }
}
