import FaultlineCore
import Foundation
import GRDB

/// A run as stored.
public struct RunRecord: Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    public var status: String
    /// The suite configuration the run was started with (JSON), so that it can be resumed.
    public var configJSON: String
    public var manifest: RunManifest
}

/// A probe waiting for a model's answer.
public struct PendingProbe: Sendable {
    public var position: Int
    public var key: String
    public var probe: Probe
}

/// A response as cached: either a successful answer or an error.
public enum StoredOutcome: Sendable {
    case answered(ModelResponse)
    case failed(reason: String, latencySeconds: Double)
}

extension AuditDatabase {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: Runs

    /// Creates a run, or returns the existing one with the same id.
    @discardableResult
    public func createRun(id: String, configJSON: String, manifest: RunManifest) throws -> RunRecord {
        let manifestJSON = try Self.json(manifest)
        return try writer.write { db in
            if let existing = try Self.fetchRun(db, id: id) { return existing }
            let now = Date()
            try db.execute(
                sql: "INSERT INTO run (id, createdAt, status, configJSON, manifestJSON) VALUES (?, ?, 'running', ?, ?)",
                arguments: [id, now, configJSON, manifestJSON])
            return RunRecord(id: id, createdAt: now, status: "running", configJSON: configJSON, manifest: manifest)
        }
    }

    public func run(id: String) throws -> RunRecord? {
        try writer.read { db in try Self.fetchRun(db, id: id) }
    }

    /// All runs, newest first.
    public func runs() throws -> [RunRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY createdAt DESC").map(Self.runRecord)
        }
    }

    public func setStatus(runID: String, _ status: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE run SET status = ? WHERE id = ?", arguments: [status, runID])
        }
    }

    public func updateManifest(runID: String, _ manifest: RunManifest) throws {
        let json = try Self.json(manifest)
        try writer.write { db in
            try db.execute(sql: "UPDATE run SET manifestJSON = ? WHERE id = ?", arguments: [json, runID])
        }
    }

    private static func fetchRun(_ db: Database, id: String) throws -> RunRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(runRecord)
    }

    private static func runRecord(_ row: Row) throws -> RunRecord {
        let manifestJSON: String = row["manifestJSON"]
        return RunRecord(
            id: row["id"], createdAt: row["createdAt"], status: row["status"], configJSON: row["configJSON"],
            manifest: try JSONDecoder().decode(RunManifest.self, from: Data(manifestJSON.utf8)))
    }

    // MARK: Probes

    /// How many probes of the run are stored: generation resumes after them.
    public func probeCount(runID: String) throws -> Int {
        try writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runProbe WHERE runID = ?", arguments: [runID]) ?? 0
        }
    }

    /// Stores a batch of probes at consecutive positions from `start`: their images first
    /// (on disk), then the rows, in one transaction.
    public func appendProbes(runID: String, start: Int, _ samples: [ProbeSample]) throws {
        var rows: [(key: String, probe: Probe, json: String)] = []
        for sample in samples {
            for png in sample.imagePNGs { try images.put(png) }
            let json = try Self.json(sample.probe)
            rows.append((SHA256.hex(of: Data(json.utf8)), sample.probe, json))
        }
        try writer.write { db in
            for (offset, row) in rows.enumerated() {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO probe (key, id, contentHash, ability, json) VALUES (?, ?, ?, ?, ?)",
                    arguments: [row.key, row.probe.id, row.probe.contentHash, row.probe.ability.rawValue, row.json])
                try db.execute(
                    sql: "INSERT OR REPLACE INTO runProbe (runID, position, probeKey) VALUES (?, ?, ?)",
                    arguments: [runID, start + offset, row.key])
            }
        }
    }

    /// Removes the verdicts of `modelKey` in a run whose answers another version of the model
    /// gave (a stored response with another fingerprint), so that resuming the run asks
    /// again instead of reporting them as this version's; returns how many were removed.
    @discardableResult
    public func discardVerdicts(runID: String, modelKey: String, fromOtherThan fingerprint: String) throws -> Int {
        try writer.write { db in
            try db.execute(
                // Each verdict looks up its own response by row id, rather than listing every
                // response of other fingerprints in the store's whole history.
                sql: """
                    DELETE FROM verdict WHERE runID = ? AND modelKey = ? AND EXISTS
                    (SELECT 1 FROM response r WHERE r.rowid = verdict.responseRowID AND r.modelFingerprint != ?)
                    """,
                arguments: [runID, modelKey, fingerprint])
            return db.changesCount
        }
    }

    /// Probes of a run that have no verdict from `modelKey` yet, or only an `error` verdict
    /// (errors are retried), in position order after `position`.
    public func pendingProbes(runID: String, modelKey: String, after position: Int, limit: Int) throws -> [PendingProbe] {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rp.position, p.key, p.json FROM runProbe rp
                    JOIN probe p ON p.key = rp.probeKey
                    LEFT JOIN verdict v ON v.runID = rp.runID AND v.position = rp.position AND v.modelKey = ?
                    WHERE rp.runID = ? AND rp.position > ? AND (v.outcome IS NULL OR v.outcome = 'error')
                    ORDER BY rp.position LIMIT ?
                    """,
                arguments: [modelKey, runID, position, limit])
            return try rows.map { row in
                let json: String = row["json"]
                return PendingProbe(
                    position: row["position"], key: row["key"],
                    probe: try JSONDecoder().decode(Probe.self, from: Data(json.utf8)))
            }
        }
    }

    // MARK: Responses and verdicts

    /// The cache key of a response: model fingerprint, probe content and decoding parameters.
    public static func cacheKey(fingerprint: String, probe: Probe, parameters: DecodingParameters) -> String {
        SHA256.hex(of: Data("\(fingerprint)\u{1F}\(probe.contentHash)\u{1F}\(parameters.cacheKey)".utf8))
    }

    /// A successful cached response for the key, if any (errors are never served).
    public func cachedResponse(cacheKey: String) throws -> (rowID: Int64, response: ModelResponse)? {
        try writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM response WHERE cacheKey = ? AND error IS NULL ORDER BY rowid LIMIT 1",
                    arguments: [cacheKey])
            else { return nil }
            return (row["rowid"], try Self.response(from: row))
        }
    }

    private static func response(from row: Row) throws -> ModelResponse {
        let probabilitiesJSON: String? = row["choiceProbabilitiesJSON"]
        return ModelResponse(
            text: row["text"] ?? "",
            choiceProbabilities: try probabilitiesJSON.map {
                try JSONDecoder().decode([String: Double].self, from: Data($0.utf8))
            },
            latencySeconds: row["latencySeconds"], promptTokens: row["promptTokens"],
            completionTokens: row["completionTokens"])
    }

    /// Records a verdict, and the fresh response it judged if there is one, in one
    /// transaction: after a kill, either both are there or neither is.
    public func record(
        runID: String, position: Int, probeKey: String, modelKey: String, fingerprint: String,
        probe: Probe, parameters: DecodingParameters, fresh: StoredOutcome?, cachedRowID: Int64?, verdict: Verdict
    ) throws {
        let key = Self.cacheKey(fingerprint: fingerprint, probe: probe, parameters: parameters)
        var freshRow: [DatabaseValueConvertible?]? = nil
        if let fresh {
            switch fresh {
            case .answered(let response):
                freshRow = [
                    key, modelKey, fingerprint, probe.contentHash, parameters.cacheKey, response.text,
                    try response.choiceProbabilities.map(Self.json), response.latencySeconds,
                    response.promptTokens, response.completionTokens, nil, Date(),
                ]
            case .failed(let reason, let latency):
                freshRow = [
                    key, modelKey, fingerprint, probe.contentHash, parameters.cacheKey, nil, nil, latency, nil, nil,
                    reason, Date(),
                ]
            }
        }
        try writer.write { db in
            var responseRowID = cachedRowID
            if let freshRow {
                try db.execute(
                    sql: """
                        INSERT INTO response (cacheKey, modelKey, modelFingerprint, probeContentHash, parameters, text,
                          choiceProbabilitiesJSON, latencySeconds, promptTokens, completionTokens, error, createdAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: StatementArguments(freshRow))
                responseRowID = db.lastInsertedRowID
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO verdict (runID, position, modelKey, probeKey, outcome, score, judge, detail, responseRowID)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    runID, position, modelKey, probeKey, verdict.outcome.rawValue, verdict.score, verdict.judge,
                    verdict.detail, responseRowID,
                ])
        }
    }

    /// Counts of verdicts per model and outcome for a run.
    public func verdictCounts(runID: String) throws -> [String: [Outcome: Int]] {
        try writer.read { db in
            var counts: [String: [Outcome: Int]] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT modelKey, outcome, COUNT(*) AS n FROM verdict WHERE runID = ? GROUP BY modelKey, outcome",
                arguments: [runID])
            for row in rows {
                guard let outcome = Outcome(rawValue: row["outcome"]) else { continue }
                counts[row["modelKey"], default: [:]][outcome] = row["n"]
            }
            return counts
        }
    }

    /// Streams every judged response of a run, in (position, model) order, so that the analysis sees all models of a probe together, without holding
    /// them all in memory.
    public func forEachJudgedProbe(runID: String, _ body: (JudgedProbe) throws -> Void) throws {
        try forEachVerdict(runID: runID) { row, probe in
            try body(
                JudgedProbe(
                    probeID: probe.id, modelKey: row["modelKey"], ability: probe.ability, prompt: probe.prompt,
                    expected: probe.expected.text, response: row["responseText"] ?? "",
                    outcome: Outcome(rawValue: row["outcome"]) ?? .error, score: row["score"], judge: row["judge"],
                    detail: row["detail"], factors: probe.lineage.factors, image: probe.images.first,
                    latencySeconds: row["latencySeconds"] ?? 0, promptTokens: row["promptTokens"],
                    completionTokens: row["completionTokens"]))
        }
    }

    /// Streams every stored answer of a run with its whole probe and response, in (position,
    /// model) order: what the interference and spurious-correlation analyses read.
    public func forEachAnsweredProbe(runID: String, _ body: (AnsweredProbe) throws -> Void) throws {
        let decoder = JSONDecoder()
        try forEachVerdict(runID: runID) { row, probe in
            var response: ModelResponse?
            if let text: String = row["responseText"], (row["error"] as String?) == nil {
                let probabilities = (row["choiceProbabilitiesJSON"] as String?).flatMap {
                    try? decoder.decode([String: Double].self, from: Data($0.utf8))
                }
                response = ModelResponse(
                    text: text, choiceProbabilities: probabilities, latencySeconds: row["latencySeconds"] ?? 0,
                    promptTokens: row["promptTokens"], completionTokens: row["completionTokens"])
            }
            try body(
                AnsweredProbe(
                    probe: probe, modelKey: row["modelKey"], outcome: Outcome(rawValue: row["outcome"]) ?? .error,
                    response: response))
        }
    }

    /// Every verdict row of a run joined with its probe and response, in (position, model) order.
    private func forEachVerdict(runID: String, _ body: (Row, Probe) throws -> Void) throws {
        try writer.read { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT v.modelKey, v.outcome, v.score, v.judge, v.detail, p.json,
                           r.text AS responseText, r.choiceProbabilitiesJSON, r.latencySeconds, r.promptTokens,
                           r.completionTokens, r.error
                    FROM verdict v
                    JOIN probe p ON p.key = v.probeKey
                    LEFT JOIN response r ON r.rowid = v.responseRowID
                    WHERE v.runID = ?
                    ORDER BY v.position, v.modelKey
                    """, arguments: [runID])
            let decoder = JSONDecoder()
            while let row = try cursor.next() {
                let json: String = row["json"]
                try body(row, try decoder.decode(Probe.self, from: Data(json.utf8)))
            }
        }
    }
}
