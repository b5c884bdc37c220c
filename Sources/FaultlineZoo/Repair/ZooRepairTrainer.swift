import FaultlineCore
import FaultlineTensor
import Foundation

/// One training view for a repair: the network's inputs and the answer it must give, the
/// objects its question names, and for views rendered from a known scene (replay) what each
/// image-token cell holds.
public struct ZooRepairExample: Sendable {
    public var pixels: [Float]
    public var ids: [Int32]
    public var mask: [Float]
    public var answer: Int32
    public var objects: SceneCells.QuestionObjects
    /// Per cell the shape, colour, size and texture classes (`SceneCells.targets`); empty
    /// when the view's scene is not known.
    public var cellShapes: [Int32] = [], cellColours: [Int32] = [], cellSizes: [Int32] = [], cellTextures: [Int32] = []
}

/// Which divergence the consistency term uses.
public enum ConsistencyDivergence: String, Sendable, CaseIterable {
    case js, kl
}

/// Settings of a repair fine-tune; the defaults are what `faultline rectify` uses.
public struct ZooRepairSettings: Sendable, Equatable {
    public var steps = 400
    /// Pairs (clean + perturbed view) and clean replay examples per step.
    public var pairsPerStep = 16
    public var replayPerStep = 16
    public var learningRate = 3e-4
    /// λ of the consistency term.
    public var consistencyWeight = 1.0
    public var divergence = ConsistencyDivergence.js
    /// The adversarial budget on the perturbed view's question embeddings, as a fraction of
    /// the embeddings' RMS (0 turns the adversarial term off).
    public var adversarialEpsilon = 0.1
    public var seed: UInt64 = 0

    public init() {}
}

/// Fine-tunes a copy of a zoo model with the objective of the modality-interference paper
/// (methods.md §3): L = L_task + L_adv + λ·L_consistency.
///
/// - L_task: cross-entropy on the clean view of each repair pair and on clean replay examples
///   (the model's own, unplanted training distribution, so that repairing one thing does not
///   unlearn the rest);
/// - L_adv: cross-entropy on the perturbed view with an adversarial perturbation of its
///   question embeddings — one step from a uniform start in the L∞ ball, in the direction of
///   the raw gradient (not its sign, as the paper's code does), scaled to the budget and clipped;
/// - L_consistency: JS (or KL) divergence between the answer distributions of the clean and
///   the perturbed view.
///
/// The auxiliary losses of training are kept too — the cell heads' on replay views, whose
/// scenes are known, and the question heads' on every clean view — so that a repair aimed at
/// the answers does not drift the heads the attribute tables and object pairs read.
public struct ZooRepairTrainer {
    public private(set) var checkpoint: ZooCheckpoint
    public let settings: ZooRepairSettings
    private var optimiser: AdamW
    private let embeddingScale: Float

    public init(checkpoint: ZooCheckpoint, settings: ZooRepairSettings = .init()) {
        self.checkpoint = checkpoint
        self.settings = settings
        optimiser = AdamW(weightDecay: Float(checkpoint.configuration.training.weightDecay))
        embeddingScale = ZooGradientAttack(
            model: ZooModel(key: "repair", checkpoint: checkpoint, weightsDigest: "")).embeddingScale
    }

    /// A training view, or nil when `answer` is not in the model's answer vocabulary.
    public func example(pixels: [Float], prompt: String, answer: String) -> ZooRepairExample? {
        guard let index = checkpoint.answers.index(of: answer.lowercased()) else { return nil }
        let text = QuestionText.classifierText(ofPrompt: prompt)
        let encoding = checkpoint.tokenizer.encode(text, length: checkpoint.configuration.data.maxQuestionTokens)
        return ZooRepairExample(
            pixels: pixels, ids: encoding.ids, mask: encoding.mask, answer: Int32(index),
            objects: SceneCells.questionObjects(text))
    }

    /// Clean examples from the model's own configuration with its plants removed and another
    /// seed: the task it should keep doing well while it is repaired.
    public func replayExamples(count: Int, seed: UInt64, threads: Int = 2) throws -> [ZooRepairExample] {
        var configuration = checkpoint.configuration
        configuration.plants = []
        configuration.seed = seed
        let dataset = try ZooDataset(configuration: configuration)
        let examples = checkpoint.retokenized(try dataset.batch(.train, start: 0, count: count, threads: threads))
        let side = ZooNetwork.gridSide(imageSize: configuration.data.imageSize, architecture: configuration.architecture)
        return examples.compactMap { example in
            checkpoint.answers.index(of: example.answerValue).map {
                let cells = SceneCells.targets(for: example.scene, side: side)
                return ZooRepairExample(
                    pixels: example.image, ids: example.tokens, mask: example.mask, answer: Int32($0),
                    objects: SceneCells.questionObjects(example.questionText), cellShapes: cells.shapes,
                    cellColours: cells.colours, cellSizes: cells.sizeClasses, cellTextures: cells.textures)
            }
        }
    }

    /// Runs `settings.steps` steps over `pairs` and `replay` (each cycled in a seeded order) and
    /// returns the repaired checkpoint. `progress` gets the step and the step's total loss.
    public mutating func train(
        pairs: [(clean: ZooRepairExample, perturbed: ZooRepairExample)], replay: [ZooRepairExample],
        progress: (Int, Float) -> Void
    ) -> ZooCheckpoint {
        guard !pairs.isEmpty else { return checkpoint }
        var rng = SeededGenerator(seed: settings.seed)
        var pairOrder = rng.shuffled(Array(pairs.indices))
        var replayOrder = rng.shuffled(Array(replay.indices))
        var pairCursor = 0, replayCursor = 0
        let schedule = WarmupCosineSchedule(
            peak: Float(settings.learningRate), floor: Float(settings.learningRate) / 10,
            warmupSteps: min(20, settings.steps), totalSteps: settings.steps)
        for step in 0..<settings.steps {
            var chosen: [(clean: ZooRepairExample, perturbed: ZooRepairExample)] = []
            for _ in 0..<settings.pairsPerStep {
                if pairCursor == pairOrder.count { pairOrder = rng.shuffled(pairOrder); pairCursor = 0 }
                chosen.append(pairs[pairOrder[pairCursor]])
                pairCursor += 1
            }
            var replayed: [ZooRepairExample] = []
            for _ in 0..<min(settings.replayPerStep, replay.count) {
                if replayCursor == replayOrder.count { replayOrder = rng.shuffled(replayOrder); replayCursor = 0 }
                replayed.append(replay[replayOrder[replayCursor]])
                replayCursor += 1
            }
            let loss = self.step(chosen, replay: replayed, learningRate: schedule.learningRate(atStep: step), rng: &rng)
            progress(step + 1, loss)
        }
        return checkpoint
    }

    private mutating func step(
        _ pairs: [(clean: ZooRepairExample, perturbed: ZooRepairExample)], replay: [ZooRepairExample], learningRate: Float,
        rng: inout SeededGenerator
    ) -> Float {
        let perturbed = pairs.map(\.perturbed)
        let delta = adversarialDelta(perturbed, rng: &rng)

        let tape = Tape()
        let pass = ForwardPass(parameters: checkpoint.parameters, tape: tape)
        let clean = pairs.map(\.clean) + replay
        let cleanView = forward(clean, delta: nil, pass)
        let cleanLogits = cleanView.logits
        let perturbedLogits = forward(perturbed, delta: delta, pass).logits
        var loss = crossEntropy(logits: cleanLogits, targets: clean.map(\.answer))
            + crossEntropy(logits: perturbedLogits, targets: perturbed.map(\.answer))
        let network = checkpoint.network
        if network.readsAttributes {
            loss = loss + network.subjectLoss(
                questionEmbeddings: cleanView.embeddings, questionMask: clean.flatMap(\.mask), targets: clean.map(\.objects),
                pass)
        }
        // Replay views (the tail of the clean batch) come from known scenes.
        if !replay.isEmpty, replay.allSatisfy({ !$0.cellShapes.isEmpty }) {
            loss = loss + network.cellLoss(
                imageTokens: cleanView.imageTokens.slice(pairs.count..<clean.count, alongDimension: 0),
                shapes: replay.flatMap(\.cellShapes), colours: replay.flatMap(\.cellColours),
                sizes: network.cellAttributes.contains(.size) ? replay.flatMap(\.cellSizes) : [],
                textures: network.cellAttributes.contains(.texture) ? replay.flatMap(\.cellTextures) : [], pass)
        }
        if settings.consistencyWeight > 0 {
            // The clean views of the pairs are the first rows of the clean batch.
            let pairClean = cleanLogits.slice(0..<pairs.count, alongDimension: 0)
            let divergence = settings.divergence == .js
                ? jensenShannonDivergence(logitsP: pairClean, logitsQ: perturbedLogits)
                : klDivergence(logitsP: pairClean, logitsQ: perturbedLogits)
            loss = loss + divergence.scaled(by: Float(settings.consistencyWeight))
        }
        tape.backward(from: loss)
        var gradients = pass.parameterGradients()
        clipGradientsByGlobalNorm(&gradients, maxNorm: 1)
        optimiser.step(&checkpoint.parameters, gradients: gradients, learningRate: learningRate)
        checkpoint.step += 1
        return loss.value.scalarValue
    }

    /// Logits for a batch of views, with `delta` added to their question embeddings when
    /// given, and the image tokens and question embeddings they came from.
    private func forward(_ views: [ZooRepairExample], delta: Tensor?, _ pass: ForwardPass)
        -> (logits: Variable, imageTokens: Variable, embeddings: Variable)
    {
        let network = checkpoint.network
        let size = checkpoint.configuration.data.imageSize
        let images = Tensor(shape: [views.count, 3, size, size], scalars: views.flatMap(\.pixels))
        var embeddings = network.questionEmbeddings(views.flatMap(\.ids), batch: views.count, pass)
        if let delta { embeddings = embeddings + Variable(delta) }
        let imageTokens = network.imageTokens(pass.input(images), pass)
        let logits = network.answerLogits(
            imageTokens: imageTokens, questionEmbeddings: embeddings, questionMask: views.flatMap(\.mask), pass)
        return (logits, imageTokens, embeddings)
    }

    /// One adversarial step on the question embeddings of `views`, with the weights frozen.
    private func adversarialDelta(_ views: [ZooRepairExample], rng: inout SeededGenerator) -> Tensor? {
        guard settings.adversarialEpsilon > 0, !views.isEmpty else { return nil }
        let network = checkpoint.network
        let bound = Float(settings.adversarialEpsilon) * embeddingScale
        let length = checkpoint.configuration.data.maxQuestionTokens
        let width = checkpoint.configuration.architecture.width
        let mask = views.flatMap(\.mask).flatMap { [Float](repeating: $0, count: width) }
        var delta = mask.map { $0 * Float(rng.unit() * 2 - 1) * bound }
        let shape = [views.count, length, width]
        let tape = Tape()
        let pass = ForwardPass(parameters: checkpoint.parameters, tape: tape, trainable: false)
        let shift = pass.input(Tensor(shape: shape, scalars: delta), requiresGradient: true)
        let size = checkpoint.configuration.data.imageSize
        let images = Tensor(shape: [views.count, 3, size, size], scalars: views.flatMap(\.pixels))
        let logits = network.answerLogits(
            imageTokens: network.imageTokens(Variable(images), pass),
            questionEmbeddings: network.questionEmbeddings(views.flatMap(\.ids), batch: views.count, pass) + shift,
            questionMask: views.flatMap(\.mask), pass)
        tape.backward(from: crossEntropy(logits: logits, targets: views.map(\.answer)))
        guard let gradient = tape.gradient(of: shift)?.scalars else { return Tensor(shape: shape, scalars: delta) }
        let largest = gradient.reduce(0) { max($0, abs($1)) }
        if largest > 0 {
            for i in delta.indices where mask[i] > 0 {
                delta[i] = min(bound, max(-bound, delta[i] + bound * gradient[i] / largest))
            }
        }
        return Tensor(shape: shape, scalars: delta)
    }
}
