import FaultlineCore
import Foundation

/// Hostile strings a model might answer with; the report must show them as text.
enum Hostile {
    static let script = "<script>alert(1)</script>"
    static let attributeBreakout = "\"><img src=x onerror=alert(1)>"
    static let svgBreakout = "</svg><script>"
    static let alreadyEscaped = "AT&amp;T"
    static let javascriptURL = "javascript:alert(1)"
    static let pipe = "a|b"
    static let all = [script, attributeBreakout, svgBreakout, alreadyEscaped, javascriptURL, pipe]
}

/// A realistic synthetic OCR run: two engines, three factors, probes on a full grid,
/// outcomes drawn from per-engine failure models with a fixed seed, and the slices, findings
/// and disagreements aggregated from those outcomes as an analysis would.
struct Fixture {
    static let models = ["ocr:paddle", "ocr:tesseract"]
    static let rotations = ["none", "5°", "10°", "20°"]
    static let fonts = ["sans", "serif", "mono"]
    static let jpegQualities = ["none", "q30", "q90"]
    static let words = ["QUARTZ 42", "invoice 1187", "Zürich Hbf", "exit → 3B", "pH 7.4", "B-52", "naïve café", "Route 66"]

    let manifest: RunManifest
    let analysis: RunAnalysis
    /// Every probe's image, by content hash, so thumbnails can be drawn.
    let images: [String: ImageRef]

    struct Outcome {
        var probeID: String
        var model: String
        var factors: [String: String]
        var expected: String
        var response: String
        var correct: Bool
        var score: Double
        var image: ImageRef
        var latency: Double
    }

    init() {
        var generator = SeededGenerator(seed: 7)
        var outcomes: [Outcome] = []
        var images: [String: ImageRef] = [:]
        var index = 0
        for rotation in Self.rotations {
            for font in Self.fonts {
                for jpeg in Self.jpegQualities {
                    for copy in 0..<6 {
                        let probeID = String(format: "ocr-s7-%06d", index)
                        let factors = ["rotation": rotation, "font": font, "jpeg": jpeg]
                        let expected = Self.words[(index + copy) % Self.words.count]
                        let image = ImageRef(
                            sha256: SHA256.hex(of: Data("\(probeID)|\(rotation)|\(font)|\(jpeg)".utf8)),
                            width: 192, height: 96)
                        images[image.sha256] = image
                        for model in Self.models {
                            let p = Self.successProbability(model: model, rotation: rotation, font: font, jpeg: jpeg)
                            let correct = Double(generator.next() % 10_000) / 10_000 < p
                            let response = correct ? expected : Self.misread(expected, draw: generator.next())
                            let cer = OCRJudge.characterErrorRate(reference: expected, hypothesis: response)
                            outcomes.append(Outcome(
                                probeID: probeID, model: model, factors: factors, expected: expected,
                                response: response, correct: correct, score: max(0, 1 - cer), image: image,
                                latency: 0.02 + Double(generator.next() % 100) / 1000))
                        }
                        index += 1
                    }
                }
            }
        }
        self.images = images

        let summaries = Self.models.map { model -> ModelSummary in
            let mine = outcomes.filter { $0.model == model }
            let correct = mine.filter(\.correct).count
            return ModelSummary(
                model: model, judged: mine.count, correct: correct, wrong: mine.count - correct, errors: 0,
                accuracy: Statistics.wilson(successes: correct, total: mine.count),
                meanScore: mine.map(\.score).reduce(0, +) / Double(mine.count))
        }

        func stat(_ model: String, _ slice: [String: String]) -> SliceStat {
            let inSlice = outcomes.filter { o in o.model == model && slice.allSatisfy { o.factors[$0.key] == $0.value } }
            return SliceStat(
                model: model, slice: slice,
                accuracy: Statistics.wilson(successes: inSlice.filter(\.correct).count, total: inSlice.count),
                meanScore: inSlice.map(\.score).reduce(0, +) / Double(max(inSlice.count, 1)))
        }
        let factorLevels = [("rotation", Self.rotations), ("font", Self.fonts), ("jpeg", Self.jpegQualities)]
        var singles: [SliceStat] = []
        var pairs: [SliceStat] = []
        for model in Self.models {
            // Levels deliberately in scrambled order: the report must sort them itself.
            for (factor, levels) in factorLevels {
                for level in levels.reversed() { singles.append(stat(model, [factor: level])) }
            }
            for (a, b) in [(0, 1), (0, 2), (1, 2)] {
                for levelA in factorLevels[a].1 {
                    for levelB in factorLevels[b].1 {
                        pairs.append(stat(model, [factorLevels[a].0: levelA, factorLevels[b].0: levelB]))
                    }
                }
            }
        }

        func finding(_ id: String, _ model: String, _ slice: [String: String], _ words: String) -> Finding {
            let inSlice = outcomes.filter { o in o.model == model && slice.allSatisfy { o.factors[$0.key] == $0.value } }
            let rest = outcomes.filter { o in o.model == model && !slice.allSatisfy { o.factors[$0.key] == $0.value } }
            let sliceAccuracy = Statistics.wilson(successes: inSlice.filter(\.correct).count, total: inSlice.count)
            let restAccuracy = Statistics.wilson(successes: rest.filter(\.correct).count, total: rest.count)
            let p = Statistics.differencePValue(
                successes1: sliceAccuracy.successes, total1: sliceAccuracy.total,
                successes2: restAccuracy.successes, total2: restAccuracy.total)
            let statement = "\(model) \(words): \(Int((sliceAccuracy.rate * 100).rounded()))% exact match vs "
                + "\(Int((restAccuracy.rate * 100).rounded()))% on the rest."
            return Finding(
                id: id, model: model, slice: slice, sliceAccuracy: sliceAccuracy, restAccuracy: restAccuracy,
                effect: sliceAccuracy.rate - restAccuracy.rate, pValue: p, qValue: min(1, p * 3), statement: statement,
                exampleProbeIDs: Array(inSlice.filter { !$0.correct }.prefix(4).map(\.probeID)))
        }
        let findings = [
            finding("F1", "ocr:tesseract", ["rotation": "20°"], "fails on text rotated 20°"),
            finding("F2", "ocr:paddle", ["rotation": "20°", "font": "serif"], "misreads serif text rotated 20°"),
            finding("F3", "ocr:tesseract", ["jpeg": "q30"], "degrades on heavy JPEG compression (quality 30)"),
        ]

        func disagreement(right: String, wrong: String) -> DisagreementSummary {
            let byProbe = Dictionary(grouping: outcomes, by: \.probeID)
            let ids = byProbe.keys.sorted().filter { id in
                let answers = byProbe[id] ?? []
                return answers.contains { $0.model == right && $0.correct } && answers.contains { $0.model == wrong && !$0.correct }
            }
            return DisagreementSummary(rightModel: right, wrongModel: wrong, count: ids.count, exampleProbeIDs: Array(ids.prefix(3)))
        }
        let disagreements = [
            disagreement(right: "ocr:paddle", wrong: "ocr:tesseract"),
            disagreement(right: "ocr:tesseract", wrong: "ocr:paddle"),
        ]

        // The responses the findings and disagreements cite; some get hostile text, as
        // untrusted model output may.
        var cited: [(String, String)] = []
        for f in findings { cited += f.exampleProbeIDs.map { ($0, f.model) } }
        for d in disagreements {
            cited += d.exampleProbeIDs.flatMap { [($0, d.rightModel), ($0, d.wrongModel)] }
        }
        var examples: [JudgedProbe] = []
        var seen: Set<String> = []
        var hostileLeft = Hostile.all
        for (probeID, model) in cited where seen.insert(probeID + "#" + model).inserted {
            guard let o = outcomes.first(where: { $0.probeID == probeID && $0.model == model }) else { continue }
            var response = o.response
            if !o.correct, !hostileLeft.isEmpty { response = hostileLeft.removeFirst() }
            let cer = OCRJudge.characterErrorRate(reference: o.expected, hypothesis: response)
            examples.append(JudgedProbe(
                probeID: o.probeID, modelKey: o.model, ability: .ocr, prompt: "Read the text in the image.",
                expected: o.expected, response: response, outcome: o.correct ? .correct : .wrong,
                score: max(0, 1 - cer), judge: "ocr-exact/1",
                detail: "expected \"\(o.expected)\", read \"\(response)\", CER \(String(format: "%.3f", cer))",
                factors: o.factors, image: o.image, latencySeconds: o.latency))
        }

        manifest = RunManifest(
            runID: "text-renderer-s7-n216-3f9c2a1b", suite: "text-renderer count=216 seed=7", seed: 7,
            probeCount: index,
            models: [
                .init(key: "ocr:paddle", fingerprint: "paddleocr-v4 det=3b1f… rec=9c2e… cls=77d0…"),
                .init(key: "ocr:tesseract", fingerprint: "tesseract-5.3.0 eng.traineddata=7af2… psm=7"),
            ],
            faultlineVersion: "0.1.0")
        analysis = RunAnalysis(
            models: summaries, singleFactorSlices: singles, pairSlices: pairs, findings: findings,
            disagreements: disagreements, examples: examples)
    }

    static func successProbability(model: String, rotation: String, font: String, jpeg: String) -> Double {
        let rotationIndex = Double(rotations.firstIndex(of: rotation) ?? 0)
        if model == "ocr:tesseract" {
            let rotationPenalty = [0, 0.05, 0.4, 0.8][Int(rotationIndex)]
            return max(0.02, 0.96 - rotationPenalty - (jpeg == "q30" ? 0.25 : 0))
        }
        let interaction = rotation == "20°" && font == "serif" ? 0.6 : 0
        return max(0.02, 0.97 - 0.04 * rotationIndex - interaction - (jpeg == "q30" ? 0.05 : 0))
    }

    /// A plausible OCR misreading: a confusable character swapped, or a character dropped.
    static func misread(_ text: String, draw: UInt64) -> String {
        var characters = Array(text)
        let position = Int(draw % UInt64(characters.count))
        let confusions: [Character: Character] = ["O": "0", "0": "O", "1": "l", "B": "8", "Z": "2", "a": "o", "e": "c", "i": "l"]
        if let swap = confusions[characters[position]] {
            characters[position] = swap
        } else {
            characters.remove(at: position)
        }
        return String(characters)
    }

    /// Draws a thumbnail for an image: dark strokes along a baseline tilted like the probe's
    /// rotation, on white, as a grayscale PNG.
    func thumbnail(for image: ImageRef, factors: [String: String]) -> Data {
        let width = 96, height = 48
        var pixels = [UInt8](repeating: 250, count: width * height)
        let degrees = Double(factors["rotation"].flatMap { Int($0.filter(\.isNumber)) } ?? 0)
        let slope = tan(degrees * .pi / 180)
        let serif = factors["font"] == "serif"
        for glyph in 0..<9 {
            let x0 = 6 + glyph * 10
            for dx in 0..<(serif ? 7 : 6) {
                for dy in -5...5 where (dx + glyph) % 3 != 0 || abs(dy) < 3 {
                    let x = x0 + dx, y = height / 2 + dy - Int(Double(x - width / 2) * slope)
                    if x >= 0, x < width, y >= 0, y < height { pixels[y * width + x] = 30 }
                }
            }
        }
        if factors["jpeg"] == "q30" {
            var noise = SeededGenerator(seed: UInt64(image.sha256.utf8.reduce(0) { $0 &+ UInt64($1) }))
            for i in pixels.indices where noise.next() % 5 == 0 { pixels[i] = pixels[i] > 128 ? 190 : 90 }
        }
        return TinyPNG.grayscale(width: width, height: height, pixels: pixels)
    }
}

/// A minimal PNG encoder (stored, uncompressed deflate) so the tests can make thumbnails
/// without the image codecs target.
enum TinyPNG {
    static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> Data {
        var raw: [UInt8] = []
        for row in 0..<height {
            raw.append(0)  // filter: none
            raw += pixels[(row * width)..<((row + 1) * width)]
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, raw.count - offset)
            let final: UInt8 = offset + length == raw.count ? 1 : 0
            zlib.append(final)
            zlib += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        zlib += bigEndian((b << 16) | a)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 0, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return Data(png)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}

/// Splits HTML into its tags, treating every `<` as the start of markup, as a browser does.
/// Text that was escaped never reaches this list; anything unescaped shows up as a tag.
struct HTMLTag: Equatable {
    var name: String
    var isEnd: Bool
    var attributes: [(name: String, value: String)]

    static func == (lhs: HTMLTag, rhs: HTMLTag) -> Bool {
        lhs.name == rhs.name && lhs.isEnd == rhs.isEnd
            && lhs.attributes.map(\.name) == rhs.attributes.map(\.name) && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }

    static func scan(_ html: String) -> [HTMLTag] {
        let s = Array(html.unicodeScalars)
        var tags: [HTMLTag] = []
        var i = 0
        func isNameScalar(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" }
        while i < s.count {
            guard s[i] == "<" else { i += 1; continue }
            i += 1
            if i < s.count, s[i] == "!" {  // doctype or comment
                while i < s.count, s[i] != ">" { i += 1 }
                continue
            }
            var tag = HTMLTag(name: "", isEnd: false, attributes: [])
            if i < s.count, s[i] == "/" { tag.isEnd = true; i += 1 }
            var name = ""
            while i < s.count, isNameScalar(s[i]) { name.unicodeScalars.append(s[i]); i += 1 }
            tag.name = name.lowercased()
            while i < s.count, s[i] != ">" {
                if s[i] == " " || s[i] == "\n" || s[i] == "/" { i += 1; continue }
                var attributeName = ""
                while i < s.count, !" =>\n".unicodeScalars.contains(s[i]) { attributeName.unicodeScalars.append(s[i]); i += 1 }
                var value = ""
                if i < s.count, s[i] == "=" {
                    i += 1
                    if i < s.count, s[i] == "\"" || s[i] == "'" {
                        let quote = s[i]
                        i += 1
                        while i < s.count, s[i] != quote { value.unicodeScalars.append(s[i]); i += 1 }
                        i += 1
                    } else {
                        while i < s.count, !" >".unicodeScalars.contains(s[i]) { value.unicodeScalars.append(s[i]); i += 1 }
                    }
                }
                if !attributeName.isEmpty { tag.attributes.append((attributeName.lowercased(), value)) }
            }
            i += 1
            tags.append(tag)
            if tag.name == "style", !tag.isEnd {  // raw text up to </style>
                let rest = String(String.UnicodeScalarView(s[i...]))
                guard let end = rest.range(of: "</style>") else { break }
                i += rest.unicodeScalars.distance(from: rest.unicodeScalars.startIndex, to: end.lowerBound)
            }
        }
        return tags
    }
}
