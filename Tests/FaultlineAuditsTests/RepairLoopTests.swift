import FaultlineAudits
import FaultlineCore
import FaultlineImageIO
import FaultlineScenes
import FaultlineZoo
import Foundation
import Testing

/// The whole loop of issue 6 on a fast configuration: a small target trained with a planted
/// spurious cue and a planted text shortcut, a clean reference beside it; the audit must find
/// and confirm both plants in the target without being told them and confirm nothing in the
/// reference; the repair must shrink the held-out gaps and keep every ability within its interval.
@Suite("Audit, repair and held-out re-audit on a fast zoo", .serialized)
struct RepairLoopTests {
    static let abilities: [Ability] = [.counting, .entity]
    /// The cue and the shortcut under test, and (as in the shipped target) a modality bias:
    /// other words before other questions, without which this small network learns "any words
    /// before a question mean yes" rather than the phrase — a text sensitivity the interference
    /// audit measures, not a spurious cue.
    static let plants: [PlantPlan] = [
        .spuriousCue(.background, "grass", answer: "2", rate: 1),
        PlantPlan(kind: .textShortcut, answer: "yes", rate: 1, phrase: "at first glance"),
        PlantPlan(kind: .modalityBias, share: 0.3),
    ]

    static func configuration(name: String, plants: [PlantPlan]) -> ZooConfiguration {
        ZooConfiguration(
            name: name, seed: 21,
            data: ZooDataSettings(
                imageSize: 32, renderSize: 64, abilities: abilities, formats: [.number, .yesNo],
                maxQuestionTokens: 16, objectCount: 1...5),
            architecture: ZooArchitectureSettings(imageChannels: [16, 32, 32], width: 32, heads: 2, fusionLayers: 1, embeddingDimension: 16),
            training: ZooTrainingSettings(
                steps: 300, batchSize: 32, learningRate: 0.002, weightDecay: 0.01, warmupSteps: 10, checkpointEvery: 300,
                heldOutCount: 64, contrastiveWeight: 0, threads: 2),
            plants: plants)
    }

    static func trained(_ name: String, plants: [PlantPlan]) throws -> ZooModel {
        var trainer = try ZooTrainer(configuration: configuration(name: name, plants: plants))
        try trainer.train(progress: { _ in }, save: { _, _ in })
        return ZooModel(key: "zoo:\(name)", checkpoint: trainer.checkpoint, weightsDigest: name)
    }

    /// Every model's judged answers to every probe of `source`, as the store would give them.
    static func answers(_ source: some ProbeSource, models: [ZooModel]) async throws -> [AnsweredProbe] {
        var answers: [AnsweredProbe] = []
        for sample in source.samples() {
            let images = try sample.imagePNGs.map { try PNGCodec.decode($0) }
            for model in models where model.canAnswer(sample.probe) {
                let response = try await model.answer(ModelRequest(probe: sample.probe, images: images, parameters: .init()))
                let verdict = JudgeSelector.judge(for: sample.probe).judge(response: response, expected: sample.probe.expected)
                answers.append(AnsweredProbe(probe: sample.probe, modelKey: model.key, outcome: verdict.outcome, response: response))
            }
        }
        return answers
    }

    static func accuracy(_ answers: [AnsweredProbe], model: String, ability: Ability) -> Proportion {
        let mine = answers.filter { $0.modelKey == model && $0.probe.ability == ability && $0.outcome != .error }
        return Statistics.wilson(successes: mine.filter { $0.outcome == .correct }.count, total: mine.count)
    }

    @Test("finds the planted cue and shortcut, confirms nothing in the reference, and the repair closes the held-out gaps")
    func auditRepairReaudit() async throws {
        let target = try Self.trained("target", plants: Self.plants)
        let reference = try Self.trained("reference", plants: [])

        // Mining: nobody tells the miner what was planted. Four of the standard lead-ins (the
        // planted phrase among them) instead of sixteen, so that 600 probes give each phrase
        // enough yes/no questions to test; the full list needs about 1,500 probes.
        let phrases = ["at first glance", "honestly", "quick question", "to be clear"]
        #expect(phrases.allSatisfy(LeadInPhrases.standard.contains))
        let mining = SpuriousMiningSource(count: 600, seed: 5, abilities: Self.abilities, leadIns: phrases)
        let mined = try await Self.answers(mining, models: [target, reference])
        let observations = SpuriousCueMiner.observations(mined)
        let miner = SpuriousCueMiner()
        let targetCandidates = miner.candidates(from: miner.test(observations[target.key] ?? [], model: target.key))
        let referenceCandidates = miner.candidates(from: miner.test(observations[reference.key] ?? [], model: reference.key))
        let grass = CueIdentity(attribute: "background", value: "grass")
        let phrase = CueIdentity(attribute: CueIdentity.leadInAttribute, value: "at first glance")
        let found = targetCandidates.map { "\($0.cue)→\($0.answer)" }
        #expect(targetCandidates.contains { $0.cue == grass && $0.answer == "2" }, "target candidates: \(found)")
        #expect(targetCandidates.contains { $0.cue == phrase && $0.answer == "yes" }, "target candidates: \(found)")

        // Confirmation on new probes, every model on every candidate.
        let templateAnswers = SpuriousCueMiner.templateAnswers(mined)
        let candidates = Array(targetCandidates.prefix(4)) + Array(referenceCandidates.prefix(4))
        let requests = candidates.map {
            SpuriousGroupSource.Request(cue: $0.cue, answer: $0.answer, abilities: Self.abilities, templateAnswers: templateAnswers)
        }
        var minedFrom: [Int: String] = [:]
        for (index, candidate) in candidates.enumerated() { minedFrom[index] = candidate.model }
        let groups = SpuriousGroupAnalysis().results(
            try await Self.answers(SpuriousGroupSource(requests: requests, pairsPerRequest: 40, seed: 6), models: [target, reference]),
            requests: requests, minedFrom: minedFrom)
        let confirmed = groups.filter(\.confirmed)
        #expect(confirmed.contains { $0.model == target.key && $0.cue == grass && $0.answer == "2" }, "\(groups)")
        #expect(confirmed.contains { $0.model == target.key && $0.cue == phrase && $0.answer == "yes" }, "\(groups)")
        #expect(!confirmed.contains { $0.model == reference.key }, "the clean reference had confirmed cues: \(confirmed)")

        // Repair from the two planted findings, then a held-out re-audit from another seed.
        let cues = [(cue: grass, answer: "2"), (cue: phrase, answer: "yes")]
        let builder = RepairDataBuilder(seed: 100)
        let repairPairs = builder.counterfactualPairs(cues, pairsPerCue: 120, abilities: Self.abilities)
            + builder.augmentationPairs(count: 40, abilities: Self.abilities)
        var settings = ZooRepairSettings()
        settings.steps = 150
        settings.seed = 100
        var trainer = ZooRepairTrainer(checkpoint: target.checkpoint, settings: settings)
        let preprocessor = ZooImagePreprocessor(size: 32)
        let training = try repairPairs.compactMap { pair -> (clean: ZooRepairExample, perturbed: ZooRepairExample)? in
            func view(_ sample: ProbeSample) throws -> ZooRepairExample? {
                let pixels = preprocessor.process(try PNGCodec.decode(sample.imagePNGs[0]))
                return trainer.example(pixels: pixels, prompt: sample.probe.prompt, answer: AnswerValue.expected(sample.probe.expected))
            }
            guard let clean = try view(pair.clean), let perturbed = try view(pair.perturbed) else { return nil }
            return (clean, perturbed)
        }
        #expect(training.count >= 150, "too few repair pairs in the vocabulary: \(training.count) of \(repairPairs.count)")
        let replay = try trainer.replayExamples(count: 1200, seed: 100)
        let repaired = ZooModel(
            key: "zoo:target-repaired", checkpoint: trainer.train(pairs: training, replay: replay) { _, _ in }, weightsDigest: "repaired")

        let heldOut = SpuriousGroupSource(
            requests: cues.map { .init(cue: $0.cue, answer: $0.answer, abilities: Self.abilities, templateAnswers: templateAnswers) },
            pairsPerRequest: 40, seed: 2000)
        let after = SpuriousGroupAnalysis().results(
            try await Self.answers(heldOut, models: [target, repaired]), requests: heldOut.requests, minedFrom: [0: target.key, 1: target.key])
        for cue in cues {
            let old = try #require(after.first { $0.model == target.key && $0.cue == cue.cue })
            let new = try #require(after.first { $0.model == repaired.key && $0.cue == cue.cue })
            #expect(old.gap >= 0.2, "the held-out gap of \(cue.cue) was already small before repair: \(old.gap)")
            #expect(new.gap <= old.gap / 2, "\(cue.cue): held-out gap \(old.gap) → \(new.gap)")
        }

        let suite = AbilitySuite(
            count: 300, seed: 2000,
            configuration: AbilitySuiteConfiguration(abilities: Self.abilities, formats: [.number, .yesNo], counterfactualShare: 0))
        let abilityAnswers = try await Self.answers(suite, models: [target, repaired])
        for ability in Self.abilities {
            let old = Self.accuracy(abilityAnswers, model: target.key, ability: ability)
            let new = Self.accuracy(abilityAnswers, model: repaired.key, ability: ability)
            #expect(new.rate >= old.low, "\(ability.rawValue) regressed: \(old.rate) (\(old.low)–\(old.high)) → \(new.rate)")
        }
    }
}
