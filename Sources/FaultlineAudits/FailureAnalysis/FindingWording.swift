import FaultlineCore
import Foundation

/// Puts a finding into plain words: "ocr:tesseract fails on text rotated 10° or more: 12% vs
/// 94% exact match (n = 400, 95% CI 9–16%; q < 0.001)".
enum FindingWording {
    /// "fails on text rotated 10° or more", "fails on … when clutter = high",
    /// "fails when layout = grid and clutter = high".
    static func failurePhrase(_ conditions: [FactorCondition]) -> String {
        var nouns: [String] = [], clauses: [String] = []
        for condition in conditions {
            let level = displayLevel(condition.level)
            if let known = FactorVocabulary.phrases(for: condition.factor) {
                if condition.relation == .equals, condition.level == FactorVocabulary.noneLevel, let none = known.none {
                    nouns.append(none)
                    continue
                }
                let template: String
                switch condition.relation {
                case .equals: template = known.equals
                case .atLeast: template = known.atLeast
                case .atMost: template = known.atMost
                }
                nouns.append(template.replacingOccurrences(of: "#", with: level))
            } else {
                let relation = condition.relation == .equals ? "=" : condition.relation == .atLeast ? "≥" : "≤"
                clauses.append("\(condition.factor) \(relation) \(level)")
            }
        }
        var phrase = "fails"
        if !nouns.isEmpty { phrase += " on " + nouns.joined(separator: " and ") }
        if !clauses.isEmpty { phrase += " when " + clauses.joined(separator: " and ") }
        return phrase
    }

    /// The whole statement of a finding.
    static func statement(
        model: String, conditions: [FactorCondition], slice: Proportion, rest: Proportion, qValue: Double,
        metric: String
    ) -> String {
        "\(model) \(failurePhrase(conditions)): \(percent(slice.rate))% vs \(percent(rest.rate))% \(metric) "
            + "(n = \(slice.total), 95% CI \(percent(slice.low))–\(percent(slice.high))%; \(qText(qValue)))"
    }

    /// `q < 0.001`, or the q-value to three decimals.
    static func qText(_ q: Double) -> String {
        q < 0.001 ? "q < 0.001" : "q = " + String(format: "%.3f", q)
    }

    static func percent(_ rate: Double) -> Int { Int((rate * 100).rounded()) }

    /// `12px` reads as `12 px`; `10°`, `q30` and words stay as they are.
    static func displayLevel(_ level: String) -> String {
        guard let number = NumericLevel(level), let first = number.suffix.first, first.isLetter,
              level.hasSuffix(number.suffix)
        else { return level }
        return String(level.dropLast(number.suffix.count)) + " " + number.suffix
    }
}
