import FaultlineCore
import Foundation

extension HTMLReport {
    /// The ability audit: accuracy per ability, models side by side, and a table of
    /// stability with the sub-suites that set it. Empty for runs that are not ability audits.
    func abilitySection() -> String {
        guard let scores = content.analysis.abilities, !scores.isEmpty else { return "" }
        let abilities = Ability.allCases.filter { ability in scores.contains { $0.ability == ability } }
        var stats: [String: [String: SliceStat]] = [:]
        for score in scores {
            stats[score.ability.rawValue, default: [:]][score.model] = SliceStat(
                model: score.model, slice: ["ability": score.ability.rawValue], accuracy: score.accuracy,
                meanScore: score.accuracy.rate)
        }
        let table = ReportContent.FactorTable(name: "ability", levels: abilities.map(\.rawValue), stats: stats)
        var out = "<section id=\"abilities\">\n<h2>Abilities</h2>\n"
        out += "<p class=\"lede\">Accuracy per perception ability (AbilityLens), each bar with its 95% interval. "
            + "<strong>Stability</strong> asks whether that accuracy holds however the ability is probed: it is "
            + "1 − (best − worst) accuracy over the ability's sub-suites (question format, template, background, "
            + "benchmark category…) with at least 20 probes. 1.00 means every sub-suite agrees; 0.60 means two "
            + "differ by 40 points. Its interval is a bootstrap: when it reaches far below the value, part of the "
            + "spread is sampling noise.</p>\n"
        out += modelLegendHTML()
        out += "<figure class=\"wide\">\n"
        out += SVGChart.factorAccuracy(table, models: content.modelOrder, colourIndex: content.modelIndex)
        out += "\n</figure>\n"
        out += "<table>\n<thead><tr><th>ability</th><th>model</th><th>accuracy (95% CI)</th>"
            + "<th>n</th><th>stability (95% CI)</th><th>weakest sub-suite</th><th>strongest sub-suite</th>"
            + "<th>unparsed</th></tr></thead>\n<tbody>\n"
        for ability in abilities {
            for score in scores where score.ability == ability {
                let stability = score.stability.map { value in
                    "\(NumberText.fixed(value, digits: 2)) (\(NumberText.fixed(score.stabilityLow ?? value, digits: 2))–"
                        + "\(NumberText.fixed(score.stabilityHigh ?? value, digits: 2)))"
                } ?? "–"
                out += "<tr><td class=\"nowrap\">\(e(ability.rawValue))</td><td class=\"nowrap\">\(e(score.model))</td>"
                    + "<td>\(NumberText.percent(score.accuracy.rate)) (\(e(NumberText.interval(score.accuracy))))</td>"
                    + "<td class=\"num\">\(score.accuracy.total)</td><td class=\"nowrap\">\(stability)</td>"
                    + "<td>\(e(subSuiteText(score.weakestSubSuite, in: score)))</td>"
                    + "<td>\(e(subSuiteText(score.strongestSubSuite, in: score)))</td>"
                    + "<td class=\"num\">\(NumberText.percent(score.unparsedRate))</td></tr>\n"
            }
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private func subSuiteText(_ name: String?, in score: AbilityScore) -> String {
        guard let name else { return "–" }
        let parts = name.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2,
            let suite = score.subSuites.first(where: { $0.dimension == parts[0] && $0.level == parts[1] })
        else { return name }
        return "\(parts[0]) = \(parts[1]): \(NumberText.percent(suite.accuracy.rate)) (n = \(suite.accuracy.total))"
    }
}
