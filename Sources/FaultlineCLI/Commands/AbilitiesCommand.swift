import ArgumentParser
import FaultlineCore
import FaultlineScenes
import Foundation

struct AbilitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abilities",
        abstract: "Score models on six perception abilities, with accuracy and stability (AbilityLens).",
        discussion: """
            Abilities: counting, ocr, grounding, attribute, entity, structured-data. By default the probes come from Faultline's scene engine (shapes, charts and tables drawn from a seed, every answer computed from the scene graph). With --data, they come from a benchmark file instead: a VLMEvalKit TSV (MMBench, SEED-Bench, MMStar, MME…) or JSON lines, with benchmark categories mapped to abilities (--mapping extends the built-in mapping). --easy-vqa uses the easy-VQA data set installed by the set-up.

            Stability is 1 − (best − worst) accuracy over an ability's sub-suites (answer format, question template, background, benchmark category…) with at least 20 probes; it comes with a bootstrap interval. A model answers only the probes it can: the OCR engines answer OCR probes only.

            Examples:
              faultline abilities --model ocr:paddle --count 600
              faultline abilities --model openai:… --data MMBench_DEV_EN.tsv
            """)

    @Option(help: ArgumentHelp("A benchmark file: .tsv (VLMEvalKit) or .jsonl.", valueName: "file"))
    var data: String?

    @Option(help: ArgumentHelp("Use easy-VQA's split (test or train) instead of generated scenes.", valueName: "split"))
    var easyVqa: String?

    @Option(help: ArgumentHelp("A JSON file mapping benchmark category names to abilities, over the built-in mapping.", valueName: "file"))
    var mapping: String?

    @Option(help: ArgumentHelp("Abilities to generate, comma-separated (default: all six).", valueName: "list"))
    var only: String?

    @OptionGroup var options: AuditOptions

    func validate() throws {
        if data != nil && easyVqa != nil { throw ValidationError("Give --data or --easy-vqa, not both.") }
        if let easyVqa, !["test", "train"].contains(easyVqa) {
            throw ValidationError("--easy-vqa takes test or train, got '\(easyVqa)'.")
        }
        if let data, !(data.hasSuffix(".tsv") || data.hasSuffix(".jsonl")) {
            throw ValidationError("--data must be a .tsv (VLMEvalKit) or .jsonl file, got '\(data)'.")
        }
        _ = try selectedAbilities()
    }

    func selectedAbilities() throws -> [Ability]? {
        guard let only else { return nil }
        return try only.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let ability = Ability(rawValue: trimmed), Ability.perception.contains(ability) else {
                throw ValidationError(
                    "Unknown ability '\(trimmed)' in --only; known: \(Ability.perception.map(\.rawValue).joined(separator: ", ")).")
            }
            return ability
        }
    }

    func run() async throws {
        var configuration = try options.resolvedConfiguration()
        if configuration.suite == "text" { configuration.suite = "abilities" }
        if let data {
            configuration.suite = data.hasSuffix(".tsv") ? "tsv" : "jsonl"
            configuration.path = data
        } else if let easyVqa {
            configuration.suite = "easy-vqa"
            configuration.split = easyVqa
        }
        if let mapping { configuration.mapping = mapping }
        if let abilities = try selectedAbilities() {
            var suite = configuration.abilities ?? AbilitySuiteConfiguration()
            suite.abilities = abilities
            configuration.abilities = suite
        }
        try configuration.validate(file: options.configFile)
        try await AuditSession(options: options).execute(configuration)
    }
}
