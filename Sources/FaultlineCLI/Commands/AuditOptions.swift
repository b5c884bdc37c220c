import ArgumentParser
import FaultlineCore
import Foundation

/// The options every auditing command shares: what to generate, which models, where the
/// store and the report go.
struct AuditOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("A JSON suite configuration; flags override its fields.", valueName: "file"))
    var configFile: String?

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

    /// The configuration file (if any) with the flags applied over it.
    func resolvedConfiguration() throws -> SuiteConfiguration {
        var configuration = try configFile.map { try SuiteConfiguration.load(from: URL(fileURLWithPath: $0)) }
            ?? SuiteConfiguration()
        if let count { configuration.count = count }
        if let seed { configuration.seed = seed }
        if !models.isEmpty { configuration.models = models }
        if configuration.models.isEmpty {
            throw ValidationError("The configuration names no models: add \"models\": [\"ocr:tesseract\"] or --model.")
        }
        return configuration
    }
}
