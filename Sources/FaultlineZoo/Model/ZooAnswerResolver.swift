import FaultlineCore
import FaultlineScenes

/// Turns the answer head's distribution into an answer in the probe's format.
///
/// The classifier scores every answer of its vocabulary; the format narrows the candidates:
/// multiple choice compares the options (renormalised over them, so the probabilities are
/// the model's choice distribution), yes/no compares "yes" and "no", a number takes the most
/// likely number, free text the most likely answer of all.
public enum ZooAnswerResolver {
    /// The resolved answer: its text as the probe expects it (a letter for multiple choice)
    /// and, for closed formats, a probability per choice.
    public struct Resolution: Sendable, Equatable {
        public var text: String
        /// The answer value (for multiple choice the option, not its letter).
        public var value: String
        public var choiceProbabilities: [String: Double]?
    }

    public static func resolve(
        probabilities: [Float], format: AnswerFormat, options: [String]?, answers: AnswerVocabulary
    ) -> Resolution {
        switch format {
        case .multipleChoice:
            let options = options ?? []
            let scores = options.map { option in answers.index(of: option).map { Double(probabilities[$0]) } ?? 0 }
            let total = scores.reduce(0, +)
            let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
            let letters = QuestionPrompt.letters
            var distribution: [String: Double] = [:]
            for (index, score) in scores.enumerated() where index < letters.count {
                distribution[letters[index]] = total > 0 ? score / total : 1 / Double(scores.count)
            }
            guard !options.isEmpty, best < letters.count else { return Resolution(text: "", value: "", choiceProbabilities: nil) }
            return Resolution(text: letters[best], value: options[best], choiceProbabilities: distribution)
        case .yesNo:
            let yes = answers.index(of: "yes").map { Double(probabilities[$0]) } ?? 0
            let no = answers.index(of: "no").map { Double(probabilities[$0]) } ?? 0
            let total = yes + no
            let answer = yes >= no ? "yes" : "no"
            return Resolution(
                text: answer, value: answer,
                choiceProbabilities: total > 0 ? ["yes": yes / total, "no": no / total] : nil)
        case .number:
            let best = answers.numberIndices.max { probabilities[$0] < probabilities[$1] }
            let answer = best.map(answers.answer(at:)) ?? ""
            return Resolution(text: answer, value: answer, choiceProbabilities: nil)
        case .freeText, .box:
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            let answer = answers.answer(at: best)
            return Resolution(text: answer, value: answer, choiceProbabilities: nil)
        }
    }
}
