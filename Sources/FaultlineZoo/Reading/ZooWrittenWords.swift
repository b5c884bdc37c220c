/// How a zoo model answers with a written word: the answer network says that the answer is
/// a word and where to read it, the reader what is written there.
///
/// The answer network's probability of every non-word answer stays as it is. Its total
/// probability of the word answers, `W`, is shared out by the reader: over the cells where
/// the question's subject is (the network's fit of the named object, times the reader's
/// chance that an object's label is centred there) when the question names an object, over
/// the cells where the reader sees a sign when it does not, mixed by the network's chance
/// that the question names an object. So "What word is written on the red star?" reads the
/// red star's cell and "What does the sign say?" the sign's, with no rule about the words of
/// either question.
public enum ZooWrittenWords {
    /// The reader is consulted only when the network gives the word answers at least this
    /// much: below it a written word cannot become the answer of a free-text question, and
    /// reading costs a second network's pass.
    public static let consultedAbove: Float = 0.5

    /// Whether `probabilities` put enough on the words in `words` to consult the reader.
    public static func wantsReading(_ probabilities: [Float], words: Range<Int>) -> Bool {
        probabilities[words].reduce(0, +) >= consultedAbove
    }

    /// `probabilities` with the mass of the answers in `words` redistributed by `reading`.
    ///
    /// - Parameters:
    ///   - fit: per cell, how well it fits the object the question names (any scale).
    ///   - namesObject: the chance the question names an object.
    public static func combine(
        _ probabilities: [Float], words: Range<Int>, fit: [Float], namesObject: Float, reading: ZooReading
    ) -> [Float] {
        precondition(words.count == reading.wordCount, "the reader names \(reading.wordCount) words, the network \(words.count)")
        let cells = fit.count
        let labels = normalised((0..<cells).map { fit[$0] * reading.probability(of: .objectLabel, at: $0) })
            ?? normalised(fit) ?? uniform(cells)
        let signs = normalised((0..<cells).map { reading.probability(of: .sign, at: $0) }) ?? uniform(cells)
        let weights = (0..<cells).map { namesObject * labels[$0] + (1 - namesObject) * signs[$0] }
        let read = reading.words(weightedBy: weights)
        let mass = probabilities[words].reduce(0, +)
        var combined = probabilities
        for (offset, index) in words.enumerated() { combined[index] = mass * read[offset] }
        return combined
    }

    /// `values` scaled to sum to 1, or nil when they sum to (nearly) nothing.
    private static func normalised(_ values: [Float]) -> [Float]? {
        let total = values.reduce(0, +)
        guard total > 1e-12 else { return nil }
        return values.map { $0 / total }
    }

    private static func uniform(_ count: Int) -> [Float] { [Float](repeating: 1 / Float(count), count: count) }
}
