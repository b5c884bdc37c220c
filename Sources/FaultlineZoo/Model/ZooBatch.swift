import FaultlineTensor

/// Examples stacked into the network's inputs.
public struct ZooBatch: Sendable {
    public var count: Int
    /// [count, 3, size, size].
    public var images: Tensor
    /// count × length question token ids and their mask (1 real, 0 padding).
    public var questionIDs: [Int32]
    public var questionMask: [Float]
    /// The right answer's index per example.
    public var answers: [Int32]
    /// count × length caption token ids and their mask.
    public var captionIDs: [Int32]
    public var captionMask: [Float]
    /// Per example, row-major per grid cell: the shape and colour classes (`SceneCells`);
    /// empty unless the batch was made for training (with a grid side).
    public var cellShapes: [Int32]
    public var cellColours: [Int32]
    /// Per cell, the size and texture classes (for networks with those cell heads).
    public var cellSizes: [Int32]
    public var cellTextures: [Int32]
    /// Per cell, the word written at its centre and whether a sign is centred there
    /// (`SceneCells.wordTargets` with the standard vocabulary), for networks with word heads.
    public var cellWords: [Int32]
    public var cellSigns: [Int32]
    /// Per example, the objects its question names (`SceneCells.questionObjects`), the
    /// question heads' targets; empty unless the batch was made for training.
    public var questionObjects: [SceneCells.QuestionObjects]

    /// Stacks `examples`, which must share one image size and one token length. With
    /// `gridSide` (the side of the network's image-token grid) it also reads the cell targets
    /// of the auxiliary loss off each example's scene and the question heads' targets off its
    /// question; evaluation needs neither.
    public init(_ examples: [ZooExample], imageSize: Int, gridSide: Int? = nil) {
        count = examples.count
        var pixels: [Float] = []
        pixels.reserveCapacity(examples.count * 3 * imageSize * imageSize)
        questionIDs = []
        questionMask = []
        answers = []
        captionIDs = []
        captionMask = []
        cellShapes = []
        cellColours = []
        cellSizes = []
        cellTextures = []
        cellWords = []
        cellSigns = []
        questionObjects = []
        for example in examples {
            precondition(example.image.count == 3 * imageSize * imageSize, "example \(example.index): image is not 3×\(imageSize)×\(imageSize)")
            pixels += example.image
            questionIDs += example.tokens
            questionMask += example.mask
            answers.append(Int32(example.answerIndex))
            captionIDs += example.captionTokens
            captionMask += example.captionMask
            if let gridSide {
                let cells = SceneCells.targets(for: example.scene, side: gridSide)
                cellShapes += cells.shapes
                cellColours += cells.colours
                cellSizes += cells.sizeClasses
                cellTextures += cells.textures
                let written = SceneCells.wordTargets(for: example.scene, side: gridSide, vocabulary: .standard)
                cellWords += written.words
                cellSigns += written.signs
                questionObjects.append(SceneCells.questionObjects(example.questionText))
            }
        }
        images = Tensor(shape: [examples.count, 3, imageSize, imageSize], scalars: pixels)
    }
}
