/// How a zoo model answers with a written word: the answer network says that the answer is
/// a word, where to read it and what kind of word it expects; the reader what is written.
///
/// The answer network's probability of every non-word answer stays as it is. Its total
/// probability of the word answers, `W`, is shared out over the words the reader found:
/// when the question names an object, by how well each word's cell fits that object (the
/// network's fit) times the reader's chance that an object's label is centred there; when
/// it does not, by the reader's chance that a sign (or any other writing) is; mixed by the
/// network's chance that the question names an object; and each word's share is then
/// weighed by the network's own probability of that word. So "What word is written on the
/// red star?" reads the red star's word, "What does the sign say?" the sign's, and "In the
/// row where Name is Ana, what is Town?" the towns written in the table rather than its
/// names or pets, with no rule about the words of any question.
public enum ZooWrittenWords {
    /// The reader is consulted only when the network gives the word answers at least this
    /// much: below it a written word cannot become the answer of a free-text question, and
    /// reading costs a second network's pass.
    public static let consultedAbove: Float = 0.5

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
        var read = [Float](repeating: 0, count: words.count)
        for (candidate, (label, sign)) in zip(candidates, zip(labels, signs)) {
            let weight = namesObject * label + (1 - namesObject) * sign
            for offset in read.indices { read[offset] += weight * candidate.words[offset] }
        }
        // The network's leaning among the words read: what kind of word the question wants
        // (a town, a month), which the reader cannot know. Words it rules out entirely keep
        // the reader's shares rather than none.
        let leaning = read.indices.map { read[$0] * probabilities[words.lowerBound + $0] }
        if let weighed = normalised(leaning) { read = weighed }
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
