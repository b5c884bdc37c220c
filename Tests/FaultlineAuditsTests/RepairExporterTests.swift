import FaultlineAudits
import FaultlineCore
import FaultlineScenes
import Foundation
import Testing

/// Each test gets a fresh instance, whose scratch directory is removed when the test ends.
@Suite final class RepairExporterTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("repair-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Real probes with real PNGs: multiple-choice scene probes, half of them counterfactual
    /// twins (so their lineage has a parent and a transformation).
    static let samples: [ProbeSample] = Array(
        AbilitySuite(
            count: 4, seed: 21,
            configuration: AbilitySuiteConfiguration(formats: [.multipleChoice], counterfactualShare: 0.5)
        ).samples())

    func records() throws -> [RepairRecord] {
        let samples = Self.samples
        var single = try RepairRecord(id: "r-single", kind: .counterfactual, finding: "spurious background=grass→star", sample: samples[0])
        single.lineage.factors["repair"] = "counterfactual"
        let pair = RepairRecord(
            id: "r-pair", kind: .augmentation, finding: "counting rotation=30°", prompt: "Which image has more stars?",
            answer: "the second", imagePNGs: [samples[1].imagePNGs[0], samples[2].imagePNGs[0]],
            lineage: samples[1].probe.lineage)
        let text = RepairRecord(
            id: "r-text", kind: .adversarial, finding: "interference unrelated-fact", prompt: "What is 2 + 3?\nAnswer with a number.",
            answer: "5", imagePNGs: [], lineage: Lineage(source: "language", transformation: "prepend-fact", seed: 3, factors: ["perturbation": "fact"]))
        // Shares its image with r-single: written once under images/.
        let again = RepairRecord(
            id: "r-again", kind: .augmentation, finding: "spurious background=grass→star", prompt: samples[0].probe.prompt,
            answer: single.answer, imagePNGs: samples[0].imagePNGs, lineage: samples[0].probe.lineage)
        return [single, pair, text, again]
    }

    /// A new empty directory inside the scratch directory.
    func temporaryDirectory() throws -> URL {
        let url = scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func jsonLines(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func recordsFromProbesUseTheOptionTextAndTheProbeLineage() throws {
        for sample in Self.samples {
            let record = try RepairRecord(id: sample.probe.id, kind: .augmentation, finding: "f", sample: sample)
            let choices = try #require(sample.probe.expected.choices)
            let letters = choices.indices.map { ChoiceExtractor.letter(at: $0) }
            let index = try #require(letters.firstIndex(of: sample.probe.expected.text))
            #expect(record.answer == choices[index])
            #expect(record.answer != sample.probe.expected.text)
            #expect(record.prompt == sample.probe.prompt)
            #expect(record.imagePNGs == sample.imagePNGs)
            #expect(record.lineage == sample.probe.lineage)
        }
        #expect(Self.samples.contains { $0.probe.lineage.parent != nil })

        var broken = Self.samples[0]
        broken.probe.expected.text = "Z"
        let error = #expect(throws: RepairExportError.self) {
            try RepairRecord(id: "bad-letter", kind: .augmentation, finding: "f", sample: broken)
        }
        #expect(error?.recordID == "bad-letter")
        #expect(error?.description.contains("\"Z\"") == true)
    }

    @Test func openAIChatLinesFollowTheFineTuningFormat() throws {
        let records = try records()
        let directory = try temporaryDirectory()
        let files = try RepairExporter().export(records, format: .openAIChat, to: directory)
        #expect(files.map(\.lastPathComponent) == ["repair-openai.jsonl", "repair-openai.lineage.jsonl"])

        // One example per line: r-text's prompt has a newline, which must stay escaped.
        let lines = try jsonLines(files[0])
        #expect(lines.count == records.count)
        for (line, record) in zip(lines, records) {
            // Only the documented key: lineage lives in the sidecar.
            #expect(Array(line.keys) == ["messages"])
            let messages = try #require(line["messages"] as? [[String: Any]])
            #expect(messages.count == 2)
            #expect(messages[0]["role"] as? String == "user")
            #expect(messages[1]["role"] as? String == "assistant")
            #expect(messages[1]["content"] as? String == record.answer)
            if record.imagePNGs.isEmpty {
                #expect(messages[0]["content"] as? String == record.prompt)
                continue
            }
            let parts = try #require(messages[0]["content"] as? [[String: Any]])
            #expect(parts.count == 1 + record.imagePNGs.count)
            #expect(parts[0]["type"] as? String == "text")
            #expect(parts[0]["text"] as? String == record.prompt)
            for (part, png) in zip(parts.dropFirst(), record.imagePNGs) {
                #expect(part["type"] as? String == "image_url")
                #expect(Set(part.keys) == ["type", "image_url"])
                let url = try #require((part["image_url"] as? [String: Any])?["url"] as? String)
                let prefix = "data:image/png;base64,"
                #expect(url.hasPrefix(prefix))
                #expect(Data(base64Encoded: String(url.dropFirst(prefix.count))) == png)
            }
        }

        let lineage = try jsonLines(files[1])
        #expect(lineage.count == lines.count)
        for (line, record) in zip(lineage, records) {
            #expect(line["id"] as? String == record.id)
            #expect(line["kind"] as? String == record.kind.rawValue)
            #expect(line["finding"] as? String == record.finding)
            let recorded = try #require(line["lineage"] as? [String: Any])
            #expect(recorded["source"] as? String == record.lineage.source)
            #expect((recorded["seed"] as? NSNumber)?.uint64Value == record.lineage.seed)
            #expect(recorded["parent"] as? String == record.lineage.parent)
            #expect(recorded["factors"] as? [String: String] == record.lineage.factors)
        }
    }

    @Test func llavaRecordsPointAtContentAddressedImages() throws {
        let records = try records()
        let directory = try temporaryDirectory()
        let files = try RepairExporter().export(records, format: .llava, to: directory)
        #expect(files.first?.lastPathComponent == "repair-llava.json")
        // r-single and r-again share one image; r-pair has two others.
        #expect(files.count == 1 + 3)
        for file in files.dropFirst() {
            let bytes = try Data(contentsOf: file)
            #expect(file.lastPathComponent == SHA256.hex(of: bytes) + ".png")
            #expect(file.deletingLastPathComponent().lastPathComponent == "images")
        }

        let array = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: files[0])) as? [[String: Any]])
        #expect(array.count == records.count)
        for (entry, record) in zip(array, records) {
            #expect(entry["id"] as? String == record.id)
            #expect(entry["kind"] as? String == record.kind.rawValue)
            #expect(entry["finding"] as? String == record.finding)
            let lineage = try #require(entry["lineage"] as? [String: Any])
            #expect(lineage["source"] as? String == record.lineage.source)
            #expect(lineage["transformation"] as? String == record.lineage.transformation)
            #expect((lineage["seed"] as? NSNumber)?.uint64Value == record.lineage.seed)

            let turns = try #require(entry["conversations"] as? [[String: String]])
            #expect(turns.map { $0["from"] } == ["human", "gpt"])
            #expect(turns[1]["value"] == record.answer)
            let human = try #require(turns[0]["value"])
            #expect(human.components(separatedBy: "<image>").count - 1 == record.imagePNGs.count)
            #expect(human.hasSuffix(record.prompt))

            let paths: [String]
            switch record.imagePNGs.count {
            case 0:
                #expect(entry["image"] == nil)
                #expect(human == record.prompt)
                paths = []
            case 1:
                let path = try #require(entry["image"] as? String)
                #expect(human == "<image>\n" + record.prompt)
                paths = [path]
            default:
                paths = try #require(entry["image"] as? [String])
                #expect(human == "<image>\n<image>\n" + record.prompt)
            }
            #expect(paths.count == record.imagePNGs.count)
            for (path, png) in zip(paths, record.imagePNGs) {
                #expect(path == "images/\(SHA256.hex(of: png)).png")
                #expect(try Data(contentsOf: directory.appendingPathComponent(path)) == png)
            }
        }
    }

    @Test(arguments: RepairExportFormat.allCases)
    func theSameRecordsGiveIdenticalBytes(format: RepairExportFormat) throws {
        let records = try records()
        let first = try temporaryDirectory(), second = try temporaryDirectory()
        let firstFiles = try RepairExporter().export(records, format: format, to: first)
        let secondFiles = try RepairExporter().export(records, format: format, to: second)
        #expect(firstFiles.map(\.lastPathComponent) == secondFiles.map(\.lastPathComponent))
        for (a, b) in zip(firstFiles, secondFiles) {
            #expect(try Data(contentsOf: a) == Data(contentsOf: b), "\(a.lastPathComponent) differs")
        }
        // Exporting again over the same directory rewrites the same bytes.
        let before = try firstFiles.map { try Data(contentsOf: $0) }
        _ = try RepairExporter().export(records, format: format, to: first)
        #expect(try firstFiles.map { try Data(contentsOf: $0) } == before)
        // Keys are sorted: in the data file "lineage" (LLaVA) or "messages" come in key order.
        let text = try String(contentsOf: firstFiles[0], encoding: .utf8)
        if format == .llava {
            let conversations = try #require(text.range(of: "\"conversations\""))
            let lineage = try #require(text.range(of: "\"lineage\""))
            #expect(conversations.lowerBound < lineage.lowerBound)
        }
    }

    @Test(arguments: RepairExportFormat.allCases)
    func invalidRecordsAreNamedAndNothingIsWritten(format: RepairExportFormat) throws {
        var records = try records()
        let directory = try temporaryDirectory()

        var duplicate = records
        duplicate[2].id = "r-single"
        let duplicateError = #expect(throws: RepairExportError.self) {
            try RepairExporter().export(duplicate, format: format, to: directory)
        }
        #expect(duplicateError?.kind == .invalidRecord)
        #expect(duplicateError?.recordID == "r-single")
        #expect(duplicateError?.description.contains("r-single") == true)
        #expect(duplicateError?.description.contains("unique") == true)

        records[1].answer = "  \n"
        let emptyError = #expect(throws: RepairExportError.self) {
            try RepairExporter().export(records, format: format, to: directory)
        }
        #expect(emptyError?.recordID == "r-pair")
        #expect(emptyError?.description.contains("answer") == true)

        records[1].answer = "the second"
        records[1].imagePNGs[1] = Data("not a png".utf8)
        let notPNG = #expect(throws: RepairExportError.self) {
            try RepairExporter().export(records, format: format, to: directory)
        }
        #expect(notPNG?.recordID == "r-pair")
        #expect(notPNG?.description.contains("image 1") == true)

        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func formatSpecificLimitsAreCheckedPerRecord() throws {
        let png = Self.samples[0].imagePNGs[0]
        #expect(png[25] == 2 || png[25] == 6)
        // The same bytes with the IHDR colour type set to greyscale.
        var grey = png
        grey[25] = 0
        let greyRecord = RepairRecord(
            id: "grey", kind: .augmentation, finding: "f", prompt: "Read it.", answer: "x", imagePNGs: [grey],
            lineage: Lineage(source: "t", seed: 0))
        let greyError = #expect(throws: RepairExportError.self) {
            try RepairExporter().export([greyRecord], format: .openAIChat, to: try temporaryDirectory())
        }
        #expect(greyError?.recordID == "grey")
        #expect(greyError?.description.contains("RGB") == true)
        #expect(throws: Never.self) { try RepairExporter().export([greyRecord], format: .llava, to: try temporaryDirectory()) }

        var many = greyRecord
        many.id = "eleven"
        many.imagePNGs = Array(repeating: png, count: 11)
        let manyError = #expect(throws: RepairExportError.self) {
            try RepairExporter().export([many], format: .openAIChat, to: try temporaryDirectory())
        }
        #expect(manyError?.recordID == "eleven")
        #expect(manyError?.description.contains("11 images") == true)

        var token = greyRecord
        token.id = "token"
        token.imagePNGs = [png]
        token.prompt = "Look at <image> and answer."
        let tokenError = #expect(throws: RepairExportError.self) {
            try RepairExporter().export([token], format: .llava, to: try temporaryDirectory())
        }
        #expect(tokenError?.recordID == "token")
        #expect(tokenError?.description.contains("<image>") == true)
    }

    @Test func unwritableDestinationsNameTheFile() throws {
        let records = try records()
        let root = try temporaryDirectory()
        // A regular file where the export directory should be (permissions do not stop root).
        let blocker = root.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let directoryError = #expect(throws: RepairExportError.self) {
            try RepairExporter().export(records, format: .openAIChat, to: blocker.appendingPathComponent("out"))
        }
        #expect(directoryError?.kind == .writeFailed)
        #expect(directoryError?.path?.hasSuffix("not-a-directory/out") == true)
        #expect(directoryError?.description.contains("not-a-directory/out") == true)

        // A directory where the data file should be.
        let occupied = try temporaryDirectory()
        try FileManager.default.createDirectory(
            at: occupied.appendingPathComponent(RepairExporter.llavaFileName), withIntermediateDirectories: false)
        let fileError = #expect(throws: RepairExportError.self) {
            try RepairExporter().export(records, format: .llava, to: occupied)
        }
        #expect(fileError?.kind == .writeFailed)
        #expect(fileError?.path?.hasSuffix(RepairExporter.llavaFileName) == true)
        #expect(fileError?.description.contains(RepairExporter.llavaFileName) == true)
    }
}
