import FaultlineCore
import FaultlineStore
import Foundation
import Testing

@Suite final class StoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-store-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: directory) }

    func probe(_ id: String, image: ImageRef, prompt: String = "Read the text.") -> Probe {
        Probe(
            id: id, images: [image], prompt: prompt, expected: ExpectedAnswer(text: "cat", format: .freeText), ability: .ocr,
            lineage: Lineage(source: "test", seed: 1, factors: ["size": "12px"]))
    }

    @Test func imagesAreStoredOnceUnderTheirHash() throws {
        let store = try AuditDatabase(directory: directory)
        let bytes = Data("pretend png".utf8)
        let first = try store.images.put(bytes)
        let second = try store.images.put(bytes)
        #expect(first == second)
        #expect(first == SHA256.hex(of: bytes))
        #expect(try store.images.data(for: first) == bytes)
        #expect(store.images.url(for: first).path.hasSuffix("/\(first.prefix(2))/\(first).png"))
    }

    @Test func theCacheKeyDependsOnModelContentAndParametersOnly() {
        let ref = ImageRef(sha256: String(repeating: "a", count: 64), width: 4, height: 4)
        let a = probe("p1", image: ref)
        let renamed = probe("p2", image: ref)
        let otherPrompt = probe("p1", image: ref, prompt: "Read it.")
        let parameters = DecodingParameters()
        let key = AuditDatabase.cacheKey(fingerprint: "m1", probe: a, parameters: parameters)
        #expect(key == AuditDatabase.cacheKey(fingerprint: "m1", probe: renamed, parameters: parameters))
        #expect(key != AuditDatabase.cacheKey(fingerprint: "m2", probe: a, parameters: parameters))
        #expect(key != AuditDatabase.cacheKey(fingerprint: "m1", probe: otherPrompt, parameters: parameters))
        #expect(key != AuditDatabase.cacheKey(fingerprint: "m1", probe: a, parameters: DecodingParameters(temperature: 0.7)))
    }

    @Test func verdictsAndResponsesSurviveReopeningAndErrorsAreNotServedFromTheCache() throws {
        let png = Data("img".utf8)
        let ref = ImageRef(sha256: SHA256.hex(of: png), width: 1, height: 1)
        let probes = [probe("p0", image: ref), probe("p1", image: ref, prompt: "other")]
        let manifest = RunManifest(runID: "r", suite: "s", seed: 1, probeCount: 2, models: [], faultlineVersion: "t")
        do {
            let store = try AuditDatabase(directory: directory)
            try store.createRun(id: "r", configJSON: "{}", manifest: manifest)
            try store.appendProbes(runID: "r", start: 0, probes.map { ProbeSample(probe: $0, imagePNGs: [png]) })
            let parameters = DecodingParameters()
            try store.record(
                runID: "r", position: 0, probeKey: try store.pendingProbes(runID: "r", modelKey: "m", after: -1, limit: 1)[0].key,
                modelKey: "m", fingerprint: "f", probe: probes[0], parameters: parameters,
                fresh: .answered(ModelResponse(text: "cat", latencySeconds: 0.5)), cachedRowID: nil,
                verdict: Verdict(outcome: .correct, score: 1, judge: "j", detail: "ok"))
            try store.record(
                runID: "r", position: 1, probeKey: try store.pendingProbes(runID: "r", modelKey: "m", after: 0, limit: 1)[0].key,
                modelKey: "m", fingerprint: "f", probe: probes[1], parameters: parameters,
                fresh: .failed(reason: "HTTP 503", latencySeconds: 0.1), cachedRowID: nil, verdict: .error("HTTP 503"))
        }
        let reopened = try AuditDatabase(directory: directory)
        #expect(try reopened.run(id: "r")?.manifest == manifest)
        let counts = try reopened.verdictCounts(runID: "r")["m"]
        #expect(counts?[.correct] == 1 && counts?[.error] == 1)
        let hit = try reopened.cachedResponse(
            cacheKey: AuditDatabase.cacheKey(fingerprint: "f", probe: probes[0], parameters: DecodingParameters()))
        #expect(hit?.response.text == "cat")
        #expect(
            try reopened.cachedResponse(
                cacheKey: AuditDatabase.cacheKey(fingerprint: "f", probe: probes[1], parameters: DecodingParameters())) == nil)
        // Only the error is pending again for the same model.
        #expect(try reopened.pendingProbes(runID: "r", modelKey: "m", after: -1, limit: 10).map(\.position) == [1])
        var rows: [JudgedProbe] = []
        try reopened.forEachJudgedProbe(runID: "r") { rows.append($0) }
        #expect(rows.map(\.response) == ["cat", ""])
        #expect(rows[1].detail == "HTTP 503")
        #expect(rows[0].factors == ["size": "12px"])
    }

    @Test func anUnwritableStoreGivesAClearError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-file-\(UUID().uuidString)")
        try Data().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: (any Error).self) { try AuditDatabase(directory: file) }
    }
}
