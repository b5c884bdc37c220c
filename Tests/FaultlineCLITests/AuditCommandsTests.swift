import Foundation
import Testing

/// `spurious`, `rectify` and `interference` end to end through the command line, on a zoo model
/// trained for a few steps (the figures mean nothing; the files, formats and errors do).
@Suite(.serialized) final class AuditCommandsTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-audit-cli-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: scratch) }

    /// A zoo model trained for six steps, as a registry key.
    func tinyModel() async throws -> String {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let configuration = scratch.appendingPathComponent("tiny.json")
        try """
            { "name": "tiny", "seed": 3,
              "data": { "imageSize": 32, "renderSize": 64, "abilities": ["counting", "entity"], "maxQuestionTokens": 16 },
              "architecture": { "imageChannels": [8, 16, 16], "width": 32, "heads": 2, "fusionLayers": 1, "embeddingDimension": 16 },
              "training": { "steps": 6, "batchSize": 16, "warmupSteps": 2, "checkpointEvery": 6, "heldOutCount": 16, "threads": 2 },
              "plants": [] }
            """.write(to: configuration, atomically: true, encoding: .utf8)
        let out = scratch.appendingPathComponent("tiny")
        let trained = try await FaultlineProcess.run(["zoo", "train", "--config", configuration.path, "--out", out.path])
        #expect(trained.status == 0, "\(trained.error)")
        return "zoo:tiny?weights=\(out.appendingPathComponent("tiny.safetensors").path)"
    }

    func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func spuriousThenRectifyWriteTheirFilesAndExports() async throws {
        let model = try await tinyModel()
        let store = scratch.appendingPathComponent("store").path
        let audit = scratch.appendingPathComponent("spurious")
        let spurious = try await FaultlineProcess.run([
            "spurious", "--model", model, "--count", "120", "--pairs", "4", "--max-candidates", "2",
            "--store", store, "--report-directory", audit.path,
        ])
        #expect(spurious.status == 0, "\(spurious.error)")
        #expect(spurious.output.contains("Spurious-correlation audit"))
        let document = try json(audit.appendingPathComponent("spurious.json"))
        #expect(document["schemaVersion"] as? Int == 1)
        let html = try String(contentsOf: audit.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("spurious-correlation audit") && !html.contains("<script"))

        // rectify finds the audit by its id in the store.
        let saved = try FileManager.default.contentsOfDirectory(atPath: store + "/audits").filter { $0.hasSuffix(".spurious.json") }
        let runID = try #require(saved.first).replacingOccurrences(of: ".spurious.json", with: "")
        let weights = scratch.appendingPathComponent("repaired.safetensors")
        let report = scratch.appendingPathComponent("rectify")
        let rectify = try await FaultlineProcess.run([
            "rectify", "--model", model, "--from", runID, "--steps", "3", "--pairs-per-cue", "4", "--augment", "4",
            "--ability-probes", "4", "--interference-probes", "4", "--store", store, "--out", weights.path,
            "--report-directory", report.path,
        ])
        #expect(rectify.status == 0, "\(rectify.error)")
        #expect(rectify.output.contains("Abilities, accuracy:"))
        #expect(FileManager.default.fileExists(atPath: weights.path))
        let result = try json(report.appendingPathComponent("rectify.json"))
        #expect((result["abilities"] as? [Any])?.isEmpty == false)
        // Every exported line is a chat fine-tuning record, with a lineage line beside it.
        let data = try String(contentsOf: report.appendingPathComponent("repair-data/repair-openai.jsonl"), encoding: .utf8)
        let lineage = try String(contentsOf: report.appendingPathComponent("repair-data/repair-openai.lineage.jsonl"), encoding: .utf8)
        let lines = data.split(separator: "\n")
        #expect(!lines.isEmpty && lines.count == lineage.split(separator: "\n").count)
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((record["messages"] as? [Any])?.count == 2)
        }
        #expect(FileManager.default.fileExists(atPath: report.appendingPathComponent("repair-data/repair-llava.json").path))

        // The repaired weights load as a model.
        let reloaded = try await FaultlineProcess.run([
            "zoo", "evaluate", "--model", "zoo:tiny?weights=\(weights.path)", "--count", "8",
            "--slices-from", scratch.appendingPathComponent("tiny.json").path, "--cells",
        ])
        #expect(reloaded.status == 0, "\(reloaded.error)")
        #expect(reloaded.output.contains("cells shape") && reloaded.output.contains("cells colour"), "\(reloaded.output)")
        // Examples of another image size are refused with a message, not a crash.
        let mismatched = try await FaultlineProcess.run(["zoo", "evaluate", "--model", "zoo:tiny?weights=\(weights.path)", "--count", "8"])
        #expect(mismatched.status != 0)
        #expect(mismatched.error.contains("reads 32-px images"), "\(mismatched.error)")
    }

    @Test func interferenceWritesMetricsAttacksAndAReport() async throws {
        let model = try await tinyModel()
        let report = scratch.appendingPathComponent("interference")
        let result = try await FaultlineProcess.run([
            "interference", "--model", model, "--image-heavy", "6", "--text-heavy", "6", "--attack-count", "2",
            "--query-cap", "4", "--store", scratch.appendingPathComponent("store").path, "--report-directory", report.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        let document = try json(report.appendingPathComponent("interference.json"))
        let cells = try #require(document["cells"] as? [[String: Any]])
        #expect(Set(cells.compactMap { $0["perturbation"] as? String }).isSuperset(of: ["irrelevant-facts", "misleading-description", "ocr-noise", "typographic-overlay"]))
        let attacks = try #require(document["attacks"] as? [[String: Any]])
        #expect(attacks.contains { $0["method"] as? String == "pgd-text-embeddings" })
        for attack in attacks where attack["method"] as? String == "random-search-image" {
            let queries = try #require(attack["meanQueries"] as? Double)
            #expect(queries <= 4, "the black-box attack exceeded its query cap: \(queries)")
        }
        let html = try String(contentsOf: report.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Answers changed, by model and perturbation"))
    }

    @Test func aModelFaultlineCannotTrainGetsItsRepairDataExported() async throws {
        let store = scratch.appendingPathComponent("store").path
        let spurious = try await FaultlineProcess.run([
            "spurious", "--model", "double:echo", "--count", "100", "--pairs", "2", "--store", store,
            "--report-directory", scratch.appendingPathComponent("spurious").path,
        ])
        #expect(spurious.status == 0, "\(spurious.error)")
        let saved = try FileManager.default.contentsOfDirectory(atPath: store + "/audits").filter { $0.hasSuffix(".spurious.json") }
        let runID = try #require(saved.first).replacingOccurrences(of: ".spurious.json", with: "")
        let report = scratch.appendingPathComponent("rectify")
        let rectify = try await FaultlineProcess.run([
            "rectify", "--model", "double:echo", "--from", runID, "--augment", "3", "--store", store,
            "--report-directory", report.path,
        ])
        #expect(rectify.status == 0, "\(rectify.error)")
        #expect(rectify.output.contains("Not fine-tuned"))
        #expect(FileManager.default.fileExists(atPath: report.appendingPathComponent("repair-data/repair-openai.jsonl").path))
        let html = try String(contentsOf: report.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Not fine-tuned"))
    }

    @Test func badArgumentsAndMissingAuditsAreClearErrors() async throws {
        let count = try await FaultlineProcess.run(["spurious", "--model", "zoo:target", "--count", "50"])
        #expect(count.status != 0)
        #expect(count.error.contains("--count must be at least 100"), "\(count.error)")

        let missing = try await FaultlineProcess.run([
            "rectify", "--model", "zoo:target", "--from", "no-such-run", "--store", scratch.appendingPathComponent("empty").path,
        ])
        #expect(missing.status != 0)
        #expect(missing.error.contains("no spurious audit named no-such-run"), "\(missing.error)")

        let seeds = try await FaultlineProcess.run(["rectify", "--model", "zoo:target", "--from", "x", "--repair-seed", "5", "--held-out-seed", "5"])
        #expect(seeds.status != 0)
        #expect(seeds.error.contains("must differ"), "\(seeds.error)")
    }
}
