import FaultlineCore
import FaultlineStore
import Foundation
import Logging

/// Progress of one model over one run, reported as responses are recorded.
public struct RunProgress: Sendable, Equatable {
    public var model: String
    /// Probes handled (answered, served from the cache, failed or not applicable).
    public var done: Int
    public var total: Int
    public var errors: Int
    /// Responses served from the cache instead of calling the backend.
    public var cached: Int
    /// Calls made to the backend.
    public var backendCalls: Int

    public init(model: String, done: Int, total: Int, errors: Int = 0, cached: Int = 0, backendCalls: Int = 0) {
        self.model = model
        self.done = done
        self.total = total
        self.errors = errors
        self.cached = cached
        self.backendCalls = backendCalls
    }
}

/// Receives progress; the CLI draws a bar, tests count.
public protocol RunProgressObserver: Sendable {
    func progressed(_ progress: RunProgress)
}

/// An observer that ignores progress.
public struct SilentProgress: RunProgressObserver {
    public init() {}
    public func progressed(_ progress: RunProgress) {}
}

/// Turns stored probes into stored verdicts: generates probes into the store, then asks each
/// model about every probe it can answer, at most `maxConcurrentRequests` at a time,
/// reusing cached responses, and records each verdict as soon as it is known.
public struct AuditRunner: Sendable {
    public let database: AuditDatabase
    public let logger: Logger
    /// Probes fetched from the store per page; memory is bounded by this and the concurrency.
    public var pageSize = 256

    public init(database: AuditDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Generates the source's probes into the run, resuming after those already stored.
    public func materialise(
        runID: String, source: any ProbeSource, batchSize: Int = 64, progress: (Int, Int) -> Void = { _, _ in }
    ) throws {
        var stored = try database.probeCount(runID: runID)
        guard stored < source.count else { return }
        var batch: [ProbeSample] = []
        batch.reserveCapacity(batchSize)
        for sample in source.samples(from: stored) {
            batch.append(sample)
            if batch.count == batchSize {
                try database.appendProbes(runID: runID, start: stored, batch)
                stored += batch.count
                batch.removeAll(keepingCapacity: true)
                progress(stored, source.count)
            }
        }
        if !batch.isEmpty {
            try database.appendProbes(runID: runID, start: stored, batch)
            stored += batch.count
            progress(stored, source.count)
        }
        logger.debug("probes materialised", metadata: ["run.id": "\(runID)", "probes.count": "\(stored)"])
    }

    private enum Attempt: Sendable {
        case answered(ModelResponse)
        case backendFailed(String, Double)
        case inputFailed(String)
    }

    private struct Completed: Sendable {
        var pending: PendingProbe
        var attempt: Attempt
    }

    /// Asks `model` every pending probe of the run and records verdicts. Probes already
    /// judged are skipped; probes whose last verdict was an error are retried.
    @discardableResult
    public func answer(
        runID: String, model: any VisionLanguageModel, judge: any Judge,
        parameters: DecodingParameters = DecodingParameters(), observer: any RunProgressObserver = SilentProgress()
    ) async throws -> RunProgress {
        try await answer(runID: runID, model: model, judging: { _ in judge }, parameters: parameters, observer: observer)
    }

    /// As `answer(runID:model:judge:…)`, with the judge chosen per probe (by its answer format).
    @discardableResult
    public func answer(
        runID: String, model: any VisionLanguageModel, judging: @escaping @Sendable (Probe) -> any Judge,
        parameters: DecodingParameters = DecodingParameters(), observer: any RunProgressObserver = SilentProgress()
    ) async throws -> RunProgress {
        let total = try database.probeCount(runID: runID)
        // A resumed run keeps only what this version of the model answered.
        let stale = try database.discardVerdicts(runID: runID, modelKey: model.key, fromOtherThan: model.fingerprint)
        if stale > 0 {
            logger.info(
                "answers from another version of the model are asked again",
                metadata: ["model.key": "\(model.key)", "run.id": "\(runID)", "verdicts": "\(stale)"])
        }
        let alreadyJudged = try database.verdictCounts(runID: runID)[model.key, default: [:]]
        let settled = alreadyJudged.filter { $0.key != .error }.values.reduce(0, +)
        var progress = RunProgress(
            model: model.key, done: settled, total: total, errors: 0, cached: 0, backendCalls: 0)
        observer.progressed(progress)
        let limit = max(1, model.maxConcurrentRequests)
        let images = database.images

        try await withThrowingTaskGroup(of: Completed.self) { group in
            var inFlight = 0
            var lastPosition = -1

            func settle(_ completed: Completed) throws {
                let pending = completed.pending
                let fresh: StoredOutcome?
                let verdict: Verdict
                switch completed.attempt {
                case .answered(let response):
                    fresh = .answered(response)
                    verdict = judging(pending.probe).judge(response: response, expected: pending.probe.expected)
                case .backendFailed(let reason, let latency):
                    fresh = .failed(reason: reason, latencySeconds: latency)
                    verdict = .error(reason)
                    logger.info(
                        "backend error", metadata: ["probe.id": "\(pending.probe.id)", "model.key": "\(model.key)", "error": "\(reason)"])
                case .inputFailed(let reason):
                    fresh = nil
                    verdict = .error(reason)
                    logger.info("bad probe input", metadata: ["probe.id": "\(pending.probe.id)", "error": "\(reason)"])
                }
                try database.record(
                    runID: runID, position: pending.position, probeKey: pending.key, modelKey: model.key,
                    fingerprint: model.fingerprint, probe: pending.probe, parameters: parameters, fresh: fresh,
                    cachedRowID: nil, verdict: verdict)
                progress.done += 1
                if verdict.outcome == .error { progress.errors += 1 }
                observer.progressed(progress)
            }

            while true {
                let page = try database.pendingProbes(
                    runID: runID, modelKey: model.key, after: lastPosition, limit: pageSize)
                if page.isEmpty { break }
                for pending in page {
                    lastPosition = pending.position
                    guard model.canAnswer(pending.probe) else {
                        progress.done += 1
                        continue
                    }
                    let key = AuditDatabase.cacheKey(
                        fingerprint: model.fingerprint, probe: pending.probe, parameters: parameters)
                    if let cached = try database.cachedResponse(cacheKey: key) {
                        let verdict = judging(pending.probe).judge(response: cached.response, expected: pending.probe.expected)
                        try database.record(
                            runID: runID, position: pending.position, probeKey: pending.key, modelKey: model.key,
                            fingerprint: model.fingerprint, probe: pending.probe, parameters: parameters, fresh: nil,
                            cachedRowID: cached.rowID, verdict: verdict)
                        progress.done += 1
                        progress.cached += 1
                        observer.progressed(progress)
                        continue
                    }
                    while inFlight >= limit, let completed = try await group.next() {
                        inFlight -= 1
                        try settle(completed)
                    }
                    progress.backendCalls += 1
                    inFlight += 1
                    group.addTask {
                        let decoded: [RasterImage]
                        do {
                            decoded = try pending.probe.images.map { try images.image(for: $0) }
                        } catch {
                            return Completed(pending: pending, attempt: .inputFailed("\(error)"))
                        }
                        let start = ContinuousClock.now
                        do {
                            var response = try await model.answer(
                                ModelRequest(probe: pending.probe, images: decoded, parameters: parameters))
                            if response.latencySeconds == 0 { response.latencySeconds = Self.seconds(since: start) }
                            return Completed(pending: pending, attempt: .answered(response))
                        } catch {
                            return Completed(
                                pending: pending, attempt: .backendFailed("\(error)", Self.seconds(since: start)))
                        }
                    }
                }
            }
            while let completed = try await group.next() {
                inFlight -= 1
                try settle(completed)
            }
        }
        return progress
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
