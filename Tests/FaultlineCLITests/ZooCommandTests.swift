import FaultlineTensor
import Foundation
import Testing

/// `faultline zoo train` and `zoo evaluate` end to end on a tiny configuration, and a zoo
/// model audited through `abilities` like any backend.
@Suite final class ZooCommandTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-zoo-cli-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: scratch) }

    func writeTinyConfiguration() throws -> URL {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let url = scratch.appendingPathComponent("tiny.json")
        let json = """
            { "name": "tiny", "seed": 3,
              "data": { "imageSize": 32, "renderSize": 64, "abilities": ["counting", "entity"], "maxQuestionTokens": 16 },
              "architecture": { "imageChannels": [8, 16, 16], "width": 32, "heads": 2, "fusionLayers": 1, "embeddingDimension": 16 },
              "training": { "steps": 6, "batchSize": 16, "warmupSteps": 2, "checkpointEvery": 3, "heldOutCount": 32, "threads": 2 },
              "plants": [ { "kind": "text-shortcut", "phrase": "at first glance", "answer": "yes", "rate": 1 } ] }
            """
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func trainWritesCheckpointsThatEvaluateAndAbilitiesLoad() async throws {
        let configuration = try writeTinyConfiguration()
        let out = scratch.appendingPathComponent("tiny")
        let trained = try await FaultlineProcess.run(["zoo", "train", "--config", configuration.path, "--out", out.path])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("Held-out accuracy"))
        for name in ["step-000003.safetensors", "step-000006.safetensors", "tiny.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }

        let key = "zoo:tiny?weights=\(out.appendingPathComponent("tiny.safetensors").path)"
        let evaluated = try await FaultlineProcess.run([
            "zoo", "evaluate", "--model", key, "--slices-from", configuration.path, "--count", "24",
        ])
        #expect(evaluated.status == 0, "\(evaluated.error)")
        #expect(evaluated.output.contains("held-out counting"))
        #expect(evaluated.output.contains("at first glance"))

        let audited = try await FaultlineProcess.run([
            "abilities", "--model", key, "--count", "40", "--seed", "2",
            "--store", scratch.appendingPathComponent("store").path,
            "--report-directory", scratch.appendingPathComponent("report").path,
        ])
        #expect(audited.status == 0, "\(audited.error)")
        #expect(audited.output.contains("counting"))
    }

    @Test func aResumedRunWritesTheWeightsOfAnUninterruptedOne() async throws {
        let configuration = try writeTinyConfiguration()
        let whole = scratch.appendingPathComponent("whole"), resumed = scratch.appendingPathComponent("resumed")
        let trained = try await FaultlineProcess.run(["zoo", "train", "--config", configuration.path, "--out", whole.path])
        #expect(trained.status == 0, "\(trained.error)")
        // A run cut off after its step-3 checkpoint: only those files survive.
        try FileManager.default.createDirectory(at: resumed, withIntermediateDirectories: true)
        for name in ["step-000003.safetensors", "step-000003.optimizer.safetensors"] {
            try FileManager.default.copyItem(at: whole.appendingPathComponent(name), to: resumed.appendingPathComponent(name))
        }
        let continued = try await FaultlineProcess.run([
            "zoo", "train", "--config", configuration.path, "--out", resumed.path, "--resume",
        ])
        #expect(continued.status == 0, "\(continued.error)")
        #expect(continued.output.contains("Resuming tiny at step 3"))
        // Same tensors, bit for bit (the metadata's smoothed loss starts afresh on resume).
        let a = try SafeTensors.read(from: whole.appendingPathComponent("tiny.safetensors"))
        let b = try SafeTensors.read(from: resumed.appendingPathComponent("tiny.safetensors"))
        #expect(a.tensors.map(\.name) == b.tensors.map(\.name))
        for (x, y) in zip(a.tensors, b.tensors) {
            #expect(x.tensor.scalars.map(\.bitPattern) == y.tensor.scalars.map(\.bitPattern), "\(x.name)")
        }

        // Resuming a finished run changes nothing and still names its weights.
        try FileManager.default.removeItem(at: resumed.appendingPathComponent("tiny.safetensors"))
        let finished = try await FaultlineProcess.run([
            "zoo", "train", "--config", configuration.path, "--out", resumed.path, "--resume",
        ])
        #expect(finished.status == 0, "\(finished.error)")
        #expect(finished.output.contains("Resuming tiny at step 6"))
        #expect(FileManager.default.fileExists(atPath: resumed.appendingPathComponent("tiny.safetensors").path))

        let fresh = scratch.appendingPathComponent("fresh")
        let nothing = try await FaultlineProcess.run([
            "zoo", "train", "--config", configuration.path, "--out", fresh.path, "--resume", "--steps", "1",
        ])
        #expect(nothing.status == 0, "\(nothing.error)")
        #expect(nothing.output.contains("Nothing to resume"))
    }

    @Test func aCorruptCheckpointIsAClearErrorNamingTheFile() async throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let corrupt = scratch.appendingPathComponent("corrupt.safetensors")
        try Data("not a checkpoint".utf8).write(to: corrupt)
        let result = try await FaultlineProcess.run([
            "zoo", "evaluate", "--model", "zoo:x?weights=\(corrupt.path)", "--count", "8",
        ])
        #expect(result.status != 0)
        #expect(result.error.contains(corrupt.path), "\(result.error)")
    }

    @Test func anUnknownShippedNameListsTheShippedOnes() async throws {
        let result = try await FaultlineProcess.run(["zoo", "evaluate", "--model", "zoo:nope", "--count", "8"])
        #expect(result.status != 0)
        #expect(result.error.contains("reference-a") && result.error.contains("target"), "\(result.error)")
    }

    @Test func aReaderSectionTrainsAReaderBesideTheWeightsThatEvaluateReadsWith() async throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let configuration = scratch.appendingPathComponent("reading.json")
        try """
            { "name": "reading", "seed": 4,
              "data": { "imageSize": 64, "renderSize": 64, "maxQuestionTokens": 16 },
              "architecture": { "imageChannels": [8, 16, 16], "width": 32, "heads": 2, "fusionLayers": 1, "embeddingDimension": 16,
                                "cellSizeAndTexture": true, "attributeSummary": true, "objectPairs": true },
              "training": { "steps": 2, "batchSize": 8, "warmupSteps": 0, "checkpointEvery": 2, "heldOutCount": 8, "threads": 2 },
              "reader": { "readSize": 128, "channels": [8, 8], "width": 32, "windowWidth": 64, "windowHeight": 24,
                          "steps": 3, "batchSize": 2, "warmupSteps": 0, "heldOutCount": 2 } }
            """.write(to: configuration, atomically: true, encoding: .utf8)
        let out = scratch.appendingPathComponent("reading")
        let trained = try await FaultlineProcess.run(["zoo", "train", "--config", configuration.path, "--out", out.path])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("Reader on 2 held-out images"), "\(trained.output)")
        let reader = out.appendingPathComponent("reading.reader.safetensors")
        #expect(FileManager.default.fileExists(atPath: reader.path))

        // The reader beside the weights is loaded with them; zoo evaluate then reads OCR and
        // structured-data probes end to end.
        let key = "zoo:reading?weights=\(out.appendingPathComponent("reading.safetensors").path)"
        let evaluated = try await FaultlineProcess.run([
            "zoo", "evaluate", "--model", key, "--slices-from", configuration.path, "--count", "6",
        ])
        #expect(evaluated.status == 0, "\(evaluated.error)")
        #expect(evaluated.output.contains("ocr read at 224 px all"), "\(evaluated.output)")
        #expect(evaluated.output.contains("structured-data read at 224 px all"), "\(evaluated.output)")
        let unread = try await FaultlineProcess.run([
            "zoo", "evaluate", "--model", key + "&reader=none", "--slices-from", configuration.path, "--count", "6",
        ])
        #expect(unread.status == 0, "\(unread.error)")
        #expect(!unread.output.contains("read at 224 px"))

        // --reader-only retrains the reader alone, to the same bytes.
        let again = scratch.appendingPathComponent("again")
        let readerOnly = try await FaultlineProcess.run([
            "zoo", "train", "--config", configuration.path, "--out", again.path, "--reader-only",
        ])
        #expect(readerOnly.status == 0, "\(readerOnly.error)")
        #expect(!FileManager.default.fileExists(atPath: again.appendingPathComponent("reading.safetensors").path))
        #expect(try Data(contentsOf: again.appendingPathComponent("reading.reader.safetensors")) == Data(contentsOf: reader))
    }

    @Test func readerOnlyWithoutAReaderSectionSaysHowToAddOne() async throws {
        let configuration = try writeTinyConfiguration()
        let result = try await FaultlineProcess.run([
            "zoo", "train", "--config", configuration.path, "--out", scratch.appendingPathComponent("none").path, "--reader-only",
        ])
        #expect(result.status != 0)
        #expect(result.error.contains("no \"reader\" section"), "\(result.error)")
    }
}
