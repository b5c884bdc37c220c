import FaultlineCore

/// Pairs every perturbed probe of an interference run with its clean parent, per model, and
/// computes the metrics per model × perturbation.
public enum InterferenceAnalysis {
    /// The cells of a run, in model order then perturbation order. Pairs where either answer
    /// is an error (the model could not answer) are left out; a perturbation with no pair for
    /// a model gives no cell.
    public static func cells(_ answers: [AnsweredProbe], models: [String]) -> [InterferenceCell] {
        var clean: [String: [String: AnsweredProbe]] = [:]  // model → probe id → answer
        var perturbed: [String: [String: [(clean: String, answer: AnsweredProbe)]]] = [:]  // model → perturbation → pairs
        for answer in answers where answer.outcome != .error {
            let lineage = answer.probe.lineage
            if let parent = lineage.parent, let name = lineage.transformation,
                InterferencePerturbation(rawValue: name) != nil
            {
                perturbed[answer.modelKey, default: [:]][name, default: []].append((parent, answer))
            } else {
                clean[answer.modelKey, default: [:]][answer.probe.id] = answer
            }
        }
        var cells: [InterferenceCell] = []
        for model in models {
            for perturbation in InterferencePerturbation.allCases {
                let pairs: [(PerturbedPair, String, String)] = (perturbed[model]?[perturbation.rawValue] ?? []).compactMap { item in
                    guard let base = clean[model]?[item.clean] else { return nil }
                    let pair = PerturbedPair(
                        probeID: base.probe.id, cleanAnswer: chosen(base), perturbedAnswer: chosen(item.answer),
                        cleanCorrect: base.outcome == .correct, perturbedCorrect: item.answer.outcome == .correct,
                        cleanDistribution: base.response?.choiceProbabilities,
                        perturbedDistribution: item.answer.response?.choiceProbabilities)
                    return (pair, base.probe.id, item.answer.probe.id)
                }
                guard !pairs.isEmpty else { continue }
                let flips = pairs.filter { $0.0.cleanCorrect && !$0.0.perturbedCorrect }.prefix(4).map { [$0.1, $0.2] }
                cells.append(
                    InterferenceCell(
                        model: model, perturbation: perturbation.rawValue, side: perturbation.side.rawValue,
                        metrics: InterferenceMetrics(pairs: pairs.map(\.0)), exampleFlips: Array(flips)))
            }
        }
        return cells
    }

    /// The chosen answer as a value (so "B" and "B. red" agree), or the raw text when none can be read.
    static func chosen(_ answer: AnsweredProbe) -> String {
        answer.answerValue ?? answer.response?.text ?? ""
    }
}
