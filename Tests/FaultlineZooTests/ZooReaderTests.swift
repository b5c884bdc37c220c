import FaultlineCore
import FaultlineScenes
import FaultlineTensor
import Foundation
import Testing

@testable import FaultlineZoo

/// A configuration whose reader is small and fast: 128 px, two narrow convolutions.
private func readerConfiguration(steps: Int = 30, seed: UInt64 = 11) -> ZooConfiguration {
    var architecture = ZooArchitectureSettings(
        imageChannels: [8, 16, 16, 32, 32], width: 32, heads: 2, fusionLayers: 1, embeddingDimension: 16)
    architecture.downsampleFirst = true
    architecture.cellSizeAndTexture = true
    architecture.attributeSummary = true
    architecture.objectPairs = true
    return ZooConfiguration(
        name: "reader-test", seed: seed,
        data: ZooDataSettings(imageSize: 128, renderSize: 128, maxQuestionTokens: 16),
        architecture: architecture,
        training: ZooTrainingSettings(steps: 1, batchSize: 2, warmupSteps: 0, checkpointEvery: 1, heldOutCount: 0, threads: 2),
        reader: ZooReaderSettings(
            readSize: 128, channels: [8, 8], width: 32, windowWidth: 64, windowHeight: 24, steps: steps, batchSize: 4,
            learningRate: 0.003, warmupSteps: 0, heldOutCount: 8))
}

@Suite("Zoo text reader")
final class ZooReaderTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-reader-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: scratch) }

    @Test("reader settings name the field at fault")
    func settingsValidation() throws {
        var configuration = readerConfiguration()
        configuration.reader?.readSize = 200
        #expect(throws: ZooConfigurationError.self) { try configuration.validate() }
        do { try configuration.validate() } catch { #expect(error.field == "reader.readSize") }

        configuration = readerConfiguration()
        // Two convolutions, one pool: feature pixels are 2 px, and a window must span whole pairs of them.
        configuration.reader?.windowHeight = 26
        do { try configuration.validate() } catch { #expect(error.field == "reader.windowHeight") }

        configuration = readerConfiguration()
        configuration.architecture.objectPairs = false
        do { try configuration.validate() } catch { #expect(error.field == "reader") }
    }

    @Test("the reader section survives JSON, and a configuration without one writes none")
    func configurationJSON() throws {
        let configuration = readerConfiguration()
        let decoded = try ZooConfiguration.decode(Data(configuration.json().utf8))
        #expect(decoded == configuration)
        var plain = configuration
        plain.reader = nil
        #expect(!plain.json().contains("\"reader\""))
        let unknown = #"{ "name": "x", "reader": { "readSize": 256, "colour": 1 } }"#
        do {
            _ = try ZooConfiguration.decode(Data(unknown.utf8))
            Issue.record("an unknown reader field was accepted")
        } catch {
            #expect(error.field == "reader.colour")
        }
    }

    @Test("the answer network's checkpoint keeps no reader section, so it matches the shipped weights' configuration")
    func checkpointConfigurationHasNoReader() {
        let checkpoint = ZooCheckpoint(configuration: readerConfiguration(), answers: .standard, tokenizer: .standard())
        #expect(checkpoint.configuration.reader == nil)
        var withoutReader = readerConfiguration()
        withoutReader.reader = nil
        #expect(ZooTrainer.sameModel(readerConfiguration(), withoutReader))
    }

    @Test("reader examples are deterministic and every word sits on a text centre")
    func examples() throws {
        let configuration = readerConfiguration()
        let settings = configuration.reader!
        let data = ZooReaderData(configuration: configuration, settings: settings, answers: .standard)
        var words = 0, signs = 0
        for index in 0..<12 {
            let example = try data.example(.train, index: index)
            #expect(example.pixels.count == 3 * 128 * 128)
            #expect(example.centres.count == settings.featureSide * settings.featureSide)
            for word in example.words {
                #expect(example.centres[word.row * settings.featureSide + word.column] != ZooReader.TextClass.nothing.rawValue)
                words += 1
            }
            signs += example.centres.filter { $0 == ZooReader.TextClass.sign.rawValue }.count
        }
        #expect(words > 12)
        #expect(signs > 0)
        let again = try data.example(.train, index: 3), first = try data.example(.train, index: 3)
        #expect(again.pixels == first.pixels && again.centres == first.centres)
        #expect(try data.example(.heldOut, index: 3).pixels != first.pixels)
    }

    @Test("charts, tables and empty canvases join the reader's examples at the rates asked, their words as signs")
    func sceneryExamples() throws {
        var settings = readerConfiguration().reader!
        settings.structuredProbability = 1
        let data = ZooReaderData(configuration: readerConfiguration(), settings: settings, answers: .standard)
        var words = 0, labels = 0
        for index in 0..<16 {
            let example = try data.example(.train, index: index)
            words += example.words.count
            labels += example.centres.filter { $0 == ZooReader.TextClass.objectLabel.rawValue }.count
        }
        // Chart categories and table words are in the answer vocabulary; nothing is an object's label.
        #expect(words >= 16 * 3)
        #expect(labels == 0)

        settings.structuredProbability = 0
        settings.emptyProbability = 1
        let empty = ZooReaderData(configuration: readerConfiguration(), settings: settings, answers: .standard)
        for index in 0..<8 {
            #expect(!(try empty.example(.train, index: index).centres.contains(ZooReader.TextClass.objectLabel.rawValue)))
        }

        var invalid = readerConfiguration()
        invalid.reader?.structuredProbability = 0.7
        invalid.reader?.emptyProbability = 0.4
        do {
            try invalid.validate()
            Issue.record("shares adding to more than 1 were accepted")
        } catch {
            #expect(error.field == "reader.emptyProbability")
        }
    }

    @Test("training lowers both losses, and the same seed gives the same weights")
    func trainingLearns() throws {
        let configuration = readerConfiguration(steps: 40)
        var trainer = try ZooReaderTrainer(configuration: configuration, answers: .standard)
        var centreLosses: [Float] = []
        var wordLosses: [Float] = []
        for step in 0..<40 {
            let losses = trainer.step(try trainer.data.batch(.train, start: step * 4, count: 4))
            centreLosses.append(losses.centre)
            wordLosses.append(losses.word)
        }
        func mean(_ values: ArraySlice<Float>) -> Float { values.reduce(0, +) / Float(values.count) }
        #expect(mean(centreLosses.suffix(10)) < 0.7 * mean(centreLosses.prefix(5)))
        #expect(mean(wordLosses.suffix(10)) < mean(wordLosses.prefix(5)))

        var again = try ZooReaderTrainer(configuration: configuration, answers: .standard)
        for step in 0..<40 { _ = again.step(try again.data.batch(.train, start: step * 4, count: 4)) }
        for (a, b) in zip(trainer.checkpoint.parameters.tensors, again.checkpoint.parameters.tensors) {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
    }

    @Test("save then load gives the same bits; a damaged file or another vocabulary says what is wrong")
    func checkpointFiles() throws {
        let configuration = readerConfiguration()
        var checkpoint = ZooReaderCheckpoint(
            modelName: "reader-test", seed: 3, settings: configuration.reader!, words: ZooReaderCheckpoint.words(of: .standard))
        checkpoint.step = 7
        checkpoint.metrics = ["heldOut.words": "0.5"]
        let url = scratch.appendingPathComponent("reader-test.reader.safetensors")
        try checkpoint.save(to: url)
        let loaded = try ZooReaderCheckpoint.load(from: url)
        #expect(loaded.settings == checkpoint.settings && loaded.words == checkpoint.words && loaded.step == 7)
        #expect(loaded.metrics == ["heldOut.words": "0.5"])
        for (a, b) in zip(loaded.parameters.tensors, checkpoint.parameters.tensors) {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }

        let bytes = try Data(contentsOf: url)
        let truncated = scratch.appendingPathComponent("truncated.reader.safetensors")
        try bytes.prefix(bytes.count / 3).write(to: truncated)
        do {
            _ = try ZooReaderCheckpoint.load(from: truncated)
            Issue.record("a truncated reader loaded")
        } catch {
            #expect(error.path == truncated.path)
        }
        let answerNetwork = scratch.appendingPathComponent("reader-test.safetensors")
        try ZooCheckpoint(configuration: configuration, answers: .standard, tokenizer: .standard()).save(to: answerNetwork)
        do {
            _ = try ZooReaderCheckpoint.load(from: answerNetwork)
            Issue.record("an answer network loaded as a reader")
        } catch {
            #expect(error.problem.contains("not a reader"))
        }

        // Loaded beside the weights by default; refused when its words are not the model's.
        let model = try ZooModel(key: "zoo:reader-test", weights: answerNetwork)
        #expect(model.reader != nil)
        #expect(try ZooModel(key: "zoo:reader-test", weights: answerNetwork, reader: .none).reader == nil)
        var foreign = checkpoint
        foreign.words.removeLast()
        #expect(throws: ZooCheckpointError.self) {
            try model.reading(with: foreign, digest: "x", path: "foreign.reader.safetensors")
        }
    }

    @Test("written words go to the named object's word, or to the sign's when no object is named")
    func combination() {
        // Three answers that are not words, then three words; four grid cells.
        let probabilities: [Float] = [0.1, 0.05, 0.05, 0.3, 0.3, 0.2]
        let words = 3..<6
        let reading = ZooReading(
            candidates: [
                .init(cell: 2, label: 0.1, sign: 0.9, words: [0.05, 0.05, 0.9]),
                .init(cell: 0, label: 0.9, sign: 0.0, words: [0.9, 0.05, 0.05]),
                .init(cell: 3, label: 0.8, sign: 0.0, words: [0.05, 0.9, 0.05]),
            ],
            wordCount: 3)
        let fit: [Float] = [0.8, 0.1, 0.05, 0.05]
        let named = ZooWrittenWords.combine(probabilities, words: words, fit: fit, namesObject: 1, reading: reading)
        #expect(Array(named[0..<3]) == Array(probabilities[0..<3]))
        #expect(abs(named.reduce(0, +) - 1) < 1e-5)
        #expect(named[3] > 0.6 && named[3] == named[3..<6].max())
        let sign = ZooWrittenWords.combine(probabilities, words: words, fit: fit, namesObject: 0, reading: reading)
        #expect(sign[5] == sign[3..<6].max() && sign[5] > 0.6)
        let nothing = ZooWrittenWords.combine(
            probabilities, words: words, fit: fit, namesObject: 1, reading: ZooReading(candidates: [], wordCount: 3))
        #expect(nothing == probabilities)

        // Two signs read equally well: the network's own leaning between their words decides,
        // and a word hardly read stays low however much the network likes it.
        let twoSigns = ZooReading(
            candidates: [
                .init(cell: 1, label: 0, sign: 0.9, words: [0.98, 0.01, 0.01]),
                .init(cell: 2, label: 0, sign: 0.9, words: [0.01, 0.98, 0.01]),
            ],
            wordCount: 3)
        let leaning: [Float] = [0.1, 0.1, 0.1, 0.15, 0.05, 0.5]
        let signs = ZooWrittenWords.combine(leaning, words: words, fit: fit, namesObject: 0, reading: twoSigns)
        #expect(signs[3] > signs[4] && signs[5] < signs[4])
        #expect(abs(signs[3..<6].reduce(0, +) - 0.7) < 1e-5)
        #expect(ZooWrittenWords.wantsReading(probabilities, words: words))
        #expect(!ZooWrittenWords.wantsReading([0.6, 0.2, 0.0, 0.1, 0.05, 0.05], words: words))
    }
}
