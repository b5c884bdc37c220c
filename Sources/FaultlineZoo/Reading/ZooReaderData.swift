import FaultlineCore
import FaultlineScenes
import FaultlineTensor

/// The reader's examples: object scenes whose objects carry a word wherever one fits
/// legibly, some with a sign, and (as the settings ask) empty canvases, charts and tables,
/// rendered on the scene engine's usual canvas and resampled to `readSize` exactly as an
/// audited image is; per feature pixel, the kind of text centred there (an object's label,
/// or any other writing with a letter in it, as "sign"), and each known word at its centre's
/// pixel. Numbers alone (chart values, numeric cells) are not the reader's to find.
///
/// The reader's world is the clean scene engine: plants change what answers co-occur with,
/// never what a word looks like, so the reader of a planted model is trained like any other.
/// Image `i` of a split comes from its own seed, so batches can be made in any order.
public struct ZooReaderData: Sendable {
    public let settings: ZooReaderSettings
    public let answers: AnswerVocabulary
    let seed: UInt64
    let generator: SceneGenerator
    /// Draws the empty canvases, charts and tables.
    let sceneryGenerator: SceneGenerator
    let preprocessor: ZooImagePreprocessor
    private let renderer = SceneRenderer()

    /// The side, in pixels, scenes are drawn at: the scene engine's default canvas, the size
    /// of the images audits show.
    public static let canvasSide = SceneGeneratorConfiguration().width

    public enum Split: Sendable {
        case train, heldOut
    }

    /// One image and its targets.
    public struct Example: Sendable {
        /// `3 × readSize × readSize` floats, CHW, in [-1, 1].
        public var pixels: [Float]
        /// Per feature pixel (row-major), a `ZooReader.TextClass` raw value: the kind of
        /// text centred there.
        public var centres: [Int32]
        /// The words whose class the reader has (one word, in the vocabulary), at the feature
        /// pixel of their centre; the word as an index among the word answers.
        public var words: [(row: Int, column: Int, word: Int32)]
    }

    /// The reader data of `configuration`, whose seed (mixed with a constant of its own) fixes
    /// every image.
    public init(configuration: ZooConfiguration, settings: ZooReaderSettings, answers: AnswerVocabulary) {
        self.settings = settings
        self.answers = answers
        seed = configuration.seed ^ 0x7265_6164_6572
        generator = SceneGenerator(configuration: SceneGeneratorConfiguration(
            objectCount: configuration.data.objectCount, labelProbability: 1, signProbability: settings.signProbability))
        sceneryGenerator = SceneGenerator(configuration: SceneGeneratorConfiguration(
            objectCount: 0...0, labelProbability: 1, signProbability: settings.signProbability))
        preprocessor = ZooImagePreprocessor(size: settings.readSize)
    }

    /// Example `index` of `split`.
    public func example(_ split: Split, index: Int) throws(SceneRenderError) -> Example {
        let stream = UInt64(index) &* 2 &+ (split == .train ? 0 : 1)
        var generator = SeededGenerator(seed: seed, stream: stream)
        let sceneSeed = generator.next()
        let draw = Double(generator.next() >> 11) / Double(1 << 53)
        let structured = settings.structuredProbability
        let scene =
            draw < structured / 2 ? sceneryGenerator.chartScene(seed: sceneSeed)
            : draw < structured ? sceneryGenerator.tableScene(seed: sceneSeed)
            : draw < structured + settings.emptyProbability ? sceneryGenerator.objectScene(seed: sceneSeed)
            : self.generator.objectScene(seed: sceneSeed)
        let pixels = preprocessor.process(try renderer.render(scene))
        let side = settings.featureSide
        var centres = [Int32](repeating: ZooReader.TextClass.nothing.rawValue, count: side * side)
        var words: [(row: Int, column: Int, word: Int32)] = []
        func mark(_ text: String, x: Double, y: Double, as kind: ZooReader.TextClass) {
            let pixel = SceneCells.cell(x: x, y: y, side: side)
            centres[pixel] = kind.rawValue
            if let index = answers.index(of: text), answers.wordIndices.contains(index) {
                words.append((pixel / side, pixel % side, Int32(index - answers.wordIndices.lowerBound)))
            }
        }
        for written in scene.writtenWords() {
            mark(written.text, x: written.x, y: written.y, as: written.role == .objectLabel ? .objectLabel : .sign)
        }
        return Example(pixels: pixels, centres: centres, words: words)
    }

    /// Examples `start..<start+count` of `split` as one batch, rendered on up to `threads` threads.
    public func batch(_ split: Split, start: Int, count: Int, threads: Int = 2) throws(SceneRenderError) -> ZooReaderBatch {
        let examples = try ResultSlots.fill(count: count, threads: threads) { position in
            Result { () throws(SceneRenderError) in try example(split, index: start + position) }
        }.collect()
        return ZooReaderBatch(examples, readSize: settings.readSize)
    }
}

/// Reader examples stacked for one step.
public struct ZooReaderBatch: Sendable {
    /// [b, 3, readSize, readSize].
    public var images: Tensor
    /// Per image and feature pixel (image-major), as in `ZooReaderData.Example`.
    public var centres: [Int32]
    /// Every example's words, with the image they are in.
    public var words: [(location: ZooReader.Location, word: Int32)]
    public var count: Int

    /// A batch of given images [b, 3, readSize, readSize] and targets (the bench's random ones).
    public init(images: Tensor, centres: [Int32], words: [(location: ZooReader.Location, word: Int32)]) {
        count = images.shape[0]
        self.images = images
        self.centres = centres
        self.words = words
    }

    public init(_ examples: [ZooReaderData.Example], readSize: Int) {
        count = examples.count
        images = Tensor(shape: [examples.count, 3, readSize, readSize], scalars: examples.flatMap(\.pixels))
        centres = examples.flatMap(\.centres)
        words = examples.enumerated().flatMap { image, example in
            example.words.map { (ZooReader.Location(image: image, row: $0.row, column: $0.column), $0.word) }
        }
    }
}
