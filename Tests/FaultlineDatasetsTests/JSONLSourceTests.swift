import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@testable import FaultlineDatasets

@Suite struct JSONLSourceTests {
    static let blue = TestImages.flat(red: 10, green: 10, blue: 230)
    static let yellow = TestImages.flat(width: 5, height: 4, red: 240, green: 230, blue: 10)

    /// Six good lines and one bad line of each kind, with a blank line between.
    static func writeDataset(in folder: ScratchFolder) throws -> URL {
        try folder.write("images/blue.png", try TestImages.png(blue))
        try folder.write("images/yellow.jpg", try TestImages.jpeg(yellow))
        let lines = [
            // 1: options as a list, the answer given as an option's text.
            #"{"id": "q1", "image": "images/blue.png", "question": "What colour is the square?", "options": ["red", "blue"], "answer": "blue", "category": "attribute_recognition"}"#,
            // 2: options keyed by letter, an explicit ability.
            #"{"id": "q2", "image": "images/yellow.jpg", "question": "Which shape?", "options": {"B": "square", "A": "circle"}, "answer": "b", "ability": "entity"}"#,
            // 3: malformed JSON.
            #"{"id": "q3", "image": "images/blue.png", "question": "broken",  "answer": }"#,
            // 4: the image file does not exist.
            #"{"id": "q4", "image": "images/missing.png", "question": "Is it blue?", "answer": "yes", "ability": "attribute"}"#,
            // 5: yes/no from a JSON boolean.
            #"{"id": "q5", "image": "images/blue.png", "question": "Is the square blue?", "answer": true, "format": "yes-no", "category": "count"}"#,
            "",
            // 7: a box on the 0–1000 grid.
            #"{"id": "q7", "image": "images/blue.png", "question": "Where is the square?", "answer": [100, 200, 500, 600], "format": "box", "ability": "grounding"}"#,
            // 8: an unmapped category.
            #"{"id": "q8", "image": "images/blue.png", "question": "How does it feel?", "answer": "calm", "category": "image_emotion"}"#,
            // 9: two images, extra factors, a number answer and no id.
            #"{"image": ["images/blue.png", "images/yellow.jpg"], "question": "How many images are there?", "answer": 2, "format": "number", "ability": "counting", "factors": {"lighting": "dim"}}"#,
            // 10: an id used twice.
            #"{"id": "q1", "image": "images/blue.png", "question": "again", "answer": "x", "ability": "ocr"}"#,
            // 11: a multiple-choice answer that is not an option.
            #"{"id": "q11", "image": "images/blue.png", "question": "Which?", "options": ["a", "b"], "answer": "C", "ability": "attribute"}"#,
            // 12: free text.
            #"{"id": "q12", "image": "images/blue.png", "question": "What colour is it?", "answer": "blue", "ability": "attribute"}"#,
        ]
        return try folder.write("set.jsonl", lines.joined(separator: "\n") + "\n")
    }

    @Test func badLinesAreReportedWithTheirLineNumber() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let source = try JSONLSource(file: try Self.writeDataset(in: folder))
        #expect(source.count == 6)
        #expect(
            source.problems.map { "\($0.line) \($0.field)" } == [
                "3 row", "4 image", "8 category", "10 id", "11 answer",
            ])
        #expect(source.problems[0].message.contains("not valid JSON"))
        #expect(source.problems[1].message.contains("no image file at images/missing.png"))
        #expect(source.problems[3].message.contains("first at line 1"))
        #expect(source.problems[4].message.contains("neither an option letter (A, B)"))
        #expect(source.unmappedCategories == ["image_emotion": 1])
    }

    @Test func goodLinesBecomeProbes() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let source = try JSONLSource(file: try Self.writeDataset(in: folder))
        let samples = Array(source.samples())
        let probes = samples.map(\.probe)
        #expect(probes.map(\.id) == ["q1", "q2", "q5", "q7", "line-9", "q12"])

        #expect(probes[0].expected == ExpectedAnswer(text: "B", format: .multipleChoice, choices: ["red", "blue"]))
        #expect(probes[0].prompt == "What colour is the square?\nA. red\nB. blue\nAnswer with the option's letter.")
        #expect(probes[0].ability == .attribute)
        #expect(probes[0].lineage.factors == ["category": "attribute_recognition", "format": "multiple-choice"])
        #expect(probes[0].lineage.source == "jsonl:set.jsonl")
        #expect(try PNGCodec.decode(samples[0].imagePNGs[0]) == Self.blue)

        #expect(
            probes[1].expected == ExpectedAnswer(text: "B", format: .multipleChoice, choices: ["circle", "square"]))
        #expect(probes[1].ability == .entity)
        #expect(probes[1].images[0].width == 5)

        #expect(probes[2].expected == ExpectedAnswer(text: "yes", format: .yesNo))
        #expect(probes[2].prompt == "Is the square blue?\nAnswer yes or no.")
        #expect(probes[2].ability == .counting)

        #expect(probes[3].expected == ExpectedAnswer(text: "0.1,0.2,0.5,0.6", format: .box))
        #expect(
            BoxJudge().judge(response: ModelResponse(text: "[0.1, 0.2, 0.5, 0.6]"), expected: probes[3].expected)
                .outcome == .correct)

        #expect(probes[4].images.count == 2)
        #expect(samples[4].imagePNGs[0] == samples[0].imagePNGs[0])
        #expect(probes[4].expected == ExpectedAnswer(text: "2", format: .number))
        #expect(probes[4].lineage.factors == ["lighting": "dim", "format": "number"])

        #expect(probes[5].expected == ExpectedAnswer(text: "blue", format: .freeText))
        #expect(probes[5].prompt == "What colour is it?\nAnswer with a single word or phrase.")

        #expect(Array(source.samples(from: 4)).map(\.probe.id) == ["line-9", "q12"])
        #expect(Array(source.samples()).map(\.probe) == probes)
    }

    @Test func anUnreadableImageIsReported() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try folder.write("fake.png", "not an image at all")
        let file = try folder.write(
            "one.jsonl", #"{"image": "fake.png", "question": "q", "answer": "x", "ability": "ocr"}"# + "\n")
        let source = try JSONLSource(file: file)
        #expect(source.count == 0)
        #expect(source.problems.first?.description.hasPrefix("one.jsonl:1: image: fake.png:") == true)
    }

    @Test func aMissingFileIsFatal() {
        #expect(throws: DatasetError.self) {
            try JSONLSource(file: URL(fileURLWithPath: "/nonexistent/faultline/set.jsonl"))
        }
    }
}
