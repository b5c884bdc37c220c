import FaultlineCore
import Foundation

extension AuditPages {
    /// A repair: the data, the objective, and every figure before and after on held-out probes.
    public static func rectify(_ audit: RectifyAudit) -> String {
        var page = AuditPage(title: "Faultline repair · \(audit.model)", generator: audit.generator)
        let e = HTMLText.escape
        page.add("<header>\n<p class=\"muted\">Faultline · repair and held-out re-audit</p>\n<h1>Repair of \(e(audit.model))</h1>\n")
        page.add(
            "<p class=\"lede\">The model was fine-tuned on repair data built from its audit's findings, with the objective of the "
                + "modality-interference paper: the task loss, the loss on an adversarially perturbed question, and a consistency "
                + "term that pulls the answer distributions of the clean and the perturbed question together (λ = "
                + "\(e(audit.settings["lambda"] ?? "?")), \(e(audit.settings["divergence"] ?? "?"))). Then the original and the "
                + "repaired model were audited again on probes from seed \(audit.heldOutSeed), which neither the audit nor the repair "
                + "data used. A figure <strong>regressed</strong> when it got worse by more than the original's 95% interval.</p>\n")
        page.add("<dl class=\"meta\"><dt>Repaired model</dt><dd><code>\(e(audit.repairedModel))</code></dd>"
            + "<dt>Findings from</dt><dd>\(e(audit.fromAudits.joined(separator: ", ")))</dd>"
            + "<dt>Repair data</dt><dd>\(e(audit.repairData.keys.sorted().map { "\(audit.repairData[$0]!) \($0) pairs" }.joined(separator: ", ")))</dd>"
            + "<dt>Training</dt><dd>\(e(audit.settings["steps"] ?? "?")) steps, loss \(NumberText.fixed(audit.lossStart, digits: 3)) → \(NumberText.fixed(audit.lossEnd, digits: 3))</dd>"
            + "<dt>Held-out runs</dt><dd>\(e(audit.heldOutRuns.joined(separator: ", ")))</dd>"
            + "<dt>Exported</dt><dd class=\"mono\">\(e(audit.exports.joined(separator: ", ")))</dd></dl>\n</header>\n")
        if audit.repairedModel.isEmpty {
            page.add("<div class=\"takeaways\"><p>Not fine-tuned: \(e(audit.settings["fineTuned"] ?? "no fine-tune"))."
                + " The repair data above is ready for training elsewhere.</p></div>\n")
            return page.render()
        }
        page.add("<div class=\"takeaways\"><p>\(audit.regressions.isEmpty ? "Nothing regressed beyond its interval." : "Regressed: " + e(audit.regressions.map(\.name).joined(separator: ", ")))</p></div>\n")
        func table(_ title: String, _ note: String, _ rows: [RepairComparison], percent: Bool) {
            guard !rows.isEmpty else { return }
            func f(_ x: Double) -> String { percent ? NumberText.percent(x) : NumberText.percentagePoints(x) }
            page.add("<section><h2>\(e(title))</h2>\n<p class=\"lede\">\(e(note))</p>\n<table><thead><tr><th>What</th>"
                + "<th class=\"num\">Before (95%)</th><th class=\"num\">After (95%)</th><th class=\"num\">n</th><th>Verdict</th></tr></thead><tbody>\n")
            for row in rows {
                page.add("<tr><td>\(e(row.name))</td><td class=\"num\">\(f(row.before)) (\(f(row.beforeLow)) to \(f(row.beforeHigh)))</td>"
                    + "<td class=\"num\">\(f(row.after)) (\(f(row.afterLow)) to \(f(row.afterHigh)))</td><td class=\"num\">\(row.count)</td>"
                    + "<td>\(row.regressed ? "<strong>regressed</strong>" : "ok")</td></tr>\n")
            }
            page.add("</tbody></table></section>\n")
        }
        table("Spurious cues", "Accuracy without the cue minus accuracy with it, on new counterfactual pairs: 0 means the cue no longer matters.", audit.findings, percent: false)
        table("Modality interference", "The share of image questions whose answer changed when the text was perturbed: lower is better.", audit.interference, percent: true)
        table("Abilities", "Accuracy per ability on held-out scene questions: nothing may fall below the original's interval.", audit.abilities, percent: true)
        return page.render()
    }
}
