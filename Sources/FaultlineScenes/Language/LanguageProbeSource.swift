import FaultlineCore
import Foundation

/// Text-only probes: multiple-choice questions about facts, arithmetic and words that need
/// no image, for language models behind an HTTP endpoint and for the text-heavy side of the
/// modality-interference audit (the same question asked with an image added).
///
/// Probe `i` is made from the random stream `i` of `seed` alone, like the other suites, so
/// any probe can be made on its own and comes out the same however it is reached. Tasks are
/// taken in turn (arithmetic, word, fact) so that each is a third of the suite.
public struct LanguageProbeSource: ProbeSource {
    public let name = "language"
    public let count: Int
    public let seed: UInt64

    /// The three kinds of task, in the order probes take them.
    public enum Task: String, Sendable, CaseIterable {
        case arithmetic, word, fact
    }

    public init(count: Int, seed: UInt64) {
        precondition(count >= 0, "LanguageProbeSource needs count >= 0, got \(count)")
        self.count = count
        self.seed = seed
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    /// The probes from `start` on; probes before `start` are not generated.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        lazySamples(from: start) { ProbeSample(probe: probe(at: $0), imagePNGs: []) }
    }

    /// The probe id for index `index`, e.g. `lang-s42-000017`.
    public func probeID(at index: Int) -> String {
        Probe.generatedID(prefix: "lang", seed: seed, index: index)
    }

    /// Probe `index`: a question, four lettered options, and the letter of the right one.
    public func probe(at index: Int) -> Probe {
        precondition(index >= 0, "probe index must be >= 0, got \(index)")
        var rng = SeededGenerator(seed: seed, stream: UInt64(index))
        let task = Task.allCases[index % Task.allCases.count]
        let item: LanguageItem
        switch task {
        case .arithmetic: item = LanguageItem.arithmetic(rng: &rng)
        case .word: item = LanguageItem.word(rng: &rng)
        case .fact: item = LanguageItem.fact(rng: &rng)
        }
        let options = QuestionRandom.shuffled([item.answer] + item.distractors, rng: &rng)
        // The right answer is among the options by construction.
        let letter = QuestionPrompt.letters[options.firstIndex(of: item.answer) ?? 0]
        return Probe(
            id: probeID(at: index), images: [],
            prompt: QuestionPrompt.compose(stem: item.stem, format: .multipleChoice, options: options),
            expected: ExpectedAnswer(text: letter, format: .multipleChoice, choices: options),
            ability: .language,
            lineage: Lineage(
                source: name, seed: seed,
                factors: ["task": task.rawValue, "kind": item.kind, "format": AnswerFormat.multipleChoice.rawValue]))
    }
}

/// One text-only question before its options are shuffled.
struct LanguageItem {
    var kind: String
    var stem: String
    var answer: String
    /// Three wrong options, distinct from each other and from the answer.
    var distractors: [String]

    static func arithmetic(rng: inout SeededGenerator) -> LanguageItem {
        let operation = Int(rng.next() % 3)
        let a: Int, b: Int, result: Int, stem: String, kind: String
        switch operation {
        case 0:
            a = 2 + Int(rng.next() % 89); b = 2 + Int(rng.next() % 89)
            result = a + b; stem = "What is \(a) + \(b)?"; kind = "sum"
        case 1:
            a = 20 + Int(rng.next() % 80); b = 2 + Int(rng.next() % UInt64(a - 2))
            result = a - b; stem = "What is \(a) - \(b)?"; kind = "difference"
        default:
            a = 2 + Int(rng.next() % 11); b = 2 + Int(rng.next() % 11)
            result = a * b; stem = "What is \(a) × \(b)?"; kind = "product"
        }
        // Near misses of the kinds people make: off by one, by ten, by one operand.
        var candidates = [result + 1, result - 1, result + 10, result - 10, result + a, result - b, result + 2]
        candidates = QuestionRandom.shuffled(candidates.filter { $0 >= 0 && $0 != result }, rng: &rng)
        var distractors: [String] = []
        for value in candidates where !distractors.contains(String(value)) && distractors.count < 3 {
            distractors.append(String(value))
        }
        return LanguageItem(kind: kind, stem: stem, answer: String(result), distractors: distractors)
    }

    /// Lower-case words of 3–8 letters, for word puzzles.
    static let words: [String] = CommonWords.all.filter { word in
        (3...8).contains(word.count) && word.allSatisfy { $0.isASCII && $0.isLowercase }
    }

    static func word(rng: inout SeededGenerator) -> LanguageItem {
        switch Int(rng.next() % 3) {
        case 0:
            // Four words of four different lengths, so that the longest is unambiguous.
            var chosen: [String] = []
            while chosen.count < 4 {
                let word = words[Int(rng.next() % UInt64(words.count))]
                if !chosen.contains(where: { $0.count == word.count }) { chosen.append(word) }
            }
            let longest = chosen.max { $0.count < $1.count } ?? chosen[0]
            return LanguageItem(
                kind: "longest-word", stem: "Which of these words has the most letters?", answer: longest,
                distractors: chosen.filter { $0 != longest })
        case 1:
            var chosen: [String] = []
            while chosen.count < 4 {
                let word = words[Int(rng.next() % UInt64(words.count))]
                if !chosen.contains(word) { chosen.append(word) }
            }
            let first = chosen.min() ?? chosen[0]
            return LanguageItem(
                kind: "alphabetical", stem: "Which of these words comes first in alphabetical order?", answer: first,
                distractors: chosen.filter { $0 != first })
        default:
            let word = words[Int(rng.next() % UInt64(words.count))]
            let letters = Array(word)
            let position = Int(rng.next() % UInt64(min(letters.count, 3)))
            let answer = String(letters[position])
            let ordinals = ["first", "second", "third"]
            var distractors: [String] = []
            for letter in QuestionRandom.shuffled(Array("abcdefghijklmnopqrstuvwxyz"), rng: &rng)
            where String(letter) != answer && distractors.count < 3 {
                distractors.append(String(letter))
            }
            return LanguageItem(
                kind: "nth-letter", stem: "What is the \(ordinals[position]) letter of the word \"\(word)\"?",
                answer: answer, distractors: distractors)
        }
    }

    static func fact(rng: inout SeededGenerator) -> LanguageItem {
        let fact = FactBank.facts[Int(rng.next() % UInt64(FactBank.facts.count))]
        return LanguageItem(kind: fact.topic, stem: fact.question, answer: fact.answer, distractors: fact.distractors)
    }
}
