import FaultlineAudits
import FaultlineCore
import FaultlineScenes
import Foundation
import Testing

@Suite struct SpuriousSourcesTests {
    static let grass = CueIdentity(attribute: "background", value: "grass")
    static let sky = CueIdentity(attribute: "background", value: "sky")
    static let water = CueIdentity(attribute: "background", value: "water")
    static let exitSign = CueIdentity(attribute: "sign", value: "exit")
    static let firstGlance = CueIdentity(attribute: CueIdentity.leadInAttribute, value: "at first glance")

    // MARK: - Lead-in phrases

    @Test("a lead-in phrase is capitalised and the question's first word lowered")
    func leadInCapitalisation() {
        #expect(
            LeadInPhrases.apply("at first glance", to: "What shape is the red object?")
                == "At first glance, what shape is the red object?")
        #expect(LeadInPhrases.apply("quick question", to: "How many stars are there?") == "Quick question, how many stars are there?")
        // "I" and acronyms keep their capitals; the phrase's own capitals stay.
        #expect(LeadInPhrases.apply("honestly", to: "I see a star. Is it red?") == "Honestly, I see a star. Is it red?")
        #expect(LeadInPhrases.apply("as far as I can tell", to: "OCR the sign.") == "As far as I can tell, OCR the sign.")
        // Only the first line changes; option lines stay as they were.
        #expect(
            LeadInPhrases.apply("honestly", to: "Which shape?\nA. Circle\nB. Star")
                == "Honestly, which shape?\nA. Circle\nB. Star")
        #expect(LeadInPhrases.apply("", to: "What colour?") == "What colour?")
        #expect(LeadInPhrases.apply("honestly", to: "") == "")
    }

    // MARK: - Mining source

    static let miningSeed: UInt64 = 31
    static let miningCount = 24
    static let mining = SpuriousMiningSource(count: miningCount, seed: miningSeed)
    static let miningSamples = Array(mining.samples())
    /// The suite the mining source draws its questions from, for the prompts before the lead-in.
    static let miningSuite = AbilitySuite(
        count: miningCount, seed: miningSeed,
        configuration: AbilitySuiteConfiguration(formats: SpuriousMiningSource.formats, counterfactualShare: 0))

    @Test("the mining source yields count probes with spm ids and its own lineage")
    func miningLayout() {
        #expect(Self.mining.count == Self.miningCount)
        #expect(Self.miningSamples.count == Self.miningCount)
        let ids = Self.miningSamples.map(\.probe.id)
        #expect(ids == (0..<Self.miningCount).map { Probe.generatedID(prefix: "spm", seed: Self.miningSeed, index: $0) })
        #expect(ids.first == "spm-s31-000000")
        for sample in Self.miningSamples {
            let probe = sample.probe
            #expect(probe.lineage.source == "spurious-mining")
            #expect(probe.lineage.parent == nil && probe.lineage.transformation == nil)
            #expect(probe.lineage.seed == Self.miningSeed)
            #expect(probe.lineage.factors["template"] != nil)
            #expect(probe.lineage.factors[CueScan.leadInFactor] != nil)
            #expect(probe.expected.format != .box)
            #expect(sample.imagePNGs.count == 1 && probe.images.count == 1)
            #expect(probe.images.first?.sha256 == SHA256.hex(of: sample.imagePNGs[0]))
        }
    }

    @Test("factor, prompt and cues agree on each probe's lead-in")
    func miningLeadIns() throws {
        var withPhrase = 0
        for (index, sample) in Self.miningSamples.enumerated() {
            let probe = sample.probe
            let spec = Self.miningSuite.spec(at: index)
            #expect(probe.expected == spec.question.expected)
            #expect(probe.scene == spec.scene.json())
            let phrase = try #require(probe.lineage.factors[CueScan.leadInFactor])
            let cues = CueScan.cues(in: probe)
            #expect(cues.contains(CueIdentity(attribute: "background", value: spec.scene.background.kind.rawValue)))
            if phrase == "none" {
                #expect(probe.prompt == spec.question.prompt)
                #expect(!cues.contains { $0.attribute == CueIdentity.leadInAttribute })
            } else {
                withPhrase += 1
                #expect(LeadInPhrases.standard.contains(phrase))
                #expect(probe.prompt == LeadInPhrases.apply(phrase, to: spec.question.prompt))
                #expect(probe.prompt.hasPrefix(phrase.prefix(1).uppercased() + phrase.dropFirst() + ", "))
                #expect(cues.contains(CueIdentity(attribute: CueIdentity.leadInAttribute, value: phrase)))
            }
        }
        #expect((6...18).contains(withPhrase), "\(withPhrase) of \(Self.miningCount) probes have a lead-in")
        #expect(Self.miningSamples.enumerated().allSatisfy { index, sample in
            sample.probe.lineage.factors[CueScan.leadInFactor] == (Self.mining.leadIn(at: index) ?? "none")
        })
        // Several different phrases are drawn, not one.
        let phrases = Set(Self.miningSamples.compactMap { $0.probe.lineage.factors[CueScan.leadInFactor] }).subtracting(["none"])
        #expect(phrases.count >= 3)
    }

    @Test("lead-ins are block-randomised: in every block of 2k probes each of the k phrases once, half without")
    func miningLeadInBlocks() {
        let phrases = LeadInPhrases.standard
        let blockSize = 2 * phrases.count
        let blocks = 10
        var orders: Set<[String?]> = []
        for block in 0..<blocks {
            let drawn = (block * blockSize..<(block + 1) * blockSize).map { Self.mining.leadIn(at: $0) }
            #expect(drawn.filter { $0 == nil }.count == phrases.count)
            #expect(drawn.compactMap { $0 }.sorted() == phrases.sorted())
            orders.insert(drawn)
        }
        // The order is drawn per block, not fixed.
        #expect(orders.count == blocks)
        // Overall: exactly half, each phrase equally often.
        let all = (0..<blocks * blockSize).map { Self.mining.leadIn(at: $0) }
        #expect(all.filter { $0 != nil }.count == blocks * phrases.count)
        #expect(Dictionary(grouping: all.compactMap { $0 }, by: { $0 }).values.allSatisfy { $0.count == blocks })
        // A small phrase list: blocks of 4 probes, two phrases each once.
        let small = SpuriousMiningSource(count: 8, seed: 3, leadIns: ["honestly", "quick question"])
        for block in 0..<2 {
            let drawn = (block * 4..<block * 4 + 4).map { small.leadIn(at: $0) }
            #expect(drawn.compactMap { $0 }.sorted() == ["honestly", "quick question"])
        }
        #expect(SpuriousMiningSource(count: 8, seed: 3, leadIns: []).leadIn(at: 0) == nil)
        // Deterministic per seed, different between seeds.
        let again = SpuriousMiningSource(count: Self.miningCount, seed: Self.miningSeed)
        #expect((0..<64).map { again.leadIn(at: $0) } == (0..<64).map { Self.mining.leadIn(at: $0) })
        let other = SpuriousMiningSource(count: Self.miningCount, seed: Self.miningSeed + 1)
        #expect((0..<64).map { other.leadIn(at: $0) } != (0..<64).map { Self.mining.leadIn(at: $0) })
    }

    @Test("the mining source is deterministic per seed and can start anywhere")
    func miningDeterministic() {
        let again = SpuriousMiningSource(count: Self.miningCount, seed: Self.miningSeed)
        for index in [0, 7, 23] {
            let sample = again.sample(at: index)
            #expect(sample.probe == Self.miningSamples[index].probe)
            #expect(sample.imagePNGs == Self.miningSamples[index].imagePNGs)
        }
        let tail = Array(again.samples(from: 21))
        #expect(tail.map(\.probe) == Self.miningSamples[21...].map(\.probe))
        let other = SpuriousMiningSource(count: 4, seed: Self.miningSeed + 1)
        let otherProbes = other.samples().map(\.probe)
        #expect(otherProbes.map(\.prompt) != Self.miningSamples.prefix(4).map(\.probe.prompt))
    }

    @Test("with no phrases no probe gets a lead-in")
    func miningWithoutPhrases() {
        let source = SpuriousMiningSource(count: 4, seed: Self.miningSeed, leadIns: [])
        for (index, sample) in source.samples().enumerated() {
            #expect(sample.probe.lineage.factors[CueScan.leadInFactor] == "none")
            #expect(sample.probe.prompt == Self.miningSuite.spec(at: index).question.prompt)
        }
    }

    // MARK: - Group source

    static let abilities: [Ability] = [.attribute, .entity]
    static let templateAnswers = RepairDataBuilder.templateAnswers(seed: 99, count: 300, abilities: abilities)
    static let requests = [
        SpuriousGroupSource.Request(cue: grass, answer: "star", abilities: [.attribute], templateAnswers: templateAnswers),
        SpuriousGroupSource.Request(cue: firstGlance, answer: "yes", abilities: [.entity], templateAnswers: templateAnswers),
    ]
    static let pairsPerRequest = 6
    static let groupSeed: UInt64 = 5
    static let groups = SpuriousGroupSource(requests: requests, pairsPerRequest: pairsPerRequest, seed: groupSeed)
    static let groupSamples = Array(groups.samples())

    /// The (anchor, counterfactual) samples of request `index`.
    static func pairs(ofRequest index: Int) -> [(anchor: ProbeSample, counter: ProbeSample)] {
        stride(from: 0, to: groupSamples.count, by: 2).compactMap { position in
            let anchor = groupSamples[position], counter = groupSamples[position + 1]
            return anchor.probe.lineage.factors[SpuriousGroupSource.requestFactor] == String(index) ? (anchor, counter) : nil
        }
    }

    @Test("every request gets its pairs, anchor first, with role, candidate and pair factors")
    func groupLayout() {
        #expect(Self.groups.pairCounts == [Self.pairsPerRequest, Self.pairsPerRequest])
        #expect(Self.groups.count == 4 * Self.pairsPerRequest)
        #expect(Self.groupSamples.count == Self.groups.count)
        for (index, request) in Self.requests.enumerated() {
            let pairs = Self.pairs(ofRequest: index)
            #expect(pairs.count == Self.pairsPerRequest)
            for (ordinal, pair) in pairs.enumerated() {
                let a = pair.anchor.probe, c = pair.counter.probe
                let key = "c\(index)-\(ordinal)"
                #expect(a.id == "spg-s5-\(key)-anchor" && c.id == "spg-s5-\(key)-counter")
                #expect(a.lineage.factors[SpuriousGroupSource.roleFactor] == SpuriousGroupSource.anchorRole)
                #expect(c.lineage.factors[SpuriousGroupSource.roleFactor] == SpuriousGroupSource.counterfactualRole)
                for probe in [a, c] {
                    #expect(probe.lineage.source == "spurious-groups" && probe.lineage.seed == Self.groupSeed)
                    #expect(probe.lineage.factors[SpuriousGroupSource.requestFactor] == String(index))
                    #expect(probe.lineage.factors[SpuriousGroupSource.pairFactor] == key)
                    #expect(probe.lineage.factors["cue"] == request.cue.description)
                    #expect(probe.lineage.factors["cue-answer"] == request.answer)
                    #expect(request.abilities.contains(probe.ability))
                }
                #expect(a.lineage.transformation == "cue-set" && c.lineage.transformation == "cue-removed")
                #expect(a.lineage.parent != nil && a.lineage.parent == c.lineage.parent)
                #expect(a.lineage.factors["template"] == c.lineage.factors["template"])
            }
        }
        // Different pairs come from different suite questions.
        let parents = Self.groupSamples.compactMap(\.probe.lineage.parent)
        #expect(Set(parents).count == parents.count / 2)
    }

    @Test("both sides share a right answer that is never the cue's, and multiple choice offers the cue's answer")
    func groupAnswers() {
        for (index, request) in Self.requests.enumerated() {
            var multipleChoice = 0
            for pair in Self.pairs(ofRequest: index) {
                let a = pair.anchor.probe.expected, c = pair.counter.probe.expected
                #expect(a.format == c.format)
                #expect(AnswerValue.expected(a) == AnswerValue.expected(c))
                #expect(AnswerValue.expected(a) != request.answer)
                let template = pair.anchor.probe.lineage.factors["template"] ?? ""
                let possible = Set(AnswerValue.offered(a) ?? []).union(request.templateAnswers[template] ?? [])
                #expect(possible.contains(request.answer), "\(pair.anchor.probe.id): \(request.answer) was not possible")
                if a.format == .multipleChoice {
                    multipleChoice += 1
                    #expect(AnswerValue.offered(a)?.contains(request.answer) == true)
                    #expect(AnswerValue.offered(c)?.contains(request.answer) == true)
                }
            }
            if index == 0 {
                #expect(multipleChoice >= 1, "no multiple-choice pair for \(request.cue); the check above did not run")
            }
        }
    }

    @Test("for a background cue the anchor's scene has it and the counterfactual's does not")
    func groupBackgroundCue() throws {
        for pair in Self.pairs(ofRequest: 0) {
            let anchorCues = CueScan.cues(in: pair.anchor.probe)
            let counterCues = CueScan.cues(in: pair.counter.probe)
            #expect(anchorCues.contains(Self.grass))
            #expect(!counterCues.contains(Self.grass))
            #expect(pair.anchor.probe.lineage.factors["background"] == "grass")
            #expect(pair.counter.probe.lineage.factors["background"] != "grass")
            // The images differ (the background changed); the question is the same.
            #expect(pair.anchor.imagePNGs != pair.counter.imagePNGs)
            let anchorScene = try JSONDecoder().decode(Scene.self, from: Data(try #require(pair.anchor.probe.scene).utf8))
            let counterScene = try JSONDecoder().decode(Scene.self, from: Data(try #require(pair.counter.probe.scene).utf8))
            #expect(anchorScene.objects == counterScene.objects)
        }
    }

    @Test("for a lead-in cue only the prompt differs, by the phrase")
    func groupLeadInPrompt() {
        for pair in Self.pairs(ofRequest: 1) {
            #expect(pair.anchor.probe.prompt == LeadInPhrases.apply("at first glance", to: pair.counter.probe.prompt))
            #expect(pair.anchor.probe.prompt.hasPrefix("At first glance, "))
            #expect(!pair.counter.probe.prompt.lowercased().contains("at first glance"))
            #expect(pair.anchor.imagePNGs == pair.counter.imagePNGs)
            #expect(pair.anchor.probe.scene == pair.counter.probe.scene)
            #expect(pair.anchor.probe.expected == pair.counter.probe.expected)
        }
    }

    @Test("for a lead-in cue the anchor's recorded cues include the phrase and the counterfactual's do not")
    func groupLeadInCueScan() {
        let pairs = Self.pairs(ofRequest: 1)
        #expect(!pairs.isEmpty)
        for pair in pairs {
            #expect(!CueScan.cues(in: pair.counter.probe).contains(Self.firstGlance))
        }
        let seen = pairs.filter { CueScan.cues(in: $0.anchor.probe).contains(Self.firstGlance) }.count
        #expect(seen == pairs.count, "\(seen) of \(pairs.count) anchors carry the lead-in cue")
    }

    @Test("the group source is deterministic per seed")
    func groupDeterministic() {
        let again = SpuriousGroupSource(requests: Self.requests, pairsPerRequest: Self.pairsPerRequest, seed: Self.groupSeed)
        #expect(again.pairCounts == Self.groups.pairCounts)
        for index in [0, 1, 13] {
            let sample = again.sample(at: index)
            #expect(sample.probe == Self.groupSamples[index].probe)
            #expect(sample.imagePNGs == Self.groupSamples[index].imagePNGs)
        }
        let other = SpuriousGroupSource(requests: Array(Self.requests.prefix(1)), pairsPerRequest: 2, seed: Self.groupSeed + 1)
        #expect(other.sample(at: 0).probe.lineage.parent != Self.groupSamples[0].probe.lineage.parent)
    }

    @Test("no pairs are planned for evidence, no abilities or no pairs wanted")
    func groupNothingToPlan() {
        let evidence = SpuriousGroupSource.Request(
            cue: CueIdentity(attribute: "objects.colour", value: "red"), answer: "red", abilities: [.attribute],
            templateAnswers: Self.templateAnswers)
        #expect(SpuriousGroupSource(requests: [evidence], pairsPerRequest: 3, seed: 1, scanLimit: 150).pairCounts == [0])
        let noAbilities = SpuriousGroupSource.Request(
            cue: Self.grass, answer: "star", abilities: [], templateAnswers: Self.templateAnswers)
        #expect(SpuriousGroupSource(requests: [noAbilities], pairsPerRequest: 3, seed: 1).count == 0)
        #expect(SpuriousGroupSource(requests: Self.requests, pairsPerRequest: 0, seed: 1).pairCounts == [0, 0])
    }

    // MARK: - Group analysis

    static let analysisRequests = [grass, sky, water, exitSign].map {
        SpuriousGroupSource.Request(cue: $0, answer: "star", abilities: [.attribute], templateAnswers: [:])
    }

    enum Side { case right, saysCue, otherWrong }

    /// One side of one pair of request `request`; the right answer is circle.
    static func side(
        model: String, request: String, pair: String, role: String, _ side: Side, error: Bool = false
    ) -> AnsweredProbe {
        let text: String
        switch side {
        case .right: text = "Circle."
        case .saysCue: text = "star"
        case .otherWrong: text = "square"
        }
        let factors = [
            SpuriousGroupSource.requestFactor: request, SpuriousGroupSource.pairFactor: pair,
            SpuriousGroupSource.roleFactor: role,
        ]
        let probe = Probe(
            id: "\(model)-r\(request)-\(pair)-\(role)", images: [], prompt: "What shape is it?",
            expected: ExpectedAnswer(text: "circle", format: .freeText), ability: .attribute,
            lineage: Lineage(source: "spurious-groups", seed: 1, factors: factors))
        return AnsweredProbe(
            probe: probe, modelKey: model, outcome: error ? .error : side == .right ? .correct : .wrong,
            response: error ? nil : ModelResponse(text: text))
    }

    /// Pairs given as (anchor, counterfactual) sides, keyed p000, p001, …
    static func pairs(model: String, request: Int, _ sides: [(Side, Side)]) -> [AnsweredProbe] {
        sides.enumerated().flatMap { index, pair -> [AnsweredProbe] in
            let key = "p" + String(repeating: "0", count: 3 - String(index).count) + String(index)
            return [
                side(model: model, request: String(request), pair: key, role: SpuriousGroupSource.anchorRole, pair.0),
                side(model: model, request: String(request), pair: key, role: SpuriousGroupSource.counterfactualRole, pair.1),
            ]
        }
    }

    static func repeated(_ count: Int, _ pair: (Side, Side)) -> [(Side, Side)] { Array(repeating: pair, count: count) }

    /// 25 pairs: 12 wrong (saying star) with the cue and right without, 10 right on both, 3 wrong on both.
    static let strongPull = repeated(12, (.saysCue, .right)) + repeated(10, (.right, .right)) + repeated(3, (.otherWrong, .otherWrong))

    static func analysed() -> [SpuriousGroupResult] {
        var answers: [AnsweredProbe] = []
        for model in ["m1", "m2", "m"] { answers += pairs(model: model, request: 0, strongPull) }
        // Request 1: 19 pairs, every one flipped by the cue — too few to confirm.
        answers += pairs(model: "m1", request: 1, repeated(19, (.saysCue, .right)))
        // Request 2: a significant gap of 8 points, below the minimum effect.
        answers += pairs(model: "m1", request: 2, repeated(8, (.saysCue, .right)) + repeated(92, (.right, .right)))
        // Request 3: a 10-point gap whose interval includes 0.
        answers += pairs(
            model: "m1", request: 3,
            repeated(6, (.saysCue, .right)) + repeated(3, (.right, .otherWrong)) + repeated(21, (.right, .right)))
        // Noise the analysis must skip: a pair with only its anchor, a pair whose anchor failed,
        // a request index out of range and one that is not a number.
        answers.append(side(model: "m1", request: "0", pair: "x1", role: SpuriousGroupSource.anchorRole, .saysCue))
        answers.append(side(model: "m1", request: "0", pair: "x2", role: SpuriousGroupSource.anchorRole, .saysCue, error: true))
        answers.append(side(model: "m1", request: "0", pair: "x2", role: SpuriousGroupSource.counterfactualRole, .right))
        answers += pairs(model: "m1", request: 9, repeated(3, (.saysCue, .right)))
        answers.append(side(model: "m1", request: "one", pair: "y", role: SpuriousGroupSource.anchorRole, .saysCue))
        return SpuriousGroupAnalysis().results(
            answers, requests: analysisRequests, minedFrom: [0: "m0, m1", 1: "m1", 2: "m1", 3: "m1"])
    }

    static func result(_ results: [SpuriousGroupResult], model: String, cue: CueIdentity) throws -> SpuriousGroupResult {
        try #require(results.first { $0.model == model && $0.cue == cue })
    }

    @Test("the gap, its paired interval and the accuracies match the hand count")
    func analysisByHand() throws {
        let results = Self.analysed()
        #expect(results.count == 6)
        let r = try Self.result(results, model: "m1", cue: Self.grass)
        #expect(r.answer == "star" && r.minedFrom == "m0, m1")
        #expect(r.pairs == 25)
        #expect(r.anchorAccuracy.successes == 10 && r.anchorAccuracy.total == 25)
        #expect(r.counterfactualAccuracy.successes == 22 && r.counterfactualAccuracy.total == 25)
        #expect(r.anchorSaysCueAnswer.successes == 12 && r.anchorSaysCueAnswer.total == 25)
        // d = counterfactual − anchor: twelve 1s, thirteen 0s; mean 0.48, sample variance 0.26,
        // margin 1.959964 · √(0.26 / 25) = 0.199878.
        #expect(abs(r.gap - 0.48) < 1e-12)
        #expect(abs(r.gapLow - 0.2801221079) < 1e-9)
        #expect(abs(r.gapHigh - 0.6798778921) < 1e-9)
        #expect(
            r.examplePairs == (0..<4).map { ["m1-r0-p00\($0)-anchor", "m1-r0-p00\($0)-counterfactual"] })
    }

    @Test("confirmed only for a model the cue was mined from; affected otherwise")
    func analysisVerdicts() throws {
        let results = Self.analysed()
        let mined = try Self.result(results, model: "m1", cue: Self.grass)
        #expect(mined.confirmed && mined.affected)
        let other = try Self.result(results, model: "m2", cue: Self.grass)
        #expect(!other.confirmed && other.affected)
        #expect(abs(other.gap - mined.gap) < 1e-12)
        // "m" is a prefix of "m1" and "m0" but not one of the models listed.
        let prefix = try Self.result(results, model: "m", cue: Self.grass)
        #expect(!prefix.confirmed && prefix.affected)
    }

    @Test("too few pairs, a small gap or an interval reaching zero never confirm")
    func analysisThresholds() throws {
        let results = Self.analysed()
        let few = try Self.result(results, model: "m1", cue: Self.sky)
        #expect(few.pairs == 19 && few.gap == 1 && few.gapLow == 1)
        #expect(!few.confirmed && !few.affected)
        let small = try Self.result(results, model: "m1", cue: Self.water)
        #expect(small.pairs == 100 && abs(small.gap - 0.08) < 1e-12 && small.gapLow > 0)
        #expect(!small.confirmed && !small.affected)
        // d: six 1s, three −1s, 21 zeros: mean 0.1, sample variance 0.3, margin 0.196.
        let wide = try Self.result(results, model: "m1", cue: Self.exitSign)
        #expect(wide.pairs == 30 && abs(wide.gap - 0.1) < 1e-12)
        #expect(abs(wide.gapLow - (0.1 - 1.959963984540054 * 0.1)) < 1e-9)
        #expect(!wide.confirmed && !wide.affected)

        var lenient = SpuriousGroupAnalysis()
        lenient.minimumPairs = 19
        lenient.minimumGap = 0.05
        let relaxed = lenient.results(
            Self.pairs(model: "m1", request: 1, Self.repeated(19, (.saysCue, .right)))
                + Self.pairs(model: "m1", request: 2, Self.repeated(8, (.saysCue, .right)) + Self.repeated(92, (.right, .right))),
            requests: Self.analysisRequests, minedFrom: [1: "m1", 2: "m1"])
        #expect(relaxed.count == 2 && relaxed.allSatisfy(\.confirmed))
    }

    @Test("a model key containing | still gets its results")
    func analysisModelKeyWithBar() {
        let model = "openai:http://host:8080/v1#vision|large"
        let answers = Self.pairs(model: model, request: 0, Self.strongPull)
        let results = SpuriousGroupAnalysis().results(answers, requests: Self.analysisRequests, minedFrom: [0: model])
        #expect(results.count == 1)
        #expect(results.first?.model == model)
        #expect(results.first?.confirmed == true)
    }

    // MARK: - Repair data

    @Test("counterfactual repair pairs: clean without the cue, perturbed with it, the same answer")
    func repairCounterfactualPairs() {
        let builder = RepairDataBuilder(seed: 77)
        let pairs = builder.counterfactualPairs([(cue: Self.grass, answer: "star")], pairsPerCue: 3, abilities: [.attribute])
        #expect(pairs.count == 3)
        for pair in pairs {
            #expect(pair.kind == .counterfactual)
            #expect(pair.finding == "spurious cue: background = grass → star")
            #expect(pair.clean.probe.lineage.factors[SpuriousGroupSource.roleFactor] == SpuriousGroupSource.counterfactualRole)
            #expect(pair.perturbed.probe.lineage.factors[SpuriousGroupSource.roleFactor] == SpuriousGroupSource.anchorRole)
            #expect(pair.clean.probe.lineage.parent == pair.perturbed.probe.lineage.parent)
            #expect(CueScan.cues(in: pair.perturbed.probe).contains(Self.grass))
            #expect(!CueScan.cues(in: pair.clean.probe).contains(Self.grass))
            #expect(AnswerValue.expected(pair.clean.probe.expected) == AnswerValue.expected(pair.perturbed.probe.expected))
            #expect(AnswerValue.expected(pair.clean.probe.expected) != "star")
            let records = pair.records()
            #expect(records.map(\.id) == [pair.clean.probe.id + "#clean", pair.perturbed.probe.id + "#perturbed"])
            #expect(records.allSatisfy { $0.kind == .counterfactual && $0.finding == pair.finding })
            #expect(records[0].answer == records[1].answer)
            #expect(records[0].imagePNGs == pair.clean.imagePNGs && records[1].prompt == pair.perturbed.probe.prompt)
        }
        #expect(builder.counterfactualPairs([], pairsPerCue: 3).isEmpty)
        #expect(builder.counterfactualPairs([(cue: Self.grass, answer: "star")], pairsPerCue: 0).isEmpty)
    }

    @Test("augmentation repair pairs: each image-heavy perturbation of a clean question, the same answer")
    func repairAugmentationPairs() {
        let builder = RepairDataBuilder(seed: 78)
        let pairs = builder.augmentationPairs(count: 2)
        let perturbations = InterferencePerturbation.perturbations(for: .imageHeavy)
        #expect(pairs.count == 2 * perturbations.count)
        for (index, pair) in pairs.enumerated() {
            let perturbation = perturbations[index % perturbations.count]
            #expect(pair.kind == .augmentation)
            #expect(pair.finding == "modality interference: \(perturbation.title.lowercased())")
            #expect(pair.clean.probe.lineage.transformation == nil)
            #expect(pair.perturbed.probe.lineage.transformation == perturbation.rawValue)
            #expect(pair.perturbed.probe.lineage.parent == pair.clean.probe.id)
            #expect(pair.perturbed.probe.expected == pair.clean.probe.expected)
            #expect(pair.records().map(\.answer) == [pair.clean.probe.expected.text, pair.clean.probe.expected.text])
        }
        // Two different clean questions, each shared by its perturbations.
        #expect(Set(pairs.map(\.clean.probe.id)).count == 2)
        #expect(builder.augmentationPairs(count: 1, perturbations: [.blackImage]).isEmpty)
        #expect(builder.augmentationPairs(count: 0).isEmpty)
    }
}
