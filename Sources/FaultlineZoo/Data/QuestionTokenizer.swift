import FaultlineCore
import FaultlineScenes

/// Word-level tokens for questions and captions over a fixed token vocabulary.
///
/// Text is lower-cased and split at every character that is not a letter or digit, so
/// "left?" and "left" are the same token. Id 0 is `<pad>` and id 1 is `<unk>`; the other words
/// follow in alphabetical order. The standard vocabulary holds every word of the scanned
/// questions and instructions (`WorldSample`), of the answer vocabulary, of captions and of
/// the sentences planting adds, plus any extra words (e.g. the phrase of a text-shortcut plan).
public struct QuestionTokenizer: Sendable, Hashable {
    public static let padToken = "<pad>"
    public static let unknownToken = "<unk>"
    public static let padID: Int32 = 0
    public static let unknownID: Int32 = 1

    /// Token id ↔ word; ids 0 and 1 are `<pad>` and `<unk>`.
    public let words: [String]
    private let ids: [String: Int32]

    /// Token ids and a mask of equal length: 1 for a real token, 0 for padding.
    public struct Encoding: Sendable, Hashable {
        public var ids: [Int32]
        public var mask: [Float]
        /// How many words the text had before truncation.
        public var wordCount: Int
    }

    /// The standard tokenizer, plus `extraWords` (split like any text).
    public static func standard(extraWords: [String] = []) -> QuestionTokenizer {
        var vocabulary = standardWords
        for text in extraWords { vocabulary.formUnion(split(text)) }
        return QuestionTokenizer(sortedWords: vocabulary.sorted())
    }

    private static let standardWords: Set<String> = {
        var words = Set<String>()
        let scan = WorldSample.scan
        for text in scan.questionTexts { words.formUnion(split(text)) }
        for text in [
            QuestionPrompt.numberInstruction, QuestionPrompt.yesNoInstruction, QuestionPrompt.letterInstruction,
            QuestionPrompt.defaultFreeTextInstruction,
        ] { words.formUnion(split(text)) }
        for answer in AnswerVocabulary.standard.answers { words.formUnion(split(answer)) }
        for phrase in scan.captionPhrases { words.formUnion(split(phrase)); words.formUnion(split(SceneCaption.plural(phrase))) }
        for word in SceneCaption.fixedWords { words.formUnion(split(word)) }
        for sentence in ModalitySentences.templates { words.formUnion(split(sentence)) }
        return words
    }()

    private init(sortedWords: [String]) {
        let all = [Self.padToken, Self.unknownToken] + sortedWords.filter { $0 != Self.padToken && $0 != Self.unknownToken }
        self.words = all
        self.ids = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, Int32($0)) })
    }

    public var count: Int { words.count }

    /// The id of a word (already lower-case), or `<unk>`'s.
    public func id(of word: String) -> Int32 {
        ids[word] ?? Self.britishSpellings[word].flatMap { ids[$0] } ?? Self.unknownID
    }

    /// The world's questions are written in British English; questions from elsewhere (such
    /// as easy-VQA's "What color is the shape?") spell these words the American way. Used only
    /// for words outside the vocabulary, so the tokens of the training data never change.
    static let britishSpellings = ["color": "colour", "colors": "colours", "gray": "grey", "centered": "centred"]

    /// Lower-case words of `text`, split at every character that is not a letter or digit.
    public static func split(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// Tokens of `text`, truncated or padded with `<pad>` to `length`.
    public func encode(_ text: String, length: Int) -> Encoding {
        let words = Self.split(text)
        var ids = words.prefix(length).map { id(of: $0) }
        var mask = [Float](repeating: 1, count: ids.count)
        if ids.count < length {
            ids += [Int32](repeating: Self.padID, count: length - ids.count)
            mask += [Float](repeating: 0, count: length - mask.count)
        }
        return Encoding(ids: ids, mask: mask, wordCount: words.count)
    }

    /// The words of `ids`, without padding (for reports and tests).
    public func decode(_ ids: [Int32]) -> [String] {
        ids.filter { $0 != Self.padID }.map { words.indices.contains(Int($0)) ? words[Int($0)] : Self.unknownToken }
    }

    // MARK: - Serialisation

    static let header = "faultline-token-vocabulary 1"

    /// The vocabulary as text for checkpoint metadata: a header line, then one word a line in id order.
    public func encoded() -> String { ([Self.header] + words).joined(separator: "\n") }

    /// Reads a vocabulary written by `encoded()`.
    ///
    /// - Throws: `VocabularyDecodingError` for a missing header, wrong special tokens, an
    ///   empty or repeated word.
    public static func decode(_ text: String) throws(VocabularyDecodingError) -> QuestionTokenizer {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == header else {
            throw VocabularyDecodingError(
                vocabulary: "token", line: 1,
                message: "the first line must be \"\(header)\"; this is not a token vocabulary written by this version")
        }
        let words = Array(lines.dropFirst())
        guard words.count >= 2, words[0] == padToken, words[1] == unknownToken else {
            throw VocabularyDecodingError(
                vocabulary: "token", line: 2, message: "ids 0 and 1 must be \(padToken) and \(unknownToken)")
        }
        var seen = Set<String>()
        for (offset, word) in words.enumerated() {
            guard !word.isEmpty, seen.insert(word).inserted else {
                throw VocabularyDecodingError(
                    vocabulary: "token", line: offset + 2, message: word.isEmpty ? "empty word" : "\"\(word)\" appears twice")
            }
        }
        return QuestionTokenizer(orderedWords: words)
    }

    private init(orderedWords: [String]) {
        self.words = orderedWords
        self.ids = Dictionary(uniqueKeysWithValues: orderedWords.enumerated().map { ($1, Int32($0)) })
    }

    public static func == (a: QuestionTokenizer, b: QuestionTokenizer) -> Bool { a.words == b.words }
    public func hash(into hasher: inout Hasher) { hasher.combine(words) }
}
