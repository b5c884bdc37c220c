import ArgumentParser
import FaultlineCore
import FaultlineModels
import FaultlineReport
import FaultlineRunner
import FaultlineStore
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate a probe suite, audit models on it, and write a report.",
        discussion: """
            The same configuration gives the same run id, so running the same command again
            resumes an interrupted run: finished responses are kept, and no probe is sent to a
            backend twice. Probes whose answer was an error are retried.

            Examples:
              faultline run --model ocr:paddle --model ocr:tesseract --count 2000 --seed 7
              faultline run --config suite.json
            """)

    @Option(name: .customLong("config"), help: ArgumentHelp("A JSON suite configuration; flags override its fields.", valueName: "file"))
    var configFile: String?

    @Option(help: "The probe suite to generate (known: text).")
    var suite: String?

    @Option(help: "How many probes to generate.")
    var count: Int?

    @Option(help: "The seed: the same seed gives the same probes and images.")
    var seed: UInt64?

    @Option(name: .customLong("model"), help: ArgumentHelp("A backend to audit; repeat for several (see `faultline models`).", valueName: "key"))
    var models: [String] = []

    @Option(help: ArgumentHelp("Directory for the report (default: $FAULTLINE_HOME/reports/RUN-ID).", valueName: "dir"))
    var reportDirectory: String?

    @Flag(help: "Do not write a report at the end.")
    var noReport = false

    @Flag(help: "Put latency and throughput in the report (they vary between runs, so reports are then no longer byte-identical).")
    var includeTiming = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be at least 1, got \(count).") }
        if configFile == nil && models.isEmpty {
            throw ValidationError("Name at least one model with --model (e.g. --model ocr:tesseract), or give --config.")
        }
    }

    func resolvedConfiguration() throws -> SuiteConfiguration {
        var configuration = try configFile.map { try SuiteConfiguration.load(from: URL(fileURLWithPath: $0)) }
            ?? SuiteConfiguration()
        if let suite { configuration.suite = suite }
        if let count { configuration.count = count }
        if let seed { configuration.seed = seed }
        if !models.isEmpty { configuration.models = models }
        try configuration.validate(file: configFile)
        if configuration.models.isEmpty {
            throw ValidationError("The configuration names no models: add \"models\": [\"ocr:tesseract\"] or --model.")
        }
        return configuration
    }

    func run() async throws {
        let logger = store.makeLogger()
        let configuration = try resolvedConfiguration()
        let source = try configuration.makeSource()
        let database = try store.openStore()
        let registry = BackendRegistry.standard
        let environment = BackendEnvironment(logger: logger)

        // A model that cannot be loaded is reported and skipped; the others still run.
        var loaded: [any VisionLanguageModel] = []
        var failures: [String] = []
        for key in configuration.models {
            do {
                loaded.append(try registry.make(key, environment: environment))
            } catch {
                failures.append("\(key): \(error)")
                FileHandle.standardError.write(Data("error: cannot load model \(key): \(error)\n".utf8))
            }
        }
        guard !loaded.isEmpty else {
            throw RunFailure("no model could be loaded, so there is nothing to audit:\n  " + failures.joined(separator: "\n  "))
        }

        let configJSON = try configuration.json()
        // The id covers what makes the probes and answers, including the defaults the file
        // left out and the version that interprets them, so a changed suite never resumes an old run.
        let identity = try configJSON + configuration.effectiveLevelsJSON() + FaultlineVersion.current
        let runID = "\(configuration.suite)-s\(configuration.seed)-n\(configuration.count)-"
            + SHA256.hex(of: Data(identity.utf8)).prefix(8)
        let manifest = RunManifest(
            runID: runID, suite: configuration.summary, seed: configuration.seed, probeCount: configuration.count,
            models: loaded.map { .init(key: $0.key, fingerprint: $0.fingerprint) },
            faultlineVersion: FaultlineVersion.current)
        let record = try database.createRun(id: runID, configJSON: configJSON, manifest: manifest)
        if record.manifest != manifest { try database.updateManifest(runID: runID, manifest) }
        let resumed = try database.probeCount(runID: runID)
        FileHandle.standardError.write(
            Data("run \(runID)\(resumed > 0 ? " (resuming: \(resumed) probes already stored)" : "")\n".utf8))

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
                runID: runID, model: model, judge: OCRJudge(), parameters: parameters, observer: bar)
            answeringSeconds[model.key] = (Date().timeIntervalSince(start), progress.backendCalls)
        }
        try database.setStatus(runID: runID, failures.isEmpty ? "complete" : "complete-with-load-errors")

        let builder = ReportBuilder(database: database)
        let (analysis, latencies) = try builder.analyse(runID: runID)
        var timing = ReportBuilder.timing(latencies)
        for index in timing.models.indices {
            // Throughput only where this invocation called the backend for every probe it timed.
            if let measured = answeringSeconds[timing.models[index].model], measured.calls > 0, measured.seconds > 0 {
                timing.models[index].probesPerSecond = Double(measured.calls) / measured.seconds
            }
        }
        print(TerminalSummary.render(manifest: manifest, analysis: analysis, timing: timing))
        if !failures.isEmpty { print("Models that could not be loaded:\n  " + failures.joined(separator: "\n  ")) }
        if !noReport {
            let directory = reportDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FaultlineHome.reports.appendingPathComponent(runID, isDirectory: true)
            let files = try builder.write(
                runID: runID, manifest: manifest, analysis: analysis, timing: includeTiming ? timing : nil, to: directory)
            print("Report: \(files.html.path)")
        }
    }
}

/// A run that cannot go on; ArgumentParser prints it and exits with status 1.
struct RunFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
