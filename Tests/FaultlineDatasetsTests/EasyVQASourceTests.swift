import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@testable import FaultlineDatasets

@Suite struct EasyVQASourceTests {
    static let questions = """
        [["what is the red shape?", "triangle", 0], ["what is the color of the triangle?", "red", 0], \
        ["does the image contain a circle?", "no", 0], ["is there not a black shape in the image?", "yes", 0], \
        ["is a blue shape present?", "yes", 1], ["what shape is present?", "circle", 1]]
        """

    /// The wheel's package layout: `data/answers.txt`, `data/test/questions.json`, `data/test/images/<id>.png`.
    static func writeFixture(in folder: ScratchFolder) throws {
        try folder.write(
            "data/answers.txt",
            "circle\ngreen\nred\ngray\nyes\nteal\nblack\nrectangle\nyellow\ntriangle\nbrown\nblue\nno\n")
        try folder.write("data/test/questions.json", questions)
        try folder.write(
            "data/test/images/0.png",
            try TestImages.png(TestImages.flat(width: 64, height: 64, red: 255, green: 0, blue: 0)))
        try folder.write(
            "data/test/images/1.png",
            try TestImages.png(TestImages.flat(width: 64, height: 64, red: 0, green: 0, blue: 255)))
    }

    @Test func questionsBecomeProbesByType() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try Self.writeFixture(in: folder)
        let source = try EasyVQASource(directory: folder.url, split: .test)
        #expect(source.count == 6)
        #expect(source.name == "easy-vqa:test")
        let samples = Array(source.samples())
        let probes = samples.map(\.probe)
        #expect(probes.map(\.id) == (0..<6).map { String(format: "easyvqa-test-%05d", $0) })
        #expect(probes.map(\.expected.format) == [.freeText, .freeText, .yesNo, .yesNo, .yesNo, .freeText])
        #expect(probes.map(\.ability) == [.entity, .attribute, .entity, .attribute, .attribute, .entity])
        #expect(
            probes.map { $0.lineage.factors["question-type"] } == [
                "shape", "color", "shape-presence", "color-presence", "color-presence", "shape",
            ])
        #expect(probes.map { $0.lineage.factors["negated"] } == [nil, nil, "no", "yes", "no", nil])
        #expect(probes.map { $0.lineage.factors["answer"] } == ["triangle", "red", "no", "yes", "yes", "circle"])
        #expect(probes[0].prompt == "what is the red shape?\nAnswer with a single word.")
        #expect(probes[2].prompt == "does the image contain a circle?\nAnswer yes or no.")
        #expect(probes[0].expected == ExpectedAnswer(text: "triangle", format: .freeText))
        // Questions about one image share it.
        #expect(Set(probes.prefix(4).map(\.images)).count == 1)
        #expect(probes[4].images != probes[0].images)
        #expect(try PNGCodec.decode(samples[4].imagePNGs[0]).pixels.prefix(3) == [0, 0, 255])
        #expect(probes[1].lineage.source == "easy-vqa:test")
    }

    @Test func theDataFolderItselfLimitsAndResumingWork() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try Self.writeFixture(in: folder)
        let limited = try EasyVQASource(directory: folder.file("data"), split: .test, limit: 5)
        #expect(limited.count == 5)
        #expect(Array(limited.samples(from: 3)).map(\.probe.id) == ["easyvqa-test-00003", "easyvqa-test-00004"])
        #expect(Array(limited.samples(from: 3)).map(\.probe) == Array(limited.samples()).dropFirst(3).map(\.probe))
    }

    @Test func missingFilesAreFatalWithAdvice() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        #expect {
            try EasyVQASource(directory: folder.url, split: .train)
        } throws: { error in
            "\(error)".contains("scripts/install.sh")
        }
        try Self.writeFixture(in: folder)
        try FileManager.default.removeItem(at: folder.file("data/test/images/1.png"))
        #expect {
            try EasyVQASource(directory: folder.url, split: .test)
        } throws: { error in
            "\(error)".contains("1.png") && "\(error)".contains("missing")
        }
        // Questions before image 1 need only image 0.
        #expect(try EasyVQASource(directory: folder.url, split: .test, limit: 4).count == 4)
        try folder.write("data/test/questions.json", #"[["what?", "purple", 0]]"#)
        #expect {
            try EasyVQASource(directory: folder.url, split: .test)
        } throws: { error in
            "\(error)".contains("\"purple\"")
        }
    }

    static var installedData: URL { FaultlineHome.directory.appendingPathComponent("data/easy-vqa") }
    static var installed: Bool {
        FileManager.default.fileExists(atPath: installedData.appendingPathComponent("data/test/questions.json").path)
    }

    @Test(.enabled(if: installed, "easy-VQA is not installed; run scripts/install.sh"))
    func theInstalledTestSplitHasItsPublishedSize() throws {
        let source = try EasyVQASource(directory: Self.installedData, split: .test)
        #expect(source.count == 9_673)
        #expect(Set(source.questions.map(\.imageID)).count == 1_000)
        var probes = 0
        var yesNo = 0
        var imageIDs: Set<Int> = []
        var previousImage: ImageRef?
        for (position, sample) in source.samples().enumerated() {
            probes += 1
            if sample.probe.expected.format == .yesNo { yesNo += 1 }
            #expect(sample.probe.images[0].width == 64 && sample.probe.images[0].height == 64)
            // A new image reference exactly when the question moves to a new image.
            let imageID = source.questions[position].imageID
            if !imageIDs.contains(imageID) {
                imageIDs.insert(imageID)
            } else {
                #expect(sample.probe.images[0] == previousImage)
            }
            previousImage = sample.probe.images[0]
        }
        #expect(probes == 9_673)
        #expect(imageIDs.count == 1_000)
        // The data folder's README: 7,136 test questions are yes/no.
        #expect(yesNo == 7_136)
        #expect(source.problems.isEmpty)
    }
}
