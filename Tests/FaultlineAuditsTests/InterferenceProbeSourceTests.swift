import FaultlineAudits
import FaultlineCore
import FaultlineImageIO
import FaultlineScenes
import Foundation
import Testing

@Suite struct InterferenceProbeSourceTests {
    static let seed: UInt64 = 7
    /// Every perturbation over a few bases of each side: 4 × 5 + 3 × 6 probes.
    static let source = InterferenceProbeSource(imageHeavyCount: 4, textHeavyCount: 3, seed: seed)
    static let samples = Array(source.samples())

    static func decodeScene(_ json: String?) throws -> Scene {
        try JSONDecoder().decode(Scene.self, from: Data(try #require(json).utf8))
    }

    /// The wrong answer a misleading sentence names, read back through the wordings.
    static func namedAnswer(in sentence: String, format: AnswerFormat) -> String? {
        for wording in InterferenceTexts.misleadingWordings(for: format) {
            let parts = wording.components(separatedBy: InterferenceTexts.answerPlaceholder)
            guard parts.count == 2, sentence.hasPrefix(parts[0]), sentence.hasSuffix(parts[1]),
                sentence.count > parts[0].count + parts[1].count
            else { continue }
            return String(sentence.dropFirst(parts[0].count).dropLast(parts[1].count))
        }
        return nil
    }

    static func rightValue(_ expected: ExpectedAnswer) -> String {
        guard expected.format == .multipleChoice, let choices = expected.choices,
            let index = QuestionPrompt.letterIndex(expected.text)
        else { return expected.text }
        return choices[index]
    }

    // MARK: - Perturbations

    @Test func perturbationsSplitIntoTheTwoSidesInCaseOrder() {
        let image = InterferencePerturbation.perturbations(for: .imageHeavy)
        let text = InterferencePerturbation.perturbations(for: .textHeavy)
        #expect(image == [.irrelevantFacts, .misleadingDescription, .ocrNoise, .typographicOverlay])
        #expect(text == [.randomPixels, .blackImage, .whiteImage, .unrelatedScene, .unrelatedChart])
        #expect(image.allSatisfy { $0.side == .imageHeavy } && text.allSatisfy { $0.side == .textHeavy })
        #expect(InterferencePerturbation.misleadingDescription.title == "Misleading description")
        for perturbation in InterferencePerturbation.allCases {
            #expect(!perturbation.title.isEmpty)
            #expect(perturbation.explanation.hasSuffix("."))
        }
    }

    @Test func noTextUsesThePlantedWord() {
        var texts = InterferencePerturbation.allCases.flatMap { [$0.title, $0.explanation, $0.rawValue] }
        texts += InterferenceSide.allCases.flatMap { [$0.title, $0.explanation] }
        texts += InterferenceTexts.irrelevantFacts + InterferenceTexts.descriptionWordings
        texts += InterferenceTexts.answerWordings + InterferenceTexts.formWords
        #expect(!texts.contains { $0.lowercased().contains("glance") })
    }

    // MARK: - Layout

    @Test func probesComeInGroupsCleanFirstImageSideFirst() {
        let source = Self.source
        #expect(source.count == 4 * 5 + 3 * 6)
        #expect(Self.samples.count == source.count)
        let imageOrder: [InterferencePerturbation?] = [nil] + InterferencePerturbation.perturbations(for: .imageHeavy)
        let textOrder: [InterferencePerturbation?] = [nil] + InterferencePerturbation.perturbations(for: .textHeavy)
        var expected: [(InterferenceSide, Int, InterferencePerturbation?)] = []
        for base in 0..<4 { expected += imageOrder.map { (.imageHeavy, base, $0) } }
        for base in 0..<3 { expected += textOrder.map { (.textHeavy, base, $0) } }
        for (index, sample) in Self.samples.enumerated() {
            let (side, base, perturbation) = expected[index]
            #expect(source.slot(at: index) == .init(side: side, baseIndex: base, perturbation: perturbation))
            #expect(sample.probe.id == source.probeID(at: index))
            #expect(sample.probe.lineage.factors["side"] == side.rawValue)
            #expect(sample.probe.lineage.factors["perturbation"] == (perturbation?.rawValue ?? "none"))
            #expect((sample.probe.ability == .language) == (side == .textHeavy))
        }
    }

    @Test func selectionIsASetKeptInCaseOrder() {
        let source = InterferenceProbeSource(
            imageHeavyCount: 2, textHeavyCount: 2, seed: 3,
            perturbations: [.whiteImage, .ocrNoise, .blackImage, .ocrNoise])
        #expect(source.imagePerturbations == [.ocrNoise])
        #expect(source.textPerturbations == [.blackImage, .whiteImage])
        #expect(source.count == 2 * 2 + 2 * 3)
        let ids = source.samples().map(\.probe.id)
        #expect(ids.count == source.count)
        #expect(ids[1] == ids[0] + "~ocr-noise")
        #expect(ids[5] == ids[4] + "~black-image" && ids[6] == ids[4] + "~white-image")
        #expect(Set(ids).count == ids.count)

        let cleanOnly = InterferenceProbeSource(imageHeavyCount: 2, textHeavyCount: 1, seed: 3, perturbations: [])
        #expect(cleanOnly.count == 3)
        #expect(cleanOnly.samples().allSatisfy { $0.probe.lineage.parent == nil })
    }

    @Test func cleanProbesAreTheBaseSuitesProbesWithTwoFactorsAdded() {
        let suite = AbilitySuite(
            count: 4, seed: Self.seed,
            configuration: InterferenceProbeSource.suiteConfiguration(abilities: Ability.perception))
        let language = LanguageProbeSource(count: 3, seed: Self.seed)
        for base in 0..<4 {
            let clean = Self.samples[base * 5]
            var original = suite.sample(at: base)
            original.probe.lineage.factors["side"] = "image-heavy"
            original.probe.lineage.factors["perturbation"] = "none"
            #expect(clean.probe == original.probe)
            #expect(clean.imagePNGs == original.imagePNGs)
            #expect([.multipleChoice, .yesNo, .number].contains(clean.probe.expected.format))
        }
        for base in 0..<3 {
            let clean = Self.samples[20 + base * 6]
            var original = language.probe(at: base)
            original.lineage.factors["side"] = "text-heavy"
            original.lineage.factors["perturbation"] = "none"
            #expect(clean.probe == original)
            #expect(clean.imagePNGs.isEmpty)
        }
    }

    @Test func variantsPointAtTheirCleanProbe() throws {
        var clean: ProbeSample?
        for sample in Self.samples {
            let probe = sample.probe
            guard probe.lineage.factors["perturbation"] != "none" else {
                clean = sample
                continue
            }
            let cleanSample = try #require(clean)
            let parent = cleanSample.probe
            let perturbation = try #require(InterferencePerturbation(rawValue: probe.lineage.factors["perturbation"] ?? ""))
            #expect(probe.id == "\(parent.id)~\(perturbation.rawValue)")
            #expect(probe.lineage.source == "interference")
            #expect(probe.lineage.parent == parent.id)
            #expect(probe.lineage.transformation == perturbation.rawValue)
            #expect(probe.lineage.seed == Self.seed)
            #expect(probe.expected == parent.expected)
            #expect(probe.ability == parent.ability)
            var factors = parent.lineage.factors
            factors["perturbation"] = perturbation.rawValue
            if perturbation == .typographicOverlay { factors["overlay"] = probe.lineage.factors["overlay"] }
            #expect(probe.lineage.factors == factors)
            #expect(sample.imagePNGs.count == probe.images.count)
            if !perturbation.changesImage {
                #expect(probe.images == parent.images)
                #expect(sample.imagePNGs == cleanSample.imagePNGs)
                #expect(probe.scene == parent.scene)
                #expect(probe.prompt.hasSuffix("\n" + parent.prompt) && probe.prompt != parent.prompt)
            } else {
                #expect(probe.prompt == parent.prompt)
            }
        }
    }

    // MARK: - Determinism

    @Test func sameSeedGivesIdenticalProbesAndBytes() {
        let again = Array(InterferenceProbeSource(imageHeavyCount: 4, textHeavyCount: 3, seed: Self.seed).samples())
        #expect(again.map(\.probe) == Self.samples.map(\.probe))
        #expect(again.map(\.imagePNGs) == Self.samples.map(\.imagePNGs))

        let other = Array(InterferenceProbeSource(imageHeavyCount: 4, textHeavyCount: 3, seed: Self.seed + 1).samples())
        #expect(other.map(\.probe.prompt) != Self.samples.map(\.probe.prompt))
    }

    @Test(arguments: [0, 7, 19, 20, 33, 37, 38])
    func samplesFromAnIndexAreTheTail(start: Int) {
        let tail = Array(Self.source.samples(from: start))
        #expect(tail.count == Self.source.count - start)
        #expect(tail.map(\.probe) == Self.samples.dropFirst(start).map(\.probe))
        #expect(tail.map(\.imagePNGs) == Self.samples.dropFirst(start).map(\.imagePNGs))
    }

    // MARK: - Image-heavy perturbations

    @Test func misleadingDescriptionNamesAWrongAnswerOfTheRightKind() throws {
        let source = InterferenceProbeSource(
            imageHeavyCount: 18, textHeavyCount: 0, seed: 11, perturbations: [.misleadingDescription],
            abilities: [.counting, .attribute, .entity, .structuredData])
        let samples = Array(source.samples())
        var formats: Set<AnswerFormat> = []
        for group in stride(from: 0, to: samples.count, by: 2) {
            let clean = samples[group].probe, variant = samples[group + 1].probe
            let lines = variant.prompt.components(separatedBy: "\n")
            let sentence = lines[0]
            #expect(lines.dropFirst().joined(separator: "\n") == clean.prompt)
            let named = try #require(Self.namedAnswer(in: sentence, format: clean.expected.format), "\(sentence)")
            let right = Self.rightValue(clean.expected)
            #expect(named != right, "\(variant.id): \(sentence) names the right answer")
            formats.insert(clean.expected.format)
            switch clean.expected.format {
            case .multipleChoice:
                #expect(try #require(clean.expected.choices).contains(named))
            case .yesNo:
                #expect(named == (right == "yes" ? "no" : "yes"))
            case .number:
                let value = try #require(Int(named)), answer = try #require(Int(right))
                #expect(value >= 0 && value != answer && abs(value - answer) <= max(2, answer / 2))
            default:
                Issue.record("unexpected format \(clean.expected.format)")
            }
        }
        #expect(formats == [.multipleChoice, .yesNo, .number])
    }

    @Test func wrongAnswersOfEachKind() {
        var rng = SeededGenerator(seed: 1)
        #expect(InterferenceTexts.wrongAnswer(for: .init(text: "yes", format: .yesNo), rng: &rng) == "no")
        #expect(InterferenceTexts.wrongAnswer(for: .init(text: "no", format: .yesNo), rng: &rng) == "yes")
        for _ in 0..<20 {
            let zero = InterferenceTexts.wrongAnswer(for: .init(text: "0", format: .number), rng: &rng)
            #expect(zero == "1" || zero == "2")
            let large = InterferenceTexts.wrongAnswer(for: .init(text: "350", format: .number), rng: &rng)
            #expect(["315", "385", "280", "420"].contains(large ?? ""))
            let choice = InterferenceTexts.wrongAnswer(
                for: .init(text: "B", format: .multipleChoice, choices: ["red", "blue", "green"]), rng: &rng)
            #expect(choice == "red" || choice == "green")
        }
        #expect(InterferenceTexts.wrongAnswer(for: .init(text: "cat", format: .freeText), rng: &rng) == nil)
    }

    @Test func typographicOverlayOnObjectScenesEditsTheSceneAndKeepsTheAnswer() throws {
        let source = InterferenceProbeSource(
            imageHeavyCount: 6, textHeavyCount: 0, seed: 5, perturbations: [.misleadingDescription, .typographicOverlay],
            abilities: [.counting, .attribute, .entity])
        let samples = Array(source.samples())
        var sceneOverlays = 0
        for group in stride(from: 0, to: samples.count, by: 3) {
            let clean = samples[group], misleading = samples[group + 1], overlay = samples[group + 2]
            #expect(overlay.probe.expected == clean.probe.expected)
            #expect(overlay.probe.images.count == 1 && overlay.imagePNGs.count == 1)
            #expect(overlay.imagePNGs != clean.imagePNGs)
            #expect(overlay.probe.images[0].sha256 == SHA256.hex(of: overlay.imagePNGs[0]))
            let named = try #require(
                Self.namedAnswer(
                    in: misleading.probe.prompt.components(separatedBy: "\n")[0],
                    format: clean.probe.expected.format))
            let scene = try Self.decodeScene(overlay.probe.scene)
            switch overlay.probe.lineage.factors["overlay"] {
            case "scene":
                sceneOverlays += 1
                let before = try Self.decodeScene(clean.probe.scene)
                #expect(scene.labels.count == before.labels.count + 1)
                #expect(scene.labels.last?.text == named)
                #expect(scene.isValid)
                // The image is the edited scene's rendering, nothing more.
                let rendered = try PNGCodec.encode(try SceneRenderer().render(scene))
                #expect(rendered == overlay.imagePNGs[0])
            case "raster":
                #expect(overlay.probe.scene == clean.probe.scene)
            default:
                Issue.record("\(overlay.probe.id): overlay factor is \(String(describing: overlay.probe.lineage.factors["overlay"]))")
            }
        }
        #expect(sceneOverlays >= 4, "most object scenes should take a sign; \(sceneOverlays) of 6 did")
    }

    @Test func typographicOverlayOnChartsAndTablesIsDrawnOnTheRaster() throws {
        let source = InterferenceProbeSource(
            imageHeavyCount: 4, textHeavyCount: 0, seed: 9, perturbations: [.typographicOverlay],
            abilities: [.structuredData])
        let samples = Array(source.samples())
        for group in stride(from: 0, to: samples.count, by: 2) {
            let clean = samples[group], overlay = samples[group + 1]
            #expect(overlay.probe.lineage.factors["overlay"] == "raster")
            #expect(overlay.probe.scene == clean.probe.scene)
            #expect(overlay.probe.expected == clean.probe.expected)
            let before = try PNGCodec.decode(clean.imagePNGs[0]).rgb()
            let after = try PNGCodec.decode(overlay.imagePNGs[0]).rgb()
            #expect(after.width == before.width && after.height == before.height)
            // Text was written: some pixels changed, and only in a patch, not the whole image.
            var changed = 0
            for pixel in 0..<(before.width * before.height)
            where before.pixels[3 * pixel..<3 * pixel + 3] != after.pixels[3 * pixel..<3 * pixel + 3] {
                changed += 1
            }
            #expect(changed > 30)
            #expect(Double(changed) < 0.15 * Double(before.width * before.height))
        }
    }

    @Test func irrelevantFactsAreTwoBankFactsBeforeThePrompt() {
        let bank = InterferenceTexts.irrelevantFacts
        #expect(bank.count >= 30)
        #expect(Set(bank).count == bank.count)
        for (group, sample) in Self.samples.enumerated() where sample.probe.lineage.factors["perturbation"] == "irrelevant-facts" {
            let clean = Self.samples[group - 1].probe
            let firstLine = sample.probe.prompt.components(separatedBy: "\n")[0]
            #expect(sample.probe.prompt == firstLine + "\n" + clean.prompt)
            let used = bank.filter { firstLine.contains($0) }
            #expect(used.count == 2 && used.joined().count + 1 == firstLine.count, "\(firstLine)")
        }
    }

    @Test func irrelevantFactsHintAtNoAnswer() {
        var answerWords: Set<String> = [
            "black", "white", "pink", "gold", "silver", "dark", "light", "bright", "color", "colour", "gray",
            "big", "small", "large", "tiny", "huge", "little", "tall", "short", "long", "wide", "thin", "thick",
            "left", "right", "top", "bottom", "above", "below", "under", "over", "middle", "center", "centre",
            "inside", "outside", "near", "next", "behind", "front", "side", "corner", "edge",
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "twenty", "hundred", "thousand", "first", "second", "third", "half", "double", "single",
            "count", "number", "many", "shape", "size", "round", "ring", "box", "sign", "line", "point", "total",
            "yes", "no", "true", "false", "striped", "dotted", "checkered", "sun", "mon", "tue", "wed", "thu",
            "fri", "sat", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ]
        answerWords.formUnion(NamedColour.allCases.map(\.rawValue))
        answerWords.formUnion(Shape.allCases.map(\.rawValue))
        answerWords.formUnion(SizeClass.allCases.map(\.rawValue))
        answerWords.formUnion(Texture.allCases.map(\.rawValue))
        // "left of", "next to": the position words, not the prepositions.
        let positionWords = (Relation.allCases.map(\.rawValue) + Quadrant.allCases.map(\.rawValue))
            .flatMap { $0.split(separator: " ").map(String.init) }
        answerWords.formUnion(positionWords.filter { !["of", "to"].contains($0) })
        for fact in InterferenceTexts.irrelevantFacts {
            #expect(!fact.contains { $0.isNumber }, "\(fact) has a digit")
            let words = fact.lowercased().split { !$0.isLetter }.map(String.init)
            let hints = words.filter { answerWords.contains($0) || answerWords.contains(String($0.dropLast())) }
            #expect(hints.isEmpty, "\(fact) uses \(hints)")
        }
    }

    @Test func ocrNoiseIsAGarbledLineOfFormText() {
        var rng = SeededGenerator(seed: 21)
        var lines: [String] = []
        for _ in 0..<60 { lines.append(InterferenceTexts.ocrNoiseLine(rng: &rng)) }
        for line in lines {
            let tokens = line.split(separator: " ", omittingEmptySubsequences: false)
            #expect(InterferenceTexts.ocrTokenRange.contains(tokens.count), "\(line)")
            #expect(!tokens.contains { $0.isEmpty } && !line.contains("\n"))
        }
        #expect(Set(lines).count == lines.count)
        // Confusions happen: digits read for letters, and words no longer spelt right.
        #expect(lines.contains { $0.contains { "015".contains($0) } })
        let words = Set(InterferenceTexts.formWords)
        let tokens = lines.flatMap { $0.split(separator: " ").map(String.init) }
        #expect(tokens.filter { words.contains($0) }.count < tokens.count / 2)

        for (index, sample) in Self.samples.enumerated() where sample.probe.lineage.factors["perturbation"] == "ocr-noise" {
            let clean = Self.samples[index - 3].probe
            let noise = sample.probe.prompt.components(separatedBy: "\n")[0]
            #expect(sample.probe.prompt == noise + "\n" + clean.prompt)
            #expect(InterferenceTexts.ocrTokenRange.contains(noise.split(separator: " ").count))
        }
    }

    // MARK: - Text-heavy perturbations

    @Test func textHeavyVariantsAddExactlyOneImageOfTheirKind() throws {
        let width = InterferenceProbeSource.suiteConfiguration(abilities: Ability.perception).scenes.width
        let height = InterferenceProbeSource.suiteConfiguration(abilities: Ability.perception).scenes.height
        var seen: Set<InterferencePerturbation> = []
        for sample in Self.samples where sample.probe.lineage.factors["side"] == "text-heavy" {
            let probe = sample.probe
            guard let perturbation = InterferencePerturbation(rawValue: probe.lineage.factors["perturbation"] ?? "")
            else {
                #expect(probe.images.isEmpty && sample.imagePNGs.isEmpty)
                continue
            }
            seen.insert(perturbation)
            #expect(probe.images.count == 1 && sample.imagePNGs.count == 1)
            let ref = probe.images[0], png = sample.imagePNGs[0]
            #expect(ref.sha256 == SHA256.hex(of: png))
            let image = try PNGCodec.decode(png).rgb()
            #expect(ref.width == width && ref.height == height && image.width == width && image.height == height)
            switch perturbation {
            case .blackImage:
                #expect(image.pixels.allSatisfy { $0 == 0 })
                #expect(probe.scene == nil)
            case .whiteImage:
                #expect(image.pixels.allSatisfy { $0 == 255 })
                #expect(probe.scene == nil)
            case .randomPixels:
                #expect(Set(image.pixels).count > 250)
                let mean = Double(image.pixels.reduce(0) { $0 + Int($1) }) / Double(image.pixels.count)
                #expect(abs(mean - 127.5) < 3)
                #expect(probe.scene == nil)
            case .unrelatedScene, .unrelatedChart:
                let scene = try Self.decodeScene(probe.scene)
                #expect((scene.chart != nil) == (perturbation == .unrelatedChart))
                #expect(scene.table == nil)
                #expect(try SceneRenderer().render(scene).pixels == image.pixels)
            default:
                Issue.record("\(probe.id): image-heavy perturbation on a text-heavy probe")
            }
        }
        #expect(seen == Set(InterferencePerturbation.perturbations(for: .textHeavy)))
        // Different bases get different noise and scenes.
        let noise = Self.samples.filter { $0.probe.lineage.factors["perturbation"] == "random-pixels" }
        #expect(Set(noise.map { $0.probe.images[0].sha256 }).count == noise.count)
    }

    // MARK: - Validation

    @Test func badArgumentsAreNamed() {
        #expect(throws: InterferenceProbeSourceError.self) {
            try InterferenceProbeSource(validatingImageHeavyCount: -1, textHeavyCount: 1, seed: 1)
        }
        do {
            _ = try InterferenceProbeSource(validatingImageHeavyCount: 1, textHeavyCount: -2, seed: 1)
            Issue.record("a negative text-heavy count was accepted")
        } catch {
            #expect(error.field == "textHeavyCount")
        }
        for abilities in [[Ability.language], [], [.counting, .counting]] {
            do {
                _ = try InterferenceProbeSource(
                    validatingImageHeavyCount: 1, textHeavyCount: 1, seed: 1, abilities: abilities)
                Issue.record("abilities \(abilities) were accepted")
            } catch {
                #expect(error.field == "abilities")
                #expect(error.description.contains("abilities"))
            }
        }
        let valid = try? InterferenceProbeSource(
            validatingImageHeavyCount: 2, textHeavyCount: 1, seed: 1, abilities: [.ocr, .grounding])
        #expect(valid?.count == 2 * 5 + 1 * 6)
    }
}
