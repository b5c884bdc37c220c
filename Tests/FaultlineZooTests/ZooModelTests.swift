import FaultlineCore
import FaultlineScenes
import FaultlineTensor
import Foundation
import Testing

@testable import FaultlineZoo

/// A small, fast configuration: 32 px images, a narrow network.
private func tinyConfiguration(
    name: String = "tiny", seed: UInt64 = 5, abilities: [Ability] = Ability.perception, plants: [PlantPlan] = [],
    steps: Int = 4
) -> ZooConfiguration {
    ZooConfiguration(
        name: name, seed: seed,
        data: ZooDataSettings(imageSize: 32, renderSize: 64, abilities: abilities, maxQuestionTokens: 16),
        architecture: ZooArchitectureSettings(imageChannels: [8, 16, 32], width: 32, heads: 2, fusionLayers: 1, embeddingDimension: 16),
        training: ZooTrainingSettings(
            steps: steps, batchSize: 32, learningRate: 0.003, weightDecay: 0.01, warmupSteps: 2, checkpointEvery: steps,
            heldOutCount: 64, contrastiveWeight: 0.2, threads: 2),
        plants: plants)
}

extension ZooArchitectureSettings {
    /// The cell heads, attribute tables and object pairs the word options build on.
    fileprivate mutating func readsObjectPairs() {
        cellSizeAndTexture = true
        attributeSummary = true
        objectPairs = true
    }
}

private func scratchURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("faultline-zoo-\(UUID().uuidString)/\(name)")
}

@Suite("Zoo checkpoints")
struct ZooCheckpointTests {
    @Test("save then load gives the same bits, vocabularies, step and metrics")
    func roundTrip() throws {
        var trainer = try ZooTrainer(configuration: tinyConfiguration())
        _ = trainer.step(try trainer.batch(atStep: 0, threads: 2))
        var checkpoint = trainer.checkpoint
        checkpoint.metrics = ["heldOut.accuracy": "0.5000"]
        let url = scratchURL("tiny.safetensors")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try checkpoint.save(to: url)
        let loaded = try ZooCheckpoint.load(from: url)
        #expect(loaded.parameters.names == checkpoint.parameters.names)
        for (a, b) in zip(loaded.parameters.tensors, checkpoint.parameters.tensors) {
            #expect(a.shape == b.shape)
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
        #expect(loaded.answers == checkpoint.answers)
        #expect(loaded.tokenizer == checkpoint.tokenizer)
        #expect(loaded.configuration == checkpoint.configuration)
        #expect(loaded.step == 1)
        #expect(loaded.metrics == ["heldOut.accuracy": "0.5000"])
    }

    @Test("a truncated file, a foreign safetensors file and weights of another shape each say what is wrong")
    func badFiles() throws {
        let checkpoint = ZooCheckpoint(
            configuration: tinyConfiguration(), answers: .standard, tokenizer: .standard())
        let url = scratchURL("good.safetensors")
        let directory = url.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        try checkpoint.save(to: url)
        let bytes = try Data(contentsOf: url)

        let truncated = directory.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        #expect(throws: ZooCheckpointError.self) { try ZooCheckpoint.load(from: truncated) }
        do {
            _ = try ZooCheckpoint.load(from: truncated)
        } catch {
            #expect(error.path == truncated.path)
        }

        let foreign = directory.appendingPathComponent("foreign.safetensors")
        try SafeTensors.write(SafeTensorsFile(tensors: [("w", Tensor.zeros([2]))], metadata: [:]), to: foreign)
        do {
            _ = try ZooCheckpoint.load(from: foreign)
            Issue.record("a file without zoo metadata loaded")
        } catch {
            #expect(error.problem.contains("not a Faultline zoo checkpoint"))
        }

        // The metadata of a wider model over the tensors of the tiny one.
        var file = try SafeTensors.read(from: url)
        var wider = tinyConfiguration()
        wider.architecture.width = 48
        file.metadata["faultline.zoo.configuration"] = wider.json()
        let mismatched = directory.appendingPathComponent("mismatched.safetensors")
        try SafeTensors.write(file, to: mismatched)
        do {
            _ = try ZooCheckpoint.load(from: mismatched)
            Issue.record("weights of another shape loaded")
        } catch {
            #expect(error.problem.contains("[") && error.problem.contains("tensor"), "\(error)")
        }
    }
}

@Suite("Zoo model as a backend")
struct ZooModelBackendTests {
    let model: ZooModel

    init() throws {
        var trainer = try ZooTrainer(configuration: tinyConfiguration())
        _ = trainer.step(try trainer.batch(atStep: 0, threads: 2))
        model = ZooModel(key: "zoo:tiny", checkpoint: trainer.checkpoint, weightsDigest: "test")
    }

    private func probe(_ format: AnswerFormat, choices: [String]? = nil, images: Int = 1) -> Probe {
        Probe(
            id: "p-\(format.rawValue)", images: Array(repeating: ImageRef(sha256: "x", width: 64, height: 64), count: images),
            prompt: "What colour is the star?\nA. red\nB. blue\nAnswer with the letter.",
            expected: ExpectedAnswer(text: "A", format: format, choices: choices), ability: .attribute,
            lineage: Lineage(source: "test", seed: 0))
    }

    @Test("multiple choice gives a letter and a distribution over the options; yes/no over yes and no")
    func answers() async throws {
        let image = RasterImage(width: 64, height: 64, channels: 3, fill: 180)
        let choice = try await model.answer(ModelRequest(
            probe: probe(.multipleChoice, choices: ["red", "blue"]), images: [image], parameters: DecodingParameters()))
        #expect(["A", "B"].contains(choice.text))
        let distribution = try #require(choice.choiceProbabilities)
        #expect(Set(distribution.keys) == ["A", "B"])
        #expect(abs(distribution.values.reduce(0, +) - 1) < 1e-6)
        #expect(distribution[choice.text] == distribution.values.max())

        let yesNo = try await model.answer(ModelRequest(probe: probe(.yesNo), images: [image], parameters: DecodingParameters()))
        #expect(["yes", "no"].contains(yesNo.text))
        #expect(Set(yesNo.choiceProbabilities?.keys.map { $0 } ?? []) == ["yes", "no"])

        let number = try await model.answer(ModelRequest(probe: probe(.number), images: [image], parameters: DecodingParameters()))
        #expect(Int(number.text) != nil)
    }

    @Test("boxes, text-only and two-image probes are declined with a reason")
    func declines() async throws {
        #expect(!model.canAnswer(probe(.box)))
        #expect(!model.canAnswer(probe(.yesNo, images: 0)))
        #expect(!model.canAnswer(probe(.yesNo, images: 2)))
        await #expect(throws: ZooInferenceError.self) {
            try await model.answer(ModelRequest(probe: probe(.box), images: [RasterImage(width: 8, height: 8, channels: 3, fill: 0)], parameters: DecodingParameters()))
        }
    }

    @Test("embeddings are unit vectors of the configured dimension, the same for the same input")
    func embeddings() async throws {
        let texts = try await model.embed(texts: ["a red star on grass", "a table of names", "a red star on grass"])
        #expect(texts.count == 3 && texts.allSatisfy { $0.count == model.dimension })
        for vector in texts { #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4) }
        // The same text in another row of the batch: equal up to BLAS's blocking.
        #expect(zip(texts[0], texts[2]).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(texts[0] != texts[1])
        let images = try await model.embed(images: [
            RasterImage(width: 40, height: 40, channels: 3, fill: 20), RasterImage(width: 100, height: 80, channels: 4, fill: 240),
        ])
        #expect(images.count == 2 && images.allSatisfy { $0.count == model.dimension })
    }
}

@Suite("Answer resolution")
struct ZooAnswerResolverTests {
    @Test("the format narrows the candidates and multiple choice renormalises over the options")
    func resolve() {
        let answers = AnswerVocabulary.standard
        var probabilities = [Float](repeating: 0, count: answers.count)
        let red = answers.index(of: "red")!, blue = answers.index(of: "blue")!, seven = answers.index(of: "7")!
        let yes = answers.index(of: "yes")!, no = answers.index(of: "no")!
        probabilities[red] = 0.1; probabilities[blue] = 0.3; probabilities[seven] = 0.05
        probabilities[yes] = 0.02; probabilities[no] = 0.08
        let choice = ZooAnswerResolver.resolve(probabilities: probabilities, format: .multipleChoice, options: ["red", "blue"], answers: answers)
        #expect(choice.text == "B" && choice.value == "blue")
        #expect(abs((choice.choiceProbabilities?["A"] ?? 0) - 0.25) < 1e-6)
        #expect(abs((choice.choiceProbabilities?["B"] ?? 0) - 0.75) < 1e-6)
        let yesNo = ZooAnswerResolver.resolve(probabilities: probabilities, format: .yesNo, options: nil, answers: answers)
        #expect(yesNo.text == "no")
        #expect(abs((yesNo.choiceProbabilities?["no"] ?? 0) - 0.8) < 1e-6)
        #expect(ZooAnswerResolver.resolve(probabilities: probabilities, format: .number, options: nil, answers: answers).text == "7")
        #expect(ZooAnswerResolver.resolve(probabilities: probabilities, format: .freeText, options: nil, answers: answers).text == "blue")
    }
}

@Suite("Zoo training")
struct ZooTrainingTests {
    @Test("readout hops and the fusion hidden layer add their parameters, and training moves every one of them")
    func readoutAndFusionHidden() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.readoutHops = 2
        configuration.architecture.fusionHidden = 64
        var trainer = try ZooTrainer(configuration: configuration)
        let names = trainer.checkpoint.parameters.names
        for name in ["answer.readout1.query.weight", "answer.readout2.output.bias", "answer.readout2.norm.weight", "fusion.expand.weight"] {
            #expect(names.contains(name), "\(name) missing from \(names)")
        }
        let plain = ZooCheckpoint(configuration: tinyConfiguration(), answers: .standard, tokenizer: .standard())
        #expect(!plain.parameters.names.contains { $0.hasPrefix("answer.readout") || $0 == "fusion.expand.weight" })
        #expect(trainer.checkpoint.parameters["fusion.scale.weight"]?.shape == [64, 32])
        #expect(trainer.checkpoint.parameters["answer.hidden.weight"]?.shape == [32, 4 * 32])

        let before = trainer.checkpoint.parameters
        for step in 0..<2 { _ = trainer.step(try trainer.batch(atStep: step, threads: 2)) }
        for name in names where name.hasPrefix("answer.readout") || name.hasPrefix("fusion.") {
            #expect(trainer.checkpoint.parameters[name] != before[name], "\(name) did not change")
        }
    }

    @Test("stopping after two steps and resuming from the saved state gives the weights of four steps straight")
    func resume() throws {
        let configuration = tinyConfiguration(steps: 4)
        var straight = try ZooTrainer(configuration: configuration)
        for step in 0..<4 { _ = straight.step(try straight.batch(atStep: step, threads: 2)) }

        var first = try ZooTrainer(configuration: configuration)
        for step in 0..<2 { _ = first.step(try first.batch(atStep: step, threads: 2)) }
        // Through bytes, as the command saves and reads them.
        let state = try SafeTensors.decode(SafeTensors.encode(first.optimiserState))
        let url = scratchURL("step-2.safetensors")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try first.checkpoint.save(to: url)
        let saved = try ZooCheckpoint.load(from: url)
        var second = try ZooTrainer(configuration: configuration, resumingFrom: saved, optimiserState: state, optimiserPath: "memory")
        for step in 2..<4 { _ = second.step(try second.batch(atStep: step, threads: 2)) }
        for (a, b) in zip(straight.checkpoint.parameters.tensors, second.checkpoint.parameters.tensors) {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
        #expect(second.checkpoint.step == 4)

        var other = configuration
        other.seed = 99
        #expect(throws: ZooConfigurationError.self) {
            try ZooTrainer(configuration: other, resumingFrom: saved, optimiserState: state, optimiserPath: "memory")
        }
        let foreign = SafeTensorsFile(tensors: [], metadata: ["faultline.format": "something-else"])
        #expect {
            try ZooTrainer(configuration: configuration, resumingFrom: saved, optimiserState: foreign, optimiserPath: "x.safetensors")
        } throws: { error in
            (error as? ZooConfigurationError)?.message.contains("not an AdamW state") == true
        }
    }

    @Test("size and texture cell heads are trained from the scene graph, and leave the other weights' initialisation alone")
    func sizeAndTextureCells() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.cellSizeAndTexture = true
        var trainer = try ZooTrainer(configuration: configuration)
        let plain = ZooCheckpoint(configuration: tinyConfiguration(steps: 2), answers: .standard, tokenizer: .standard())
        // The extra heads come last, so every weight both networks share starts equal.
        #expect(Array(trainer.checkpoint.parameters.names.prefix(plain.parameters.count)) == plain.parameters.names)
        for name in plain.parameters.names { #expect(trainer.checkpoint.parameters[name] == plain.parameters[name], "\(name)") }
        #expect(trainer.checkpoint.parameters["image.cell.size.weight"]?.shape == [SceneCells.sizeClasses, 32])
        #expect(trainer.checkpoint.parameters["image.cell.texture.weight"]?.shape == [SceneCells.textureClasses, 32])

        let batch = try trainer.batch(atStep: 0, threads: 2)
        #expect(batch.cellSizes.count == batch.cellShapes.count && batch.cellTextures.count == batch.cellShapes.count)
        for (shape, (size, texture)) in zip(batch.cellShapes, zip(batch.cellSizes, batch.cellTextures)) {
            // A cell has all four labels or none.
            #expect((shape == SceneCells.empty) == (size == SceneCells.empty))
            #expect((shape == SceneCells.empty) == (texture == SceneCells.empty))
        }
        let before = trainer.checkpoint.parameters
        _ = trainer.step(batch)
        for name in ["image.cell.size.weight", "image.cell.texture.weight"] {
            #expect(trainer.checkpoint.parameters[name] != before[name], "\(name) did not change")
        }
    }

    @Test("match heads are registered last, score every image token against the question, and learn")
    func matchHeads() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.matchHeads = 3
        var trainer = try ZooTrainer(configuration: configuration)
        let plain = ZooCheckpoint(configuration: tinyConfiguration(steps: 2), answers: .standard, tokenizer: .standard())
        #expect(Array(trainer.checkpoint.parameters.names.prefix(plain.parameters.count)) == plain.parameters.names)
        for name in plain.parameters.names { #expect(trainer.checkpoint.parameters[name] == plain.parameters[name], "\(name)") }
        #expect(trainer.checkpoint.parameters["answer.match.key.weight"]?.shape == [3 * ZooNetwork.matchHeadWidth, 32])
        #expect(trainer.checkpoint.parameters["answer.match.project.weight"]?.shape == [32, 6])

        // The best score is the largest of the token scores, and the sum adds the positive ones.
        let network = trainer.checkpoint.network
        let pass = ForwardPass(parameters: trainer.checkpoint.parameters)
        var generator = SeededGenerator(seed: 3)
        let tokens = Variable(Tensor.uniform([2, network.imageTokenCount, 32], low: -1, high: 1, generator: &generator))
        let question = Variable(Tensor.uniform([2, 32], low: -1, high: 1, generator: &generator))
        let scores = network.matchScores(question: question, tokens: tokens, pass).value
        #expect(scores.shape == [2, 6])
        #expect((0..<6).allSatisfy { !scores.scalars[$0].isNaN })
        for b in 0..<2 {
            for head in 0..<3 where scores.scalars[b * 6 + head] <= 0 {
                #expect(scores.scalars[b * 6 + 3 + head] == 0, "no positive score, so nothing to add")
            }
        }

        let before = trainer.checkpoint.parameters
        _ = trainer.step(try trainer.batch(atStep: 0, threads: 2))
        for name in ["answer.match.query.weight", "answer.match.key.weight", "answer.match.project.weight"] {
            #expect(trainer.checkpoint.parameters[name] != before[name], "\(name) did not change")
        }
    }

    @Test("attribute tables count the cell heads' objects consistently, the question heads read them, and all of it learns")
    func attributeTables() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.cellSizeAndTexture = true
        var plainConfiguration = configuration
        configuration.architecture.attributeSummary = true
        var trainer = try ZooTrainer(configuration: configuration)
        let plain = ZooCheckpoint(configuration: plainConfiguration, answers: .standard, tokenizer: .standard())
        #expect(Array(trainer.checkpoint.parameters.names.prefix(plain.parameters.count)) == plain.parameters.names)
        for name in plain.parameters.names { #expect(trainer.checkpoint.parameters[name] == plain.parameters[name], "\(name)") }
        #expect(trainer.checkpoint.parameters["text.subject.shape.weight"]?.shape == [SceneCells.shapeClasses + 1, 32])
        #expect(trainer.checkpoint.parameters["answer.asked.project.weight"]?.shape == [32, ZooNetwork.askedWidth])

        let network = trainer.checkpoint.network
        let pass = ForwardPass(parameters: trainer.checkpoint.parameters)
        var generator = SeededGenerator(seed: 4)
        let tokens = Variable(Tensor.uniform([2, network.imageTokenCount, 32], low: -2, high: 2, generator: &generator))
        let tables = network.attributeTables(imageTokens: tokens, pass)
        let shapes = SceneCells.shapeClasses, colours = SceneCells.colourClasses
        func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-4 * max(1, abs(a), abs(b)) }
        for b in 0..<2 {
            // Every table counts the same expected number of objects.
            func total(_ table: Tensor) -> Float {
                let classes = table.shape[1]
                return (0..<classes).map { table.scalars[(b * classes + $0) * 3] }.reduce(0, +)
            }
            let objects = total(tables.shapes.value)
            #expect(objects > 0 && objects < Float(network.imageTokenCount))
            for table in [tables.colours, tables.sizes, tables.textures] { #expect(close(total(table.value), objects)) }
            // Per shape, its colours add up to its count.
            for shape in 0..<shapes {
                let count = tables.shapes.value.scalars[(b * shapes + shape) * 3]
                let byColour = (0..<colours).map { tables.shapeColours.value.scalars[(b * shapes + shape) * colours + $0] }.reduce(0, +)
                #expect(close(byColour, count))
            }
        }
        // The asked shape's count is the counts weighted by the question head's probabilities.
        let question = Variable(Tensor.uniform([2, 32], low: -1, high: 1, generator: &generator))
        let asked = network.askedAttributes(tables: tables, question: question, pass).value
        let subjects = network.questionSubjects(question: question, pass)
        #expect(asked.shape == [2, ZooNetwork.askedWidth])
        for b in 0..<2 {
            let expected = (0..<shapes).map {
                subjects.shape.value.scalars[b * shapes + $0] * tables.shapes.value.scalars[(b * shapes + $0) * 3]
            }.reduce(0, +)
            #expect(close(asked.scalars[b * ZooNetwork.askedWidth], expected))
        }

        let before = trainer.checkpoint.parameters
        _ = trainer.step(try trainer.batch(atStep: 0, threads: 2))
        for name in [
            "image.cell.object.weight", "answer.attributes.gate.weight", "answer.attributes.project.weight",
            "text.subject.shape.weight", "text.subject.colour.weight", "answer.asked.project.weight",
        ] {
            #expect(trainer.checkpoint.parameters[name] != before[name], "\(name) did not change")
        }
        plainConfiguration.architecture.cellSizeAndTexture = false
        plainConfiguration.architecture.attributeSummary = true
        #expect(throws: ZooConfigurationError.self) { try plainConfiguration.validate() }
    }

    @Test("a question names its last noun phrase as the subject and the one before it as the other object")
    func questionObjects() {
        typealias Named = (shape: Shape?, colour: NamedColour?, size: SizeClass?)
        func read(_ named: SceneCells.NamedObject) -> Named {
            (Shape.allCases.indices.contains(Int(named.shape)) ? Shape.allCases[Int(named.shape)] : nil,
             NamedColour.allCases.indices.contains(Int(named.colour)) ? NamedColour.allCases[Int(named.colour)] : nil,
             SizeClass.allCases.indices.contains(Int(named.size)) ? SizeClass.allCases[Int(named.size)] : nil)
        }
        func objects(_ text: String) -> (subject: Named, other: Named) {
            let objects = SceneCells.questionObjects(text)
            return (read(objects.subject), read(objects.other))
        }
        func same(_ a: Named, _ b: Named) -> Bool { a.shape == b.shape && a.colour == b.colour && a.size == b.size }
        let nothing: Named = (nil, nil, nil)
        var named = objects("How many red crosses are there?")
        #expect(same(named.subject, (.cross, .red, nil)) && same(named.other, nothing))
        named = objects("What colour is the star?\nAnswer with a single word or phrase.")
        #expect(same(named.subject, (.star, nil, nil)) && same(named.other, nothing))
        named = objects("Is the small red star left of the circle?")
        #expect(same(named.subject, (.circle, nil, nil)) && same(named.other, (.star, .red, .small)))
        named = objects("Which shape is above the large object?")
        #expect(same(named.subject, (nil, nil, .large)) && same(named.other, nothing))
        // A planted sentence before the question is named first, so it never becomes the subject.
        named = objects("The sky is blue. Is there a green circle?")
        #expect(same(named.subject, (.circle, .green, nil)) && same(named.other, (nil, .blue, nil)))
        named = objects("Do the star and the hexagon have the same colour?")
        #expect(same(named.subject, (.hexagon, nil, nil)) && same(named.other, (.star, nil, nil)))
        // The instruction's size words are not a noun phrase.
        named = objects("What size is the red star?\nAnswer small, medium or large.")
        #expect(same(named.subject, (.star, .red, nil)) && same(named.other, nothing))
        named = objects("How many objects are there?")
        #expect(same(named.subject, nothing) && same(named.other, nothing))
    }

    @Test("the pair features locate and compare the two named objects, and the pair weights come last and learn")
    func objectPairs() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.cellSizeAndTexture = true
        configuration.architecture.attributeSummary = true
        let single = ZooCheckpoint(configuration: configuration, answers: .standard, tokenizer: .standard())
        configuration.architecture.objectPairs = true
        var trainer = try ZooTrainer(configuration: configuration)
        #expect(Array(trainer.checkpoint.parameters.names.prefix(single.parameters.count)) == single.parameters.names)
        #expect(trainer.checkpoint.parameters["answer.pair.gate.weight"]?.shape == [ZooNetwork.pairWidth, 32])

        // Two cells hold objects: a small red star at cell 0 (top left), a large red circle at
        // the last cell (bottom right). Every probability is one-hot.
        let network = trainer.checkpoint.network
        let cells = network.imageTokenCount
        func oneHot(_ classes: Int, _ hot: [Int: Int]) -> Variable {
            var scalars = [Float](repeating: 0, count: cells * classes)
            for cell in 0..<cells { scalars[cell * classes + (hot[cell] ?? 0)] = 1 }
            return Variable(Tensor(shape: [1, cells, classes], scalars: scalars))
        }
        let star = Int32(Shape.allCases.firstIndex(of: .star)!), circle = Int32(Shape.allCases.firstIndex(of: .circle)!)
        let red = Int32(NamedColour.allCases.firstIndex(of: .red)!)
        let small = Int32(SizeClass.allCases.firstIndex(of: .small)!), large = Int32(SizeClass.allCases.firstIndex(of: .large)!)
        var occupied = [Float](repeating: 0, count: cells)
        occupied[0] = 1
        occupied[cells - 1] = 1
        let last = cells - 1
        let pass = ForwardPass(parameters: trainer.checkpoint.parameters)
        let place = network.cellReading(imageTokens: Variable(Tensor.filled([1, cells, 32], with: 0)), pass).place
        let reading = ZooNetwork.CellReading(
            occupied: Variable(Tensor(shape: [1, cells, 1], scalars: occupied)),
            shape: oneHot(SceneCells.shapeClasses, [0: Int(star), last: Int(circle)]),
            colour: oneHot(SceneCells.colourClasses, [0: Int(red), last: Int(red)]),
            size: oneHot(SceneCells.sizeClasses, [0: Int(small), last: Int(large)]),
            texture: oneHot(SceneCells.textureClasses, [:]), place: place)
        let tables = network.attributeTables(reading)
        func heads(_ named: SceneCells.NamedObject) -> ZooNetwork.NamedObjectHeads {
            func row(_ classes: Int, _ hot: Int32) -> Variable {
                Variable(Tensor(shape: [1, classes], scalars: (0..<classes).map { $0 == Int(hot) ? 1 : 0 }))
            }
            return ZooNetwork.NamedObjectHeads(
                shape: row(SceneCells.shapeClasses + 1, named.shape), colour: row(SceneCells.colourClasses + 1, named.colour),
                size: row(SceneCells.sizeClasses + 1, named.size))
        }
        // "Is the star left of the circle?": subject the circle, other the star.
        let objects = SceneCells.questionObjects("Is the star left of the circle?")
        let features = network.pairFeatures(
            reading: reading, tables: tables, named: (heads(objects.subject), heads(objects.other))).value.scalars
        #expect(features.count == ZooNetwork.pairWidth)
        let side = Int(Double(cells).squareRoot())
        let corner = (Float(side) - 0.5) / Float(side) * 2 - 1  // the last cell's centre, x and y
        func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-5 }
        let sizes = SceneCells.sizeClasses, colours = SceneCells.colourClasses
        let otherStart = 3 + colours + sizes, differenceStart = 2 * otherStart
        // Each named object is found once, where it is.
        #expect(close(features[0], 1) && close(features[1], corner) && close(features[2], corner))
        #expect(close(features[otherStart], 1) && close(features[otherStart + 1], -corner))
        // The subject (circle) is right of and below the other (star).
        #expect(close(features[differenceStart], 2 * corner) && close(features[differenceStart + 1], 2 * corner))
        #expect(close(features[differenceStart + 2], 4 * corner * corner))
        // Both red: they share a colour. Sizes: the subject large, the other small.
        #expect(close(features[differenceStart + 4], 1))
        #expect(close(features[differenceStart + 5 + Int(large) * sizes + Int(small)], 1))
        // Relative to the circle, the star is up and to the left, the circle itself at zero.
        let relativeStart = ZooNetwork.pairWidth - 2 * SceneCells.shapeClasses
        #expect(close(features[relativeStart + 2 * Int(star)], -2 * corner))
        #expect(close(features[relativeStart + 2 * Int(circle) + 1], 0))
        // A colour the scene lacks finds nothing.
        var blue = objects.subject
        blue.colour = Int32(NamedColour.allCases.firstIndex(of: .blue)!)
        let missing = network.pairFeatures(reading: reading, tables: tables, named: (heads(blue), heads(objects.other)))
        #expect(close(missing.value.scalars[0], 0))

        let before = trainer.checkpoint.parameters
        _ = trainer.step(try trainer.batch(atStep: 0, threads: 2))
        for name in [
            "text.subject.size.weight", "text.other.shape.weight", "text.other.colour.weight", "text.other.size.weight",
            "answer.pair.gate.weight", "answer.pair.project.weight",
        ] {
            #expect(trainer.checkpoint.parameters[name] != before[name], "\(name) did not change")
        }
        configuration.architecture.attributeSummary = false
        #expect(throws: ZooConfigurationError.self) { try configuration.validate() }
    }

    @Test("downsampling the first layer reads an image of twice the side into the same token grid and parameter shapes")
    func downsampleFirst() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.imageChannels = [8, 8, 16, 32]
        let plain = ZooCheckpoint(configuration: configuration, answers: .standard, tokenizer: .standard())
        configuration.architecture.downsampleFirst = true
        configuration.data.imageSize = 64
        var trainer = try ZooTrainer(configuration: configuration)
        #expect(trainer.checkpoint.network.imageTokenCount == plain.network.imageTokenCount)
        #expect(trainer.checkpoint.parameters.names == plain.parameters.names)
        for name in plain.parameters.names {
            #expect(trainer.checkpoint.parameters[name]?.shape == plain.parameters[name]?.shape, "\(name)")
        }
        let batch = try trainer.batch(atStep: 0, threads: 2)
        #expect(batch.images.shape == [32, 3, 64, 64])
        #expect(batch.cellShapes.count == 32 * plain.network.imageTokenCount)
        let before = trainer.checkpoint.parameters
        _ = trainer.step(batch)
        #expect(trainer.checkpoint.parameters["image.conv1.weight"] != before["image.conv1.weight"])
    }

    @Test("cell accuracy scores every cell that holds an object's centre, once per attribute the heads predict")
    func cellAccuracy() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.cellSizeAndTexture = true
        let trainer = try ZooTrainer(configuration: configuration)
        let examples = try trainer.dataset.batch(.heldOut, start: 0, count: 24, threads: 2)
        let side = ZooNetwork.gridSide(imageSize: configuration.data.imageSize, architecture: configuration.architecture)
        let occupied = examples.map { example in
            SceneCells.targets(for: example.scene, side: side).shapes.filter { $0 != SceneCells.empty }.count
        }.reduce(0, +)
        let accuracy = trainer.checkpoint.cellAccuracy(examples, chunk: 10)
        #expect(accuracy.map(\.attribute) == ["shape", "colour", "size", "texture"])
        for (attribute, count) in accuracy {
            #expect(count.total == occupied, "\(attribute)")
            #expect(count.correct <= count.total, "\(attribute)")
        }
        // Chunking changes nothing.
        #expect(trainer.checkpoint.cellAccuracy(examples).map(\.count) == accuracy.map(\.count))
        let plain = ZooCheckpoint(configuration: tinyConfiguration(), answers: .standard, tokenizer: .standard())
        #expect(plain.cellAccuracy(examples).map(\.attribute) == ["shape", "colour"])
    }

    @Test("cell targets name the object centred in each cell: shape, colour, size and texture (0 = none)")
    func cellTargets() {
        let scene = Scene(
            width: 128, height: 128, background: Background(kind: .plain), objects: [
                SceneObject(id: 1, shape: Shape.allCases[2], colour: NamedColour.allCases[3], size: .large, x: 0.1, y: 0.1, texture: .dots),
                SceneObject(id: 2, shape: Shape.allCases[5], colour: NamedColour.allCases[1], size: .small, x: 0.9, y: 0.6),
            ], seed: 1)
        let cells = SceneCells.targets(for: scene, side: 4)
        // Object 1 sits in cell (0, 0); object 2 in row 2, column 3.
        #expect(cells.shapes[0] == 2 && cells.colours[0] == 3 && cells.sizeClasses[0] == 2)
        #expect(cells.textures[0] == Int32(Texture.allCases.firstIndex(of: .dots)! + 1))
        #expect(cells.shapes[11] == 5 && cells.colours[11] == 1 && cells.sizeClasses[11] == 0 && cells.textures[11] == 0)
        #expect(cells.shapes.filter { $0 != SceneCells.empty }.count == 2)
        #expect(cells.textures.filter { $0 != SceneCells.empty }.count == 2)
    }

    @Test("word targets name the label or sign centred in each cell, and mark the signs; charts give none")
    func wordTargets() throws {
        let vocabulary = AnswerVocabulary.standard
        let words = vocabulary.wordIndices
        let label = vocabulary.answer(at: words.lowerBound), sign = vocabulary.answer(at: words.upperBound - 1)
        let scene = Scene(
            width: 128, height: 128, background: Background(kind: .plain), objects: [
                SceneObject(id: 1, shape: .star, colour: .red, size: .large, x: 0.1, y: 0.1, label: label),
                SceneObject(id: 2, shape: .circle, colour: .blue, size: .small, x: 0.9, y: 0.6, label: "not a word we know"),
            ], labels: [TextLabel(text: sign, x: 0.6, y: 0.9, size: 0.1)], seed: 1)
        let targets = SceneCells.wordTargets(for: scene, side: 4, vocabulary: vocabulary)
        // The label in cell (0, 0); the sign in row 3, column 2; the unknown label nowhere.
        #expect(targets.words[0] == 0)
        #expect(targets.words[14] == Int32(words.count - 1) && targets.signs[14] == 1)
        #expect(targets.words.filter { $0 != SceneCells.empty }.count == 2)
        #expect(targets.signs.reduce(0, +) == 1)
        // Words are the vocabulary's last kind, so their range ends with it.
        #expect(words.upperBound == vocabulary.count && AnswerVocabulary.kind(of: label) == .word)
        #expect(AnswerVocabulary.kind(of: vocabulary.answer(at: words.lowerBound - 1)) != .word)

        var chart = scene
        chart.chart = Chart(kind: .bar, title: "t", labels: [label], values: [3])
        let none = SceneCells.wordTargets(for: chart, side: 4, vocabulary: vocabulary)
        #expect(none.words.allSatisfy { $0 == SceneCells.empty } && none.signs.allSatisfy { $0 == 0 })
    }

    @Test("cellWords registers its weights last, needs objectPairs, and its heads learn from the cell loss")
    func cellWords() throws {
        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.readsObjectPairs()
        let without = ZooCheckpoint(configuration: configuration, answers: .standard, tokenizer: .standard())
        configuration.architecture.cellWords = true
        var trainer = try ZooTrainer(configuration: configuration)
        let names = trainer.checkpoint.parameters.names
        #expect(Array(names.prefix(without.parameters.count)) == without.parameters.names)
        #expect(trainer.checkpoint.parameters["image.cell.word.weight"]?.shape == [AnswerVocabulary.standard.wordIndices.count, 32])
        #expect(trainer.checkpoint.network.cellAttributes.last == .word)

        let before = trainer.checkpoint.parameters["image.cell.word.weight"]
        let batch = try trainer.batch(atStep: 0, threads: 2)
        #expect(batch.cellWords.count == batch.cellShapes.count && batch.cellSigns.count == batch.cellShapes.count)
        _ = trainer.step(batch)
        #expect(trainer.checkpoint.parameters["image.cell.word.weight"] != before)

        var broken = configuration
        broken.architecture.objectPairs = false
        #expect(throws: ZooConfigurationError.self) { try broken.validate() }
    }

    @Test("spelled word heads read each word as its letters, and learn them from the word targets")
    func spelledWords() throws {
        #expect(SceneCells.spelling(of: "Age") == [0, 6, 4, 26, 26, 26])
        #expect(SceneCells.spelling(of: "wonder") == [22, 14, 13, 3, 4, 17])
        #expect(SceneCells.spelling(of: "wonders") == nil && SceneCells.spelling(of: "a1") == nil)
        let vocabulary = AnswerVocabulary.standard
        #expect(vocabulary.wordIndices.allSatisfy { SceneCells.spelling(of: vocabulary.answer(at: $0)) != nil })

        var configuration = tinyConfiguration(steps: 2)
        configuration.architecture.readsObjectPairs()
        configuration.architecture.cellWords = true
        configuration.architecture.spelledWords = true
        var trainer = try ZooTrainer(configuration: configuration)
        let letters = SceneCells.spellingLength * SceneCells.letterClasses
        #expect(trainer.checkpoint.parameters["image.cell.letters.weight"]?.shape == [letters, 32])
        #expect(trainer.checkpoint.parameters["image.cell.word.weight"] == nil)
        // Each word's column of the spelling matrix picks one class per position: its letters.
        let matrix = try #require(trainer.checkpoint.network.wordHeads?.spellingMatrix)
        let words = vocabulary.wordIndices.count
        let word = try #require(vocabulary.wordIndices.firstIndex { vocabulary.answer(at: $0) == "wonder" })
            - vocabulary.wordIndices.lowerBound
        let column = (0..<letters).map { matrix.scalars[$0 * words + word] }
        #expect(column.reduce(0, +) == Float(SceneCells.spellingLength))
        #expect(column[0 * SceneCells.letterClasses + 22] == 1 && column[5 * SceneCells.letterClasses + 17] == 1)

        let before = trainer.checkpoint.parameters["image.cell.letters.weight"]
        _ = trainer.step(try trainer.batch(atStep: 0, threads: 2))
        #expect(trainer.checkpoint.parameters["image.cell.letters.weight"] != before)
        var unspelled = configuration
        unspelled.architecture.cellWords = false
        #expect(throws: ZooConfigurationError.self) { try unspelled.validate() }
    }

    @Test("a text stack adds its weights last, must end on the token grid, and learns")
    func textStack() throws {
        var configuration = tinyConfiguration(steps: 2)
        // Four halvings each way: 32 px gives a 2 × 2 grid from both stacks.
        configuration.architecture.imageChannels = [8, 16, 32, 32]
        configuration.architecture.downsampleFirst = true
        configuration.architecture.readsObjectPairs()
        configuration.architecture.cellWords = true
        let without = ZooCheckpoint(configuration: configuration, answers: .standard, tokenizer: .standard())
        configuration.architecture.textChannels = [4, 8, 8, 16]
        var trainer = try ZooTrainer(configuration: configuration)
        let names = trainer.checkpoint.parameters.names
        #expect(Array(names.prefix(without.parameters.count)) == without.parameters.names)
        #expect(names.suffix(2) == ["text.image.project.weight", "text.image.project.bias"])
        #expect(trainer.checkpoint.parameters["text.image.conv1.weight"]?.shape == [4, 3, 3, 3])
        let before = trainer.checkpoint.parameters["text.image.conv1.weight"]
        _ = trainer.step(try trainer.batch(atStep: 0, threads: 2))
        #expect(trainer.checkpoint.parameters["text.image.conv1.weight"] != before)

        var noWords = configuration
        noWords.architecture.cellWords = false
        #expect(throws: ZooConfigurationError.self) { try noWords.validate() }
        var otherGrid = configuration
        otherGrid.architecture.downsampleFirst = false  // the image tokens become 4 × 4, the text stays 2 × 2
        do {
            try otherGrid.validate()
            Issue.record("a text stack on another grid than the image tokens was accepted")
        } catch {
            #expect(error.field == "architecture.textChannels" && error.message.contains("4 × 4"))
        }
    }

    @Test("held-out accuracy per template and format adds up to the overall figure")
    func perTemplate() throws {
        let trainer = try ZooTrainer(configuration: tinyConfiguration())
        let examples = try trainer.dataset.batch(.heldOut, start: 0, count: 48, threads: 2)
        let evaluation = trainer.checkpoint.evaluate(examples)
        #expect(evaluation.perTemplate.values.map(\.total).reduce(0, +) == evaluation.overall.total)
        #expect(evaluation.perTemplate.values.map(\.correct).reduce(0, +) == evaluation.overall.correct)
        for example in examples {
            #expect(evaluation.perTemplate["\(example.templateID) (\(example.format.rawValue))"] != nil)
        }
    }

    @Test("the same configuration gives the same weights, bit for bit")
    func deterministic() throws {
        func train() throws -> [UInt32] {
            var trainer = try ZooTrainer(configuration: tinyConfiguration(steps: 3))
            for step in 0..<3 { _ = trainer.step(try trainer.batch(atStep: step, threads: 2)) }
            return trainer.checkpoint.parameters.tensors.flatMap { $0.scalars.map(\.bitPattern) }
        }
        #expect(try train() == train())
    }
}

@Suite("Zoo repair")
struct ZooRepairTrainerTests {
    @Test("a repair keeps teaching the cell heads on its replayed scenes, and only there")
    func repairKeepsTheCellLoss() throws {
        // Without the attribute tables the answer loss never reaches the cell heads, so (with
        // no weight decay) a change in them can only come from the cell loss on the replay views.
        var configuration = tinyConfiguration()
        configuration.training.weightDecay = 0
        let checkpoint = ZooCheckpoint(configuration: configuration, answers: .standard, tokenizer: .standard())
        var settings = ZooRepairSettings()
        settings.steps = 1
        settings.pairsPerStep = 2
        settings.replayPerStep = 4
        settings.adversarialEpsilon = 0
        func repaired(replaying: Bool) throws -> ZooCheckpoint {
            var trainer = ZooRepairTrainer(checkpoint: checkpoint, settings: settings)
            let replay = try trainer.replayExamples(count: 4, seed: 9, threads: 2)
            #expect(replay.allSatisfy { $0.cellShapes.count == checkpoint.network.imageTokenCount })
            let pair = try #require(replay.first)
            return trainer.train(pairs: [(pair, pair)], replay: replaying ? replay : [], progress: { _, _ in })
        }
        let name = "image.cell.shape.weight"
        #expect(try repaired(replaying: true).parameters[name] != checkpoint.parameters[name])
        #expect(try repaired(replaying: false).parameters[name] == checkpoint.parameters[name])
    }
}
