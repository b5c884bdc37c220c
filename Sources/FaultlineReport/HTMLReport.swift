import FaultlineCore
import Foundation

/// Renders `report.html`: one self-contained page (inline CSS and SVG, thumbnails as
/// `data:` URLs, no scripts, no external resources) for an engineer who has not read the
/// papers behind the methods.
struct HTMLReport {
    let content: ReportContent
    let generator: String
    let thumbnails: Thumbnails

    func e(_ text: String) -> String { HTMLText.escape(text) }

    func render() -> String {
        var out = HTMLStyle.documentStart(title: "Faultline report · \(content.manifest.runID)", generator: generator)
        out += header()
        out += summarySection()
        out += abilitySection()
        out += factorSection()
        out += pairSection()
        out += findingsSection()
        out += disagreementSection()
        if let timing = content.timing { out += speedSection(timing) }
        out += howToReadSection()
        out += footer()
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    // MARK: Header

    private func header() -> String {
        let manifest = content.manifest
        let modelCount = content.modelOrder.count
        var out = "<header>\n<p class=\"muted\">Faultline audit report</p>\n"
        out += "<h1>\(e(manifest.runID))</h1>\n"
        out += "<p class=\"lede\">This run put \(manifest.probeCount) probe\(manifest.probeCount == 1 ? "" : "s") "
            + "to \(modelCount) model\(modelCount == 1 ? "" : "s"). A probe is an image with a known answer "
            + "(for OCR, the text drawn in it); each answer is judged right or wrong, and the probes are made with "
            + "controlled factors (rotation, font, noise…) so that failures can be traced to what the probes have "
            + "in common. Sections below: overall accuracy, accuracy by factor, the strongest interaction of two "
            + "factors, the findings with failing examples, and where the models disagree.</p>\n"
        out += "<dl class=\"meta\">\n"
        out += "<dt>Run</dt><dd><code>\(e(manifest.runID))</code></dd>\n"
        out += "<dt>Suite</dt><dd><code>\(e(manifest.suite))</code></dd>\n"
        out += "<dt>Seed</dt><dd><code>\(manifest.seed)</code></dd>\n"
        out += "<dt>Probes</dt><dd>\(manifest.probeCount)</dd>\n"
        out += "<dt>Faultline</dt><dd>\(e(manifest.faultlineVersion))</dd>\n"
        out += "</dl>\n"
        out += "<table>\n<thead><tr><th>Model</th><th>Fingerprint (exact weights and settings)</th></tr></thead>\n<tbody>\n"
        for model in manifest.models {
            out += "<tr><td>\(swatch(model.key))\(e(model.key))</td><td><code>\(e(model.fingerprint))</code></td></tr>\n"
        }
        out += "</tbody>\n</table>\n</header>\n"

        out += "<nav class=\"toc\" aria-label=\"Sections\"><a href=\"#summary\">Summary</a><a href=\"#factors\">By factor</a>"
            + "<a href=\"#pairs\">Two factors</a><a href=\"#findings\">Findings</a><a href=\"#disagreements\">Disagreements</a>"
            + (content.timing == nil ? "" : "<a href=\"#speed\">Speed</a>")
            + "<a href=\"#how-to-read\">How to read this</a></nav>\n"

        let top = content.analysis.findings.prefix(3)
        if !top.isEmpty {
            out += "<div class=\"takeaways\"><strong>Main findings</strong><ol>\n"
            for (index, finding) in top.enumerated() {
                out += "<li><a href=\"#finding-\(index + 1)\">\(e(finding.statement))</a></li>\n"
            }
            out += "</ol></div>\n"
        }
        return out
    }

    private func swatch(_ model: String) -> String {
        "<span class=\"swatch\" style=\"background:\(Palette.model(content.modelIndex(model)))\" aria-hidden=\"true\"></span>"
    }

    // MARK: Summary

    private func summarySection() -> String {
        var out = "<section id=\"summary\">\n<h2>Summary</h2>\n"
        guard !content.summaries.isEmpty else {
            return out + "<p>No model was judged in this run.</p>\n</section>\n"
        }
        out += "<div class=\"cards\">\n"
        for summary in content.summaries {
            let colour = Palette.model(content.modelIndex(summary.model))
            out += "<div class=\"card\" style=\"--model:\(colour)\">\n"
            out += "<h3>\(e(summary.model))</h3>\n"
            if let fingerprint = content.fingerprint(of: summary.model) {
                out += "<div class=\"fingerprint mono\">\(e(fingerprint))</div>\n"
            }
            if summary.accuracy.total > 0 {
                out += "<div class=\"big\">\(NumberText.percent(summary.accuracy.rate))</div>\n"
                out += "<div class=\"muted\">exact-match accuracy, 95% CI \(NumberText.interval(summary.accuracy))</div>\n"
            } else {
                out += "<div class=\"big\">–</div>\n<div class=\"muted\">no probe was answered without error</div>\n"
            }
            out += "<dl>\n"
            out += "<dt>Mean score (1 − CER for OCR)</dt><dd>\(NumberText.score(summary.meanScore))</dd>\n"
            out += "<dt>Correct</dt><dd>\(summary.correct)</dd>\n"
            out += "<dt>Wrong</dt><dd>\(summary.wrong)</dd>\n"
            out += "<dt>Errors (no usable answer)</dt><dd>\(summary.errors)</dd>\n"
            out += "<dt>Judged</dt><dd>\(summary.judged)</dd>\n"
            if let timing = content.timing?.models.first(where: { $0.model == summary.model }) {
                out += "<dt>Latency p50 / p95</dt><dd>\(NumberText.duration(timing.p50LatencySeconds)) / "
                    + "\(NumberText.duration(timing.p95LatencySeconds))</dd>\n"
                out += "<dt>Probes per second</dt><dd>\(NumberText.rate(timing.probesPerSecond))</dd>\n"
            }
            out += "</dl>\n</div>\n"
        }
        out += "</div>\n"
        out += "<figure>\n"
        out += SVGChart.overallAccuracy(content.summaries, colourIndex: content.modelIndex)
        out += "\n<figcaption>Exact-match accuracy per model. The bar is the share of probes answered exactly right; "
            + "the whisker is the 95% confidence interval. Where two whiskers do not overlap, the difference is "
            + "very unlikely to be luck.</figcaption>\n</figure>\n"
        return out + "</section>\n"
    }

    // MARK: Factors

    func modelLegendHTML() -> String { modelLegend() }

    private func modelLegend() -> String {
        var out = "<div class=\"legend\">"
        for model in content.modelOrder {
            out += "<span>\(swatch(model))\(e(model))</span>"
        }
        return out + "</div>\n"
    }

    private func factorSection() -> String {
        var out = "<section id=\"factors\">\n<h2>Accuracy by factor</h2>\n"
        guard !content.factors.isEmpty else {
            return out + "<p>The probes of this run were not made with controlled factors, so there is nothing to slice by.</p>\n</section>\n"
        }
        out += "<p class=\"lede\">Each chart holds the other factors mixed and varies one: a bar is a model's accuracy "
            + "on the probes at that level, the whisker its 95% confidence interval. A drop from left to right shows "
            + "what the model cannot cope with. Hover a bar for counts.</p>\n"
        out += modelLegend()
        out += "<div class=\"factor-charts\">\n"
        for factor in content.factors {
            let width = SVGChart.factorChartWidth(levels: factor.levels.count, models: content.modelOrder.count)
            // Past this width the chart would shrink its text to fit one column of the grid.
            out += width > 480 ? "<figure class=\"wide\">\n" : "<figure>\n"
            out += "<h3>\(e(factor.name))</h3>\n"
            out += SVGChart.factorAccuracy(factor, models: content.modelOrder, colourIndex: content.modelIndex)
            out += "\n</figure>\n"
        }
        return out + "</div>\n</section>\n"
    }

    private func pairSection() -> String {
        var out = "<section id=\"pairs\">\n<h2>Two factors together</h2>\n"
        guard let choice = content.heatMap else {
            return out + "<p>This run has no accuracy by pairs of factors.</p>\n</section>\n"
        }
        out += "<p class=\"lede\">Accuracy for every combination of <strong>\(e(choice.rowFactor))</strong> (rows) and "
            + "<strong>\(e(choice.columnFactor))</strong> (columns): failures that need both factors at once show "
            + "here and not in the single-factor charts. \(e(choice.reason))</p>\n"
        out += SVGChart.heatLegend() + "\n"
        out += "<div class=\"heatmaps\">\n"
        for model in content.modelOrder where choice.cells[model] != nil {
            out += "<figure>\n<h3>\(swatch(model))\(e(model))</h3>\n"
            out += SVGChart.heatMap(choice, model: model, outlined: choice.finding)
            out += "\n</figure>\n"
        }
        out += "</div>\n"
        return out + "</section>\n"
    }

    // MARK: Findings

    private func findingsSection() -> String {
        var out = "<section id=\"findings\">\n<h2>Findings</h2>\n"
        guard !content.analysis.findings.isEmpty else {
            return out + "<p>No slice of the probes is significantly worse than the rest for any model "
                + "(after the Benjamini–Hochberg correction).</p>\n</section>\n"
        }
        out += "<p class=\"lede\">A finding is a slice of probes on which one model does significantly worse than on "
            + "its other probes, most important first, each with probes it failed.</p>\n"
        for (index, finding) in content.analysis.findings.enumerated() {
            out += "<article class=\"finding\" id=\"finding-\(index + 1)\">\n"
            out += "<h3>\(e(finding.id)) · \(swatch(finding.model))\(e(finding.model))</h3>\n"
            out += "<p class=\"statement\">\(e(finding.statement))</p>\n"
            out += "<p class=\"stats\">Slice: <code>\(e(ReportContent.describe(slice: finding.slice)))</code>. "
                + "In the slice \(e(NumberText.proportion(finding.sliceAccuracy))); "
                + "on the rest \(e(NumberText.proportion(finding.restAccuracy))). "
                + "Difference \(NumberText.percentagePoints(finding.effect)), "
                + "\(e(NumberText.probabilityClause("p", finding.pValue))), "
                + "\(e(NumberText.probabilityClause("q", finding.qValue))).</p>\n"
            out += SVGChart.sliceVersusRest(finding) + "\n"
            if !finding.exampleProbeIDs.isEmpty {
                out += "<h4>Examples that \(e(finding.model)) got wrong</h4>\n<div class=\"gallery\">\n"
                for probeID in finding.exampleProbeIDs {
                    out += probeCard(probeID: probeID, models: [finding.model])
                }
                out += "</div>\n"
            }
            out += "</article>\n"
        }
        return out + "</section>\n"
    }

    // MARK: Disagreements

    private func disagreementSection() -> String {
        var out = "<section id=\"disagreements\">\n<h2>Where the models disagree</h2>\n"
        let disagreements = content.analysis.disagreements
        guard !disagreements.isEmpty else {
            return out + "<p>No probe was answered correctly by one model and wrongly by another.</p>\n</section>\n"
        }
        out += "<p class=\"lede\">Probes that one model answered exactly right and another got wrong: the right answer "
            + "was within reach, so these are the clearest failures of the second model.</p>\n"
        out += "<table>\n<thead><tr><th>Right</th><th>Wrong</th><th class=\"num\">Probes</th></tr></thead>\n<tbody>\n"
        for disagreement in disagreements {
            out += "<tr><td>\(swatch(disagreement.rightModel))\(e(disagreement.rightModel))</td>"
                + "<td>\(swatch(disagreement.wrongModel))\(e(disagreement.wrongModel))</td>"
                + "<td class=\"num\">\(disagreement.count)</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        for disagreement in disagreements where !disagreement.exampleProbeIDs.isEmpty {
            out += "<h3>\(e(disagreement.rightModel)) right, \(e(disagreement.wrongModel)) wrong "
                + "<span class=\"muted\">(\(disagreement.count) probe\(disagreement.count == 1 ? "" : "s"))</span></h3>\n"
            out += "<div class=\"gallery\">\n"
            for probeID in disagreement.exampleProbeIDs {
                out += probeCard(probeID: probeID, models: [disagreement.rightModel, disagreement.wrongModel])
            }
            out += "</div>\n"
        }
        return out + "</section>\n"
    }

    /// One probe: its thumbnail, id, factors, expected answer and each listed model's answer.
    private func probeCard(probeID: String, models: [String]) -> String {
        let responses = models.compactMap { content.example(probeID: probeID, model: $0) }
        guard let probe = responses.first ?? content.anyExample(probeID: probeID, preferring: models.first ?? "") else {
            return "<div class=\"probe\"><div class=\"missing\">no stored response</div>"
                + "<div class=\"pid\">\(e(probeID))</div></div>\n"
        }
        var out = "<div class=\"probe\">\n"
        out += thumbnails.html(for: probe.image, probeID: probeID)
        out += "<div class=\"pid\">\(e(probeID))</div>\n"
        if !probe.factors.isEmpty {
            out += "<div class=\"factors\">\(e(ReportContent.describe(slice: probe.factors)))</div>\n"
        }
        out += "<dl>\n<dt>Expected</dt><dd>\(textBox(probe.expected))</dd>\n"
        for response in responses {
            out += "<dt>\(e(response.modelKey)) answered <span class=\"badge \(response.outcome.rawValue)\">"
                + "\(response.outcome.rawValue)</span></dt><dd>\(textBox(response.response))</dd>\n"
            // For a right answer the judge's comparison only repeats the expected text.
            if !response.detail.isEmpty, response.outcome != .correct {
                out += "<dd class=\"muted\">\(e(response.detail))</dd>\n"
            }
        }
        if responses.isEmpty {
            out += "<dt>Answer</dt><dd class=\"muted\">not stored with the analysis</dd>\n"
        }
        out += "</dl>\n"
        if !probe.prompt.isEmpty {
            out += "<details><summary class=\"muted\">Prompt</summary>\(textBox(probe.prompt))</details>\n"
        }
        return out + "</div>\n"
    }

    private func textBox(_ text: String) -> String {
        text.isEmpty ? "<span class=\"text empty-answer\">(empty)</span>" : "<span class=\"text\">\(e(text))</span>"
    }

    // MARK: Speed, glossary, footer

    private func speedSection(_ timing: RunTiming) -> String {
        let tokens = timing.reportsTokens
        var out = "<section id=\"speed\">\n<h2>Speed</h2>\n"
        out += "<p>Wall time of the run: \(NumberText.duration(timing.wallSeconds)). Latency is per response, "
            + "measured around the backend call; probes per second is over this model's share of the wall time."
            + (tokens ? " Tokens are as the backend reported them; tokens per second is completion tokens over the "
                + "latency of the responses that reported them, the speed of one request." : "") + "</p>\n"
        out += "<table>\n<thead><tr><th>Model</th><th class=\"num\">Responses</th><th class=\"num\">p50 latency</th>"
            + "<th class=\"num\">p95 latency</th><th class=\"num\">Probes/s</th>"
            + (tokens ? "<th class=\"num\">Prompt tokens</th><th class=\"num\">Completion tokens</th><th class=\"num\">Tokens/s</th>" : "")
            + "</tr></thead>\n<tbody>\n"
        for model in timing.models {
            out += "<tr><td>\(swatch(model.model))\(e(model.model))</td><td class=\"num\">\(model.responses)</td>"
                + "<td class=\"num\">\(NumberText.duration(model.p50LatencySeconds))</td>"
                + "<td class=\"num\">\(NumberText.duration(model.p95LatencySeconds))</td>"
                + "<td class=\"num\">\(NumberText.rate(model.probesPerSecond))</td>"
            if tokens {
                out += "<td class=\"num\">\(model.promptTokens)</td><td class=\"num\">\(model.completionTokens)</td>"
                    + "<td class=\"num\">\(model.completionTokensPerSecond.map(NumberText.rate) ?? "–")</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private func howToReadSection() -> String {
        """
        <section id="how-to-read">
        <h2>How to read this report</h2>
        <dl class="glossary">
        <dt>Probe</dt>
        <dd>One test item: an image, a question (the prompt) and the answer we know is right, because Faultline drew the image itself. Each probe records the factors it was made with, such as the rotation of the text or the font.</dd>
        <dt>Exact match and accuracy</dt>
        <dd>A response is <em>correct</em> when it equals the expected answer after light normalisation (Unicode NFKC, runs of spaces collapsed; case and punctuation count). Accuracy is the share of correct responses among those that did not error. An <em>error</em> means the model gave no usable answer (the backend failed); errors are counted apart, not as wrong.</dd>
        <dt>CER and mean score</dt>
        <dd>CER, the character error rate, is the number of characters one must insert, delete or substitute to turn the answer into the expected text, divided by the length of the expected text. The mean score is 1 − CER averaged over probes: it credits near misses that exact match counts as wrong.</dd>
        <dt>95% confidence interval (CI)</dt>
        <dd>How far the measured accuracy could be from the model's true accuracy on probes of this kind, given how many probes were tried: intervals made this way (the Wilson score interval) contain the true value 95 times out of 100. Few probes give wide whiskers. When the whiskers of two bars do not overlap, the difference is very unlikely to be luck; when they overlap, look at the finding's q instead.</dd>
        <dt>Slice</dt>
        <dd>The probes on which one factor, or two, take given levels, for example <code>rotation = 20°</code>. A finding compares a model on a slice with the same model on the rest of its probes.</dd>
        <dt>p and q</dt>
        <dd>p is the chance of a gap at least this large between slice and rest if the model were in fact equally good on both. Because many slices are tested, some would look bad by chance; q is p adjusted for that (the Benjamini–Hochberg procedure): among findings reported with q below 0.05, at most about 5% are expected to be false alarms.</dd>
        <dt>Disagreement</dt>
        <dd>A probe that one model answered exactly right and another wrongly.</dd>
        </dl>
        </section>

        """
    }

    private func footer() -> String {
        var out = "<footer>Generated by \(e(generator)); report schema version \(ReportDocument.currentSchemaVersion). "
        out += content.timing == nil
            ? "Everything here is a function of the stored verdicts: rebuilding the report gives the same bytes."
            : "Everything except the speed figures is a function of the stored verdicts."
        return out + "</footer>\n"
    }
}

/// Turns a probe's image into an inline thumbnail, asking the caller's provider once per image.
final class Thumbnails {
    private let provider: ((ImageRef) -> Data?)?
    private var cache: [String: String] = [:]
    /// The largest box a thumbnail is drawn in, in CSS pixels.
    static let maxWidth = 240.0, maxHeight = 140.0

    init(provider: ((ImageRef) -> Data?)?) {
        self.provider = provider
    }

    func html(for image: ImageRef?, probeID: String) -> String {
        guard let image, let provider else {
            return "<div class=\"missing\">no image</div>\n"
        }
        let dataURL: String
        if let cached = cache[image.sha256] {
            dataURL = cached
        } else {
            dataURL = provider(image).flatMap(Self.dataURL(for:)) ?? ""
            cache[image.sha256] = dataURL
        }
        guard !dataURL.isEmpty else {
            return "<div class=\"missing\">thumbnail unavailable</div>\n"
        }
        var size = ""
        if image.width > 0, image.height > 0 {
            let scale = min(Self.maxWidth / Double(image.width), Self.maxHeight / Double(image.height), 2)
            let width = max(Int((Double(image.width) * scale).rounded()), 1)
            let height = max(Int((Double(image.height) * scale).rounded()), 1)
            size = " width=\"\(width)\" height=\"\(height)\""
        }
        return "<img src=\"\(dataURL)\"\(size) alt=\"Image of probe \(HTMLText.escape(probeID))\">\n"
    }

    /// A `data:` URL for PNG or JPEG bytes; nil for anything else, which a browser would
    /// show as a broken image.
    static func dataURL(for bytes: Data) -> String? {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF]
        let mime: String
        if bytes.starts(with: png) {
            mime = "image/png"
        } else if bytes.starts(with: jpeg) {
            mime = "image/jpeg"
        } else {
            return nil
        }
        return "data:\(mime);base64," + bytes.base64EncodedString()
    }
}
