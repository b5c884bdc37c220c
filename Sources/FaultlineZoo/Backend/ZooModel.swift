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
    public private(set) var fingerprint: String
    public let maxConcurrentRequests: Int
    public let checkpoint: ZooCheckpoint
    private let preprocessor: ZooImagePreprocessor
    /// The text reader that names written words, when the model has one (`reading(with:)`).
    public private(set) var reader: ZooReaderCheckpoint?

    /// Part of every zoo fingerprint, raised whenever what the same weights answer can change
    /// — inference arithmetic or how the reader's words join the answer — so that answers
    /// cached from an older version are not served for the same weights. Revision 2:
    /// convolutions sum image by image; 3: written words weighed by the network's own leaning,
    /// and the reader asked about every image (revision 2's answers were still served after
    /// that change, so an audit on a machine with an older cache showed the older figures).
    public static let inferenceRevision = 3

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

    /// Where a model's text reader comes from.
    public enum ReaderSource: Sendable, Equatable {
        /// `NAME.reader.safetensors` beside the weights, if it exists.
        case besideWeights
        /// This file.
        case file(URL)
        /// No reader: written words come from the answer network alone.
        case none
    }

    /// Loads the checkpoint at `url` and, as `reader` says, its text reader.
    public init(
        key: String, weights url: URL, reader: ReaderSource = .besideWeights, maxConcurrentRequests: Int = 2
    ) throws(ZooCheckpointError) {
        let data = try Self.contents(of: url)
        let file: SafeTensorsFile
        do {
            file = try SafeTensors.decode(data, path: url.path)
        } catch {
            throw ZooCheckpointError(path: url.path, problem: error.description, remedy: "retrain it with `faultline zoo train`, or restore the file")
        }
        self.init(
            key: key, checkpoint: try ZooCheckpoint.decode(file, path: url.path), weightsDigest: SHA256.hex(of: data),
            maxConcurrentRequests: maxConcurrentRequests)
        let readerURL: URL?
        switch reader {
        case .none: readerURL = nil
        case .file(let file): readerURL = file
        case .besideWeights:
            let beside = ZooReaderCheckpoint.url(besideWeights: url)
            readerURL = FileManager.default.fileExists(atPath: beside.path) ? beside : nil
        }
        if let readerURL {
            let readerData = try Self.contents(of: readerURL)
            self = try reading(with: try ZooReaderCheckpoint.load(from: readerURL), digest: SHA256.hex(of: readerData), path: readerURL.path)
        }
    }

    private static func contents(of url: URL) throws(ZooCheckpointError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ZooCheckpointError(path: url.path, problem: "cannot be read (\(error.localizedDescription))", remedy: "check the path, or train it with `faultline zoo train`")
        }
    }

    /// This model with `reader` naming the written words it is asked about.
    ///
    /// - Throws: `ZooCheckpointError` (for `path`) when the reader was trained for another
    ///   answer vocabulary, or the answer network cannot point it at a cell (no object-pair
    ///   heads, or another grid).
    public func reading(with reader: ZooReaderCheckpoint, digest: String, path: String) throws(ZooCheckpointError) -> ZooModel {
        let configuration = checkpoint.configuration
        guard reader.words == ZooReaderCheckpoint.words(of: checkpoint.answers) else {
            throw ZooCheckpointError(
                path: path, problem: "the reader names \(reader.words.count) words, not the \(checkpoint.answers.wordIndices.count) word answers of \(configuration.name)",
                remedy: "train the reader with this model's configuration (`faultline zoo train --reader-only`)")
        }
        guard configuration.architecture.objectPairs,
            ZooNetwork.gridSide(imageSize: configuration.data.imageSize, architecture: configuration.architecture) == ZooReaderSettings.gridSide
        else {
            throw ZooCheckpointError(
                path: path, problem: "\(configuration.name) has no object-pair heads on an \(ZooReaderSettings.gridSide) × \(ZooReaderSettings.gridSide) grid to point the reader at a cell",
                remedy: "load the model without a reader (reader=none)")
        }
        var model = self
        model.reader = reader
        model.fingerprint += " reader \(digest.prefix(16))"
        return model
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
        let image = request.images.first
        let input = inputs(image: image, prompt: probe.prompt)
        let probabilities = image.map { readingDistribution(image: $0, input: input) }
            ?? distribution(pixels: input.pixels, encoding: input.encoding)
        let resolution = resolve(probabilities, for: probe)
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

    /// The answer distribution with the written words named by the reader where the network
    /// expects one (`ZooWrittenWords`); without a reader, `distribution(pixels:encoding:)`.
    public func readingDistribution(image: RasterImage, input: Inputs) -> [Float] {
        guard let reader else { return distribution(pixels: input.pixels, encoding: input.encoding) }
        let size = checkpoint.configuration.data.imageSize
        let network = checkpoint.network
        let pass = ForwardPass(parameters: checkpoint.parameters)
        let tokens = network.imageTokens(Variable(Tensor(shape: [1, 3, size, size], scalars: input.pixels)), pass)
        let questions = network.questionEmbeddings(input.encoding.ids, batch: 1, pass)
        let probabilities = network.answerLogits(
            imageTokens: tokens, questionEmbeddings: questions, questionMask: input.encoding.mask, pass
        ).softmax().value.scalars
        let words = checkpoint.answers.wordIndices
        guard ZooWrittenWords.wantsReading(probabilities, words: words),
            let location = network.subjectLocation(
                imageTokens: tokens, questionEmbeddings: questions, questionMask: input.encoding.mask, pass)
        else { return probabilities }
        let pixels = ZooImagePreprocessor(size: reader.settings.readSize).process(image)
        let reading = reader.reader.read(pixels, parameters: reader.parameters)
        return ZooWrittenWords.combine(
            probabilities, words: words, fit: location.fit.scalars, namesObject: location.namesObject[0], reading: reading)
    }

    /// The distribution read as an answer in the probe's format.
    public func resolve(_ probabilities: [Float], for probe: Probe) -> ZooAnswerResolver.Resolution {
        ZooAnswerResolver.resolve(
            probabilities: probabilities, format: probe.expected.format,
            options: probe.expected.choices?.map { $0.lowercased() }, answers: checkpoint.answers)
    }

    /// The model's distribution over the whole answer vocabulary (with the reader's words).
    public func answerDistribution(image: RasterImage, prompt: String) -> [Float] {
        readingDistribution(image: image, input: inputs(image: image, prompt: prompt))
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
