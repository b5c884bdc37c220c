import FaultlineCore
import Foundation
import Testing

@testable import FaultlineReport

private let fixture = Fixture()

/// Rebuilds every dictionary in the analysis with the opposite insertion order and a larger
/// capacity, which changes their iteration order; the report must not notice.
private func reshuffled(_ analysis: RunAnalysis) -> RunAnalysis {
    func shuffle(_ dictionary: [String: String]) -> [String: String] {
        var copy: [String: String] = [:]
        copy.reserveCapacity(64)
        for key in dictionary.keys.sorted().reversed() { copy[key] = dictionary[key] }
        return copy
    }
    var result = analysis
    result.singleFactorSlices = analysis.singleFactorSlices.map { var s = $0; s.slice = shuffle(s.slice); return s }
    result.pairSlices = analysis.pairSlices.map { var s = $0; s.slice = shuffle(s.slice); return s }
    result.findings = analysis.findings.map { var f = $0; f.slice = shuffle(f.slice); return f }
    result.examples = analysis.examples.map { var e = $0; e.factors = shuffle(e.factors); return e }
    return result
}

private func thumbnailProvider(_ fixture: Fixture) -> (ImageRef) -> Data? {
    let factorsByImage = Dictionary(
        fixture.analysis.examples.compactMap { e in e.image.map { ($0.sha256, e.factors) } },
        uniquingKeysWith: { first, _ in first })
    return { image in fixture.thumbnail(for: image, factors: factorsByImage[image.sha256] ?? [:]) }
}

private let allowedTags: Set<String> = [
    "html", "head", "meta", "title", "style", "body", "main", "header", "nav", "section", "article", "footer",
    "h1", "h2", "h3", "h4", "p", "a", "div", "span", "strong", "em", "code", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "details", "summary", "img",
    "svg", "g", "rect", "line", "text",
]

/// Checks that the page's markup is only what the report itself writes: known tags, no
/// event handlers, links only to anchors, images only from data: URLs, styles only colours
/// and widths.
private func expectOnlyReportMarkup(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let tags = HTMLTag.scan(html)
    #expect(tags.count > 100, sourceLocation: sourceLocation)
    for tag in tags {
        #expect(allowedTags.contains(tag.name), "unexpected tag <\(tag.name)>", sourceLocation: sourceLocation)
        for attribute in tag.attributes {
            #expect(!attribute.name.hasPrefix("on"), "event handler \(attribute.name) on <\(tag.name)>", sourceLocation: sourceLocation)
            switch attribute.name {
            case "href":
                #expect(attribute.value.hasPrefix("#"), "link to \(attribute.value)", sourceLocation: sourceLocation)
            case "src":
                #expect(attribute.value.hasPrefix("data:image/png;base64,"), "image from \(attribute.value.prefix(40))", sourceLocation: sourceLocation)
            case "style":
                let plain = attribute.value.allSatisfy { $0.isLetter || $0.isNumber || "#:-.".contains($0) }
                #expect(plain, "style \(attribute.value)", sourceLocation: sourceLocation)
            default:
                break
            }
        }
    }
}

@Suite("HTML report escapes untrusted text")
struct HTMLEscapingTests {
    let writer = ReportWriter(generator: "faultline-test")

    @Test("hostile model output appears as text, never as markup")
    func hostileModelOutput() throws {
        let cited = Set(fixture.analysis.examples.map(\.response))
        for hostile in Hostile.all { try #require(cited.contains(hostile), "fixture lacks \(hostile)") }

        let html = writer.html(manifest: fixture.manifest, analysis: fixture.analysis, thumbnails: thumbnailProvider(fixture))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains("</svg><script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("&lt;/svg&gt;&lt;script&gt;"))
        // Escaped once more, not passed through: the reader must see "AT&amp;T" as typed.
        #expect(html.contains(">AT&amp;amp;T<"))
        #expect(!html.contains(">AT&amp;T<"))
        #expect(html.contains(">javascript:alert(1)<"))
        expectOnlyReportMarkup(html)
    }

    @Test("every string from data is escaped: keys, ids, factors, levels, manifest, statements")
    func everyDataFieldEscaped() throws {
        let evil = Hostile.script
        let breakout = Hostile.attributeBreakout
        var manifest = fixture.manifest
        manifest.runID = "run" + evil
        manifest.suite = "suite" + breakout
        manifest.faultlineVersion = "v" + Hostile.svgBreakout
        manifest.models = manifest.models.map { .init(key: $0.key + evil, fingerprint: $0.fingerprint + breakout) }
        func renameModel(_ model: String) -> String { model + evil }
        func hostileSlice(_ slice: [String: String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: slice.map { ($0.key + "'" + evil, $0.value + breakout) })
        }
        var analysis = fixture.analysis
        analysis.models = analysis.models.map { var m = $0; m.model = renameModel(m.model); return m }
        analysis.singleFactorSlices = analysis.singleFactorSlices.map {
            var s = $0; s.model = renameModel(s.model); s.slice = hostileSlice(s.slice); return s
        }
        analysis.pairSlices = analysis.pairSlices.map {
            var s = $0; s.model = renameModel(s.model); s.slice = hostileSlice(s.slice); return s
        }
        analysis.findings = analysis.findings.map {
            var f = $0
            f.id = f.id + evil
            f.model = renameModel(f.model)
            f.slice = hostileSlice(f.slice)
            f.statement = breakout + f.statement
            f.exampleProbeIDs = f.exampleProbeIDs.map { $0 + evil }
            return f
        }
        analysis.disagreements = analysis.disagreements.map {
            var d = $0
            d.rightModel = renameModel(d.rightModel)
            d.wrongModel = renameModel(d.wrongModel)
            d.exampleProbeIDs = d.exampleProbeIDs.map { $0 + evil }
            return d
        }
        analysis.examples = analysis.examples.map {
            var e = $0
            e.probeID += evil
            e.modelKey = renameModel(e.modelKey)
            e.prompt = breakout
            e.expected = Hostile.svgBreakout
            e.detail = evil
            e.factors = hostileSlice(e.factors)
            return e
        }
        let timing = RunTiming(
            models: [.init(model: "ocr:paddle" + evil, responses: 3, p50LatencySeconds: 0.1, p95LatencySeconds: 0.2, probesPerSecond: 9)],
            wallSeconds: 4)

        let html = writer.html(manifest: manifest, analysis: analysis, timing: timing, thumbnails: thumbnailProvider(fixture))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("rotation&#39;&lt;script&gt;"))
        expectOnlyReportMarkup(html)
        // The data still reaches the page, escaped: the charts, heat maps and galleries were drawn.
        #expect(html.contains("ocr:tesseract&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("<svg class=\"chart\""))
        #expect(html.contains("class=\"outline\""))
        #expect(html.contains("data:image/png;base64,"))

        let markdown = writer.markdown(manifest: manifest, analysis: analysis, timing: timing)
        #expect(!markdown.contains("<"))
        #expect(markdown.contains("run&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test("escaping covers the five significant characters and control characters")
    func escapeFunction() {
        #expect(HTMLText.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(HTMLText.escape("&amp;") == "&amp;amp;")
        #expect(HTMLText.escape("nul\u{0}bell\u{7}del\u{7F}") == "nul\u{FFFD}bell\u{FFFD}del\u{FFFD}")
        #expect(HTMLText.escape("line\r\nnext\ttab") == "line\n\nnext\ttab")
        #expect(HTMLText.escapeTruncated("<<<<<<<<", limit: 4) == "&lt;&lt;&lt;…")
    }
}

@Suite("JSON report")
struct JSONReportTests {
    let writer = ReportWriter(generator: "faultline-test 0.1.0")

    @Test("round-trips through a plain JSONDecoder to the same manifest and analysis")
    func roundTrip() throws {
        let data = try writer.jsonData(manifest: fixture.manifest, analysis: fixture.analysis)
        struct Plain: Decodable {
            var schemaVersion: Int
            var generator: String
            var manifest: RunManifest
            var analysis: RunAnalysis
        }
        let decoded = try JSONDecoder().decode(Plain.self, from: data)
        #expect(decoded.schemaVersion == 1)
        #expect(decoded.generator == "faultline-test 0.1.0")
        #expect(decoded.manifest == fixture.manifest)
        #expect(decoded.analysis == fixture.analysis)

        let timing = RunTiming(
            models: [.init(model: "ocr:paddle", latenciesSeconds: [0.03, 0.01, 0.02], wallSeconds: 0.5)], wallSeconds: 1.25)
        let withTiming = try ReportDocument.decode(
            from: try writer.jsonData(manifest: fixture.manifest, analysis: fixture.analysis, timing: timing))
        #expect(withTiming == writer.document(manifest: fixture.manifest, analysis: fixture.analysis, timing: timing))
    }

    @Test("top level holds schemaVersion and generator; keys sorted; numbers in shortest form; no timing by default")
    func layout() throws {
        var analysis = fixture.analysis
        analysis.models[0].meanScore = 0.1
        let text = String(decoding: try writer.jsonData(manifest: fixture.manifest, analysis: analysis), as: UTF8.self)
        let topLevelKeys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(topLevelKeys == ["analysis", "generator", "manifest", "schemaVersion"])
        #expect(text.contains("\"schemaVersion\" : 1"))
        #expect(text.contains("\"meanScore\" : 0.1,"))
        #expect(text.contains("\"seed\" : 7"))
        #expect(!text.contains("timing"))
        #expect(text.hasSuffix("}\n"))
        // Sorted at every depth: the summary's keys in order.
        let summaryKeys = ["accuracy", "correct", "errors", "judged", "meanScore", "model", "wrong"]
        let models = try #require(text.range(of: "\"models\" : ["))
        let positions = summaryKeys.compactMap { text.range(of: "\"\($0)\" : ", range: models.upperBound..<text.endIndex)?.lowerBound }
        #expect(positions.count == summaryKeys.count)
        #expect(positions == positions.sorted())
    }

    @Test("non-finite numbers are written as strings and read back")
    func nonFinite() throws {
        var analysis = fixture.analysis
        analysis.models[0].meanScore = .nan
        analysis.findings[0].pValue = .infinity
        let data = try writer.jsonData(manifest: fixture.manifest, analysis: analysis)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"meanScore\" : \"NaN\""))
        #expect(text.contains("\"pValue\" : \"Infinity\""))
        let decoded = try ReportDocument.decode(from: data)
        #expect(decoded.analysis.models[0].meanScore.isNaN)
        #expect(decoded.analysis.findings[0].pValue == .infinity)
        let html = writer.html(manifest: fixture.manifest, analysis: analysis)
        #expect(html.contains("<dd>n/a</dd>"))
    }

    @Test("reading refuses newer schemas and names the missing field")
    func decodeErrors() throws {
        let data = try writer.jsonData(manifest: fixture.manifest, analysis: fixture.analysis)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["schemaVersion"] = 2
        let newer = try JSONSerialization.data(withJSONObject: object)
        let versionError = try #require(throws: ReportError.self) { try ReportDocument.decode(from: newer) }
        #expect(versionError.kind == .unsupportedSchemaVersion)
        #expect(versionError.description.contains("schema version 2"))

        object["schemaVersion"] = 1
        var manifest = try #require(object["manifest"] as? [String: Any])
        manifest.removeValue(forKey: "runID")
        object["manifest"] = manifest
        let missing = try JSONSerialization.data(withJSONObject: object)
        let missingError = try #require(throws: ReportError.self) {
            try ReportDocument.decode(from: missing, source: "/tmp/x/report.json")
        }
        #expect(missingError.kind == .cannotDecode)
        #expect(missingError.location == "/tmp/x/report.json: manifest.runID")
    }
}

@Suite("Determinism")
struct DeterminismTests {
    let writer = ReportWriter(generator: "faultline-test")

    @Test("the same inputs give byte-identical files, whatever the dictionaries' order")
    func identicalBytes() throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("faultline-report-tests-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let first = try writer.write(
            manifest: fixture.manifest, analysis: fixture.analysis, thumbnails: thumbnailProvider(fixture),
            to: base.appendingPathComponent("a"))
        let second = try writer.write(
            manifest: fixture.manifest, analysis: reshuffled(Fixture().analysis), thumbnails: thumbnailProvider(Fixture()),
            to: base.appendingPathComponent("b/nested"))
        #expect(first.html.lastPathComponent == "report.html")
        #expect(first.json.lastPathComponent == "report.json")
        #expect(first.markdown.lastPathComponent == "report.md")
        for (a, b) in [(first.json, second.json), (first.markdown, second.markdown), (first.html, second.html)] {
            let bytesA = try Data(contentsOf: a), bytesB = try Data(contentsOf: b)
            #expect(bytesA.count > 1000)
            #expect(bytesA == bytesB, "\(a.lastPathComponent) differs")
        }
    }

    @Test("timing appears only when given")
    func timingOnlyWhenGiven() throws {
        let timing = RunTiming(
            models: [
                .init(model: "ocr:paddle", latenciesSeconds: [0.010, 0.020, 0.030, 0.040, 0.100], wallSeconds: 0.25),
                .init(model: "ocr:tesseract", latenciesSeconds: [0.5, 0.7], wallSeconds: 1.2),
            ],
            wallSeconds: 2.5)
        let plainHTML = writer.html(manifest: fixture.manifest, analysis: fixture.analysis)
        let plainMarkdown = writer.markdown(manifest: fixture.manifest, analysis: fixture.analysis)
        #expect(!plainHTML.contains("id=\"speed\""))
        #expect(!plainMarkdown.contains("## Speed"))

        let timedHTML = writer.html(manifest: fixture.manifest, analysis: fixture.analysis, timing: timing)
        let timedMarkdown = writer.markdown(manifest: fixture.manifest, analysis: fixture.analysis, timing: timing)
        #expect(timedHTML.contains("id=\"speed\""))
        // p50 of 10, 20, 30, 40, 100 ms is 30 ms; p95 (type 7) is 40 + 0.8 · 60 = 88 ms; 5 in 0.25 s is 20/s.
        #expect(timedMarkdown.contains("| ocr:paddle | 5 | 30.0 ms | 88.0 ms | 20.0 |"))
        #expect(timedMarkdown.contains("Wall time of the run: 2.50 s."))
        #expect(timedHTML.contains("<td class=\"num\">88.0 ms</td>"))
    }

    @Test("token usage is summed, tokens per second is over the latency of responses that report tokens")
    func tokenUsage() {
        var usage = RunTiming.ResponseUsage()
        usage.add(latencySeconds: 0.5, promptTokens: 40, completionTokens: 10)
        usage.add(latencySeconds: 1.5, promptTokens: 60, completionTokens: 30)
        usage.add(latencySeconds: 2.0, promptTokens: nil, completionTokens: nil)
        let model = RunTiming.ModelTiming(model: "openai:x", usage: usage, wallSeconds: 2)
        #expect(model.responses == 3)
        #expect(model.promptTokens == 100 && model.completionTokens == 40)
        // 40 tokens over 0.5 + 1.5 s; the response without tokens is left out.
        #expect(model.completionTokensPerSecond == 20)
        let timing = RunTiming(models: [model], wallSeconds: 2)
        #expect(timing.reportsTokens)
        let markdown = writer.markdown(manifest: fixture.manifest, analysis: fixture.analysis, timing: timing)
        #expect(markdown.contains("| Prompt tokens | Completion tokens | Tokens/s |"))
        #expect(markdown.contains("| 100 | 40 | 20.0 |"))
        let html = writer.html(manifest: fixture.manifest, analysis: fixture.analysis, timing: timing)
        #expect(html.contains("<th class=\"num\">Tokens/s</th>"))

        let silent = RunTiming(models: [.init(model: "ocr:x", latenciesSeconds: [0.1], wallSeconds: 1)], wallSeconds: 1)
        #expect(!silent.reportsTokens)
        #expect(!writer.markdown(manifest: fixture.manifest, analysis: fixture.analysis, timing: silent).contains("Tokens/s"))
    }

    @Test("timing percentiles ignore non-finite latencies and handle none")
    func timingMeasure() {
        let none = RunTiming.ModelTiming(model: "m", latenciesSeconds: [], wallSeconds: 0)
        #expect(none.p50LatencySeconds == 0 && none.p95LatencySeconds == 0 && none.probesPerSecond == 0)
        let some = RunTiming.ModelTiming(model: "m", latenciesSeconds: [.nan, 2, 1], wallSeconds: 3)
        #expect(some.p50LatencySeconds == 1.5)
        #expect(some.responses == 3)
        #expect(some.probesPerSecond == 1)
    }
}

@Suite("Markdown report")
struct MarkdownReportTests {
    let writer = ReportWriter()

    /// Splits a table row on the pipes that are not escaped.
    private func cells(_ row: Substring) -> [String] {
        var cells: [String] = [], current = "", escaped = false
        for character in row {
            if character == "|" && !escaped {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
            escaped = character == "\\" && !escaped
        }
        cells.append(current.trimmingCharacters(in: .whitespaces))
        return Array(cells.dropFirst().dropLast())
    }

    @Test("a pipe in a response is escaped and keeps the table's columns")
    func pipeInResponse() throws {
        let markdown = writer.markdown(manifest: fixture.manifest, analysis: fixture.analysis)
        let row = try #require(markdown.split(separator: "\n").first { $0.contains("a\\|b") })
        let columns = cells(row)
        #expect(columns.count == 6)
        #expect(columns[4] == "a\\|b")
        #expect(!markdown.contains(" a|b "))
        // Angle brackets and ampersands in answers become entities, so no dialect sees HTML.
        #expect(!markdown.contains("<"))
        #expect(markdown.contains("| &lt;script&gt;alert(1)&lt;/script&gt; |"))
        #expect(markdown.contains("| AT&amp;amp;T |"))
    }

    @Test("has the sections, the summary table and numbered findings with examples")
    func structure() throws {
        let markdown = writer.markdown(manifest: fixture.manifest, analysis: fixture.analysis)
        for heading in ["# Faultline report: text-renderer-s7-n216-3f9c2a1b", "## What was audited", "## Summary",
            "## Findings", "## Where the models disagree", "## How to read this"]
        {
            #expect(markdown.contains("\n\(heading)\n") || markdown.hasPrefix(heading + "\n"), "missing \(heading)")
        }
        let summary = try #require(fixture.analysis.models.first)
        let row = "| ocr:paddle | \(NumberText.percent(summary.accuracy.rate)) (\(NumberText.interval(summary.accuracy))) | "
            + "\(NumberText.score(summary.meanScore)) | \(summary.correct) | \(summary.wrong) | 0 | 216 |"
        #expect(markdown.contains(row))
        let first = try #require(fixture.analysis.findings.first)
        #expect(markdown.contains("1. **F1** (ocr:tesseract): \(first.statement)"))
        #expect(markdown.contains("Examples: " + first.exampleProbeIDs.joined(separator: ", ")))
        #expect(markdown.contains("3. **F3**"))
    }

    @Test("escapes list and heading markers at the start of text")
    func leadingMarkers() {
        #expect(MarkdownText.escape("- item") == "\\- item")
        #expect(MarkdownText.escape("12. point") == "12\\. point")
        #expect(MarkdownText.escape("# title") == "\\# title")
        #expect(MarkdownText.escape("`code` *x* _y_ [l](u)") == "\\`code\\` \\*x\\* \\_y\\_ \\[l\\](u)")
        #expect(MarkdownText.escape("<b>&amp;</b> > quote") == "&lt;b&gt;&amp;amp;&lt;/b&gt; &gt; quote")
        #expect(MarkdownText.escape("two\nlines") == "two ↵ lines")
    }
}

@Suite("Level order and chart layout")
struct LevelOrderTests {
    @Test("numbers order by value, none first, text ignores case", arguments: [
        (["20°", "none", "5°", "10°"], ["none", "5°", "10°", "20°"]),
        (["q90", "q30", "none"], ["none", "q30", "q90"]),
        (["5°", "-10°", "0°", "−20°"], ["−20°", "-10°", "0°", "5°"]),
        (["0.5", "0.25", "1", "0.125"], ["0.125", "0.25", "0.5", "1"]),
        (["serif", "Mono", "sans"], ["Mono", "sans", "serif"]),
        (["size 12px", "size 9px", "size 100px"], ["size 9px", "size 100px", "size 12px"].sorted(by: LevelOrder.precedes)),
        (["q-30", "q-5"], ["q-5", "q-30"]),
        (["b", "10", "a", "2"], ["2", "10", "a", "b"]),
        (["high", "low", "medium"], ["low", "medium", "high"]),
        (["heavy", "none", "light"], ["none", "light", "heavy"]),
    ])
    func order(input: [String], expected: [String]) {
        #expect(LevelOrder.sorted(input) == expected)
    }

    @Test("pixel sizes order by value")
    func pixelSizes() {
        #expect(LevelOrder.sorted(["size 12px", "size 9px", "size 100px"]) == ["size 9px", "size 12px", "size 100px"])
    }

    @Test("the order is total: distinct spellings of one value still sort the same way every time")
    func total() {
        let levels = ["5", "5.0", "05", "None", "none", "NONE"]
        let once = LevelOrder.sorted(levels)
        #expect(LevelOrder.sorted(levels.reversed()) == once)
        #expect(Set(once.prefix(3)) == ["None", "none", "NONE"])
        for a in levels {
            #expect(!LevelOrder.precedes(a, a))
            for b in levels where a != b { #expect(LevelOrder.precedes(a, b) != LevelOrder.precedes(b, a)) }
        }
    }

    @Test("factor charts list their levels in natural order although the analysis scrambles them")
    func chartOrder() throws {
        let html = ReportWriter().html(manifest: fixture.manifest, analysis: fixture.analysis)
        let factors = try #require(html.range(of: "<section id=\"factors\">"))
        let end = try #require(html.range(of: "</section>", range: factors.upperBound..<html.endIndex))
        let section = html[factors.upperBound..<end.lowerBound]
        func position(_ label: String) -> String.Index? { section.range(of: "</title>\(label)</text>")?.lowerBound }
        let rotations = Fixture.rotations.compactMap(position)
        #expect(rotations.count == 4)
        #expect(rotations == rotations.sorted())
        let qualities = Fixture.jpegQualities.compactMap(position)
        #expect(qualities.count == 3 && qualities == qualities.sorted())
        // Factors themselves in order: font, jpeg, rotation.
        let headings = ["font", "jpeg", "rotation"].compactMap { section.range(of: "<h3>\($0)</h3>")?.lowerBound }
        #expect(headings.count == 3 && headings == headings.sorted())
    }
}

@Suite("HTML report content")
struct HTMLContentTests {
    let writer = ReportWriter(generator: "faultline-test")

    @Test("is self-contained: no scripts, no external URLs, CSS inline")
    func selfContained() {
        let html = writer.html(manifest: fixture.manifest, analysis: fixture.analysis, thumbnails: thumbnailProvider(fixture))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("://"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        #expect(html.contains("<style>"))
        #expect(html.contains("Content-Security-Policy"))
    }

    @Test("shows the header, cards, charts, heat maps, findings, disagreements and the glossary")
    func sections() throws {
        let html = writer.html(manifest: fixture.manifest, analysis: fixture.analysis, thumbnails: thumbnailProvider(fixture))
        #expect(html.contains("<h1>text-renderer-s7-n216-3f9c2a1b</h1>"))
        #expect(html.contains("paddleocr-v4 det=3b1f… rec=9c2e… cls=77d0…"))
        #expect(html.contains("<dt>Seed</dt><dd><code>7</code></dd>"))
        #expect(html.components(separatedBy: "<div class=\"card\"").count - 1 == 2)
        // One overall chart, one per factor, two heat maps, one per finding, the colour legend.
        #expect(html.components(separatedBy: "<svg class=\"chart\"").count - 1 == 1 + 3 + 2 + 3 + 1)
        for finding in fixture.analysis.findings {
            #expect(html.contains("<p class=\"statement\">\(HTMLText.escape(finding.statement))</p>"))
            #expect(html.contains(HTMLText.escape(NumberText.probabilityClause("q", finding.qValue))))
            for probeID in finding.exampleProbeIDs { #expect(html.contains("<div class=\"pid\">\(probeID)</div>")) }
        }
        for term in ["Exact match", "CER", "95% confidence interval", "Benjamini–Hochberg", "Slice"] {
            #expect(html.contains(term), "glossary lacks \(term)")
        }
        let disagreement = try #require(fixture.analysis.disagreements.first)
        #expect(html.contains("<td class=\"num\">\(disagreement.count)</td>"))
    }

    @Test("a factor with many levels gets a chart of its own row; a few levels share a row")
    func wideFactorChart() {
        var analysis = fixture.analysis
        let sizes = (1...12).map { "\($0 * 4)px" }
        for model in Fixture.models {
            for (index, size) in sizes.enumerated() {
                analysis.singleFactorSlices.append(SliceStat(
                    model: model, slice: ["size": size],
                    accuracy: Statistics.wilson(successes: 10 - index / 2, total: 12), meanScore: 0.9))
            }
        }
        let html = writer.html(manifest: fixture.manifest, analysis: analysis)
        #expect(html.contains("<figure class=\"wide\">\n<h3>size</h3>"))
        #expect(html.contains("<figure>\n<h3>rotation</h3>"))
        let labels = sizes.compactMap { html.range(of: "</title>\($0)</text>")?.lowerBound }
        #expect(labels.count == 12 && labels == labels.sorted())
    }

    @Test("heat maps show the pair of the strongest pair finding and outline its cell for its model only")
    func heatMapChoice() throws {
        let html = writer.html(manifest: fixture.manifest, analysis: fixture.analysis)
        #expect(html.contains("Finding F2 is about this pair of factors"))
        #expect(html.contains("<strong>font</strong> (rows) and <strong>rotation</strong> (columns)"))
        #expect(html.components(separatedBy: "class=\"outline\"").count - 1 == 1)
        let content = ReportContent(manifest: fixture.manifest, analysis: fixture.analysis, timing: nil)
        let choice = try #require(content.heatMap)
        #expect(choice.rowLevels == ["mono", "sans", "serif"])
        #expect(choice.columnLevels == ["none", "5°", "10°", "20°"])

        // Without a pair finding: the pair holding the top finding's factor with the widest spread.
        var analysis = fixture.analysis
        analysis.findings.remove(at: 1)
        let fallback = try #require(ReportContent(manifest: fixture.manifest, analysis: analysis, timing: nil).heatMap)
        #expect([fallback.rowFactor, fallback.columnFactor].contains("rotation"))
        #expect(fallback.finding?.id == "F1")
        let outlined = writer.html(manifest: fixture.manifest, analysis: analysis)
        // F1 is about rotation = 20° for tesseract: one outlined cell per level of the other factor.
        let otherLevels = fallback.rowFactor == "rotation" ? fallback.columnLevels : fallback.rowLevels
        #expect(outlined.components(separatedBy: "class=\"outline\"").count - 1 == otherLevels.count)
    }

    @Test("thumbnails are embedded as PNG data URLs, asked for once per image; other bytes are refused")
    func thumbnails() throws {
        final class Counter: @unchecked Sendable { var calls: [String: Int] = [:] }
        let counter = Counter()
        let provider = thumbnailProvider(fixture)
        let html = writer.html(manifest: fixture.manifest, analysis: fixture.analysis) { image in
            counter.calls[image.sha256, default: 0] += 1
            return provider(image)
        }
        #expect(!counter.calls.isEmpty)
        #expect(counter.calls.values.allSatisfy { $0 == 1 })
        let images = html.components(separatedBy: "<img src=\"data:image/png;base64,").count - 1
        #expect(images >= counter.calls.count)
        #expect(html.contains("width=\"240\" height=\"120\""))

        let refused = writer.html(manifest: fixture.manifest, analysis: fixture.analysis) { _ in Data("GIF89a".utf8) }
        #expect(!refused.contains("<img"))
        #expect(refused.contains("thumbnail unavailable"))
        let none = writer.html(manifest: fixture.manifest, analysis: fixture.analysis)
        #expect(none.contains("no image"))
    }

    @Test("writes the sample report named by FAULTLINE_REPORT_SAMPLE, for looking at")
    func sample() throws {
        guard let path = ProcessInfo.processInfo.environment["FAULTLINE_REPORT_SAMPLE"] else { return }
        let html = writer.html(manifest: fixture.manifest, analysis: fixture.analysis, thumbnails: thumbnailProvider(fixture))
        try Data(html.utf8).write(to: URL(fileURLWithPath: path))
        #expect(FileManager.default.fileExists(atPath: path))
    }
}

@Suite("Writing files")
struct WritingTests {
    @Test("a directory that cannot be created gives an error naming it")
    func unwritableDirectory() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-report-file-\(UUID().uuidString)")
        try Data("not a directory".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let target = file.appendingPathComponent("report")
        let error = try #require(throws: ReportError.self) {
            try ReportWriter().write(manifest: fixture.manifest, analysis: fixture.analysis, to: target)
        }
        #expect(error.kind == .cannotCreateDirectory)
        #expect(error.location == target.path)
        #expect(error.description.contains(target.path))
    }

    @Test("an empty run still gives a readable report")
    func emptyRun() throws {
        let manifest = RunManifest(runID: "empty", suite: "text-renderer count=0 seed=1", seed: 1, probeCount: 0, models: [], faultlineVersion: "0.1.0")
        let analysis = RunAnalysis(models: [], singleFactorSlices: [], pairSlices: [], findings: [], disagreements: [], examples: [])
        let writer = ReportWriter()
        let html = writer.html(manifest: manifest, analysis: analysis)
        #expect(html.contains("No model was judged in this run."))
        #expect(html.contains("No slice of the probes is significantly worse"))
        #expect(html.hasSuffix("</html>\n"))
        let markdown = writer.markdown(manifest: manifest, analysis: analysis)
        #expect(markdown.contains("No model was judged in this run."))
        #expect(markdown.contains("No models were audited."))
        let decoded = try ReportDocument.decode(from: try writer.jsonData(manifest: manifest, analysis: analysis))
        #expect(decoded.analysis == analysis)
    }
}
