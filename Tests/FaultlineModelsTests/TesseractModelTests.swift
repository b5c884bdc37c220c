import FaultlineCore
import FaultlineScenes
import Foundation
import Testing

@testable import FaultlineModels

/// Whether the English model is installed where `TesseractModel` looks by default.
private let englishModelInstalled = FileManager.default.fileExists(
    atPath: TesseractModel.defaultDataPath.appendingPathComponent("eng.traineddata").path)

/// Large, clear, black-on-white text from Faultline's own renderer.
private func renderedText(_ lines: [String], size: Double = 48) throws -> RasterImage {
    try TextRenderer().render(TextRenderSpec(lines: lines, size: size))
}

private func ocrProbe(id: String, expected: String, imageCount: Int = 1) -> Probe {
    Probe(
        id: id, images: Array(repeating: ImageRef(sha256: String(repeating: "0", count: 64), width: 1, height: 1), count: imageCount),
        prompt: "Read the text in the image.", expected: ExpectedAnswer(text: expected, format: .freeText),
        ability: .ocr, lineage: Lineage(source: "test", seed: 0))
}

@Suite("Tesseract backend")
struct TesseractModelTests {
    @Test("a large clear rendered word is read exactly", .enabled(if: englishModelInstalled, "eng.traineddata not installed: apt-get install tesseract-ocr-eng"))
    func readsRenderedWord() async throws {
        let model = try TesseractModel(maxConcurrentRequests: 1)
        let image = try renderedText(["Faultline"])
        let response = try await model.answer(
            ModelRequest(probe: ocrProbe(id: "t-1", expected: "Faultline"), images: [image], parameters: DecodingParameters()))
        #expect(response.text == "Faultline")
        #expect(response.latencySeconds > 0)
    }

    @Test("lines are joined with single spaces", .enabled(if: englishModelInstalled, "eng.traineddata not installed"))
    func multiLine() async throws {
        let model = try TesseractModel(maxConcurrentRequests: 1)
        let text = try await model.read(try renderedText(["The quick brown", "fox jumps over"], size: 40))
        #expect(text == "The quick brown fox jumps over")
        let grey = try renderedText(["Grey"], size: 48)
        let greyPixels = stride(from: 0, to: grey.pixels.count, by: grey.channels).map { grey.pixels[$0] }
        let single = RasterImage(width: grey.width, height: grey.height, channels: 1, pixels: greyPixels)
        #expect(try await model.read(single) == "Grey")
    }

    @Test("a missing data directory is an error naming it and the fix")
    func missingDataPath() throws {
        let path = URL(fileURLWithPath: "/nonexistent/faultline-tessdata")
        let error = #expect(throws: TesseractError.self) { try TesseractModel(dataPath: path) }
        #expect(error == .dataPathMissing(path: path.path))
        let message = error?.description ?? ""
        #expect(message.contains("/nonexistent/faultline-tessdata"))
        #expect(message.contains("tesseract-ocr-eng"))
        #expect(message.contains("make setup"))
    }

    @Test("a directory without the language's traineddata is an error naming the file")
    func missingTrainedData() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-tess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: TesseractError.self) { try TesseractModel(dataPath: directory, language: "eng") }
        let file = directory.appendingPathComponent("eng.traineddata").path
        #expect(error == .trainedDataMissing(file: file, language: "eng"))
        #expect(error?.description.contains(file) == true)
        #expect(error?.description.contains("apt-get install tesseract-ocr-eng") == true)
    }

    @Test("a corrupt traineddata file is rejected by libtesseract with a clear error")
    func corruptTrainedData() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-tess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("not a traineddata file".utf8).write(to: directory.appendingPathComponent("eng.traineddata"))
        let error = #expect(throws: TesseractError.self) { try TesseractModel(dataPath: directory) }
        guard case .initialisationFailed(let dataPath, let language, _) = error else {
            Issue.record("expected initialisationFailed, got \(String(describing: error))")
            return
        }
        #expect(language == "eng")
        #expect(dataPath == directory.path)
    }

    @Test("invalid settings are rejected before anything is loaded")
    func invalidSettings() {
        #expect(throws: TesseractError.invalidSetting(name: "maxConcurrentRequests", value: "0", expected: "1 to 64")) {
            try TesseractModel(maxConcurrentRequests: 0)
        }
        #expect(throws: TesseractError.self) { try TesseractModel(language: "../eng") }
    }

    @Test("only OCR probes with exactly one image are accepted", .enabled(if: englishModelInstalled, "eng.traineddata not installed"))
    func canAnswer() async throws {
        let model = try TesseractModel(maxConcurrentRequests: 1)
        #expect(model.canAnswer(ocrProbe(id: "a", expected: "x")))
        #expect(!model.canAnswer(ocrProbe(id: "b", expected: "x", imageCount: 2)))
        #expect(!model.canAnswer(ocrProbe(id: "c", expected: "x", imageCount: 0)))
        var counting = ocrProbe(id: "d", expected: "3")
        counting.ability = .counting
        #expect(!model.canAnswer(counting))

        let request = ModelRequest(probe: ocrProbe(id: "e", expected: "x", imageCount: 2), images: [], parameters: DecodingParameters())
        await #expect(throws: TesseractError.wrongImageCount(probeID: "e", count: 0)) { try await model.answer(request) }
        let twoChannels = RasterImage(width: 4, height: 4, channels: 2, fill: 255)
        await #expect(throws: TesseractError.self) { try await model.read(twoChannels, probeID: "f") }
    }

    @Test("a cancelled request does not start recognising", .enabled(if: englishModelInstalled, "eng.traineddata not installed"))
    func cancellation() async throws {
        let model = try TesseractModel(maxConcurrentRequests: 1)
        let image = try renderedText(["Cancelled"])
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await model.read(image)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("fingerprint names the library version, model hash and page segmentation mode", .enabled(if: englishModelInstalled, "eng.traineddata not installed"))
    func fingerprint() throws {
        let block = try TesseractModel(maxConcurrentRequests: 1)
        let line = try TesseractModel(pageSegMode: .singleLine, maxConcurrentRequests: 1)
        #expect(block.key == "ocr:tesseract")
        #expect(block.fingerprint.contains("tesseract \(TesseractModel.libraryVersion)"))
        #expect(block.fingerprint.contains("psm 6"))
        #expect(line.fingerprint.contains("psm 7"))
        #expect(block.fingerprint != line.fingerprint)
        let data = try Data(contentsOf: TesseractModel.defaultDataPath.appendingPathComponent("eng.traineddata"))
        #expect(block.fingerprint.contains(SHA256.hex(of: data)))
    }

    @Test("concurrent answers from many tasks equal serial answers", .enabled(if: englishModelInstalled, "eng.traineddata not installed"))
    func concurrentEqualsSerial() async throws {
        let texts = ["Faultline", "Quartz", "Harbour", "Meridian", "Lantern", "Copper 42"]
        let images = try texts.map { try renderedText([$0]) }
        let serialModel = try TesseractModel(maxConcurrentRequests: 1)
        var serial: [String] = []
        for image in images { serial.append(try await serialModel.read(image)) }

        let model = try TesseractModel(maxConcurrentRequests: 2)
        // Three rounds of every image, all in flight at once: more tasks than handles, so
        // requests must wait for a free handle and handles are reused across words.
        let concurrent = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for round in 0..<3 {
                for (index, image) in images.enumerated() {
                    group.addTask { (round * images.count + index, try await model.read(image)) }
                }
            }
            var results = [String](repeating: "", count: 3 * images.count)
            for try await (slot, text) in group { results[slot] = text }
            return results
        }
        #expect(concurrent == serial + serial + serial)
        #expect(serial == texts)
    }

    @Test("normalise joins lines with single spaces and trims")
    func normalise() {
        #expect(TesseractModel.normalise("  The quick\nbrown  fox\n\n\u{0C}") == "The quick brown fox")
        #expect(TesseractModel.normalise("\n \n") == "")
    }
}
