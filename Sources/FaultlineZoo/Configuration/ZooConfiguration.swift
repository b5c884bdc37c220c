import FaultlineCore
import FaultlineScenes
import Foundation

/// Everything that defines one zoo model: its data, its architecture's sizes, how it is
/// trained, and the defects planted through its training data.
///
/// JSON may leave out any field (it takes the default) but may not name an unknown one:
///
/// ```json
/// { "name": "target", "seed": 7, "data": { "imageSize": 64 },
///   "plants": [{ "kind": "answer-hole", "ability": "counting", "above": 5 }] }
/// ```
public struct ZooConfiguration: Codable, Sendable, Hashable {
    /// A short identifier (letters, digits, `-`, `_`, `.`), used in file and report names.
    public var name: String
    /// What the model is for; for a planted model, what was planted and why.
    public var description: String
    /// The training data seed; held-out data and evaluation slices use seeds derived from it.
    public var seed: UInt64
    public var data: ZooDataSettings
    public var architecture: ZooArchitectureSettings
    public var training: ZooTrainingSettings
    /// The defects planted through the training data, applied in order.
    public var plants: [PlantPlan]
    /// The text reader trained after the answer network, if any (absent from the JSON: none).
    public var reader: ZooReaderSettings?

    public init(
        name: String = "zoo-model", description: String = "", seed: UInt64 = 1, data: ZooDataSettings = .init(),
        architecture: ZooArchitectureSettings = .init(), training: ZooTrainingSettings = .init(),
        plants: [PlantPlan] = [], reader: ZooReaderSettings? = nil
    ) {
        self.name = name
        self.description = description
        self.seed = seed
        self.data = data
        self.architecture = architecture
        self.training = training
        self.plants = plants
        self.reader = reader
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, seed, data, architecture, training, plants, reader
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.rejectUnknownFields(
            in: decoder, known: CodingKeys.allCases.map(\.rawValue), section: "the configuration")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ZooConfiguration()
        name = try StrictDecoding.field(container, .name, defaults.name, hint: "give a string")
        description = try StrictDecoding.field(container, .description, defaults.description, hint: "give a string")
        seed = try StrictDecoding.field(container, .seed, defaults.seed, hint: "give a whole number ≥ 0")
        data = try StrictDecoding.field(container, .data, defaults.data, hint: "give an object of data settings")
        architecture = try StrictDecoding.field(
            container, .architecture, defaults.architecture, hint: "give an object of architecture settings")
        training = try StrictDecoding.field(
            container, .training, defaults.training, hint: "give an object of training settings")
        plants = try StrictDecoding.field(container, .plants, defaults.plants, hint: "give a list of plant plans")
        reader = try StrictDecoding.field(container, .reader, defaults.reader, hint: "give an object of reader settings")
    }

    /// Reads and validates a configuration file.
    ///
    /// - Throws: `ZooConfigurationError` carrying `path` and, where the field can be found in
    ///   the text, its line.
    public static func load(path: String) throws(ZooConfigurationError) -> ZooConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ZooConfigurationError(
                file: path, field: "(file)", message: "cannot be read (\(error.localizedDescription)); check the path")
        }
        do {
            return try decode(data)
        } catch var error {
            error.file = path
            error.line = SourceLines.line(of: error.field, in: String(decoding: data, as: UTF8.self))
            throw error
        }
    }

    /// Decodes and validates a configuration from JSON bytes.
    public static func decode(_ json: Data) throws(ZooConfigurationError) -> ZooConfiguration {
        let configuration: ZooConfiguration
        do {
            configuration = try JSONDecoder().decode(ZooConfiguration.self, from: json)
        } catch let error as ZooConfigurationError {
            throw error
        } catch let error as DecodingError {
            var field = "(document)"
            if case .dataCorrupted(let context) = error, !context.codingPath.isEmpty {
                field = StrictDecoding.path(context.codingPath)
            }
            throw ZooConfigurationError(
                field: field, message: "is not valid JSON (\(StrictDecoding.explain(error))); fix the syntax")
        } catch {
            throw ZooConfigurationError(field: "(document)", message: "cannot be decoded: \(error)")
        }
        try configuration.validate()
        return configuration
    }

    /// The configuration as pretty, sorted-key JSON.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Checks every field and names the first bad one with what to do.
    public func validate() throws(ZooConfigurationError) {
        let allowedName = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(allowedName.contains) else {
            throw ZooConfigurationError(
                field: "name", message: "\"\(name)\" must be non-empty and use only letters, digits, -, _ and .")
        }
        try data.validate()
        try architecture.validate()
        if !architecture.textChannels.isEmpty {
            let grid = ZooNetwork.gridSide(imageSize: data.imageSize, architecture: architecture)
            let textGrid = ZooNetwork.textGridSide(imageSize: data.imageSize)
            guard grid == textGrid else {
                throw ZooConfigurationError(
                    field: "architecture.textChannels",
                    message: "the text stack ends on a \(textGrid) × \(textGrid) grid but the image tokens are \(grid) × \(grid); change data.imageSize or imageChannels")
            }
        }
        try training.validate()
        for (index, plan) in plants.enumerated() {
            try plan.validate(field: "plants[\(index)]", data: data)
        }
        if let reader {
            try reader.validate()
            guard ZooNetwork.gridSide(imageSize: data.imageSize, architecture: architecture) == ZooReaderSettings.gridSide,
                architecture.objectPairs
            else {
                throw ZooConfigurationError(
                    field: "reader",
                    message: "the reader reads where the answer network's \(ZooReaderSettings.gridSide) × \(ZooReaderSettings.gridSide) token grid and its objectPairs heads point; set architecture.objectPairs and a grid of that side, or remove the reader")
            }
        }
    }
}

/// What the training data looks like.
public struct ZooDataSettings: Codable, Sendable, Hashable {
    /// The side of the square image the model sees, 32…128 px.
    public var imageSize: Int
    /// The side scenes are rendered at before being downscaled to `imageSize` by the same
    /// preprocessing inference uses.
    public var renderSize: Int
    /// The abilities questions exercise (default the six perception abilities).
    public var abilities: [Ability]
    /// The answer formats questions are asked in (default all but box).
    public var formats: [AnswerFormat]
    /// Question token sequences are truncated or padded to this length.
    public var maxQuestionTokens: Int
    /// How many objects an object scene holds (default the scene generator's).
    public var objectCount: ClosedRange<Int>

    public static let imageSizeRange = 32...128
    public static let renderSizeRange = 32...512
    public static let maxQuestionTokensRange = 4...256
    /// Every format a classifier can answer: all but box, whose answer is four coordinates.
    /// The six perception abilities the scene engine asks about.
    public static let perceptionAbilities: [Ability] = Ability.perception
    public static let classifiableFormats: [AnswerFormat] = [.multipleChoice, .yesNo, .number, .freeText]

    public init(
        imageSize: Int = 64, renderSize: Int = 128, abilities: [Ability] = Ability.perception,
        formats: [AnswerFormat] = Self.classifiableFormats, maxQuestionTokens: Int = 24,
        objectCount: ClosedRange<Int> = SceneGeneratorConfiguration().objectCount
    ) {
        self.imageSize = imageSize
        self.renderSize = renderSize
        self.abilities = abilities
        self.formats = formats
        self.maxQuestionTokens = maxQuestionTokens
        self.objectCount = objectCount
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case imageSize, renderSize, abilities, formats, maxQuestionTokens, objectCount
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.rejectUnknownFields(in: decoder, known: CodingKeys.allCases.map(\.rawValue), section: "data")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ZooDataSettings()
        let abilityNames = Ability.perception.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let formatNames = Self.classifiableFormats.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        imageSize = try StrictDecoding.field(c, .imageSize, d.imageSize, hint: "give a whole number of pixels")
        renderSize = try StrictDecoding.field(c, .renderSize, d.renderSize, hint: "give a whole number of pixels")
        abilities = try StrictDecoding.field(c, .abilities, d.abilities, hint: "give a list of \(abilityNames)")
        formats = try StrictDecoding.field(c, .formats, d.formats, hint: "give a list of \(formatNames)")
        maxQuestionTokens = try StrictDecoding.field(c, .maxQuestionTokens, d.maxQuestionTokens, hint: "give a whole number")
        objectCount = try StrictDecoding.field(c, .objectCount, d.objectCount, hint: "give [lowest, highest], e.g. [0, 10]")
    }

    /// The ability suite configuration training scenes and questions are drawn from.
    public func suiteConfiguration(abilities chosen: [Ability]? = nil) -> AbilitySuiteConfiguration {
        AbilitySuiteConfiguration(
            abilities: chosen ?? abilities, formats: formats, counterfactualShare: 0,
            scenes: SceneGeneratorConfiguration(width: renderSize, height: renderSize, objectCount: objectCount))
    }

    func validate() throws(ZooConfigurationError) {
        guard Self.imageSizeRange.contains(imageSize) else {
            throw ZooConfigurationError(field: "data.imageSize", message: "\(imageSize) px is outside 32...128 px")
        }
        guard Self.renderSizeRange.contains(renderSize), renderSize >= imageSize else {
            throw ZooConfigurationError(
                field: "data.renderSize",
                message: "\(renderSize) px must be within 32...512 px and at least imageSize (\(imageSize) px)")
        }
        guard Self.maxQuestionTokensRange.contains(maxQuestionTokens) else {
            throw ZooConfigurationError(
                field: "data.maxQuestionTokens", message: "\(maxQuestionTokens) is outside 4...256 tokens")
        }
        if formats.contains(.box) {
            throw ZooConfigurationError(
                field: "data.formats",
                message: "box cannot be answered by a classifier over a fixed answer vocabulary; remove \"box\"")
        }
        do {
            try suiteConfiguration().validate()
        } catch {
            let field = error.field.hasPrefix("scenes.") ? "data." + error.field.dropFirst("scenes.".count) : "data." + error.field
            throw ZooConfigurationError(field: field, message: error.message)
        }
    }
}

/// The model's sizes; the model code reads them, the data side only checks them.
public struct ZooArchitectureSettings: Codable, Sendable, Hashable {
    /// Channels of each convolution stage of the image encoder.
    public var imageChannels: [Int]
    /// The width of the fused token stream.
    public var width: Int
    /// Attention heads; `width` must divide by it.
    public var heads: Int
    /// Transformer layers fusing image and question tokens.
    public var fusionLayers: Int
    /// The dimension of the contrastive image and caption embeddings.
    public var embeddingDimension: Int
    /// Rounds of question-led attention over the fused image tokens before the answer head
    /// (0: the answer head sees only pooled tokens and the question vector).
    public var readoutHops: Int
    /// The width of the hidden layer the question modulates (FiLM) in each image token
    /// (0: the question modulates the token's own features).
    public var fusionHidden: Int
    /// Whether the auxiliary cell loss also teaches each image token the size and texture of
    /// the object in its cell (not only its shape and colour).
    public var cellSizeAndTexture: Bool
    /// Whether the first convolution of a stack of more than three also halves the image
    /// (stride 2), so that an image of twice the side gives the same token grid at nearly
    /// the same cost. Small objects and textures that a box filter blurs at 64 px stay
    /// legible to learned filters at 128 px.
    public var downsampleFirst: Bool
    /// Match heads (0: none): each compares a projection of the question with a projection
    /// of every image token, and the answer layer reads, per head, the best score over the
    /// tokens and the sum of the positive ones. A score adds the attributes a token shares
    /// with the question, so "is there a red star?" is a threshold on one number, and "how
    /// many red stars?" a sum.
    public var matchHeads: Int
    /// Whether the answer layer also reads an attribute summary of the image and what of it
    /// the question asks about. The summary: from the cell heads' probabilities (and an
    /// objectness head), per shape, colour, size and texture class how many objects have it
    /// and the sum of their positions, and per shape how many objects have each colour, size
    /// and texture. Two question heads, taught by an auxiliary loss, name the shape and the
    /// colour the question mentions; the summary read through them gives the asked shape's
    /// count, colours, sizes, textures and position, the asked colour's count and shapes,
    /// and the count of both. Needs `cellSizeAndTexture`.
    public var attributeSummary: Bool
    /// Whether the answer layer also reads the two objects a question names (the last noun
    /// phrase and the one before it, each a shape, colour and size named by question heads)
    /// and how they compare: per object the expected count, position, colours and sizes of
    /// the cells that fit its words; their position difference, the chance they share a
    /// colour, their sizes against each other; and every shape's position relative to the
    /// last-named object. For "is the star left of the circle?", "do they have the same
    /// colour?", "which shape is above the red star?". Needs `attributeSummary`.
    public var objectPairs: Bool
    /// Whether each image token also learns the word written at its centre (an object's
    /// label or a sign, one class per written word of the answer vocabulary) and whether a
    /// sign is centred there, and the answer layer reads the word on the object the question
    /// names and the word on the sign, added to the scores of the word answers as the
    /// question gates them. For "what word is written on the red star?" and "what does the
    /// sign say?". Needs `objectPairs`.
    public var cellWords: Bool
    /// Channels of a second convolution stack, for text (empty: none): it reads the image at
    /// full resolution (its layers before the last four keep it; the last four halve it),
    /// and its last feature map, projected to `width`, is added to the image tokens, so the
    /// word heads (and every other head) read features learnt for small glyphs. Needs
    /// `cellWords` and at least four stages, and must end on the image tokens' grid.
    public var textChannels: [Int]
    /// Whether the word heads spell: per cell, the letter at each of the first
    /// `SceneCells.spellingLength` positions (case folded, or "end"), instead of one class per
    /// word; a word's score is the sum of its letters' log-probabilities. Each letter is then
    /// learnt from every word it occurs in. Needs `cellWords`.
    public var spelledWords: Bool
    public init(
        imageChannels: [Int] = [32, 64, 128], width: Int = 128, heads: Int = 4, fusionLayers: Int = 2,
        embeddingDimension: Int = 64, readoutHops: Int = 0, fusionHidden: Int = 0, cellSizeAndTexture: Bool = false,
        downsampleFirst: Bool = false, matchHeads: Int = 0, attributeSummary: Bool = false, objectPairs: Bool = false,
        cellWords: Bool = false, textChannels: [Int] = [], spelledWords: Bool = false
    ) {
        self.spelledWords = spelledWords
        self.textChannels = textChannels
        self.cellWords = cellWords
        self.objectPairs = objectPairs
        self.attributeSummary = attributeSummary
        self.matchHeads = matchHeads
        self.downsampleFirst = downsampleFirst
        self.fusionHidden = fusionHidden
        self.cellSizeAndTexture = cellSizeAndTexture
        self.imageChannels = imageChannels
        self.width = width
        self.heads = heads
        self.fusionLayers = fusionLayers
        self.embeddingDimension = embeddingDimension
        self.readoutHops = readoutHops
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case imageChannels, width, heads, fusionLayers, embeddingDimension, readoutHops, fusionHidden, cellSizeAndTexture,
            downsampleFirst, matchHeads, attributeSummary, objectPairs, cellWords, textChannels, spelledWords
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.rejectUnknownFields(
            in: decoder, known: CodingKeys.allCases.map(\.rawValue), section: "architecture")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ZooArchitectureSettings()
        imageChannels = try StrictDecoding.field(c, .imageChannels, d.imageChannels, hint: "give a list of whole numbers")
        width = try StrictDecoding.field(c, .width, d.width, hint: "give a whole number")
        heads = try StrictDecoding.field(c, .heads, d.heads, hint: "give a whole number")
        fusionLayers = try StrictDecoding.field(c, .fusionLayers, d.fusionLayers, hint: "give a whole number")
        embeddingDimension = try StrictDecoding.field(
            c, .embeddingDimension, d.embeddingDimension, hint: "give a whole number")
        readoutHops = try StrictDecoding.field(c, .readoutHops, d.readoutHops, hint: "give a whole number")
        fusionHidden = try StrictDecoding.field(c, .fusionHidden, d.fusionHidden, hint: "give a whole number")
        cellSizeAndTexture = try StrictDecoding.field(
            c, .cellSizeAndTexture, d.cellSizeAndTexture, hint: "give true or false")
        downsampleFirst = try StrictDecoding.field(c, .downsampleFirst, d.downsampleFirst, hint: "give true or false")
        matchHeads = try StrictDecoding.field(c, .matchHeads, d.matchHeads, hint: "give a whole number")
        attributeSummary = try StrictDecoding.field(c, .attributeSummary, d.attributeSummary, hint: "give true or false")
        objectPairs = try StrictDecoding.field(c, .objectPairs, d.objectPairs, hint: "give true or false")
        cellWords = try StrictDecoding.field(c, .cellWords, d.cellWords, hint: "give true or false")
        textChannels = try StrictDecoding.field(c, .textChannels, d.textChannels, hint: "give a list of whole numbers")
        spelledWords = try StrictDecoding.field(c, .spelledWords, d.spelledWords, hint: "give true or false")
    }

    /// Writes every setting, but `cellWords` and `textChannels` only when on: they came after the shipped models,
    /// whose checkpoints (the configuration is in their metadata) then reproduce byte for byte.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imageChannels, forKey: .imageChannels)
        try c.encode(width, forKey: .width)
        try c.encode(heads, forKey: .heads)
        try c.encode(fusionLayers, forKey: .fusionLayers)
        try c.encode(embeddingDimension, forKey: .embeddingDimension)
        try c.encode(readoutHops, forKey: .readoutHops)
        try c.encode(fusionHidden, forKey: .fusionHidden)
        try c.encode(cellSizeAndTexture, forKey: .cellSizeAndTexture)
        try c.encode(downsampleFirst, forKey: .downsampleFirst)
        try c.encode(matchHeads, forKey: .matchHeads)
        try c.encode(attributeSummary, forKey: .attributeSummary)
        try c.encode(objectPairs, forKey: .objectPairs)
        if cellWords { try c.encode(cellWords, forKey: .cellWords) }
        if !textChannels.isEmpty { try c.encode(textChannels, forKey: .textChannels) }
        if spelledWords { try c.encode(spelledWords, forKey: .spelledWords) }
    }

    func validate() throws(ZooConfigurationError) {
        guard (1...6).contains(imageChannels.count) else {
            throw ZooConfigurationError(
                field: "architecture.imageChannels", message: "give 1 to 6 stages, got \(imageChannels.count)")
        }
        if let bad = imageChannels.firstIndex(where: { !(1...1024).contains($0) }) {
            throw ZooConfigurationError(
                field: "architecture.imageChannels[\(bad)]", message: "\(imageChannels[bad]) is outside 1...1024")
        }
        guard (1...64).contains(heads) else {
            throw ZooConfigurationError(field: "architecture.heads", message: "\(heads) is outside 1...64")
        }
        guard (1...2048).contains(width), width % heads == 0 else {
            throw ZooConfigurationError(
                field: "architecture.width", message: "\(width) must be within 1...2048 and divisible by heads (\(heads))")
        }
        guard (0...24).contains(fusionLayers) else {
            throw ZooConfigurationError(field: "architecture.fusionLayers", message: "\(fusionLayers) is outside 0...24")
        }
        guard (1...1024).contains(embeddingDimension) else {
            throw ZooConfigurationError(
                field: "architecture.embeddingDimension", message: "\(embeddingDimension) is outside 1...1024")
        }
        guard (0...8).contains(readoutHops) else {
            throw ZooConfigurationError(field: "architecture.readoutHops", message: "\(readoutHops) is outside 0...8")
        }
        guard (0...4096).contains(fusionHidden) else {
            throw ZooConfigurationError(field: "architecture.fusionHidden", message: "\(fusionHidden) is outside 0...4096")
        }
        guard (0...64).contains(matchHeads) else {
            throw ZooConfigurationError(field: "architecture.matchHeads", message: "\(matchHeads) is outside 0...64")
        }
        guard !downsampleFirst || imageChannels.count > ZooNetwork.stridedLayers else {
            throw ZooConfigurationError(
                field: "architecture.downsampleFirst",
                message: "needs more than \(ZooNetwork.stridedLayers) imageChannels stages (with fewer, every stage already halves the image)")
        }
        // Each option that builds on another: (on, field, what it needs, whether that is on, why).
        let prerequisites: [(on: Bool, field: String, needs: String, met: Bool, because: String)] = [
            (attributeSummary, "attributeSummary", "cellSizeAndTexture", cellSizeAndTexture,
             "the summary counts sizes and textures from those cell heads"),
            (objectPairs, "objectPairs", "attributeSummary", attributeSummary,
             "the pair is read from the summary's cell probabilities and question heads"),
            (cellWords, "cellWords", "objectPairs", objectPairs,
             "the word is read from the cells that fit the object the question names"),
            (spelledWords, "spelledWords", "cellWords", cellWords, "it changes how the word heads name a word"),
            (!textChannels.isEmpty, "textChannels", "cellWords", cellWords, "the text stack is taught by the word heads"),
        ]
        for option in prerequisites where option.on && !option.met {
            throw ZooConfigurationError(
                field: "architecture.\(option.field)", message: "needs \(option.needs): true (\(option.because))")
        }
        if !textChannels.isEmpty {
            guard (ZooNetwork.textHalvings...6).contains(textChannels.count) else {
                throw ZooConfigurationError(
                    field: "architecture.textChannels",
                    message: "give \(ZooNetwork.textHalvings) to 6 stages (the last \(ZooNetwork.textHalvings) halve the image), got \(textChannels.count)")
            }
            if let bad = textChannels.firstIndex(where: { !(1...1024).contains($0) }) {
                throw ZooConfigurationError(
                    field: "architecture.textChannels[\(bad)]", message: "\(textChannels[bad]) is outside 1...1024")
            }
        }
    }
}

/// How the model is trained.
public struct ZooTrainingSettings: Codable, Sendable, Hashable {
    public var steps: Int
    public var batchSize: Int
    /// The peak learning rate, reached after `warmupSteps`.
    public var learningRate: Double
    public var weightDecay: Double
    public var warmupSteps: Int
    /// A checkpoint is written every this many steps.
    public var checkpointEvery: Int
    /// Held-out examples evaluated at each checkpoint.
    public var heldOutCount: Int
    /// The weight of the contrastive (image, caption) loss next to the answer loss.
    public var contrastiveWeight: Double
    /// Threads for data making and the tensor engine.
    public var threads: Int

    public init(
        steps: Int = 3000, batchSize: Int = 32, learningRate: Double = 0.001, weightDecay: Double = 0.01,
        warmupSteps: Int = 100, checkpointEvery: Int = 500, heldOutCount: Int = 512, contrastiveWeight: Double = 0.2,
        threads: Int = 2
    ) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.warmupSteps = warmupSteps
        self.checkpointEvery = checkpointEvery
        self.heldOutCount = heldOutCount
        self.contrastiveWeight = contrastiveWeight
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case steps, batchSize, learningRate, weightDecay, warmupSteps, checkpointEvery, heldOutCount,
            contrastiveWeight, threads
    }

    public init(from decoder: any Decoder) throws {
        try StrictDecoding.rejectUnknownFields(in: decoder, known: CodingKeys.allCases.map(\.rawValue), section: "training")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ZooTrainingSettings()
        let whole = "give a whole number", number = "give a number"
        steps = try StrictDecoding.field(c, .steps, d.steps, hint: whole)
        batchSize = try StrictDecoding.field(c, .batchSize, d.batchSize, hint: whole)
        learningRate = try StrictDecoding.field(c, .learningRate, d.learningRate, hint: number)
        weightDecay = try StrictDecoding.field(c, .weightDecay, d.weightDecay, hint: number)
        warmupSteps = try StrictDecoding.field(c, .warmupSteps, d.warmupSteps, hint: whole)
        checkpointEvery = try StrictDecoding.field(c, .checkpointEvery, d.checkpointEvery, hint: whole)
        heldOutCount = try StrictDecoding.field(c, .heldOutCount, d.heldOutCount, hint: whole)
        contrastiveWeight = try StrictDecoding.field(c, .contrastiveWeight, d.contrastiveWeight, hint: number)
        threads = try StrictDecoding.field(c, .threads, d.threads, hint: whole)
    }

    func validate() throws(ZooConfigurationError) {
        func check(_ ok: Bool, _ field: String, _ message: String) throws(ZooConfigurationError) {
            if !ok { throw ZooConfigurationError(field: "training.\(field)", message: message) }
        }
        try check(steps >= 1, "steps", "\(steps) must be at least 1")
        try check((1...4096).contains(batchSize), "batchSize", "\(batchSize) is outside 1...4096")
        try check(learningRate.isFinite && learningRate > 0 && learningRate <= 1, "learningRate",
            "\(learningRate) must be a number in (0, 1]; 0.001 is a good start")
        try check(weightDecay.isFinite && (0...1).contains(weightDecay), "weightDecay", "\(weightDecay) is outside 0...1")
        try check((0...steps).contains(warmupSteps), "warmupSteps", "\(warmupSteps) must be within 0...steps (\(steps))")
        try check(checkpointEvery >= 1, "checkpointEvery", "\(checkpointEvery) must be at least 1")
        try check(heldOutCount >= 0, "heldOutCount", "\(heldOutCount) must be 0 or more")
        try check(contrastiveWeight.isFinite && contrastiveWeight >= 0, "contrastiveWeight",
            "\(contrastiveWeight) must be a number ≥ 0 (0 turns the contrastive head off)")
        try check((1...64).contains(threads), "threads", "\(threads) is outside 1...64")
    }
}

/// Finds the line a JSON field path points at, for error messages.
enum SourceLines {
    /// The 1-based line of the last named key of `field` (`plants[1].rate` → the second
    /// `"rate"` after `"plants"`), or nil when it cannot be found.
    static func line(of field: String, in text: String) -> Int? {
        var searchStart = text.startIndex
        // Walk the path: each key is searched after the previous one; list indices skip
        // that many earlier occurrences of the next key, which is right for lists of objects
        // that all name it.
        var pendingIndex = 0
        var found: String.Index?
        for part in field.split(separator: ".") {
            var name = Substring(part)
            var index: Int?
            if let open = name.firstIndex(of: "["), let close = name.firstIndex(of: "]") {
                index = Int(name[name.index(after: open)..<close])
                name = name[..<open]
            }
            guard !name.isEmpty, !name.hasPrefix("(") else { continue }
            var range = text.range(of: "\"\(name)\"", range: searchStart..<text.endIndex)
            var skips = pendingIndex
            while skips > 0, let current = range {
                range = text.range(of: "\"\(name)\"", range: current.upperBound..<text.endIndex)
                skips -= 1
            }
            guard let match = range else { break }
            found = match.lowerBound
            searchStart = match.upperBound
            pendingIndex = index ?? 0
        }
        guard let position = found else { return nil }
        return text[..<position].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }
}
