import FaultlineTensor

/// A zoo model's text reader: from an image at `readSize`, per cell of the answer network's
/// 8 × 8 grid, which written word is centred there (one class per word answer) and whether
/// a label of an object, a sign or nothing is.
///
/// A small CNN keeps the full resolution in its first layer (letters are 1 to 3 px strokes),
/// pools after every layer but the last, and a window convolution then reads, for every
/// cell, the `windowCells` × `windowCells` cells around it (stride: one cell), so a word of up
/// to 2.5 cells centred anywhere in the cell falls inside the window. The whole image is read
/// in one pass, at training and inference alike.
///
/// Why not more channels in the answer network: its image tokens learnt shapes and colours
/// and never words (every variant tried stayed below 1% of cells read). Reading is a
/// separate skill at a separate resolution, as in detector-plus-recogniser OCR systems; the
/// answer network says where to read (the cell of the object a question names) and the
/// reader what is written there (see `ZooModel`).
public struct ZooReader: Sendable {
    public let settings: ZooReaderSettings
    /// How many words the word head tells apart: the answer vocabulary's word answers, in order.
    public let wordCount: Int
    let convolutions: [Conv2d]
    let window: Conv2d
    let word: Linear
    let text: Linear

    /// What a cell's text head tells apart.
    public enum TextClass: Int32, Sendable, CaseIterable {
        case nothing = 0, objectLabel = 1, sign = 2
    }

    /// Cells per image.
    public static var cellCount: Int { ZooReaderSettings.gridSide * ZooReaderSettings.gridSide }

    /// Builds the reader and registers its freshly initialised parameters in `parameters`.
    public init(settings: ZooReaderSettings, wordCount: Int, parameters: inout ParameterSet) {
        self.settings = settings
        self.wordCount = wordCount
        var convolutions: [Conv2d] = []
        var channels = 3
        for (index, out) in settings.channels.enumerated() {
            convolutions.append(Conv2d(
                "reader.conv\(index + 1)", inChannels: channels, outChannels: out, kernel: 3, padding: 1,
                parameters: &parameters))
            channels = out
        }
        self.convolutions = convolutions
        let perCell = settings.featuresPerCell
        window = Conv2d(
            "reader.window", inChannels: channels, outChannels: settings.width, kernel: ZooReaderSettings.windowCells * perCell,
            stride: perCell, padding: (ZooReaderSettings.windowCells - 1) * perCell / 2, parameters: &parameters)
        word = Linear("reader.word", inputs: settings.width, outputs: wordCount, parameters: &parameters)
        text = Linear("reader.text", inputs: settings.width, outputs: TextClass.allCases.count, parameters: &parameters)
    }

    /// Per cell its feature vector, [b · cells, width] (image-major, cells row-major), from
    /// images [b, 3, readSize, readSize].
    public func cellFeatures(_ images: Variable, _ pass: ForwardPass) -> Variable {
        var x = images
        for (index, convolution) in convolutions.enumerated() {
            x = convolution(x, pass, rectified: true)
            if index < convolutions.count - 1 { x = x.maxPool2d(kernel: 2) }
        }
        let cells = window(x, pass, rectified: true)
        let batch = cells.shape[0], count = cells.shape[2] * cells.shape[3]
        precondition(count == Self.cellCount, "the reader's window should give \(Self.cellCount) cells, gave \(count)")
        return cells.reshaped([batch, settings.width, count]).transposed(1, 2).reshaped([batch * count, settings.width])
    }

    /// Word logits [b · cells, words] of `cellFeatures`.
    public func wordLogits(_ features: Variable, _ pass: ForwardPass) -> Variable { word(features, pass) }

    /// Text-class logits [b · cells, 3] of `cellFeatures`.
    public func textLogits(_ features: Variable, _ pass: ForwardPass) -> Variable { text(features, pass) }

    /// The training loss: cross-entropy of the word head on the cells where a known word is
    /// centred (`words`, -1 elsewhere) plus that of the text head on every cell.
    public func loss(images: Variable, words: [Int32], texts: [Int32], _ pass: ForwardPass) -> (word: Variable, text: Variable) {
        let features = cellFeatures(images, pass)
        return (
            crossEntropy(logits: wordLogits(features, pass), targets: words),
            crossEntropy(logits: textLogits(features, pass), targets: texts, ignoreIndex: nil)
        )
    }

    /// What the reader sees in one image ([1, 3, readSize, readSize] pixels in [-1, 1]).
    public func read(_ pixels: [Float], parameters: ParameterSet) -> ZooReading {
        let side = settings.readSize
        let pass = ForwardPass(parameters: parameters)
        let features = cellFeatures(Variable(Tensor(shape: [1, 3, side, side], scalars: pixels)), pass)
        return ZooReading(
            words: wordLogits(features, pass).softmax().value.scalars, text: textLogits(features, pass).softmax().value.scalars,
            wordCount: wordCount)
    }
}

/// The reader's view of one image: per cell a distribution over the words and one over the
/// text classes (nothing, object label, sign), cells row-major.
public struct ZooReading: Sendable {
    /// [cells × words] probabilities.
    public var words: [Float]
    /// [cells × 3] probabilities.
    public var text: [Float]
    public var wordCount: Int

    /// The probability that cell `cell` holds text of `kind`.
    public func probability(of kind: ZooReader.TextClass, at cell: Int) -> Float {
        text[cell * ZooReader.TextClass.allCases.count + Int(kind.rawValue)]
    }

    /// The word distribution of reading the cells with `weights` (one per cell, summing to 1).
    public func words(weightedBy weights: [Float]) -> [Float] {
        var mixed = [Float](repeating: 0, count: wordCount)
        for (cell, weight) in weights.enumerated() where weight > 0 {
            let row = cell * wordCount
            for word in 0..<wordCount { mixed[word] += weight * words[row + word] }
        }
        return mixed
    }
}
