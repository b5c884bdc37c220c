import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@testable import FaultlineScenes

@Suite("Text probe source")
struct TextProbeSourceTests {
    static let factorNames: Set<String> = [
        "font", "weight", "size", "rotation", "contrast", "clutter", "blur", "noise", "jpeg", "lines", "kind",
    ]

    struct Summary: Equatable {
        var id: String
        var expected: String
        var factors: [String: String]
        var imageHash: String
        var pngHash: String
    }

    func summaries(_ samples: some Sequence<ProbeSample>) -> [Summary] {
        samples.map {
            Summary(
                id: $0.probe.id, expected: $0.probe.expected.text, factors: $0.probe.lineage.factors,
                imageHash: $0.probe.images[0].sha256, pngHash: SHA256.hex(of: $0.imagePNGs[0]))
        }
    }

    @Test("the same seed gives the same ids, answers, factors and PNG bytes")
    func deterministic() {
        let first = summaries(TextProbeSource(count: 12, seed: 42).samples())
        let second = summaries(TextProbeSource(count: 12, seed: 42).samples())
        #expect(first.count == 12)
        #expect(first == second)
        #expect(Set(first.map(\.pngHash)).count == 12)
    }

    @Test("a different seed gives different probes")
    func seedMatters() {
        let a = summaries(TextProbeSource(count: 6, seed: 1).samples())
        let b = summaries(TextProbeSource(count: 6, seed: 2).samples())
        #expect(Set(a.map(\.pngHash)).isDisjoint(with: b.map(\.pngHash)))
        #expect(a.map(\.expected) != b.map(\.expected))
        #expect(b[0].id == "ocr-s2-000000")
    }

    @Test("probe i is the same lazily, via sample(at:), via samples(from:) and for any count")
    func randomAccess() {
        let source = TextProbeSource(count: 10, seed: 7)
        let lazy = summaries(source.samples())
        for index in [0, 3, 9] {
            #expect(summaries([source.sample(at: index)]) == [lazy[index]])
        }
        #expect(summaries(source.samples(from: 6)) == Array(lazy[6...]))
        #expect(summaries(source.samples(from: 10)).isEmpty)
        let larger = TextProbeSource(count: 1000, seed: 7)
        #expect(summaries([larger.sample(at: 9)]) == [lazy[9]])
    }

    @Test("samples() is lazy: iterating a huge suite generates only what is consumed")
    func lazy() {
        let source = TextProbeSource(count: 1_000_000_000, seed: 3)
        let firstTwo = Array(source.samples().prefix(2))
        #expect(firstTwo.map(\.probe.id) == ["ocr-s3-000000", "ocr-s3-000001"])
    }

    @Test("each probe is a complete OCR probe whose image matches its reference")
    func probeContents() throws {
        let source = TextProbeSource(count: 8, seed: 11)
        for (index, sample) in source.samples().enumerated() {
            let probe = sample.probe
            #expect(probe.id == String(format: "ocr-s11-%06d", index))
            #expect(probe.prompt == "Read the text in the image exactly. Answer with the text only.")
            #expect(probe.ability == .ocr)
            #expect(probe.expected.format == .freeText)
            #expect(probe.lineage.source == "text-renderer")
            #expect(probe.lineage.seed == 11)
            #expect(Set(probe.lineage.factors.keys) == Self.factorNames)
            #expect(!probe.expected.text.isEmpty)
            #expect(!probe.expected.text.contains("  "))
            #expect(probe.expected.text == source.spec(at: index).render.lines.joined(separator: " "))
            #expect(probe.lineage.factors["lines"] == String(source.spec(at: index).render.lines.count))

            #expect(sample.imagePNGs.count == 1 && probe.images.count == 1)
            let png = sample.imagePNGs[0]
            #expect(probe.images[0].sha256 == SHA256.hex(of: png))
            let decoded = try PNGCodec.decode(png)
            #expect(decoded.width == probe.images[0].width && decoded.height == probe.images[0].height)
            #expect(decoded.width <= 640 && decoded.height <= 640)
        }
    }

    @Test("factor labels are readable")
    func factorLabels() {
        let levels = try! TextFactorLevels(
            fonts: [.serif], weights: [.bold], sizes: [24], rotations: [10], contrasts: [.low], clutters: [.light],
            blurs: [1], noises: [8], jpegQualities: [30], lineCounts: [2], kinds: [.mixedCase])
        let factors = TextProbeSource(count: 1, seed: 0, levels: levels).spec(at: 0).factors
        #expect(
            factors == [
                "font": "DejaVu Serif", "weight": "bold", "size": "24px", "rotation": "10°", "contrast": "low",
                "clutter": "light", "blur": "σ1.0", "noise": "σ8", "jpeg": "q30", "lines": "2", "kind": "mixed-case",
            ])
        let plain = try! TextFactorLevels(
            fonts: [.sans], weights: [.regular], sizes: [16], rotations: [-2.5], contrasts: [.high], clutters: [.none],
            blurs: [0], noises: [0], jpegQualities: [nil], lineCounts: [1], kinds: [.words])
        let plainFactors = TextProbeSource(count: 1, seed: 0, levels: plain).spec(at: 0).factors
        #expect(plainFactors["blur"] == "none" && plainFactors["noise"] == "none" && plainFactors["jpeg"] == "none")
        #expect(plainFactors["rotation"] == "-2.5°")
    }

    @Test("factors are drawn uniformly from every level")
    func uniformDraws() {
        let source = TextProbeSource(count: 2000, seed: 5)
        let specs = (0..<source.count).map(source.spec(at:))
        func expectUniform<T: Hashable>(_ levels: [T], _ value: (TextProbeSpec) -> T, _ name: String) {
            let counts = Dictionary(grouping: specs, by: value).mapValues(\.count)
            let expected = Double(specs.count) / Double(levels.count)
            #expect(Set(counts.keys) == Set(levels), "\(name): not every level was drawn")
            for (level, count) in counts {
                #expect(abs(Double(count) - expected) < 5 * expected.squareRoot(), "\(name) = \(level): \(count) draws, expected about \(Int(expected))")
            }
        }
        let levels = TextFactorLevels.default
        expectUniform(levels.fonts, \.render.font, "font")
        expectUniform(levels.weights, \.render.weight, "weight")
        expectUniform(levels.sizes.map(Double.init), \.render.size, "size")
        expectUniform(levels.rotations, \.render.rotation, "rotation")
        expectUniform(levels.contrasts, \.contrast, "contrast")
        expectUniform(levels.clutters, \.render.clutter, "clutter")
        expectUniform(levels.blurs, \.render.blurSigma, "blur")
        expectUniform(levels.noises, \.render.noiseSigma, "noise")
        expectUniform(levels.jpegQualities, \.render.jpegQuality, "jpeg")
        expectUniform(levels.lineCounts, \.render.lines.count, "lines")
        expectUniform(levels.kinds, \.kind, "kind")
    }

    @Test("each kind of string has its promised shape")
    func textKinds() {
        func tokens(of kind: TextKind) -> [String] {
            let levels = try! TextFactorLevels(
                fonts: [.sans], weights: [.regular], sizes: [14], rotations: [0], contrasts: [.high], clutters: [.none],
                blurs: [0], noises: [0], jpegQualities: [nil], lineCounts: [3], kinds: [kind])
            let source = TextProbeSource(count: 60, seed: 9, levels: levels)
            return (0..<source.count).flatMap { source.spec(at: $0).expectedText.split(separator: " ").map(String.init) }
        }
        let words = Set(CommonWords.all)
        #expect(tokens(of: .words).allSatisfy(words.contains))
        let numberCharacters = Set("0123456789.,:-")
        let numbers = tokens(of: .numbers)
        #expect(numbers.allSatisfy { $0.allSatisfy(numberCharacters.contains) && $0.contains(where: \.isNumber) })
        for token in tokens(of: .mixedCase) where token.count >= 2 {
            #expect(token.contains(where: \.isUppercase) && token.contains(where: \.isLowercase), "\(token)")
            #expect(words.contains(token.lowercased()))
        }
        #expect(tokens(of: .punctuation).allSatisfy { $0.contains(where: { $0.isPunctuation || $0.isSymbol }) })
    }

    @Test("long text at large sizes and rotations is shortened to fit the canvas")
    func fitting() throws {
        let levels = try TextFactorLevels(
            fonts: [.sansMono], weights: [.bold], sizes: [96], rotations: [45, -90], contrasts: [.high],
            clutters: [.none], blurs: [0], noises: [0], jpegQualities: [nil], lineCounts: [3], kinds: TextKind.allCases)
        let source = TextProbeSource(count: 12, seed: 4, levels: levels)
        for sample in source.samples() {
            #expect(sample.probe.images[0].width <= 640 && sample.probe.images[0].height <= 640)
            #expect(sample.probe.expected.text.split(separator: " ").count >= 3)
        }
    }
}

@Suite("Text factor levels")
struct TextFactorLevelsTests {
    func levelsError(_ make: () throws -> TextFactorLevels) -> TextFactorLevelsError? {
        do {
            _ = try make()
            return nil
        } catch {
            return error as? TextFactorLevelsError
        }
    }

    func levels(
        sizes: [Int] = [20], rotations: [Double] = [0], blurs: [Double] = [0], noises: [Double] = [0],
        jpegQualities: [Int?] = [nil], lineCounts: [Int] = [1], fonts: [FontFamily] = [.sans]
    ) throws(TextFactorLevelsError) -> TextFactorLevels {
        try TextFactorLevels(
            fonts: fonts, weights: [.regular], sizes: sizes, rotations: rotations, contrasts: [.high], clutters: [.none],
            blurs: blurs, noises: noises, jpegQualities: jpegQualities, lineCounts: lineCounts, kinds: [.words])
    }

    @Test("each bad field is named, with the bad value")
    func validation() {
        let cases: [(TextFactorLevelsError?, String, String)] = [
            (levelsError { try levels(sizes: [20, 0]) }, "sizes", "0 px"),
            (levelsError { try levels(sizes: [200]) }, "sizes", "200 px"),
            (levelsError { try levels(rotations: [0, 120]) }, "rotations", "120.0°"),
            (levelsError { try levels(rotations: [.infinity]) }, "rotations", "inf"),
            (levelsError { try levels(blurs: [-1]) }, "blurs", "-1.0"),
            (levelsError { try levels(noises: [101]) }, "noises", "101.0"),
            (levelsError { try levels(jpegQualities: [nil, 0]) }, "jpegQualities", "quality 0"),
            (levelsError { try levels(lineCounts: [4]) }, "lineCounts", "4 lines"),
            (levelsError { try levels(fonts: []) }, "fonts", "no levels"),
            (levelsError { try levels(sizes: [20, 20]) }, "sizes", "listed twice"),
        ]
        for (error, field, fragment) in cases {
            #expect(error?.field == field)
            #expect(error?.message.contains(fragment) == true, "\(String(describing: error)) should mention \(fragment)")
            #expect(error?.description.hasPrefix("invalid text factor levels: field `\(field)`") == true)
        }
        #expect(levelsError { try levels() } == nil)
    }

    @Test("JSON: missing fields take defaults, null means no JPEG, and a round trip is lossless")
    func json() throws {
        let partial = #"{"sizes": [10, 20], "jpegQualities": [null, 50], "kinds": ["numbers", "mixed-case"]}"#
        let decoded = try JSONDecoder().decode(TextFactorLevels.self, from: Data(partial.utf8))
        #expect(decoded.sizes == [10, 20])
        #expect(decoded.jpegQualities == [nil, 50])
        #expect(decoded.kinds == [.numbers, .mixedCase])
        #expect(decoded.rotations == TextFactorLevels.default.rotations)
        let again = try JSONDecoder().decode(TextFactorLevels.self, from: JSONEncoder().encode(decoded))
        #expect(again == decoded)
        let defaults = try JSONDecoder().decode(TextFactorLevels.self, from: JSONEncoder().encode(TextFactorLevels.default))
        #expect(defaults == .default)
    }

    @Test("JSON: bad values, unknown fields and wrong types are errors naming the field")
    func jsonErrors() {
        func error(_ json: String) -> TextFactorLevelsError? {
            do {
                _ = try JSONDecoder().decode(TextFactorLevels.self, from: Data(json.utf8))
                return nil
            } catch let error as TextFactorLevelsError {
                return error
            } catch {
                Issue.record("unexpected error type: \(error)")
                return nil
            }
        }
        #expect(error(#"{"sizes": [0]}"#)?.field == "sizes")
        let unknown = error(#"{"rotation": [5]}"#)
        #expect(unknown?.field == "rotation")
        #expect(unknown?.message.contains("rotations") == true)
        let badFont = error(#"{"fonts": ["Arial"]}"#)
        #expect(badFont?.field == "fonts")
        #expect(badFont?.message.contains("\"DejaVu Serif\"") == true)
        #expect(error(#"{"sizes": "big"}"#)?.field == "sizes")
    }

    @Test("the defaults have mostly easy levels with a few hard ones per factor")
    func defaultsShape() {
        let levels = TextFactorLevels.default
        #expect(levels.fonts.count == 5 && levels.kinds.count == 4)
        #expect(levels.rotations.filter { abs($0) < 10 }.count > levels.rotations.count / 2)
        #expect(levels.sizes.filter { $0 >= 18 }.count > levels.sizes.count / 2)
        #expect(levels.blurs.filter { $0 <= 1 }.count > levels.blurs.count / 2)
        #expect(levels.jpegQualities.filter { ($0 ?? 100) >= 40 }.count > levels.jpegQualities.count / 2)
        #expect(levels.rotations.contains { $0 >= 10 } && levels.sizes.contains { $0 <= 14 })
    }
}
