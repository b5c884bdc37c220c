import Foundation
import Testing
import FaultlineCore
@testable import FaultlineTensor

/// A small conv + MLP classifier used by the training and determinism tests.
private struct TinyConvNet {
    var parameters: ParameterSet
    let conv: Conv2d
    let hidden: Linear
    let head: Linear

    init(seed: UInt64) {
        parameters = ParameterSet(seed: seed)
        conv = Conv2d("image.conv1", inChannels: 1, outChannels: 4, kernel: 3, stride: 2, padding: 1, parameters: &parameters)
        hidden = Linear("mlp.hidden", inputs: 4, outputs: 16, parameters: &parameters)
        head = Linear("mlp.head", inputs: 16, outputs: 2, parameters: &parameters)
    }

    func logits(_ images: Variable, _ pass: ForwardPass) -> Variable {
        let features = conv(images, pass).relu().globalAveragePool()
        return head(hidden(features, pass).relu(), pass)
    }
}

/// 8×8 images: class 0 has a bright left half, class 1 a bright right half, plus noise.
private func separableBatch(count: Int, seed: UInt64) -> (images: Tensor, labels: [Int32]) {
    var generator = SeededGenerator(seed: seed, stream: 5)
    var pixels: [Float] = []
    var labels: [Int32] = []
    for n in 0..<count {
        let label = Int32(n % 2)
        labels.append(label)
        for _ in 0..<8 {
            for column in 0..<8 {
                let bright = (column < 4) == (label == 0)
                pixels.append((bright ? 1 : 0) + Float(generator.gaussian()) * 0.1)
            }
        }
    }
    return (Tensor(shape: [count, 1, 8, 8], scalars: pixels), labels)
}

private func trainingLosses(seed: UInt64, steps: Int) -> (losses: [Float], parameters: ParameterSet) {
    var model = TinyConvNet(seed: seed)
    let batch = separableBatch(count: 16, seed: 11)
    var optimizer = AdamW(weightDecay: 0.01)
    let schedule = WarmupCosineSchedule(peak: 0.05, floor: 0.005, warmupSteps: 5, totalSteps: steps)
    var losses: [Float] = []
    for step in 0..<steps {
        var gradients: [Tensor]
        do {
            let tape = Tape()
            let pass = ForwardPass(parameters: model.parameters, tape: tape)
            let loss = crossEntropy(logits: model.logits(pass.input(batch.images), pass), targets: batch.labels)
            tape.backward(from: loss)
            losses.append(loss.value.scalarValue)
            gradients = pass.parameterGradients()
        }
        clipGradientsByGlobalNorm(&gradients, maxNorm: 5)
        optimizer.step(&model.parameters, gradients: gradients, learningRate: schedule.learningRate(atStep: step))
    }
    return (losses, model.parameters)
}

@Suite("Optimisers and training")
struct TrainingTests {
    @Test func adamMatchesHandComputedSteps() {
        var parameters = ParameterSet(seed: 1)
        parameters.add("p", shape: [2], initializer: .zeros)
        try! parameters.replace("p", with: Tensor(shape: [2], scalars: [1, -2]))
        var adam = Adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)
        let g1: [Float] = [0.5, 0.1], g2: [Float] = [-0.2, 0.3]
        adam.step(&parameters, gradients: [Tensor(shape: [2], scalars: g1)], learningRate: 0.1)
        adam.step(&parameters, gradients: [Tensor(shape: [2], scalars: g2)], learningRate: 0.1)

        // By hand, in Double: L2 decay folds 0.1·p into the gradient before the moments.
        var p: [Double] = [1, -2], m: [Double] = [0, 0], v: [Double] = [0, 0]
        for (t, g) in [g1, g2].enumerated() {
            for i in 0..<2 {
                let grad = Double(g[i]) + 0.1 * p[i]
                m[i] = 0.9 * m[i] + 0.1 * grad
                v[i] = 0.999 * v[i] + 0.001 * grad * grad
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1))), vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                p[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<2 { #expect(abs(Double(parameters["p"]!.scalars[i]) - p[i]) < 1e-5, "Adam p[\(i)]") }
    }

    @Test func adamWDecaysDecoupledFromTheGradient() {
        var parameters = ParameterSet(seed: 1)
        parameters.add("p", shape: [2], initializer: .zeros)
        try! parameters.replace("p", with: Tensor(shape: [2], scalars: [1, -2]))
        var adamW = AdamW(weightDecay: 0.5)
        adamW.step(&parameters, gradients: [Tensor(shape: [2], scalars: [0.5, 0])], learningRate: 0.1)
        // First step: m̂ = g, v̂ = g², so the Adam part is lr·sign(g) (0 where g = 0);
        // the decay part is lr·λ·p, independent of g.
        let expected: [Double] = [1 - 0.1 * 0.5 * 1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 - 0.1 * 0.5 * -2]
        for i in 0..<2 { #expect(abs(Double(parameters["p"]!.scalars[i]) - expected[i]) < 1e-6, "AdamW p[\(i)]") }
        #expect(adamW.stepCount == 1)
    }

    @Test func globalNormClippingAndSchedule() {
        var gradients = [Tensor(shape: [2], scalars: [3, 0]), Tensor(shape: [1], scalars: [4])]
        let norm = clipGradientsByGlobalNorm(&gradients, maxNorm: 1)
        #expect(abs(norm - 5) < 1e-5)
        #expect(abs(gradients[0].scalars[0] - 0.6) < 1e-5 && abs(gradients[1].scalars[0] - 0.8) < 1e-5)
        var small = [Tensor(shape: [1], scalars: [0.5])]
        clipGradientsByGlobalNorm(&small, maxNorm: 1)
        #expect(small[0].scalars == [0.5])

        let schedule = WarmupCosineSchedule(peak: 1, floor: 0.1, warmupSteps: 4, totalSteps: 14)
        #expect(schedule.learningRate(atStep: 0) == 0.25)
        #expect(schedule.learningRate(atStep: 3) == 1)
        #expect(abs(schedule.learningRate(atStep: 4) - 1) < 1e-6)
        #expect(abs(schedule.learningRate(atStep: 9) - 0.55) < 1e-5)
        #expect(schedule.learningRate(atStep: 14) == 0.1)
    }

    @Test func tinyConvNetLearnsASeparableProblem() {
        let (losses, _) = trainingLosses(seed: 3, steps: 60)
        #expect(losses.first! > 0.5, "initial loss \(losses.first!) should be near ln 2")
        #expect(losses.last! < losses.first! / 10, "loss only fell from \(losses.first!) to \(losses.last!)")
    }

    @Test func sameSeedSameBitsDifferentSeedDifferentBits() {
        let first = trainingLosses(seed: 9, steps: 8)
        let second = trainingLosses(seed: 9, steps: 8)
        #expect(first.losses.map(\.bitPattern) == second.losses.map(\.bitPattern))
        for ((_, a), (_, b)) in zip(first.parameters, second.parameters) {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
        #expect(TinyConvNet(seed: 9).parameters.tensors == TinyConvNet(seed: 9).parameters.tensors)
        #expect(TinyConvNet(seed: 9).parameters.tensors != TinyConvNet(seed: 10).parameters.tensors)
    }

    @Test func parametersAreNamedIterableAndReplaceable() throws {
        var model = TinyConvNet(seed: 1)
        let names = model.parameters.map(\.name)
        #expect(names == ["image.conv1.weight", "image.conv1.bias", "mlp.hidden.weight", "mlp.hidden.bias",
                          "mlp.head.weight", "mlp.head.bias"])
        #expect(throws: ParameterError.self) { try model.parameters.replace("mlp.head.bias", with: .zeros([3])) }
        try model.parameters.replace("mlp.head.bias", with: .filled([2], with: 7))
        #expect(model.parameters["mlp.head.bias"]!.scalars == [7, 7])
        // A parameter's initial bits depend on the seed and its name only.
        var other = ParameterSet(seed: 1)
        other.add("unrelated", shape: [5], initializer: .normal(standardDeviation: 1))
        other.add("mlp.hidden.weight", shape: [16, 4], initializer: .uniform(bound: 0.5))
        #expect(other["mlp.hidden.weight"] == TinyConvNet(seed: 1).parameters["mlp.hidden.weight"])
    }

    @Test func inputGradientForAnAttackWithFrozenWeights() {
        let model = TinyConvNet(seed: 2)
        let batch = separableBatch(count: 2, seed: 1)
        let tape = Tape()
        let pass = ForwardPass(parameters: model.parameters, tape: tape, trainable: false)
        let image = pass.input(batch.images, requiresGradient: true)
        tape.backward(from: crossEntropy(logits: model.logits(image, pass), targets: batch.labels))
        let gradient = tape.gradient(of: image)
        #expect(gradient?.shape == [2, 1, 8, 8])
        #expect(gradient!.scalars.contains { $0 != 0 })
        #expect(pass.parameterGradients().allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
    }

    @Test func concurrentInferenceOnSharedWeightsMatchesSerial() async {
        let model = TinyConvNet(seed: 5)
        let parameters = model.parameters
        let (conv, hidden, head) = (model.conv, model.hidden, model.head)
        let inputs = (0..<6).map { separableBatch(count: 4, seed: UInt64($0)).images }
        @Sendable func infer(_ images: Tensor) -> [Float] {
            let pass = ForwardPass(parameters: parameters)
            let features = conv(pass.input(images), pass).relu().globalAveragePool()
            return head(hidden(features, pass).relu(), pass).value.scalars
        }
        let serial = inputs.map(infer)
        let concurrent = await withTaskGroup(of: (Int, [Float]).self) { group in
            for (index, images) in inputs.enumerated() { group.addTask { (index, infer(images)) } }
            var results = [[Float]](repeating: [], count: inputs.count)
            for await (index, logits) in group { results[index] = logits }
            return results
        }
        #expect(concurrent == serial)
    }

    @Test func maskedKeysDoNotInfluenceAttention() {
        var parameters = ParameterSet(seed: 8)
        let block = TransformerBlock("block", width: 8, heads: 2, parameters: &parameters)
        let pass = ForwardPass(parameters: parameters)
        var x = randomTensor([1, 4, 8], seed: 3)
        let mask = [false, false, false, true]
        let before = block(Variable(x), keyPaddingMask: mask, pass).value
        for i in 24..<32 { x.scalars[i] = 100 }
        let after = block(Variable(x), keyPaddingMask: mask, pass).value
        #expect(Array(before.scalars[0..<24]) == Array(after.scalars[0..<24]))
        let unmasked = block(Variable(x), pass).value
        #expect(Array(unmasked.scalars[0..<24]) != Array(after.scalars[0..<24]))
    }
}
