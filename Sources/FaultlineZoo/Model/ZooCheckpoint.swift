import FaultlineCore
import FaultlineTensor
import Foundation

/// A zoo model's weights with everything needed to use them: the configuration it was
/// trained from, its answer and token vocabularies, the step and the held-out figures.
/// Saved as one safetensors file whose metadata carries the rest as text.
public struct ZooCheckpoint: Sendable {
    public var configuration: ZooConfiguration
    public var answers: AnswerVocabulary
    public var tokenizer: QuestionTokenizer
    public var network: ZooNetwork
    public var parameters: ParameterSet
    /// Training steps taken.
    public var step: Int
    /// Named figures measured at `step` (e.g. `heldOut.accuracy`), as text.
    public var metrics: [String: String]

    /// The metadata format; a change that older readers cannot read bumps it.
    public static let format = "faultline-zoo-1"

    enum MetadataKey {
        static let format = "faultline.format"
        static let configuration = "faultline.zoo.configuration"
        static let answers = "faultline.zoo.answers"
        static let tokens = "faultline.zoo.tokens"
        static let step = "faultline.zoo.step"
        static let metricPrefix = "faultline.zoo.metric."
    }

    /// A freshly initialised model for `configuration` (its seed initialises the weights).
    /// The configuration is kept without its reader section: the reader's weights live in
    /// their own file (`ZooReaderCheckpoint`), and the answer network's do not depend on it.
    public init(configuration: ZooConfiguration, answers: AnswerVocabulary, tokenizer: QuestionTokenizer) {
        var configuration = configuration
        configuration.reader = nil
        var parameters = ParameterSet(seed: configuration.seed)
        network = ZooNetwork(
            architecture: configuration.architecture, imageSize: configuration.data.imageSize,
            questionLength: configuration.data.maxQuestionTokens, answerCount: answers.count,
            vocabularySize: tokenizer.count, wordAnswers: answers.wordIndices,
            wordSpellings: answers.wordIndices.map { SceneCells.spelling(of: answers.answer(at: $0)) },
            parameters: &parameters)
        self.configuration = configuration
        self.answers = answers
        self.tokenizer = tokenizer
        self.parameters = parameters
        step = 0
        metrics = [:]
    }

    /// Writes the weights and metadata to `url` (creating its directory).
    public func save(to url: URL) throws(ZooCheckpointError) {
        var metadata = [
            MetadataKey.format: Self.format,
            MetadataKey.configuration: configuration.json(),
            MetadataKey.answers: answers.encoded(),
            MetadataKey.tokens: tokenizer.encoded(),
            MetadataKey.step: String(step),
        ]
        for (name, value) in metrics { metadata[MetadataKey.metricPrefix + name] = value }
        try WeightsFile.write(parameters, metadata: metadata, to: url)
    }

    /// Reads a checkpoint written by `save(to:)`.
    ///
    /// - Throws: `ZooCheckpointError` naming the file and what is wrong with it: not
    ///   safetensors, not a zoo checkpoint, a metadata entry that does not decode, or weights
    ///   that do not fit the configuration in the metadata (missing, extra or reshaped
    ///   tensors).
    public static func load(from url: URL) throws(ZooCheckpointError) -> ZooCheckpoint {
        try decode(WeightsFile.read(url, remedy: "retrain it with `faultline zoo train`, or restore the file"), path: url.path)
    }

    /// A checkpoint from a safetensors file already read.
    public static func decode(_ file: SafeTensorsFile, path: String) throws(ZooCheckpointError) -> ZooCheckpoint {
        func entry(_ key: String) throws(ZooCheckpointError) -> String {
            try WeightsFile.entry(key, of: file, path: path, kind: "zoo checkpoint", remedy: "pass a file written by `faultline zoo train`")
        }
        let format = try entry(MetadataKey.format)
        guard format == Self.format else {
            throw ZooCheckpointError(
                path: path, problem: "checkpoint format '\(format)', this Faultline reads '\(Self.format)'",
                remedy: "retrain the model with this version's `faultline zoo train`")
        }
        let configuration: ZooConfiguration
        let answers: AnswerVocabulary
        let tokenizer: QuestionTokenizer
        do {
            configuration = try ZooConfiguration.decode(Data(try entry(MetadataKey.configuration).utf8))
        } catch let error as ZooCheckpointError {
            throw error
        } catch {
            throw ZooCheckpointError(path: path, problem: "its configuration does not decode: \(error)", remedy: "retrain the model")
        }
        do {
            answers = try AnswerVocabulary.decode(try entry(MetadataKey.answers))
            tokenizer = try QuestionTokenizer.decode(try entry(MetadataKey.tokens))
        } catch let error as ZooCheckpointError {
            throw error
        } catch {
            throw ZooCheckpointError(path: path, problem: "its vocabulary does not decode: \(error)", remedy: "retrain the model")
        }
        var checkpoint = ZooCheckpoint(configuration: configuration, answers: answers, tokenizer: tokenizer)
        try WeightsFile.load(&checkpoint.parameters, from: file, path: path)
        checkpoint.step = Int(try entry(MetadataKey.step)) ?? 0
        checkpoint.metrics = WeightsFile.metrics(of: file, prefix: MetadataKey.metricPrefix)
        return checkpoint
    }
}

/// What zoo checkpoints and readers share: a safetensors file of weights whose metadata
/// carries the rest, with errors that name the file.
enum WeightsFile {
    static func write(_ parameters: ParameterSet, metadata: [String: String], to url: URL) throws(ZooCheckpointError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try parameters.save(to: url, metadata: metadata)
        } catch {
            throw ZooCheckpointError(path: url.path, problem: "could not be written: \(error)", remedy: "check the directory is writable")
        }
    }

    static func read(_ url: URL, remedy: String) throws(ZooCheckpointError) -> SafeTensorsFile {
        do {
            return try SafeTensors.read(from: url)
        } catch {
            throw ZooCheckpointError(path: url.path, problem: error.description, remedy: remedy)
        }
    }

    /// The metadata entry `key`, or an error saying the file is not a `kind`.
    static func entry(_ key: String, of file: SafeTensorsFile, path: String, kind: String, remedy: String) throws(ZooCheckpointError) -> String {
        guard let value = file.metadata[key] else {
            throw ZooCheckpointError(path: path, problem: "not a Faultline \(kind): its metadata has no '\(key)'", remedy: remedy)
        }
        return value
    }

    /// Replaces `parameters` with the file's tensors, all or nothing.
    static func load(_ parameters: inout ParameterSet, from file: SafeTensorsFile, path: String) throws(ZooCheckpointError) {
        do {
            try parameters.load(file, path: path)
        } catch {
            throw ZooCheckpointError(path: path, problem: error.problem + (error.tensor.map { " (tensor \"\($0)\")" } ?? ""), remedy: error.remedy)
        }
    }

    /// The metadata entries under `prefix`, keyed by the rest of their key.
    static func metrics(of file: SafeTensorsFile, prefix: String) -> [String: String] {
        var metrics: [String: String] = [:]
        for (key, value) in file.metadata where key.hasPrefix(prefix) { metrics[String(key.dropFirst(prefix.count))] = value }
        return metrics
    }
}

/// A checkpoint that cannot be read or written: which file, what is wrong, what to do.
public struct ZooCheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var problem: String
    public var remedy: String

    public init(path: String, problem: String, remedy: String) {
        self.path = path
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String { "zoo checkpoint \(path): \(problem); \(remedy)" }
}
