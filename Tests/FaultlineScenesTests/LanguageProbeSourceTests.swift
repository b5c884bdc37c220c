import FaultlineCore
import Foundation
import Testing

@testable import FaultlineScenes

@Suite("Language probe source (text-only questions)")
struct LanguageProbeSourceTests {
    @Test("the same seed gives the same probes, and probe i alone equals probe i of the sequence")
    func deterministic() {
        let source = LanguageProbeSource(count: 30, seed: 11)
        let first = Array(source.samples()).map(\.probe)
        let second = Array(LanguageProbeSource(count: 30, seed: 11).samples()).map(\.probe)
        #expect(first == second)
        #expect(Array(source.samples(from: 17)).first?.probe == first[17])
        #expect(first.map(\.prompt) != Array(LanguageProbeSource(count: 30, seed: 12).samples()).map(\.probe.prompt))
    }

    @Test("every probe is a text-only multiple-choice question with four distinct options and one right letter")
    func wellFormed() {
        for sample in LanguageProbeSource(count: 300, seed: 3).samples() {
            let probe = sample.probe
            #expect(probe.images.isEmpty && sample.imagePNGs.isEmpty)
            #expect(probe.ability == .language)
            let choices = probe.expected.choices ?? []
            #expect(choices.count == 4 && Set(choices).count == 4, "probe \(probe.id): \(choices)")
            let index = QuestionPrompt.letterIndex(probe.expected.text)
            #expect(index != nil, "probe \(probe.id)")
            for (letter, option) in zip(QuestionPrompt.letters, choices) {
                #expect(probe.prompt.contains("\n\(letter). \(option)\n"), "probe \(probe.id)")
            }
        }
    }

    @Test("the right option is right: arithmetic and word puzzles are recomputed from the prompt")
    func answersAreRight() throws {
        var checked = 0
        for sample in LanguageProbeSource(count: 240, seed: 9).samples() {
            let probe = sample.probe
            let stem = String(probe.prompt.split(separator: "\n")[0])
            let choices = probe.expected.choices ?? []
            let answer = choices[QuestionPrompt.letterIndex(probe.expected.text) ?? 0]
            switch probe.lineage.factors["kind"] {
            case "sum", "difference", "product":
                let numbers = stem.split { !$0.isNumber }.compactMap { Int($0) }
                let result = stem.contains("+") ? numbers[0] + numbers[1] : stem.contains("×") ? numbers[0] * numbers[1] : numbers[0] - numbers[1]
                #expect(answer == String(result), "probe \(probe.id): \(stem) → \(answer)")
                checked += 1
            case "longest-word":
                #expect(choices.allSatisfy { $0.count < answer.count || $0 == answer }, "probe \(probe.id)")
                checked += 1
            case "alphabetical":
                #expect(answer == choices.min(), "probe \(probe.id)")
                checked += 1
            case "nth-letter":
                let word = try #require(stem.split(separator: "\"").dropFirst().first)
                let position = ["first", "second", "third"].firstIndex { stem.contains(" \($0) letter") } ?? -1
                #expect(String(Array(word)[position]) == answer, "probe \(probe.id)")
                checked += 1
            default:
                #expect(probe.lineage.factors["task"] == "fact")
            }
        }
        #expect(checked > 120)
    }

    @Test("tasks take turns, so each is a third of the suite")
    func balanced() {
        let tasks = LanguageProbeSource(count: 90, seed: 1).samples().map { $0.probe.lineage.factors["task"] ?? "" }
        #expect(Dictionary(grouping: tasks, by: { $0 }).mapValues(\.count) == ["arithmetic": 30, "word": 30, "fact": 30])
    }
}
