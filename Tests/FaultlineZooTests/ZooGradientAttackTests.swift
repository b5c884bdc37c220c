import FaultlineCore
import FaultlineScenes
import Foundation
import Testing

@testable import FaultlineZoo

/// White-box PGD on the zoo: no budget changes nothing, a larger budget changes at least as
/// many answers, every answer it reports is the model's own reading of a perturbed input,
/// and the same seed gives the same outcomes.
@Suite("Zoo gradient attacks")
struct ZooGradientAttackTests {
    static let model: ZooModel = {
        let configuration = ZooConfiguration(
            name: "attacked", seed: 9,
            data: ZooDataSettings(imageSize: 32, renderSize: 64, abilities: [.counting, .entity], maxQuestionTokens: 16),
            architecture: ZooArchitectureSettings(imageChannels: [8, 16, 32], width: 32, heads: 2, fusionLayers: 1, embeddingDimension: 16),
            training: ZooTrainingSettings(
                steps: 200, batchSize: 32, learningRate: 0.002, weightDecay: 0.01, warmupSteps: 10, checkpointEvery: 200,
                heldOutCount: 32, contrastiveWeight: 0, threads: 2),
            plants: [])
        var trainer = try! ZooTrainer(configuration: configuration)
        try! trainer.train(progress: { _ in }, save: { _, _ in })
        return ZooModel(key: "zoo:attacked", checkpoint: trainer.checkpoint, weightsDigest: "test")
    }()

    static let probes: [(probe: Probe, image: RasterImage?)] = {
        let suite = AbilitySuite(
            count: 24, seed: 4,
            configuration: AbilitySuiteConfiguration(abilities: [.counting, .entity], formats: [.number, .yesNo], counterfactualShare: 0))
        let renderer = SceneRenderer()
        return (0..<suite.count).map { index in
            (suite.sample(at: index).probe, try! renderer.render(suite.spec(at: index).scene))
        }
    }()

    @Test("a zero budget changes no answer; a large one changes more than a small one", arguments: ZooGradientAttack.Surface.allCases)
    func successGrowsWithBudget(surface: ZooGradientAttack.Surface) {
        let attack = ZooGradientAttack(model: Self.model, steps: 8, seed: 1)
        let budgets: [Float] = surface == .image ? [0, 2, 64] : [0, 0.02, 3]
        let successes = budgets.map { epsilon in attack.attack(Self.probes, surface: surface, epsilon: epsilon).filter(\.succeeded).count }
        #expect(successes[0] == 0)
        #expect(successes[2] >= successes[1], "\(successes)")
        #expect(successes[2] > 0, "even a budget of \(budgets[2]) changed no answer: \(successes)")
    }

    @Test("outcomes name the model's clean answer and are the same for the same seed")
    func deterministicAndHonest() {
        let attack = ZooGradientAttack(model: Self.model, steps: 4, seed: 7)
        let first = attack.attack(Self.probes, surface: .textEmbeddings, epsilon: 0.5)
        let second = attack.attack(Self.probes, surface: .textEmbeddings, epsilon: 0.5)
        #expect(first == second)
        for (outcome, item) in zip(first, Self.probes) {
            let input = Self.model.inputs(image: item.image, prompt: item.probe.prompt)
            let clean = Self.model.resolve(Self.model.distribution(pixels: input.pixels, encoding: input.encoding), for: item.probe)
            #expect(outcome.cleanAnswer == clean.text)
            #expect(outcome.succeeded == (outcome.finalAnswer != outcome.cleanAnswer))
        }
    }
}
