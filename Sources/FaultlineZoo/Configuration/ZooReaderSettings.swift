import FaultlineCore

/// The text reader of a zoo model: a second, small network that reads the words written in
/// a scene from the image at a higher resolution than the answer network sees, trained on its
/// own after the answer network (see `ZooReader`).
///
/// Why a separate network: at the answer network's 128 px, an object's label is a few pixels
/// of smudge; every attempt to teach its image tokens to read failed (the README's
/// architecture options). At 256 px the same words are 12 to 20 px tall.
public struct ZooReaderSettings: Codable, Sendable, Hashable {
    /// The side, in pixels, images are resampled to before reading; a multiple of 128.
    public var readSize: Int
    /// Channels of the convolutions; a 2 × 2 max-pool follows every one but the last.
    public var channels: [Int]
    /// The width of each cell's feature vector, read by the word and text heads.
    public var width: Int
    public var steps: Int
    /// Images per step (every image teaches all of its cells).
    public var batchSize: Int
    public var learningRate: Double
    public var weightDecay: Double
    public var warmupSteps: Int
    /// Held-out images evaluated at the end.
    public var heldOutCount: Int
    /// The chance that a training scene has a sign (objects always carry a word when one fits).
    public var signProbability: Double

    public init(
        readSize: Int = 256, channels: [Int] = [16, 32, 64, 32], width: Int = 128, steps: Int = 1500, batchSize: Int = 8,
        learningRate: Double = 0.002, weightDecay: Double = 0.01, warmupSteps: Int = 100, heldOutCount: Int = 96,
        signProbability: Double = 0.6
    ) {
        self.readSize = readSize
        self.channels = channels
        self.width = width
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.warmupSteps = warmupSteps
        self.heldOutCount = heldOutCount
        self.signProbability = signProbability
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case readSize, channels, width, steps, batchSize, learningRate, weightDecay, warmupSteps, heldOutCount,
            signProbability
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.rejectUnknownFields(in: decoder, known: CodingKeys.allCases.map(\.rawValue), section: "reader")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ZooReaderSettings()
        let whole = "give a whole number", number = "give a number"
        readSize = try StrictDecoding.field(c, .readSize, d.readSize, hint: whole)
        channels = try StrictDecoding.field(c, .channels, d.channels, hint: "give a list of whole numbers")
        width = try StrictDecoding.field(c, .width, d.width, hint: whole)
        steps = try StrictDecoding.field(c, .steps, d.steps, hint: whole)
        batchSize = try StrictDecoding.field(c, .batchSize, d.batchSize, hint: whole)
        learningRate = try StrictDecoding.field(c, .learningRate, d.learningRate, hint: number)
        weightDecay = try StrictDecoding.field(c, .weightDecay, d.weightDecay, hint: number)
        warmupSteps = try StrictDecoding.field(c, .warmupSteps, d.warmupSteps, hint: whole)
        heldOutCount = try StrictDecoding.field(c, .heldOutCount, d.heldOutCount, hint: whole)
        signProbability = try StrictDecoding.field(c, .signProbability, d.signProbability, hint: number)
    }

    /// The cells' grid side: the answer network's token grid, so that a cell the network
    /// points at is a cell the reader has read.
    public static let gridSide = 8
    /// How many cells across and down a cell's reading window spans, centred on the cell:
    /// a word centred anywhere in the cell and up to 2.5 cells long fits inside it.
    public static let windowCells = 4

    /// Feature-map pixels per cell: the read size over the grid, halved by every pool.
    public var featuresPerCell: Int { readSize / Self.gridSide / (1 << (channels.count - 1)) }

    func validate() throws(ZooConfigurationError) {
        func check(_ ok: Bool, _ field: String, _ message: String) throws(ZooConfigurationError) {
            if !ok { throw ZooConfigurationError(field: "reader.\(field)", message: message) }
        }
        try check((128...512).contains(readSize) && readSize % 128 == 0, "readSize", "\(readSize) px must be 128, 256, 384 or 512")
        try check((2...5).contains(channels.count), "channels", "give 2 to 5 convolutions, got \(channels.count)")
        try check(channels.allSatisfy { (1...256).contains($0) }, "channels", "\(channels) must each be within 1...256")
        // The window's padding is 1.5 cells, a whole number of feature pixels only for an even count.
        try check(featuresPerCell >= 2 && featuresPerCell % 2 == 0, "channels",
            "\(channels.count) convolutions leave \(readSize) px at \(featuresPerCell) feature pixel(s) per cell; it must be even: use fewer convolutions or a larger readSize")
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
    }
}
