import ArgumentParser
import FaultlineAudits
import FaultlineCore
import FaultlineImageIO
import FaultlineReport
import FaultlineScenes
import FaultlineZoo
import Foundation

struct RectifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rectify",
        abstract: "Repair a model from an audit's confirmed findings and prove the repair on held-out probes (zoo), or export the repair data (any model).",
        discussion: """
            From the spurious cues a `faultline spurious` audit confirmed for the model, and from the modality-interference perturbations, rectify builds repair data: counterfactual pairs (each question with the cue and without it, same answer), heuristic augmentation (each image question clean and with irrelevant facts, a misleading sentence, OCR noise or a written wrong answer), and adversarial examples (the augmented questions that flipped the model). It fine-tunes a copy of the model with task loss + adversarial loss (a PGD step on the question embeddings) + λ · consistency (JS or KL between the clean and perturbed answer distributions), then re-audits the original and the copy on held-out probes from seeds the repair never saw: the spurious cues' counterfactual gaps, the interference flip rates, and the six abilities, each before and after with its interval.

            The repair data is also exported for training elsewhere: JSONL in the OpenAI chat fine-tuning format (images as data URLs) and LLaVA conversations, every record with its lineage. For a model Faultline cannot train (an OpenAI-compatible endpoint), rectify builds and exports the data and stops there.

            Example:
              faultline spurious --model zoo:target          # prints the audit's run id
              faultline rectify --model zoo:target --from spurious-groups-s8-…
            """)

    @Option(name: .customLong("model"), help: ArgumentHelp("The zoo model to repair, e.g. zoo:target.", valueName: "key"))
    var model: String

    @Option(name: .customLong("from"), help: ArgumentHelp("A spurious audit's run id (repeatable).", valueName: "run"))
    var from: [String] = []

    @Option(help: "Fine-tuning steps.")
    var steps = 400

    @Option(help: "λ, the weight of the consistency term.")
    var lambda = 1.0

    @Option(help: "The consistency divergence: js or kl.")
    var divergence = "js"

    @Option(help: "The adversarial budget on question embeddings, as a fraction of their RMS (0: no adversarial term).")
    var adversarialEpsilon = 0.1

    @Option(help: "Counterfactual pairs per confirmed cue.")
    var pairsPerCue = 150

    @Option(help: "Image questions for heuristic augmentation (each with every text perturbation).")
    var augment = 150

    @Option(help: "The seed of the repair data (never an audit's).")
    var repairSeed: UInt64 = 1000

    @Option(help: "The seed of the held-out re-audit (never the repair's or the audits').")
    var heldOutSeed: UInt64 = 2000

    @Option(help: "Probes per ability in the held-out ability re-audit.")
    var abilityProbes = 200

    @Option(help: "Image questions in the held-out interference re-audit (each with four perturbations).")
    var interferenceProbes = 200

    @Option(help: ArgumentHelp("Where to write the repaired weights (default: $FAULTLINE_HOME/zoo/repaired/NAME-….safetensors).", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("Directory for the report and the exported repair data (default: $FAULTLINE_HOME/reports/rectify-…).", valueName: "dir"))
    var reportDirectory: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if from.isEmpty { throw ValidationError("Give --from RUN, the run id a `faultline spurious` audit printed.") }
        if steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps).") }
        if lambda < 0 { throw ValidationError("--lambda must be 0 or more, got \(lambda).") }
        if ConsistencyDivergence(rawValue: divergence) == nil { throw ValidationError("--divergence takes js or kl, got '\(divergence)'.") }
        if adversarialEpsilon < 0 { throw ValidationError("--adversarial-epsilon must be 0 or more, got \(adversarialEpsilon).") }
        if abilityProbes < 1 || interferenceProbes < 1 {
            throw ValidationError("--ability-probes and --interference-probes must be at least 1, got \(abilityProbes) and \(interferenceProbes).")
        }
        if repairSeed == heldOutSeed { throw ValidationError("--repair-seed and --held-out-seed must differ, or the re-audit is not held out.") }
    }

    func run() async throws {
        let stored = try StoredRun(store: store)
        let (loaded, failures) = StoredRun.loadModels([model], logger: stored.logger)
        guard let audited = loaded.first else {
            throw RunFailure("cannot load \(model): " + failures.joined(separator: "; "))
        }
        let audits = try from.map { try AuditFiles.load(SpuriousAudit.self, name: "spurious", runID: $0, store: store) }
        var cues: [(cue: CueIdentity, answer: String)] = []
        for group in audits.flatMap({ $0.confirmed(for: audited.key) }) where !cues.contains(where: { $0.cue == group.cue && $0.answer == group.answer }) {
            cues.append((group.cue, group.answer))
        }
        if cues.isEmpty {
            FileHandle.standardError.write(Data("note: the audits confirmed no spurious cue for \(audited.key); repairing modality interference only\n".utf8))
        }
        let identity = "\(audited.fingerprint)|\(from)|\(steps)|\(lambda)|\(divergence)|\(adversarialEpsilon)|\(pairsPerCue)|\(augment)|\(repairSeed)"
        let tag = "rectify-" + SHA256.hex(of: Data(identity.utf8)).prefix(10)
        let directory = reportDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FaultlineHome.reports.appendingPathComponent(String(tag), isDirectory: true)

        // Repair data.
        let bar = ProgressBar()
        bar.status("building repair data", done: 0, total: 2)
        let builder = RepairDataBuilder(seed: repairSeed)
        var pairs = builder.counterfactualPairs(cues, pairsPerCue: pairsPerCue)
        bar.status("building repair data", done: 1, total: 2)
        let augmentation = builder.augmentationPairs(count: augment)
        pairs += try (audited as? ZooModel).map { try markAdversarial(augmentation, model: $0) } ?? augmentation
        bar.status("building repair data", done: 2, total: 2)
        // An augmented question's clean view is shared by its perturbations: export it once.
        var seen = Set<String>()
        let records = pairs.flatMap { $0.records() }.filter { seen.insert($0.id).inserted }
        var exports: [String] = []
        let exportDirectory = directory.appendingPathComponent("repair-data", isDirectory: true)
        for format in RepairExportFormat.allCases {
            exports += try RepairExporter().export(records, format: format, to: exportDirectory).map(\.path)
        }
        // The data files, and the image folder once rather than every image in it.
        exports = exports.filter { !$0.hasSuffix(".png") }
            + [exportDirectory.appendingPathComponent(RepairExporter.llavaImageFolder).path + "/"]
        var counts: [String: Int] = [:]
        for pair in pairs { counts[pair.kind.rawValue, default: 0] += 1 }

        guard let original = audited as? ZooModel else {
            // Faultline trains only the weights it owns; the data is what others train on.
            let audit = RectifyAudit(
                generator: "faultline \(FaultlineVersion.current)", model: audited.key, repairedModel: "", fromAudits: from,
                repairSeed: repairSeed, heldOutSeed: heldOutSeed, repairData: counts, exports: exports,
                settings: ["fineTuned": "no: Faultline fine-tunes zoo models only; train \(audited.key) on the exported data"],
                lossStart: 0, lossEnd: 0, heldOutRuns: [], findings: [], interference: [], abilities: [])
            try AuditFiles.save(audit, name: "rectify", runID: String(tag), store: store)
            print("Repair data for \(audited.key): " + counts.keys.sorted().map { "\(counts[$0]!) \($0) pairs" }.joined(separator: ", "))
            print("Not fine-tuned: Faultline fine-tunes zoo models only. Train elsewhere on:\n  " + exports.joined(separator: "\n  "))
            try AuditFiles.write(html: AuditPages.rectify(audit), json: try AuditFiles.encode(audit), name: "rectify", to: directory)
            print("Report: \(directory.appendingPathComponent("report.html").path)")
            return
        }

        // Fine-tune a copy.
        var settings = ZooRepairSettings()
        settings.steps = steps
        settings.consistencyWeight = lambda
        settings.divergence = ConsistencyDivergence(rawValue: divergence) ?? .js
        settings.adversarialEpsilon = adversarialEpsilon
        settings.seed = repairSeed
        var trainer = ZooRepairTrainer(checkpoint: original.checkpoint, settings: settings)
        let trainingPairs = try pairs.compactMap { pair -> (clean: ZooRepairExample, perturbed: ZooRepairExample)? in
            guard let clean = try example(pair.clean, trainer: trainer, model: original),
                let perturbed = try example(pair.perturbed, trainer: trainer, model: original)
            else { return nil }
            return (clean, perturbed)
        }
        let replay = try trainer.replayExamples(count: min(2000, steps * settings.replayPerStep), seed: repairSeed)
        var losses: [Float] = []
        let repaired = trainer.train(pairs: trainingPairs, replay: replay) { step, loss in
            losses.append(loss)
            bar.status("fine-tuning \(original.key)", detail: String(format: "loss %.3f", loss), done: step, total: steps)
        }
        let weights = out.map { URL(fileURLWithPath: $0) }
            ?? FaultlineHome.directory.appendingPathComponent("zoo/repaired/\(original.checkpoint.configuration.name)-\(tag.dropFirst("rectify-".count)).safetensors")
        try FileManager.default.createDirectory(at: weights.deletingLastPathComponent(), withIntermediateDirectories: true)
        try repaired.save(to: weights)
        // The repair fine-tunes the answer network only; the repaired model reads with the
        // original's reader, saved beside its weights so that its key loads it again.
        try original.reader?.save(to: ZooReaderCheckpoint.url(besideWeights: weights))
        let repairedModel = try ZooModel(key: "zoo:\(original.checkpoint.configuration.name)?weights=\(weights.path)", weights: weights)

        // Held-out re-audit of both.
        var reaudit = HeldOutReaudit(stored: stored, seed: heldOutSeed, abilityProbes: abilityProbes)
        reaudit.interferenceProbes = interferenceProbes
        let comparison = try await reaudit.compare(original, repairedModel, cues: cues)
        func mean(_ values: ArraySlice<Float>) -> Double { values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count) }
        let audit = RectifyAudit(
            generator: "faultline \(FaultlineVersion.current)", model: original.key, repairedModel: repairedModel.key,
            fromAudits: from, repairSeed: repairSeed, heldOutSeed: heldOutSeed, repairData: counts, exports: exports,
            settings: [
                "steps": "\(steps)", "lambda": "\(lambda)", "divergence": divergence,
                "adversarialEpsilon": "\(adversarialEpsilon)", "pairsUsedInTraining": "\(trainingPairs.count)",
                "replayExamples": "\(replay.count)", "learningRate": "\(settings.learningRate)",
            ],
            lossStart: mean(losses.prefix(20)), lossEnd: mean(losses.suffix(20)), heldOutRuns: comparison.runs,
            findings: comparison.findings, interference: comparison.interference, abilities: comparison.abilities)
        try AuditFiles.save(audit, name: "rectify", runID: String(tag), store: store)
        print(RectifySummary.render(audit, weights: weights.path))
        try AuditFiles.write(html: AuditPages.rectify(audit), json: try AuditFiles.encode(audit), name: "rectify", to: directory)
        print("Report: \(directory.appendingPathComponent("report.html").path)")
    }

    /// Augmentation pairs whose perturbed view flipped the model from right to wrong become
    /// adversarial examples: the inputs this model is known to fail.
    private func markAdversarial(_ pairs: [RepairPair], model: ZooModel) throws -> [RepairPair] {
        try pairs.map { pair in
            var pair = pair
            let clean = try answers(pair.clean, model: model), perturbed = try answers(pair.perturbed, model: model)
            if clean && !perturbed {
                pair.kind = .adversarial
                pair.finding = pair.finding.replacingOccurrences(of: "modality interference", with: "adversarial (flipped \(model.key))")
            }
            return pair
        }
    }

    private func answers(_ sample: ProbeSample, model: ZooModel) throws -> Bool {
        let image = try sample.imagePNGs.first.map { try PNGCodec.decode($0) }
        let input = model.inputs(image: image, prompt: sample.probe.prompt)
        return model.resolve(model.distribution(pixels: input.pixels, encoding: input.encoding), for: sample.probe).value
            == AnswerValue.expected(sample.probe.expected)
    }

    private func example(_ sample: ProbeSample, trainer: ZooRepairTrainer, model: ZooModel) throws -> ZooRepairExample? {
        guard model.canAnswer(sample.probe) else { return nil }
        let image = try sample.imagePNGs.first.map { try PNGCodec.decode($0) }
        return trainer.example(
            pixels: model.inputs(image: image, prompt: "").pixels, prompt: sample.probe.prompt,
            answer: AnswerValue.expected(sample.probe.expected))
    }
}
