import FaultlineCore
import FaultlineTensor
import Testing

@testable import FaultlineZoo

/// The operations are checked one by one in the tensor tests; this checks their composition:
/// the answer loss's gradient through the whole network, against central differences.
@Suite("Zoo network gradients")
struct ZooNetworkGradientTests {
    @Test(
        "the answer loss's gradients through fusion, match heads or attribute tables, object pairs and spelled written words, question encoder and CNN match finite differences",
        arguments: [false, true])
    func wholeNetwork(attributeTables: Bool) throws {
        var configuration = ZooConfiguration(
            name: "gradient-check", seed: 5,
            data: ZooDataSettings(imageSize: 32, renderSize: 64, abilities: Ability.perception, maxQuestionTokens: 16),
            architecture: ZooArchitectureSettings(imageChannels: [8, 16, 32], width: 32, heads: 2, fusionLayers: 1, embeddingDimension: 16),
            training: ZooTrainingSettings(
                steps: 4, batchSize: 8, learningRate: 0.003, weightDecay: 0.01, warmupSteps: 2, checkpointEvery: 4,
                heldOutCount: 8, contrastiveWeight: 0.2, threads: 1),
            plants: [])
        if attributeTables {
            configuration.architecture.cellSizeAndTexture = true
            configuration.architecture.attributeSummary = true
            configuration.architecture.objectPairs = true
            configuration.architecture.cellWords = true
            configuration.architecture.spelledWords = true
        } else {
            configuration.architecture.matchHeads = 2
        }
        let trainer = try ZooTrainer(configuration: configuration)
        let batch = try trainer.batch(atStep: 0, threads: 1)
        let network = trainer.checkpoint.network
        func loss(_ parameters: ParameterSet, tape: Tape? = nil) -> (value: Variable, pass: ForwardPass) {
            let pass = ForwardPass(parameters: parameters, tape: tape)
            let logits = network.answerLogits(
                images: pass.input(batch.images), questionIDs: batch.questionIDs, questionMask: batch.questionMask, pass)
            return (crossEntropy(logits: logits, targets: batch.answers), pass)
        }
        let tape = Tape()
        let recorded = loss(trainer.checkpoint.parameters, tape: tape)
        tape.backward(from: recorded.value)
        let gradients = recorded.pass.parameterGradients()
        let names = trainer.checkpoint.parameters.names
        let checked = [
            "image.conv1.weight", "text.token.weight", "text.position", "text.block.attention.value.weight",
            "fusion.scale.weight", "fusion.shift.bias", "fusion.mix.weight", "answer.hidden.weight",
        ] + (attributeTables
            ? ["image.cell.shape.weight", "image.cell.object.weight", "answer.attributes.gate.weight",
               "text.subject.shape.weight", "text.subject.colour.bias", "answer.asked.project.weight",
               "text.other.shape.weight", "text.subject.size.weight", "answer.pair.gate.weight", "answer.pair.project.weight",
               "image.cell.letters.weight", "image.cell.sign.weight", "answer.words.gate.weight"]
            : ["answer.match.query.weight", "answer.match.key.weight"])
        // Small enough that no unit of the answer layer's ReLU crosses zero between the two
        // evaluations (at 1e-2 one did once the pair features joined its input), large enough
        // for float32 differences.
        let step: Float = 3e-3
        for name in checked {
            let index = try #require(names.firstIndex(of: name), "\(name)")
            let analytic = gradients[index].scalars
            // The largest components: the ones a broken backward pass would get most wrong.
            for element in analytic.indices.sorted(by: { abs(analytic[$0]) > abs(analytic[$1]) }).prefix(2) {
                let value = try #require(trainer.checkpoint.parameters[name])
                func shifted(by offset: Float) throws -> Float {
                    var parameters = trainer.checkpoint.parameters
                    var scalars = value.scalars
                    scalars[element] += offset
                    try parameters.replace(name, with: Tensor(shape: value.shape, scalars: scalars))
                    return loss(parameters).value.value.scalarValue
                }
                let numeric = (try shifted(by: step) - (try shifted(by: -step))) / (2 * step)
                let tolerance = 0.05 * max(abs(numeric), abs(analytic[element])) + 1e-3
                #expect(abs(numeric - analytic[element]) <= tolerance, "\(name)[\(element)]: analytic \(analytic[element]), numeric \(numeric)")
            }
        }
    }
}
