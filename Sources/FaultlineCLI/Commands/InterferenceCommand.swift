import ArgumentParser
import FaultlineAudits
import FaultlineCore
import FaultlineImageIO
import FaultlineReport
import FaultlineZoo
import Foundation

struct InterferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interference",
        abstract: "Measure how much the modality a task does not need changes a model's answers (modality interference).",
        discussion: """
            Image-heavy probes (scene questions answerable from the image alone) are asked clean and with the text perturbed: two unrelated facts prepended, a misleading sentence naming a wrong answer, OCR-style noise, or the wrong answer written into the image. Text-heavy probes (text-only multiple choice: arithmetic, words, facts) are asked without an image and with one added: random pixels, black, white, an unrelated scene, an unrelated chart.

            Per model and perturbation: δ_cp (the share of answers that change), the accuracy drop (paired 95% interval) and, where the backend gives choice probabilities, the KL and JS divergences and total variation between the clean and perturbed answer distributions.

            Adversarial perturbation within a budget: white-box PGD for zoo models (on the question's token embeddings for image-heavy probes, on the image for text-heavy ones); a black-box random search on the added image, with a query cap, for every model that answers text questions with an image. Attack success is reported against the budget.

            Example:
              faultline interference --model zoo:target --model zoo:reference-a
            """)

    @Option(name: .customLong("model"), help: ArgumentHelp("A backend to audit; repeat for several.", valueName: "key"))
    var models: [String] = []

    @Option(help: "Image-heavy base probes (each asked clean and once per text perturbation).")
    var imageHeavy = 240

    @Option(help: "Text-heavy base probes (each asked without an image and once per added image).")
    var textHeavy = 120

    @Option(help: "The seed: the same seed gives the same probes, images and perturbations.")
    var seed: UInt64 = 7

    @Option(help: "Probes attacked per model and side (0: no attacks).")
    var attackCount = 40

    @Option(help: "Model queries per probe allowed to the black-box attack.")
    var queryCap = 60

    @Option(help: ArgumentHelp("Directory for the report (default: $FAULTLINE_HOME/reports/RUN-ID).", valueName: "dir"))
    var reportDirectory: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if models.isEmpty { throw ValidationError("Name at least one model with --model (e.g. --model zoo:target).") }
        if imageHeavy < 0 || textHeavy < 0 || imageHeavy + textHeavy == 0 {
            throw ValidationError("--image-heavy and --text-heavy must be 0 or more, and not both 0; got \(imageHeavy) and \(textHeavy).")
        }
        if attackCount < 0 { throw ValidationError("--attack-count must be 0 or more, got \(attackCount).") }
        if queryCap < 2 { throw ValidationError("--query-cap must be at least 2 (the clean query counts), got \(queryCap).") }
    }

    func run() async throws {
        let stored = try StoredRun(store: store)
        let (loaded, failures) = StoredRun.loadModels(models, logger: stored.logger)
        guard !loaded.isEmpty else { throw RunFailure("no model could be loaded:\n  " + failures.joined(separator: "\n  ")) }
        let source = InterferenceProbeSource(imageHeavyCount: imageHeavy, textHeavyCount: textHeavy, seed: seed)
        let manifest = try await stored.execute(
            source: source, kind: "interference", summary: "interference image-heavy=\(imageHeavy) text-heavy=\(textHeavy) seed=\(seed)",
            identity: "interference|\(imageHeavy)|\(textHeavy)|\(seed)", seed: seed, models: loaded)
        let answers = try stored.answers(runID: manifest.runID)
        let cells = InterferenceAnalysis.cells(answers, models: loaded.map(\.key))
        var attacks: [AttackPoint] = []
        if attackCount > 0 {
            attacks = try await InterferenceAttacks(
                stored: stored, answers: answers, count: attackCount, queryCap: queryCap, seed: seed
            ).run(loaded)
        }
        var perturbations: [String: [String]] = [:]
        for perturbation in InterferencePerturbation.allCases {
            perturbations[perturbation.rawValue] = [perturbation.title, perturbation.explanation]
        }
        let audit = InterferenceAudit(
            generator: "faultline \(FaultlineVersion.current)", seed: seed, runID: manifest.runID, models: loaded.map(\.key),
            cells: cells, attacks: attacks, perturbations: perturbations)
        try AuditFiles.save(audit, name: "interference", runID: audit.runID, store: store)
        print(InterferenceSummary.render(audit))
        let directory = reportDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FaultlineHome.reports.appendingPathComponent(audit.runID, isDirectory: true)
        let database = stored.database
        let wanted = Set(cells.flatMap { $0.exampleFlips.prefix(2).joined() })
        let evidence = AuditEvidence(answers, wanted: wanted, images: { try? database.images.data(for: $0.sha256) })
        try AuditFiles.write(
            html: AuditPages.interference(audit, evidence: evidence), json: try AuditFiles.encode(audit), name: "interference",
            to: directory)
        print("Report: \(directory.appendingPathComponent("report.html").path)")
    }
}

/// The adversarial part of an interference audit, on the clean probes of its run.
struct InterferenceAttacks {
    let stored: StoredRun
    let answers: [AnsweredProbe]
    let count: Int
    let queryCap: Int
    let seed: UInt64

    /// Text-embedding budgets (fractions of the embeddings' RMS) and image budgets (bytes).
    static let textBudgets: [Float] = [0.05, 0.1, 0.2, 0.4]
    static let imageBudgets: [Int] = [4, 8, 16, 32]

    func run(_ models: [any VisionLanguageModel]) async throws -> [AttackPoint] {
        var clean: [String: Probe] = [:]
        for answer in answers where answer.probe.lineage.parent == nil { clean[answer.probe.id] = answer.probe }
        let probes = clean.values.sorted { $0.id < $1.id }
        let imageHeavy = probes.filter { $0.ability != .language }
        let textHeavy = probes.filter { $0.ability == .language }
        var points: [AttackPoint] = []
        for model in models {
            let bar = ProgressBar()
            if let zoo = model as? ZooModel {
                let attack = ZooGradientAttack(model: zoo, steps: 10, seed: seed)
                let images = try imageHeavy.filter(zoo.canAnswer).prefix(count).map { ($0, try stored.database.images.image(for: $0.images[0])) }
                for (step, epsilon) in Self.textBudgets.enumerated() {
                    bar.status("PGD on text embeddings, \(zoo.key)", done: step, total: Self.textBudgets.count)
                    let outcomes = attack.attack(images.map { ($0.0, $0.1) }, surface: .textEmbeddings, epsilon: epsilon)
                    points.append(
                        AttackPoint(
                            model: zoo.key, method: ZooGradientAttack.Surface.textEmbeddings.rawValue, side: "image-heavy",
                            epsilon: Double("\(epsilon)") ?? Double(epsilon), unit: "× embedding RMS",
                            success: Statistics.wilson(successes: outcomes.filter(\.succeeded).count, total: outcomes.count)))
                }
                let texts = textHeavy.filter(zoo.canAnswer).prefix(count).map { ($0, RasterImage?.none) }
                for (step, epsilon) in Self.imageBudgets.enumerated() where !texts.isEmpty {
                    bar.status("PGD on the image, \(zoo.key)", done: step, total: Self.imageBudgets.count)
                    let outcomes = attack.attack(texts.map { ($0.0, $0.1) }, surface: .image, epsilon: Float(epsilon))
                    points.append(
                        AttackPoint(
                            model: zoo.key, method: ZooGradientAttack.Surface.image.rawValue, side: "text-heavy",
                            epsilon: Double(epsilon), unit: "of 255",
                            success: Statistics.wilson(successes: outcomes.filter(\.succeeded).count, total: outcomes.count)))
                }
            }
            points += try await blackBox(model, textHeavy: textHeavy, bar: bar)
        }
        return points
    }

    /// Random search on a mid-grey image added to text questions, for any model that answers
    /// them with an image.
    private func blackBox(_ model: any VisionLanguageModel, textHeavy: [Probe], bar: ProgressBar) async throws -> [AttackPoint] {
        let grey = RasterImage(width: 64, height: 64, channels: 3, fill: 128)
        let png = try PNGCodec.encode(grey)
        let reference = ImageRef(sha256: SHA256.hex(of: png), width: 64, height: 64)
        let targets = textHeavy.map { probe -> Probe in
            var withImage = probe
            withImage.images = [reference]
            return withImage
        }.filter(model.canAnswer).prefix(count)
        guard !targets.isEmpty else { return [] }
        var points: [AttackPoint] = []
        for (step, epsilon) in Self.imageBudgets.enumerated() {
            bar.status("random search on the image, \(model.key)", done: step, total: Self.imageBudgets.count)
            let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: epsilon, queryCap: queryCap, seed: seed))
            var outcomes: [AttackOutcome] = []
            for probe in targets { outcomes.append(try await attack.attack(model: model, probe: probe, image: grey)) }
            points.append(
                AttackPoint(
                    model: model.key, method: "random-search-image", side: "text-heavy", epsilon: Double(epsilon), unit: "of 255",
                    success: Statistics.wilson(successes: outcomes.filter(\.succeeded).count, total: outcomes.count),
                    meanQueries: Double(outcomes.map(\.queries).reduce(0, +)) / Double(outcomes.count), queryCap: queryCap))
        }
        return points
    }
}
