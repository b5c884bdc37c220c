import FaultlineCore
import FaultlineScenes
import Foundation
import Testing

@testable import FaultlineAudits

@Suite struct SpuriousCueMinerTests {
    typealias Observation = SpuriousCueMiner.Observation
    typealias Stratum = (items: Int, positives: Int, marked: Int)

    static let grass = CueIdentity(attribute: "background", value: "grass")
    static let plain = CueIdentity(attribute: "background", value: "plain")
    static let sky = CueIdentity(attribute: "background", value: "sky")
    static let dots = CueIdentity(attribute: "objects.texture", value: "dots")
    static let redObjects = CueIdentity(attribute: "objects.colour", value: "red")
    static let exitSign = CueIdentity(attribute: "sign", value: "exit")
    static let shapes: Set<String> = ["circle", "square", "star"]

    // MARK: - Permutation p-value

    /// P(T ≥ observed) by listing every assignment of the marks within every stratum.
    static func bruteForcePValue(_ strata: [Stratum], observed: Int) -> Double {
        // Per stratum, the positives among the marked items for every choice of marked items
        // (items 0..<positives are the positive ones).
        var perStratum: [[Int]] = []
        for stratum in strata {
            var counts: [Int] = []
            func choose(from start: Int, left: Int, positives: Int) {
                if left == 0 {
                    counts.append(positives)
                    return
                }
                guard start < stratum.items else { return }
                for item in start..<stratum.items {
                    choose(from: item + 1, left: left - 1, positives: positives + (item < stratum.positives ? 1 : 0))
                }
            }
            choose(from: 0, left: stratum.marked, positives: 0)
            perStratum.append(counts)
        }
        var atLeast = 0, total = 0
        func combine(_ index: Int, _ sum: Int) {
            guard index < perStratum.count else {
                total += 1
                if sum >= observed { atLeast += 1 }
                return
            }
            for count in perStratum[index] { combine(index + 1, sum + count) }
        }
        combine(0, 0)
        return Double(atLeast) / Double(total)
    }

    @Test("the stratified p-value equals a brute-force enumeration of every assignment")
    func pValueMatchesEnumeration() {
        let cases: [[Stratum]] = [
            [(6, 3, 3), (5, 2, 2), (4, 1, 1)],
            [(7, 2, 4), (3, 3, 2)],
            // Degenerate strata: nothing marked, no positive, everything marked.
            [(5, 2, 0), (4, 0, 2), (3, 2, 3), (6, 4, 3)],
            [(8, 5, 3)],
        ]
        for strata in cases {
            let maximum = strata.reduce(0) { $0 + min($1.marked, $1.positives) }
            for observed in 0...(maximum + 1) {
                let exact = SpuriousCueMiner.stratifiedPermutationPValue(strata: strata, observed: observed)
                let enumerated = Self.bruteForcePValue(strata, observed: observed)
                #expect(abs(exact - enumerated) < 1e-6, "strata \(strata), observed \(observed)")
            }
        }
        // Spot values by hand: one stratum of 4 items, 2 positive, 2 marked:
        // P(T = 2) = 1/6, P(T ≥ 1) = 5/6.
        #expect(abs(SpuriousCueMiner.stratifiedPermutationPValue(strata: [(4, 2, 2)], observed: 2) - 1.0 / 6) < 1e-6)
        #expect(abs(SpuriousCueMiner.stratifiedPermutationPValue(strata: [(4, 2, 2)], observed: 1) - 5.0 / 6) < 1e-6)
        #expect(SpuriousCueMiner.stratifiedPermutationPValue(strata: [(4, 2, 2)], observed: 3) == 0)
        #expect(SpuriousCueMiner.stratifiedPermutationPValue(strata: [], observed: 0) == 1)
    }

    @Test("the stratified p-value agrees with a Monte Carlo permutation estimate")
    func pValueMatchesMonteCarlo() {
        let strata: [Stratum] = [(30, 9, 12), (50, 20, 25), (20, 4, 10)]
        // Null mean 3.6 + 10 + 2 = 15.6.
        let draws = 20_000
        var rng = SeededGenerator(seed: 2024)
        var sums: [Int] = []
        sums.reserveCapacity(draws)
        for _ in 0..<draws {
            var sum = 0
            for stratum in strata {
                // A uniformly random set of `marked` items: a partial Fisher–Yates shuffle.
                var items = Array(0..<stratum.items)
                for position in 0..<stratum.marked {
                    let pick = position + Int(rng.next() % UInt64(stratum.items - position))
                    items.swapAt(position, pick)
                    if items[position] < stratum.positives { sum += 1 }
                }
            }
            sums.append(sum)
        }
        for observed in [14, 17, 19, 21] {
            let exact = SpuriousCueMiner.stratifiedPermutationPValue(strata: strata, observed: observed)
            let estimate = Double(sums.filter { $0 >= observed }.count) / Double(draws)
            let tolerance = 4 * (exact * (1 - exact) / Double(draws)).squareRoot() + 1e-3
            #expect(abs(exact - estimate) < tolerance, "observed \(observed): exact \(exact), Monte Carlo \(estimate)")
        }
        // The four thresholds span the distribution, so the comparison is not only of tails near 0 or 1.
        let middle = SpuriousCueMiner.stratifiedPermutationPValue(strata: strata, observed: 17)
        #expect(middle > 0.1 && middle < 0.6)
    }

    @Test("the p-value does not depend on the order the strata come in")
    func pValueIgnoresStratumOrder() {
        // Twelve templates, as in a mining run; null mean ≈ 31.1.
        let strata: [Stratum] = (0..<12).map { i in (30 + 3 * i, 5 + i, 10 + i % 5) }
        var rng = SeededGenerator(seed: 5)
        var orders: [[Stratum]] = [strata.reversed()]
        for _ in 0..<30 {
            var order = strata
            for position in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(position, Int(rng.next() % UInt64(position + 1)))
            }
            orders.append(order)
        }
        for observed in [35, 90] {
            let reference = SpuriousCueMiner.stratifiedPermutationPValue(strata: strata, observed: observed)
            #expect(reference > 0)
            for order in orders {
                let p = SpuriousCueMiner.stratifiedPermutationPValue(strata: order, observed: observed)
                #expect(abs(p - reference) <= 1e-12 * reference)
            }
            // `test` passes the strata in `Dictionary(grouping:).values` order, which changes from
            // process to process (per-process hash seeds), so the p-values, q-values and the bytes
            // of spurious.json are only reproducible if the result does not depend on that order.
            let distinct = Set(orders.map { SpuriousCueMiner.stratifiedPermutationPValue(strata: $0, observed: observed) })
            #expect(distinct == [reference], "observed \(observed): \(distinct.count) different p-values")
        }
    }

    // MARK: - Association

    @Test("mutual information and Theil's U match hand values")
    func association() {
        // p = (0.3, 0.2 | 0.1, 0.4): I = 0.3 log₂1.5 + 0.2 log₂(2/3) + 0.1 log₂0.5 + 0.4 log₂(4/3);
        // H(answer) = H(0.4) = 0.970951 bits.
        let table = SpuriousCueMiner.association(n11: 6, n10: 4, n01: 2, n00: 8)
        #expect(abs(table.bits - 0.1245112498) < 1e-9)
        #expect(abs(table.u - 0.1282364422) < 1e-9)
        // Transposed, the information is the same but U divides by H(answer) = 1 bit.
        let transposed = SpuriousCueMiner.association(n11: 6, n10: 2, n01: 4, n00: 8)
        #expect(abs(transposed.bits - 0.1245112498) < 1e-9)
        #expect(abs(transposed.u - 0.1245112498) < 1e-9)
        // The pull table of the synthetic audit below.
        let pull = SpuriousCueMiner.association(n11: 20, n10: 20, n01: 2, n00: 38)
        #expect(abs(pull.bits - 0.2053496997) < 1e-9)
        #expect(abs(pull.u - 0.2420012263) < 1e-9)
    }

    @Test("association of perfect, independent and degenerate tables")
    func associationEdges() {
        let perfect = SpuriousCueMiner.association(n11: 10, n10: 0, n01: 0, n00: 10)
        #expect(abs(perfect.bits - 1) < 1e-12 && abs(perfect.u - 1) < 1e-12)
        let independent = SpuriousCueMiner.association(n11: 2, n10: 8, n01: 3, n00: 12)
        #expect(abs(independent.bits) < 1e-12 && abs(independent.u) < 1e-12)
        #expect(independent.bits >= 0 && independent.u >= 0)
        let empty = SpuriousCueMiner.association(n11: 0, n10: 0, n01: 0, n00: 0)
        #expect(empty.bits == 0 && empty.u == 0)
        // The answer never varies: no entropy to explain.
        let constantAnswer = SpuriousCueMiner.association(n11: 5, n10: 0, n01: 7, n00: 0)
        #expect(constantAnswer.bits == 0 && constantAnswer.u == 0)
        // The cue never varies: it explains nothing.
        let constantCue = SpuriousCueMiner.association(n11: 3, n10: 5, n01: 0, n00: 0)
        #expect(abs(constantCue.bits) < 1e-12 && abs(constantCue.u) < 1e-12)
    }

    // MARK: - Testing cues

    /// Two templates of 40 probes whose right answer is circle or square. Grass is on half of
    /// each; with grass the model wrongly says star 12 and 8 times, without it once each.
    /// Dots are on probes i % 4 < 2: 12 of the 22 wrong stars, so barely more often with dots.
    /// Ten more probes per template have star as their right answer and grass: never at risk.
    static func pullObservations() -> [Observation] {
        var observations: [Observation] = []
        for (template, starsWithGrass, starsWithout) in [("t1", 12, 1), ("t2", 8, 1)] {
            for i in 0..<40 {
                let hasGrass = i < 20
                let saysStar = (hasGrass ? i : i - 20) < (hasGrass ? starsWithGrass : starsWithout)
                let truth = i.isMultiple(of: 2) ? "circle" : "square"
                var cues: Set<CueIdentity> = [hasGrass ? grass : plain]
                if i % 4 < 2 { cues.insert(dots) }
                observations.append(
                    Observation(
                        probeID: "\(template)-\(i)", template: template, ability: .attribute, truth: truth,
                        predicted: saysStar ? "star" : truth, possible: shapes, cues: cues))
            }
            for i in 40..<50 {
                observations.append(
                    Observation(
                        probeID: "\(template)-\(i)", template: template, ability: .attribute, truth: "star",
                        predicted: "star", possible: shapes, cues: [grass, dots]))
            }
        }
        return observations
    }

    @Test("a cue that pulls an answer is tested with the hand-computed table, p and q")
    func pullIsTested() throws {
        let tested = SpuriousCueMiner().test(Self.pullObservations(), model: "m")
        // Star is the only wrong answer; grass (20 hits) and dots (12) are tested, plain (2) is not.
        #expect(tested.map(\.cue) == [Self.grass, Self.dots])
        #expect(tested.allSatisfy { $0.answer == "star" && $0.model == "m" })
        let grass = try #require(tested.first { $0.cue == Self.grass })
        #expect(grass.withCue.successes == 20 && grass.withCue.total == 40)
        #expect(grass.withoutCue.successes == 2 && grass.withoutCue.total == 40)
        #expect(abs(grass.lift - 0.45) < 1e-12)
        // Strata (40 items, 13 stars, 20 grass) and (40, 9, 20), observed 20: exact tail by hand (fractions).
        #expect(abs(grass.pValue / 4.0970225559709374e-06 - 1) < 1e-5)
        #expect(abs(grass.mutualInformationBits - 0.2053496997) < 1e-9)
        #expect(abs(grass.theilsU - 0.2420012263) < 1e-9)
        #expect(grass.exampleProbeIDs == ["t1-0", "t1-1", "t1-2", "t1-3", "t1-4", "t1-5"])

        let dots = try #require(tested.first { $0.cue == Self.dots })
        #expect(dots.withCue.successes == 12 && dots.withCue.total == 40)
        #expect(dots.withoutCue.successes == 10 && dots.withoutCue.total == 40)
        #expect(abs(dots.lift - 0.05) < 1e-12)
        #expect(abs(dots.pValue - 0.40137180344768353) < 1e-6)
        // Benjamini–Hochberg over two tests: q(dots) = p(dots), q(grass) = min(2 p(grass), q(dots)).
        #expect(abs(dots.qValue - dots.pValue) < 1e-12)
        #expect(abs(grass.qValue / 8.194045111941875e-06 - 1) < 1e-5)
    }

    @Test("only the real pull passes the thresholds")
    func pullIsACandidate() {
        let miner = SpuriousCueMiner()
        let candidates = miner.candidates(from: miner.test(Self.pullObservations(), model: "m"))
        #expect(candidates.map(\.cue) == [Self.grass])
        #expect(candidates.map(\.answer) == ["star"])
    }

    @Test("candidates are ordered by lift, then by q")
    func candidateOrder() {
        func candidate(_ cue: CueIdentity, q: Double, withCue: Int) -> SpuriousCandidate {
            SpuriousCandidate(
                model: "m", cue: cue, answer: "star", withCue: Statistics.wilson(successes: withCue, total: 40),
                withoutCue: Statistics.wilson(successes: 2, total: 40), mutualInformationBits: 0.1, theilsU: 0.1,
                pValue: q, qValue: q, exampleProbeIDs: [])
        }
        let miner = SpuriousCueMiner()
        let ordered = miner.candidates(from: [
            candidate(Self.sky, q: 0.005, withCue: 30), candidate(Self.grass, q: 0.001, withCue: 10),
            candidate(Self.dots, q: 0.005, withCue: 35), candidate(Self.plain, q: 0.02, withCue: 39),  // q > 0.01
            candidate(Self.redObjects, q: 0.001, withCue: 5),  // lift 0.075 < 0.10
            candidate(Self.exitSign, q: 0.002, withCue: 30),
        ])
        #expect(ordered.map(\.cue) == [Self.dots, Self.exitSign, Self.sky, Self.grass])
    }

    @Test("the thresholds on cue answers and group sizes stop tests")
    func thresholds() {
        var settings = SpuriousCueMiner.Settings()
        settings.minimumCueAnswers = 21  // star is said wrongly 22 times, with grass only 20
        #expect(SpuriousCueMiner(settings: settings).test(Self.pullObservations(), model: "m").isEmpty)
        settings = SpuriousCueMiner.Settings()
        settings.minimumGroup = 41  // 40 at-risk probes with grass, 40 without
        #expect(SpuriousCueMiner(settings: settings).test(Self.pullObservations(), model: "m").isEmpty)
        settings = SpuriousCueMiner.Settings()
        settings.minimumLift = 0.5
        let miner = SpuriousCueMiner(settings: settings)
        #expect(miner.candidates(from: miner.test(Self.pullObservations(), model: "m")).isEmpty)
    }

    @Test("answers given at random with cues drawn at random give no candidate")
    func noPullNoCandidate() {
        var rng = SeededGenerator(seed: 11)
        let shapeList = Self.shapes.sorted()
        let backgrounds = BackgroundKind.allCases.map { CueIdentity(attribute: "background", value: $0.rawValue) }
        var observations: [Observation] = []
        for i in 0..<600 {
            let truth = shapeList[Int(rng.next() % 3)]
            var cues: Set<CueIdentity> = [backgrounds[Int(rng.next() % UInt64(backgrounds.count))]]
            if rng.unit() < 0.5 { cues.insert(Self.dots) }
            var predicted = truth
            if rng.unit() < 0.3 {
                let others = shapeList.filter { $0 != truth }
                predicted = others[Int(rng.next() % 2)]
            }
            observations.append(
                Observation(
                    probeID: "n-\(i)", template: "t\(i % 3)", ability: .attribute, truth: truth, predicted: predicted,
                    possible: Self.shapes, cues: cues))
        }
        let miner = SpuriousCueMiner()
        let tested = miner.test(observations, model: "m")
        // Pairs were tested (so "nothing found" is the test's verdict, not a skipped test).
        #expect(tested.count >= 5)
        #expect(tested.allSatisfy { $0.qValue > miner.settings.maximumQ })
        #expect(miner.candidates(from: tested).isEmpty)
    }

    /// 40 probes; the cue is on the first 20 and the model says `answer` on 15 of them, never without it.
    static func evidenceObservations(
        cues: Set<CueIdentity>, answer: String, truths: [String], ability: Ability
    ) -> [Observation] {
        (0..<40).map { i in
            let truth = truths[i % truths.count]
            let saysAnswer = i < 15
            return Observation(
                probeID: "e-\(i)", template: "t", ability: ability, truth: truth,
                predicted: saysAnswer ? answer : truth, possible: Set(truths + [answer]), cues: i < 20 ? cues : [])
        }
    }

    @Test("an object of the answer's colour is evidence and never tested; a background with it is")
    func objectEvidenceIsNotTested() throws {
        let miner = SpuriousCueMiner()
        let observations = Self.evidenceObservations(
            cues: [Self.redObjects, Self.sky], answer: "red", truths: ["blue", "green"], ability: .attribute)
        let tested = miner.test(observations, model: "m")
        #expect(!tested.contains { $0.cue == Self.redObjects })
        let sky = try #require(tested.first { $0.cue == Self.sky && $0.answer == "red" })
        #expect(abs(sky.pValue / 3.8542863904376695e-07 - 1) < 1e-5)
        #expect(miner.candidates(from: tested).map(\.cue) == [Self.sky])
        // Red objects pulling towards another colour is not evidence: tested and found.
        let other = Self.evidenceObservations(
            cues: [Self.redObjects], answer: "blue", truths: ["green", "yellow"], ability: .attribute)
        #expect(miner.candidates(from: miner.test(other, model: "m")).map(\.cue) == [Self.redObjects])
    }

    @Test("a sign is evidence on OCR questions only")
    func signEvidenceOnOCR() {
        let miner = SpuriousCueMiner()
        let ocr = Self.evidenceObservations(cues: [Self.exitSign], answer: "exit", truths: ["open", "closed"], ability: .ocr)
        #expect(miner.test(ocr, model: "m").isEmpty)
        let counting = Self.evidenceObservations(cues: [Self.exitSign], answer: "7", truths: ["2", "3"], ability: .counting)
        #expect(miner.candidates(from: miner.test(counting, model: "m")).map(\.cue) == [Self.exitSign])
    }

    // MARK: - Observations from stored answers

    static let shapeTemplate = "attribute.shape"

    static func probe(
        id: String, expected: ExpectedAnswer, ability: Ability = .attribute, template: String?, leadIn: String?,
        scene: Scene?
    ) -> Probe {
        var factors: [String: String] = [:]
        if let template { factors["template"] = template }
        if let leadIn { factors[CueScan.leadInFactor] = leadIn }
        return Probe(
            id: id, images: [], prompt: "question", expected: expected, ability: ability,
            lineage: Lineage(source: "spurious-mining", seed: 3, factors: factors), scene: scene?.json())
    }

    static let grassScene = Scene(
        width: 224, height: 224, background: Background(kind: .grass),
        objects: [
            SceneObject(id: 1, shape: .circle, colour: .red, size: .small, x: 0.3, y: 0.3, texture: .stripes),
            SceneObject(id: 2, shape: .square, colour: .blue, size: .large, x: 0.7, y: 0.7),
        ],
        labels: [TextLabel(text: "EXIT", x: 0.5, y: 0.9, size: 0.07)], seed: 5)
    static let tintedScene = Scene(
        width: 224, height: 224, background: Background(kind: .plain, tint: .yellow),
        objects: [SceneObject(id: 1, shape: .star, colour: .green, size: .medium, x: 0.5, y: 0.5)], seed: 6)

    @Test("observations read answers, template answer spaces and cues from stored probes")
    func observationsFromAnsweredProbes() throws {
        let mc = ExpectedAnswer(text: "A", format: .multipleChoice, choices: ["Circle", "square", "star"])
        let answers = [
            AnsweredProbe(
                probe: Self.probe(id: "a", expected: mc, template: Self.shapeTemplate, leadIn: "honestly", scene: Self.grassScene),
                modelKey: "m1", outcome: .wrong, response: ModelResponse(text: "C")),
            AnsweredProbe(
                probe: Self.probe(
                    id: "b", expected: ExpectedAnswer(text: "Hexagon", format: .freeText), template: Self.shapeTemplate,
                    leadIn: "none", scene: Self.tintedScene),
                modelKey: "m1", outcome: .correct, response: ModelResponse(text: "Hexagon.")),
            AnsweredProbe(
                probe: Self.probe(
                    id: "c", expected: ExpectedAnswer(text: "3", format: .number), ability: .counting,
                    template: "counting.objects", leadIn: nil, scene: nil),
                modelKey: "m2", outcome: .correct, response: ModelResponse(text: "three")),
            // An error and an unreadable answer give no observation, but their right answers
            // still belong to their template's answer space.
            AnsweredProbe(
                probe: Self.probe(
                    id: "d", expected: ExpectedAnswer(text: "pentagon", format: .freeText), template: Self.shapeTemplate,
                    leadIn: nil, scene: nil),
                modelKey: "m1", outcome: .error, response: nil),
            AnsweredProbe(
                probe: Self.probe(
                    id: "e", expected: ExpectedAnswer(text: "5", format: .number), ability: .counting,
                    template: "counting.objects", leadIn: nil, scene: nil),
                modelKey: "m2", outcome: .wrong, response: ModelResponse(text: "I am not sure")),
            AnsweredProbe(
                probe: Self.probe(
                    id: "f", expected: ExpectedAnswer(text: "No", format: .yesNo), ability: .entity, template: nil,
                    leadIn: "at first glance", scene: nil),
                modelKey: "m2", outcome: .wrong, response: ModelResponse(text: "Yes, there is.")),
        ]
        let byModel = SpuriousCueMiner.observations(answers)
        #expect(Set(byModel.keys) == ["m1", "m2"])
        let m1 = try #require(byModel["m1"])
        let m2 = try #require(byModel["m2"])
        #expect(m1.map(\.probeID) == ["a", "b"])
        #expect(m2.map(\.probeID) == ["c", "f"])

        let a = m1[0]
        #expect(a.template == Self.shapeTemplate && a.ability == .attribute)
        #expect(a.truth == "circle" && a.predicted == "star")
        #expect(a.possible == ["circle", "square", "star", "hexagon", "pentagon"])
        #expect(
            a.cues == [
                CueIdentity(attribute: CueIdentity.leadInAttribute, value: "honestly"),
                CueIdentity(attribute: "background", value: "grass"),
                CueIdentity(attribute: "objects.colour", value: "red"),
                CueIdentity(attribute: "objects.colour", value: "blue"),
                CueIdentity(attribute: "objects.size", value: "small"),
                CueIdentity(attribute: "objects.size", value: "large"),
                CueIdentity(attribute: "objects.texture", value: "stripes"),
                CueIdentity(attribute: "sign", value: "EXIT"),
            ])

        let b = m1[1]
        #expect(b.truth == "hexagon" && b.predicted == "hexagon")
        // Free text offers nothing of its own: the template's answers are the space.
        #expect(b.possible == ["circle", "hexagon", "pentagon"])
        #expect(
            b.cues == [
                CueIdentity(attribute: "background", value: "plain"),
                CueIdentity(attribute: "background.tint", value: "yellow"),
                CueIdentity(attribute: "objects.colour", value: "green"),
                CueIdentity(attribute: "objects.size", value: "medium"),
            ])

        let c = m2[0]
        #expect(c.template == "counting.objects" && c.truth == "3" && c.predicted == "3")
        #expect(c.possible == ["3", "5"])
        #expect(c.cues.isEmpty)

        let f = m2[1]
        #expect(f.template == "?" && f.ability == .entity)
        #expect(f.truth == "no" && f.predicted == "yes")
        #expect(f.possible == ["yes", "no"])
        #expect(f.cues == [CueIdentity(attribute: CueIdentity.leadInAttribute, value: "at first glance")])
    }

    @Test("cue scanning ignores an unreadable scene but keeps the lead-in")
    func unreadableScene() {
        var probe = Self.probe(
            id: "x", expected: ExpectedAnswer(text: "3", format: .number), template: "t", leadIn: "honestly", scene: nil)
        probe.scene = "{not json"
        #expect(CueScan.cues(in: probe) == [CueIdentity(attribute: CueIdentity.leadInAttribute, value: "honestly")])
    }
}
