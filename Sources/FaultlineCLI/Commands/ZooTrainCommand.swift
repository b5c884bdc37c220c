import ArgumentParser
import FaultlineCore
import FaultlineTensor
import FaultlineZoo
import Foundation

struct ZooTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a zoo model from its configuration, with checkpoints along the way.",
        discussion: """
            Examples:
              faultline zoo train --config target
              faultline zoo train --config my-model.json --out runs/my-model --steps 500
              faultline zoo train --config target --resume
              faultline zoo train --config target --reader-only
            The configuration is a shipped name (reference-a, reference-b, target) or a JSON file. Checkpoints go to DIR/step-NNNNNN.safetensors every `checkpointEvery` steps (with the optimiser state in step-NNNNNN.optimizer.safetensors) and the final weights to DIR/NAME.safetensors; audit them with --model zoo:NAME?weights=DIR/NAME.safetensors. --resume continues from the latest checkpoint in DIR and gives the same weights as an uninterrupted run. A configuration with a "reader" section then trains the text reader, written to DIR/NAME.reader.safetensors and loaded with the weights beside it; --reader-only trains the reader alone (it never reads the answer network's weights).
            """)

    @Option(help: ArgumentHelp("A shipped model name or a configuration file.", valueName: "name-or-file"))
    var config: String

    @Option(help: ArgumentHelp("Where checkpoints go (default: $FAULTLINE_HOME/zoo/NAME).", valueName: "dir"))
    var out: String?

    @Option(help: "Train for this many steps instead of the configuration's (the schedule follows).")
    var steps: Int?

    @Option(help: "Threads for BLAS and our own loops instead of the configuration's.")
    var threads: Int?

    @Flag(help: "Continue from the latest checkpoint in the output directory (from step 0 if there is none).")
    var resume = false

    @Flag(help: "Train only the text reader of the configuration's reader section.")
    var readerOnly = false

    func validate() throws {
        if let steps, steps <= 0 { throw ValidationError("--steps must be positive, got \(steps).") }
        if let threads, threads <= 0 { throw ValidationError("--threads must be positive, got \(threads).") }
        if readerOnly, resume || steps != nil {
            throw ValidationError("--reader-only trains the reader from scratch; drop --resume and --steps (they concern the answer network).")
        }
    }

    func run() async throws {
        var (configuration, url) = try ZooCatalog.configuration(config)
        if let steps {
            configuration.training.steps = steps
            configuration.training.checkpointEvery = min(configuration.training.checkpointEvery, steps)
            configuration.training.warmupSteps = min(configuration.training.warmupSteps, steps)
        }
        if let threads { configuration.training.threads = threads }
        try configuration.validate()
        let directory = out.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FaultlineHome.directory.appendingPathComponent("zoo/\(configuration.name)", isDirectory: true)
        if readerOnly, configuration.reader == nil {
            throw ValidationError("\(configuration.name) (\(url.path)) has no \"reader\" section; add \"reader\": {} to train one with the default settings.")
        }
        if !readerOnly { try trainAnswerNetwork(configuration, from: url, into: directory) }
        if configuration.reader != nil { try trainReader(configuration, into: directory) }
    }

    private func trainAnswerNetwork(_ configuration: ZooConfiguration, from url: URL, into directory: URL) throws {
        var trainer = try ZooTrainer(configuration: configuration)
        if resume {
            if let latest = Self.latestCheckpoint(in: directory) {
                let checkpoint = try ZooCheckpoint.load(from: latest.weights)
                let state: SafeTensorsFile
                do {
                    state = try SafeTensors.read(from: latest.optimiser)
                } catch {
                    throw ValidationError("cannot resume from \(latest.weights.path): \(error.description)")
                }
                trainer = try ZooTrainer(
                    configuration: configuration, resumingFrom: checkpoint, optimiserState: state, optimiserPath: latest.optimiser.path)
                print("Resuming \(configuration.name) at step \(checkpoint.step) from \(latest.weights.path)")
            } else {
                print("Nothing to resume in \(directory.path) (no step checkpoint with its optimiser state); starting at step 0")
            }
        }
        let parameterCount = trainer.checkpoint.parameters.scalarCount
        print("Training \(configuration.name) from \(url.path): \(parameterCount) parameters, "
            + "\(configuration.training.steps) steps of \(configuration.training.batchSize), seed \(configuration.seed)")
        let sample = try trainer.dataset.batch(.train, start: 0, count: 512, threads: configuration.training.threads, renderImages: false)
        print(ZooDataStatistics(examples: sample, plans: configuration.plants).description)

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bar = ProgressBar()
        let finalURL = directory.appendingPathComponent("\(configuration.name).safetensors")
        try trainer.train(
            progress: { progress in
                let heldOut = progress.heldOut.map { " held-out " + ZooEvaluation.percentText($0.overall.accuracy) } ?? ""
                bar.status(
                    "train \(configuration.name) step",
                    detail: String(format: "loss %.3f (answer %.3f, contrastive %.3f)%@  %.0f examples/s",
                                   progress.loss, progress.answerLoss, progress.contrastiveLoss, heldOut, progress.examplesPerSecond),
                    done: progress.step, total: progress.totalSteps)
            },
            save: { checkpoint, optimiserState in
                let stepURL = directory.appendingPathComponent(String(format: "step-%06d.safetensors", checkpoint.step))
                // The optimiser state first: a checkpoint is only resumable with it, and the
                // latest checkpoint is found by its weights file.
                try SafeTensors.write(optimiserState, to: Self.optimiserURL(for: stepURL))
                try checkpoint.save(to: stepURL)
                if checkpoint.step == configuration.training.steps { try checkpoint.save(to: finalURL) }
            })
        // A run resumed from its last checkpoint has no step left to save the final weights.
        if !FileManager.default.fileExists(atPath: finalURL.path) { try trainer.checkpoint.save(to: finalURL) }
        let held = trainer.checkpoint.evaluate(try trainer.heldOutExamples(threads: configuration.training.threads))
        print("Held-out accuracy (\(held.overall.total) clean examples from another seed): "
            + ZooEvaluation.percentText(held.overall.accuracy))
        print("  " + held.summary)
        print("Weights: \(finalURL.path)")
    }

    private func trainReader(_ configuration: ZooConfiguration, into directory: URL) throws {
        var trainer = try ZooReaderTrainer(configuration: configuration, answers: try ZooDataset(configuration: configuration).answers)
        let settings = trainer.settings
        print("Training \(configuration.name)'s text reader: \(trainer.checkpoint.parameters.scalarCount) parameters, "
            + "\(settings.steps) steps of \(settings.batchSize) images at \(settings.readSize) px")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bar = ProgressBar()
        let evaluation = try trainer.train { progress in
            bar.status(
                "train \(configuration.name) reader step",
                detail: String(format: "word loss %.3f, centre loss %.3f  %.1f images/s", progress.wordLoss, progress.centreLoss, progress.imagesPerSecond),
                done: progress.step, total: progress.totalSteps)
        }
        let readerURL = ZooReaderCheckpoint.url(besideWeights: directory.appendingPathComponent("\(configuration.name).safetensors"))
        try trainer.checkpoint.save(to: readerURL)
        print("Reader on \(settings.heldOutCount) held-out images: \(evaluation.summary)")
        print("Reader: \(readerURL.path)")
    }

    /// `step-NNNNNN.optimizer.safetensors` next to `step-NNNNNN.safetensors`.
    static func optimiserURL(for stepURL: URL) -> URL {
        stepURL.deletingPathExtension().appendingPathExtension("optimizer.safetensors")
    }

    /// The step checkpoint with the highest step in `directory` that has its optimiser state.
    static func latestCheckpoint(in directory: URL) -> (weights: URL, optimiser: URL)? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return nil }
        let steps = names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors"), !name.hasSuffix(".optimizer.safetensors"),
                  let step = Int(name.dropFirst(5).dropLast(12))
            else { return nil }
            let url = directory.appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: optimiserURL(for: url).path) ? (step, url) : nil
        }
        guard let latest = steps.max(by: { $0.0 < $1.0 }) else { return nil }
        return (latest.1, optimiserURL(for: latest.1))
    }
}
