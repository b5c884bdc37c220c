import FaultlineCore

/// "What is the value of apples in the chart?"
public struct ChartValueTemplate: ComputedQuestionTemplate {
    public let id = "structured-data.chart-value"
    public let ability = Ability.structuredData
    public let formats: [AnswerFormat] = [.number, .multipleChoice]
    public let sceneKind = QuestionSceneKind.chart

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        guard let chart = scene.chart else { return nil }
        let askable = chart.labels.filter { ChartSupport.value(of: $0, in: chart) != nil }
        return QuestionRandom.pick(askable, rng: &rng).map { ["category": $0] }
    }

    public func stem(for subject: [String: String]) -> String? {
        subject["category"].map { "What is the value of \($0) in the chart?" }
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let chart = scene.chart, let category = subject["category"] else { return nil }
        return ChartSupport.value(of: category, in: chart).map(String.init)
    }

    /// The chart's other values first: misreading the bar is the likeliest mistake.
    public func distractors(for subject: [String: String], answer: String, in scene: Scene) -> DistractorPool {
        DistractorPool(
            preferred: QuestionSupport.unique((scene.chart?.values ?? []).map(String.init)),
            fallback: QuestionSupport.nearbyNumbers(Int(answer) ?? 0))
    }
}

/// Lookups shared by the chart templates.
enum ChartSupport {
    /// The value of a category that appears exactly once; nil otherwise, or when the chart's
    /// labels and values do not line up.
    static func value(of category: String, in chart: Chart) -> Int? {
        guard chart.labels.count == chart.values.count else { return nil }
        let positions = chart.labels.indices.filter { chart.labels[$0] == category }
        return positions.count == 1 ? chart.values[positions[0]] : nil
    }

    /// Whether every category appears once and has a value.
    static func isWellFormed(_ chart: Chart) -> Bool {
        chart.labels.count == chart.values.count && Set(chart.labels).count == chart.labels.count
    }
}
