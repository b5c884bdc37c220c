import FaultlineCore

/// How prompts are put together: the question, then the options or the answer instruction,
/// worded the same way for every template so that formats compare like for like.
public enum QuestionPrompt {
    /// Option letters, in the order options are shown; multiple choice has at most four.
    public static let letters = ["A", "B", "C", "D"]

    public static let numberInstruction = "Answer with a number."
    public static let yesNoInstruction = "Answer yes or no."
    public static let letterInstruction = "Answer with the letter."
    public static let boxInstruction =
        "Answer with x0,y0,x1,y1: the left, top, right and bottom edges as fractions of the image width and height, "
        + "from 0 to 1 with 3 decimals."
    /// The free-text instruction templates use unless they say something more specific.
    public static let defaultFreeTextInstruction = "Answer with a single word or phrase."

    /// The prompt for `stem` in `format`; `options` are shown lettered for multiple choice.
    public static func compose(
        stem: String, format: AnswerFormat, options: [String] = [],
        freeTextInstruction: String = defaultFreeTextInstruction
    ) -> String {
        switch format {
        case .number: return stem + "\n" + numberInstruction
        case .yesNo: return stem + "\n" + yesNoInstruction
        case .freeText: return stem + "\n" + freeTextInstruction
        case .box: return stem + "\n" + boxInstruction
        case .multipleChoice:
            let lines = zip(letters, options).map { "\($0). \($1)" }
            return ([stem] + lines + [letterInstruction]).joined(separator: "\n")
        }
    }

    /// The position of an option letter ("A" → 0), or nil for anything else.
    public static func letterIndex(_ letter: String) -> Int? { letters.firstIndex(of: letter) }
}
