import FaultlineCore

/// Wrong answers of the same kind as the right one, to draw multiple-choice options from.
public struct DistractorPool: Sendable, Hashable {
    /// Drawn first: values that make the question harder, e.g. colours that occur in the scene.
    public var preferred: [String]
    /// Drawn when `preferred` runs out, e.g. every other colour.
    public var fallback: [String]

    public init(preferred: [String] = [], fallback: [String] = []) {
        self.preferred = preferred
        self.fallback = fallback
    }
}

/// A template built from four parts — choose a subject, word it, compute its answer, list
/// wrong answers — with `make` and `reask` provided.
///
/// The wording depends on the subject only and the answer on the subject and the scene, so
/// re-asking on an edited scene keeps the prompt and recomputes the answer.
public protocol ComputedQuestionTemplate: QuestionTemplate {
    /// Chooses what to ask about in `scene`, or nil when nothing can be asked unambiguously.
    func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]?
    /// The question in words (without options or answer instruction), or nil for a subject
    /// this template cannot word.
    func stem(for subject: [String: String]) -> String?
    /// The right answer for `subject` in `scene` as option text ("red", "3", "yes"), or nil
    /// when `scene` does not determine it unambiguously.
    func answer(for subject: [String: String], in scene: Scene) -> String?
    /// Wrong answers of the same kind, for multiple choice.
    func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool
    /// Whether `option` is a wrong answer in `scene`; by default, whether it differs from the
    /// answer. Templates whose options are not mutually exclusive say more.
    func isWrong(_ option: String, for subject: [String: String], answer: String, in scene: Scene) -> Bool
    /// What a free-text prompt asks for.
    var freeTextInstruction: String { get }
    /// The fewest wrong options a multiple-choice question may show (three makes A–D).
    var minimumDistractors: Int { get }
}

extension ComputedQuestionTemplate {
    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool()
    }

    public func isWrong(_ option: String, for subject: [String: String], answer: String, in scene: Scene) -> Bool {
        option != answer
    }

    public var freeTextInstruction: String { QuestionPrompt.defaultFreeTextInstruction }

    public var minimumDistractors: Int { 3 }

    public func make(scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> Question? {
        guard formats.contains(format), let subject = subject(in: scene, format: format, rng: &rng),
            let stem = stem(for: subject), let value = answer(for: subject, in: scene)
        else { return nil }
        guard format == .multipleChoice else {
            return Question(
                prompt: QuestionPrompt.compose(stem: stem, format: format, freeTextInstruction: freeTextInstruction),
                expected: ExpectedAnswer(text: value, format: format), templateID: id, format: format,
                subject: subject)
        }
        guard let wrong = chooseDistractors(for: subject, answer: value, in: scene, rng: &rng) else { return nil }
        let options = QuestionRandom.shuffled([value] + wrong, rng: &rng)
        return multipleChoice(stem: stem, options: options, answer: value, subject: subject)
    }

    public func reask(_ question: Question, on scene: Scene, rng: inout SeededGenerator) -> Question? {
        guard question.templateID == id, formats.contains(question.format), let stem = stem(for: question.subject),
            let value = answer(for: question.subject, in: scene)
        else { return nil }
        guard question.format == .multipleChoice else {
            return Question(
                prompt: QuestionPrompt.compose(
                    stem: stem, format: question.format, freeTextInstruction: freeTextInstruction),
                expected: ExpectedAnswer(text: value, format: question.format), templateID: id,
                format: question.format, subject: question.subject)
        }
        guard var options = question.expected.choices,
            let oldIndex = QuestionPrompt.letterIndex(question.expected.text),
            options.indices.contains(oldIndex)
        else { return nil }
        if !options.contains(value) {
            // The old answer stays among the options: a model that ignores the edit picks it.
            let replaceable = options.indices.filter { $0 != oldIndex }
            guard let replaced = QuestionRandom.pick(replaceable, rng: &rng) else { return nil }
            options[replaced] = value
        }
        let stillWrong = options.allSatisfy {
            $0 == value || isWrong($0, for: question.subject, answer: value, in: scene)
        }
        guard stillWrong, Set(options).count == options.count else { return nil }
        return multipleChoice(stem: stem, options: options, answer: value, subject: question.subject)
    }

    /// Up to three distinct wrong answers, preferred ones first, each set drawn in random
    /// order; nil when fewer than `minimumDistractors` exist.
    private func chooseDistractors(
        for subject: [String: String], answer: String, in scene: Scene, rng: inout SeededGenerator
    ) -> [String]? {
        let pool = distractors(for: subject, answer: answer, in: scene)
        var chosen: [String] = []
        let wanted = QuestionPrompt.letters.count - 1
        for tier in [pool.preferred, pool.fallback] {
            var seen = Set(chosen)
            seen.insert(answer)
            let usable = tier.filter {
                seen.insert($0).inserted && isWrong($0, for: subject, answer: answer, in: scene)
            }
            chosen += QuestionRandom.shuffled(usable, rng: &rng).prefix(wanted - chosen.count)
        }
        return chosen.count >= minimumDistractors ? chosen : nil
    }

    private func multipleChoice(stem: String, options: [String], answer: String, subject: [String: String]) -> Question?
    {
        guard let index = options.firstIndex(of: answer) else { return nil }
        return Question(
            prompt: QuestionPrompt.compose(stem: stem, format: .multipleChoice, options: options),
            expected: ExpectedAnswer(text: QuestionPrompt.letters[index], format: .multipleChoice, choices: options),
            templateID: id, format: .multipleChoice, subject: subject)
    }
}
