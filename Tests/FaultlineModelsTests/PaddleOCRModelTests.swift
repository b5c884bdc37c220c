import FaultlineCore
import FaultlineScenes
import Foundation
import Testing

@testable import FaultlineModels

/// Where `make setup` puts the PaddleOCR models and ONNX Runtime.
private let paddleDirectory = FaultlineHome.models.appendingPathComponent("paddleocr", isDirectory: true)
private let onnxRuntimeLibrary = FaultlineHome.models.appendingPathComponent("onnxruntime/libonnxruntime.so.1.32.0")
private let paddleInstalled =
    FileManager.default.fileExists(atPath: onnxRuntimeLibrary.path)
    && ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "config.yaml"]
        .allSatisfy { FileManager.default.fileExists(atPath: paddleDirectory.appendingPathComponent($0).path) }
private let notInstalled: Comment = "PaddleOCR or ONNX Runtime not in \(FaultlineHome.models.path): run `make setup`"

/// One model for the whole suite: loading hashes 16 MB of weights.
private let sharedModel = Result { try PaddleOCRModel(directory: paddleDirectory, onnxRuntimeLibrary: onnxRuntimeLibrary) }

/// Clear black-on-white text from Faultline's own renderer.
private func rendered(_ lines: [String], size: Double = 48, rotation: Double = 0) throws -> RasterImage {
    try TextRenderer().render(TextRenderSpec(lines: lines, size: size, rotation: rotation))
}

private func probe(id: String, ability: Ability = .ocr, imageCount: Int = 1) -> Probe {
    Probe(
        id: id,
        images: Array(repeating: ImageRef(sha256: String(repeating: "0", count: 64), width: 1, height: 1), count: imageCount),
        prompt: "Read the text in the image.", expected: ExpectedAnswer(text: "", format: .freeText), ability: ability,
        lineage: Lineage(source: "test", seed: 0))
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-paddle-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("PaddleOCR backend")
struct PaddleOCRModelTests {
    @Test("a large clear rendered word is read exactly", .enabled(if: paddleInstalled, notInstalled))
    func readsRenderedWord() async throws {
        let model = try sharedModel.get()
        for word in ["FAULTLINE", "Hello World"] {
            let response = try await model.answer(
                ModelRequest(probe: probe(id: "p-\(word)"), images: [try rendered([word])], parameters: DecodingParameters()))
            #expect(response.text == word)
            #expect(response.latencySeconds > 0)
        }
    }

    @Test("lines come in reading order, joined by single spaces", .enabled(if: paddleInstalled, notInstalled))
    func readsLinesInOrder() throws {
        let reading = try sharedModel.get().pipeline.read(try rendered(["Faultline audits", "vision models"], size: 40))
        #expect(reading.text == "Faultline audits vision models")
        #expect(reading.lines.count == 2)
        if reading.lines.count == 2 {
            #expect(reading.lines[0].corners[0].y < reading.lines[1].corners[0].y)
            #expect(reading.lines.allSatisfy { $0.score > 0.9 && !$0.turnedOver })
        }
    }

    @Test("upside-down text is turned over before it is read", .enabled(if: paddleInstalled, notInstalled))
    func turnsUpsideDownText() throws {
        let reading = try sharedModel.get().pipeline.read(try rendered(["Upside down"], rotation: 180))
        #expect(reading.text == "Upside down")
        #expect(reading.lines.first?.turnedOver == true)
    }

    @Test("a blank image reads as nothing", .enabled(if: paddleInstalled, notInstalled))
    func blankImage() throws {
        let reading = try sharedModel.get().pipeline.read(RasterImage(width: 320, height: 120, channels: 3, fill: 255))
        #expect(reading.text == "")
        #expect(reading.lines.isEmpty)
    }

    @Test("grey-scale input is read like RGB", .enabled(if: paddleInstalled, notInstalled))
    func greyInput() throws {
        let colour = try rendered(["Grey scale"])
        let grey = RasterImage(
            width: colour.width, height: colour.height, channels: 1,
            pixels: stride(from: 0, to: colour.pixels.count, by: 3).map { colour.pixels[$0] })
        #expect(try sharedModel.get().pipeline.read(grey).text == "Grey scale")
    }

    @Test("concurrent requests give the same answers as one at a time", .enabled(if: paddleInstalled, notInstalled))
    func concurrentRequests() async throws {
        let model = try sharedModel.get()
        let words = ["Alpha", "Bravo 42", "Charlie", "Delta echo"]
        let images = try words.map { try rendered([$0], size: 40) }
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, image) in images.enumerated() {
                group.addTask {
                    let response = try await model.answer(
                        ModelRequest(probe: probe(id: "c-\(index)"), images: [image], parameters: DecodingParameters()))
                    return (index, response.text)
                }
            }
            var collected = [String](repeating: "", count: images.count)
            for try await (index, text) in group { collected[index] = text }
            return collected
        }
        #expect(answers == words)
        #expect(try images.map { try model.pipeline.read($0).text } == answers)
    }

    @Test("only one-image OCR probes are answered", .enabled(if: paddleInstalled, notInstalled))
    func answersOCRProbesOnly() async throws {
        let model = try sharedModel.get()
        #expect(model.key == "ocr:paddle")
        #expect(model.maxConcurrentRequests == 2)
        #expect(model.canAnswer(probe(id: "a")))
        #expect(!model.canAnswer(probe(id: "b", ability: .counting)))
        #expect(!model.canAnswer(probe(id: "c", imageCount: 2)))
        let image = try rendered(["text"])
        let error = await #expect(throws: PaddleOCRError.self) {
            try await model.answer(
                ModelRequest(probe: probe(id: "count-7", ability: .counting), images: [image], parameters: DecodingParameters()))
        }
        #expect(error?.location == "probe count-7")
        await #expect(throws: PaddleOCRError.self) {
            try await model.answer(ModelRequest(probe: probe(id: "none"), images: [], parameters: DecodingParameters()))
        }
    }

    @Test("the fingerprint follows the weights' hashes and the settings", .enabled(if: paddleInstalled, notInstalled))
    func fingerprint() throws {
        let model = try sharedModel.get()
        #expect(model.fingerprint.count == 16)
        #expect(model.fingerprint.allSatisfy { $0.isHexDigit })
        var settings = model.pipeline.settings
        settings.detection.limitSideLength = 1280
        let other = try PaddleOCRModel(
            directory: paddleDirectory, onnxRuntimeLibrary: onnxRuntimeLibrary, settings: settings)
        #expect(other.fingerprint != model.fingerprint)
        settings.detection.limitSideLength = model.pipeline.settings.detection.limitSideLength
        let same = try PaddleOCRModel(directory: paddleDirectory, onnxRuntimeLibrary: onnxRuntimeLibrary, settings: settings)
        #expect(same.fingerprint == model.fingerprint)
    }

    @Test("the recogniser's dictionary comes from the model's metadata", .enabled(if: paddleInstalled, notInstalled))
    func dictionary() throws {
        let recognizer = try sharedModel.get().pipeline.recognizer
        // blank + 6,623 dictionary lines + space = the 6,625 classes the model scores.
        #expect(recognizer.characters.count == 6625)
        #expect(recognizer.characters.first == "blank" && recognizer.characters.last == " ")
        #expect(try recognizer.session.customMetadata("no-such-key") == nil)
    }

    // MARK: ONNX Runtime

    @Test("sessions expose their inputs and refuse tensors of the wrong shape", .enabled(if: paddleInstalled, notInstalled))
    func sessionShapes() throws {
        let runtime = try ONNXRuntime.load(library: onnxRuntimeLibrary)
        #expect(runtime.version == "1.32.0")
        let detection = try ONNXSession(runtime: runtime, modelURL: paddleDirectory.appendingPathComponent("ch_PP-OCRv4_det_infer.onnx"))
        #expect(detection.inputs.map(\.name) == ["x"])
        #expect(detection.inputs.first?.shape == [-1, 3, -1, -1])
        let output = try detection.run(try FloatTensor(shape: [1, 3, 32, 64], values: [Float](repeating: 1, count: 3 * 32 * 64)))
        #expect(output.shape == [1, 1, 32, 64])
        #expect(output.values.allSatisfy { $0 >= 0 && $0 <= 1 })

        let wrongChannels = try FloatTensor(shape: [1, 4, 32, 32], values: [Float](repeating: 0, count: 4 * 32 * 32))
        let error = try #require(throws: ONNXRuntimeError.self) { try detection.run(wrongChannels) }
        #expect(error.kind == .invalidInput)
        #expect(error.description.contains("[?, 3, ?, ?]"))
        #expect(error.description.contains("ch_PP-OCRv4_det_infer.onnx"))
        #expect(throws: ONNXRuntimeError.self) { try detection.run(["y": wrongChannels]) }
        #expect(throws: ONNXRuntimeError.self) { try FloatTensor(shape: [2, 2], values: [1, 2, 3]) }
    }

    @Test("a truncated model file is an error naming it", .enabled(if: paddleInstalled, notInstalled))
    func truncatedModel() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "config.yaml"]
        for name in names {
            try FileManager.default.copyItem(
                at: paddleDirectory.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let detection = directory.appendingPathComponent("ch_PP-OCRv4_det_infer.onnx")
        try Data(try Data(contentsOf: detection).prefix(1000)).write(to: detection)

        let runtime = try ONNXRuntime.load(library: onnxRuntimeLibrary)
        let error = try #require(throws: ONNXRuntimeError.self) { try ONNXSession(runtime: runtime, modelURL: detection) }
        #expect(error.kind == .modelNotLoadable)
        #expect(error.file == detection.path)
        #expect(error.description.contains(detection.path))
        #expect(error.description.contains("truncated or corrupt"))
        #expect(error.description.contains("make setup"))

        let modelError = try #require(throws: ONNXRuntimeError.self) {
            try PaddleOCRModel(directory: directory, onnxRuntimeLibrary: onnxRuntimeLibrary)
        }
        #expect(modelError.file == detection.path)
    }

    @Test("a missing model directory is an error naming the file and the fix")
    func missingModels() throws {
        let directory = URL(fileURLWithPath: "/nonexistent/faultline-paddleocr")
        let error = try #require(throws: PaddleOCRError.self) {
            try PaddleOCRModel(directory: directory, onnxRuntimeLibrary: onnxRuntimeLibrary)
        }
        #expect(error.location == directory.appendingPathComponent("ch_PP-OCRv4_det_infer.onnx").path)
        #expect(error.description.contains("make setup"))
    }

    @Test("a missing runtime library is an error naming it and the fix")
    func missingLibrary() throws {
        let library = URL(fileURLWithPath: "/nonexistent/libonnxruntime.so.1.32.0")
        let error = try #require(throws: ONNXRuntimeError.self) { try ONNXRuntime.load(library: library) }
        #expect(error.kind == .libraryMissing)
        #expect(error.description.contains(library.path))
        #expect(error.description.contains("make setup"))
        if paddleInstalled {
            let modelError = try #require(throws: ONNXRuntimeError.self) {
                try PaddleOCRModel(directory: paddleDirectory, onnxRuntimeLibrary: library)
            }
            #expect(modelError.kind == .libraryMissing)
        }
    }

    @Test("a corrupt runtime library, or one that is not ONNX Runtime, is refused with the loader's reason")
    func corruptLibrary() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let corrupt = directory.appendingPathComponent("libonnxruntime.so.1.32.0")
        try Data("not a shared library".utf8).write(to: corrupt)
        let error = try #require(throws: ONNXRuntimeError.self) { try ONNXRuntime.load(library: corrupt) }
        #expect(error.kind == .libraryNotLoadable)
        #expect(error.description.contains(corrupt.path))

        // A real shared library without OrtGetApiBase: the C library every process has loaded.
        let candidates = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/libc.so.6"]
        if let libc = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            let other = try #require(throws: ONNXRuntimeError.self) {
                try ONNXRuntime.load(library: URL(fileURLWithPath: libc))
            }
            #expect(other.kind == .notONNXRuntime)
            #expect(other.description.contains("OrtGetApiBase"))
        }
    }
}
