import FaultlineCore
import FaultlineTensor
import Foundation

/// A text reader's weights with what is needed to use them: its settings, the words its
/// classes stand for, the model it was trained for, the step and its held-out figures. Saved
/// as one safetensors file next to the answer network's (`NAME.reader.safetensors`).
public struct ZooReaderCheckpoint: Sendable {
    /// The zoo model the reader belongs to (its configuration's name).
    public var modelName: String
    public var settings: ZooReaderSettings
    /// The word answers its word classes stand for, in order.
    public var words: [String]
    public var reader: ZooReader
    public var parameters: ParameterSet
    public var step: Int
    /// Named figures measured at `step`, as text.
    public var metrics: [String: String]

    /// The metadata format; a change that older readers cannot read bumps it.
    public static let format = "faultline-zoo-reader-1"

    enum MetadataKey {
        static let format = "faultline.format"
        static let model = "faultline.zoo.reader.model"
        static let settings = "faultline.zoo.reader.settings"
        static let words = "faultline.zoo.reader.words"
        static let step = "faultline.zoo.reader.step"
        static let metricPrefix = "faultline.zoo.reader.metric."
    }

    /// A freshly initialised reader; `seed` (the model's) initialises the weights.
    public init(modelName: String, seed: UInt64, settings: ZooReaderSettings, words: [String]) {
        var parameters = ParameterSet(seed: seed ^ Self.seedKey)
        reader = ZooReader(settings: settings, words: words, parameters: &parameters)
        self.modelName = modelName
        self.settings = settings
        self.words = words
        self.parameters = parameters
        step = 0
        metrics = [:]
    }

    /// Mixed into the model's seed, so the reader's initial weights differ from the answer
    /// network's even where a name matched.
    static let seedKey: UInt64 = 0x7265_6164_6572_7731

    /// The word answers of `answers`, in order: the reader's classes.
    public static func words(of answers: AnswerVocabulary) -> [String] {
        answers.wordIndices.map(answers.answer(at:))
    }

    /// Where the reader of the weights at `weights` lives: `NAME.reader.safetensors` beside
    /// `NAME.safetensors`.
    public static func url(besideWeights weights: URL) -> URL {
        weights.deletingPathExtension().appendingPathExtension("reader.safetensors")
    }

    /// Writes the weights and metadata to `url` (creating its directory).
    public func save(to url: URL) throws(ZooCheckpointError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metadata = [
            MetadataKey.format: Self.format,
            MetadataKey.model: modelName,
            MetadataKey.settings: String(decoding: (try? encoder.encode(settings)) ?? Data(), as: UTF8.self),
            MetadataKey.words: words.joined(separator: "\n"),
            MetadataKey.step: String(step),
        ]
        for (name, value) in metrics { metadata[MetadataKey.metricPrefix + name] = value }
        try WeightsFile.write(parameters, metadata: metadata, to: url)
    }

    /// Reads a reader written by `save(to:)`.
    ///
    /// - Throws: `ZooCheckpointError` naming the file and what is wrong: not safetensors, not
    ///   a reader, metadata that does not decode, or weights that do not fit its settings.
    public static func load(from url: URL) throws(ZooCheckpointError) -> ZooReaderCheckpoint {
        let file = try WeightsFile.read(url, remedy: "retrain it with `faultline zoo train --reader-only`, or restore the file")
        let path = url.path
        func entry(_ key: String) throws(ZooCheckpointError) -> String {
            try WeightsFile.entry(
                key, of: file, path: path, kind: "zoo reader", remedy: "pass a NAME.reader.safetensors file written by `faultline zoo train`")
        }
        let format = try entry(MetadataKey.format)
        if format == ZooCheckpoint.format {
            throw ZooCheckpointError(
                path: path, problem: "holds a zoo answer network's weights, not a reader",
                remedy: "pass the NAME.reader.safetensors file beside it")
        }
        guard format == Self.format else {
            throw ZooCheckpointError(
                path: path, problem: "reader format '\(format)', this Faultline reads '\(Self.format)'",
                remedy: "retrain the reader with this version's `faultline zoo train --reader-only`")
        }
        let settings: ZooReaderSettings
        do {
            settings = try JSONDecoder().decode(ZooReaderSettings.self, from: Data(try entry(MetadataKey.settings).utf8))
            try settings.validate()
        } catch let error as ZooCheckpointError {
            throw error
        } catch {
            throw ZooCheckpointError(path: path, problem: "its settings do not decode: \(error)", remedy: "retrain the reader")
        }
        let words = try entry(MetadataKey.words).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var checkpoint = ZooReaderCheckpoint(modelName: try entry(MetadataKey.model), seed: 0, settings: settings, words: words)
        try WeightsFile.load(&checkpoint.parameters, from: file, path: path)
        checkpoint.step = Int(try entry(MetadataKey.step)) ?? 0
        checkpoint.metrics = WeightsFile.metrics(of: file, prefix: MetadataKey.metricPrefix)
        return checkpoint
    }
}
