/// Why `FailureAnalyzer` refused its settings or a row.
public enum FailureAnalysisError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model list given to the analyzer is empty or names a model twice.
    case invalidModelList(reason: String)
    /// A configuration value is out of range.
    case invalidConfiguration(field: String, value: String, expected: String)
    /// A row names a model the analyzer was not told about.
    case unknownModel(model: String, probeID: String, known: [String])
    /// The same (model, probe) was judged twice: counting it again would bias every rate.
    case duplicateRow(model: String, probeID: String)
    /// A score is not a number in [0, 1].
    case invalidScore(model: String, probeID: String, score: Double)

    public var description: String {
        switch self {
        case .invalidModelList(let reason):
            return "failure analysis: invalid model list: \(reason)"
        case .invalidConfiguration(let field, let value, let expected):
            return "failure analysis: configuration \(field) = \(value) is invalid: expected \(expected)"
        case .unknownModel(let model, let probeID, let known):
            return "failure analysis: probe \(probeID) was judged for model '\(model)', which is not in the run's "
                + "model list (\(known.joined(separator: ", "))): pass every model of the run to FailureAnalyzer(models:)"
        case .duplicateRow(let model, let probeID):
            return "failure analysis: probe \(probeID) was judged twice for model '\(model)': each (model, probe) "
                + "must appear once; check the store query for duplicate verdicts"
        case .invalidScore(let model, let probeID, let score):
            return "failure analysis: probe \(probeID), model '\(model)': score \(score) is not in [0, 1]"
        }
    }
}
