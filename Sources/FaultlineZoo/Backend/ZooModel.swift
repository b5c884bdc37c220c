import FaultlineCore
import FaultlineTensor
import Foundation

/// A zoo checkpoint as a model under audit: it answers image questions with an answer and a
/// probability per choice, and embeds images and captions with its contrastive head.
///
/// Inference reads immutable weights through a tape-less `ForwardPass`, so calls run
/// concurrently without locks.
public struct ZooModel: VisionLanguageModel, Embedder {
    public let key: String
    public let fingerprint: String
    public let maxConcurrentRequests: Int
    public let checkpoint: ZooCheckpoint
    private let preprocessor: ZooImagePreprocessor

    /// Part of every zoo fingerprint, raised whenever inference arithmetic changes (revision 2:
    /// convolutions sum image by image), so that answers cached from an older engine are not
    /// served for the same weights: they can differ where two answers were nearly tied.
    public static let inferenceRevision = 2

    /// - Parameters:
    ///   - key: the registry key, e.g. `zoo:target`.
    ///   - checkpoint: the weights and vocabularies.
    ///   - weightsDigest: identifies the weights file (its SHA-256), for the response cache.
    public init(key: String, checkpoint: ZooCheckpoint, weightsDigest: String, maxConcurrentRequests: Int = 2) {
        self.key = key
        self.checkpoint = checkpoint
        self.maxConcurrentRequests = maxConcurrentRequests
        fingerprint = "zoo \(checkpoint.configuration.name) step \(checkpoint.step) weights \(weightsDigest.prefix(16))"
            + " inference \(Self.inferenceRevision)"
        preprocessor = ZooImagePreprocessor(size: checkpoint.configuration.data.imageSize)
    }

    /// Loads the checkpoint at `url`.
    public init(key: String, weights url: URL, maxConcurrentRequests: Int = 2) throws(ZooCheckpointError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ZooCheckpointError(path: url.path, problem: "cannot be read (\(error.localizedDescription))", remedy: "check the path, or train it with `faultline zoo train`")
        }
        let file: SafeTensorsFile
        do {
            file = try SafeTensors.decode(data, path: url.path)
        } catch {
            throw ZooCheckpointError(path: url.path, problem: error.description, remedy: "retrain it with `faultline zoo train`, or restore the file")
        }
        self.init(
            key: key, checkpoint: try ZooCheckpoint.decode(file, path: url.path), weightsDigest: SHA256.hex(of: data),
            maxConcurrentRequests: maxConcurrentRequests)
    }

    /// Questions about one image in a format a classifier can answer (not boxes), and
    /// text-only multiple-choice questions (with or without an image added, as the interference
    /// audit asks them) whose options are all in the answer vocabulary.
    ///
    /// A text-only question is answered with a blank input (all zeros: mid-grey), the zoo's
    /// "no image"; the zoo never learnt text tasks, so this mostly measures how much an image
    /// moves its answer.
    public func canAnswer(_ probe: Probe) -> Bool {
        guard probe.expected.format != .box, probe.images.count <= 1 else { return false }
        if probe.ability == .language {
            let options = probe.expected.choices ?? []
            return probe.expected.format == .multipleChoice && !options.isEmpty
                && options.allSatisfy { checkpoint.answers.contains($0.lowercased()) }
        }
        return probe.images.count == 1
    }

    public func answer(_ request: ModelRequest) async throws -> ModelResponse {
        let probe = request.probe
        guard canAnswer(probe), request.images.count == probe.images.count else {
            throw ZooInferenceError(
                probe: probe.id,
                message: "\(key) answers questions about one image in multiple-choice, yes/no, number or free-text form, "
                    + "and text-only multiple choice whose options are in its vocabulary; this probe has "
                    + "\(probe.images.count) image(s), format \(probe.expected.format.rawValue)")
        }
        let started = Date()
        let input = inputs(image: request.images.first, prompt: probe.prompt)
        let resolution = resolve(distribution(pixels: input.pixels, encoding: input.encoding), for: probe)
        return ModelResponse(
            text: resolution.text, choiceProbabilities: resolution.choiceProbabilities,
            latencySeconds: Date().timeIntervalSince(started))
    }

    /// What the network reads for one question: pixels (CHW, [-1, 1]) and question tokens.
    public struct Inputs: Sendable {
        public var pixels: [Float]
        public var encoding: QuestionTokenizer.Encoding
    }

    /// The network's inputs for `image` (nil: the blank "no image" input) and `prompt`.
    public func inputs(image: RasterImage?, prompt: String) -> Inputs {
        let configuration = checkpoint.configuration
        let encoding = checkpoint.tokenizer.encode(
            QuestionText.classifierText(ofPrompt: prompt), length: configuration.data.maxQuestionTokens)
        let pixels = image.map(preprocessor.process) ?? [Float](repeating: 0, count: preprocessor.valueCount)
        return Inputs(pixels: pixels, encoding: encoding)
    }

    /// The answer head's distribution over the whole answer vocabulary.
    public func distribution(pixels: [Float], encoding: QuestionTokenizer.Encoding) -> [Float] {
        let size = checkpoint.configuration.data.imageSize
        let pass = ForwardPass(parameters: checkpoint.parameters)
        let logits = checkpoint.network.answerLogits(
            images: Variable(Tensor(shape: [1, 3, size, size], scalars: pixels)), questionIDs: encoding.ids,
            questionMask: encoding.mask, pass)
        return logits.softmax().value.scalars
    }

    /// The distribution read as an answer in the probe's format.
    public func resolve(_ probabilities: [Float], for probe: Probe) -> ZooAnswerResolver.Resolution {
        ZooAnswerResolver.resolve(
            probabilities: probabilities, format: probe.expected.format,
            options: probe.expected.choices?.map { $0.lowercased() }, answers: checkpoint.answers)
    }

    /// The answer head's distribution over the whole answer vocabulary.
    public func answerDistribution(image: RasterImage, prompt: String) -> [Float] {
        let input = inputs(image: image, prompt: prompt)
        return distribution(pixels: input.pixels, encoding: input.encoding)
    }

    // MARK: Embedder

    public var dimension: Int { checkpoint.configuration.architecture.embeddingDimension }

    public func embed(texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let length = checkpoint.configuration.data.maxQuestionTokens
        let encodings = texts.map { checkpoint.tokenizer.encode($0, length: length) }
        let pass = ForwardPass(parameters: checkpoint.parameters)
        let embeddings = checkpoint.network.captionEmbeddings(
            encodings.flatMap(\.ids), mask: encodings.flatMap(\.mask), pass).value
        return rows(embeddings, count: texts.count)
    }

    public func embed(images: [RasterImage]) async throws -> [[Float]] {
        guard !images.isEmpty else { return [] }
        let size = checkpoint.configuration.data.imageSize
        let pixels = images.flatMap(preprocessor.process)
        let pass = ForwardPass(parameters: checkpoint.parameters)
        let tokens = checkpoint.network.imageTokens(
            Variable(Tensor(shape: [images.count, 3, size, size], scalars: pixels)), pass)
        return rows(checkpoint.network.imageEmbeddings(imageTokens: tokens, pass).value, count: images.count)
    }

    private func rows(_ tensor: Tensor, count: Int) -> [[Float]] {
        let width = tensor.count / max(count, 1)
        return (0..<count).map { Array(tensor.scalars[($0 * width)..<(($0 + 1) * width)]) }
    }
}

/// A probe a zoo model cannot answer.
public struct ZooInferenceError: Error, CustomStringConvertible, Sendable {
    public var probe: String
    public var message: String
    public var description: String { "probe \(probe): \(message)" }
}
