import FaultlineCore

/// The text reader of a zoo model: a second, small network that reads the words written in
/// a scene from the image at a higher resolution than the answer network sees, trained on its
/// own after the answer network (see `ZooReader`).
///
/// Why a separate network: at the answer network's 128 px, an object's label is a few pixels
/// of smudge; every attempt to teach its image tokens to read failed (the README's
/// architecture options). At 256 px the same words are 11 to 20 px high.
public struct ZooReaderSettings: Codable, Sendable, Hashable {
    /// The side, in pixels, images are resampled to before reading.
    public var readSize: Int
    /// Channels of the convolutions; a 2 × 2 max-pool follows every one but the last.
    public var channels: [Int]
    /// The width of the hidden layer between a word's window of features and the word head.
    public var width: Int
    /// Whether the word head names the letters at each of six positions (a–z or "end") and a
    /// word's score is the sum of its letters' log-probabilities, rather than one class per
    /// word: every word then teaches the letters it shares with the others.
    public var letters: Bool
    /// The window read around a word's centre, in pixels of the resampled image: wide enough
    /// for the longest word at the largest size, tall enough for a letter with some slack.
    public var windowWidth: Int
    public var windowHeight: Int
    public var steps: Int
    /// Images per step (every word of an image teaches the word head, every pixel the centre head).
    public var batchSize: Int
    public var learningRate: Double
    public var weightDecay: Double
    public var warmupSteps: Int
    /// Held-out images evaluated at the end.
    public var heldOutCount: Int
    /// The chance that a training scene has a sign (objects always carry a word when one fits).
    public var signProbability: Double
    /// The share of training images that are charts or tables (half each), whose category
    /// names, headers and word cells the reader learns to find and read like signs.
    public var structuredProbability: Double
    /// The share of training images with no objects: an empty canvas, with a sign at
    /// `signProbability`, as audits show them.
    public var emptyProbability: Double

    public init(
        readSize: Int = 256, channels: [Int] = [16, 32, 64, 64], width: Int = 256, letters: Bool = true, windowWidth: Int = 128,
        windowHeight: Int = 48, steps: Int = 4000, batchSize: Int = 8, learningRate: Double = 0.002,
        weightDecay: Double = 0.01, warmupSteps: Int = 100, heldOutCount: Int = 96, signProbability: Double = 0.6,
        structuredProbability: Double = 0, emptyProbability: Double = 0
    ) {
        self.readSize = readSize
        self.channels = channels
        self.width = width
        self.letters = letters
        self.windowWidth = windowWidth
        self.windowHeight = windowHeight
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.warmupSteps = warmupSteps
        self.heldOutCount = heldOutCount
        self.signProbability = signProbability
        self.structuredProbability = structuredProbability
        self.emptyProbability = emptyProbability
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case readSize, channels, width, letters, windowWidth, windowHeight, steps, batchSize, learningRate, weightDecay,
            warmupSteps, heldOutCount, signProbability, structuredProbability, emptyProbability
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.rejectUnknownFields(in: decoder, known: CodingKeys.allCases.map(\.rawValue), section: "reader")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ZooReaderSettings()
        let whole = "give a whole number", number = "give a number"
        readSize = try StrictDecoding.field(c, .readSize, d.readSize, hint: whole)
        channels = try StrictDecoding.field(c, .channels, d.channels, hint: "give a list of whole numbers")
        width = try StrictDecoding.field(c, .width, d.width, hint: whole)
        letters = try StrictDecoding.field(c, .letters, d.letters, hint: "give true or false")
        windowWidth = try StrictDecoding.field(c, .windowWidth, d.windowWidth, hint: whole)
        windowHeight = try StrictDecoding.field(c, .windowHeight, d.windowHeight, hint: whole)
        steps = try StrictDecoding.field(c, .steps, d.steps, hint: whole)
        batchSize = try StrictDecoding.field(c, .batchSize, d.batchSize, hint: whole)
        learningRate = try StrictDecoding.field(c, .learningRate, d.learningRate, hint: number)
        weightDecay = try StrictDecoding.field(c, .weightDecay, d.weightDecay, hint: number)
        warmupSteps = try StrictDecoding.field(c, .warmupSteps, d.warmupSteps, hint: whole)
        heldOutCount = try StrictDecoding.field(c, .heldOutCount, d.heldOutCount, hint: whole)
        signProbability = try StrictDecoding.field(c, .signProbability, d.signProbability, hint: number)
        structuredProbability = try StrictDecoding.field(
            c, .structuredProbability, d.structuredProbability, hint: number)
        emptyProbability = try StrictDecoding.field(c, .emptyProbability, d.emptyProbability, hint: number)
    }

    /// The grid the answer network points at: a word the reader finds is placed in one of
    /// its cells, so that "the red star's cell" means the same to both networks.
    public static let gridSide = 8

    /// Image pixels per feature pixel: 2 to the number of pools.
    public var featureStride: Int { 1 << (channels.count - 1) }
    /// The side of the feature map.
    public var featureSide: Int { readSize / featureStride }
    /// The window in feature pixels (columns, rows).
    public var windowFeatures: (columns: Int, rows: Int) { (windowWidth / featureStride, windowHeight / featureStride) }

    func validate() throws(ZooConfigurationError) {
        func check(_ ok: Bool, _ field: String, _ message: String) throws(ZooConfigurationError) {
            if !ok { throw ZooConfigurationError(field: "reader.\(field)", message: message) }
        }
        try check((2...5).contains(channels.count), "channels", "give 2 to 5 convolutions, got \(channels.count)")
        try check(channels.allSatisfy { (1...256).contains($0) }, "channels", "\(channels) must each be within 1...256")
        let cellUnit = featureStride * Self.gridSide
        try check((64...512).contains(readSize) && readSize % cellUnit == 0, "readSize",
            "\(readSize) px must be within 64...512 and a multiple of \(cellUnit) (\(Self.gridSide) cells of whole feature pixels after \(channels.count - 1) pools)")
        for (field, value) in [("windowWidth", windowWidth), ("windowHeight", windowHeight)] {
            try check(value % (2 * featureStride) == 0 && (2 * featureStride...readSize).contains(value), field,
                "\(value) px must be a multiple of \(2 * featureStride) (two feature pixels) within \(2 * featureStride)...\(readSize)")
        }
        try check((8...1024).contains(width), "width", "\(width) is outside 8...1024")
        try check(steps >= 1, "steps", "\(steps) must be at least 1")
        try check((1...256).contains(batchSize), "batchSize", "\(batchSize) is outside 1...256")
        try check(learningRate.isFinite && learningRate > 0 && learningRate <= 1, "learningRate",
            "\(learningRate) must be a number in (0, 1]")
        try check(weightDecay.isFinite && (0...1).contains(weightDecay), "weightDecay", "\(weightDecay) is outside 0...1")
        try check((0...steps).contains(warmupSteps), "warmupSteps", "\(warmupSteps) must be within 0...steps (\(steps))")
        try check(heldOutCount >= 0, "heldOutCount", "\(heldOutCount) must be 0 or more")
        try check(signProbability.isFinite && (0...1).contains(signProbability), "signProbability",
            "\(signProbability) is outside 0...1")
        for (field, value) in [("structuredProbability", structuredProbability), ("emptyProbability", emptyProbability)] {
            try check(value.isFinite && (0...1).contains(value), field, "\(value) is outside 0...1")
        }
        try check(structuredProbability + emptyProbability <= 1, "emptyProbability",
            "structuredProbability + emptyProbability is \(structuredProbability + emptyProbability); together they must be at most 1")
    }
}
