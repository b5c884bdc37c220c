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
    /// Per example, row-major per grid cell: the shape and colour classes (`SceneCells`).
    public var cellShapes: [Int32]
    public var cellColours: [Int32]

    /// Stacks `examples`, which must share one image size and one token length; `gridSide`
    /// is the side of the image-token grid the cell targets are made for.
    public init(_ examples: [ZooExample], imageSize: Int, gridSide: Int = 8) {
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
        for example in examples {
            precondition(example.image.count == 3 * imageSize * imageSize, "example \(example.index): image is not 3×\(imageSize)×\(imageSize)")
            pixels += example.image
            questionIDs += example.tokens
            questionMask += example.mask
            answers.append(Int32(example.answerIndex))
            captionIDs += example.captionTokens
            captionMask += example.captionMask
            let cells = SceneCells.targets(for: example.scene, side: gridSide)
            cellShapes += cells.shapes
            cellColours += cells.colours
        }
        images = Tensor(shape: [examples.count, 3, imageSize, imageSize], scalars: pixels)
    }
}
