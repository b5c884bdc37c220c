import FaultlineCore
import FaultlineTensor
import Foundation

/// White-box attacks on a zoo model within an L∞ budget, on the modality a task does not need
/// (methods.md §3): the question's token embeddings for image questions, the image for text
/// questions.
///
/// Projected gradient ascent on the cross-entropy of the model's own clean answer, from a
/// uniform random start in the ball, with signed steps of 2.5·ε/steps (the usual L∞ PGD of
/// Madry et al.; the paper's training-time variant takes raw-gradient steps, which
/// `ZooRepairTrainer` uses). Success is a changed chosen answer (the probe's format decides:
/// an option, yes/no, a number), checked after every step.
public struct ZooGradientAttack: Sendable {
    public enum Surface: String, Sendable, CaseIterable {
        /// The question's token embeddings (real tokens only, not padding).
        case textEmbeddings = "pgd-text-embeddings"
        /// The input image at the model's own size, in the model's [-1, 1] scale; ε is given in bytes (of 255).
        case image = "pgd-image"
    }

    public struct Outcome: Sendable, Equatable {
        public var probeID: String
        public var succeeded: Bool
        public var cleanAnswer: String
        public var finalAnswer: String
    }

    public let model: ZooModel
    public var steps: Int
    public var seed: UInt64

    public init(model: ZooModel, steps: Int = 10, seed: UInt64 = 0) {
        self.model = model
        self.steps = steps
        self.seed = seed
    }

    /// The root-mean-square of the question embedding table: text budgets are given as a
    /// fraction of it, so that they mean the same across models.
    public var embeddingScale: Float {
        let pass = ForwardPass(parameters: model.checkpoint.parameters)
        let length = model.checkpoint.configuration.data.maxQuestionTokens
        let ids = (0..<Int32(length)).map { $0 % Int32(model.checkpoint.tokenizer.words.count) }
        let values = model.checkpoint.network.questionEmbeddings(ids, batch: 1, pass).value.scalars
        return (values.reduce(0) { $0 + $1 * $1 } / Float(max(values.count, 1))).squareRoot()
    }

    /// Attacks `probes` (with their images; a text probe may have none) at budget `epsilon`:
    /// a fraction of `embeddingScale` for text, bytes for images.
    public func attack(_ probes: [(probe: Probe, image: RasterImage?)], surface: Surface, epsilon: Float) -> [Outcome] {
        let bound = surface == .image ? 2 * epsilon / 255 : epsilon * embeddingScale
        return probes.enumerated().map { index, item in
            attackOne(item.probe, image: item.image, surface: surface, bound: bound, stream: UInt64(index))
        }
    }

    /// `bound` is the L∞ radius in the attacked input's own units.
    private func attackOne(_ probe: Probe, image: RasterImage?, surface: Surface, bound: Float, stream: UInt64) -> Outcome {
        let checkpoint = model.checkpoint
        let network = checkpoint.network
        let input = model.inputs(image: image, prompt: probe.prompt)
        let clean = model.resolve(model.distribution(pixels: input.pixels, encoding: input.encoding), for: probe)
        guard let target = checkpoint.answers.index(of: clean.value), bound > 0 else {
            return Outcome(probeID: probe.id, succeeded: false, cleanAnswer: clean.text, finalAnswer: clean.text)
        }
        let size = checkpoint.configuration.data.imageSize
        let stepSize = 2.5 * bound / Float(max(steps, 1))
        var rng = SeededGenerator(seed: seed, stream: stream)
        let constant = ForwardPass(parameters: checkpoint.parameters)
        let baseEmbeddings = network.questionEmbeddings(input.encoding.ids, batch: 1, constant).value
        let baseImage = Tensor(shape: [1, 3, size, size], scalars: input.pixels)
        let fixedTokens = surface == .textEmbeddings ? network.imageTokens(Variable(baseImage), constant) : nil
        // Only real question tokens are perturbed; padding stays as it is.
        let length = input.encoding.mask.count
        let width = baseEmbeddings.count / max(length, 1)
        let perturbable: [Float] = surface == .image
            ? [Float](repeating: 1, count: baseImage.count)
            : input.encoding.mask.flatMap { [Float](repeating: $0, count: width) }
        var delta = perturbable.map { $0 * Float(rng.unit() * 2 - 1) * bound }
        var answer = clean
        for _ in 0..<steps {
            let tape = Tape()
            let pass = ForwardPass(parameters: checkpoint.parameters, tape: tape, trainable: false)
            let shift = pass.input(Tensor(shape: surface == .image ? baseImage.shape : baseEmbeddings.shape, scalars: delta), requiresGradient: true)
            let logits: Variable
            switch surface {
            case .textEmbeddings:
                logits = network.answerLogits(
                    imageTokens: fixedTokens!, questionEmbeddings: Variable(baseEmbeddings) + shift,
                    questionMask: input.encoding.mask, pass)
            case .image:
                logits = network.answerLogits(
                    imageTokens: network.imageTokens(Variable(baseImage) + shift, pass),
                    questionEmbeddings: network.questionEmbeddings(input.encoding.ids, batch: 1, pass),
                    questionMask: input.encoding.mask, pass)
            }
            let loss = crossEntropy(logits: logits, targets: [Int32(target)])
            tape.backward(from: loss)
            guard let gradient = tape.gradient(of: shift)?.scalars else { break }
            for i in delta.indices where perturbable[i] > 0 {
                let stepped = delta[i] + stepSize * (gradient[i] > 0 ? 1 : gradient[i] < 0 ? -1 : 0)
                var clipped = min(bound, max(-bound, stepped))
                // Images stay within the valid pixel range.
                if surface == .image { clipped = min(1 - baseImage.scalars[i], max(-1 - baseImage.scalars[i], clipped)) }
                delta[i] = clipped
            }
            answer = model.resolve(perturbedDistribution(input: input, baseImage: baseImage, baseEmbeddings: baseEmbeddings, fixedTokens: fixedTokens, delta: delta, surface: surface), for: probe)
            if answer.value != clean.value { break }
        }
        return Outcome(probeID: probe.id, succeeded: answer.value != clean.value, cleanAnswer: clean.text, finalAnswer: answer.text)
    }

    private func perturbedDistribution(
        input: ZooModel.Inputs, baseImage: Tensor, baseEmbeddings: Tensor, fixedTokens: Variable?, delta: [Float], surface: Surface
    ) -> [Float] {
        let network = model.checkpoint.network
        let pass = ForwardPass(parameters: model.checkpoint.parameters)
        let logits: Variable
        switch surface {
        case .textEmbeddings:
            logits = network.answerLogits(
                imageTokens: fixedTokens!, questionEmbeddings: Variable(baseEmbeddings) + Variable(Tensor(shape: baseEmbeddings.shape, scalars: delta)),
                questionMask: input.encoding.mask, pass)
        case .image:
            logits = network.answerLogits(
                imageTokens: network.imageTokens(Variable(baseImage) + Variable(Tensor(shape: baseImage.shape, scalars: delta)), pass),
                questionEmbeddings: network.questionEmbeddings(input.encoding.ids, batch: 1, pass),
                questionMask: input.encoding.mask, pass)
        }
        return logits.softmax().value.scalars
    }
}
