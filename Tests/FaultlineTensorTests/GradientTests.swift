import Testing
@testable import FaultlineTensor

@Suite("Finite-difference gradient checks")
struct GradientTests {
    private func expectPasses(_ report: GradientCheckReport, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(report.passed, "\(report)", sourceLocation: sourceLocation)
    }

    @Test func checkerRejectsAWrongGradient() {
        let x = randomTensorAvoidingZero([3, 4], seed: 1)
        let report = checkGradients([x]) { wrongGradientSquareTestDouble($0[0]) }
        #expect(!report.passed, "the checker accepted a 5%-wrong gradient: \(report)")
        // The correct op passes under the same tolerances, so the rejection is not a fluke.
        expectPasses(checkGradients([x]) { $0[0] * $0[0] })
    }

    @Test func matmul2D() {
        expectPasses(checkGradients([randomTensor([3, 4], seed: 1), randomTensor([4, 5], seed: 2)]) { matmul($0[0], $0[1]) })
    }

    @Test func matmulBatched() {
        expectPasses(checkGradients([randomTensor([2, 3, 4], seed: 3), randomTensor([2, 4, 2], seed: 4)]) { matmul($0[0], $0[1]) })
        expectPasses(checkGradients([randomTensor([2, 3, 4], seed: 5), randomTensor([4, 2], seed: 6)]) { matmul($0[0], $0[1]) })
    }

    @Test func linearOverBatchAndSequence() {
        let inputs = [randomTensor([2, 3, 4], seed: 7), randomTensor([5, 4], seed: 8), randomTensor([5], seed: 9)]
        expectPasses(checkGradients(inputs) { linear($0[0], weight: $0[1], bias: $0[2]) })
        expectPasses(checkGradients(Array(inputs.prefix(2))) { linear($0[0], weight: $0[1], bias: nil) })
    }

    @Test func elementwiseSameShapeAndBroadcast() {
        let a = randomTensor([2, 3, 4], seed: 10), b = randomTensor([2, 3, 4], seed: 11)
        let bias = randomTensor([4], seed: 12), table = randomTensor([3, 4], seed: 13)
        expectPasses(checkGradients([a, b]) { $0[0] + $0[1] })
        expectPasses(checkGradients([a, b]) { $0[0] - $0[1] })
        expectPasses(checkGradients([a, b]) { $0[0] * $0[1] })
        expectPasses(checkGradients([a, bias]) { $0[0] + $0[1] })
        expectPasses(checkGradients([bias, a]) { $0[0] - $0[1] })
        expectPasses(checkGradients([a, table]) { $0[0] * $0[1] })
        expectPasses(checkGradients([a]) { $0[0].scaled(by: -1.7) })
        expectPasses(checkGradients([a]) { $0[0].shifted(by: 0.3) })
    }

    @Test func activations() {
        let x = randomTensorAvoidingZero([3, 5], seed: 14)
        expectPasses(checkGradients([x]) { $0[0].relu() })
        expectPasses(checkGradients([randomTensor([3, 5], seed: 15, scale: 3)]) { $0[0].gelu() })
        expectPasses(checkGradients([x]) { $0[0].exp() })
        let positive = Tensor(shape: [3, 5], scalars: x.scalars.map { abs($0) + 0.5 })
        expectPasses(checkGradients([positive]) { $0[0].log() })
    }

    @Test func convolutionWithStrideAndPaddingIncludingImageGradient() {
        let image = randomTensor([2, 3, 7, 7], seed: 16)
        let weight = randomTensor([4, 3, 3, 3], seed: 17, scale: 0.5)
        let bias = randomTensor([4], seed: 18)
        expectPasses(checkGradients([image, weight, bias]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) })
        expectPasses(checkGradients([image, weight]) { conv2d($0[0], weight: $0[1], bias: nil, stride: 1, padding: 0) })
        // Image gradient alone (PGD): weights are constants.
        let report = checkGradients([image]) { conv2d($0[0], weight: Variable(weight), bias: Variable(bias), stride: 2, padding: 1) }
        expectPasses(report)
    }

    @Test func pools() {
        let x = randomTensor([2, 3, 6, 6], seed: 19)
        expectPasses(checkGradients([x], epsilon: 1e-3) { $0[0].maxPool2d(kernel: 2) })
        expectPasses(checkGradients([x]) { $0[0].avgPool2d(kernel: 3, stride: 2) })
        expectPasses(checkGradients([x]) { $0[0].globalAveragePool() })
    }

    @Test func embeddingScatterAdd() {
        let table = randomTensor([6, 4], seed: 20)
        let indices: [Int32] = [0, 3, 3, 5, 1, 3]
        expectPasses(checkGradients([table]) { embedding($0[0], indices: indices, indexShape: [2, 3]) })
    }

    @Test func layerNormWithAffine() {
        let inputs = [randomTensor([2, 3, 6], seed: 21, scale: 2), randomTensor([6], seed: 22), randomTensor([6], seed: 23)]
        expectPasses(checkGradients(inputs, epsilon: 3e-3) { $0[0].layerNorm(gamma: $0[1], beta: $0[2]) })
    }

    @Test func softmaxFamilyAndL2Normalise() {
        let x = randomTensor([3, 5], seed: 24, scale: 2)
        expectPasses(checkGradients([x]) { $0[0].softmax() })
        expectPasses(checkGradients([x]) { $0[0].logSoftmax() })
        expectPasses(checkGradients([x]) { $0[0].l2Normalized() })
    }

    @Test func attentionWithKeyPaddingMask() {
        let q = randomTensor([2, 3, 8], seed: 25), k = randomTensor([2, 5, 8], seed: 26), v = randomTensor([2, 5, 8], seed: 27)
        let mask = [false, false, true, false, true,
                    false, true, true, true, true]
        expectPasses(checkGradients([q, k, v]) { multiHeadAttention(query: $0[0], key: $0[1], value: $0[2], heads: 2, keyPaddingMask: mask) })
        expectPasses(checkGradients([q, q]) { multiHeadAttention(query: $0[0], key: $0[1], value: $0[1], heads: 4) })
    }

    @Test func attentionModuleSelfAndCross() {
        var parameters = ParameterSet(seed: 3)
        let attention = MultiHeadAttention("attn", width: 8, heads: 2, parameters: &parameters)
        let x = randomTensor([2, 4, 8], seed: 28), context = randomTensor([2, 3, 8], seed: 29)
        let pass = ForwardPass(parameters: parameters)
        expectPasses(checkGradients([x, context]) { attention($0[0], context: $0[1], keyPaddingMask: [false, true, false, false, false, true], pass) })
    }

    @Test func shapeOperations() {
        let x = randomTensor([2, 3, 4], seed: 30), y = randomTensor([2, 2, 4], seed: 31)
        expectPasses(checkGradients([x]) { $0[0].reshaped([6, 4]) * $0[0].reshaped([6, 4]) })
        expectPasses(checkGradients([x]) { $0[0].transposed(1, 2) * Variable(randomTensor([2, 4, 3], seed: 32)) })
        expectPasses(checkGradients([x]) { $0[0].permuted([2, 0, 1]) * Variable(randomTensor([4, 2, 3], seed: 33)) })
        expectPasses(checkGradients([x, y]) { concatenate([$0[0], $0[1], $0[0]], alongDimension: 1) })
        expectPasses(checkGradients([x]) { $0[0].slice(1..<3, alongDimension: 1) })
        expectPasses(checkGradients([x]) { $0[0].slice(0..<2, alongDimension: 2) })
    }

    @Test func reductions() {
        let x = randomTensor([2, 3, 4], seed: 34)
        expectPasses(checkGradients([x]) { $0[0].sum() })
        expectPasses(checkGradients([x]) { $0[0].mean() })
        expectPasses(checkGradients([x]) { $0[0].sum(alongDimension: 1) })
        expectPasses(checkGradients([x]) { $0[0].mean(alongDimension: 0) })
    }

    @Test func crossEntropyWithIgnoredTargets() {
        let logits = randomTensor([5, 4], seed: 35, scale: 2)
        let targets: [Int32] = [0, 3, -1, 2, 1]
        expectPasses(checkGradients([logits]) { crossEntropy(logits: $0[0], targets: targets) })
        let all = checkGradients([logits]) { crossEntropy(logits: $0[0], targets: [1, 1, 0, 3, 2], ignoreIndex: nil) }
        expectPasses(all)
    }

    @Test func divergencesInBothArguments() {
        let p = randomTensor([3, 5], seed: 36, scale: 2), q = randomTensor([3, 5], seed: 37, scale: 2)
        expectPasses(checkGradients([p, q], absoluteTolerance: 5e-4) { klDivergence(logitsP: $0[0], logitsQ: $0[1]) })
        expectPasses(checkGradients([p, q], absoluteTolerance: 5e-4) { jensenShannonDivergence(logitsP: $0[0], logitsQ: $0[1]) })
    }

    @Test func transformerBlockEndToEnd() {
        var parameters = ParameterSet(seed: 4)
        let block = TransformerBlock("block", width: 8, heads: 2, mlpRatio: 2, parameters: &parameters)
        let pass = ForwardPass(parameters: parameters)
        let x = randomTensor([2, 3, 8], seed: 38)
        expectPasses(checkGradients([x], epsilon: 3e-3) { block($0[0], keyPaddingMask: [false, false, true, false, false, false], pass) })
    }
}
