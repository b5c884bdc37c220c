import FaultlineCore
import FaultlineModels
import FaultlineRunner
import FaultlineStore
import Foundation
import Logging

/// One probe source answered by several models through the runner, everything stored (so a
/// killed audit resumes and a report can be rebuilt without calling a model again). Shared by
/// the audits that chain runs: `interference`, `spurious`, `rectify`.
struct StoredRun {
    let database: AuditDatabase
    let logger: Logger

    init(store: StoreOptions) throws {
        database = try store.openStore()
        logger = store.makeLogger()
    }

    /// Loads each model; one that cannot be loaded is reported on standard error and skipped.
    static func loadModels(_ keys: [String], logger: Logger) -> (loaded: [any VisionLanguageModel], failures: [String]) {
        let registry = BackendRegistry.standard
        let environment = BackendEnvironment(logger: logger)
        var loaded: [any VisionLanguageModel] = []
        var failures: [String] = []
        for key in keys {
            do {
                loaded.append(try registry.make(key, environment: environment))
            } catch {
                failures.append("\(key): \(error)")
                FileHandle.standardError.write(Data("error: cannot load model \(key): \(error)\n".utf8))
            }
        }
        return (loaded, failures)
    }

    /// Stores the source's probes (or resumes) and has every model answer them.
    ///
    /// - Parameters:
    ///   - kind: the run id's prefix, e.g. `interference`.
    ///   - identity: everything that decides the probes, so a changed setting never resumes an old run.
    func execute(
        source: any ProbeSource, kind: String, summary: String, identity: String, seed: UInt64,
        models: [any VisionLanguageModel], parameters: DecodingParameters = .init()
    ) async throws -> RunManifest {
        let fullIdentity = identity + "|" + FaultlineVersion.current
        let runID = "\(kind)-s\(seed)-n\(source.count)-" + SHA256.hex(of: Data(fullIdentity.utf8)).prefix(8)
        let manifest = RunManifest(
            runID: runID, suite: summary, seed: seed, probeCount: source.count,
            models: models.map { .init(key: $0.key, fingerprint: $0.fingerprint) }, faultlineVersion: FaultlineVersion.current)
        let configuration = String(decoding: try JSONEncoder().encode(["identity": identity]), as: UTF8.self)
        try Self.createOrResume(database, configJSON: configuration, manifest: manifest)
        let bar = ProgressBar()
        let runner = AuditRunner(database: database, logger: logger)
        try runner.materialise(runID: runID, source: source) { done, total in
            bar.status("generating \(kind) probes", done: done, total: total)
        }
        for model in models {
            _ = try await runner.answer(
                runID: runID, model: model, judging: { JudgeSelector.judge(for: $0) }, parameters: parameters, observer: bar)
        }
        try database.setStatus(runID: runID, "complete")
        return manifest
    }

    /// Creates the run (or updates the manifest of the stored one, so its models are current)
    /// and says on standard error whether it resumes.
    static func createOrResume(_ database: AuditDatabase, configJSON: String, manifest: RunManifest) throws {
        let runID = manifest.runID
        let record = try database.createRun(id: runID, configJSON: configJSON, manifest: manifest)
        if record.manifest != manifest { try database.updateManifest(runID: runID, manifest) }
        let resumed = try database.probeCount(runID: runID)
        FileHandle.standardError.write(
            Data("run \(runID)\(resumed > 0 ? " (resuming: \(resumed) probes already stored)" : "")\n".utf8))
    }

    /// Every stored answer of a run.
    func answers(runID: String) throws -> [AnsweredProbe] {
        var answers: [AnsweredProbe] = []
        try database.forEachAnsweredProbe(runID: runID) { answers.append($0) }
        return answers
    }
}
