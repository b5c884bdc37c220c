import FaultlineCore
import FaultlineImageIO
import FaultlineModels
import FaultlineRunner
import FaultlineStore
import Foundation
import Logging
import Testing

/// A deterministic source of tiny probes whose images are solid grey squares.
struct GreySquares: ProbeSource {
    var count: Int
    var name: String { "grey-squares" }

    func samples() -> AnySequence<ProbeSample> {
        AnySequence((0..<count).lazy.map { i in
            let image = RasterImage(width: 8, height: 8, channels: 3, fill: UInt8(i % 256))
            let png = try! PNGCodec.encode(image)
            let ref = ImageRef(sha256: SHA256.hex(of: png), width: 8, height: 8)
            let probe = Probe(
                id: String(format: "grey-%04d", i), images: [ref], prompt: "Which grey level is this?",
                expected: ExpectedAnswer(text: "\(i % 256)", format: .freeText), ability: .ocr,
                lineage: Lineage(source: name, seed: 0, factors: ["parity": i % 2 == 0 ? "even" : "odd"]))
            return ProbeSample(probe: probe, imagePNGs: [png])
        })
    }
}

/// Counts progress callbacks; a test double for the progress observer.
final class RecordingObserver: RunProgressObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var last: RunProgress?
    func progressed(_ progress: RunProgress) { lock.withLock { last = progress } }
    var final: RunProgress? { lock.withLock { last } }
}

/// Test double: the echo double under its own key with another fingerprint, as a model
/// whose weights changed would be.
struct NewVersion: VisionLanguageModel {
    let wrapped: EchoDouble
    var key: String { wrapped.key }
    var fingerprint: String { wrapped.fingerprint + "+new-weights" }
    func answer(_ request: ModelRequest) async throws -> ModelResponse { try await wrapped.answer(request) }
}

@Suite final class RunnerTests {
    let directory: URL
    let database: AuditDatabase
    let runner: AuditRunner

    deinit { try? FileManager.default.removeItem(at: directory) }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-runner-\(UUID().uuidString)")
        database = try AuditDatabase(directory: directory)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        runner = AuditRunner(database: database, logger: logger)
    }

    func makeRun(count: Int) throws -> String {
        let manifest = RunManifest(runID: "r1", suite: "grey", seed: 0, probeCount: count, models: [], faultlineVersion: "test")
        try database.createRun(id: "r1", configJSON: "{}", manifest: manifest)
        try runner.materialise(runID: "r1", source: GreySquares(count: count))
        return "r1"
    }

    func callLines(_ log: URL) -> [String] {
        (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    @Test func everyProbeGetsAVerdictAndASecondPassCallsNothing() async throws {
        let run = try makeRun(count: 40)
        let log = directory.appendingPathComponent("calls.log")
        let model = try EchoDouble(spec: BackendSpec("double:echo?concurrency=3&log=\(log.path)"))
        let first = try await runner.answer(runID: run, model: model, judge: OCRJudge())
        #expect(first.backendCalls == 40)
        #expect(try database.verdictCounts(runID: run)["double:echo"]?[.correct] == 40)

        let second = try await runner.answer(runID: run, model: model, judge: OCRJudge())
        #expect(second.backendCalls == 0)
        #expect(callLines(log).count == 40)
        #expect(Set(callLines(log)).count == 40)
    }

    @Test func resumingAfterTheModelChangedAsksItsNewVersionAgain() async throws {
        let run = try makeRun(count: 12)
        let log = directory.appendingPathComponent("calls.log")
        let echo = try EchoDouble(spec: BackendSpec("double:echo?log=\(log.path)"))
        try await runner.answer(runID: run, model: echo, judge: OCRJudge())
        // The same key with other weights: nothing the old version answered is kept.
        let newer = NewVersion(wrapped: echo)
        let second = try await runner.answer(runID: run, model: newer, judge: OCRJudge())
        #expect(second.backendCalls == 12)
        #expect(try database.verdictCounts(runID: run)["double:echo"]?[.correct] == 12)
        // And that version's verdicts are kept when it resumes again.
        let third = try await runner.answer(runID: run, model: newer, judge: OCRJudge())
        #expect(third.backendCalls == 0)
        #expect(callLines(log).count == 24)
    }

    @Test func aNewRunOfTheSameProbesIsServedFromTheCache() async throws {
        _ = try makeRun(count: 10)
        let manifest = RunManifest(runID: "r2", suite: "grey", seed: 0, probeCount: 10, models: [], faultlineVersion: "test")
        try database.createRun(id: "r2", configJSON: "{}", manifest: manifest)
        try runner.materialise(runID: "r2", source: GreySquares(count: 10))
        let model = try EchoDouble(spec: BackendSpec("double:echo"))
        try await runner.answer(runID: "r1", model: model, judge: OCRJudge())
        let observer = RecordingObserver()
        let second = try await runner.answer(runID: "r2", model: model, judge: OCRJudge(), observer: observer)
        #expect(second.backendCalls == 0)
        #expect(second.cached == 10)
        #expect(observer.final?.done == 10)
    }

    @Test func backendErrorsBecomeVerdictsAndOnlyErrorsAreRetried() async throws {
        let run = try makeRun(count: 60)
        let log = directory.appendingPathComponent("calls.log")
        let failing = try EchoDouble(spec: BackendSpec("double:echo?fail-every=4&log=\(log.path)"))
        let first = try await runner.answer(runID: run, model: failing, judge: OCRJudge())
        let errors = try database.verdictCounts(runID: run)["double:echo"]?[.error] ?? 0
        #expect(errors > 0 && errors < 60)
        #expect(first.errors == errors)

        // The same double without failures: only the error probes are asked again.
        let healthy = try EchoDouble(spec: BackendSpec("double:echo?log=\(log.path)"))
        let second = try await runner.answer(runID: run, model: healthy, judge: OCRJudge())
        #expect(second.backendCalls == errors)
        #expect(try database.verdictCounts(runID: run)["double:echo"]?[.correct] == 60)
        #expect(callLines(log).count == 60 + errors)
    }

    @Test func aCorruptImageFailsOnlyItsProbe() async throws {
        let run = try makeRun(count: 12)
        let victim = try database.pendingProbes(runID: run, modelKey: "double:echo", after: 4, limit: 1)[0]
        try Data("not a png".utf8).write(to: database.images.url(for: victim.probe.images[0].sha256))

        let model = try EchoDouble(spec: BackendSpec("double:echo"))
        let progress = try await runner.answer(runID: run, model: model, judge: OCRJudge())
        #expect(progress.errors == 1)
        var details: [String: String] = [:]
        try database.forEachJudgedProbe(runID: run) { row in
            if row.outcome == .error { details[row.probeID] = row.detail }
        }
        #expect(details.count == 1)
        let detail = try #require(details[victim.probe.id])
        #expect(detail.contains("cannot be decoded"))
        #expect(detail.contains(victim.probe.images[0].sha256))
    }
}
