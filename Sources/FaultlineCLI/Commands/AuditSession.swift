import FaultlineCore
import FaultlineModels
import FaultlineReport
import FaultlineRunner
import FaultlineStore
import Foundation

/// One audit from configuration to report: load the models, generate (or resume) the run's
/// probes, ask every model, analyse the verdicts, print a summary and write the report.
/// Shared by `run` and `abilities`.
struct AuditSession {
    let options: AuditOptions

    func execute(_ configuration: SuiteConfiguration) async throws {
        let store = options.store
        let logger = store.makeLogger()
        let (source, problems) = try configuration.makeSource()
        for problem in problems { FileHandle.standardError.write(Data("skipped: \(problem)\n".utf8)) }
        let database = try store.openStore()

        // A model that cannot be loaded is reported and skipped; the others still run.
        let (loaded, failures) = StoredRun.loadModels(configuration.models, logger: logger)
        guard !loaded.isEmpty else {
            throw RunFailure("no model could be loaded, so there is nothing to audit:\n  " + failures.joined(separator: "\n  "))
        }

        let configJSON = try configuration.json()
        // The id covers what makes the probes and answers, including the defaults the file
        // left out and the version that interprets them, so a changed suite never resumes an old run.
        let identity = try configuration.identity() + FaultlineVersion.current
        let runID = "\(configuration.suite)-s\(configuration.seed)-n\(source.count)-"
            + SHA256.hex(of: Data(identity.utf8)).prefix(8)
        let manifest = RunManifest(
            runID: runID, suite: configuration.summary, seed: configuration.seed, probeCount: source.count,
            models: loaded.map { .init(key: $0.key, fingerprint: $0.fingerprint) },
            faultlineVersion: FaultlineVersion.current)
        try StoredRun.createOrResume(database, configJSON: configJSON, manifest: manifest)

        let bar = ProgressBar()
        let runner = AuditRunner(database: database, logger: logger)
        try runner.materialise(runID: runID, source: source) { done, total in
            bar.status("generating probes", done: done, total: total)
        }
        let parameters = configuration.decoding ?? DecodingParameters()
        var answeringSeconds: [String: (seconds: Double, calls: Int)] = [:]
        for model in loaded {
            let start = Date()
            let progress = try await runner.answer(
                runID: runID, model: model, judging: { JudgeSelector.judge(for: $0) }, parameters: parameters,
                observer: bar)
            answeringSeconds[model.key] = (Date().timeIntervalSince(start), progress.backendCalls)
        }
        try database.setStatus(runID: runID, failures.isEmpty ? "complete" : "complete-with-load-errors")

        let builder = ReportBuilder(database: database)
        let (analysis, usage) = try builder.analyse(runID: runID, abilities: configuration.isAbilityAudit)
        var timing = ReportBuilder.timing(usage)
        for index in timing.models.indices {
            // Throughput only where this invocation called the backend for every probe it timed.
            if let measured = answeringSeconds[timing.models[index].model], measured.calls > 0, measured.seconds > 0 {
                timing.models[index].probesPerSecond = Double(measured.calls) / measured.seconds
            }
        }
        print(TerminalSummary.render(manifest: manifest, analysis: analysis, timing: timing))
        if !failures.isEmpty { print("Models that could not be loaded:\n  " + failures.joined(separator: "\n  ")) }
        if !options.noReport {
            let directory = options.reportDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FaultlineHome.reports.appendingPathComponent(runID, isDirectory: true)
            let files = try builder.write(
                runID: runID, manifest: manifest, analysis: analysis, timing: options.includeTiming ? timing : nil, to: directory)
            print("Report: \(files.html.path)")
        }
    }
}

