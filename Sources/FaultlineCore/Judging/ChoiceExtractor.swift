import Foundation

/// Reads which option of a multiple-choice question a free-text response chose.
///
/// The extractor returns a letter only when the response commits to one; it never guesses.
/// A response that asserts two different options, or none, gives `nil`, so the unparsed
/// rate of a model is visible instead of being hidden in random hits (lmms-eval guesses at
/// random on MMMU parse failures) or in a first-character read that turns "The correct
/// answer is (B)" into "T" (lmms-eval issue 1434, BLINK).
///
/// The rules, tried in this order; the first that fires decides:
///
/// 1. **bare-letter** — the whole response is one letter, optionally wrapped or marked:
///    `B`, `b`, `B.`, `(B)`, `[B]`, `**B**`, `Option B`, `Answer: B`.
/// 2. **final-answer** — explicit final statements: `Final answer: C`, `final choice is (C)`,
///    `\boxed{C}`. Two different letters stated as final → ambiguous.
/// 3. **stated-answer** — answer statements anywhere: `The answer is (B)`, `Answer: B`,
///    `the correct option is B`, `I choose B`, `(B) is correct`, `B is the right answer`,
///    and the same with an option's text (`the answer is red`). If the statements name
///    different letters, or one names several (`A or B`), the response is ambiguous.
/// 4. **conclusion** — a connective that ends reasoning: `therefore C`, `so (C)`, `Thus, C.`,
///    `hence red`. The last conclusion wins, because reasoning moves on ("so A is out…
///    therefore C"); a letter followed by a negation ("so A is wrong") is not a conclusion.
/// 5. **last-line** — in a multi-line response, a last line that is a bare letter (rule 1's
///    forms): reasoning over several lines that ends with the answer alone.
/// 6. **leading-letter** — the response opens with a marked letter: `B. red`, `(B) red`,
///    `b) red`, `B: red`, `B - red`, or a letter that is not an English word followed by text
///    (`C because …`). The word-like letters `A` and `I` followed by a word count only when
///    the words after them are that option's text, so "A red circle" is option A only when
///    option A reads "red circle". A line-per-option echo of the option list is not an answer.
/// 7. **option-text** — exactly one option's text occurs in the response ("red", "The colour
///    is red."), ignoring occurrences inside a longer option's text ("red" in "dark red") and
///    negated ones ("not blue"). Two options' texts → ambiguous.
/// 8. **mentioned-letter** — exactly one option letter is mentioned, not negated: in
///    brackets ("I'd lean towards (B)") or as a capital that is not an English word
///    ("It's C."). Two different ones → ambiguous.
///
/// Anything else is **unparsed**. Letters are only those of the options: with four options
/// "E" is never read.
public struct ChoiceExtractor: Sendable {
    /// One option as shown to the model: its letter and its text.
    public struct Option: Sendable, Hashable {
        /// The upper-case letter, e.g. `B`.
        public var letter: String
        /// The option's text, e.g. `red`; may be empty when only letters are known.
        public var text: String

        public init(letter: String, text: String) {
            self.letter = letter.uppercased()
            self.text = text
        }
    }

    /// The rule that decided an extraction, in the order the rules are tried.
    public enum Rule: String, Sendable, CaseIterable, Codable {
        case bareLetter = "bare-letter"
        case finalAnswer = "final-answer"
        case statedAnswer = "stated-answer"
        case conclusion
        case lastLine = "last-line"
        case leadingLetter = "leading-letter"
        case optionText = "option-text"
        case mentionedLetter = "mentioned-letter"
        /// Different options were asserted; `Extraction.conflicting` lists them.
        case ambiguous
        /// No rule found an answer.
        case unparsed
    }

    /// What the extractor read: the chosen letter, or `nil` with the reason.
    public struct Extraction: Sendable, Equatable {
        /// The chosen option's letter; `nil` when ambiguous or unparsed.
        public var letter: String?
        public var rule: Rule
        /// The letters asserted at once when `rule` is `.ambiguous`, sorted.
        public var conflicting: [String]

        public init(letter: String?, rule: Rule, conflicting: [String] = []) {
            self.letter = letter
            self.rule = rule
            self.conflicting = conflicting
        }
    }

    /// The options, in letter order.
    public let options: [Option]

    /// Options lettered A, B, C… in the order given.
    ///
    /// - Precondition: At most 26 options, one per letter A–Z.
    public init(options texts: [String]) {
        self.options = texts.enumerated().map { index, text in
            Option(letter: Self.letter(at: index), text: text)
        }
    }

    /// Options with their own letters.
    public init(labelled options: [Option]) {
        self.options = options
    }

    /// The letter of the option at `index`: A for 0, B for 1, … Z for 25.
    public static func letter(at index: Int) -> String {
        precondition((0..<26).contains(index), "option index \(index) has no letter")
        return String(UnicodeScalar(UInt8(65 + index)))
    }

    /// Reads the chosen option from a response.
    public func extract(from response: String) -> Extraction {
        Reading(tokens: ResponseText.tokens(ResponseText.clean(response)), options: options).extract()
    }
}

// MARK: - Reading one response

/// The state of reading one response: its tokens and the options' words.
private struct Reading {
    typealias Token = ResponseText.Token
    typealias Extraction = ChoiceExtractor.Extraction

    let tokens: [Token]
    let letters: Set<String>
    /// Each option's text as lower-case words, without empty ones.
    let optionWords: [(letter: String, words: [String])]
    /// For each token, its position among the word tokens (nil for punctuation).
    let wordPosition: [Int?]
    /// The lower-cased word tokens.
    let words: [String]
    /// For each word, the index of its token.
    let tokenOfWord: [Int]

    init(tokens: [Token], options: [ChoiceExtractor.Option]) {
        self.tokens = tokens
        self.letters = Set(options.map(\.letter))
        self.optionWords = options.compactMap { option in
            let words = ResponseText.words(option.text)
            return words.isEmpty ? nil : (option.letter, words)
        }
        var wordPosition: [Int?] = []
        var words: [String] = []
        var tokenOfWord: [Int] = []
        for (index, token) in tokens.enumerated() {
            if token.kind == .word {
                wordPosition.append(words.count)
                words.append(token.lower)
                tokenOfWord.append(index)
            } else {
                wordPosition.append(nil)
            }
        }
        self.wordPosition = wordPosition
        self.words = words
        self.tokenOfWord = tokenOfWord
    }

    func extract() -> Extraction {
        if let letter = bareLetter(in: 0..<tokens.count) {
            return Extraction(letter: letter, rule: .bareLetter)
        }
        for (rule, cues) in [
            (ChoiceExtractor.Rule.finalAnswer, Vocabulary.finalCues), (.statedAnswer, Vocabulary.answerCues),
        ] {
            var assertions = statements(after: cues)
            if rule == .statedAnswer { assertions += postfixAssertions() }
            let asserted = Set(assertions.flatMap { $0 })
            if asserted.count == 1, let letter = asserted.first {
                return Extraction(letter: letter, rule: rule)
            }
            if asserted.count > 1 {
                return Extraction(letter: nil, rule: .ambiguous, conflicting: asserted.sorted())
            }
        }
        // Conclusions: the last single-letter one wins.
        if let last = statements(after: Vocabulary.conclusionCues).last(where: { $0.count == 1 }),
            let letter = last.first
        {
            return Extraction(letter: letter, rule: .conclusion)
        }
        let lines = lineRanges()
        if lines.count > 1, let last = lines.last, let letter = bareLetter(in: last) {
            return Extraction(letter: letter, rule: .lastLine)
        }
        if let letter = leadingLetter(lines: lines) {
            return Extraction(letter: letter, rule: .leadingLetter)
        }
        let texts = optionTextsMentioned()
        if texts.count == 1, let letter = texts.first {
            return Extraction(letter: letter, rule: .optionText)
        }
        if texts.count > 1 {
            return Extraction(letter: nil, rule: .ambiguous, conflicting: texts.sorted())
        }
        let mentioned = mentionedLetters()
        if mentioned.count == 1, let letter = mentioned.first {
            return Extraction(letter: letter, rule: .mentionedLetter)
        }
        if mentioned.count > 1 {
            return Extraction(letter: nil, rule: .ambiguous, conflicting: mentioned.sorted())
        }
        return Extraction(letter: nil, rule: .unparsed)
    }

    // MARK: Letters

    /// The option letter written by token `index`, if the token is a lone letter of the options.
    func optionLetter(at index: Int) -> String? {
        guard tokens.indices.contains(index), tokens[index].kind == .word, tokens[index].text.count == 1 else {
            return nil
        }
        let letter = tokens[index].text.uppercased()
        return letters.contains(letter) ? letter : nil
    }

    func isPunctuation(_ index: Int, _ marks: Set<String>) -> Bool {
        tokens.indices.contains(index) && tokens[index].kind == .punctuation && marks.contains(tokens[index].text)
    }

    /// `(B)`, `[B]` or `{B}`.
    func isWrapped(_ index: Int) -> Bool {
        isPunctuation(index - 1, ["(", "[", "{"]) && isPunctuation(index + 1, [")", "]", "}"])
    }

    /// The token after a letter and its closing bracket.
    func after(_ index: Int) -> Int { isWrapped(index) ? index + 2 : index + 1 }

    /// The letter at `index` when the context shows it is an option letter and not a word:
    /// bracketed; followed by punctuation or the end; or followed by a word, when the letter
    /// is not itself an English word (`A`, `I`) or the word is a connective ("A because")
    /// or the start of that option's text ("A red circle" for option A "red circle").
    func acceptedLetter(at index: Int) -> String? {
        guard let letter = optionLetter(at: index) else { return nil }
        if isWrapped(index) { return letter }
        let next = index + 1
        guard tokens.indices.contains(next), tokens[next].kind == .word else { return letter }
        if !Vocabulary.wordLikeLetters.contains(tokens[index].text) { return letter }
        if Vocabulary.connectives.contains(tokens[next].lower) { return letter }
        if let match = optionText(atToken: next), match.letter == letter { return letter }
        return nil
    }

    /// Whether the words right after a letter negate it ("A is wrong", "(B) isn't").
    func isNegated(after index: Int) -> Bool {
        var position = after(index)
        var seen = 0
        while tokens.indices.contains(position), seen < 3 {
            let token = tokens[position]
            if token.kind == .newline || (token.kind == .punctuation && [".", ",", ";", "!", "?"].contains(token.text))
            {
                return false
            }
            if token.kind == .word {
                if Vocabulary.negations.contains(token.lower) { return true }
                seen += 1
            }
            position += 1
        }
        return false
    }

    /// Whether the word before a letter negates it ("not B", "isn't option B").
    func isNegated(before index: Int) -> Bool {
        var position = index - 1
        while position >= 0,
            tokens[position].kind == .punctuation
                || ["option", "choice", "letter"].contains(tokens[position].lower)
        {
            position -= 1
        }
        return position >= 0 && Vocabulary.precedingNegations.contains(tokens[position].lower)
    }

    // MARK: Statements

    /// The letters each cue points at, in order of appearance; a cue followed by several
    /// letters ("A or B") yields them all.
    func statements(after cues: [[String]]) -> [[String]] {
        var found: [[String]] = []
        var index = 0
        while index < tokens.count {
            var matchedCue: [String]?
            for cue in cues where matches(cue, at: index) {
                matchedCue = cue
                break
            }
            guard let cue = matchedCue else {
                index += 1
                continue
            }
            let targets = target(from: index + cue.count)
            if !targets.isEmpty { found.append(targets) }
            index += cue.count
        }
        return found
    }

    func matches(_ cue: [String], at index: Int) -> Bool {
        guard index + cue.count <= tokens.count else { return false }
        for (offset, word) in cue.enumerated() where tokens[index + offset].lower != word {
            return false
        }
        return true
    }

    /// The option(s) named right after a cue, skipping filler ("is", "would be", "option", "(").
    func target(from start: Int) -> [String] {
        var index = start
        var skipped = 0
        while tokens.indices.contains(index), skipped < 8, isFiller(tokens[index]) {
            index += 1
            skipped += 1
        }
        guard let first = named(at: index) else { return [] }
        if let letterIndex = first.letterIndex, isNegated(after: letterIndex) { return [] }
        var targets = [first.letter]
        // "A or B", "(A), (B)", "A/B": a list of letters is a hedge, kept whole.
        var position = first.end
        while isListJoin(position) {
            var next = position + 1
            if isPunctuation(next, ["(", "[", "{"]) { next += 1 }
            guard let letter = acceptedLetter(at: next), !isNegated(after: next) else { break }
            if !targets.contains(letter) { targets.append(letter) }
            position = after(next)
        }
        return targets
    }

    func isFiller(_ token: Token) -> Bool {
        switch token.kind {
        case .newline: true
        case .punctuation: Vocabulary.fillerMarks.contains(token.text)
        case .word: Vocabulary.fillerWords.contains(token.lower)
        }
    }

    func isListJoin(_ index: Int) -> Bool {
        guard tokens.indices.contains(index) else { return false }
        let token = tokens[index]
        return ["or", "and", "/", ",", "&"].contains(token.lower)
    }

    /// An option named at `index`, by letter (`letterIndex` is its token) or by text;
    /// `end` is the token after it.
    func named(at index: Int) -> (letter: String, end: Int, letterIndex: Int?)? {
        if let letter = acceptedLetter(at: index) {
            return (letter, after(index), index)
        }
        var start = index
        // "the answer is a red circle": the article is not option A.
        if tokens.indices.contains(start), ["a", "an", "the"].contains(tokens[start].lower) { start += 1 }
        if let match = optionText(atToken: start) {
            return (match.letter, match.end, nil)
        }
        return nil
    }

    /// The longest option text whose words start at token `index`.
    func optionText(atToken index: Int) -> (letter: String, end: Int)? {
        guard tokens.indices.contains(index), let first = wordPosition[index] else { return nil }
        var best: (letter: String, length: Int)?
        for option in optionWords where first + option.words.count <= words.count {
            if Array(words[first..<(first + option.words.count)]) == option.words,
                option.words.count > (best?.length ?? 0)
            {
                best = (option.letter, option.words.count)
            }
        }
        guard let best else { return nil }
        return (best.letter, tokenOfWord[first + best.length - 1] + 1)
    }

    /// "(B) is correct", "Option B is the right answer", "C is the best choice".
    func postfixAssertions() -> [[String]] {
        var found: [[String]] = []
        for index in tokens.indices {
            guard let letter = acceptedLetter(at: index) else { continue }
            let next = after(index)
            if Vocabulary.affirmations.contains(where: { matches($0, at: next) }) {
                found.append([letter])
            }
        }
        return found
    }

    // MARK: Lines

    /// Token ranges of the non-empty lines.
    func lineRanges() -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, token) in tokens.enumerated() where token.kind == .newline {
            if index > start { ranges.append(start..<index) }
            start = index + 1
        }
        if tokens.count > start { ranges.append(start..<tokens.count) }
        return ranges
    }

    /// A range holding just a letter, marked or wrapped, optionally after "Option" or
    /// "Answer": `B`, `(B)`, `B.`, `Answer: B`.
    func bareLetter(in range: Range<Int>) -> String? {
        let wordIndices = range.filter { tokens[$0].kind == .word }
        let punctuationIsMarkup = range.allSatisfy {
            tokens[$0].kind != .punctuation || Vocabulary.markupMarks.contains(tokens[$0].text)
        }
        guard punctuationIsMarkup else { return nil }
        switch wordIndices.count {
        case 1:
            return optionLetter(at: wordIndices[0])
        case 2 where Vocabulary.letterLabels.contains(tokens[wordIndices[0]].lower):
            return optionLetter(at: wordIndices[1])
        default:
            return nil
        }
    }

    /// A marked letter opening the first line, unless the lines echo the option list.
    func leadingLetter(lines: [Range<Int>]) -> String? {
        guard let first = lines.first else { return nil }
        var index = first.lowerBound
        if isPunctuation(index, ["(", "["]) { index += 1 }
        guard let letter = optionLetter(at: index), first.contains(index) else { return nil }
        let marked = isWrapped(index) || isPunctuation(index + 1, [")", ".", ":", "-"])
        let opensAnswer: Bool
        if marked {
            opensAnswer = true
        } else if !tokens.indices.contains(index + 1) || tokens[index + 1].kind != .word {
            opensAnswer = false
        } else if Vocabulary.wordLikeLetters.contains(tokens[index].text) {
            // "A red circle": option A only when the words are option A's text.
            opensAnswer = optionText(atToken: index + 1)?.letter == letter
        } else {
            opensAnswer = true
        }
        guard opensAnswer, !isNegated(after: index) else { return nil }
        // "A. red\nB. blue\nC. green" lists the options; it answers nothing.
        for line in lines.dropFirst() {
            var start = line.lowerBound
            if isPunctuation(start, ["(", "["]) { start += 1 }
            if let other = optionLetter(at: start), other != letter,
                isWrapped(start) || isPunctuation(start + 1, [")", ".", ":"])
            {
                return nil
            }
        }
        return letter
    }

    // MARK: Option texts and mentions

    /// Letters of the options whose text occurs, not inside a longer option's text and not
    /// right after a negation.
    func optionTextsMentioned() -> Set<String> {
        var occurrences: [(letter: String, range: Range<Int>)] = []
        for option in optionWords {
            let length = option.words.count
            guard length <= words.count else { continue }
            for start in 0...(words.count - length) where Array(words[start..<(start + length)]) == option.words {
                occurrences.append((option.letter, start..<(start + length)))
            }
        }
        let kept = occurrences.filter { occurrence in
            let insideLonger = occurrences.contains { other in
                other.letter != occurrence.letter && other.range.count > occurrence.range.count
                    && other.range.contains(occurrence.range.lowerBound)
                    && other.range.contains(occurrence.range.upperBound - 1)
            }
            let start = occurrence.range.lowerBound
            let negated = start > 0 && Vocabulary.precedingNegations.contains(words[start - 1])
            return !insideLonger && !negated
        }
        return Set(kept.map(\.letter))
    }

    /// Distinct letters mentioned in brackets ("(B)") or as stand-alone capitals that are
    /// not words ("C", not "A" or "I"), and not negated.
    func mentionedLetters() -> Set<String> {
        var found: Set<String> = []
        for index in tokens.indices {
            guard let letter = optionLetter(at: index), !isNegated(after: index), !isNegated(before: index) else {
                continue
            }
            let capital = tokens[index].text == letter && !Vocabulary.wordLikeLetters.contains(letter)
            if isWrapped(index) || (capital && acceptedLetter(at: index) != nil) { found.insert(letter) }
        }
        return found
    }
}

/// The words the rules look for.
private enum Vocabulary {
    static let finalCues: [[String]] = [
        ["final", "answer"], ["final", "choice"], ["final", "option"], ["boxed"],
    ]
    static let answerCues: [[String]] = [
        ["answer"], ["correct", "option"], ["correct", "choice"], ["right", "option"], ["right", "choice"],
        ["best", "option"], ["best", "choice"], ["i", "choose"], ["i", "pick"], ["i", "select"],
        ["i", "would", "choose"], ["i", "would", "pick"], ["i'd", "choose"], ["i'd", "pick"], ["i'd", "go", "with"],
        ["i'll", "choose"], ["i'll", "pick"], ["i'll", "go", "with"], ["i", "will", "choose"], ["i", "chose"],
    ]
    static let conclusionCues: [[String]] = [
        ["therefore"], ["thus"], ["hence"], ["so"], ["consequently"], ["conclusion"], ["summary"],
    ]
    /// Words after a letter that make it an asserted answer.
    static let affirmations: [[String]] = [
        ["is", "correct"], ["is", "right"], ["is", "true"], ["is", "the", "answer"], ["is", "the", "correct"],
        ["is", "the", "right"], ["is", "the", "best"], ["is", "the", "most", "likely"], ["is", "most", "likely"],
        ["is", "best"], ["seems", "correct"], ["appears", "correct"], ["is", "our", "answer"],
    ]
    /// Filler skipped between a cue and the option it names.
    static let fillerWords: Set<String> = [
        "is", "was", "are", "be", "would", "should", "will", "must", "might", "could", "probably", "likely",
        "definitely", "clearly", "certainly", "most", "option", "choice", "letter", "the", "an", "here", "then",
        "therefore", "it's", "its", "that", "to", "as", "of", "this", "question",
    ]
    static let fillerMarks: Set<String> = [":", "=", "-", "(", "[", "{", "\"", "'", ">", ",", "$", "\\"]
    /// Punctuation that may surround a bare letter.
    static let markupMarks: Set<String> = [
        "(", ")", "[", "]", "{", "}", ".", ":", "-", "\"", "'", "!", "$", "\\", "#", ">",
    ]
    /// Words that may precede a bare letter on its own line.
    static let letterLabels: Set<String> = ["option", "answer", "choice", "letter"]
    /// Letters that are also English words, read as options only with more evidence.
    static let wordLikeLetters: Set<String> = ["A", "a", "I", "i"]
    /// Words that may follow an option letter but not an article: "A because …", "A is …".
    static let connectives: Set<String> = [
        "because", "since", "as", "is", "was", "seems", "would", "should", "which", "this", "it", "and", "or",
        "for", "given", "from", "matches", "shows", "fits", "best",
    ]
    /// Words right after a letter that reject it.
    static let negations: Set<String> = [
        "not", "isn't", "wasn't", "doesn't", "can't", "cannot", "wrong", "incorrect", "false", "ruled",
        "eliminated", "excluded", "unlikely", "impossible", "invalid",
    ]
    /// Words right before an option's text that reject it.
    static let precedingNegations: Set<String> = ["not", "isn't", "no", "never", "nor", "neither", "than"]
}
