import FaultlineCore
import Foundation

/// Renders `report.md`: the same conclusions as the HTML report, in text that reads well
/// raw and renders as GitHub-flavoured Markdown.
struct MarkdownReport {
    let content: ReportContent

    private func e(_ text: String) -> String { MarkdownText.escape(text) }

    func render() -> String {
        var lines: [String] = []
        let manifest = content.manifest
        lines.append("# Faultline report: \(e(manifest.runID))")
        lines.append("")
        lines.append("## What was audited")
        lines.append("")
        lines.append("- Suite: \(e(manifest.suite))")
        lines.append("- Seed: \(manifest.seed)")
        lines.append("- Probes: \(manifest.probeCount)")
        lines.append("- Faultline version: \(e(manifest.faultlineVersion))")
        lines.append("")
        if manifest.models.isEmpty {
            lines.append("No models were audited.")
        } else {
            lines.append("| Model | Fingerprint |")
            lines.append("| --- | --- |")
            for model in manifest.models {
                lines.append("| \(e(model.key)) | \(e(model.fingerprint)) |")
            }
        }
        lines.append("")

        if let abilities = content.analysis.abilities, !abilities.isEmpty {
            lines.append("## Abilities")
            lines.append("")
            lines.append("Stability = 1 − (best − worst) accuracy over the ability's sub-suites with at least 20 probes.")
            lines.append("")
            lines.append("| Ability | Model | Accuracy (95% CI) | n | Stability (95% CI) | Weakest sub-suite | Unparsed |")
            lines.append("| --- | --- | --- | ---: | --- | --- | ---: |")
            for score in abilities {
                let stability = score.stability.map {
                    "\(NumberText.fixed($0, digits: 2)) (\(NumberText.fixed(score.stabilityLow ?? $0, digits: 2))–\(NumberText.fixed(score.stabilityHigh ?? $0, digits: 2)))"
                } ?? "–"
                lines.append(
                    "| \(e(score.ability.rawValue)) | \(e(score.model)) | \(NumberText.percent(score.accuracy.rate)) (\(NumberText.interval(score.accuracy))) | \(score.accuracy.total) | \(stability) | \(e(score.weakestSubSuite ?? "–")) | \(NumberText.percent(score.unparsedRate)) |")
            }
            lines.append("")
        }

        lines.append("## Summary")
        lines.append("")
        if content.summaries.isEmpty {
            lines.append("No model was judged in this run.")
        } else {
            lines.append("| Model | Accuracy (95% CI) | Mean score | Correct | Wrong | Errors | Judged |")
            lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
            for summary in content.summaries {
                let accuracy = summary.accuracy.total > 0
                    ? "\(NumberText.percent(summary.accuracy.rate)) (\(NumberText.interval(summary.accuracy)))"
                    : "no probes"
                lines.append(
                    "| \(e(summary.model)) | \(accuracy) | \(NumberText.score(summary.meanScore)) | "
                        + "\(summary.correct) | \(summary.wrong) | \(summary.errors) | \(summary.judged) |")
            }
        }
        lines.append("")

        if let timing = content.timing {
            lines.append("## Speed")
            lines.append("")
            lines.append("Wall time of the run: \(NumberText.duration(timing.wallSeconds)).")
            lines.append("")
            let tokens = timing.reportsTokens
            lines.append("| Model | Responses | p50 latency | p95 latency | Probes/s |" + (tokens ? " Prompt tokens | Completion tokens | Tokens/s |" : ""))
            lines.append("| --- | ---: | ---: | ---: | ---: |" + (tokens ? " ---: | ---: | ---: |" : ""))
            for model in timing.models {
                var line = "| \(e(model.model)) | \(model.responses) | \(NumberText.duration(model.p50LatencySeconds)) | "
                    + "\(NumberText.duration(model.p95LatencySeconds)) | \(NumberText.rate(model.probesPerSecond)) |"
                if tokens {
                    line += " \(model.promptTokens) | \(model.completionTokens) | "
                        + "\(model.completionTokensPerSecond.map(NumberText.rate) ?? "–") |"
                }
                lines.append(line)
            }
            lines.append("")
        }

        lines.append("## Findings")
        lines.append("")
        if content.analysis.findings.isEmpty {
            lines.append("No slice of the probes differs significantly from the rest for any model.")
        } else {
            for (index, finding) in content.analysis.findings.enumerated() {
                var item = "\(index + 1). **\(e(finding.id))** (\(e(finding.model))): \(e(finding.statement))"
                item += " Slice \(e(ReportContent.describe(slice: finding.slice))):"
                item += " \(NumberText.percent(finding.sliceAccuracy.rate)) vs \(NumberText.percent(finding.restAccuracy.rate)) on the rest,"
                item += " \(e(NumberText.probabilityClause("q", finding.qValue)))."
                if !finding.exampleProbeIDs.isEmpty {
                    item += " Examples: " + finding.exampleProbeIDs.map(e).joined(separator: ", ") + "."
                }
                lines.append(item)
            }
        }
        lines.append("")

        lines.append("## Where the models disagree")
        lines.append("")
        if content.analysis.disagreements.isEmpty {
            lines.append("No probe was answered correctly by one model and wrongly by another.")
        } else {
            lines.append("| Right | Wrong | Probes | Examples |")
            lines.append("| --- | --- | ---: | --- |")
            for disagreement in content.analysis.disagreements {
                lines.append(
                    "| \(e(disagreement.rightModel)) | \(e(disagreement.wrongModel)) | \(disagreement.count) | "
                        + disagreement.exampleProbeIDs.map(e).joined(separator: ", ") + " |")
            }
        }
        lines.append("")

        let cited = citedExamples()
        if !cited.isEmpty {
            lines.append("## Examples cited above")
            lines.append("")
            lines.append("| Probe | Model | Outcome | Expected | Answer | Judge detail |")
            lines.append("| --- | --- | --- | --- | --- | --- |")
            for example in cited {
                let answer = example.response.isEmpty ? "*(empty)*" : e(example.response)
                lines.append(
                    "| \(e(example.probeID)) | \(e(example.modelKey)) | \(example.outcome.rawValue) | "
                        + "\(e(example.expected)) | \(answer) | \(e(example.detail)) |")
            }
            lines.append("")
        }

        lines.append("## How to read this")
        lines.append("")
        lines.append(
            "Each probe is an image with a known answer. A response is *correct* on an exact match after light "
                + "normalisation; the *mean score* is graded (for OCR, 1 − CER, the character error rate). "
                + "Accuracy excludes errors (the backend failed), which are counted apart. The 95% CI is the Wilson "
                + "score interval: with the same kind of probes, the true accuracy lies in it 95 times in 100. "
                + "A *slice* is the set of probes where a factor (or two) takes a given level, e.g. rotation = 20°. "
                + "A finding says that a model does significantly worse on a slice than on its other probes; "
                + "q is the p-value adjusted for testing many slices at once (Benjamini–Hochberg), so among "
                + "findings with q below 0.05 about 5% or fewer are expected to be false alarms.")
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// The examples that findings and disagreements cite, in the order first cited.
    private func citedExamples() -> [JudgedProbe] {
        var seen: Set<ReportContent.ExampleKey> = []
        var result: [JudgedProbe] = []
        func add(_ example: JudgedProbe?) {
            guard let example else { return }
            if seen.insert(.init(probeID: example.probeID, model: example.modelKey)).inserted { result.append(example) }
        }
        for finding in content.analysis.findings {
            for probeID in finding.exampleProbeIDs { add(content.example(probeID: probeID, model: finding.model)) }
        }
        for disagreement in content.analysis.disagreements {
            for probeID in disagreement.exampleProbeIDs {
                add(content.example(probeID: probeID, model: disagreement.wrongModel))
                add(content.example(probeID: probeID, model: disagreement.rightModel))
            }
        }
        return result
    }
}
