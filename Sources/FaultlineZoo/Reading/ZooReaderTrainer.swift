import FaultlineCore
import FaultlineScenes
import FaultlineTensor
import Foundation

/// How well a reader reads held-out images.
public struct ZooReaderEvaluation: Sendable, Equatable {
    /// Words the reader has a class for, and how many of them the word head names when it
    /// reads at their centre.
    public var words = ZooEvaluation.Count()
    /// Texts (labels and signs), and around how many of their centres the centre head puts
    /// at least half a chance on their kind (summed over the 3 × 3 pixels, as reading does).
    public var centres = ZooEvaluation.Count()
    /// Pixels without a text's centre, and how many of them the centre head leaves empty.
    public var empty = ZooEvaluation.Count()

    /// "words read at their centre 91.2% (812/890) · text centres found 97.0% (…) · empty pixels 99.9%".
    public var summary: String {
        "words read at their centre \(ZooEvaluation.percentText(words.accuracy)) (\(words.correct)/\(words.total))"
            + " · text centres found \(ZooEvaluation.percentText(centres.accuracy)) (\(centres.correct)/\(centres.total))"
            + " · empty pixels left empty \(ZooEvaluation.percentText(empty.accuracy))"
    }
}

/// Where reader training stands, reported after every step.
public struct ZooReaderProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    /// Moving averages over recent steps.
    public var wordLoss: Double
    public var centreLoss: Double
    public var imagesPerSecond: Double
}

/// Trains a zoo model's text reader from the reader section of its configuration: batches
/// of `ZooReaderData`, AdamW with warm-up and cosine decay, the word loss plus the centre
/// loss, and a held-out evaluation at the end. Deterministic, like `ZooTrainer`.
public struct ZooReaderTrainer: Sendable {
    public let settings: ZooReaderSettings
    public let data: ZooReaderData
    public private(set) var checkpoint: ZooReaderCheckpoint
    private var optimiser: AdamW
    private let schedule: WarmupCosineSchedule
    let threads: Int

    /// - Throws: `ZooConfigurationError` when the configuration has no reader section or does
    ///   not validate.
    public init(configuration: ZooConfiguration, answers: AnswerVocabulary) throws(ZooConfigurationError) {
        try configuration.validate()
        guard let settings = configuration.reader else {
            throw ZooConfigurationError(
                field: "reader", message: "\(configuration.name) has no reader section; add \"reader\": {} to train one with the default settings")
        }
        self.settings = settings
        data = ZooReaderData(configuration: configuration, settings: settings, answers: answers)
        checkpoint = ZooReaderCheckpoint(
            modelName: configuration.name, seed: configuration.seed, settings: settings,
            words: ZooReaderCheckpoint.words(of: answers))
        optimiser = AdamW(weightDecay: Float(settings.weightDecay))
        schedule = WarmupCosineSchedule(
            peak: Float(settings.learningRate), floor: Float(settings.learningRate) / 20,
            warmupSteps: settings.warmupSteps, totalSteps: settings.steps)
        threads = configuration.training.threads
    }

    /// One optimisation step; returns the word and centre losses.
    public mutating func step(_ batch: ZooReaderBatch) -> (word: Float, centre: Float) {
        let tape = Tape()
        let pass = ForwardPass(parameters: checkpoint.parameters, tape: tape)
        let losses = checkpoint.reader.loss(images: pass.input(batch.images), centres: batch.centres, words: batch.words, pass)
        tape.backward(from: losses.word + losses.centre)
        var gradients = pass.parameterGradients()
        clipGradientsByGlobalNorm(&gradients, maxNorm: ZooTrainer.maxGradientNorm)
        optimiser.step(&checkpoint.parameters, gradients: gradients, learningRate: schedule.learningRate(atStep: checkpoint.step))
        checkpoint.step += 1
        return (losses.word.value.scalarValue, losses.centre.value.scalarValue)
    }

    /// Trains to `settings.steps`, calling `progress` after each step, then evaluates the
    /// held-out images and records the figures in the checkpoint's metrics.
    public mutating func train(progress: (ZooReaderProgress) -> Void) throws -> ZooReaderEvaluation {
        ComputeThreads.set(threads)
        var averages = (word: 0.0, centre: 0.0)
        let started = Date()
        let prefetcher = Prefetcher<ZooReaderBatch>()
        let data = self.data, size = settings.batchSize, firstStep = checkpoint.step
        prefetcher.start { try data.batch(.train, start: firstStep * size, count: size) }
        while checkpoint.step < settings.steps {
            let batch = try prefetcher.take()
            if checkpoint.step + 1 < settings.steps {
                let next = checkpoint.step + 1
                prefetcher.start { try data.batch(.train, start: next * size, count: size) }
            }
            let losses = step(batch)
            let smoothing = checkpoint.step - firstStep == 1 ? 1.0 : 0.05
            averages.word += smoothing * (Double(losses.word) - averages.word)
            averages.centre += smoothing * (Double(losses.centre) - averages.centre)
            let seconds = Date().timeIntervalSince(started)
            progress(ZooReaderProgress(
                step: checkpoint.step, totalSteps: settings.steps, wordLoss: averages.word, centreLoss: averages.centre,
                imagesPerSecond: seconds > 0 ? Double((checkpoint.step - firstStep) * size) / seconds : 0))
        }
        let evaluation = try evaluate(count: settings.heldOutCount)
        checkpoint.metrics = [
            "heldOut.words": String(format: "%.4f (%d/%d)", evaluation.words.accuracy, evaluation.words.correct, evaluation.words.total),
            "heldOut.centres": String(format: "%.4f (%d/%d)", evaluation.centres.accuracy, evaluation.centres.correct, evaluation.centres.total),
            "heldOut.empty": String(format: "%.4f", evaluation.empty.accuracy),
            "wordLoss": String(format: "%.4f", averages.word), "centreLoss": String(format: "%.4f", averages.centre),
        ]
        return evaluation
    }

    /// Reads `count` held-out images in batches and counts what the heads get right.
    public func evaluate(count: Int) throws -> ZooReaderEvaluation {
        var evaluation = ZooReaderEvaluation()
        var start = 0
        while start < count {
            let batch = try data.batch(.heldOut, start: start, count: min(settings.batchSize, count - start), threads: threads)
            let pass = ForwardPass(parameters: checkpoint.parameters)
            let features = checkpoint.reader.featureMap(Variable(batch.images), pass)
            let logits = checkpoint.reader.centreLogits(features, pass).value
            let argmax = logits.argmaxRows()
            let probabilities = logits.softmaxRows()
            let side = settings.featureSide, classes = ZooReader.TextClass.allCases.count
            for (pixel, kind) in batch.centres.enumerated() {
                if kind == ZooReader.TextClass.nothing.rawValue {
                    evaluation.empty.total += 1
                    if argmax[pixel] == Int(kind) { evaluation.empty.correct += 1 }
                    continue
                }
                let image = pixel / (side * side), row = pixel % (side * side) / side, column = pixel % side
                var around: Float = 0
                for r in max(0, row - 1)...min(side - 1, row + 1) {
                    for c in max(0, column - 1)...min(side - 1, column + 1) {
                        around += probabilities[(image * side * side + r * side + c) * classes + Int(kind)]
                    }
                }
                evaluation.centres.total += 1
                if around >= 0.5 { evaluation.centres.correct += 1 }
            }
            if !batch.words.isEmpty {
                let read = checkpoint.reader.wordLogits(features, at: batch.words.map(\.location), pass).value.argmaxRows()
                for (index, target) in batch.words.enumerated() {
                    evaluation.words.total += 1
                    if read[index] == Int(target.word) { evaluation.words.correct += 1 }
                }
            }
            start += batch.count
        }
        return evaluation
    }
}
