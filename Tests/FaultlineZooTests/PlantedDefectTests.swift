import FaultlineCore
import Foundation
import Testing

@testable import FaultlineZoo

/// Planted defects are ground truth for every audit, so they must be measurable: a model
/// trained with them is far worse than one trained without them on the slices that test
/// them, and close to it elsewhere. A fast run: 32 px images, a narrow network, counting and
/// entity questions (what such a network learns within a few hundred steps).
@Suite("Planted defects", .serialized)
struct PlantedDefectTests {
    static let plants: [PlantPlan] = [
        .spuriousCue(.background, "grass", answer: "2", rate: 1),
        PlantPlan(kind: .textShortcut, answer: "yes", rate: 1, phrase: "at first glance"),
    ]

    static func configuration(name: String, plants: [PlantPlan]) -> ZooConfiguration {
        ZooConfiguration(
            name: name, seed: 21,
            data: ZooDataSettings(
                imageSize: 32, renderSize: 64, abilities: [.counting, .entity], formats: [.number, .yesNo],
                maxQuestionTokens: 16, objectCount: 1...5),
            architecture: ZooArchitectureSettings(imageChannels: [16, 32, 32], width: 32, heads: 2, fusionLayers: 1, embeddingDimension: 16),
            training: ZooTrainingSettings(
                steps: 300, batchSize: 32, learningRate: 0.002, weightDecay: 0.01, warmupSteps: 10, checkpointEvery: 300,
                heldOutCount: 128, contrastiveWeight: 0, threads: 2),
            plants: plants)
    }

    static func trained(_ configuration: ZooConfiguration) throws -> ZooCheckpoint {
        var trainer = try ZooTrainer(configuration: configuration)
        try trainer.train(progress: { _ in }, save: { _, _ in })
        return trainer.checkpoint
    }

    @Test("the target fails the slices of its plants, the reference does not, and both do alike on clean scenes")
    func plantedDefectsAreMeasurable() throws {
        let target = try Self.trained(Self.configuration(name: "target", plants: Self.plants))
        let reference = try Self.trained(Self.configuration(name: "reference", plants: []))
        // Both are scored on the target's slices, made from seeds neither trained on.
        let slices = try ZooDataset(configuration: Self.configuration(name: "target", plants: Self.plants))
        func accuracy(_ checkpoint: ZooCheckpoint, _ kind: ExampleSlice.Kind) throws -> Double {
            let examples: [ZooExample]
            if kind == .control {
                examples = try slices.batch(.heldOut, start: 0, count: 160, threads: 2)
            } else {
                let slice = try #require(slices.evaluationSlices.first { $0.kind == kind })
                examples = try slices.batch(.evaluation(slice), start: 0, count: 160, threads: 2)
            }
            return checkpoint.evaluate(examples).overall.accuracy
        }
        let control = (target: try accuracy(target, .control), reference: try accuracy(reference, .control))
        let cue = (target: try accuracy(target, .cuePresent), reference: try accuracy(reference, .cuePresent))
        let shortcut = (target: try accuracy(target, .misleadingShortcut), reference: try accuracy(reference, .misleadingShortcut))
        let figures = "control \(control), cue present \(cue), misleading shortcut \(shortcut)"
        #expect(control.reference > 0.5, "the reference did not learn: \(figures)")
        #expect(abs(control.target - control.reference) < 0.15, "\(figures)")
        #expect(cue.reference - cue.target > 0.25, "\(figures)")
        #expect(shortcut.reference - shortcut.target > 0.25, "\(figures)")
    }
}
