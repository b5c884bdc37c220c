import FaultlineCore
import FaultlineTensor
import FaultlineZoo
import Foundation

/// The text reader's part of `bench --part zoo`: a reader training step (the centre and
/// letter losses, backward, AdamW, as `ZooReaderTrainer` takes it) and an inference batch
/// (the feature map, every pixel's centre probabilities and the word distributions at
/// `ZooReader.maximumCandidates` places per image, as `ZooReader.read` computes them) in
/// Faultline's tensor engine and in PyTorch (`Benchmarks/peers/reader_torch_peer.py`, the
/// same network), with the reader's own batch size and the zoo part's threads.
extension BenchCommand {
    func readerFigures(
        configuration: ZooConfiguration, settings: ZooReaderSettings, answers: AnswerVocabulary
    ) throws -> [ZooFigure] {
        let batchSize = settings.batchSize, side = settings.featureSide
        var trainer = try ZooReaderTrainer(configuration: configuration, answers: answers)
        let reader = trainer.checkpoint.reader
        let wordCount = reader.wordCount
        print("Zoo reader: \(configuration.name) (\(trainer.checkpoint.parameters.scalarCount) parameters), batch \(batchSize), \(settings.readSize) px, \(zooThreads) threads, \(zooSteps) steps")

        // Random images and targets of the shapes training sees: a few word centres per
        // image among pixels of no text, as the peer's.
        var generator = SeededGenerator(seed: seed ^ 0x7265_6164)
        func below(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
        let images = Tensor.uniform([batchSize, 3, settings.readSize, settings.readSize], low: -1, high: 1, generator: &generator)
        var centres = [Int32](repeating: ZooReader.TextClass.nothing.rawValue, count: batchSize * side * side)
        var words: [(location: ZooReader.Location, word: Int32)] = []
        for image in 0..<batchSize {
            for _ in 0..<Self.readerWordsPerImage {
                let location = ZooReader.Location(image: image, row: below(side), column: below(side))
                centres[(image * side + location.row) * side + location.column] = Int32(1 + below(2))
                words.append((location, Int32(below(wordCount))))
            }
        }
        let batch = ZooReaderBatch(images: images, centres: centres, words: words)
        let places = (0..<batchSize).flatMap { image in
            (0..<ZooReader.maximumCandidates).map { _ in ZooReader.Location(image: image, row: below(side), column: below(side)) }
        }

        func inferenceBatch() {
            let pass = ForwardPass(parameters: trainer.checkpoint.parameters)
            let features = reader.featureMap(Variable(images), pass)
            _ = reader.centreLogits(features, pass).softmax()
            _ = reader.wordLogits(features, at: places, pass).softmax()
        }
        for _ in 0..<3 {
            _ = trainer.step(batch)
            inferenceBatch()
        }
        var start = Date()
        for _ in 0..<zooSteps { _ = trainer.step(batch) }
        let train = 1000 * Date().timeIntervalSince(start) / Double(zooSteps)
        start = Date()
        for _ in 0..<zooSteps { inferenceBatch() }
        let inference = 1000 * Date().timeIntervalSince(start) / Double(zooSteps)
        let faultline = ZooFigure(
            network: "text reader", name: Self.engineName, parameters: trainer.checkpoint.parameters.scalarCount,
            trainMillisecondsPerStep: train, inferenceMillisecondsPerBatch: inference)
        show(faultline)

        let window = settings.windowFeatures
        let sizes: [(String, Int)] = [
            ("--batch", batchSize), ("--image", settings.readSize), ("--width", settings.width),
            ("--window-rows", window.rows), ("--window-columns", window.columns), ("--words", wordCount),
            ("--words-per-image", Self.readerWordsPerImage), ("--places", ZooReader.maximumCandidates),
            ("--letters", settings.letters ? 1 : 0), ("--steps", zooSteps), ("--threads", zooThreads),
        ]
        var arguments = ["--channels", settings.channels.map(String.init).joined(separator: ",")]
        for (flag, value) in sizes { arguments += [flag, String(value)] }
        return [faultline]
            + (try pytorchFigures(script: "Benchmarks/peers/reader_torch_peer.py", arguments: arguments, against: faultline))
    }

    /// Words marked per training image: about what a scene of a few labelled objects and a sign holds.
    static let readerWordsPerImage = 4
}
