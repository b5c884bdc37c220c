import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@testable import FaultlineScenes

@Suite("Ability suite")
struct AbilitySuiteTests {
    struct Summary: Equatable {
        var id: String
        var prompt: String
        var expected: ExpectedAnswer
        var lineage: Lineage
        var scene: String?
        var imageHash: String
        var pngHash: String
    }

    static func summaries(_ samples: some Sequence<ProbeSample>) -> [Summary] {
        samples.map {
            Summary(
                id: $0.probe.id, prompt: $0.probe.prompt, expected: $0.probe.expected, lineage: $0.probe.lineage,
                scene: $0.probe.scene, imageHash: $0.probe.images[0].sha256, pngHash: SHA256.hex(of: $0.imagePNGs[0]))
        }
    }

    /// One suite shared by the tests that only read it: rendering is the slow part.
    static let suite = AbilitySuite(count: 60, seed: 42)
    static let samples = Array(suite.samples())

    @Test("the same seed gives the same ids, prompts, answers and PNG bytes")
    func deterministic() {
        let again = AbilitySuite(count: 60, seed: 42)
        #expect(Self.summaries(Self.samples) == Self.summaries(again.samples()))
        let other = AbilitySuite(count: 60, seed: 43)
        #expect(Self.summaries(other.samples()).map(\.pngHash) != Self.summaries(Self.samples).map(\.pngHash))
    }

    @Test("sample(at:) and samples(from:) equal lazy iteration")
    func jumping() {
        let all = Self.summaries(Self.samples)
        #expect(Self.summaries([Self.suite.sample(at: 37)]) == [all[37]])
        #expect(Self.summaries(Self.suite.samples(from: 50)) == Array(all[50...]))
        #expect(Self.summaries(Self.suite.samples(from: 60)).isEmpty)
    }

    @Test("probes carry ids, images, the scene, and every factor")
    func probeShape() throws {
        for (index, sample) in Self.samples.enumerated() {
            let probe = sample.probe
            #expect(probe.id == String(format: "ab-s42-%06d", index))
            #expect(probe.images.count == 1 && sample.imagePNGs.count == 1)
            #expect(probe.images[0].width == 224 && probe.images[0].height == 224)
            #expect(probe.images[0].sha256 == SHA256.hex(of: sample.imagePNGs[0]))
            let image = try PNGCodec.decode(sample.imagePNGs[0])
            #expect(image.width == 224 && image.height == 224)
            #expect(probe.lineage.source == "scene-engine" && probe.lineage.seed == 42)
            #expect(
                Set(probe.lineage.factors.keys) == [
                    "format", "template", "background", "objects", "resolution", "edit",
                ])
            #expect(probe.lineage.factors["resolution"] == "224px")
            #expect(probe.lineage.factors["format"] == probe.expected.format.rawValue)
            #expect(["0-2", "3-5", "6-10"].contains(probe.lineage.factors["objects"] ?? ""))
            let scene = try JSONDecoder().decode(Scene.self, from: Data(try #require(probe.scene).utf8))
            #expect(probe.lineage.factors["background"] == scene.background.kind.rawValue)
            #expect(probe.lineage.factors["objects"] == AbilitySuite.objectCountLevel(scene.objects.count))
            let template = try #require(QuestionTemplates.template(id: probe.lineage.factors["template"] ?? ""))
            #expect(template.ability == probe.ability)
            #expect(template.formats.contains(probe.expected.format))
        }
    }

    @Test("every ability and every format appears")
    func coverage() {
        #expect(Set(Self.samples.map(\.probe.ability)) == Set(Ability.perception))
        #expect(Set(Self.samples.map(\.probe.expected.format)) == Set(AbilitySuiteConfiguration.allFormats))
        // Originals take the abilities in turn.
        let abilities = Self.samples.filter { $0.probe.lineage.parent == nil }.map(\.probe.ability)
        for ability in Ability.perception {
            #expect(abilities.filter { $0 == ability }.count >= 6)
        }
    }

    @Test("answers are the ones the templates compute from the stored scene")
    func answersFromStoredScene() throws {
        for sample in Self.samples {
            let probe = sample.probe
            let spec = Self.suite.spec(at: Int(probe.id.suffix(6)) ?? -1)
            #expect(spec.question.prompt == probe.prompt && spec.question.expected == probe.expected)
            let scene = try JSONDecoder().decode(Scene.self, from: Data(try #require(probe.scene).utf8))
            #expect(scene == spec.scene)
            let template = try #require(
                QuestionTemplates.template(id: spec.question.templateID) as? any ComputedQuestionTemplate)
            #expect(template.answer(for: spec.question.subject, in: scene) == spec.question.answerValue)
        }
    }

    @Test("counterfactual twins: one edit of the previous probe's scene, same question, recomputed answer")
    func counterfactuals() throws {
        let twins = Self.samples.filter { $0.probe.lineage.parent != nil }
        let slots = (0..<60).filter(Self.suite.isCounterfactualSlot)
        #expect(slots.count == 12, "a fifth of 60")
        #expect(twins.count >= 10 && twins.count <= slots.count)
        for twin in twins {
            let index = try #require(Int(twin.probe.id.suffix(6)))
            #expect(slots.contains(index))
            let parent = Self.samples[index - 1].probe
            #expect(twin.probe.lineage.parent == parent.id && parent.lineage.parent == nil)
            let edit = try #require(Self.suite.spec(at: index).edit)
            #expect(twin.probe.lineage.transformation == edit.name && twin.probe.lineage.factors["edit"] == edit.name)
            #expect(twin.probe.lineage.factors["template"] == parent.lineage.factors["template"])
            #expect(twin.probe.ability == parent.ability && twin.probe.expected.format == parent.expected.format)
            #expect(twin.probe.prompt.split(separator: "\n")[0] == parent.prompt.split(separator: "\n")[0])
            // The twin's scene is the parent's scene with the edit applied.
            let parentScene = try JSONDecoder().decode(Scene.self, from: Data(try #require(parent.scene).utf8))
            let twinScene = try JSONDecoder().decode(Scene.self, from: Data(try #require(twin.probe.scene).utf8))
            #expect(edit.apply(to: parentScene) == twinScene)
        }
        for original in Self.samples where original.probe.lineage.parent == nil {
            #expect(original.probe.lineage.factors["edit"] == "none" && original.probe.lineage.transformation == nil)
        }
    }

    @Test("half the twins are steered to change the answer, and counting twins mostly do")
    func twinsChangeAnswers() throws {
        // Counting answers follow any add, remove or recolour of a counted object. (Some answers
        // cannot change under one edit — a shape, a sign's text — so the share is lower overall.)
        let configuration = AbilitySuiteConfiguration(abilities: [.counting], counterfactualShare: 0.5)
        let suite = AbilitySuite(count: 0, seed: 5, configuration: configuration)
        var changed = 0
        var twins = 0
        for index in 0..<200 where suite.isCounterfactualSlot(index) {
            let spec = suite.spec(at: index)
            guard spec.parentID != nil else { continue }
            twins += 1
            if spec.question.answerValue != suite.spec(at: index - 1).question.answerValue { changed += 1 }
        }
        #expect(twins >= 95, "\(twins) of 100 slots became twins")
        #expect(
            (0.4...0.6).contains(Double(changed) / Double(twins)), "\(changed) of \(twins) twins changed the answer")
    }

    @Test("yes/no answers are balanced across the suite")
    func yesNoBalance() {
        let configuration = AbilitySuiteConfiguration(
            abilities: [.grounding, .attribute, .entity], formats: [.yesNo], counterfactualShare: 0)
        let yesNo = AbilitySuite(count: 0, seed: 9, configuration: configuration)
        let answers = (0..<400).map { yesNo.spec(at: $0).question.expected.text }
        let yes = answers.filter { $0 == "yes" }.count
        #expect(answers.allSatisfy { $0 == "yes" || $0 == "no" })
        #expect((170...230).contains(yes), "\(yes) of 400")
    }

    @Test("a configuration restricts abilities and formats")
    func restricted() {
        let configuration = AbilitySuiteConfiguration(abilities: [.counting, .structuredData], formats: [.number])
        let suite = AbilitySuite(count: 0, seed: 1, configuration: configuration)
        for index in 0..<24 {
            let spec = suite.spec(at: index)
            #expect([Ability.counting, .structuredData].contains(spec.ability))
            #expect(spec.question.format == .number)
        }
    }
}

@Suite("Ability suite configuration")
struct AbilitySuiteConfigurationTests {
    func decode(_ json: String) throws -> AbilitySuiteConfiguration {
        try JSONDecoder().decode(AbilitySuiteConfiguration.self, from: Data(json.utf8))
    }

    func field(of json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as AbilitySuiteConfigurationError {
            return error.field
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("defaults: all abilities and formats, a fifth counterfactual, 224 px")
    func defaults() throws {
        let configuration = AbilitySuiteConfiguration()
        #expect(configuration.abilities == Ability.perception)
        #expect(configuration.formats.count == 5)
        #expect(configuration.counterfactualShare == 0.2)
        #expect(configuration.resolutionLevel == "224px")
        #expect(try decode("{}") == configuration)
        let encoded = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(AbilitySuiteConfiguration.self, from: encoded) == configuration)
    }

    @Test("JSON fields are read, and bad ones are named")
    func fields() throws {
        let configuration = try decode(
            #"{"abilities": ["ocr", "structured-data"], "formats": ["free-text"], "scenes": {"width": 320, "height": 240}}"#
        )
        #expect(configuration.abilities == [.ocr, .structuredData])
        #expect(configuration.resolutionLevel == "320x240px")
        #expect(field(of: #"{"abilites": ["ocr"]}"#) == "abilites")
        #expect(field(of: #"{"abilities": ["reading"]}"#) == "abilities")
        #expect(field(of: #"{"abilities": []}"#) == "abilities")
        #expect(field(of: #"{"formats": ["number", "number"]}"#) == "formats")
        #expect(field(of: #"{"formats": ["box"]}"#) == "formats", "only grounding asks for boxes")
        #expect(field(of: #"{"abilities": ["grounding"], "formats": ["box"]}"#) == nil)
        #expect(field(of: #"{"counterfactualShare": 0.6}"#) == "counterfactualShare")
        #expect(field(of: #"{"counterfactualShare": "lots"}"#) == "counterfactualShare")
        #expect(field(of: #"{"scenes": {"width": 5}}"#) == "scenes.width")
        #expect(field(of: #"{"scenes": {"objectCount": [0, 1]}}"#) == "scenes.objectCount")
        #expect(field(of: #"{"abilities": ["counting"], "scenes": {"objectCount": [0, 1]}}"#) == nil)
        #expect(field(of: #"{"scenes": {"labelProbability": 0, "signProbability": 0}}"#) == "scenes.labelProbability")
    }

    @Test("errors say what to do")
    func messages() {
        let configuration = AbilitySuiteConfiguration(abilities: [.counting], formats: [.box])
        #expect(throws: AbilitySuiteConfigurationError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.description.contains("field `formats`"))
            #expect(error.description.contains("add multiple-choice or number to formats"))
        }
        #expect(throws: AbilitySuiteConfigurationError.self) {
            try AbilitySuite(validatingCount: -1, seed: 1, configuration: AbilitySuiteConfiguration())
        }
    }
}
