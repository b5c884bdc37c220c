import FaultlineAudits
import FaultlineCore
import Testing

@Suite struct AbilityAnalyzerTests {
    func row(_ id: Int, model: String = "m", ability: Ability, correct: Bool, factors: [String: String], detail: String = "")
        -> JudgedProbe
    {
        JudgedProbe(
            probeID: "p\(id)", modelKey: model, ability: ability, prompt: "", expected: "", response: "",
            outcome: correct ? .correct : .wrong, score: correct ? 1 : 0, judge: "j", detail: detail, factors: factors,
            image: nil, latencySeconds: 0)
    }

    @Test func stabilityIsOneMinusTheSpreadOfSubSuiteAccuracy() throws {
        var analyzer = AbilityAnalyzer()
        // counting: 90/100 right when asked for a number, 50/100 as multiple choice.
        for i in 0..<100 { analyzer.add(row(i, ability: .counting, correct: i < 90, factors: ["format": "number"])) }
        for i in 100..<200 {
            analyzer.add(row(i, ability: .counting, correct: i < 150, factors: ["format": "multiple-choice"],
                             detail: i >= 190 ? "unparsed: no option asserted" : ""))
        }
        // A small sub-suite is shown but does not enter the spread.
        for i in 200..<205 { analyzer.add(row(i, ability: .counting, correct: false, factors: ["format": "yes-no"])) }
        var error = row(300, ability: .counting, correct: false, factors: ["format": "number"])
        error.outcome = .error
        analyzer.add(error)

        let score = try #require(analyzer.scores().first)
        #expect(score.ability == .counting)
        #expect(score.accuracy.total == 205)
        #expect(score.accuracy.successes == 140)
        #expect(abs(try #require(score.stability) - 0.6) < 1e-12)
        #expect(score.weakestSubSuite == "format=multiple-choice")
        #expect(score.strongestSubSuite == "format=number")
        #expect(score.subSuites.count == 3)
        let low = try #require(score.stabilityLow), high = try #require(score.stabilityHigh)
        #expect(low < 0.6 && 0.6 < high)
        #expect(high - low < 0.35)
        #expect(abs(score.unparsedRate - 10.0 / 205.0) < 1e-12)
    }

    @Test func oneSubSuiteGivesNoStabilityAndOrderIsDeterministic() {
        var analyzer = AbilityAnalyzer()
        for i in 0..<40 {
            analyzer.add(row(i, model: i % 2 == 0 ? "b" : "a", ability: i % 4 < 2 ? .ocr : .counting, correct: true, factors: ["format": "number"]))
        }
        let scores = analyzer.scores()
        #expect(scores.map(\.model) == ["a", "a", "b", "b"])
        #expect(scores.map(\.ability) == [.counting, .ocr, .counting, .ocr])
        #expect(scores.allSatisfy { $0.stability == nil })
        #expect(analyzer.scores() == scores)
    }
}
