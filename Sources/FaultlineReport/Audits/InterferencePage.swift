import FaultlineCore
import Foundation

extension AuditPages {
    /// The modality-interference audit: a heat map of models × perturbations, the metrics
    /// with intervals, example flips, and attack success against budget.
    public static func interference(_ audit: InterferenceAudit, evidence: AuditEvidence) -> String {
        var page = AuditPage(title: "Faultline modality-interference audit · \(audit.runID)", generator: audit.generator)
        let e = HTMLText.escape
        page.add("<header>\n<p class=\"muted\">Faultline · modality-interference audit</p>\n<h1>\(e(audit.runID))</h1>\n")
        page.add(
            "<p class=\"lede\">Some questions need only the image (\"what shape is the red object?\"), others only the text "
                + "(\"what is 7 × 8?\"). A model with <em>modality interference</em> lets the modality it does not need change its "
                + "answer. Each probe is asked twice — clean, and with the unneeded modality perturbed — and we count how often "
                + "the chosen answer changes (<strong>δ<sub>cp</sub></strong>), how much accuracy is lost, and, where the model "
                + "gives probabilities, how far its answer distribution moves (Jensen–Shannon divergence, 0 to ln 2 ≈ 0.693). "
                + "Every figure comes with a 95% interval.</p>\n")
        page.add("<dl class=\"meta\"><dt>Run</dt><dd><code>\(e(audit.runID))</code></dd><dt>Seed</dt><dd>\(audit.seed)</dd>"
            + "<dt>Models</dt><dd>\(e(audit.models.joined(separator: ", ")))</dd></dl>\n</header>\n")

        let perturbations = orderedPerturbations(audit)
        page.add("<section><h2>Answers changed, by model and perturbation</h2>\n")
        page.add("<figure>" + flipHeatMap(audit, perturbations: perturbations) + "<figcaption>δ<sub>cp</sub>: the share of "
            + "probes whose chosen answer changed. Red is many changes. Hover a cell for its interval and size.</figcaption></figure>\n")
        page.add("<table><thead><tr><th>Perturbation</th><th>What it does</th></tr></thead><tbody>\n")
        for name in perturbations {
            let info = audit.perturbations[name] ?? [name, ""]
            page.add("<tr><td>\(e(info.first ?? name))</td><td>\(e(info.count > 1 ? info[1] : ""))</td></tr>\n")
        }
        page.add("</tbody></table></section>\n")

        page.add("<section><h2>Metrics with intervals</h2>\n<table><thead><tr><th>Model</th><th>Perturbation</th>"
            + "<th class=\"num\">δ<sub>cp</sub> (95%)</th><th class=\"num\">Clean</th><th class=\"num\">Perturbed</th>"
            + "<th class=\"num\">Accuracy drop (95%)</th><th class=\"num\">KL</th><th class=\"num\">JS</th><th class=\"num\">TV</th>"
            + "<th class=\"num\">Pairs</th></tr></thead><tbody>\n")
        for cell in audit.cells {
            let m = cell.metrics
            let title = audit.perturbations[cell.perturbation]?.first ?? cell.perturbation
            func optional(_ x: Double?) -> String { x.map { NumberText.fixed($0, digits: 3) } ?? "—" }
            page.add("<tr><td>\(e(cell.model))</td><td>\(e(title))</td>"
                + "<td class=\"num\">\(NumberText.percent(m.flipRate.rate)) (\(NumberText.interval(m.flipRate)))</td>"
                + "<td class=\"num\">\(NumberText.percent(m.cleanAccuracy.rate))</td><td class=\"num\">\(NumberText.percent(m.perturbedAccuracy.rate))</td>"
                + "<td class=\"num\">\(AuditPage.points(m.accuracyDrop)) (\(AuditPage.interval(m.accuracyDropLow, m.accuracyDropHigh)))</td>"
                + "<td class=\"num\">\(optional(m.meanKL))</td><td class=\"num\">\(optional(m.meanJS))</td>"
                + "<td class=\"num\">\(optional(m.meanTotalVariation))</td><td class=\"num\">\(m.flipRate.total)</td></tr>\n")
        }
        if audit.cells.isEmpty { page.add("<tr><td colspan=\"10\" class=\"muted\">no model answered both sides of any pair</td></tr>\n") }
        page.add("</tbody></table></section>\n")

        if !audit.attacks.isEmpty {
            page.add("<section><h2>Adversarial perturbation within a budget</h2>\n<p class=\"lede\">The strongest change of the "
                + "unneeded modality within an L∞ budget ε: every value moves by at most ε. White-box attacks (zoo models) follow the "
                + "gradient (PGD); the black-box attack only sees answers and probabilities and stops at its query cap. A robust "
                + "model keeps its answer at every budget.</p>\n<table><thead><tr><th>Model</th><th>Attack</th><th>Task</th>"
                + "<th class=\"num\">ε</th><th class=\"num\">Answers changed (95%)</th><th class=\"num\">Queries (cap)</th></tr></thead><tbody>\n")
            for point in audit.attacks {
                page.add("<tr><td>\(e(point.model))</td><td>\(e(point.method))</td><td>\(e(point.side))</td>"
                    + "<td class=\"num\">\(NumberText.fixed(point.epsilon, digits: 2)) \(e(point.unit))</td>"
                    + "<td class=\"num\">\(NumberText.percent(point.success.rate)) (\(NumberText.interval(point.success)), n=\(point.success.total))</td>"
                    + "<td class=\"num\">\(point.meanQueries.map { NumberText.fixed($0, digits: 1) } ?? "—")\(point.queryCap.map { " (\($0))" } ?? "")</td></tr>\n")
            }
            page.add("</tbody></table></section>\n")
        }

        let flips = audit.cells.filter { !$0.exampleFlips.isEmpty }
        if !flips.isEmpty {
            page.add("<section><h2>Example flips</h2>\n<p class=\"lede\">Probes a model answered right when clean and wrong when perturbed.</p>\n")
            for cell in flips {
                page.add(AuditPage.pairGallery(
                    title: "\(cell.model): \(audit.perturbations[cell.perturbation]?.first ?? cell.perturbation)",
                    pairs: cell.exampleFlips, captions: ("Clean", "Perturbed"), model: cell.model, evidence: evidence))
            }
            page.add("</section>\n")
        }
        return page.render()
    }

    private static func orderedPerturbations(_ audit: InterferenceAudit) -> [String] {
        var seen: [String] = []
        for cell in audit.cells where !seen.contains(cell.perturbation) { seen.append(cell.perturbation) }
        return seen
    }

    /// Models (rows) × perturbations (columns), coloured by δ_cp.
    private static func flipHeatMap(_ audit: InterferenceAudit, perturbations: [String]) -> String {
        let cellWidth = 96.0, cellHeight = 40.0, labelWidth = 150.0, top = 58.0
        let width = labelWidth + cellWidth * Double(perturbations.count) + 8
        let height = top + cellHeight * Double(audit.models.count) + 8
        func n(_ x: Double) -> String { NumberText.fixed(x, digits: 1) }
        let e = HTMLText.escape
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"Share of answers changed by model and perturbation\">"
        for (column, name) in perturbations.enumerated() {
            let title = audit.perturbations[name]?.first ?? name
            out += "<text class=\"label\" x=\"\(n(labelWidth + cellWidth * (Double(column) + 0.5)))\" y=\"\(n(top - 10))\" text-anchor=\"middle\">"
                + "<title>\(e(title))</title>\(HTMLText.escapeTruncated(title, limit: 14))</text>"
        }
        for (row, model) in audit.models.enumerated() {
            let y = top + cellHeight * Double(row)
            out += "<text class=\"label\" x=\"\(n(labelWidth - 8))\" y=\"\(n(y + cellHeight / 2 + 4))\" text-anchor=\"end\">\(HTMLText.escapeTruncated(model, limit: 22))</text>"
            for (column, name) in perturbations.enumerated() {
                let x = labelWidth + cellWidth * Double(column)
                guard let cell = audit.cells.first(where: { $0.model == model && $0.perturbation == name }) else {
                    out += "<rect class=\"empty\" x=\"\(n(x + 1))\" y=\"\(n(y + 1))\" width=\"\(n(cellWidth - 2))\" height=\"\(n(cellHeight - 2))\"><title>not answered</title></rect>"
                    continue
                }
                let rate = cell.metrics.flipRate
                let (fill, ink) = Palette.heat(1 - rate.rate)
                out += "<rect x=\"\(n(x + 1))\" y=\"\(n(y + 1))\" width=\"\(n(cellWidth - 2))\" height=\"\(n(cellHeight - 2))\" fill=\"\(fill)\">"
                    + "<title>\(e(model)), \(e(name)): δ_cp \(e(NumberText.proportion(rate)))</title></rect>"
                out += "<text class=\"cell\" x=\"\(n(x + cellWidth / 2))\" y=\"\(n(y + cellHeight / 2 + 4))\" text-anchor=\"middle\" style=\"fill:\(ink)\">"
                    + "\(NumberText.percent(rate.rate, digits: 0))</text>"
            }
        }
        return out + "</svg>"
    }
}
