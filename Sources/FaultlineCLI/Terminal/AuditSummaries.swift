import FaultlineCore
import Foundation

/// The terminal summary of a spurious-correlation audit.
enum SpuriousSummary {
    static func render(_ audit: SpuriousAudit) -> String {
        var lines = ["Spurious-correlation audit (mined from \(audit.miningRunID); groups \(audit.groupRunID.isEmpty ? "none" : audit.groupRunID))"]
        for model in audit.models {
            let candidates = audit.candidates.filter { $0.model == model }
            let confirmed = audit.confirmed(for: model)
            lines.append("")
            lines.append("\(model): \(audit.testedPairs[model] ?? 0) cue × answer pairs tested, \(candidates.count) candidate(s), \(confirmed.count) confirmed")
            for group in audit.groups.filter({ $0.model == model }).sorted(by: { $0.gap > $1.gap }) {
                let mark = group.confirmed ? "CONFIRMED" : group.affected ? "affected (another model's cue)" : "not confirmed"
                lines.append(
                    "  \(mark): \(group.cue) → \"\(group.answer)\": accuracy \(SummaryNumbers.percent(group.anchorAccuracy.rate)) with the cue, "
                        + "\(SummaryNumbers.percent(group.counterfactualAccuracy.rate)) without (gap \(SummaryNumbers.signed(group.gap)), 95% \(SummaryNumbers.signed(group.gapLow))…\(SummaryNumbers.signed(group.gapHigh)), "
                        + "\(group.pairs) pairs; mined from \(group.minedFrom))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// How the audit summaries print rates and differences.
enum SummaryNumbers {
    /// A rate as a percentage with one decimal: `0.123` → `12.3%`.
    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }
    /// A difference of rates in points, signed: `0.05` → `+5.0`.
    static func signed(_ value: Double) -> String { String(format: "%+.1f", value * 100) }
}

/// The terminal summary of an interference audit.
enum InterferenceSummary {
    static func render(_ audit: InterferenceAudit) -> String {
        var lines = ["Modality interference (run \(audit.runID)): δ_cp = share of answers that changed; drop = accuracy lost"]
        for model in audit.models {
            lines.append("")
            lines.append(model)
            for cell in audit.cells where cell.model == model {
                let m = cell.metrics
                var line = "  \(cell.perturbation.padding(toLength: 24, withPad: " ", startingAt: 0)) δ_cp "
                    + SummaryNumbers.percent(m.flipRate.rate) + "  drop " + SummaryNumbers.signed(m.accuracyDrop)
                    + " (95% \(SummaryNumbers.signed(m.accuracyDropLow))…\(SummaryNumbers.signed(m.accuracyDropHigh)))  n=\(m.flipRate.total)"
                if let js = m.meanJS { line += String(format: "  JS %.3f", js) }
                lines.append(line)
            }
            for point in audit.attacks where point.model == model {
                lines.append(
                    "  attack \(point.method) ε=\(point.epsilon) \(point.unit): \(SummaryNumbers.percent(point.success.rate)) of \(point.success.total) changed"
                        + (point.meanQueries.map { String(format: " (%.1f queries on average, cap %d)", $0, point.queryCap ?? 0) } ?? ""))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The terminal summary of a repair.
enum RectifySummary {
    static func render(_ audit: RectifyAudit, weights: String) -> String {
        var lines = ["Repair of \(audit.model) (held-out seed \(audit.heldOutSeed)); repaired weights: \(weights)"]
        lines.append(
            "Repair data: " + audit.repairData.keys.sorted().map { "\(audit.repairData[$0]!) \($0) pairs" }.joined(separator: ", ")
                + String(format: "; loss %.3f → %.3f", audit.lossStart, audit.lossEnd))
        func row(_ c: RepairComparison, percent: Bool) -> String {
            let f = { (x: Double) in percent ? SummaryNumbers.percent(x) : SummaryNumbers.signed(x) }
            return "  \(c.name.padding(toLength: max(44, c.name.count), withPad: " ", startingAt: 0)) \(f(c.before)) (\(f(c.beforeLow))…\(f(c.beforeHigh))) → "
                + "\(f(c.after)) (\(f(c.afterLow))…\(f(c.afterHigh)))\(c.regressed ? "  REGRESSED" : "")"
        }
        if !audit.findings.isEmpty {
            lines.append("Spurious cues, accuracy gap without − with the cue (points):")
            lines += audit.findings.map { row($0, percent: false) }
        }
        lines.append("Modality interference, answers changed:")
        lines += audit.interference.map { row($0, percent: true) }
        lines.append("Abilities, accuracy:")
        lines += audit.abilities.map { row($0, percent: true) }
        lines.append(audit.regressions.isEmpty ? "Nothing regressed beyond its interval." : "Regressed: " + audit.regressions.map(\.name).joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
