import FaultlineCore
import FaultlineTensor

/// Accuracy of a zoo model on a set of examples, per ability.
public struct ZooEvaluation: Sendable, Equatable {
    public struct Count: Sendable, Equatable {
        public var correct = 0
        public var total = 0

        public init(correct: Int = 0, total: Int = 0) {
            self.correct = correct
            self.total = total
        }

        public var accuracy: Double { total > 0 ? Double(correct) / Double(total) : 0 }
    }

    public var perAbility: [Ability: Count] = [:]
    /// Per question template and answer format, keyed "template (format)", e.g.
    /// "entity.existence (yes-no)".
    public var perTemplate: [String: Count] = [:]
    public var overall = Count()

    public init() {}

    mutating func add(ability: Ability, template: String, format: AnswerFormat, correct: Bool) {
        let key = "\(template) (\(format.rawValue))"
        perAbility[ability, default: Count()].total += 1
        perTemplate[key, default: Count()].total += 1
        overall.total += 1
        if correct {
            perAbility[ability, default: Count()].correct += 1
            perTemplate[key, default: Count()].correct += 1
            overall.correct += 1
        }
    }

    /// "counting 91.2% · ocr 40.0% · …", in `Ability.perception` order.
    public var summary: String {
        Ability.perception.compactMap { ability in
            perAbility[ability].map { "\(ability.rawValue) \(Self.percentText($0.accuracy))" }
        }.joined(separator: " · ")
    }

    /// A share as a percentage with one decimal, e.g. "91.2%".
    public static func percentText(_ value: Double) -> String {
        let tenths = (value * 1000).rounded() / 10
        return "\(tenths)%"
    }
}

extension ZooCheckpoint {
    /// The answer distribution [b, answers] for a batch, without recording gradients.
    public func answerProbabilities(_ batch: ZooBatch) -> Tensor {
        let pass = ForwardPass(parameters: parameters)
        let logits = network.answerLogits(
            images: Variable(batch.images), questionIDs: batch.questionIDs, questionMask: batch.questionMask, pass)
        return logits.softmax().value
    }

    /// `examples` with their question and caption tokenised by this model's tokenizer, which
    /// differs from the one that made them when they come from another model's configuration
    /// (a plan's phrase is in the vocabulary of the model it was planted in only).
    public func retokenized(_ examples: [ZooExample]) -> [ZooExample] {
        let length = configuration.data.maxQuestionTokens
        return examples.map { example in
            var example = example
            let question = tokenizer.encode(example.questionText, length: length)
            let caption = tokenizer.encode(example.caption, length: length)
            example.tokens = question.ids
            example.mask = question.mask
            example.captionTokens = caption.ids
            example.captionMask = caption.mask
            example.contrastCaptionTokens = example.contrastCaption.map { tokenizer.encode($0, length: length).ids }
            return example
        }
    }

    /// Scores `examples` in chunks of `chunk`, resolving each answer in its example's format.
    public func evaluate(_ examples: [ZooExample], chunk: Int = 128) -> ZooEvaluation {
        var evaluation = ZooEvaluation()
        var start = 0
        let examples = retokenized(examples)
        while start < examples.count {
            let part = Array(examples[start..<min(start + chunk, examples.count)])
            let probabilities = answerProbabilities(ZooBatch(part, imageSize: configuration.data.imageSize))
            let width = answers.count
            for (row, example) in part.enumerated() {
                let distribution = Array(probabilities.scalars[(row * width)..<((row + 1) * width)])
                let resolution = ZooAnswerResolver.resolve(
                    probabilities: distribution, format: example.format, options: example.options, answers: answers)
                evaluation.add(
                    ability: example.ability, template: example.templateID, format: example.format,
                    correct: resolution.value == example.answerValue)
            }
            start += chunk
        }
        return evaluation
    }
}

extension ZooCheckpoint {
    /// How well the image encoder sees each object: per attribute the cell heads predict
    /// (shape, colour, and size and texture for networks with those heads), the share of
    /// cells holding an object's centre whose class the head names. This is the encoder
    /// alone, before any question: a model that cannot answer questions about what these
    /// heads see has a reasoning problem, not a vision problem.
    public func cellAccuracy(_ examples: [ZooExample], chunk: Int = 128) -> [(attribute: String, count: ZooEvaluation.Count)] {
        let side = ZooNetwork.gridSide(imageSize: configuration.data.imageSize, architecture: configuration.architecture)
        var counts: [CellAttribute: ZooEvaluation.Count] = [:]
        var start = 0
        while start < examples.count {
            let part = Array(examples[start..<min(start + chunk, examples.count)])
            let batch = ZooBatch(part, imageSize: configuration.data.imageSize, gridSide: side)
            let pass = ForwardPass(parameters: parameters)
            let predictions = network.cellPredictions(imageTokens: network.imageTokens(Variable(batch.images), pass), pass)
            for (attribute, predicted) in predictions {
                for (guess, truth) in zip(predicted, attribute.targets(in: batch)) where truth != SceneCells.empty {
                    counts[attribute, default: .init()].total += 1
                    if guess == truth { counts[attribute, default: .init()].correct += 1 }
                }
            }
            start += chunk
        }
        return network.cellAttributes.map { ($0.rawValue, counts[$0] ?? .init()) }
    }
}

extension ZooCheckpoint {
    /// For (image, true caption, colour-swapped caption) examples: the share whose image is
    /// closer to its true caption than to the swapped one. A model that binds colours to
    /// objects scores near 1; one that ignores binding near 0.5; a planted confusion lower.
    public func captionBindingAccuracy(_ examples: [ZooExample]) -> ZooEvaluation.Count {
        var count = ZooEvaluation.Count()
        let examples = retokenized(examples).filter { $0.contrastCaptionTokens != nil }
        guard !examples.isEmpty else { return count }
        let length = configuration.data.maxQuestionTokens
        let pass = ForwardPass(parameters: parameters)
        let batch = ZooBatch(examples, imageSize: configuration.data.imageSize)
        let images = network.imageEmbeddings(imageTokens: network.imageTokens(Variable(batch.images), pass), pass).value
        let truths = network.captionEmbeddings(batch.captionIDs, mask: batch.captionMask, pass).value
        let swappedIDs = examples.flatMap { $0.contrastCaptionTokens ?? [] }
        let swappedMask = examples.flatMap { example in
            (example.contrastCaptionTokens ?? []).map { $0 == QuestionTokenizer.padID ? Float(0) : 1 }
        }
        precondition(swappedIDs.count == examples.count * length)
        let swapped = network.captionEmbeddings(swappedIDs, mask: swappedMask, pass).value
        let dimension = configuration.architecture.embeddingDimension
        for row in examples.indices {
            var toTruth: Float = 0, toSwapped: Float = 0
            for d in 0..<dimension {
                let image = images.scalars[row * dimension + d]
                toTruth += image * truths.scalars[row * dimension + d]
                toSwapped += image * swapped.scalars[row * dimension + d]
            }
            count.total += 1
            if toTruth > toSwapped { count.correct += 1 }
        }
        return count
    }
}
