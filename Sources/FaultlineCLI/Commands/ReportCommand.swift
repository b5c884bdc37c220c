import ArgumentParser
import FaultlineCore
import Foundation

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a run's report (HTML, Markdown, JSON) from its stored verdicts.",
        discussion: "No model is called: every analysis is a function of the stored verdicts.")

    @Argument(help: "The run id (see `faultline runs`).")
    var runID: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Directory for the report (default: $FAULTLINE_HOME/reports/RUN-ID).", valueName: "dir"))
    var outDirectory: String?

    @Flag(help: "Put response latencies in the report (they vary between runs, so reports are then no longer byte-identical).")
    var includeTiming = false

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let database = try store.openStore()
        guard let run = try database.run(id: runID) else {
            throw ValidationError("No run '\(runID)' in \(store.storeDirectory.path). `faultline runs` lists the runs.")
        }
        let builder = ReportBuilder(database: database)
        let configuration = try? JSONDecoder().decode(SuiteConfiguration.self, from: Data(run.configJSON.utf8))
        let (analysis, usage) = try builder.analyse(runID: runID, abilities: configuration?.isAbilityAudit ?? false)
        let timing = ReportBuilder.timing(usage)
        let directory = outDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FaultlineHome.reports.appendingPathComponent(runID, isDirectory: true)
        let files = try builder.write(
            runID: runID, manifest: run.manifest, analysis: analysis, timing: includeTiming ? timing : nil, to: directory)
        print(TerminalSummary.render(manifest: run.manifest, analysis: analysis, timing: timing))
        print("Report: \(files.html.path)")
    }
}
