import FaultlineCore

/// A question about a scene, with the answer computed from the scene graph.
///
/// `subject` records what the question is about — the attributes its referring expressions
/// name, the relation, the colour asked about — so that the same question can be asked
/// again of an edited scene and answered from that scene (`QuestionTemplate.reask(_:on:rng:)`).
public struct Question: Codable, Sendable, Hashable {
    /// The full prompt: the question, the options for multiple choice, and how to answer.
    public var prompt: String
    public var expected: ExpectedAnswer
    /// The `id` of the template that made the question.
    public var templateID: String
    public var format: AnswerFormat
    /// What the question is about, e.g. `["target.shape": "star", "target.colour": "red"]`.
    public var subject: [String: String]

    public init(
        prompt: String, expected: ExpectedAnswer, templateID: String, format: AnswerFormat,
        subject: [String: String]
    ) {
        self.prompt = prompt
        self.expected = expected
        self.templateID = templateID
        self.format = format
        self.subject = subject
    }

    /// The right answer as a value ("red", "3", "top left"): for multiple choice the text of
    /// the right option rather than its letter.
    public var answerValue: String {
        guard format == .multipleChoice, let choices = expected.choices,
            let index = QuestionPrompt.letterIndex(expected.text), choices.indices.contains(index)
        else { return expected.text }
        return choices[index]
    }
}

/// The kind of scene a template asks about, so that a suite generates a scene that can
/// answer it.
public enum QuestionSceneKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// Shapes on a background, possibly with labels and a sign.
    case objects
    case chart
    case table
}
