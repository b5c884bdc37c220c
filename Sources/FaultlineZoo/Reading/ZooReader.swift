import FaultlineTensor

/// A zoo model's text reader: from an image at `readSize`, where words are centred (per
/// feature pixel: nothing, an object's label or a sign) and, in a window of features around
/// each such centre, which word it is (a distribution over the word answers).
///
/// A small CNN keeps the full resolution in its first layer (letters are 1 to 3 px strokes)
/// and pools after every layer but the last. A 1 × 1 convolution scores every feature pixel
/// as a word's centre. The word head reads the features of a window centred on a centre,
/// so the word sits in the same place in every window it learns from: a window per grid
/// cell, with the word anywhere in it, stayed at 2% of held-out words after 1,500 steps.
/// With `letters` the head names the letter at each of six positions and a word's score is
/// the sum of its letters' log-probabilities: one class per word read 0.7% after 2,000
/// steps, letters 13%, since every word teaches the letters it shares with others.
///
/// Why a second network: the answer network's image tokens learnt shapes and colours and
/// never words (every variant tried read under 1% of them). Reading is a separate skill at a
/// separate resolution, as in detector-plus-recogniser OCR systems; the answer network says
/// where to read (the cell of the object a question names) and the reader what is written
/// there (see `ZooWrittenWords`).
public struct ZooReader: Sendable {
    public let settings: ZooReaderSettings
    /// How many words the word head tells apart: the answer vocabulary's word answers, in order.
    public let wordCount: Int
    let convolutions: [Conv2d]
    let centre: Conv2d
    let window: Linear
    let word: Linear
    /// With `settings.letters`, every word's letter classes, and [letter slots, words]: 1
    /// where a word has that letter there.
    let spellings: [[Int32]]?
    let spelling: Tensor?

    /// What the centre head tells apart at each feature pixel.
    public enum TextClass: Int32, Sendable, CaseIterable {
        case nothing = 0, objectLabel = 1, sign = 2
    }

    /// A place to read: an image of the batch and a feature pixel.
    public struct Location: Sendable, Hashable {
        public var image: Int, row: Int, column: Int
        public init(image: Int, row: Int, column: Int) {
            self.image = image
            self.row = row
            self.column = column
        }
    }

    /// Builds the reader for `words` (every one spelled by `SceneCells.spelling(of:)` when the
    /// settings name letters) and registers its freshly initialised parameters in `parameters`.
    public init(settings: ZooReaderSettings, words: [String], parameters: inout ParameterSet) {
        self.settings = settings
        wordCount = words.count
        var convolutions: [Conv2d] = []
        var channels = 3
        for (index, out) in settings.channels.enumerated() {
            convolutions.append(Conv2d(
                "reader.conv\(index + 1)", inChannels: channels, outChannels: out, kernel: 3, padding: 1,
                parameters: &parameters))
            channels = out
        }
        self.convolutions = convolutions
        centre = Conv2d("reader.centre", inChannels: channels, outChannels: TextClass.allCases.count, kernel: 1, parameters: &parameters)
        let window = settings.windowFeatures
        self.window = Linear(
            "reader.window", inputs: channels * window.rows * window.columns, outputs: settings.width, parameters: &parameters)
        if settings.letters {
            let spellings = words.compactMap(SceneCells.spelling(of:))
            precondition(spellings.count == words.count, "a reader naming letters needs every word spelled in a–z, at most \(SceneCells.spellingLength) letters")
            self.spellings = spellings
            spelling = SceneCells.spellingMatrix(spellings)
            word = Linear("reader.letters", inputs: settings.width, outputs: SceneCells.spellingLength * SceneCells.letterClasses, parameters: &parameters)
        } else {
            spellings = nil
            spelling = nil
            word = Linear("reader.word", inputs: settings.width, outputs: wordCount, parameters: &parameters)
        }
    }

    /// The feature map [b, channels, side, side] of images [b, 3, readSize, readSize].
    public func featureMap(_ images: Variable, _ pass: ForwardPass) -> Variable {
        var x = images
        for (index, convolution) in convolutions.enumerated() {
            x = convolution(x, pass, rectified: true)
            if index < convolutions.count - 1 { x = x.maxPool2d(kernel: 2) }
        }
        return x
    }

    /// Centre logits [b · side², 3], image-major, pixels row-major.
    public func centreLogits(_ features: Variable, _ pass: ForwardPass) -> Variable {
        let batch = features.shape[0], pixels = features.shape[2] * features.shape[3]
        return centre(features, pass).reshaped([batch, TextClass.allCases.count, pixels]).transposed(1, 2)
            .reshaped([batch * pixels, TextClass.allCases.count])
    }

    /// Word scores [locations, words] whose softmax is the reader's word distribution at each
    /// location: the word head's logits, or with letters each word's letters' log-probabilities summed.
    public func wordLogits(_ features: Variable, at locations: [Location], _ pass: ForwardPass) -> Variable {
        let head = headOutput(features, at: locations, pass)
        guard let spelling else { return head }
        let slots = SceneCells.spellingLength * SceneCells.letterClasses
        // A floor under the probabilities keeps the log finite where the softmax underflows.
        let logProbabilities = head.reshaped([locations.count, SceneCells.spellingLength, SceneCells.letterClasses]).softmax()
            .shifted(by: 1e-6).log().reshaped([locations.count, slots])
        return matmul(logProbabilities, Variable(spelling))
    }

    /// The word head's raw output [locations, words or letter slots] on the window around each
    /// location (zeros beyond the image's edge).
    func headOutput(_ features: Variable, at locations: [Location], _ pass: ForwardPass) -> Variable {
        let size = settings.windowFeatures
        let padded = Self.padded(features, rows: size.rows / 2, columns: size.columns / 2)
        let windows = locations.map { location in
            padded.slice(location.image..<(location.image + 1), alongDimension: 0)
                .slice(location.row..<(location.row + size.rows), alongDimension: 2)
                .slice(location.column..<(location.column + size.columns), alongDimension: 3)
        }
        let flat = concatenate(windows, alongDimension: 0)
            .reshaped([locations.count, features.shape[1] * size.rows * size.columns])
        return word(window(flat, pass).relu(), pass)
    }

    /// `x` [b, c, h, w] with `rows` zero rows above and below and `columns` zero columns either side.
    static func padded(_ x: Variable, rows: Int, columns: Int) -> Variable {
        let batch = x.shape[0], channels = x.shape[1], height = x.shape[2], width = x.shape[3]
        let side = Variable(Tensor.zeros([batch, channels, height, columns]))
        let wide = concatenate([side, x, side], alongDimension: 3)
        let band = Variable(Tensor.zeros([batch, channels, rows, width + 2 * columns]))
        return concatenate([band, wide, band], alongDimension: 2)
    }

    /// The training loss: cross-entropy of the centre head on every feature pixel (`centres`,
    /// a `TextClass` per pixel) plus that of the word head at each known word's centre.
    public func loss(
        images: Variable, centres: [Int32], words: [(location: Location, word: Int32)], _ pass: ForwardPass
    ) -> (word: Variable, centre: Variable) {
        let features = featureMap(images, pass)
        let centre = crossEntropy(logits: centreLogits(features, pass), targets: centres, ignoreIndex: nil)
        guard !words.isEmpty else { return (Variable(Tensor(scalar: 0)), centre) }
        let locations = words.map(\.location)
        guard let spellings else {
            return (crossEntropy(logits: headOutput(features, at: locations, pass), targets: words.map(\.word)), centre)
        }
        // Letters: a cross-entropy per position.
        let letters = words.flatMap { spellings[Int($0.word)] }
        let logits = headOutput(features, at: locations, pass)
            .reshaped([locations.count * SceneCells.spellingLength, SceneCells.letterClasses])
        return (crossEntropy(logits: logits, targets: letters), centre)
    }

    /// At most this many places are read per image.
    public static let maximumCandidates = 12
    /// A feature pixel (with its neighbours) must be at least this likely a word's centre to be read.
    public static let minimumCentreProbability: Float = 0.05

    /// What the reader sees in one image ([1, 3, readSize, readSize] pixels in [-1, 1]): the
    /// likeliest word centres, each with the chances that it is an object's label or a sign
    /// and the distribution of the word read there.
    ///
    /// Centres are picked greedily: the likeliest pixel, whose 3 × 3 neighbourhood's
    /// probabilities are summed (a word centred on a pixel's edge splits its probability) and
    /// then set aside, and so on.
    public func read(_ pixels: [Float], parameters: ParameterSet) -> ZooReading {
        let side = settings.featureSide, classes = TextClass.allCases.count
        let pass = ForwardPass(parameters: parameters)
        let features = featureMap(Variable(Tensor(shape: [1, 3, settings.readSize, settings.readSize], scalars: pixels)), pass)
        let probabilities = centreLogits(features, pass).softmax().value.scalars
        var remaining = (0..<(side * side)).map { 1 - probabilities[$0 * classes] }
        var picked: [(location: Location, label: Float, sign: Float)] = []
        while picked.count < Self.maximumCandidates, let best = remaining.indices.max(by: { remaining[$0] < remaining[$1] }) {
            let row = best / side, column = best % side
            var label: Float = 0, sign: Float = 0
            for r in max(0, row - 1)...min(side - 1, row + 1) {
                for c in max(0, column - 1)...min(side - 1, column + 1) where remaining[r * side + c] >= 0 {
                    label += probabilities[(r * side + c) * classes + Int(TextClass.objectLabel.rawValue)]
                    sign += probabilities[(r * side + c) * classes + Int(TextClass.sign.rawValue)]
                    remaining[r * side + c] = -1
                }
            }
            guard label + sign >= Self.minimumCentreProbability else { break }
            picked.append((Location(image: 0, row: row, column: column), min(label, 1), min(sign, 1)))
        }
        guard !picked.isEmpty else { return ZooReading(candidates: [], wordCount: wordCount) }
        let words = wordLogits(features, at: picked.map(\.location), pass).softmax().value.scalars
        let perCell = side / ZooReaderSettings.gridSide
        return ZooReading(
            candidates: picked.enumerated().map { index, pick in
                ZooReading.Candidate(
                    cell: (pick.location.row / perCell) * ZooReaderSettings.gridSide + pick.location.column / perCell,
                    label: pick.label, sign: pick.sign,
                    words: Array(words[(index * wordCount)..<((index + 1) * wordCount)]))
            },
            wordCount: wordCount)
    }
}

/// The reader's view of one image: the places it found words at, likeliest first.
public struct ZooReading: Sendable {
    public struct Candidate: Sendable {
        /// The answer network's grid cell (row-major) the word's centre lies in.
        public var cell: Int
        /// The chances that an object's label, or a sign, is centred here.
        public var label: Float
        public var sign: Float
        /// The word read here, a distribution over the word answers.
        public var words: [Float]

        public init(cell: Int, label: Float, sign: Float, words: [Float]) {
            self.cell = cell
            self.label = label
            self.sign = sign
            self.words = words
        }
    }

    public var candidates: [Candidate]
    public var wordCount: Int

    public init(candidates: [Candidate], wordCount: Int) {
        self.candidates = candidates
        self.wordCount = wordCount
    }
}
