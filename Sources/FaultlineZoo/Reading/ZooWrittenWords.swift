/// How a zoo model answers with a written word: the answer network says that the answer is
/// a word and where to read it, the reader what is written there.
///
/// The answer network's probability of every non-word answer stays as it is. Its total
/// probability of the word answers, `W`, is shared out over the words the reader found:
/// when the question names an object, by how well each word's cell fits that object (the
/// network's fit) times the reader's chance that an object's label is centred there; when
/// it does not, by the reader's chance that a sign is; mixed by the network's chance that
/// the question names an object. So "What word is written on the red star?" reads the red
/// star's word and "What does the sign say?" the sign's, with no rule about the words of
/// either question.
public enum ZooWrittenWords {
    /// The reader is consulted only when the network gives the word answers at least this
    /// much: below it a written word cannot become the answer of a free-text question, and
    /// reading costs a second network's pass.
    public static let consultedAbove: Float = 0.5

    /// The reader learnt from scenes of 1 to 8 objects; an image in which the answer network
    /// sees fewer than half an object — a chart, a table, an empty canvas — is not one it can
    /// read, and its guesses there would override the answer network's (chart and table
    /// questions lost 1–6 points before this rule).
    public static let objectsNeeded: Float = 0.5

    /// Whether `probabilities` put enough on the words in `words` to consult the reader.
    public static func wantsReading(_ probabilities: [Float], words: Range<Int>) -> Bool {
        probabilities[words].reduce(0, +) >= consultedAbove
    }

    /// `probabilities` with the mass of the answers in `words` shared out by `reading`
    /// (unchanged when the reader found no word).
    ///
    /// - Parameters:
    ///   - fit: per grid cell, how well it fits the object the question names (any scale).
    ///   - namesObject: the chance the question names an object.
    public static func combine(
        _ probabilities: [Float], words: Range<Int>, fit: [Float], namesObject: Float, reading: ZooReading
    ) -> [Float] {
        precondition(words.count == reading.wordCount, "the reader names \(reading.wordCount) words, the network \(words.count)")
        let candidates = reading.candidates
        guard !candidates.isEmpty else { return probabilities }
        let labels = normalised(candidates.map { fit[$0.cell] * $0.label }) ?? normalised(candidates.map { fit[$0.cell] })
            ?? uniform(candidates.count)
        let signs = normalised(candidates.map(\.sign)) ?? uniform(candidates.count)
        let mass = probabilities[words].reduce(0, +)
        var combined = probabilities
        for index in words { combined[index] = 0 }
        for (candidate, (label, sign)) in zip(candidates, zip(labels, signs)) {
            let weight = mass * (namesObject * label + (1 - namesObject) * sign)
            for (offset, index) in words.enumerated() { combined[index] += weight * candidate.words[offset] }
        }
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
