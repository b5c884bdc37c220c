import FaultlineCore
import FaultlineReport
import Foundation

/// The short summary printed at the end of a run: one row per model, then the top findings.
enum TerminalSummary {
    static func render(manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil, topFindings: Int = 5) -> String {
        let tokens = timing?.reportsTokens ?? false
        var rows: [[String]] = [
            ["model", "accuracy (95% CI)", "mean score", "correct", "wrong", "errors", "latency p50/p95", "probes/s"]
                + (tokens ? ["tokens in/out", "tokens/s"] : [])
        ]
        for model in analysis.models {
            let speed = timing?.models.first { $0.model == model.model }
            var row = [
                model.model,
                String(format: "%.1f%% (%.1f–%.1f)", 100 * model.accuracy.rate, 100 * model.accuracy.low, 100 * model.accuracy.high),
                String(format: "%.3f", model.meanScore),
                "\(model.correct)", "\(model.wrong)", "\(model.errors)",
                speed.map { String(format: "%.0f/%.0f ms", 1000 * $0.p50LatencySeconds, 1000 * $0.p95LatencySeconds) } ?? "–",
                speed.flatMap { $0.probesPerSecond > 0 ? String(format: "%.1f", $0.probesPerSecond) : nil } ?? "cached",
            ]
            if tokens {
                row.append(speed.map { "\($0.promptTokens)/\($0.completionTokens)" } ?? "–")
                row.append(speed?.completionTokensPerSecond.map { String(format: "%.1f", $0) } ?? "–")
            }
            rows.append(row)
        }
        var lines = ["", "Run \(manifest.runID): \(manifest.suite)"]
        lines.append(contentsOf: table(rows))
        if let abilities = analysis.abilities, !abilities.isEmpty {
            lines.append("")
            lines.append(contentsOf: abilityTable(abilities))
        }
        if analysis.findings.isEmpty {
            lines.append("\nNo significant findings.")
        } else {
            lines.append("\nTop findings (\(analysis.findings.count) in all):")
            for finding in analysis.findings.prefix(topFindings) {
                lines.append("  \(finding.id). \(finding.statement)")
            }
        }
        for disagreement in analysis.disagreements where disagreement.count > 0 {
            lines.append("  \(disagreement.rightModel) right, \(disagreement.wrongModel) wrong: \(disagreement.count) probes")
        }
        return lines.joined(separator: "\n")
    }

    /// Ability × model: accuracy and stability with their intervals, and the weakest sub-suite.
    static func abilityTable(_ scores: [AbilityScore]) -> [String] {
        var rows: [[String]] = [["ability", "model", "accuracy (95% CI)", "stability (95% CI)", "weakest sub-suite", "unparsed"]]
        for ability in Ability.allCases {
            for score in scores where score.ability == ability {
                rows.append([
                    ability.rawValue, score.model,
                    String(format: "%.1f%% (%.1f–%.1f) n=%d", 100 * score.accuracy.rate, 100 * score.accuracy.low,
                           100 * score.accuracy.high, score.accuracy.total),
                    score.stability.map { String(format: "%.2f (%.2f–%.2f)", $0, score.stabilityLow ?? $0, score.stabilityHigh ?? $0) } ?? "–",
                    score.weakestSubSuite ?? "–",
                    String(format: "%.1f%%", 100 * score.unparsedRate),
                ])
            }
        }
        return table(rows)
    }

    /// Left-aligned columns with a rule under the header.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines: [String] = []
        for (index, row) in rows.enumerated() {
            lines.append("  " + zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
            if index == 0 { lines.append("  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")) }
        }
        return lines
    }
}
