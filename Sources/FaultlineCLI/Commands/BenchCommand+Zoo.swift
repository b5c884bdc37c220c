import FaultlineCore
import FaultlineTensor
import FaultlineZoo
import Foundation

/// The zoo part of `bench`: a training step (forward, backward, AdamW; answer, cell and
/// contrastive losses, as `ZooTrainer` takes them) and an inference batch
/// of a zoo model in Faultline's tensor engine and in PyTorch on the CPU
/// (`Benchmarks/peers/zoo_torch_peer.py`, the same network), with the same threads, batch
/// size and input shapes, in the same run; then the model's text reader the same way
/// (`BenchCommand+Reader.swift`).
extension BenchCommand {
    struct ZooFigure: Codable {
        /// Which of a zoo model's networks: "answer network" or "text reader".
        var network: String
        var name: String
        var parameters: Int
        var trainMillisecondsPerStep: Double
        var inferenceMillisecondsPerBatch: Double
    }

    func zooFigures() throws -> [ZooFigure] {
        let (configuration, _) = try ZooCatalog.configuration(zooConfig)
        let data = configuration.data, architecture = configuration.architecture
        let batchSize = zooBatch
        let threads = zooThreads
        ComputeThreads.set(threads)
        let answers = AnswerVocabulary.standard
        let tokenizer = QuestionTokenizer.standard()
        var checkpoint = ZooCheckpoint(configuration: configuration, answers: answers, tokenizer: tokenizer)
        let network = checkpoint.network
        print("Zoo: \(configuration.name) (\(checkpoint.parameters.scalarCount) parameters), batch \(batchSize), \(threads) threads, \(zooSteps) steps")

        // Random inputs of the shapes training sees; half of each question is padding.
        var generator = SeededGenerator(seed: seed)
        let length = data.maxQuestionTokens
        let images = Tensor.uniform([batchSize, 3, data.imageSize, data.imageSize], low: -1, high: 1, generator: &generator)
        func ids() -> [Int32] {
            var ids: [Int32] = []
            for _ in 0..<batchSize * length { ids.append(Int32(2 + Int(generator.next() % UInt64(tokenizer.count - 2)))) }
            return ids
        }
        let questionIDs = ids(), captionIDs = ids()
        let mask: [Float] = (0..<batchSize * length).map { index in index % length < length / 2 ? 1 : 0 }
        var targets: [Int32] = []
        for _ in 0..<batchSize { targets.append(Int32(generator.next() % UInt64(answers.count))) }
        // Cell targets as training has them: a few cells with an object, the rest ignored.
        let cells = network.imageTokenCount
        var cellShapes = [Int32](repeating: SceneCells.empty, count: batchSize * cells)
        var cellColours = cellShapes
        for index in stride(from: 0, to: cellShapes.count, by: 16) {
            cellShapes[index] = Int32(generator.next() % UInt64(SceneCells.shapeClasses))
            cellColours[index] = Int32(generator.next() % UInt64(SceneCells.colourClasses))
        }
        // Size and texture classes in the same cells (used only by networks with those heads),
        // as the PyTorch peer makes them.
        let cellSizes = cellShapes.map { $0 < 0 ? $0 : min($0, Int32(SceneCells.sizeClasses - 1)) }
        let cellTextures = cellShapes.map { $0 < 0 ? $0 : min($0, Int32(SceneCells.textureClasses - 1)) }
        // Words in the same cells and signs where the colour is 0 (networks with word heads), as the peer's.
        let wordCount = Int32(answers.wordIndices.count)
        let cellWords = architecture.cellWords ? cellShapes.map { $0 < 0 ? $0 : $0 * 7 % wordCount } : []
        let cellSigns = architecture.cellWords ? cellColours.map { $0 == 0 ? Int32(1) : 0 } : []
        // Random subjects, as the peer's (timing only).
        func namedObject() -> SceneCells.NamedObject {
            SceneCells.NamedObject(
                shape: Int32(generator.next() % UInt64(SceneCells.shapeClasses + 1)),
                colour: Int32(generator.next() % UInt64(SceneCells.colourClasses + 1)),
                size: Int32(generator.next() % UInt64(SceneCells.sizeClasses + 1)))
        }
        let subjects = (0..<batchSize).map { _ in SceneCells.QuestionObjects(subject: namedObject(), other: namedObject()) }
        var optimiser = AdamW(weightDecay: Float(configuration.training.weightDecay))
        let contrastiveWeight = Float(configuration.training.contrastiveWeight)

        func trainStep() {
            var gradients: [Tensor]
            do {
                let tape = Tape()
                let pass = ForwardPass(parameters: checkpoint.parameters, tape: tape)
                let tokens = network.imageTokens(pass.input(images), pass)
                let questions = network.questionEmbeddings(questionIDs, batch: batchSize, pass)
                let logits = network.answerLogits(imageTokens: tokens, questionEmbeddings: questions, questionMask: mask, pass)
                var loss = crossEntropy(logits: logits, targets: targets)
                    + network.cellLoss(
                        imageTokens: tokens, shapes: cellShapes, colours: cellColours, sizes: cellSizes,
                        textures: cellTextures, words: cellWords, signs: cellSigns, pass)
                if network.readsAttributes {
                    loss = loss + network.subjectLoss(
                        questionEmbeddings: questions, questionMask: mask, targets: subjects, pass)
                }
                if contrastiveWeight > 0 {
                    let contrastive = network.contrastiveLoss(
                        imageEmbeddings: network.imageEmbeddings(imageTokens: tokens, pass),
                        captionEmbeddings: network.captionEmbeddings(captionIDs, mask: mask, pass))
                    loss = loss + contrastive.scaled(by: contrastiveWeight)
                }
                tape.backward(from: loss)
                gradients = pass.parameterGradients()
            }
            optimiser.step(&checkpoint.parameters, gradients: gradients, learningRate: 1e-3)
        }
        func inferenceBatch() {
            let pass = ForwardPass(parameters: checkpoint.parameters)
            _ = network.answerLogits(images: Variable(images), questionIDs: questionIDs, questionMask: mask, pass).softmax()
        }
        for _ in 0..<3 {
            trainStep()
            inferenceBatch()
        }
        var start = Date()
        for _ in 0..<zooSteps { trainStep() }
        let train = 1000 * Date().timeIntervalSince(start) / Double(zooSteps)
        start = Date()
        for _ in 0..<zooSteps { inferenceBatch() }
        let inference = 1000 * Date().timeIntervalSince(start) / Double(zooSteps)
        let faultline = ZooFigure(
            network: "answer network", name: Self.engineName, parameters: checkpoint.parameters.scalarCount,
            trainMillisecondsPerStep: train, inferenceMillisecondsPerBatch: inference)
        show(faultline)

        let channels = architecture.imageChannels.map(String.init).joined(separator: ",")
        let textChannels = architecture.textChannels.map(String.init).joined(separator: ",")
        let sizes: [(String, Int)] = [
            ("--batch", batchSize), ("--image", data.imageSize), ("--width", architecture.width),
            ("--heads", architecture.heads), ("--layers", architecture.fusionLayers), ("--tokens", length),
            ("--caption-tokens", length), ("--vocabulary", tokenizer.count), ("--answers", answers.count),
            ("--embedding", architecture.embeddingDimension), ("--steps", zooSteps), ("--threads", threads),
            ("--readout-hops", architecture.readoutHops), ("--fusion-hidden", architecture.fusionHidden),
            ("--cell-size-texture", architecture.cellSizeAndTexture ? 1 : 0),
            ("--downsample-first", architecture.downsampleFirst ? 1 : 0), ("--match-heads", architecture.matchHeads),
            ("--attribute-summary", architecture.attributeSummary ? 1 : 0), ("--object-pairs", architecture.objectPairs ? 1 : 0),
            ("--cell-words", architecture.cellWords ? answers.wordIndices.count : 0),
            ("--spelled-words", architecture.spelledWords ? 1 : 0),
        ]
        var arguments = [
            "--channels", channels, "--text-channels", textChannels,
            "--contrastive-weight", String(configuration.training.contrastiveWeight),
        ]
        for (flag, value) in sizes { arguments += [flag, String(value)] }
        var figures = [faultline]
        figures += try pytorchFigures(script: "Benchmarks/peers/zoo_torch_peer.py", arguments: arguments, against: faultline)
        if let reader = configuration.reader {
            figures += try readerFigures(configuration: configuration, settings: reader, answers: answers)
        }
        return figures
    }

    /// How the engine's figures are named: with the OpenBLAS kernels it ran.
    static var engineName: String {
        "Faultline tensor engine (Swift, OpenBLAS \(BLASKernels.coreName)\(BLASKernels.chosenByEnvironment ? " by \(BLASKernels.coreTypeVariable)" : ""))"
    }

    /// The same network in PyTorch (`script` with `arguments`), timed in this run and compared
    /// with `faultline`; nothing when the peer is not installed.
    func pytorchFigures(script: String, arguments: [String], against faultline: ZooFigure) throws -> [ZooFigure] {
        let python = peerPython ?? FaultlineHome.directory.appendingPathComponent("peers/venv/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else {
            print("PyTorch peer: not measured (no \(python) or \(script); `make bench` installs it)")
            return []
        }
        struct PeerResult: Decodable {
            var parameters: Int
            var trainMillisecondsPerStep: Double
            var inferenceMillisecondsPerBatch: Double
            var torch: String
        }
        func runPeer(name: String, environment: [String: String]) throws -> ZooFigure {
            let peer = try JSONDecoder().decode(
                PeerResult.self, from: Data(try Self.runProcess(python, [script] + arguments, environment: environment).utf8))
            let figure = ZooFigure(
                network: faultline.network, name: name.replacingOccurrences(of: "VERSION", with: peer.torch),
                parameters: peer.parameters,
                trainMillisecondsPerStep: peer.trainMillisecondsPerStep,
                inferenceMillisecondsPerBatch: peer.inferenceMillisecondsPerBatch)
            show(figure)
            print(String(
                format: "  → Faultline: training %.2f× this PyTorch's speed, inference %.2f×",
                figure.trainMillisecondsPerStep / faultline.trainMillisecondsPerStep,
                figure.inferenceMillisecondsPerBatch / faultline.inferenceMillisecondsPerBatch))
            return figure
        }
        var figures = [try runPeer(name: "PyTorch VERSION (CPU)", environment: [:])]
        // PyTorch's MKL and oneDNN use AVX-512 where the CPU has it; when OpenBLAS runs its
        // AVX2 (Haswell) kernels, the same network is also timed with PyTorch held to AVX2,
        // so the ratio separates the engine from the instruction set.
        if BLASKernels.coreName == "Haswell" {
            figures.append(try runPeer(
                name: "PyTorch VERSION (CPU, AVX2 only)",
                environment: ["ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"]))
        }
        return figures
    }

    func show(_ figure: ZooFigure) {
        let name = figure.name.padding(toLength: 70, withPad: " ", startingAt: 0)
        print(name + String(
            format: "%8.1f ms/training step  %8.1f ms/inference batch  (%d parameters)", figure.trainMillisecondsPerStep,
            figure.inferenceMillisecondsPerBatch, figure.parameters))
    }
}
