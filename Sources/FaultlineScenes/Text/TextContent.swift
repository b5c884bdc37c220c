import FaultlineCore

/// The kind of string a text probe shows.
public enum TextKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Common lower-case English words.
    case words
    /// Integers, decimals, grouped thousands, times and dash-separated codes.
    case numbers
    /// Words with upper and lower case mixed within the word (e.g. `gArDen`).
    case mixedCase = "mixed-case"
    /// Words with punctuation attached or around them (e.g. `(river)`, `stone,`, `don't`).
    case punctuation
}

extension SeededGenerator {
    /// A uniformly chosen element; the modulo bias is below 2⁻⁵⁰ for the small counts used here.
    mutating func element<T>(of options: [T]) -> T {
        precondition(!options.isEmpty, "cannot choose from an empty list")
        return options[Int(next() % UInt64(options.count))]
    }

    /// A uniform integer in `range`.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}

/// Generates the text of one probe as lines of tokens (joined by single spaces), so that a
/// line that is too wide can be shortened a token at a time.
enum TextContent {
    /// How many tokens a line starts with before it is fitted to the canvas.
    static func tokenCountRange(for kind: TextKind) -> ClosedRange<Int> {
        switch kind {
        case .words: 1...4
        case .numbers: 1...3
        case .mixedCase: 1...3
        case .punctuation: 1...3
        }
    }

    static func line(kind: TextKind, generator: inout SeededGenerator) -> [String] {
        let count = generator.integer(in: tokenCountRange(for: kind))
        return (0..<count).map { _ in token(kind: kind, generator: &generator) }
    }

    static func token(kind: TextKind, generator: inout SeededGenerator) -> String {
        switch kind {
        case .words: generator.element(of: CommonWords.all)
        case .numbers: number(generator: &generator)
        case .mixedCase: mixedCase(generator.element(of: CommonWords.all), generator: &generator)
        case .punctuation: punctuated(generator.element(of: CommonWords.all), generator: &generator)
        }
    }

    private static func digits(_ count: Int, generator: inout SeededGenerator) -> String {
        String((0..<count).map { _ in Character(String(generator.next() % 10)) })
    }

    private static func number(generator: inout SeededGenerator) -> String {
        switch generator.next() % 5 {
        case 0:
            // An integer without a leading zero.
            return String(generator.integer(in: 1...9)) + digits(generator.integer(in: 0...5), generator: &generator)
        case 1:
            return String(generator.integer(in: 0...999)) + "." + digits(2, generator: &generator)
        case 2:
            return String(generator.integer(in: 1...999)) + "," + digits(3, generator: &generator)
        case 3:
            return String(format2(generator.integer(in: 0...23))) + ":" + format2(generator.integer(in: 0...59))
        default:
            return digits(3, generator: &generator) + "-" + digits(4, generator: &generator)
        }
    }

    private static func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Each letter's case is drawn at random, then fixed up so that a word of two or more
    /// letters always has both cases (otherwise it would be plain lower or upper case).
    private static func mixedCase(_ word: String, generator: inout SeededGenerator) -> String {
        var letters = word.map { generator.next() % 2 == 0 ? $0.uppercased() : $0.lowercased() }
        if letters.count >= 2 {
            let hasUpper = letters.contains { $0 != $0.lowercased() }
            let hasLower = letters.contains { $0 != $0.uppercased() }
            let position = generator.integer(in: 0...(letters.count - 1))
            if !hasUpper { letters[position] = letters[position].uppercased() }
            if !hasLower { letters[position] = letters[position].lowercased() }
        }
        return letters.joined()
    }

    private static func punctuated(_ word: String, generator: inout SeededGenerator) -> String {
        switch generator.next() % 10 {
        case 0: return word + generator.element(of: [",", ".", ";", ":"])
        case 1: return word + generator.element(of: ["!", "?", "!?", "..."])
        case 2: return "(" + word + ")"
        case 3: return "\"" + word + "\""
        case 4: return "'" + word + "'"
        case 5: return word + "-" + generator.element(of: CommonWords.all)
        case 6: return word + "/" + generator.element(of: CommonWords.all)
        case 7: return generator.element(of: ["#", "@", "$", "&", "*"]) + word
        case 8: return word + "'s"
        default: return "[" + word + "]"
        }
    }
}
