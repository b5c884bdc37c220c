import FaultlineTensor
import FaultlineScenes

/// What each cell of the image-token grid holds, read off the scene graph: the shape, colour,
/// size and texture of the object whose centre falls in the cell (the largest when several do), or
/// `empty` for a cell without one. Targets for `ZooNetwork.cellLoss`, which ignores empty
/// cells: most cells are empty, and a loss over them would teach little but "nothing here".
public enum SceneCells {
    /// The target of a cell where no object is centred (ignored by the loss).
    public static let empty: Int32 = -1
    /// The eight shapes.
    public static let shapeClasses = Shape.allCases.count
    /// The eight colours.
    public static let colourClasses = NamedColour.allCases.count
    /// Small, medium, large.
    public static let sizeClasses = SizeClass.allCases.count
    /// No texture, then each texture.
    public static let textureClasses = Texture.allCases.count + 1

    /// The row-major index of the cell of a `side × side` grid holding the point (x, y), in
    /// fractions of the canvas.
    public static func cell(x: Double, y: Double, side: Int) -> Int {
        min(side - 1, max(0, Int(y * Double(side)))) * side + min(side - 1, max(0, Int(x * Double(side))))
    }

    /// Row-major `side × side` shape, colour, size and texture classes for `scene`.
    public static func targets(for scene: Scene, side: Int)
        -> (shapes: [Int32], colours: [Int32], sizeClasses: [Int32], textures: [Int32])
    {
        var shapes = [Int32](repeating: empty, count: side * side)
        var colours = [Int32](repeating: empty, count: side * side)
        var sizeClasses = [Int32](repeating: empty, count: side * side)
        var textures = [Int32](repeating: empty, count: side * side)
        var sizes = [Double](repeating: -1, count: side * side)
        for object in scene.objects {
            let cell = Self.cell(x: object.x, y: object.y, side: side)
            guard object.size.radiusFraction > sizes[cell] else { continue }
            sizes[cell] = object.size.radiusFraction
            shapes[cell] = Int32(Shape.allCases.firstIndex(of: object.shape) ?? 0)
            colours[cell] = Int32(NamedColour.allCases.firstIndex(of: object.colour) ?? 0)
            sizeClasses[cell] = Int32(SizeClass.allCases.firstIndex(of: object.size) ?? 0)
            textures[cell] = object.texture.map { Int32((Texture.allCases.firstIndex(of: $0) ?? 0) + 1) } ?? 0
        }
        return (shapes, colours, sizeClasses, textures)
    }

    /// Row-major `side × side` targets of the word heads for `scene`: per cell the word written
    /// at its centre — an object's label or a sign — as an offset into `vocabulary.wordIndices`
    /// (`empty` where no word in the vocabulary is centred, or for a word the vocabulary
    /// lacks), and 1 where a sign (a free-standing text) is centred, else 0. Charts and
    /// tables give none: their words are read in rows and columns, not on objects.
    public static func wordTargets(for scene: Scene, side: Int, vocabulary: AnswerVocabulary)
        -> (words: [Int32], signs: [Int32])
    {
        var words = [Int32](repeating: empty, count: side * side)
        var signs = [Int32](repeating: 0, count: side * side)
        let range = vocabulary.wordIndices
        func word(_ text: String) -> Int32? {
            guard let index = vocabulary.index(of: text), range.contains(index) else { return nil }
            return Int32(index - range.lowerBound)
        }
        guard scene.chart == nil, scene.table == nil else { return (words, signs) }
        for object in scene.objects {
            if let label = object.label, let index = word(label) { words[cell(x: object.x, y: object.y, side: side)] = index }
        }
        for label in scene.labels {
            let at = cell(x: label.x, y: label.y, side: side)
            signs[at] = 1
            if let index = word(label.text) { words[at] = index }
        }
        return (words, signs)
    }

    /// The letters the spelling word heads read per word (the world's words have 3 to 6).
    public static let spellingLength = 6
    /// The spelling heads' classes per position: "a"…"z" (case folded), then "end".
    public static let letterClasses = 27

    /// `word` as `spellingLength` letter classes (`letterClasses - 1` past its end), or nil
    /// for a word longer than that or with a character outside a–z in either case.
    public static func spelling(of word: String) -> [Int32]? {
        let scalars = word.lowercased().unicodeScalars
        guard scalars.count <= spellingLength else { return nil }
        var letters: [Int32] = []
        for scalar in scalars {
            guard ("a"..."z").contains(scalar) else { return nil }
            letters.append(Int32(scalar.value - Unicode.Scalar("a").value))
        }
        return letters + Array(repeating: Int32(letterClasses - 1), count: spellingLength - letters.count)
    }

    /// [spellingLength × letterClasses, words]: 1 where word w has letter class c at
    /// position p (row p · letterClasses + c), so log-probabilities of letters times it sum
    /// each word's letters.
    public static func spellingMatrix(_ spellings: [[Int32]]) -> Tensor {
        let slots = spellingLength * letterClasses
        var matrix = [Float](repeating: 0, count: slots * spellings.count)
        for (word, spelling) in spellings.enumerated() {
            for (position, letter) in spelling.enumerated() {
                matrix[(position * letterClasses + Int(letter)) * spellings.count + word] = 1
            }
        }
        return Tensor(shape: [slots, spellings.count], scalars: matrix)
    }

    /// An object a question names, as class indices of the cell heads; each is the class
    /// count ("none") for an attribute the words leave open.
    public struct NamedObject: Sendable, Hashable {
        public var shape: Int32, colour: Int32, size: Int32

        public init(shape: Int32, colour: Int32, size: Int32) {
            self.shape = shape
            self.colour = colour
            self.size = size
        }

        /// Names nothing: every attribute "none".
        public static let none = NamedObject(
            shape: Int32(shapeClasses), colour: Int32(colourClasses), size: Int32(sizeClasses))
    }

    /// The objects a question names: `subject`, the last noun phrase, and `other`, the one
    /// before it (`NamedObject.none` when there are fewer).
    public struct QuestionObjects: Sendable, Hashable {
        public var subject: NamedObject, other: NamedObject

        public init(subject: NamedObject, other: NamedObject) {
            self.subject = subject
            self.other = other
        }
    }

    /// Reads the noun phrases of `text` — "[size] [colour] shape", a plural shape, or a
    /// size or colour before another word ("the red object") — outside its answer
    /// instruction (lines starting "Answer "), and returns the last two.
    /// The last, because sentences planted before a question (a misleading caption) come
    /// first; the one before it, because a question about two objects ("is the red star left
    /// of the circle?") names the second last.
    public static func questionObjects(_ text: String) -> QuestionObjects {
        var phrases: [NamedObject] = []
        var pending = NamedObject.none
        func flush() {
            if pending != .none { phrases.append(pending) }
            pending = .none
        }
        // The answer instruction ("Answer small, medium or large.") names no object, though
        // its words may be attribute words.
        let question = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Answer ") }.joined(separator: "\n")
        for word in QuestionTokenizer.split(question) {
            if let named = sizeWords[word] {
                // A size after a colour starts a new phrase: names come in size-colour-shape order.
                if pending.colour != Int32(colourClasses) || pending.size != Int32(sizeClasses) { flush() }
                pending.size = named
            } else if let named = colourWords[word] {
                if pending.colour != Int32(colourClasses) { flush() }
                pending.colour = named
            } else if let named = shapeWords[word] {
                pending.shape = named
                flush()
            } else {
                flush()
            }
        }
        flush()
        return QuestionObjects(
            subject: phrases.last ?? .none, other: phrases.count >= 2 ? phrases[phrases.count - 2] : .none)
    }

    private static let sizeWords: [String: Int32] = Dictionary(
        uniqueKeysWithValues: SizeClass.allCases.enumerated().map { ($1.rawValue, Int32($0)) })

    private static let shapeWords: [String: Int32] = {
        var words: [String: Int32] = [:]
        for (index, shape) in Shape.allCases.enumerated() {
            words[shape.rawValue] = Int32(index)
            words[ReferringExpression.plural(of: shape)] = Int32(index)
        }
        return words
    }()

    private static let colourWords: [String: Int32] = Dictionary(
        uniqueKeysWithValues: NamedColour.allCases.enumerated().map { ($1.rawValue, Int32($0)) })
}

/// The attributes the cell heads predict, named as `zoo evaluate --cells` prints them.
public enum CellAttribute: String, Sendable, CaseIterable {
    case shape, colour, size, texture
    /// The word written at the cell's centre (networks with `cellWords`).
    case word

    /// This attribute's per-cell targets in a batch made with a grid side.
    public func targets(in batch: ZooBatch) -> [Int32] {
        switch self {
        case .shape: batch.cellShapes
        case .colour: batch.cellColours
        case .size: batch.cellSizes
        case .texture: batch.cellTextures
        case .word: batch.cellWords
        }
    }
}
