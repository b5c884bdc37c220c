import ArgumentParser
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate a probe suite, audit models on it, and write a report.",
        discussion: """
            The same configuration gives the same run id, so running the same command again resumes an interrupted run: finished responses are kept, and no probe is sent to a backend twice. Probes whose answer was an error are retried.

            Examples:
              faultline run --model ocr:paddle --model ocr:tesseract --count 2000 --seed 7
              faultline run --config suite.json
            """)

    @Option(help: "The probe suite to generate (known: text, abilities, language, tsv, jsonl, easy-vqa).")
    var suite: String?

    @OptionGroup var options: AuditOptions

    func run() async throws {
        var configuration = try options.resolvedConfiguration()
        if let suite { configuration.suite = suite }
        try configuration.validate(file: options.configFile)
        try await AuditSession(options: options).execute(configuration)
    }
}

/// A run that cannot go on; ArgumentParser prints it and exits with status 1.
struct RunFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
