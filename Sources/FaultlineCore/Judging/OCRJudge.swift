import Foundation

/// Judges OCR answers: exact match after normalisation, with the character error rate as
/// the graded score.
///
/// Normalisation is deliberately light, because OCR is about reading characters: Unicode
/// NFKC, typographic quotes and dashes mapped to their ASCII forms (engines such as
/// Tesseract emit “ ” ‘ ’ for straight quotes, a style choice rather than a misreading),
/// whitespace runs collapsed to one space and trimmed. Case and punctuation otherwise count;
/// `caseSensitive: false` relaxes case only.
public struct OCRJudge: Judge {
    public let caseSensitive: Bool

    public init(caseSensitive: Bool = true) { self.caseSensitive = caseSensitive }

    public var name: String { caseSensitive ? "ocr-exact/1" : "ocr-exact-nocase/1" }

    public func judge(response: ModelResponse, expected: ExpectedAnswer) -> Verdict {
        let got = normalise(response.text)
        let want = normalise(expected.text)
        let cer = Self.characterErrorRate(reference: want, hypothesis: got)
        let correct = got == want
        return Verdict(
            outcome: correct ? .correct : .wrong, score: max(0, 1 - cer), judge: name,
            detail: "expected \"\(want)\", read \"\(got)\", CER \(String(format: "%.3f", cer))")
    }

    /// NFKC, collapsed whitespace, optional case folding.
    public func normalise(_ text: String) -> String {
        var folded = text.precomposedStringWithCompatibilityMapping
        for (typographic, plain) in Self.typographicForms {
            folded = folded.replacingOccurrences(of: typographic, with: plain)
        }
        let words = folded.split(whereSeparator: { $0.isWhitespace })
        let joined = words.joined(separator: " ")
        return caseSensitive ? joined : joined.lowercased()
    }

    private static let typographicForms: [(String, String)] = [
        ("\u{201C}", "\""), ("\u{201D}", "\""), ("\u{201E}", "\""), ("\u{2018}", "'"), ("\u{2019}", "'"),
        ("\u{201A}", "'"), ("\u{2010}", "-"), ("\u{2011}", "-"), ("\u{2012}", "-"), ("\u{2013}", "-"),
    ]

    /// Levenshtein distance over characters divided by the reference length
    /// (1 when the reference is empty and the hypothesis is not).
    public static func characterErrorRate(reference: String, hypothesis: String) -> Double {
        let r = Array(reference), h = Array(hypothesis)
        if r.isEmpty { return h.isEmpty ? 0 : 1 }
        var previous = Array(0...h.count)
        var current = [Int](repeating: 0, count: h.count + 1)
        for i in 1...r.count {
            current[0] = i
            for j in stride(from: 1, through: h.count, by: 1) {
                let substitution = previous[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return Double(previous[h.count]) / Double(r.count)
    }
}
