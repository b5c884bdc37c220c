import Foundation

/// The answer a response gives, as a value comparable across probes: the chosen option's
/// text for multiple choice (not its letter, which changes with shuffling), `yes`/`no`, a
/// number, or the cleaned free text. Audits that ask "which answer does the model give when
/// the background is grass?" compare these values.
public enum AnswerValue {
    /// The value `response` gives for a probe expecting `expected`, or nil when none can be read.
    public static func read(_ response: String, expected: ExpectedAnswer) -> String? {
        switch expected.format {
        case .multipleChoice:
            let options = expected.choices ?? []
            guard !options.isEmpty, let letter = ChoiceExtractor(options: options).extract(from: response).letter,
                let index = options.indices.first(where: { ChoiceExtractor.letter(at: $0) == letter })
            else { return nil }
            return normalised(options[index])
        case .yesNo:
            return YesNoJudge.answer(in: response).map { $0 ? "yes" : "no" }
        case .number:
            return NumberReader.numbers(in: response).first.map { NumberReader.format($0.value) }
        case .freeText:
            let cleaned = normalised(ResponseText.clean(response))
            return cleaned.isEmpty ? nil : cleaned
        case .box:
            return nil
        }
    }

    /// The value a probe expects, in the same form as `read`.
    public static func expected(_ expected: ExpectedAnswer) -> String {
        switch expected.format {
        case .multipleChoice:
            let options = expected.choices ?? []
            let index = options.indices.first { ChoiceExtractor.letter(at: $0) == expected.text.uppercased() }
            return normalised(index.map { options[$0] } ?? expected.text)
        case .number:
            return Double(expected.text).map(NumberReader.format) ?? normalised(expected.text)
        default:
            return normalised(expected.text)
        }
    }

    /// The values a probe offers as possible answers: its options, yes and no, or nil when the
    /// answer space is open (numbers, free text).
    public static func offered(_ expected: ExpectedAnswer) -> [String]? {
        switch expected.format {
        case .multipleChoice: (expected.choices ?? []).map(normalised)
        case .yesNo: ["yes", "no"]
        default: nil
        }
    }

    static func normalised(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).lowercased()
    }
}
