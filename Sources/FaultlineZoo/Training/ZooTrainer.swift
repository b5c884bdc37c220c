import FaultlineCore
import FaultlineTensor
import Foundation

/// Where training stands, reported after every step.
public struct ZooTrainingProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    /// Moving averages over recent steps.
    public var loss: Double
    public var answerLoss: Double
    public var contrastiveLoss: Double
    /// The latest held-out evaluation, if one has run.
    public var heldOut: ZooEvaluation?
    public var examplesPerSecond: Double
}

/// Trains a zoo model from its configuration: batches from the scene engine (planted as the
/// configuration says), AdamW with warm-up and cosine decay, answer loss plus the auxiliary
/// cell loss (what is where, from the scene graph) plus the weighted contrastive loss,
/// held-out evaluation and a checkpoint every `checkpointEvery` steps.
///
/// Deterministic: the configuration's seed fixes the initial weights and every batch, so
/// the same configuration gives the same weights on any run (with the same thread count).
public struct ZooTrainer: Sendable {
    public let configuration: ZooConfiguration
    public let dataset: ZooDataset
    public private(set) var checkpoint: ZooCheckpoint
    private var optimiser: AdamW
    private let schedule: WarmupCosineSchedule
    /// Global-norm gradient clipping, as is usual for transformers.
    static let maxGradientNorm: Float = 1

    public init(configuration: ZooConfiguration) throws(ZooConfigurationError) {
        self.configuration = configuration
        dataset = try ZooDataset(configuration: configuration)
        checkpoint = ZooCheckpoint(configuration: configuration, answers: dataset.answers, tokenizer: dataset.tokenizer)
        let training = configuration.training
        optimiser = AdamW(weightDecay: Float(training.weightDecay))
        schedule = WarmupCosineSchedule(
            peak: Float(training.learningRate), floor: Float(training.learningRate) / 20,
            warmupSteps: min(training.warmupSteps, training.steps), totalSteps: training.steps)
    }

    /// Continues training from `checkpoint` (written by `train` for this configuration) and
    /// the optimiser state saved with it: the result is bit for bit what an uninterrupted
    /// run gives, because batches are a function of the step and the schedule of the step.
    ///
    /// - Throws: `ZooConfigurationError` when the checkpoint was trained from another
    ///   configuration (steps, checkpoint interval and threads may differ), or when the
    ///   optimiser state does not fit its parameters.
    public init(
        configuration: ZooConfiguration, resumingFrom checkpoint: ZooCheckpoint, optimiserState: SafeTensorsFile,
        optimiserPath: String
    ) throws(ZooConfigurationError) {
        try self.init(configuration: configuration)
        guard Self.sameModel(checkpoint.configuration, configuration) else {
            throw ZooConfigurationError(
                field: "training", message: "the checkpoint at step \(checkpoint.step) was trained from another configuration "
                    + "(\(checkpoint.configuration.name), seed \(checkpoint.configuration.seed)); resume with the configuration it was trained from, or train from scratch")
        }
        do {
            try optimiser.restore(optimiserState, for: checkpoint.parameters, path: optimiserPath)
        } catch {
            throw ZooConfigurationError(field: "training", message: "cannot resume: \(error.description)")
        }
        self.checkpoint = checkpoint
    }

    /// Whether two configurations train the same answer network: everything but the length
    /// of the run, the checkpoint interval, the thread count and the reader.
    static func sameModel(_ a: ZooConfiguration, _ b: ZooConfiguration) -> Bool {
        func modelOnly(_ configuration: ZooConfiguration) -> ZooConfiguration {
            var configuration = configuration
            configuration.training.steps = 0
            configuration.training.checkpointEvery = 0
            configuration.training.threads = 0
            configuration.reader = nil
            return configuration
        }
        return modelOnly(a) == modelOnly(b)
    }

    /// The optimiser's state, saved next to each checkpoint so a run can resume.
    public var optimiserState: SafeTensorsFile { optimiser.stateFile(for: checkpoint.parameters) }

    /// One optimisation step on `batch`; returns the answer and contrastive losses.
    public mutating func step(_ batch: ZooBatch) -> (answer: Float, contrastive: Float) {
        let tape = Tape()
        let pass = ForwardPass(parameters: checkpoint.parameters, tape: tape)
        let network = checkpoint.network
        let imageTokens = network.imageTokens(pass.input(batch.images), pass)
        let questions = network.questionEmbeddings(batch.questionIDs, batch: batch.count, pass)
        let logits = network.answerLogits(
            imageTokens: imageTokens, questionEmbeddings: questions, questionMask: batch.questionMask, pass)
        let answerLoss = crossEntropy(logits: logits, targets: batch.answers)
        var loss = answerLoss + network.cellLoss(
            imageTokens: imageTokens, shapes: batch.cellShapes, colours: batch.cellColours, sizes: batch.cellSizes,
            textures: batch.cellTextures, words: batch.cellWords, signs: batch.cellSigns, pass)
        if network.readsAttributes {
            loss = loss + network.subjectLoss(
                questionEmbeddings: questions, questionMask: batch.questionMask, targets: batch.questionObjects, pass)
        }
        var contrastiveValue: Float = 0
        let weight = Float(configuration.training.contrastiveWeight)
        if weight > 0 {
            let contrastive = network.contrastiveLoss(
                imageEmbeddings: network.imageEmbeddings(imageTokens: imageTokens, pass),
                captionEmbeddings: network.captionEmbeddings(batch.captionIDs, mask: batch.captionMask, pass))
            contrastiveValue = contrastive.value.scalarValue
            loss = loss + contrastive.scaled(by: weight)
        }
        tape.backward(from: loss)
        var gradients = pass.parameterGradients()
        clipGradientsByGlobalNorm(&gradients, maxNorm: Self.maxGradientNorm)
        optimiser.step(
            &checkpoint.parameters, gradients: gradients, learningRate: schedule.learningRate(atStep: checkpoint.step))
        checkpoint.step += 1
        return (answerLoss.value.scalarValue, contrastiveValue)
    }

    /// The training batch of step `step`: examples `step·b ..< (step+1)·b` of the train split.
    public func batch(atStep step: Int, threads: Int) throws(ZooDataError) -> ZooBatch {
        try Self.batch(dataset: dataset, configuration: configuration, step: step, threads: threads)
    }

    static func batch(
        dataset: ZooDataset, configuration: ZooConfiguration, step: Int, threads: Int = 1
    ) throws(ZooDataError) -> ZooBatch {
        let size = configuration.training.batchSize
        let examples = try dataset.batch(.train, start: step * size, count: size, threads: threads)
        return ZooBatch(
            examples, imageSize: configuration.data.imageSize,
            gridSide: ZooNetwork.gridSide(imageSize: configuration.data.imageSize, architecture: configuration.architecture))
    }

    /// The clean held-out examples the progress reports accuracy on.
    public func heldOutExamples(threads: Int) throws(ZooDataError) -> [ZooExample] {
        try dataset.batch(.heldOut, start: 0, count: configuration.training.heldOutCount, threads: threads)
    }

    /// Trains to `configuration.training.steps`, calling `progress` after each step and
    /// `save` with each checkpoint (every `checkpointEvery` steps and at the end), after a
    /// held-out evaluation whose figures go into the checkpoint's metrics, and with the
    /// optimiser state to resume from it.
    ///
    /// The next batch is rendered on another thread while the current step runs.
    public mutating func train(
        progress: (ZooTrainingProgress) -> Void, save: (ZooCheckpoint, _ optimiserState: SafeTensorsFile) throws -> Void
    ) throws {
        let training = configuration.training
        ComputeThreads.set(training.threads)
        let heldOut = try heldOutExamples(threads: training.threads)
        var averages = (loss: 0.0, answer: 0.0, contrastive: 0.0)
        var latest: ZooEvaluation?
        let started = Date()
        let firstStep = checkpoint.step
        let prefetcher = Prefetcher<ZooBatch>()
        let dataset = self.dataset, configuration = self.configuration
        prefetcher.start { try Self.batch(dataset: dataset, configuration: configuration, step: firstStep) }
        while checkpoint.step < training.steps {
            let batch = try prefetcher.take()
            if checkpoint.step + 1 < training.steps {
                let next = checkpoint.step + 1
                prefetcher.start { try Self.batch(dataset: dataset, configuration: configuration, step: next) }
            }
            let losses = step(batch)
            let smoothing = checkpoint.step - firstStep == 1 ? 1.0 : 0.05
            averages.answer += smoothing * (Double(losses.answer) - averages.answer)
            averages.contrastive += smoothing * (Double(losses.contrastive) - averages.contrastive)
            averages.loss = averages.answer + training.contrastiveWeight * averages.contrastive
            if checkpoint.step % training.checkpointEvery == 0 || checkpoint.step == training.steps {
                let evaluation = checkpoint.evaluate(heldOut)
                latest = evaluation
                checkpoint.metrics = Self.metrics(evaluation, loss: averages.loss)
                try save(checkpoint, optimiserState)
            }
            let seconds = Date().timeIntervalSince(started)
            progress(ZooTrainingProgress(
                step: checkpoint.step, totalSteps: training.steps, loss: averages.loss, answerLoss: averages.answer,
                contrastiveLoss: averages.contrastive, heldOut: latest,
                examplesPerSecond: seconds > 0 ? Double((checkpoint.step - firstStep) * training.batchSize) / seconds : 0))
        }
    }

    /// Held-out accuracies (overall and per ability) and the loss, as checkpoint metrics.
    static func metrics(_ evaluation: ZooEvaluation, loss: Double) -> [String: String] {
        var metrics = ["heldOut.accuracy": String(format: "%.4f", evaluation.overall.accuracy), "loss": String(format: "%.4f", loss)]
        for (ability, count) in evaluation.perAbility {
            metrics["heldOut.\(ability.rawValue)"] = String(format: "%.4f (%d/%d)", count.accuracy, count.correct, count.total)
        }
        return metrics
    }
}

/// Makes one batch ahead on a background thread.
final class Prefetcher<Batch: Sendable>: @unchecked Sendable {
    private let queue = DispatchQueue(label: "faultline.zoo.prefetch")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var result: Result<Batch, any Error>?

    func start(_ make: @escaping @Sendable () throws -> Batch) {
        group.enter()
        queue.async { [self] in
            let made = Result { try make() }
            lock.withLock { result = made }
            group.leave()
        }
    }

    func take() throws -> Batch {
        group.wait()
        let taken = lock.withLock { () -> Result<Batch, any Error>? in
            defer { result = nil }
            return result
        }
        guard let taken else { preconditionFailure("Prefetcher.take() without start()") }
        return try taken.get()
    }
}
