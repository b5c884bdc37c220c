import FaultlineCore
import Foundation
import Testing

@testable import FaultlineAudits

/// Synthetic judged rows with crossed, balanced factors and planted failure rates.
private enum Synthetic {
    static let rotations = ["0°", "5°", "10°", "20°", "30°"]
    static let fonts = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"]
    static let sizes = ["12px", "16px", "24px"]

    static func probeID(_ index: Int) -> String { String(format: "p-%05d", index) }

    static func factors(_ index: Int) -> [String: String] {
        ["rotation": rotations[index % 5], "font": fonts[(index / 5) % 3], "size": sizes[(index / 15) % 3]]
    }

    /// One row per (probe, model); `correctRate` gives each model's chance of being right on
    /// a probe's factors, `isError` marks backend errors.
    static func rows(
        probes: Int, seed: UInt64, models: [String],
        factors: (Int) -> [String: String] = Synthetic.factors,
        correctRate: (String, [String: String]) -> Double,
        isError: (String, Int) -> Bool = { _, _ in false }
    ) -> [JudgedProbe] {
        var rows: [JudgedProbe] = []
        for index in 0..<probes {
            let probeFactors = factors(index)
            for (modelNumber, model) in models.enumerated() {
                var generator = SeededGenerator(seed: seed &+ UInt64(modelNumber), stream: UInt64(index))
                let outcome: Outcome
                if isError(model, index) {
                    outcome = .error
                } else {
                    outcome = generator.unit() < correctRate(model, probeFactors) ? .correct : .wrong
                }
                rows.append(JudgedProbe(
                    probeID: probeID(index), modelKey: model, ability: .ocr, prompt: "Read the text.",
                    expected: "word\(index)", response: outcome == .correct ? "word\(index)" : (outcome == .wrong ? "w0rd" : ""),
                    outcome: outcome, score: outcome == .correct ? 1 : (outcome == .wrong ? 0.6 : 0),
                    judge: outcome == .error ? "runner" : "ocr-exact/1", detail: outcome == .error ? "timeout" : "compared",
                    factors: probeFactors, image: nil, latencySeconds: 0.01))
            }
        }
        return rows
    }

    static func shuffled(_ rows: [JudgedProbe], seed: UInt64) -> [JudgedProbe] {
        var generator = SeededGenerator(seed: seed)
        var result = rows
        for i in stride(from: result.count - 1, to: 0, by: -1) {
            result.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        return result
    }

    /// Model A fails 80% of the time on text rotated 10° or more and 5% otherwise; model B
    /// is right 93% of the time everywhere and errors on every 100th probe.
    static func plantedRotation(probes: Int = 1500, seed: UInt64 = 11) -> [JudgedProbe] {
        rows(probes: probes, seed: seed, models: ["ocr:a", "ocr:b"], correctRate: { model, factors in
            if model == "ocr:b" { return 0.93 }
            return ["10°", "20°", "30°"].contains(factors["rotation"]!) ? 0.2 : 0.95
        }, isError: { model, index in model == "ocr:b" && index % 100 == 0 })
    }
}

@Suite("Failure analysis")
struct FailureAnalyzerTests {
    @Test("a planted rotation failure is found, worded, and null factors are not")
    func plantedFactorIsFound() throws {
        let rows = Synthetic.plantedRotation()
        let analysis = try FailureAnalyzer.analyze(rows, models: ["ocr:b", "ocr:a"])

        #expect(analysis.findings.map(\.slice) == [["rotation": "≥ 10°"]])
        let finding = try #require(analysis.findings.first)
        #expect(finding.id == "F1")
        #expect(finding.model == "ocr:a")

        // Recount by brute force and rebuild the statement.
        let modelA = rows.filter { $0.modelKey == "ocr:a" && $0.outcome != .error }
        let inSlice = modelA.filter { ["10°", "20°", "30°"].contains($0.factors["rotation"]!) }
        let rest = modelA.filter { !["10°", "20°", "30°"].contains($0.factors["rotation"]!) }
        let sliceAccuracy = Statistics.wilson(successes: inSlice.filter { $0.outcome == .correct }.count, total: inSlice.count)
        let restAccuracy = Statistics.wilson(successes: rest.filter { $0.outcome == .correct }.count, total: rest.count)
        #expect(finding.sliceAccuracy == sliceAccuracy)
        #expect(finding.restAccuracy == restAccuracy)
        #expect(finding.effect == sliceAccuracy.rate - restAccuracy.rate)
        #expect(finding.effect < -0.6)
        #expect(finding.qValue < 0.001)
        func percent(_ x: Double) -> Int { Int((x * 100).rounded()) }
        let statement = "ocr:a fails on text rotated 10° or more: \(percent(sliceAccuracy.rate))% vs "
            + "\(percent(restAccuracy.rate))% exact match (n = \(inSlice.count), 95% CI "
            + "\(percent(sliceAccuracy.low))–\(percent(sliceAccuracy.high))%; q < 0.001)"
        #expect(finding.statement == statement)
        #expect(statement.hasPrefix("ocr:a fails on text rotated 10° or more: 2"))

        let failing = inSlice.filter { $0.outcome == .wrong }.map(\.probeID).sorted()
        #expect(finding.exampleProbeIDs == Array(failing.prefix(5)))
        let exampleKeys = analysis.examples.map { "\($0.modelKey)|\($0.probeID)" }
        for id in finding.exampleProbeIDs { #expect(exampleKeys.contains("ocr:a|\(id)")) }
    }

    @Test("chance dips among the many pairs of a failing level are not reported", arguments: UInt64(100)..<UInt64(108))
    func noSpuriousPairs(seed: UInt64) throws {
        // Each pair of "rotation ≥ 10°" with a null factor has ~100 probes, so some dip well
        // below their rotation level by chance; only the planted threshold may be reported.
        let analysis = try FailureAnalyzer.analyze(Synthetic.plantedRotation(seed: seed), models: ["ocr:a", "ocr:b"])
        #expect(analysis.findings.map(\.slice) == [["rotation": "≥ 10°"]])
    }

    @Test("model summaries exclude errors from accuracy and report them separately")
    func modelSummaries() throws {
        let rows = Synthetic.plantedRotation()
        let analysis = try FailureAnalyzer.analyze(rows, models: ["ocr:a", "ocr:b"])
        #expect(analysis.models.map(\.model) == ["ocr:a", "ocr:b"])
        let b = analysis.models[1]
        let bRows = rows.filter { $0.modelKey == "ocr:b" }
        #expect(b.judged == 1500)
        #expect(b.errors == 15)
        #expect(b.correct == bRows.filter { $0.outcome == .correct }.count)
        #expect(b.wrong == bRows.filter { $0.outcome == .wrong }.count)
        #expect(b.accuracy == Statistics.wilson(successes: b.correct, total: b.correct + b.wrong))
        let scored = bRows.filter { $0.outcome != .error }
        #expect(abs(b.meanScore - scored.map(\.score).reduce(0, +) / Double(scored.count)) < 1e-9)

        // Every level and every pair of levels, per model.
        #expect(analysis.singleFactorSlices.count == 2 * (5 + 3 + 3))
        #expect(analysis.pairSlices.count == 2 * (5 * 3 + 5 * 3 + 3 * 3))
        let rotationA = analysis.singleFactorSlices.filter { $0.model == "ocr:a" && $0.slice.keys.first == "rotation" }
        #expect(rotationA.map { $0.slice["rotation"]! } == Synthetic.rotations)
        #expect(rotationA.map(\.accuracy.total).reduce(0, +) == 1500)
    }

    @Test("the same rows in any order give the same analysis, byte for byte")
    func deterministicUnderShuffling() throws {
        let rows = Synthetic.plantedRotation()
        let reference = try FailureAnalyzer.analyze(rows, models: ["ocr:a", "ocr:b"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let referenceJSON = try encoder.encode(reference)
        let modelMajor = rows.filter { $0.modelKey == "ocr:b" } + rows.filter { $0.modelKey == "ocr:a" }
        for ordering in [Synthetic.shuffled(rows, seed: 1), Synthetic.shuffled(rows, seed: 2), rows.reversed(), modelMajor] {
            let analysis = try FailureAnalyzer.analyze(ordering, models: ["ocr:a", "ocr:b"])
            #expect(analysis == reference)
            #expect(try encoder.encode(analysis) == referenceJSON)
        }
    }

    @Test("disagreements count probes one model gets right and the other wrong")
    func disagreements() throws {
        let rows = Synthetic.plantedRotation()
        let analysis = try FailureAnalyzer.analyze(Synthetic.shuffled(rows, seed: 5), models: ["ocr:a", "ocr:b"])
        var outcomes: [String: [String: Outcome]] = [:]
        for row in rows { outcomes[row.probeID, default: [:]][row.modelKey] = row.outcome }
        func brute(right: String, wrong: String) -> [String] {
            outcomes.filter { $0.value[right] == .correct && $0.value[wrong] == .wrong }.keys.sorted()
        }
        #expect(analysis.disagreements.map { "\($0.rightModel)>\($0.wrongModel)" } == ["ocr:a>ocr:b", "ocr:b>ocr:a"])
        for summary in analysis.disagreements {
            let expected = brute(right: summary.rightModel, wrong: summary.wrongModel)
            #expect(summary.count == expected.count)
            #expect(summary.exampleProbeIDs == Array(expected.prefix(5)))
            for id in summary.exampleProbeIDs {
                let row = analysis.examples.first { $0.probeID == id && $0.modelKey == summary.wrongModel }
                #expect(row?.outcome == .wrong)
            }
        }
        // B is right where A fails on rotated text far more often than the reverse.
        #expect(analysis.disagreements[1].count > 5 * analysis.disagreements[0].count)
        #expect(analysis.examples.count <= 60)
    }

    @Test("a threshold is not stretched over levels that do not fail")
    func thresholdOnlyWhenTruer() throws {
        let rows = Synthetic.rows(probes: 1500, seed: 3, models: ["ocr:c"]) { _, factors in
            factors["rotation"] == "30°" ? 0.1 : 0.95
        }
        let analysis = try FailureAnalyzer.analyze(rows, models: ["ocr:c"])
        // "≥ 20°" is significant too (it contains 30°) but 20° itself does not fail.
        #expect(analysis.findings.map(\.slice) == [["rotation": "30°"]])
        #expect(analysis.findings.first?.statement.hasPrefix("ocr:c fails on text rotated 30°: ") == true)
    }

    @Test("a pair is reported when neither of its levels explains it, and replaces them")
    func interaction() throws {
        let factors: (Int) -> [String: String] = { index in
            ["size": index % 2 == 0 ? "12px" : "24px", "contrast": (index / 2) % 2 == 0 ? "low" : "high",
             "kind": ["word", "number"][(index / 4) % 2]]
        }
        let rows = Synthetic.rows(probes: 2000, seed: 9, models: ["ocr:d"], factors: factors) { _, factors in
            factors["size"] == "12px" && factors["contrast"] == "low" ? 0.1 : 0.97
        }
        let analysis = try FailureAnalyzer.analyze(rows, models: ["ocr:d"])
        // "size = 12px" and "contrast = low" alone are significantly worse than the rest too,
        // but only because of the pair: outside it they are as good as everything else.
        #expect(analysis.findings.map(\.slice) == [["size": "12px", "contrast": "low"]])
        #expect(analysis.findings.first?.statement.hasPrefix("ocr:d fails on text at low contrast and text 12 px: ") == true)
    }

    @Test("a failure at low values of an ordered factor reads as a threshold from above")
    func thresholdFromAbove() throws {
        let qualities = ["q10", "q30", "q50", "q70", "q90"]
        let rows = Synthetic.rows(
            probes: 1500, seed: 5, models: ["ocr:e"],
            factors: { index in ["jpeg": qualities[index % 5], "font": Synthetic.fonts[(index / 5) % 3]] }
        ) { _, factors in
            ["q10", "q30"].contains(factors["jpeg"]!) ? 0.3 : 0.9
        }
        let analysis = try FailureAnalyzer.analyze(rows, models: ["ocr:e"])
        #expect(analysis.findings.map(\.slice) == [["jpeg": "≤ q30"]])
        #expect(analysis.findings.first?.statement.hasPrefix("ocr:e fails on JPEG quality q30 or lower: ") == true)
    }

    @Test("no findings when nothing was planted")
    func nullRun() throws {
        let rows = Synthetic.rows(probes: 1500, seed: 21, models: ["ocr:x", "ocr:y"]) { _, _ in 0.8 }
        let analysis = try FailureAnalyzer.analyze(rows, models: ["ocr:x", "ocr:y"])
        #expect(analysis.findings.isEmpty)
    }

    @Test("memory follows the number of slices, not of rows")
    func boundedMemory() throws {
        var analyzer = try FailureAnalyzer(models: ["ocr:a", "ocr:b"])
        var largestHeld = 0
        for row in Synthetic.plantedRotation(probes: 6000, seed: 4) {
            try analyzer.add(row)
            largestHeld = max(largestHeld, analyzer.heldRowCount)
        }
        // 2 models × (11 single + 39 pair slices) × 5 examples, plus 2 disagreement samples.
        #expect(largestHeld <= 2 * (11 + 39) * 5 + 2 * 5 + 2)
        let analysis = analyzer.analysis()
        #expect(analysis.models.map(\.judged) == [6000, 6000])
    }

    @Test("bad rows and settings are refused with errors that say what and where")
    func errors() throws {
        #expect(throws: FailureAnalysisError.invalidModelList(reason: "it is empty")) { try FailureAnalyzer(models: []) }
        #expect(throws: FailureAnalysisError.invalidModelList(reason: "'m' appears more than once")) {
            try FailureAnalyzer(models: ["m", "n", "m"])
        }
        #expect(throws: FailureAnalysisError.self) {
            try FailureAnalyzer(models: ["m"], configuration: .init(falseDiscoveryRate: 0))
        }
        var analyzer = try FailureAnalyzer(models: ["ocr:a"])
        let row = Synthetic.plantedRotation(probes: 1)[0]
        try analyzer.add(row)
        let duplicate = #expect(throws: FailureAnalysisError.self) { try analyzer.add(row) }
        #expect(duplicate == .duplicateRow(model: "ocr:a", probeID: "p-00000"))
        #expect(duplicate?.description.contains("p-00000") == true)

        var stranger = row
        stranger.modelKey = "ocr:z"
        let unknown = #expect(throws: FailureAnalysisError.self) { try analyzer.add(stranger) }
        #expect(unknown?.description.contains("ocr:z") == true)
        #expect(unknown?.description.contains("ocr:a") == true)

        var badScore = row
        badScore.probeID = "p-99999"
        badScore.score = .nan
        #expect(throws: FailureAnalysisError.self) { try analyzer.add(badScore) }
        // Refused rows change nothing.
        #expect(analyzer.analysis().models[0].judged == 1)
    }
}

@Suite("Finding wording")
struct FindingWordingTests {
    @Test("known factors read as phrases, others as conditions")
    func phrases() {
        func condition(_ factor: String, _ relation: FactorCondition.Relation, _ level: String) -> FactorCondition {
            FactorCondition(factor: factor, relation: relation, level: level)
        }
        #expect(FindingWording.failurePhrase([condition("jpeg", .atMost, "q30")]) == "fails on JPEG quality q30 or lower")
        #expect(FindingWording.failurePhrase([condition("size", .atMost, "12px")]) == "fails on text 12 px or smaller")
        #expect(FindingWording.failurePhrase([condition("rotation", .atLeast, "10°")]) == "fails on text rotated 10° or more")
        #expect(FindingWording.failurePhrase([condition("weight", .equals, "bold")]) == "fails on bold text")
        #expect(FindingWording.failurePhrase([condition("layout", .equals, "grid")]) == "fails when layout = grid")
        #expect(FindingWording.failurePhrase([condition("blur", .atLeast, "2px"), condition("layout", .atMost, "3")])
            == "fails on text blurred by 2 px or more when layout ≤ 3")
        #expect(FindingWording.qText(0.0004) == "q < 0.001")
        #expect(FindingWording.qText(0.0123) == "q = 0.012")
    }

    @Test("numeric levels are ordered by value and give thresholds")
    func scales() {
        let rotation = FactorScale(factor: "rotation", levels: ["20°", "5°", "0°", "30°", "10°"])
        #expect(rotation.isOrdered)
        #expect(rotation.levels == ["0°", "5°", "10°", "20°", "30°"])
        #expect(rotation.thresholds.map(\.sliceLevel) == ["≥ 5°", "≤ 5°", "≥ 10°", "≤ 10°", "≥ 20°", "≤ 20°"])
        #expect(rotation.levels(in: FactorCondition(factor: "rotation", relation: .atLeast, level: "10°")) == ["10°", "20°", "30°"])
        let jpeg = FactorScale(factor: "jpeg", levels: ["q90", "q30", "q50", "q10"])
        #expect(jpeg.levels == ["q10", "q30", "q50", "q90"])
        let mixed = FactorScale(factor: "size", levels: ["12px", "16pt", "24px"])
        #expect(!mixed.isOrdered && mixed.thresholds.isEmpty)
        let negative = FactorScale(factor: "rotation", levels: ["-10°", "0°", "\u{2212}20°"])
        #expect(negative.levels == ["\u{2212}20°", "-10°", "0°"])
        #expect(!FactorScale(factor: "font", levels: ["Sans", "Serif", "Mono"]).isOrdered)
    }

    @Test("the level none sits below the numbers, except for JPEG where it is the best quality")
    func noneLevels() {
        let jpeg = FactorScale(factor: "jpeg", levels: ["none", "q85", "q40", "q12"])
        #expect(jpeg.levels == ["q12", "q40", "q85", "none"])
        #expect(jpeg.levels(in: FactorCondition(factor: "jpeg", relation: .atMost, level: "q40")) == ["q12", "q40"])
        let blur = FactorScale(factor: "blur", levels: ["σ2.0", "none", "σ0.6", "σ1.2"])
        #expect(blur.levels == ["none", "σ0.6", "σ1.2", "σ2.0"])
        #expect(blur.thresholds.map(\.sliceLevel) == ["≥ σ0.6", "≤ σ0.6", "≥ σ1.2", "≤ σ1.2"])
        #expect(FactorScale(factor: "contrast", levels: ["high", "low", "medium"]).levels == ["low", "medium", "high"])
        #expect(FactorScale(factor: "clutter", levels: ["heavy", "none", "light"]).levels == ["none", "light", "heavy"])
        func phrase(_ factor: String, _ relation: FactorCondition.Relation, _ level: String) -> String {
            FindingWording.failurePhrase([FactorCondition(factor: factor, relation: relation, level: level)])
        }
        #expect(phrase("blur", .atLeast, "σ1.2") == "fails on text blurred by σ1.2 or more")
        #expect(phrase("blur", .equals, "none") == "fails on unblurred text")
        #expect(phrase("contrast", .atMost, "medium") == "fails on text at medium contrast or lower")
        #expect(phrase("clutter", .equals, "heavy") == "fails on heavy background clutter")
        #expect(phrase("lines", .atLeast, "2") == "fails on 2-line text or longer")
    }
}
