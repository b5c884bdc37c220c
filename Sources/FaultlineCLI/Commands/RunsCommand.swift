import ArgumentParser
import Foundation

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the runs in the store, newest first.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let database = try store.openStore()
        let runs = try database.runs()
        if runs.isEmpty {
            print("No runs in \(store.storeDirectory.path). Start one with `faultline run --model ocr:tesseract`.")
            return
        }
        for run in runs {
            let counts = try database.verdictCounts(runID: run.id)
            let models = run.manifest.models.map { model in
                let c = counts[model.key, default: [:]]
                return "\(model.key) \(c[.correct, default: 0])✓ \(c[.wrong, default: 0])✗ \(c[.error, default: 0])!"
            }
            print("\(run.id)  \(run.status)  \(run.manifest.suite)  \(models.joined(separator: "  "))")
        }
    }
}
