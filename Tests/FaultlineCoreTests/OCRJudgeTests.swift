import FaultlineCore
import Foundation
import Testing

@Suite struct OCRJudgeTests {
    let judge = OCRJudge()

    func verdict(_ read: String, _ expected: String) -> Verdict {
        judge.judge(response: ModelResponse(text: read), expected: ExpectedAnswer(text: expected, format: .freeText))
    }

    @Test func whitespaceAndTypographicQuotesAreNormalisedButCaseAndPunctuationCount() {
        #expect(verdict("  hello \n world ", "hello world").outcome == .correct)
        #expect(verdict("\u{201C}bone\u{201D} park\u{2019}s", "\"bone\" park's").outcome == .correct)
        #expect(verdict("Hello world", "hello world").outcome == .wrong)
        #expect(verdict("hello world.", "hello world").outcome == .wrong)
        #expect(OCRJudge(caseSensitive: false).judge(
            response: ModelResponse(text: "HELLO"), expected: ExpectedAnswer(text: "hello", format: .freeText)).outcome == .correct)
    }

    @Test func characterErrorRateIsLevenshteinOverReferenceLength() {
        #expect(OCRJudge.characterErrorRate(reference: "kitten", hypothesis: "sitting") == 3.0 / 6.0)
        #expect(OCRJudge.characterErrorRate(reference: "abc", hypothesis: "abc") == 0)
        #expect(OCRJudge.characterErrorRate(reference: "", hypothesis: "") == 0)
        #expect(OCRJudge.characterErrorRate(reference: "", hypothesis: "x") == 1)
        let partial = verdict("villagesoldier", "village soldier")
        #expect(partial.outcome == .wrong)
        #expect(abs(partial.score - (1 - 1.0 / 15.0)) < 1e-12)
        #expect(partial.judge == "ocr-exact/1")
        // A reading far longer than the reference scores 0, never negative.
        #expect(verdict("a very long hallucination", "snow").score == 0)
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Data(repeating: 0x61, count: 1_000)
        #expect(SHA256.hex(of: long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
