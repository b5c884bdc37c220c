import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@testable import FaultlineDatasets

@Suite struct VLMEvalKitTSVSourceTests {
    static let columns = [
        "index", "question", "hint", "A", "B", "C", "D", "answer", "category", "l2-category", "image",
    ]

    /// A row as a dictionary, written in the header's column order.
    static func row(_ values: [String: String]) -> [String] { columns.map { values[$0] ?? "" } }

    static let red = TestImages.flat(red: 220, green: 20, blue: 20)
    static let green = TestImages.flat(red: 20, green: 200, blue: 20)
    static let noise = TestImages.noise(width: 600, height: 600, seed: 7)
    /// Encoded once: a debug-build PNG encode of 600×600 noise takes a while.
    static let noisePNG: Data? = try? TestImages.png(noise)

    /// A benchmark TSV with four good rows and one bad row of each kind; returns its URL.
    static func writeBenchmark(in folder: ScratchFolder) throws -> URL {
        let redPNG = try TestImages.png(red).base64EncodedString()
        let greenJPEG = try TestImages.jpeg(green).base64EncodedString()
        let noisePNG = try #require(Self.noisePNG).base64EncodedString()
        let gif = (Data("GIF89a".utf8) + Data(repeating: 0, count: 60)).base64EncodedString()
        var text = PandasTSV.line(columns)
        // Line 2–3: a hint with a tab and a line break, so pandas quotes it.
        text += PandasTSV.line(
            row([
                "index": "1", "question": "What colour is the \"ball\"?", "hint": "Look at\tthe centre\nof the image.",
                "A": "red", "B": "green", "C": "blue", "answer": "A", "category": "attribute_recognition",
                "l2-category": "finegrained_perception (instance-level)", "image": redPNG,
            ]))
        // Line 4: reuses row 1's image by index, as VLMEvalKit writes repeated images.
        text += PandasTSV.line(
            row([
                "index": "2", "question": "Which colour is in the image?", "A": "blue", "B": "red", "answer": "B",
                "category": "attribute_comparison", "image": "1",
            ]))
        // Line 5: a column is missing.
        text += PandasTSV.line(
            Array(
                row(["index": "3", "question": "q", "A": "x", "answer": "A", "category": "ocr", "image": redPNG])
                    .dropLast()))
        // Line 6: not base64.
        text += PandasTSV.line(
            row([
                "index": "4", "question": "q", "A": "x", "answer": "A", "category": "ocr",
                "image": String(repeating: "!@#$", count: 20),
            ]))
        // Line 7: base64 of a GIF, which is not decoded.
        text += PandasTSV.line(
            row(["index": "5", "question": "q", "A": "x", "answer": "A", "category": "ocr", "image": gif]))
        // Line 8: the answer is not among the options.
        text += PandasTSV.line(
            row([
                "index": "6", "question": "q", "A": "x", "B": "y", "C": "z", "answer": "D", "category": "ocr",
                "image": redPNG,
            ]))
        // Line 9: a category outside the mapping.
        text += PandasTSV.line(
            row([
                "index": "7", "question": "q", "A": "happy", "B": "sad", "answer": "A", "category": "image_emotion",
                "image": redPNG,
            ]))
        // Line 10: MME style, yes/no without options, JPEG image.
        text += PandasTSV.line(
            row([
                "index": "8", "question": "Is there a total of two dogs in the image? Please answer yes or no.",
                "answer": "Yes", "category": "count", "image": greenJPEG,
            ]))
        // Line 11: refers to an index that does not exist.
        text += PandasTSV.line(
            row(["index": "9", "question": "q", "A": "x", "answer": "A", "category": "ocr", "image": "42"]))
        // Line 12: a 1.4 MB field, longer than one read chunk.
        text += PandasTSV.line(
            row([
                "index": "10", "question": "How many squares are there?", "A": "1", "B": "2", "answer": "b",
                "category": "Instances Counting", "image": noisePNG,
            ]))
        // Line 13: a gap in the options.
        text += PandasTSV.line(
            row([
                "index": "11", "question": "q", "A": "x", "C": "z", "answer": "A", "category": "ocr", "image": redPNG,
            ]))
        // Line 14: an index used twice.
        text += PandasTSV.line(
            row(["index": "2", "question": "q", "A": "x", "answer": "A", "category": "ocr", "image": redPNG]))
        return try folder.write("bench.tsv", text)
    }

    @Test func badRowsAreReportedWithTheirLineAndTheOthersLoad() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let source = try VLMEvalKitTSVSource(file: try Self.writeBenchmark(in: folder))
        #expect(source.count == 4)
        #expect(source.name == "tsv:bench.tsv")
        let found = source.problems.map { "\($0.line) \($0.field)" }
        #expect(found == ["5 row", "6 image", "7 image", "8 answer", "9 category", "11 image", "13 B", "14 index"])
        let messages = Dictionary(uniqueKeysWithValues: source.problems.map { ($0.line, $0.description) })
        #expect(messages[5]?.contains("10 fields where the header has 11") == true)
        #expect(messages[6]?.contains("not valid base64") == true)
        #expect(messages[7]?.contains("GIF") == true)
        #expect(messages[8]?.contains("\"D\" is not among the options A, B, C") == true)
        #expect(messages[9]?.contains("\"image_emotion\"") == true)
        #expect(messages[11]?.contains("index 42") == true)
        #expect(messages[14]?.contains("first at line 4") == true)
        #expect(messages[8]?.hasPrefix("bench.tsv:8: answer:") == true)
        #expect(source.unmappedCategories == ["image_emotion": 1])
    }

    @Test func goodRowsBecomeProbes() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let source = try VLMEvalKitTSVSource(file: try Self.writeBenchmark(in: folder))
        let samples = Array(source.samples())
        #expect(samples.map(\.probe.id) == ["bench-1", "bench-2", "bench-8", "bench-10"])

        let first = samples[0].probe
        #expect(
            first.prompt == """
                Hint: Look at\tthe centre
                of the image.
                What colour is the "ball"?
                A. red
                B. green
                C. blue
                Answer with the option's letter.
                """)
        #expect(
            first.expected == ExpectedAnswer(text: "A", format: .multipleChoice, choices: ["red", "green", "blue"]))
        #expect(first.ability == .attribute)
        #expect(first.lineage.source == "tsv:bench.tsv")
        #expect(
            first.lineage.factors == [
                "category": "attribute_recognition", "l2-category": "finegrained_perception (instance-level)",
                "format": "multiple-choice",
            ])
        #expect(try PNGCodec.decode(samples[0].imagePNGs[0]) == Self.red)
        #expect(first.images[0] == ImageRef(sha256: SHA256.hex(of: samples[0].imagePNGs[0]), width: 8, height: 6))

        // The reused image is row 1's.
        #expect(samples[1].probe.images == first.images)
        #expect(samples[1].imagePNGs == samples[0].imagePNGs)
        #expect(samples[1].probe.expected.text == "B")

        let yesNo = samples[2].probe
        #expect(yesNo.expected == ExpectedAnswer(text: "Yes", format: .yesNo))
        #expect(yesNo.prompt == "Is there a total of two dogs in the image? Please answer yes or no.")
        #expect(yesNo.ability == .counting)
        #expect(yesNo.lineage.factors["format"] == "yes-no")
        let jpeg = try PNGCodec.decode(samples[2].imagePNGs[0])
        #expect(jpeg.width == 8 && jpeg.height == 6)
        #expect(abs(Int(jpeg.pixels[1]) - 200) < 8)

        // The large image survives the chunk boundaries byte for byte; "b" is read as "B".
        #expect(try PNGCodec.decode(samples[3].imagePNGs[0]) == Self.noise)
        #expect(samples[3].probe.expected.text == "B")
        #expect(samples[3].probe.ability == .counting)
        #expect(samples[3].probe.lineage.factors["l2-category"] == nil)
        #expect(source.problems.count == 8)
    }

    @Test func iterationIsDeterministicAndResumesByPosition() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let source = try VLMEvalKitTSVSource(file: try Self.writeBenchmark(in: folder))
        let once = Array(source.samples())
        let twice = Array(source.samples())
        #expect(once.map(\.probe) == twice.map(\.probe))
        #expect(once.map(\.imagePNGs) == twice.map(\.imagePNGs))
        #expect(Array(source.samples(from: 2)).map(\.probe.id) == ["bench-8", "bench-10"])
        #expect(Array(source.samples(from: 1)).map(\.probe) == Array(once.dropFirst()).map(\.probe))
        #expect(Array(source.samples(from: 4)).isEmpty)
    }

    @Test func windowsLineEndingsAndQuotedLineBreaksAreRead() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let image = try TestImages.png(Self.red).base64EncodedString()
        let text =
            "index\tquestion\tA\tB\tanswer\tcategory\timage\r\n"
            + "1\t\"Two\r\nlines\"\tred\tblue\tA\tocr\t\(image)\r\n"
            + "2\tplain\tred\tblue\tB\tocr\t\(image)\r\n"
        let source = try VLMEvalKitTSVSource(file: try folder.write("crlf.tsv", text))
        #expect(source.problems.isEmpty)
        let probes = Array(source.samples()).map(\.probe)
        #expect(probes.map(\.expected.text) == ["A", "B"])
        #expect(probes[0].prompt.hasPrefix("Two\r\nlines\nA. red"))
        #expect(probes[1].prompt.hasPrefix("plain\nA. red"))
    }

    @Test func anUnterminatedQuoteIsReportedAndEarlierRowsLoad() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let image = try TestImages.png(Self.red).base64EncodedString()
        let text =
            "index\tquestion\tA\tanswer\tcategory\timage\n"
            + "1\tfine\tred\tA\tocr\t\(image)\n"
            + "2\t\"never closed\tred\tA\tocr\t\(image)\n"
            + "3\tswallowed\tred\tA\tocr\t\(image)\n"
        let source = try VLMEvalKitTSVSource(file: try folder.write("open.tsv", text))
        #expect(source.count == 1)
        #expect(source.problems.map(\.line) == [3])
        #expect(source.problems.first?.message.contains("never closes") == true)
    }

    @Test func severalImagesInAListAreAllKept() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let list =
            "['\(try TestImages.png(Self.red).base64EncodedString())', '\(try TestImages.png(Self.green).base64EncodedString())']"
        let text =
            "index\tquestion\tA\tB\tanswer\tcategory\timage\n1\tWhich is greener?\tfirst\tsecond\tB\tattribute_comparison\t\(list)\n"
        let source = try VLMEvalKitTSVSource(file: try folder.write("multi.tsv", text))
        let sample = try #require(Array(source.samples()).first)
        #expect(sample.imagePNGs.count == 2)
        #expect(try PNGCodec.decode(sample.imagePNGs[1]) == Self.green)
    }

    @Test func missingColumnsAndEmptyFilesAreFatalWithAdvice() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let noAnswer = try folder.write("test.tsv", "index\tquestion\tA\tcategory\timage\n")
        #expect {
            try VLMEvalKitTSVSource(file: noAnswer)
        } throws: { error in
            let text = "\(error)"
            return text.contains("lacks the column answer") && text.contains("without answers cannot be audited")
        }
        let empty = try folder.write("empty.tsv", "")
        #expect(throws: DatasetError.self) { try VLMEvalKitTSVSource(file: empty) }
        #expect(throws: DatasetError.self) { try VLMEvalKitTSVSource(file: folder.file("absent.tsv")) }
        // Without a category column, a fallback ability is required.
        let noCategory = try folder.write("nocat.tsv", "index\tquestion\tA\tanswer\timage\n")
        #expect(throws: DatasetError.self) { try VLMEvalKitTSVSource(file: noCategory) }
        #expect(try VLMEvalKitTSVSource(file: noCategory, fallbackAbility: .attribute).count == 0)
    }

    @Test func aFallbackAbilityTakesUnmappedRows() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try Self.writeBenchmark(in: folder)
        let source = try VLMEvalKitTSVSource(file: file, fallbackAbility: .entity)
        #expect(source.count == 5)
        #expect(source.unmappedCategories.isEmpty)
        let emotion = Array(source.samples()).first { $0.probe.id == "bench-7" }
        #expect(emotion?.probe.ability == .entity)
    }

    @Test func aFileChangedAfterIndexingStopsIterationWithAProblem() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try Self.writeBenchmark(in: folder)
        let source = try VLMEvalKitTSVSource(file: file)
        try folder.write("bench.tsv", "index\tquestion\n")
        #expect(Array(source.samples()).isEmpty)
        #expect(source.problems.last?.field == "file")
        #expect(source.problems.last?.message.contains("changed after it was indexed") == true)
    }
}
