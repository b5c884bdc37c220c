import ArgumentParser
import Foundation
import Logging

@main
struct Faultline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultline",
        abstract: "Find where a vision-language model fails, and say what the failures have in common.",
        discussion: """
            Faultline generates probes (images with questions and exact answers), asks models about them, judges the answers, and groups the failures by the controlled factors the probes were made with. Results live in a SQLite store; reports are HTML, Markdown and JSON.

            Start with:
              faultline models
                  the backends, and whether each one loads
              faultline run --model ocr:tesseract
                  audit a model on the default OCR suite
              faultline report RUN-ID
                  rebuild a run's report from stored verdicts
            """,
        version: FaultlineVersion.current,
        subcommands: [
            RunCommand.self, AbilitiesCommand.self, ReportCommand.self, RunsCommand.self, ModelsCommand.self, BenchCommand.self, ZooCommand.self,
            InterferenceCommand.self, SpuriousCommand.self, RectifyCommand.self,
            ServeDoubleCommand.self,
        ]
    )

    static func main() async {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

enum FaultlineVersion {
    static let current = "0.1.0"
}
