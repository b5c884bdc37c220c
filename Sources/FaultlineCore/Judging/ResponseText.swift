import Foundation

/// Clean-up and tokenisation shared by the answer extractors.
///
/// Responses are read the way a person would skim them: reasoning that a model wraps in
/// `<think>` tags is not its answer, markdown emphasis is decoration, and typographic
/// quotes are the same quotes. Everything else is kept, because the extractors need the
/// punctuation (`(B)`, `B.`, `Answer:`) to tell an option letter from a word.
enum ResponseText {
    /// Drops `<think>…</think>` reasoning, markdown emphasis and code ticks; maps NFKC,
    /// typographic quotes and dashes to plain forms.
    static func clean(_ text: String) -> String {
        var text = withoutReasoning(text).precomposedStringWithCompatibilityMapping
        for (fancy, plain) in plainForms {
            text = text.replacingOccurrences(of: fancy, with: plain)
        }
        return text
    }

    /// The text after the model's reasoning block. Models that open `<think>` and never
    /// close it (a truncated response) have given no answer outside it, so the whole text
    /// is kept: the extractors may still find a conclusion in it.
    static func withoutReasoning(_ text: String) -> String {
        guard let close = text.range(of: "</think>", options: [.caseInsensitive, .backwards]) else {
            return text
        }
        return String(text[close.upperBound...])
    }

    private static let plainForms: [(String, String)] = [
        ("**", ""), ("__", ""), ("*", ""), ("`", ""),
        ("\u{201C}", "\""), ("\u{201D}", "\""), ("\u{201E}", "\""), ("\u{2018}", "'"), ("\u{2019}", "'"),
        ("\u{2010}", "-"), ("\u{2011}", "-"), ("\u{2012}", "-"), ("\u{2013}", "-"), ("\u{2014}", "-"),
    ]

    /// One word, punctuation mark or line break of a response.
    struct Token: Equatable {
        enum Kind: Equatable { case word, punctuation, newline }
        var kind: Kind
        /// As written.
        var text: String
        /// Lower-cased, for matching cue words.
        var lower: String
    }

    /// Splits into words (letters and digits, with inner apostrophes as in "isn't"),
    /// single punctuation marks and line breaks; other white space separates.
    static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var word = ""
        func flushWord() {
            guard !word.isEmpty else { return }
            // An apostrophe belongs to a word only between letters ("isn't", not "'B'").
            var trailingApostrophes = 0
            while word.hasSuffix("'") {
                word.removeLast()
                trailingApostrophes += 1
            }
            if !word.isEmpty { tokens.append(Token(kind: .word, text: word, lower: word.lowercased())) }
            for _ in 0..<trailingApostrophes { tokens.append(Token(kind: .punctuation, text: "'", lower: "'")) }
            word = ""
        }
        for character in text {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if character == "'", !word.isEmpty {
                word.append(character)
            } else {
                flushWord()
                if character.isNewline {
                    tokens.append(Token(kind: .newline, text: "\n", lower: "\n"))
                } else if !character.isWhitespace {
                    let mark = String(character)
                    tokens.append(Token(kind: .punctuation, text: mark, lower: mark))
                }
            }
        }
        flushWord()
        return tokens
    }

    /// The lower-cased words of a text, without punctuation: the form option texts and
    /// expected answers are compared in.
    static func words(_ text: String) -> [String] {
        tokens(clean(text)).filter { $0.kind == .word }.map(\.lower)
    }

    /// A short, single-line excerpt of a response for verdict details.
    static func excerpt(_ text: String, limit: Int = 80) -> String {
        let flat = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard flat.count > limit else { return flat }
        return String(flat.prefix(limit)) + "…"
    }
}
