import FaultlineCore

/// "Which category has the largest value?" (or the smallest), asked only when one category
/// holds it alone.
public struct ChartExtremeTemplate: ComputedQuestionTemplate {
    public let id = "structured-data.chart-extreme"
    public let ability = Ability.structuredData
    public let formats: [AnswerFormat] = [.multipleChoice, .freeText]
    public let sceneKind = QuestionSceneKind.chart
    public let freeTextInstruction = "Answer with the category name."
    /// Charts may have only three categories.
    public let minimumDistractors = 2

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        let extremes = ["largest", "smallest"]
        guard let extreme = QuestionRandom.pick(extremes, rng: &rng) else { return nil }
        let subject = ["extreme": extreme]
        return answer(for: subject, in: scene) == nil ? nil : subject
    }

    public func stem(for subject: [String: String]) -> String? {
        guard let extreme = subject["extreme"], ["largest", "smallest"].contains(extreme) else { return nil }
        return "Which category has the \(extreme) value in the chart?"
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let chart = scene.chart, ChartSupport.isWellFormed(chart), let extreme = subject["extreme"],
            let target = extreme == "largest" ? chart.values.max() : chart.values.min()
        else { return nil }
        let holders = chart.labels.indices.filter { chart.values[$0] == target }
        return holders.count == 1 ? chart.labels[holders[0]] : nil
    }

    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(fallback: scene.chart?.labels ?? [])
    }
}
