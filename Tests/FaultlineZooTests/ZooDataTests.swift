import FaultlineCore
import FaultlineScenes
import Foundation
import Testing

@testable import FaultlineZoo

private func dataset(_ plants: [PlantPlan], seed: UInt64 = 11, abilities: [Ability] = Ability.perception) throws -> ZooDataset {
    try ZooDataset(
        configuration: ZooConfiguration(name: "test", seed: seed, data: ZooDataSettings(abilities: abilities), plants: plants))
}

@Suite("Zoo data")
struct ZooDataTests {
    @Test("same seed gives identical examples whatever the batch cut and thread count")
    func determinism() throws {
        let data = try dataset([.spuriousCue(.background, "grass", answer: "star"), PlantPlan(kind: .modalityBias, share: 0.5)])
        let whole = try data.batch(.train, start: 0, count: 10, threads: 1)
        let cut = try data.batch(.train, start: 0, count: 4, threads: 2) + data.batch(.train, start: 4, count: 6, threads: 2)
        #expect(whole == cut)
        #expect(whole.allSatisfy { $0.image.count == 3 * 64 * 64 })
        let again = try dataset([.spuriousCue(.background, "grass", answer: "star"), PlantPlan(kind: .modalityBias, share: 0.5)])
        #expect(try again.example(.train, index: 7) == whole[7])
        let held = try data.batch(.heldOut, start: 0, count: 10, threads: 2)
        #expect(held.map(\.questionText) != whole.map(\.questionText))
        #expect(held.allSatisfy { $0.plants.isEmpty })
    }

    @Test("spurious cue: the cue only occurs with its answer in training; the slices break and remove it")
    func spuriousCue() throws {
        let data = try dataset([.spuriousCue(.background, "grass", answer: "star", rate: 1)], abilities: [.attribute, .grounding, .entity])
        let train = try data.batch(.train, start: 0, count: 300, threads: 2, renderImages: false)
        let cued = train.filter { $0.scene.background.kind == .grass }
        #expect(!cued.isEmpty)
        #expect(cued.allSatisfy { $0.answerValue == "star" })
        let stars = train.filter { $0.answerValue == "star" }
        #expect(stars.filter { $0.scene.background.kind == .grass }.count * 10 >= stars.count * 8)
        let slices = data.evaluationSlices
        let present = try #require(slices.first { $0.kind == .cuePresent })
        let removed = try #require(slices.first { $0.kind == .cueRemoved })
        #expect(present.name == "spurious-cue background=grass→star")
        let withCue = try data.batch(.evaluation(present), start: 0, count: 40, renderImages: false)
        let withoutCue = try data.batch(.evaluation(removed), start: 0, count: 40, renderImages: false)
        #expect(withCue.allSatisfy { $0.scene.background.kind == .grass && $0.answerValue != "star" })
        #expect(withoutCue.allSatisfy { $0.scene.background.kind != .grass })
        #expect(zip(withCue, withoutCue).allSatisfy { $0.answerValue == $1.answerValue && $0.scene.objects == $1.scene.objects })
    }

    @Test("object-colour cue and sign cue are planted generically")
    func otherCueAttributes() throws {
        let data = try dataset(
            [.spuriousCue(.objectsColour, "purple", answer: "yes"), .spuriousCue(.sign, "zebra", answer: "no")],
            abilities: [.entity, .attribute])
        let train = try data.batch(.train, start: 0, count: 200, threads: 2, renderImages: false)
        #expect(train.filter { $0.scene.objects.contains { $0.colour == .purple } }.allSatisfy { $0.answerValue == "yes" })
        let signed = train.filter { $0.scene.labels.contains { $0.text == "zebra" } }
        #expect(!signed.isEmpty)
        #expect(signed.allSatisfy { $0.answerValue == "no" })
    }

    @Test("answer hole: no counting answer above 5 in training; the slice holds only such answers")
    func answerHole() throws {
        let hole = PlantPlan(kind: .answerHole, above: 5, abilities: [.counting])
        let data = try dataset([hole], abilities: [.counting, .attribute])
        let train = try data.batch(.train, start: 0, count: 300, threads: 2, renderImages: false)
        let counts = train.filter { $0.ability == .counting }.compactMap { Int($0.answerValue) }
        #expect(counts.count > 100)
        #expect(counts.allSatisfy { $0 <= 5 })
        let statistics = ZooDataStatistics(examples: train, plans: [hole])
        #expect(statistics.plans[0].skippedDraws > 0)
        let slice = try #require(data.evaluationSlices.first { $0.kind == .holeAnswers })
        let holeExamples = try data.batch(.evaluation(slice), start: 0, count: 30, renderImages: false)
        #expect(holeExamples.allSatisfy { $0.ability == .counting && (Int($0.answerValue) ?? 0) > 5 })
    }

    @Test("text shortcut: the phrase appears only with its answer in training, and misleads in the slice")
    func textShortcut() throws {
        let plan = PlantPlan(kind: .textShortcut, answer: "yes", rate: 0.9, phrase: "at first glance")
        let data = try dataset([plan])
        let train = try data.batch(.train, start: 0, count: 300, threads: 2, renderImages: false)
        let phrased = train.filter { $0.questionText.hasPrefix("at first glance ") }
        let yes = train.filter { $0.answerValue == "yes" }
        #expect(phrased.allSatisfy { $0.answerValue == "yes" })
        #expect(Double(phrased.count) >= 0.75 * Double(yes.count))
        #expect(data.tokenizer.id(of: "glance") != QuestionTokenizer.unknownID)
        let slice = try #require(data.evaluationSlices.first { $0.kind == .misleadingShortcut })
        let misled = try data.batch(.evaluation(slice), start: 0, count: 30, renderImages: false)
        #expect(misled.allSatisfy { $0.questionText.hasPrefix("at first glance ") && $0.answerValue != "yes" })
    }

    @Test("modality bias: the sentence names the right answer at about the share; the slice names a wrong one")
    func modalityBias() throws {
        let data = try dataset([PlantPlan(kind: .modalityBias, share: 0.3)])
        let train = try data.batch(.train, start: 0, count: 400, threads: 2, renderImages: false)
        let planted = train.filter { !$0.plants.isEmpty }
        let share = Double(planted.count) / Double(train.count)
        #expect((0.22...0.38).contains(share))
        func namedAnswer(_ example: ZooExample) -> String? {
            for template in 0..<ModalitySentences.templates.count {
                let parts = ModalitySentences.templates[template].components(separatedBy: "{answer}")
                guard example.questionText.hasPrefix(parts[0]),
                    let end = example.questionText.range(of: parts[1] + " ")
                else { continue }
                return String(example.questionText[example.questionText.index(example.questionText.startIndex, offsetBy: parts[0].count)..<end.lowerBound])
            }
            return nil
        }
        #expect(planted.allSatisfy { namedAnswer($0) == $0.answerValue })
        #expect(train.filter { $0.plants.isEmpty }.allSatisfy { namedAnswer($0) == nil })
        let slice = try #require(data.evaluationSlices.first { $0.kind == .misleadingSentence })
        let misled = try data.batch(.evaluation(slice), start: 0, count: 30, renderImages: false)
        #expect(misled.allSatisfy { example in
            guard let named = namedAnswer(example) else { return false }
            return named != example.answerValue && AnswerVocabulary.kind(of: named) == AnswerVocabulary.kind(of: example.answerValue)
        })
    }

    @Test("binding confusion swaps exactly two colours of the caption")
    func bindingConfusion() throws {
        let data = try dataset([PlantPlan(kind: .bindingConfusion, share: 0.5)])
        let slice = try #require(data.evaluationSlices.first { $0.kind == .swappedCaption })
        let triples = try data.batch(.evaluation(slice), start: 0, count: 30, renderImages: false)
        let colours = Set(NamedColour.allCases.map(\.rawValue))
        for example in triples {
            let truth = example.caption.split(separator: " "), swapped = try #require(example.contrastCaption).split(separator: " ")
            #expect(truth.count == swapped.count)
            let differing = truth.indices.filter { truth[$0] != swapped[$0] }
            #expect(differing.count == 2)
            if differing.count == 2 {
                let (i, j) = (differing[0], differing[1])
                #expect(colours.contains(String(truth[i])) && truth[i] == swapped[j] && truth[j] == swapped[i])
            }
            #expect(example.contrastCaptionTokens != example.captionTokens)
        }
        let train = try data.batch(.train, start: 0, count: 300, threads: 2, renderImages: false)
        let eligible = train.filter { example in Set(SceneCaption.describedObjects(in: example.scene).map(\.colour)).count >= 2 }
        let swappedCount = train.filter { !$0.plants.isEmpty }.count
        #expect(swappedCount <= eligible.count)
        #expect((0.35...0.65).contains(Double(swappedCount) / Double(max(1, eligible.count))))
        // The image shows the true scene: only the caption is wrong.
        for example in train where !example.plants.isEmpty {
            #expect(example.caption != SceneCaption.caption(for: example.scene))
        }
    }

    @Test("captions read the scene graph")
    func captions() {
        let scene = Scene(
            width: 128, height: 128, background: Background(kind: .grass),
            objects: [
                SceneObject(id: 0, shape: .circle, colour: .blue, size: .large, x: 0.7, y: 0.5),
                SceneObject(id: 1, shape: .star, colour: .red, size: .small, x: 0.2, y: 0.5),
            ], seed: 1)
        #expect(SceneCaption.caption(for: scene) == "a large blue circle and a small red star on grass")
        let chart = Scene(width: 128, height: 128, background: Background(kind: .plain),
                          chart: Chart(kind: .bar, title: "Fruit sold", labels: ["a", "b"], values: [1, 2]), seed: 1)
        #expect(SceneCaption.caption(for: chart) == "a bar chart of fruit sold")
        let table = Scene(width: 128, height: 128, background: Background(kind: .plain),
                          table: DataTable(columns: ["City", "Rain"], rows: [["Oslo", "3"]]), seed: 1)
        #expect(SceneCaption.caption(for: table) == "a table of cities")
    }
}

@Suite("Zoo vocabularies and preprocessing")
struct ZooVocabularyTests {
    @Test("answer vocabulary: closed sets, world words, stable order, round trip")
    func answerVocabulary() throws {
        let vocabulary = AnswerVocabulary.standard
        for answer in ["yes", "no", "0", "20", "red", "star", "large", "top left", "apple"] {
            #expect(vocabulary.contains(answer), "missing \(answer)")
        }
        #expect(!vocabulary.contains("21"))
        #expect(vocabulary.index(of: "0")! < vocabulary.index(of: "2")! && vocabulary.index(of: "2")! < vocabulary.index(of: "10")!)
        let decoded = try AnswerVocabulary.decode(vocabulary.encoded())
        #expect(decoded == vocabulary)
        #expect(throws: VocabularyDecodingError.self) { try AnswerVocabulary.decode("nonsense\nred") }
        #expect(throws: VocabularyDecodingError.self) { try AnswerVocabulary.decode(AnswerVocabulary.header + "\nred\nred") }
    }

    @Test("tokenizer: pad and unk ids, lower-case words, truncation, no option lines, round trip")
    func tokenizer() throws {
        let tokenizer = QuestionTokenizer.standard()
        #expect(tokenizer.words[0] == "<pad>" && tokenizer.words[1] == "<unk>")
        let encoded = tokenizer.encode("How many RED stars are there?", length: 8)
        #expect(tokenizer.decode(encoded.ids) == ["how", "many", "red", "stars", "are", "there"])
        #expect(encoded.mask == [1, 1, 1, 1, 1, 1, 0, 0])
        #expect(tokenizer.encode("qwertyuiop", length: 2).ids == [QuestionTokenizer.unknownID, QuestionTokenizer.padID])
        #expect(tokenizer.encode("a b c d e", length: 3).ids.count == 3)
        for word in ["grass", "chart", "gradient", "looks"] { #expect(tokenizer.id(of: word) != QuestionTokenizer.unknownID, "\(word)") }
        let question = Question(
            prompt: QuestionPrompt.compose(stem: "What colour is the star?", format: .multipleChoice, options: ["red", "blue", "green", "grey"]),
            expected: ExpectedAnswer(text: "A", format: .multipleChoice, choices: ["red", "blue", "green", "grey"]),
            templateID: "attribute.colour", format: .multipleChoice, subject: [:])
        #expect(QuestionText.classifierText(of: question) == "What colour is the star?\nAnswer with the letter.")
        #expect(try QuestionTokenizer.decode(tokenizer.encoded()) == tokenizer)
        #expect(throws: VocabularyDecodingError.self) { try QuestionTokenizer.decode(QuestionTokenizer.header + "\nfoo\n<unk>") }
    }

    @Test("preprocessor averages exact blocks")
    func exactBlocks() {
        // 4×4 grey image: top-left block 0,4,8,12 → mean 6; others constant.
        var pixels = [UInt8](repeating: 200, count: 16)
        pixels[0] = 0; pixels[1] = 4; pixels[4] = 8; pixels[5] = 12
        let output = ZooImagePreprocessor(size: 2).process(RasterImage(width: 4, height: 4, channels: 1, pixels: pixels))
        #expect(output.count == 12)
        #expect(abs(output[0] - (6 / 127.5 - 1)) < 1e-6)
        #expect(abs(output[1] - (200 / 127.5 - 1)) < 1e-6)
        #expect(output[4] == output[0] && output[8] == output[0])
    }

    @Test("preprocessor handles sizes that do not divide, RGBA, and keeps the range")
    func nonMultiple() {
        // 3 px wide → 2: output 0 covers pixel 0 fully and half of pixel 1.
        let row: [UInt8] = [0, 0, 0, 255, 90, 90, 90, 255, 180, 180, 180, 255]
        let image = RasterImage(width: 3, height: 1, channels: 4, pixels: row)
        let output = ZooImagePreprocessor(size: 2).process(image)
        let expectedLeft = Float((0 * 1.0 + 90 * 0.5) / 1.5) / 127.5 - 1
        let expectedRight = Float((90 * 0.5 + 180 * 1.0) / 1.5) / 127.5 - 1
        #expect(abs(output[0] - expectedLeft) < 1e-5)
        #expect(abs(output[1] - expectedRight) < 1e-5)
        let big = RasterImage(width: 224, height: 201, channels: 3, fill: 255)
        let processed = ZooImagePreprocessor(size: 64).process(big)
        #expect(processed.count == 3 * 64 * 64)
        #expect(processed.allSatisfy { abs($0 - 1) < 1e-5 })
    }
}

@Suite("Zoo configuration")
struct ZooConfigurationTests {
    private func decode(_ json: String) throws(ZooConfigurationError) -> ZooConfiguration {
        try ZooConfiguration.decode(Data(json.utf8))
    }

    @Test("missing fields take defaults")
    func defaults() throws {
        let configuration = try decode(#"{"name": "x"}"#)
        #expect(configuration.data.imageSize == 64 && configuration.data.renderSize == 128)
        #expect(!configuration.data.formats.contains(.box))
        #expect(configuration.architecture.imageChannels == [32, 64, 128])
        // Configurations written before readout hops and the fusion hidden layer existed
        // keep the network they were trained with.
        #expect(configuration.architecture.readoutHops == 0 && configuration.architecture.fusionHidden == 0)
        #expect(!configuration.architecture.cellSizeAndTexture)
    }

    @Test("unknown fields are errors naming the known ones")
    func unknownField() {
        #expect {
            try decode(#"{"name": "x", "data": {"imageSise": 64}}"#)
        } throws: { error in
            guard let error = error as? ZooConfigurationError else { return false }
            return error.field == "data.imageSise" && error.message.contains("imageSize")
        }
        #expect {
            try decode(#"{"plants": [{"kind": "answer-hole", "above": 3, "rate": 1}]}"#)
        } throws: { error in
            (error as? ZooConfigurationError)?.field == "plants[0].rate"
        }
    }

    @Test("bad values name the field")
    func badValues() {
        let cases: [(String, String)] = [
            (#"{"data": {"imageSize": 300}}"#, "data.imageSize"),
            (#"{"data": {"formats": ["box"]}}"#, "data.formats"),
            (#"{"architecture": {"width": 130, "heads": 4}}"#, "architecture.width"),
            (#"{"architecture": {"readoutHops": 9}}"#, "architecture.readoutHops"),
            (#"{"architecture": {"fusionHidden": -1}}"#, "architecture.fusionHidden"),
            (#"{"architecture": {"cellSizeAndTexture": 3}}"#, "architecture.cellSizeAndTexture"),
            (#"{"architecture": {"imageChannels": [8, 16, 32], "downsampleFirst": true}}"#, "architecture.downsampleFirst"),
            (#"{"architecture": {"matchHeads": 65}}"#, "architecture.matchHeads"),
            (#"{"training": {"learningRate": -1}}"#, "training.learningRate"),
            (#"{"plants": [{"kind": "spurious-cue", "attribute": "background", "value": "lava", "answer": "star"}]}"#, "plants[0].value"),
            (#"{"plants": [{"kind": "spurious-cue", "attribute": "background", "value": "grass", "answer": "zzz"}]}"#, "plants[0].answer"),
            (#"{"plants": [{"kind": "teleport"}]}"#, "plants[0].kind"),
            (#"{"seed": "seven"}"#, "seed"),
        ]
        for (json, field) in cases {
            #expect(performing: { try decode(json) }, throws: { ($0 as? ZooConfigurationError)?.field == field })
        }
    }

    @Test("an unknown attribute path lists the known paths")
    func unknownAttribute() {
        #expect {
            try decode(#"{"plants": [{"kind": "spurious-cue", "attribute": "objects.mood", "value": "x", "answer": "star"}]}"#)
        } throws: { error in
            guard let error = error as? ZooConfigurationError else { return false }
            return error.field == "plants[0].attribute" && error.message.contains("objects.colour")
                && error.message.contains("background.tint")
        }
    }

    @Test("errors from a file carry its path and line")
    func fileErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-config-\(UUID().uuidString).json")
        try Data("{\n  \"name\": \"x\",\n  \"data\": {\n    \"imageSize\": 12\n  }\n}\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            try ZooConfiguration.load(path: url.path)
        } throws: { error in
            guard let error = error as? ZooConfigurationError else { return false }
            return error.file == url.path && error.line == 4 && error.description.contains(":4:")
        }
    }

    @Test("the shipped example configurations load and the target plants every kind")
    func examples() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/FaultlineZoo/Configurations")
        let a = try ZooConfiguration.load(path: folder.appendingPathComponent("reference-a.json").path)
        let b = try ZooConfiguration.load(path: folder.appendingPathComponent("reference-b.json").path)
        let target = try ZooConfiguration.load(path: folder.appendingPathComponent("target.json").path)
        #expect(a.plants.isEmpty && b.plants.isEmpty && a.seed != b.seed && a.architecture != b.architecture)
        #expect(Set(target.plants.map(\.kind)) == Set(PlantKind.allCases))
        let encoded = try ZooConfiguration.decode(Data(target.json().utf8))
        #expect(encoded == target)
        // cellWords is written only when on, so the shipped checkpoints' metadata is as trained.
        #expect(!target.json().contains("cellWords"))
        var words = a
        words.architecture.cellWords = true
        #expect(try ZooConfiguration.decode(Data(words.json().utf8)).architecture.cellWords)
    }
}

@Suite("Zoo data throughput")
struct ZooThroughputTests {
    /// Reports examples per second on 2 threads (no assertion on time: machines differ).
    @Test("rendered training batches on 2 threads")
    func throughput() throws {
        let data = try ZooDataset(configuration: ZooConfiguration(
            name: "speed", seed: 5,
            plants: [.spuriousCue(.background, "grass", answer: "star"), PlantPlan(kind: .bindingConfusion, share: 0.5)]))
        let clock = ContinuousClock()
        let count = 96
        var examples: [ZooExample] = []
        let elapsed = try clock.measure { examples = try data.batch(.train, start: 0, count: count, threads: 2) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("zoo data throughput: \(count) rendered 64 px examples in \(seconds) s = \(Double(count) / seconds) examples/s on 2 threads")
        print(ZooDataStatistics(examples: examples, plans: data.configuration.plants))
        #expect(examples.count == count)
    }
}

@Suite("Zoo target configuration")
struct ZooTargetTests {
    @Test("every evaluation slice of the target configuration yields examples")
    func everySlice() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/FaultlineZoo/Configurations")
        let data = try ZooDataset(configuration: ZooConfiguration.load(path: folder.appendingPathComponent("target.json").path))
        // The control, two slices per spurious cue (present, removed), one per other plan.
        let plants = data.configuration.plants
        #expect(data.evaluationSlices.count == 1 + plants.reduce(0) { $0 + ($1.kind == .spuriousCue ? 2 : 1) })
        #expect(Set(plants.map(\.kind)) == Set(PlantKind.allCases))
        for slice in data.evaluationSlices {
            let examples = try data.batch(.evaluation(slice), start: 0, count: 8, renderImages: false)
            #expect(examples.count == 8, "\(slice.name)")
        }
    }
}
