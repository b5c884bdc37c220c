import FaultlineCore
import FaultlineScenes

/// The fixed list of answers the zoo's classifiers score, index ↔ answer.
///
/// It holds the closed answer sets of the question templates — colours, shapes, sizes,
/// numbers "0"…"20", "yes"/"no", quadrants — and the words the world writes that questions
/// answer with (object labels, sign words, chart categories, table cells). The world's word
/// lists are internal to the scene engine, so those words come from scanning a fixed sample of
/// the world (`WorldSample`); numbers above 20 (chart values, table numbers) and two-word
/// signs are left out on purpose: a small classifier cannot read them from a 64 px image, and
/// an open-ended number or phrase list would dwarf the rest. Examples whose answer is not in
/// the vocabulary are skipped and counted in `ZooDataStatistics`.
///
/// Answers are ordered by kind (yes/no, numbers, colours, shapes, sizes, quadrants, words),
/// numbers numerically and everything else alphabetically, so the order is stable.
public struct AnswerVocabulary: Sendable, Hashable {
    /// What kind of answer an entry is; misleading sentences name a wrong answer of the same kind.
    public enum Kind: Int, Sendable, Hashable, Comparable, CaseIterable {
        case yesNo, number, colour, shape, size, quadrant, word
        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    /// The answers, index ↔ answer.
    public let answers: [String]
    private let indices: [String: Int]
    /// The indices of the number answers, in vocabulary order (a number question's candidates).
    public let numberIndices: [Int]
    /// The indices of the written words ("lake", "exit", chart categories): the last kind in
    /// the order, so one contiguous range at the end (empty when there are none). Stored,
    /// because every training example's word targets read it.
    public let wordIndices: Range<Int>

    /// The largest number answer kept.
    public static let maximumNumber = 20

    /// The standard vocabulary; the same on every run.
    public static let standard: AnswerVocabulary = {
        var answers: Set<String> = ["yes", "no"]
        answers.formUnion((0...maximumNumber).map(String.init))
        answers.formUnion(NamedColour.allCases.map(\.rawValue))
        answers.formUnion(Shape.allCases.map(\.rawValue))
        answers.formUnion(SizeClass.allCases.map(\.rawValue))
        answers.formUnion(Quadrant.allCases.map(\.rawValue))
        let scan = WorldSample.scan
        let written = scan.answers.union(scan.worldWords).filter { word in
            !word.isEmpty && !word.contains(" ") && Int(word) == nil
        }
        answers.formUnion(written)
        // Numeric scanned answers are kept only within 0...20, already present.
        return AnswerVocabulary(validated: Array(answers))
    }()

    private init(validated answers: [String]) {
        self.init(ordered: answers.sorted(by: Self.precedes))
    }

    public var count: Int { answers.count }

    /// The index of `answer`, or nil when it is outside the vocabulary.
    public func index(of answer: String) -> Int? { indices[answer] }

    public func answer(at index: Int) -> String { answers[index] }

    public func contains(_ answer: String) -> Bool { indices[answer] != nil }


    /// The kind of an answer.
    public static func kind(of answer: String) -> Kind {
        if answer == "yes" || answer == "no" { return .yesNo }
        if Int(answer) != nil { return .number }
        if NamedColour(rawValue: answer) != nil { return .colour }
        if Shape(rawValue: answer) != nil { return .shape }
        if SizeClass(rawValue: answer) != nil { return .size }
        if Quadrant(rawValue: answer) != nil { return .quadrant }
        return .word
    }

    /// Other answers of the same kind as `answer`, in vocabulary order.
    public func alternatives(to answer: String) -> [String] {
        let kind = Self.kind(of: answer)
        return answers.filter { $0 != answer && Self.kind(of: $0) == kind }
    }

    private static func precedes(_ a: String, _ b: String) -> Bool {
        let kindA = kind(of: a), kindB = kind(of: b)
        if kindA != kindB { return kindA < kindB }
        if kindA == .number, let x = Int(a), let y = Int(b) { return x < y }
        return a < b
    }

    // MARK: - Serialisation

    static let header = "faultline-answer-vocabulary 1"

    /// The vocabulary as text for checkpoint metadata: a header line, then one answer a line.
    public func encoded() -> String { ([Self.header] + answers).joined(separator: "\n") }

    /// Reads a vocabulary written by `encoded()`, keeping its order.
    ///
    /// - Throws: `VocabularyDecodingError` for a missing header, an empty or repeated entry.
    public static func decode(_ text: String) throws(VocabularyDecodingError) -> AnswerVocabulary {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == header else {
            throw VocabularyDecodingError(
                vocabulary: "answer", line: 1,
                message: "the first line must be \"\(header)\"; this is not an answer vocabulary written by this version")
        }
        var seen = Set<String>()
        for (offset, answer) in lines.dropFirst().enumerated() {
            guard !answer.isEmpty else {
                throw VocabularyDecodingError(vocabulary: "answer", line: offset + 2, message: "empty answer")
            }
            guard seen.insert(answer).inserted else {
                throw VocabularyDecodingError(
                    vocabulary: "answer", line: offset + 2, message: "\"\(answer)\" appears twice")
            }
        }
        return AnswerVocabulary(ordered: Array(lines.dropFirst()))
    }

    private init(ordered answers: [String]) {
        self.answers = answers
        self.indices = Dictionary(uniqueKeysWithValues: answers.enumerated().map { ($1, $0) })
        self.numberIndices = answers.indices.filter { Self.kind(of: answers[$0]) == .number }
        self.wordIndices = (answers.firstIndex { Self.kind(of: $0) == .word } ?? answers.count)..<answers.count
    }

    public static func == (a: AnswerVocabulary, b: AnswerVocabulary) -> Bool { a.answers == b.answers }
    public func hash(into hasher: inout Hasher) { hasher.combine(answers) }
}

/// A stored vocabulary that cannot be read back.
public struct VocabularyDecodingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Which vocabulary: `answer` or `token`.
    public var vocabulary: String
    /// The 1-based line at fault.
    public var line: Int
    public var message: String

    public var description: String { "cannot read the stored \(vocabulary) vocabulary: line \(line): \(message)" }
}
