import FaultlineCore
import FaultlineReport
import Foundation
import Testing

@Suite struct AuditPagesTests {
    static let hostileModel = "<img src=x onerror=alert(1)>"
    static let escapedHostileModel = "&lt;img src=x onerror=alert(1)&gt;"
    static let hostileAnswer = "<img src=y onerror=alert(2)><script>alert(3)</script>"
    static let grass = CueIdentity(attribute: "background", value: "grass")
    static let hostileSign = CueIdentity(attribute: "sign", value: "\"><script>alert(4)</script>")

    /// PNG signature and a few bytes: enough to be inlined as a data URL.
    static let pngBytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4])

    static func evidence(answers: [String: [String: String]]) -> AuditEvidence {
        func probe(_ id: String) -> Probe {
            Probe(
                id: id, images: [ImageRef(sha256: "sha-\(id)", width: 224, height: 224)], prompt: "What shape is it?",
                expected: ExpectedAnswer(text: "circle", format: .freeText), ability: .attribute,
                lineage: Lineage(source: "test", seed: 1))
        }
        let ids = Set(answers.keys)
        let bytes = pngBytes
        return AuditEvidence(
            probes: Dictionary(uniqueKeysWithValues: ids.map { ($0, probe($0)) }), answers: answers,
            images: { _ in bytes })
    }

    // MARK: - Checks shared by the pages

    /// No script, no remote resource, every image inline, and the hostile strings only escaped.
    static func expectSelfContained(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(html.hasPrefix("<!DOCTYPE html>"), sourceLocation: sourceLocation)
        #expect(!html.lowercased().contains("<script"), sourceLocation: sourceLocation)
        #expect(!html.contains("http://") && !html.contains("https://"), sourceLocation: sourceLocation)
        #expect(!html.contains(hostileModel), sourceLocation: sourceLocation)
        #expect(!html.contains("onerror=alert(1)>"), sourceLocation: sourceLocation)
        var rest = html[...]
        while let tag = rest.range(of: "<img ") {
            #expect(rest[tag.upperBound...].hasPrefix("src=\"data:image/png;base64,"), sourceLocation: sourceLocation)
            rest = rest[tag.upperBound...]
        }
    }

    /// The table row (one line) that starts with `prefix`.
    static func row(_ html: String, startingWith prefix: String) -> String? {
        html.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
    }

    static func proportion(_ successes: Int, _ total: Int) -> Proportion {
        Statistics.wilson(successes: successes, total: total)
    }

    // MARK: - Spurious

    static func group(
        model: String, cue: CueIdentity = grass, confirmed: Bool, affected: Bool, gap: Double, examples: [[String]] = []
    ) -> SpuriousGroupResult {
        SpuriousGroupResult(
            model: model, cue: cue, answer: "star", minedFrom: hostileModel, pairs: 25,
            anchorAccuracy: proportion(10, 25), counterfactualAccuracy: proportion(22, 25), gap: gap, gapLow: gap - 0.2,
            gapHigh: gap + 0.2, anchorSaysCueAnswer: proportion(12, 25), confirmed: confirmed, affected: affected,
            examplePairs: examples)
    }

    static func spuriousAudit(confirmedGap: Double = 0.48) -> SpuriousAudit {
        let candidate = SpuriousCandidate(
            model: hostileModel, cue: grass, answer: "star", withCue: proportion(20, 40), withoutCue: proportion(2, 40),
            mutualInformationBits: 0.205, theilsU: 0.242, pValue: 4e-6, qValue: 8e-6, exampleProbeIDs: ["a1"])
        let signCandidate = SpuriousCandidate(
            model: "zoo:clean", cue: hostileSign, answer: hostileAnswer, withCue: proportion(9, 20),
            withoutCue: proportion(1, 20), mutualInformationBits: 0.1, theilsU: 0.12, pValue: 0.002, qValue: 0.004,
            exampleProbeIDs: [])
        return SpuriousAudit(
            generator: "faultline test", seed: 42, miningRunID: "run-mine", groupRunID: "run-groups",
            models: ["zoo:clean", hostileModel, "zoo:other"], testedPairs: [hostileModel: 12, "zoo:clean": 7],
            candidates: [candidate, signCandidate],
            groups: [
                group(model: hostileModel, confirmed: true, affected: true, gap: confirmedGap, examples: [["a1", "c1"], ["a2", "c2"]]),
                group(model: "zoo:clean", confirmed: false, affected: true, gap: 0.30),
                group(model: "zoo:other", confirmed: false, affected: false, gap: 0.02),
            ],
            settings: ["miningProbes": 600, "minimumGap": 0.1])
    }

    static let spuriousEvidence = evidence(answers: [
        "a1": [hostileModel: hostileAnswer], "c1": [hostileModel: "Circle."],
    ])

    @Test("the spurious page is self-contained and escapes hostile names, cues and answers")
    func spuriousIsSafe() {
        let html = AuditPages.spurious(Self.spuriousAudit(), evidence: Self.spuriousEvidence)
        Self.expectSelfContained(html)
        #expect(html.contains(Self.escapedHostileModel))
        #expect(html.contains("sign = &quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"))
        #expect(html.contains("&lt;img src=y onerror=alert(2)&gt;&lt;script&gt;alert(3)&lt;/script&gt;"))
        // The example cards: images inlined, the hostile answer shown wrong, the right one right.
        #expect(html.contains("<img src=\"data:image/png;base64,\(Self.pngBytes.base64EncodedString())\""))
        #expect(html.contains("circle ✓"))
        #expect(html.contains("&lt;/script&gt; ✗"))
        // The second example pair was not stored.
        #expect(html.contains("<div class=\"missing\">not stored</div>"))
    }

    @Test("the spurious page tells confirmed, affected and not confirmed apart")
    func spuriousVerdicts() throws {
        let html = AuditPages.spurious(Self.spuriousAudit(), evidence: Self.spuriousEvidence)
        let confirmed = try #require(Self.row(html, startingWith: "<tr><td>\(Self.escapedHostileModel)</td><td>background = grass"))
        #expect(confirmed.hasSuffix("<td><strong>confirmed</strong></td></tr>"))
        // Gap and its interval in signed percentage points; anchor and counterfactual accuracy.
        #expect(confirmed.contains("+48.0 pp (+28.0 pp to +68.0 pp)"))
        #expect(confirmed.contains("<td class=\"num\">40.0%</td><td class=\"num\">88.0%</td>"))
        let affected = try #require(Self.row(html, startingWith: "<tr><td>zoo:clean</td><td>background = grass"))
        #expect(affected.hasSuffix("<td>affected (mined from \(Self.escapedHostileModel))</td></tr>"))
        let rejected = try #require(Self.row(html, startingWith: "<tr><td>zoo:other</td><td>background = grass"))
        #expect(rejected.hasSuffix("<td>not confirmed</td></tr>"))
        // Only the confirmed group gets an example section.
        #expect(html.contains("<h2>Examples</h2>"))
        #expect(html.components(separatedBy: "<h3>").count == 2)
        // The candidate table: lift, q and the pairs tested for that model.
        let candidate = try #require(Self.row(html, startingWith: "<tr><td>\(Self.escapedHostileModel)</td><td>background = grass</td><td>star</td><td class=\"num\">50.0% (n=40)"))
        #expect(candidate.contains("<td class=\"num\">+45.0 pp</td>"))
        #expect(candidate.hasSuffix("<td class=\"num\">12</td></tr>"))
        // q = 8·10⁻⁶ is printed as "< 0.001", which must be escaped like every other text.
        #expect(candidate.contains("<td class=\"num\">&lt; 0.001</td>"))
    }

    /// Every `<` that does not open a tag, a closing tag or a declaration: text that was not escaped.
    static func strayAngleBrackets(_ html: String) -> [String] {
        var stray: [String] = []
        var rest = html[...]
        while let bracket = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: bracket)...]
            if let next = after.first, !(next.isLetter || next == "/" || next == "!") {
                stray.append(String(rest[bracket...].prefix(20)))
            }
            rest = after
        }
        return stray
    }

    @Test("every < on the pages opens a tag")
    func noStrayAngleBrackets() {
        #expect(Self.strayAngleBrackets(AuditPages.interference(Self.interferenceAudit(), evidence: Self.interferenceEvidence)).isEmpty)
        #expect(Self.strayAngleBrackets(AuditPages.rectify(Self.rectifyAudit(regressing: true))).isEmpty)
        // The check itself finds unescaped text.
        #expect(Self.strayAngleBrackets("<p>a < b</p>") == ["< b</p>"])
        let spurious = AuditPages.spurious(Self.spuriousAudit(), evidence: Self.spuriousEvidence)
        #expect(Self.strayAngleBrackets(spurious).isEmpty)
    }

    @Test("a spurious audit without candidates says so")
    func spuriousEmpty() {
        let audit = SpuriousAudit(
            generator: "faultline test", seed: 1, miningRunID: "run-mine", groupRunID: "", models: ["zoo:clean"],
            testedPairs: [:], candidates: [], groups: [], settings: [:])
        let html = AuditPages.spurious(audit, evidence: Self.evidence(answers: [:]))
        Self.expectSelfContained(html)
        #expect(html.contains("none (no candidate)"))
        #expect(html.contains("no candidate to confirm"))
        #expect(html.contains("no candidate passed the thresholds"))
        #expect(!html.contains("<h2>Examples</h2>"))
    }

    @Test("the spurious page is byte-identical for identical input, and changes with it")
    func spuriousDeterministic() {
        let first = AuditPages.spurious(Self.spuriousAudit(), evidence: Self.spuriousEvidence)
        let second = AuditPages.spurious(Self.spuriousAudit(), evidence: Self.spuriousEvidence)
        #expect(Data(first.utf8) == Data(second.utf8))
        let changed = AuditPages.spurious(Self.spuriousAudit(confirmedGap: 0.5), evidence: Self.spuriousEvidence)
        #expect(changed != first)
    }

    // MARK: - Interference

    /// `flips` of `total` pairs change their answer; the first `flips` also go from right to wrong.
    static func metrics(flips: Int, total: Int) -> InterferenceMetrics {
        InterferenceMetrics(
            pairs: (0..<total).map { index in
                PerturbedPair(
                    probeID: "p\(index)", cleanAnswer: "A", perturbedAnswer: index < flips ? "B" : "A", cleanCorrect: true,
                    perturbedCorrect: index >= flips)
            })
    }

    static func interferenceAudit(runID: String = "run-if") -> InterferenceAudit {
        InterferenceAudit(
            generator: "faultline test", seed: 7, runID: runID, models: [hostileModel, "zoo:b"],
            cells: [
                InterferenceCell(
                    model: hostileModel, perturbation: "misleading-description", side: "image-heavy",
                    metrics: metrics(flips: 3, total: 4), exampleFlips: [["c1", "p1"]]),
                InterferenceCell(
                    model: hostileModel, perturbation: "black-image", side: "text-heavy",
                    metrics: metrics(flips: 1, total: 3), exampleFlips: []),
                InterferenceCell(
                    model: "zoo:b", perturbation: "misleading-description", side: "image-heavy",
                    metrics: metrics(flips: 0, total: 5), exampleFlips: []),
            ],
            attacks: [
                AttackPoint(
                    model: hostileModel, method: "random-search-image", side: "text-heavy", epsilon: 8, unit: "/255",
                    success: proportion(2, 10), meanQueries: 37.5, queryCap: 100)
            ],
            perturbations: [
                "misleading-description": ["Misleading description", "A sentence naming <b>a wrong answer</b>."],
                "black-image": ["Black image", "An all-black picture is added."],
            ])
    }

    static let interferenceEvidence = evidence(answers: [
        "c1": [hostileModel: "A"], "p1": [hostileModel: hostileAnswer],
    ])

    @Test("the interference page is self-contained and escapes hostile names and answers")
    func interferenceIsSafe() {
        let html = AuditPages.interference(Self.interferenceAudit(), evidence: Self.interferenceEvidence)
        Self.expectSelfContained(html)
        #expect(html.contains(Self.escapedHostileModel))
        #expect(html.contains("A sentence naming &lt;b&gt;a wrong answer&lt;/b&gt;."))
        #expect(!html.contains("<b>a wrong answer</b>"))
        #expect(html.contains("<h2>Example flips</h2>"))
    }

    @Test("the heat map shows each cell's flip percentage and marks missing cells")
    func heatMapCells() throws {
        let html = AuditPages.interference(Self.interferenceAudit(), evidence: Self.interferenceEvidence)
        let svgStart = try #require(html.range(of: "<svg"))
        let svgEnd = try #require(html.range(of: "</svg>"))
        let svg = String(html[svgStart.lowerBound..<svgEnd.upperBound])
        func cellTexts() -> [String] {
            svg.components(separatedBy: "<text class=\"cell\"").dropFirst().compactMap { part in
                guard let open = part.firstIndex(of: ">"), let close = part.range(of: "</text>") else { return nil }
                return String(part[part.index(after: open)..<close.lowerBound])
            }
        }
        // Rows: hostile model (3/4, 1/3), zoo:b (0/5, not answered); columns in first-seen order.
        #expect(cellTexts() == ["75%", "33%", "0%"])
        #expect(svg.components(separatedBy: "<title>not answered</title>").count == 2)
        #expect(svg.contains("δ_cp 75.0% (95% CI"))
        // The model label is escaped and truncated in the chart.
        #expect(svg.contains("&lt;img src=x onerror=al…"))
        // The metrics table: δ_cp with interval, accuracies, the paired drop.
        let row = try #require(Self.row(html, startingWith: "<tr><td>zoo:b</td><td>Misleading description</td>"))
        #expect(row.contains("<td class=\"num\">0.0% (0.0–43.4%)</td>"))
        #expect(row.contains("<td class=\"num\">100.0%</td><td class=\"num\">100.0%</td>"))
        #expect(row.contains("<td class=\"num\">0.0 pp (0.0 pp to 0.0 pp)</td>"))
        #expect(row.hasSuffix("<td class=\"num\">5</td></tr>"))
        let attack = try #require(Self.row(html, startingWith: "<tr><td>\(Self.escapedHostileModel)</td><td>random-search-image</td>"))
        #expect(attack.contains("20.0% (5.7–51.0%, n=10)"))
        #expect(attack.hasSuffix("<td class=\"num\">37.5 (100)</td></tr>"))
    }

    @Test("the interference page is byte-identical for identical input, and changes with it")
    func interferenceDeterministic() {
        let first = AuditPages.interference(Self.interferenceAudit(), evidence: Self.interferenceEvidence)
        let second = AuditPages.interference(Self.interferenceAudit(), evidence: Self.interferenceEvidence)
        #expect(Data(first.utf8) == Data(second.utf8))
        #expect(AuditPages.interference(Self.interferenceAudit(runID: "run-other"), evidence: Self.interferenceEvidence) != first)
    }

    // MARK: - Rectify

    static func rectifyAudit(regressing: Bool) -> RectifyAudit {
        let cue = RepairComparison(
            name: "background = grass → star", kind: "spurious-cue", metric: "accuracy gap", before: (0.30, 0.20, 0.40),
            after: (0.02, -0.05, 0.09), count: 60, higherIsBetter: false)
        let flips = RepairComparison(
            name: "Misleading description", kind: "interference", metric: "answers changed", before: (0.25, 0.2, 0.3),
            after: (0.1, 0.07, 0.13), count: 200, higherIsBetter: false)
        let counting = RepairComparison(
            name: "counting <b>", kind: "ability", metric: "accuracy", before: (0.80, 0.75, 0.85),
            after: regressing ? (0.70, 0.65, 0.75) : (0.81, 0.76, 0.86), count: 200, higherIsBetter: true)
        return RectifyAudit(
            generator: "faultline test", model: hostileModel, repairedModel: hostileModel + "+repaired",
            fromAudits: ["run-mine", "run-if"], repairSeed: 5, heldOutSeed: 6,
            repairData: ["counterfactual": 40, "augmentation": 80], exports: ["/tmp/out/repair.jsonl", "/tmp/out/0001.png"],
            settings: ["lambda": "0.5", "divergence": "js", "steps": "300"], lossStart: 1.234, lossEnd: 0.456,
            heldOutRuns: ["run-h1", "run-h2"], findings: [cue], interference: [flips], abilities: [counting])
    }

    @Test("the rectify page marks regressed figures and escapes names")
    func rectifyRegressed() throws {
        let html = AuditPages.rectify(Self.rectifyAudit(regressing: true))
        Self.expectSelfContained(html)
        #expect(html.contains("<p>Regressed: counting &lt;b&gt;</p>"))
        #expect(!html.contains("Nothing regressed beyond its interval."))
        let counting = try #require(Self.row(html, startingWith: "<tr><td>counting &lt;b&gt;</td>"))
        #expect(counting.hasSuffix("<td><strong>regressed</strong></td></tr>"))
        #expect(counting.contains("<td class=\"num\">80.0% (75.0% to 85.0%)</td><td class=\"num\">70.0% (65.0% to 75.0%)</td>"))
        let cue = try #require(Self.row(html, startingWith: "<tr><td>background = grass → star</td>"))
        #expect(cue.hasSuffix("<td>ok</td></tr>"))
        #expect(cue.contains("+30.0 pp (+20.0 pp to +40.0 pp)"))
        #expect(cue.contains("+2.0 pp (\u{2212}5.0 pp to +9.0 pp)"))
        #expect(html.contains("80 augmentation pairs, 40 counterfactual pairs"))
        #expect(html.contains("300 steps, loss 1.234 → 0.456"))
        #expect(html.contains("/tmp/out/repair.jsonl"))
    }

    @Test("the rectify page says when nothing regressed")
    func rectifyClean() throws {
        let html = AuditPages.rectify(Self.rectifyAudit(regressing: false))
        Self.expectSelfContained(html)
        #expect(html.contains("Nothing regressed beyond its interval."))
        let counting = try #require(Self.row(html, startingWith: "<tr><td>counting &lt;b&gt;</td>"))
        #expect(counting.hasSuffix("<td>ok</td></tr>"))
        #expect(!html.contains("<td><strong>regressed</strong></td>"))
    }

    @Test("the rectify page is byte-identical for identical input, and changes with it")
    func rectifyDeterministic() {
        let first = AuditPages.rectify(Self.rectifyAudit(regressing: true))
        #expect(Data(first.utf8) == Data(AuditPages.rectify(Self.rectifyAudit(regressing: true)).utf8))
        #expect(AuditPages.rectify(Self.rectifyAudit(regressing: false)) != first)
    }
}
