import FaultlineCore
import FaultlineScenes
import FaultlineTensor
import Foundation
import Testing

@testable import FaultlineZoo

/// Checks of the committed weights themselves: what a regression in the architecture or a
/// retraining must not lose.
@Suite("Shipped zoo models")
struct ShippedZooTests {
    /// The shape words a counting question can name, in `Shape.allCases` order.
    static let pluralShapes = Shape.allCases.map(ReferringExpression.plural(of:))

    @Test("the clean references' answer to \"how many X are there?\" follows X", arguments: ["reference-a", "reference-b"])
    func countingFollowsTheNamedShape(name: String) throws {
        let url = try #require(ZooCatalog.weightsURL(named: name))
        let checkpoint = try ZooCheckpoint.load(from: url)
        let dataset = try ZooDataset(configuration: checkpoint.configuration)
        let length = checkpoint.configuration.data.maxQuestionTokens
        var examples: [ZooExample] = []
        var index = 0
        while examples.count < 24, index < 1_000 {
            let example = try dataset.example(.heldOut, index: index)
            if example.templateID == "counting.shape" { examples.append(example) }
            index += 1
        }
        try #require(examples.count == 24)
        // Each image asked about every shape: with the shape it holds most of, and with one
        // it lacks, the answers must differ in most images (the models this replaced gave
        // the same answer whatever shape was named).
        var differing = 0, right = 0, asked = 0
        for example in examples {
            let counts = Shape.allCases.map { shape in example.scene.objects.filter { $0.shape == shape }.count }
            var answers: [String] = []
            for (shape, plural) in Self.pluralShapes.enumerated() {
                let text = "How many \(plural) are there?\nAnswer with a number."
                let encoding = checkpoint.tokenizer.encode(text, length: length)
                let batch = ZooBatch([example], imageSize: checkpoint.configuration.data.imageSize)
                let pass = ForwardPass(parameters: checkpoint.parameters)
                let logits = checkpoint.network.answerLogits(
                    images: Variable(batch.images), questionIDs: encoding.ids, questionMask: encoding.mask, pass).value.scalars
                let best = logits.indices.max { logits[$0] < logits[$1] }!
                answers.append(checkpoint.answers.answers[best])
                asked += 1
                if answers.last == String(counts[shape]) { right += 1 }
            }
            if Set(answers).count > 1 { differing += 1 }
        }
        #expect(differing >= 18, "\(name): the answer changed with the shape named in \(differing) of 24 images")
        // The constant answer "0" (most shapes are absent from a scene) would be right in
        // about 60% of these questions; reading the image must do better.
        let zeros = examples.flatMap { example in
            Shape.allCases.map { shape in example.scene.objects.contains { $0.shape == shape } ? 0 : 1 }
        }.reduce(0, +)
        #expect(right > zeros, "\(name): \(right) of \(asked) right; answering 0 throughout gives \(zeros)")
    }
}
