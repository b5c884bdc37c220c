import FaultlineCore

/// "What is the difference between apples and pears in the chart?" — the absolute
/// difference of the two values, so the order of naming does not matter.
public struct ChartDifferenceTemplate: ComputedQuestionTemplate {
    public let id = "structured-data.chart-difference"
    public let ability = Ability.structuredData
    public let formats: [AnswerFormat] = [.number]
    public let sceneKind = QuestionSceneKind.chart

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard let chart = scene.chart, ChartSupport.isWellFormed(chart), chart.labels.count >= 2 else { return nil }
        let order = QuestionRandom.shuffled(chart.labels, rng: &rng)
        return ["first": order[0], "second": order[1]]
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let first = subject["first"], let second = subject["second"], first != second else { return nil }
        return "What is the difference between \(first) and \(second) in the chart?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let chart = scene.chart, let first = subject["first"], let second = subject["second"], first != second,
            let a = ChartSupport.value(of: first, in: chart), let b = ChartSupport.value(of: second, in: chart)
        else { return nil }
        return String(abs(a - b))
    }
}
