import FaultlineCore
import Foundation
import GRDB

/// The run store: one SQLite database (runs, probes, responses, verdicts) written through a
/// single `DatabasePool`, and content-addressed images on disk beside it.
///
/// A run can be killed at any moment: every finished response is committed with its verdict
/// in one transaction, images are written (atomically) before the probes that name them, and
/// a resumed run asks the database what is left to do.
public final class AuditDatabase: Sendable {
    /// The directory holding `faultline.sqlite` and `images/`.
    public let directory: URL
    public let images: ImageStore
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the store in `directory` and migrates it.
    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let path = directory.appendingPathComponent("faultline.sqlite").path
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError("cannot open the run store at \(path): \(error). Check that the directory is writable, or choose another with --store.")
        }
        images = try ImageStore(directory: directory.appendingPathComponent("images"))
        try Self.migrator.migrate(writer)
    }

    /// Migrations are named and never edited once shipped: add a new one instead.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-probes-responses-verdicts") { db in
            try db.create(table: "run") { t in
                t.primaryKey("id", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("status", .text).notNull()
                t.column("configJSON", .text).notNull()
                t.column("manifestJSON", .text).notNull()
            }
            try db.create(table: "probe") { t in
                // The hash of the whole probe record: a probe id alone could name different
                // content under different suite settings.
                t.primaryKey("key", .text)
                t.column("id", .text).notNull().indexed()
                t.column("contentHash", .text).notNull()
                t.column("ability", .text).notNull()
                t.column("json", .text).notNull()
            }
            try db.create(table: "runProbe") { t in
                t.column("runID", .text).notNull().references("run", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("probeKey", .text).notNull().references("probe")
                t.primaryKey(["runID", "position"])
            }
            try db.create(table: "response") { t in
                t.autoIncrementedPrimaryKey("rowid")
                t.column("cacheKey", .text).notNull().indexed()
                t.column("modelKey", .text).notNull()
                t.column("modelFingerprint", .text).notNull()
                t.column("probeContentHash", .text).notNull()
                t.column("parameters", .text).notNull()
                t.column("text", .text)
                t.column("choiceProbabilitiesJSON", .text)
                t.column("latencySeconds", .double).notNull()
                t.column("promptTokens", .integer)
                t.column("completionTokens", .integer)
                // Null for a successful response; errors are kept for the record but never
                // served from the cache, so a resumed run retries them.
                t.column("error", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "verdict") { t in
                t.column("runID", .text).notNull().references("run", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("modelKey", .text).notNull()
                t.column("probeKey", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("score", .double).notNull()
                t.column("judge", .text).notNull()
                t.column("detail", .text).notNull()
                t.column("responseRowID", .integer)
                t.primaryKey(["runID", "position", "modelKey"])
            }
        }
        return migrator
    }
}

/// A store failure, worded for the person running Faultline.
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
