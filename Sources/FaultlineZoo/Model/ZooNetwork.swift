import FaultlineTensor

/// The zoo's vision-language network: a strided CNN whose last feature map becomes image
/// tokens; a question encoder (a transformer block over the question's tokens, pooled into one
/// vector); fusion — the question vector scales and shifts every image token's features
/// (FiLM), optionally of a wider hidden layer computed from them, a per-token layer mixes
/// them back, then pre-norm transformer blocks relate the tokens — and two heads: an answer
/// classifier over the answer vocabulary (from the tokens' mean and max, the question vector,
/// with readout hops what question-led attention read from the tokens, with match heads
/// how well the best image tokens match the question, and with the attribute summary the
/// cell heads' tables of what the image holds, read through the shape and colour the
/// question names, and with object pairs the two objects it names, located and compared)
/// and a
/// CLIP-style contrastive head (pooled image tokens against captions encoded by their own
/// transformer block).
///
/// Why this fusion: conditioning each location on the question lets every location decide at
/// once whether it holds what is asked about (a product of features, so conjunctions such as
/// "red and a star" are easy), and the max over locations picks it out. A plain
/// transformer over image and question tokens has to discover that routing through
/// attention, which on two CPU cores it did not within the steps we can afford (it stayed at
/// the answer priors).
///
/// The layers hold only parameter handles; the weights live in a `ParameterSet` and are read
/// through a `ForwardPass`, so one network value serves training, PGD and any number of
/// concurrent inference calls. `Benchmarks/peers/zoo_torch_peer.py` is the same network in
/// PyTorch.
public struct ZooNetwork: Sendable {
    public let architecture: ZooArchitectureSettings
    public let imageSize: Int
    public let questionLength: Int
    public let answerCount: Int
    public let vocabularySize: Int
    /// The answer indices of the written words, which the word heads score.
    public let wordAnswers: Range<Int>

    let convolutions: [Conv2d]
    let project: Linear
    let imagePosition: ParameterID
    let cellShape: Linear
    let cellColour: Linear
    let tokens: Embedding
    let tokenPosition: ParameterID
    let questionBlock: TransformerBlock
    let questionNorm: LayerNorm
    let imageNorm: LayerNorm
    let expand: Linear?
    let scale: Linear
    let shift: Linear
    let mix: Linear
    let blocks: [TransformerBlock]
    let norm: LayerNorm
    let readoutNorms: [LayerNorm]
    let readouts: [MultiHeadAttention]
    let hidden: Linear
    let answerHead: Linear
    let imageEmbedding: Linear
    let captionPosition: ParameterID
    let captionBlock: TransformerBlock
    let captionNorm: LayerNorm
    let captionEmbedding: Linear
    /// Registered last, so that networks without them initialise every other weight as before.
    let cellSize: Linear?
    let cellTexture: Linear?
    let matchHeads: MatchHeads?
    let summaryHeads: SummaryHeads?
    let pairHeads: PairHeads?
    let wordHeads: WordHeads?
    let textStack: TextStack?

    /// The weights of `matchHeads`: the question's and the tokens' projections, and the
    /// projection of the scores into the answer layer.
    struct MatchHeads: Sendable {
        let query: Linear
        let key: Linear
        let project: Linear
    }

    /// The weights of `attributeSummary`: the objectness cell head, the gate and projection
    /// of the tables, the question heads naming the subject's shape and colour, and the
    /// projection of what the question asks of the tables.
    struct SummaryHeads: Sendable {
        let cellObject: Linear
        let gate: Linear
        let project: Linear
        let questionShape: Linear
        let questionColour: Linear
        let askedProject: Linear
    }

    /// The question heads and answer-layer weights of `objectPairs`: the size of the
    /// last-named object, the shape, colour and size of the one named before it, and the gate
    /// and projection of the pair's features.
    struct PairHeads: Sendable {
        let subjectSize: Linear
        let otherShape: Linear
        let otherColour: Linear
        let otherSize: Linear
        let gate: Linear
        let project: Linear
    }

    /// The weights of `cellWords`: per cell the word written at its centre (one class per
    /// word, or with `spelledWords` its letters) and whether a sign is centred there, and the
    /// question's gate of the named object's word and the sign's word.
    struct WordHeads: Sendable {
        let cellWord: Linear
        let cellSign: Linear
        let gate: Linear
        /// With `spelledWords`: per word its letter classes, and the [positions × letters, words]
        /// matrix that sums a word's letters' log-probabilities.
        let spellings: [[Int32]]?
        let spellingMatrix: Tensor?
    }

    /// The weights of `textChannels`: the convolutions and the projection of their last
    /// feature map into the image tokens.
    struct TextStack: Sendable {
        let convolutions: [Conv2d]
        let project: Linear
    }

    /// The text stack's stride-2 convolutions, its last ones.
    static let textHalvings = 4

    /// The side of the text stack's last feature map.
    static func textGridSide(imageSize: Int) -> Int {
        (0..<textHalvings).reduce(imageSize) { side, _ in (side + 1) / 2 }
    }

    /// The width of each match head's question and token projections.
    static let matchHeadWidth = 16

    /// The contrastive logits' temperature (CLIP's initial 0.07, fixed).
    public static let temperature: Float = 0.07

    /// Builds the network and registers its freshly initialised parameters in `parameters`.
    /// `wordAnswers`, the written words' answer indices, must end at `answerCount` when the
    /// architecture has `cellWords` (the standard vocabulary orders words last).
    public init(
        architecture: ZooArchitectureSettings, imageSize: Int, questionLength: Int, answerCount: Int,
        vocabularySize: Int, wordAnswers: Range<Int> = 0..<0, wordSpellings: [[Int32]?] = [], parameters: inout ParameterSet
    ) {
        precondition(
            !architecture.cellWords || (!wordAnswers.isEmpty && wordAnswers.upperBound == answerCount),
            "cellWords needs the word answers, ending at the last answer")
        self.architecture = architecture
        self.wordAnswers = wordAnswers
        self.imageSize = imageSize
        self.questionLength = questionLength
        self.answerCount = answerCount
        self.vocabularySize = vocabularySize
        let width = architecture.width
        var convolutions: [Conv2d] = []
        var channels = 3
        let layers = architecture.imageChannels.count
        for (index, out) in architecture.imageChannels.enumerated() {
            let stride = Self.stride(ofLayer: index, layers: layers, downsampleFirst: architecture.downsampleFirst)
            convolutions.append(Conv2d(
                "image.conv\(index + 1)", inChannels: channels, outChannels: out, kernel: 3, stride: stride, padding: 1,
                parameters: &parameters))
            channels = out
        }
        self.convolutions = convolutions
        project = Linear("image.project", inputs: channels, outputs: width, parameters: &parameters)
        imagePosition = parameters.add(
            "image.position", shape: [Self.gridSide(imageSize: imageSize, architecture: architecture).squared, width],
            initializer: .normal(standardDeviation: 0.02))
        cellShape = Linear("image.cell.shape", inputs: width, outputs: SceneCells.shapeClasses, parameters: &parameters)
        cellColour = Linear("image.cell.colour", inputs: width, outputs: SceneCells.colourClasses, parameters: &parameters)
        tokens = Embedding("text.token", vocabulary: vocabularySize, width: width, parameters: &parameters)
        tokenPosition = parameters.add(
            "text.position", shape: [questionLength, width], initializer: .normal(standardDeviation: 0.02))
        questionBlock = TransformerBlock("text.block", width: width, heads: architecture.heads, parameters: &parameters)
        questionNorm = LayerNorm("text.norm", width: width, parameters: &parameters)
        imageNorm = LayerNorm("fusion.image_norm", width: width, parameters: &parameters)
        let modulated = architecture.fusionHidden > 0 ? architecture.fusionHidden : width
        expand = architecture.fusionHidden > 0
            ? Linear("fusion.expand", inputs: width, outputs: modulated, parameters: &parameters) : nil
        scale = Linear("fusion.scale", inputs: width, outputs: modulated, parameters: &parameters)
        shift = Linear("fusion.shift", inputs: width, outputs: modulated, parameters: &parameters)
        mix = Linear("fusion.mix", inputs: modulated, outputs: width, parameters: &parameters)
        blocks = (0..<architecture.fusionLayers).map { index in
            TransformerBlock("fusion.block\(index + 1)", width: width, heads: architecture.heads, parameters: &parameters)
        }
        norm = LayerNorm("fusion.norm", width: width, parameters: &parameters)
        readoutNorms = (0..<architecture.readoutHops).map { index in
            LayerNorm("answer.readout\(index + 1).norm", width: width, parameters: &parameters)
        }
        readouts = (0..<architecture.readoutHops).map { index in
            MultiHeadAttention("answer.readout\(index + 1)", width: width, heads: architecture.heads, parameters: &parameters)
        }
        let joinedWidth = (architecture.readoutHops > 0 ? 4 : 3) * width
        hidden = Linear("answer.hidden", inputs: joinedWidth, outputs: width, parameters: &parameters)
        answerHead = Linear("answer.head", inputs: width, outputs: answerCount, parameters: &parameters)
        imageEmbedding = Linear(
            "contrastive.image", inputs: width, outputs: architecture.embeddingDimension, parameters: &parameters)
        captionPosition = parameters.add(
            "contrastive.caption.position", shape: [questionLength, width], initializer: .normal(standardDeviation: 0.02))
        captionBlock = TransformerBlock(
            "contrastive.caption.block", width: width, heads: architecture.heads, parameters: &parameters)
        captionNorm = LayerNorm("contrastive.caption.norm", width: width, parameters: &parameters)
        captionEmbedding = Linear(
            "contrastive.caption", inputs: width, outputs: architecture.embeddingDimension, parameters: &parameters)
        cellSize = architecture.cellSizeAndTexture
            ? Linear("image.cell.size", inputs: width, outputs: SceneCells.sizeClasses, parameters: &parameters) : nil
        cellTexture = architecture.cellSizeAndTexture
            ? Linear("image.cell.texture", inputs: width, outputs: SceneCells.textureClasses, parameters: &parameters) : nil
        // The heads of each option are registered in the order they are listed (arguments are
        // evaluated left to right), which fixes their initial values.
        let matchWidth = architecture.matchHeads * Self.matchHeadWidth
        matchHeads = architecture.matchHeads > 0
            ? MatchHeads(
                query: Linear("answer.match.query", inputs: width, outputs: matchWidth, parameters: &parameters),
                key: Linear("answer.match.key", inputs: width, outputs: matchWidth, parameters: &parameters),
                project: Linear("answer.match.project", inputs: 2 * architecture.matchHeads, outputs: width, parameters: &parameters))
            : nil
        summaryHeads = architecture.attributeSummary
            ? SummaryHeads(
                cellObject: Linear("image.cell.object", inputs: width, outputs: 2, parameters: &parameters),
                gate: Linear("answer.attributes.gate", inputs: width, outputs: AttributeTables.summaryWidth, parameters: &parameters),
                project: Linear(
                    "answer.attributes.project", inputs: AttributeTables.summaryWidth, outputs: width, parameters: &parameters),
                questionShape: Linear("text.subject.shape", inputs: width, outputs: SceneCells.shapeClasses + 1, parameters: &parameters),
                questionColour: Linear(
                    "text.subject.colour", inputs: width, outputs: SceneCells.colourClasses + 1, parameters: &parameters),
                askedProject: Linear("answer.asked.project", inputs: Self.askedWidth, outputs: width, parameters: &parameters))
            : nil
        pairHeads = architecture.objectPairs
            ? PairHeads(
                subjectSize: Linear("text.subject.size", inputs: width, outputs: SceneCells.sizeClasses + 1, parameters: &parameters),
                otherShape: Linear("text.other.shape", inputs: width, outputs: SceneCells.shapeClasses + 1, parameters: &parameters),
                otherColour: Linear("text.other.colour", inputs: width, outputs: SceneCells.colourClasses + 1, parameters: &parameters),
                otherSize: Linear("text.other.size", inputs: width, outputs: SceneCells.sizeClasses + 1, parameters: &parameters),
                gate: Linear("answer.pair.gate", inputs: width, outputs: Self.pairWidth, parameters: &parameters),
                project: Linear("answer.pair.project", inputs: Self.pairWidth, outputs: width, parameters: &parameters))
            : nil
        if architecture.cellWords {
            let spellings = architecture.spelledWords ? wordSpellings.compactMap { $0 } : nil
            precondition(
                spellings.map { $0.count == wordAnswers.count && wordSpellings.count == wordAnswers.count } ?? true,
                "spelledWords needs every word answer spelled")
            let letters = SceneCells.spellingLength * SceneCells.letterClasses
            wordHeads = WordHeads(
                cellWord: spellings == nil
                    ? Linear("image.cell.word", inputs: width, outputs: wordAnswers.count, parameters: &parameters)
                    : Linear("image.cell.letters", inputs: width, outputs: letters, parameters: &parameters),
                cellSign: Linear("image.cell.sign", inputs: width, outputs: 2, parameters: &parameters),
                gate: Linear("answer.words.gate", inputs: width, outputs: 2, parameters: &parameters),
                spellings: spellings,
                spellingMatrix: spellings.map(SceneCells.spellingMatrix))
        } else {
            wordHeads = nil
        }
        if architecture.textChannels.isEmpty {
            textStack = nil
        } else {
            var textConvolutions: [Conv2d] = []
            var textInput = 3
            let fullResolution = architecture.textChannels.count - Self.textHalvings
            for (index, out) in architecture.textChannels.enumerated() {
                textConvolutions.append(Conv2d(
                    "text.image.conv\(index + 1)", inChannels: textInput, outChannels: out, kernel: 3,
                    stride: index < fullResolution ? 1 : 2, padding: 1, parameters: &parameters))
                textInput = out
            }
            textStack = TextStack(
                convolutions: textConvolutions,
                project: Linear("text.image.project", inputs: textInput, outputs: width, parameters: &parameters))
        }
    }

    /// The most convolutions that halve the image, not counting a `downsampleFirst` first
    /// one: 64 px images give an 8 × 8 grid (and 128 px ones with `downsampleFirst`).
    static let stridedLayers = 3

    /// The stride of convolution `index` of `layers`. With three layers all halve the image.
    /// With more, the first keeps the full resolution (small shapes are 8 px across at
    /// 64 px) unless `downsampleFirst`, the next three halve it, and any after them keep the
    /// grid and widen what each image token sees: three stride-2 layers alone see 17 px
    /// around a cell's corner, less than a large shape, and the auxiliary cell loss showed
    /// they could not tell shapes apart.
    static func stride(ofLayer index: Int, layers: Int, downsampleFirst: Bool = false) -> Int {
        if layers <= stridedLayers { return 2 }
        if index == 0 { return downsampleFirst ? 2 : 1 }
        return index <= stridedLayers ? 2 : 1
    }

    /// The side of the last feature map: each stride-2 convolution halves it, rounding up.
    static func gridSide(imageSize: Int, architecture: ZooArchitectureSettings) -> Int {
        let layers = architecture.imageChannels.count
        var side = imageSize
        for index in 0..<layers where stride(ofLayer: index, layers: layers, downsampleFirst: architecture.downsampleFirst) == 2 {
            side = (side + 1) / 2
        }
        return side
    }

    /// The number of image tokens.
    public var imageTokenCount: Int { Self.gridSide(imageSize: imageSize, architecture: architecture).squared }

    // MARK: - Forward

    /// Image tokens [b, tokens, width] from images [b, 3, size, size]; with a text stack, its
    /// projected features are added to each token.
    ///
    /// Why a second stack: with `cellWords` alone, the word head on the image tokens named 0.6%
    /// of the held-out words after 3,000 steps (1 in 623 is chance): the shared encoder halves
    /// the image first and spends its channels on shapes and colours. (With the stack it still
    /// named none after 2,000 steps; see the README's architecture options for what was tried.)
    public func imageTokens(_ images: Variable, _ pass: ForwardPass) -> Variable {
        var x = images
        for convolution in convolutions { x = convolution(x, pass, rectified: true) }
        let batch = x.shape[0], channels = x.shape[1], cells = x.shape[2] * x.shape[3]
        let sequence = x.reshaped([batch, channels, cells]).transposed(1, 2)
        guard let textStack else { return project(sequence, pass) + pass[imagePosition] }
        var text = images
        for convolution in textStack.convolutions { text = convolution(text, pass, rectified: true) }
        let textSequence = text.reshaped([batch, text.shape[1], cells]).transposed(1, 2)
        return project(sequence, pass) + textStack.project(textSequence, pass) + pass[imagePosition]
    }

    /// The auxiliary loss that teaches the image encoder what is where: from each image token,
    /// the shape and the colour of the object centred in its cell, against the scene graph
    /// (cells without one are ignored). It gives the encoder a label per object rather than
    /// one per question.
    ///
    /// With `cellSizeAndTexture`, the size and texture of that object are taught the same way
    /// (`sizes` and `textures` are then required); each term keeps the weight ½. With the
    /// attribute summary, an objectness head also learns, on every cell, whether an object
    /// is centred there (the tables weight each cell by it). With `cellWords` and word
    /// targets (`SceneCells.wordTargets`), the word written at each cell's centre and, on every
    /// cell, whether a sign is centred there; without word targets (a repair's replay) those
    /// heads are left as they are.
    public func cellLoss(
        imageTokens: Variable, shapes: [Int32], colours: [Int32], sizes: [Int32] = [], textures: [Int32] = [],
        words: [Int32] = [], signs: [Int32] = [], _ pass: ForwardPass
    ) -> Variable {
        let batch = imageTokens.shape[0], cells = imageTokens.shape[1], width = architecture.width
        let flat = imageTokens.reshaped([batch * cells, width])
        let shapeLoss = crossEntropy(logits: cellShape(flat, pass), targets: shapes, ignoreIndex: SceneCells.empty)
        let colourLoss = crossEntropy(logits: cellColour(flat, pass), targets: colours, ignoreIndex: SceneCells.empty)
        guard let cellSize, let cellTexture else { return (shapeLoss + colourLoss).scaled(by: 0.5) }
        precondition(sizes.count == shapes.count && textures.count == shapes.count, "cellLoss: size and texture targets required")
        let sizeLoss = crossEntropy(logits: cellSize(flat, pass), targets: sizes, ignoreIndex: SceneCells.empty)
        let textureLoss = crossEntropy(logits: cellTexture(flat, pass), targets: textures, ignoreIndex: SceneCells.empty)
        var total = shapeLoss + colourLoss + sizeLoss + textureLoss
        if let cellObject = summaryHeads?.cellObject {
            let occupied = shapes.map { $0 == SceneCells.empty ? Int32(0) : 1 }
            total = total + crossEntropy(logits: cellObject(flat, pass), targets: occupied)
        }
        if let wordHeads, !words.isEmpty {
            precondition(words.count == shapes.count && signs.count == shapes.count, "cellLoss: word and sign targets differ in count")
            let wordLoss: Variable
            if let spellings = wordHeads.spellings {
                let letters = words.flatMap { word in
                    word == SceneCells.empty
                        ? [Int32](repeating: SceneCells.empty, count: SceneCells.spellingLength) : spellings[Int(word)]
                }
                let logits = wordHeads.cellWord(flat, pass).reshaped([flat.shape[0] * SceneCells.spellingLength, SceneCells.letterClasses])
                wordLoss = crossEntropy(logits: logits, targets: letters, ignoreIndex: SceneCells.empty)
            } else {
                wordLoss = crossEntropy(logits: wordHeads.cellWord(flat, pass), targets: words, ignoreIndex: SceneCells.empty)
            }
            total = total + wordLoss + crossEntropy(logits: wordHeads.cellSign(flat, pass), targets: signs)
        }
        return total.scaled(by: 0.5)
    }

    /// The attributes this network's cell heads predict.
    public var cellAttributes: [CellAttribute] {
        if cellSize == nil { return [.shape, .colour] }
        return wordHeads == nil ? [.shape, .colour, .size, .texture] : [.shape, .colour, .size, .texture, .word]
    }

    /// The cell heads' predictions for image tokens [b, n, width]: per attribute of
    /// `cellAttributes`, the most likely class of every cell, row-major b × n.
    public func cellPredictions(imageTokens: Variable, _ pass: ForwardPass) -> [CellAttribute: [Int32]] {
        let batch = imageTokens.shape[0], cells = imageTokens.shape[1]
        let flat = imageTokens.reshaped([batch * cells, architecture.width])
        var predictions: [CellAttribute: [Int32]] = [:]
        for attribute in cellAttributes {
            let logits: Tensor? = switch attribute {
            case .shape: cellShape(flat, pass).value
            case .colour: cellColour(flat, pass).value
            case .size: cellSize?(flat, pass).value
            case .texture: cellTexture?(flat, pass).value
            case .word: wordScores(flat, pass)?.value
            }
            guard let logits else { continue }
            predictions[attribute] = logits.argmaxRows().map(Int32.init)
        }
        return predictions
    }

    /// Question token embeddings [b, length, width] (positions included) from token ids.
    public func questionEmbeddings(_ ids: [Int32], batch: Int, _ pass: ForwardPass) -> Variable {
        tokens(ids, shape: [batch, questionLength], pass) + pass[tokenPosition]
    }

    /// Answer logits [b, answers] from image tokens and question embeddings; `questionMask`
    /// holds 1 for real tokens and 0 for padding, row-major b × length.
    ///
    /// The question embeddings are an input (not token ids) so that an attack can perturb
    /// them, as the modality-interference method does.
    public func answerLogits(imageTokens: Variable, questionEmbeddings: Variable, questionMask: [Float], _ pass: ForwardPass) -> Variable {
        let batch = imageTokens.shape[0], imageCount = imageTokens.shape[1], width = architecture.width
        let question = questionVector(questionEmbeddings, mask: questionMask, pass)
        // FiLM: the question scales and shifts every image token's features (ones [b, n, 1] ×
        // [b, 1, w] repeats its scale and shift over the tokens).
        // With a hidden layer, each hidden unit mixes several features before the question
        // gates it, so one unit can stand for a conjunction ("red" and "square").
        let ones = Variable(Tensor.filled([batch, imageCount, 1], with: 1))
        let normalised = imageNorm(imageTokens, pass)
        var features = normalised
        if let expand { features = expand(features, pass) }
        let modulated = features.shape[2]
        let gain = matmul(ones, scale(question, pass).shifted(by: 1).reshaped([batch, 1, modulated]))
        let bias = matmul(ones, shift(question, pass).reshaped([batch, 1, modulated]))
        var x = mix((features * gain + bias).relu(), pass)
        for block in blocks { x = block(x, pass) }
        x = norm(x, pass)
        let side = Self.gridSide(imageSize: imageSize, architecture: architecture)
        let grid = x.transposed(1, 2).reshaped([batch, width, side, side])
        let strongest = grid.maxPool2d(kernel: side).reshaped([batch, width])
        let average = x.mean(alongDimension: 1)
        var pooled = [average, strongest, question]
        if !readouts.isEmpty { pooled.append(readout(question: question, tokens: x, pass)) }
        let joined = concatenate(pooled, alongDimension: 1)
        var hiddenInput = hidden(joined, pass)
        if let matchHeads {
            hiddenInput = hiddenInput + matchHeads.project(matchScores(question: question, tokens: normalised, pass), pass)
        }
        var writtenWords: Variable?
        if let summaryHeads {
            let reading = cellReading(imageTokens: imageTokens, pass)
            let tables = attributeTables(reading)
            hiddenInput = hiddenInput
                + summaryHeads.project(tables.flattened * summaryHeads.gate(question, pass).shifted(by: 1), pass)
                + summaryHeads.askedProject(askedAttributes(tables: tables, question: question, pass), pass)
            if let pairHeads {
                let named = namedObjects(question: question, pass)
                let subjectFit = fit(reading, named.subject)
                let features = pairFeatures(reading: reading, tables: tables, named: named, subjectFit: subjectFit)
                hiddenInput = hiddenInput + pairHeads.project(features * pairHeads.gate(question, pass).shifted(by: 1), pass)
                if wordHeads != nil {
                    writtenWords = writtenWordScores(imageTokens: imageTokens, fit: subjectFit, question: question, pass)
                }
            }
        }
        let logits = answerHead(hiddenInput.relu(), pass)
        return writtenWords.map { logits + $0 } ?? logits
    }

    /// Per token of `flat` [n, width], a score per word [n, words] whose softmax is the word
    /// heads' distribution: the logits of one class per word, or with `spelledWords` the sum of
    /// the word's letters' log-probabilities; nil without word heads.
    func wordScores(_ flat: Variable, _ pass: ForwardPass) -> Variable? {
        guard let wordHeads else { return nil }
        guard let spellingMatrix = wordHeads.spellingMatrix else { return wordHeads.cellWord(flat, pass) }
        let rows = flat.shape[0], letters = SceneCells.spellingLength * SceneCells.letterClasses
        // A floor under the probabilities keeps the log finite where the softmax underflows.
        let logProbabilities = wordHeads.cellWord(flat, pass)
            .reshaped([rows, SceneCells.spellingLength, SceneCells.letterClasses]).softmax()
            .shifted(by: 1e-6).log().reshaped([rows, letters])
        return matmul(logProbabilities, Variable(spellingMatrix))
    }

    /// Scores [b, answers], zero but for the written words: the word the cells of the named
    /// object carry and the word on the sign, each weighted by the question's gate.
    ///
    /// Why added to the answer scores rather than projected into the answer layer: the
    /// answer layer's hidden width (128) cannot carry a choice among 600 words, and the cells
    /// already hold that choice as a distribution over exactly those answers. The factor 8
    /// lets a gate near 1 give a read word a margin of several logits.
    func writtenWordScores(imageTokens: Variable, fit: Variable, question: Variable, _ pass: ForwardPass) -> Variable {
        guard let wordHeads else { preconditionFailure("writtenWordScores needs the word heads") }
        let batch = imageTokens.shape[0], cells = imageTokens.shape[1], words = wordAnswers.count
        let flat = imageTokens.reshaped([batch * cells, architecture.width])
        let written = wordScores(flat, pass)!.softmax().reshaped([batch, cells, words])
        let sign = wordHeads.cellSign(flat, pass).softmax().reshaped([batch, cells, 2]).slice(1..<2, alongDimension: 2)
        // [b, 2, cells] × [b, cells, words]: the named object's words, the sign's words.
        let tables = matmul(concatenate([fit, sign], alongDimension: 2).transposed(1, 2), written)
        let gate = wordHeads.gate(question, pass).reshaped([batch, 1, 2])
        let scores = matmul(gate, tables).reshaped([batch, words]).scaled(by: 8)
        let others = Variable(Tensor.zeros([batch, wordAnswers.lowerBound]))
        return concatenate([others, scores], alongDimension: 1)
    }

    /// Per match head, the best score over the image tokens [b, n, width] and the sum of the
    /// positive scores: [b, 2 × heads]. A score is the scaled dot product of the head's
    /// projections of the question and of one token.
    ///
    /// Why: pooling the fused tokens mixes the objects' attributes, so a model that has seen a
    /// red square and a blue star answers "is there a red star?" with yes. A dot product adds
    /// the attributes one token shares with the question, so only a token holding both
    /// reaches the top score: binding becomes a threshold the answer layer learns at once.
    func matchScores(question: Variable, tokens: Variable, _ pass: ForwardPass) -> Variable {
        guard let matchHeads else { preconditionFailure("matchScores needs match heads") }
        let batch = tokens.shape[0], count = tokens.shape[1]
        let heads = architecture.matchHeads, headWidth = Self.matchHeadWidth
        let queries = matchHeads.query(question, pass).reshaped([batch * heads, 1, headWidth])
        let keys = matchHeads.key(tokens, pass).reshaped([batch, count, heads, headWidth])
            .permuted([0, 2, 3, 1]).reshaped([batch * heads, headWidth, count])
        let scores = matmul(queries, keys).scaled(by: 1 / Float(headWidth).squareRoot())
        let side = Self.gridSide(imageSize: imageSize, architecture: architecture)
        let best = scores.reshaped([batch, heads, side, side]).maxPool2d(kernel: side).reshaped([batch, heads])
        let total = scores.reshaped([batch, heads, count]).relu().sum(alongDimension: 2)
        return concatenate([best, total], alongDimension: 1)
    }

    /// The cell heads' reading of an image as tables of expected numbers of objects (each
    /// cell's class probabilities weighted by the probability that an object is centred in
    /// it): per class of shape, colour, size and texture the count and the sums of the
    /// objects' x and y (−1…1) — [b, classes, 3] — and per shape the counts of each colour,
    /// size and texture — [b, shapes, classes].
    struct AttributeTables {
        var shapes: Variable, colours: Variable, sizes: Variable, textures: Variable
        var shapeColours: Variable, shapeSizes: Variable, shapeTextures: Variable

        /// Every table flattened and scaled by ¼ (so the entries stay near 1): [b, summaryWidth].
        var flattened: Variable {
            let parts = [shapes, colours, sizes, textures, shapeColours, shapeSizes, shapeTextures]
            let batch = shapes.shape[0]
            return concatenate(parts.map { $0.reshaped([batch, $0.shape[1] * $0.shape[2]]) }, alongDimension: 1)
                .scaled(by: 0.25)
        }

        /// The number of entries of `flattened`.
        static let summaryWidth =
            3 * (SceneCells.shapeClasses + SceneCells.colourClasses + SceneCells.sizeClasses + SceneCells.textureClasses)
            + SceneCells.shapeClasses * (SceneCells.colourClasses + SceneCells.sizeClasses + SceneCells.textureClasses)
    }

    /// The number of entries of `askedAttributes`: the asked shape's count and position sums,
    /// colours, sizes and textures; the asked colour's count and position sums and shapes;
    /// the count of objects of both.
    static let askedWidth =
        3 + SceneCells.colourClasses + SceneCells.sizeClasses + SceneCells.textureClasses + 3 + SceneCells.shapeClasses + 1

    /// Why tables: "how many red stars?" and "what colour is the pentagon?" ask for one entry
    /// of a table the cell heads already fill at 99%. Pooling the fused tokens blurs that
    /// table, and reading one entry through attention or a match head is a product of two
    /// learned projections: trained, the models stayed at each template's answer prior for
    /// these questions (the answer to "how many X?" did not change with X).
    func attributeTables(imageTokens: Variable, _ pass: ForwardPass) -> AttributeTables {
        attributeTables(cellReading(imageTokens: imageTokens, pass))
    }

    /// The cell heads' probabilities over image tokens [b, n, width]: [b, n, classes] per
    /// head, and [b, n, 1] the probability that an object is centred in the cell.
    struct CellReading {
        var occupied: Variable, shape: Variable, colour: Variable, size: Variable, texture: Variable
        /// Per cell its constant 1 and centre x and y (−1…1): [n, 3].
        var place: Variable
    }

    func cellReading(imageTokens: Variable, _ pass: ForwardPass) -> CellReading {
        guard let cellObject = summaryHeads?.cellObject, let cellSize, let cellTexture else {
            preconditionFailure("cellReading needs its cell heads")
        }
        let batch = imageTokens.shape[0], cells = imageTokens.shape[1]
        let side = Self.gridSide(imageSize: imageSize, architecture: architecture)
        let flat = imageTokens.reshaped([batch * cells, architecture.width])
        func probabilities(_ head: Linear) -> Variable {
            let p = head(flat, pass).softmax()
            return p.reshaped([batch, cells, p.shape[1]])
        }
        var place: [Float] = []
        place.reserveCapacity(cells * 3)
        for cell in 0..<cells {
            place += [1, (Float(cell % side) + 0.5) / Float(side) * 2 - 1, (Float(cell / side) + 0.5) / Float(side) * 2 - 1]
        }
        return CellReading(
            // The object probability of each cell: the softmax's second column.
            occupied: probabilities(cellObject).slice(1..<2, alongDimension: 2),
            shape: probabilities(cellShape), colour: probabilities(cellColour), size: probabilities(cellSize),
            texture: probabilities(cellTexture), place: Variable(Tensor(shape: [cells, 3], scalars: place)))
    }

    func attributeTables(_ reading: CellReading) -> AttributeTables {
        let batch = reading.shape.shape[0], cells = reading.shape.shape[1]
        let occupied = reading.occupied.reshaped([batch * cells, 1])
        /// [b, classes, cells]: each cell's class probabilities times its object probability.
        func weighted(_ p: Variable) -> Variable {
            let classes = p.shape[2]
            let spread = matmul(occupied, Variable(Tensor.filled([1, classes], with: 1))).reshaped([batch, cells, classes])
            return (p * spread).transposed(1, 2)
        }
        let shapeWeights = weighted(reading.shape)
        return AttributeTables(
            shapes: matmul(shapeWeights, reading.place), colours: matmul(weighted(reading.colour), reading.place),
            sizes: matmul(weighted(reading.size), reading.place), textures: matmul(weighted(reading.texture), reading.place),
            shapeColours: matmul(shapeWeights, reading.colour), shapeSizes: matmul(shapeWeights, reading.size),
            shapeTextures: matmul(shapeWeights, reading.texture))
    }

    /// The number of entries of `pairFeatures`: per named object its count and position sums,
    /// colours and sizes; their position difference and its square; the chance they share a
    /// colour; their sizes against each other; per shape its position relative to the subject.
    static let pairWidth =
        2 * (3 + SceneCells.colourClasses + SceneCells.sizeClasses) + 2 + 2 + 1
        + SceneCells.sizeClasses * SceneCells.sizeClasses + 2 * SceneCells.shapeClasses

    /// The two objects the question names ([b, pairWidth]), read from the cells that fit
    /// their words. A cell fits an object to the degree that it holds an object whose shape,
    /// colour and size the question heads name — or that the heads name none of that
    /// attribute ("the red object").
    ///
    /// Why cells rather than the tables: "the red star" is a conjunction the tables hold only
    /// as counts, not as where the red star is or what size it has; and a relation compares
    /// two such objects, which one table row cannot.
    ///
    /// `subjectFit`, when given, is `fit(reading, named.subject)` computed by the caller, which
    /// reads it again (the written words).
    func pairFeatures(
        reading: CellReading, tables: AttributeTables, named: (subject: NamedObjectHeads, other: NamedObjectHeads),
        subjectFit: Variable? = nil
    ) -> Variable {
        let batch = reading.shape.shape[0]
        /// The object's count and position sums [b, 1, 3], colours [b, 1, colours], sizes [b, 1, sizes].
        func summary(_ fit: Variable) -> (place: Variable, colours: Variable, sizes: Variable) {
            let fit = fit.transposed(1, 2)
            return (matmul(fit, reading.place), matmul(fit, reading.colour), matmul(fit, reading.size))
        }
        let subject = summary(subjectFit ?? fit(reading, named.subject)), other = summary(fit(reading, named.other))
        let difference = subject.place.slice(1..<3, alongDimension: 2) - other.place.slice(1..<3, alongDimension: 2)
        let sameColour = matmul(subject.colours, other.colours.transposed(1, 2))
        let sizes = matmul(subject.sizes.transposed(1, 2), other.sizes)
        let shapeCounts = tables.shapes.slice(0..<1, alongDimension: 2)
        let relative = tables.shapes.slice(1..<3, alongDimension: 2)
            - matmul(shapeCounts, subject.place.slice(1..<3, alongDimension: 2))
        let parts = [
            subject.place, subject.colours, subject.sizes, other.place, other.colours, other.sizes, difference,
            difference * difference, sameColour, sizes, relative,
        ]
        return concatenate(parts.map { $0.reshaped([batch, $0.shape[1] * $0.shape[2]]) }, alongDimension: 1)
    }

    /// How well each cell fits a named object, [b, cells, 1]: the chance an object is centred
    /// there times how well its shape, colour and size match the heads' (1 for an attribute
    /// the heads name none of).
    func fit(_ reading: CellReading, _ object: NamedObjectHeads) -> Variable {
        let batch = reading.shape.shape[0], cells = reading.shape.shape[1]
        let ones = Variable(Tensor.filled([batch, cells, 1], with: 1))
        /// [b, cells, 1]: how well each cell matches a head's distribution (its last class: any).
        func match(_ probabilities: Variable, _ head: Variable) -> Variable {
            let classes = head.shape[1]
            return matmul(concatenate([probabilities, ones], alongDimension: 2), head.reshaped([batch, classes, 1]))
        }
        return reading.occupied * match(reading.shape, object.shape) * match(reading.colour, object.colour)
            * match(reading.size, object.size)
    }

    /// Where a question points, for the text reader: per cell how well it fits the object the
    /// question names ([b, cells], the same fit the answer layer compares objects by), the
    /// chance that the question names an object at all ([b]: one minus the chance that the
    /// shape, colour and size heads all read "none", as for "What does the sign say?").
    /// Nil for a network without the object-pair heads.
    public func subjectLocation(
        imageTokens: Variable, questionEmbeddings: Variable, questionMask: [Float], _ pass: ForwardPass
    ) -> (fit: Tensor, namesObject: [Float])? {
        guard summaryHeads != nil, pairHeads != nil else { return nil }
        let batch = imageTokens.shape[0], cells = imageTokens.shape[1]
        let question = questionVector(questionEmbeddings, mask: questionMask, pass)
        let subject = namedObjects(question: question, pass).subject
        let reading = cellReading(imageTokens: imageTokens, pass)
        let fit = fit(reading, subject).value.reshaped([batch, cells])
        func none(_ head: Variable) -> [Float] {
            let classes = head.shape[1]
            return (0..<batch).map { head.value.scalars[$0 * classes + classes - 1] }
        }
        let shape = none(subject.shape), colour = none(subject.colour), size = none(subject.size)
        return (fit, (0..<batch).map { 1 - shape[$0] * colour[$0] * size[$0] })
    }

    /// A named object's shape, colour and size as the question heads read them: each head's
    /// probabilities, the last class "none" ([b, classes + 1] each).
    struct NamedObjectHeads {
        var shape: Variable, colour: Variable, size: Variable
    }

    /// The subject (the last-named object) and the other object a question names.
    func namedObjects(question: Variable, _ pass: ForwardPass) -> (subject: NamedObjectHeads, other: NamedObjectHeads) {
        guard let summaryHeads, let pairHeads else { preconditionFailure("namedObjects needs the pair heads") }
        func read(_ head: Linear) -> Variable { head(question, pass).softmax() }
        return (
            NamedObjectHeads(
                shape: read(summaryHeads.questionShape), colour: read(summaryHeads.questionColour),
                size: read(pairHeads.subjectSize)),
            NamedObjectHeads(shape: read(pairHeads.otherShape), colour: read(pairHeads.otherColour), size: read(pairHeads.otherSize)))
    }

    /// The shape and the colour the question mentions, as the question heads read them: per
    /// head the probabilities of its classes without the last, "none" ([b, classes] each).
    func questionSubjects(question: Variable, _ pass: ForwardPass) -> (shape: Variable, colour: Variable) {
        guard let summaryHeads else { preconditionFailure("questionSubjects needs its heads") }
        func named(_ head: Linear) -> Variable {
            let classes = head(question, pass).softmax()
            return classes.slice(0..<(classes.shape[1] - 1), alongDimension: 1)
        }
        return (named(summaryHeads.questionShape), named(summaryHeads.questionColour))
    }

    /// What the question asks of the tables, [b, askedWidth]: the tables read through the
    /// question heads' probabilities (near zero where the question names no shape or colour).
    func askedAttributes(tables: AttributeTables, question: Variable, _ pass: ForwardPass) -> Variable {
        let batch = question.shape[0]
        let subjects = questionSubjects(question: question, pass)
        let shapeRow = subjects.shape.reshaped([batch, 1, SceneCells.shapeClasses])
        let colourRow = subjects.colour.reshaped([batch, 1, SceneCells.colourClasses])
        let shapeColours = matmul(shapeRow, tables.shapeColours)
        let parts = [
            matmul(shapeRow, tables.shapes), shapeColours, matmul(shapeRow, tables.shapeSizes),
            matmul(shapeRow, tables.shapeTextures), matmul(colourRow, tables.colours),
            matmul(colourRow, tables.shapeColours.transposed(1, 2)),
            matmul(shapeColours, colourRow.transposed(1, 2)),
        ]
        return concatenate(parts.map { $0.reshaped([batch, $0.shape[2]]) }, alongDimension: 1)
    }

    /// The auxiliary loss that teaches the question heads which objects a question names
    /// (`SceneCells.questionObjects`): the subject's shape and colour, and with `objectPairs`
    /// its size and the other object's shape, colour and size; the last class of each means
    /// none. The mean of the heads' cross-entropies.
    public func subjectLoss(
        questionEmbeddings: Variable, questionMask: [Float], targets: [SceneCells.QuestionObjects], _ pass: ForwardPass
    ) -> Variable {
        guard let summaryHeads else { preconditionFailure("subjectLoss needs the question heads") }
        let question = questionVector(questionEmbeddings, mask: questionMask, pass)
        var terms = [
            crossEntropy(logits: summaryHeads.questionShape(question, pass), targets: targets.map(\.subject.shape)),
            crossEntropy(logits: summaryHeads.questionColour(question, pass), targets: targets.map(\.subject.colour)),
        ]
        if let pairHeads {
            terms += [
                crossEntropy(logits: pairHeads.subjectSize(question, pass), targets: targets.map(\.subject.size)),
                crossEntropy(logits: pairHeads.otherShape(question, pass), targets: targets.map(\.other.shape)),
                crossEntropy(logits: pairHeads.otherColour(question, pass), targets: targets.map(\.other.colour)),
                crossEntropy(logits: pairHeads.otherSize(question, pass), targets: targets.map(\.other.size)),
            ]
        }
        return terms.dropFirst().reduce(terms[0], +).scaled(by: 1 / Float(terms.count))
    }

    /// Whether the network has the attribute tables, their question heads and their loss.
    public var readsAttributes: Bool { summaryHeads != nil }

    /// Question-led attention over the fused tokens [b, n, width]: the question vector
    /// queries the tokens, and each hop adds what it read to the query of the next. Returns
    /// the final query [b, width].
    ///
    /// Why: "what colour is the pentagon?" asks for one location's features selected by
    /// another feature of the same location. Pooling (mean, max) mixes every object's
    /// colour; attention keyed on the tokens' shape picks the pentagon's cell and returns its
    /// colour, and a second hop can read a second object for relations.
    func readout(question: Variable, tokens x: Variable, _ pass: ForwardPass) -> Variable {
        let batch = x.shape[0], width = architecture.width
        var query = question.reshaped([batch, 1, width])
        for (norm, attention) in zip(readoutNorms, readouts) {
            query = query + attention(norm(query, pass), context: x, pass)
        }
        return query.reshaped([batch, width])
    }

    /// The question as one vector [b, width]: its tokens through a transformer block, then the
    /// mean over the real (unpadded) tokens.
    func questionVector(_ embeddings: Variable, mask: [Float], _ pass: ForwardPass) -> Variable {
        pooledEncoding(embeddings, mask: mask, block: questionBlock, norm: questionNorm, pass)
    }

    /// A token sequence [b, length, width] through `block` and `norm` with its padding
    /// masked out of attention, then averaged over its real tokens: [b, width]. Questions and
    /// captions are both encoded this way.
    private func pooledEncoding(
        _ sequence: Variable, mask: [Float], block: TransformerBlock, norm: LayerNorm, _ pass: ForwardPass
    ) -> Variable {
        let batch = sequence.shape[0]
        var ignore = [Bool](repeating: false, count: batch * questionLength)
        var weights = [Float](repeating: 0, count: batch * questionLength)
        for b in 0..<batch {
            let valid = max(1, (0..<questionLength).filter { mask[b * questionLength + $0] > 0 }.count)
            for t in 0..<questionLength {
                let real = mask[b * questionLength + t] > 0
                ignore[b * questionLength + t] = !real
                weights[b * questionLength + t] = real ? 1 / Float(valid) : 0
            }
        }
        let encoded = norm(block(sequence, keyPaddingMask: ignore, pass), pass)
        return matmul(Variable(Tensor(shape: [batch, 1, questionLength], scalars: weights)), encoded)
            .reshaped([batch, architecture.width])
    }

    /// Answer logits for images and token ids.
    public func answerLogits(images: Variable, questionIDs: [Int32], questionMask: [Float], _ pass: ForwardPass) -> Variable {
        let batch = images.shape[0]
        return answerLogits(
            imageTokens: imageTokens(images, pass), questionEmbeddings: questionEmbeddings(questionIDs, batch: batch, pass),
            questionMask: questionMask, pass)
    }

    /// Unit image embeddings [b, embedding] from image tokens (before fusion, so they do not
    /// depend on any text).
    public func imageEmbeddings(imageTokens: Variable, _ pass: ForwardPass) -> Variable {
        imageEmbedding(imageTokens.mean(alongDimension: 1), pass).l2Normalized()
    }

    /// Unit caption embeddings [b, embedding] from caption token ids and their mask.
    public func captionEmbeddings(_ ids: [Int32], mask: [Float], _ pass: ForwardPass) -> Variable {
        let batch = ids.count / questionLength
        let sequence = tokens(ids, shape: [batch, questionLength], pass) + pass[captionPosition]
        let pooled = pooledEncoding(sequence, mask: mask, block: captionBlock, norm: captionNorm, pass)
        return captionEmbedding(pooled, pass).l2Normalized()
    }

    /// The symmetric InfoNCE loss between matching image and caption embeddings ([b, e] each).
    public func contrastiveLoss(imageEmbeddings: Variable, captionEmbeddings: Variable) -> Variable {
        let batch = imageEmbeddings.shape[0]
        let logits = matmul(imageEmbeddings, captionEmbeddings.transposed(0, 1)).scaled(by: 1 / Self.temperature)
        let targets = (0..<batch).map { Int32($0) }
        let imageToText = crossEntropy(logits: logits, targets: targets)
        let textToImage = crossEntropy(logits: logits.transposed(0, 1), targets: targets)
        return (imageToText + textToImage).scaled(by: 0.5)
    }
}

extension Int {
    fileprivate var squared: Int { self * self }
}
