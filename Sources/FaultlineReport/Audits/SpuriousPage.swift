import FaultlineCore
import Foundation

/// The HTML pages of the audits that are not plain runs.
public enum AuditPages {
    /// The spurious-correlation audit: what was tested, the candidates per model, and the
    /// counterfactual groups with example pairs.
    public static func spurious(_ audit: SpuriousAudit, evidence: AuditEvidence) -> String {
        var page = AuditPage(title: "Faultline spurious-correlation audit · \(audit.runID)", generator: audit.generator)
        let e = HTMLText.escape
        page.add("<header>\n<p class=\"muted\">Faultline · spurious-correlation audit (SpuriVerse)</p>\n<h1>\(e(audit.runID))</h1>\n")
        page.add(
            "<p class=\"lede\">A <em>spurious cue</em> is something in the input that should not matter to the answer — the "
                + "background, the colour of other objects, a harmless phrase before the question — but that the model has "
                + "learnt to follow. This audit looks for cues in two steps. <strong>Mining:</strong> "
                + "\(Int(audit.settings["miningProbes"] ?? 0)) questions whose cues were drawn at random; for every wrong answer a "
                + "model gives, each cue is tested for making that answer more frequent. <strong>Confirmation:</strong> for each "
                + "candidate, new pairs of questions that differ only in the cue — present in the <em>anchor</em>, removed in the "
                + "<em>counterfactual</em> — with the same right answer, never the cue's answer. A cue is <strong>confirmed</strong> "
                + "when accuracy without the cue is higher by at least \(AuditPage.points(audit.settings["minimumGap"] ?? 0.1)), "
                + "the gap stays above zero with a Bonferroni correction over the model's candidates (the table shows the plain "
                + "95% interval), and the cue was mined from that model.</p>\n")
        page.add("<dl class=\"meta\"><dt>Mining run</dt><dd><code>\(e(audit.miningRunID))</code></dd>"
            + "<dt>Group run</dt><dd><code>\(e(audit.groupRunID.isEmpty ? "none (no candidate)" : audit.groupRunID))</code></dd>"
            + "<dt>Seed</dt><dd>\(audit.seed)</dd><dt>Models</dt><dd>\(e(audit.models.joined(separator: ", ")))</dd></dl>\n</header>\n")

        page.add("<section><h2>Counterfactual groups</h2>\n<table><thead><tr><th>Model</th><th>Cue</th><th>Pulls towards</th>"
            + "<th class=\"num\">With cue</th><th class=\"num\">Without</th><th class=\"num\">Gap (95%)</th>"
            + "<th class=\"num\">Says the cue's answer</th><th class=\"num\">Pairs</th><th>Verdict</th></tr></thead><tbody>\n")
        for model in audit.models {
            let groups = audit.groups.filter { $0.model == model }.sorted { ($0.gap, $0.cue) > ($1.gap, $1.cue) }
            if groups.isEmpty {
                page.add("<tr><td>\(e(model))</td><td colspan=\"8\" class=\"muted\">no candidate to confirm</td></tr>\n")
            }
            for group in groups {
                page.add("<tr><td>\(e(model))</td><td>\(e(group.cue.description))</td><td>\(e(group.answer))</td>"
                    + "<td class=\"num\">\(AuditPage.percent(group.anchorAccuracy.rate))</td>"
                    + "<td class=\"num\">\(AuditPage.percent(group.counterfactualAccuracy.rate))</td>"
                    + "<td class=\"num\">\(AuditPage.points(group.gap)) (\(AuditPage.interval(group.gapLow, group.gapHigh)))</td>"
                    + "<td class=\"num\">\(AuditPage.percent(group.anchorSaysCueAnswer.rate))</td>"
                    + "<td class=\"num\">\(group.pairs)</td><td>\(group.confirmed ? "<strong>confirmed</strong>" : group.affected ? "affected (mined from \(e(group.minedFrom)))" : "not confirmed")</td></tr>\n")
            }
        }
        page.add("</tbody></table>\n<p class=\"muted\">Every model answers every group, so a cue mined from one model is also "
            + "measured on the others. A cue is confirmed for a model only when it was also mined from that model's answers; a model that loses accuracy on another model's cue is marked <em>affected</em> — it is distracted, but did not learn the cue.</p></section>\n")

        page.add("<section><h2>Candidates from mining</h2>\n<p class=\"lede\">Among questions whose right answer is another one "
            + "but where this answer was possible: how often the model gave it with the cue present and absent. p is an exact "
            + "permutation test within question templates; q corrects for the number of pairs tested (Benjamini–Hochberg). "
            + "Theil's U is the share of the uncertainty about \"says this answer\" that the cue removes.</p>\n")
        page.add("<table><thead><tr><th>Model</th><th>Cue</th><th>Answer</th><th class=\"num\">With cue</th>"
            + "<th class=\"num\">Without</th><th class=\"num\">Lift</th><th class=\"num\">Theil's U</th><th class=\"num\">q</th>"
            + "<th class=\"num\">Pairs tested</th></tr></thead><tbody>\n")
        for candidate in audit.candidates {
            page.add("<tr><td>\(e(candidate.model))</td><td>\(e(candidate.cue.description))</td><td>\(e(candidate.answer))</td>"
                + "<td class=\"num\">\(AuditPage.percent(candidate.withCue.rate)) (n=\(candidate.withCue.total))</td>"
                + "<td class=\"num\">\(AuditPage.percent(candidate.withoutCue.rate)) (n=\(candidate.withoutCue.total))</td>"
                + "<td class=\"num\">\(AuditPage.points(candidate.lift))</td>"
                + "<td class=\"num\">\(NumberText.fixed(candidate.theilsU, digits: 3))</td>"
                + "<td class=\"num\">\(e(NumberText.probability(candidate.qValue)))</td>"
                + "<td class=\"num\">\(audit.testedPairs[candidate.model] ?? 0)</td></tr>\n")
        }
        if audit.candidates.isEmpty { page.add("<tr><td colspan=\"9\" class=\"muted\">no candidate passed the thresholds</td></tr>\n") }
        page.add("</tbody></table></section>\n")

        let confirmed = audit.groups.filter(\.confirmed)
        if !confirmed.isEmpty {
            page.add("<section><h2>Examples</h2>\n<p class=\"lede\">Pairs the model got wrong with the cue and right without it.</p>\n")
            for group in confirmed {
                page.add(AuditPage.pairGallery(
                    title: "\(group.model): \(group.cue.description) → \(group.answer)", pairs: group.examplePairs,
                    captions: ("With the cue", "Cue removed"), model: group.model, evidence: evidence))
            }
            page.add("</section>\n")
        }
        return page.render()
    }
}
