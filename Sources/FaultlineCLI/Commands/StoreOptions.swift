import ArgumentParser
import FaultlineCore
import FaultlineStore
import Foundation
import Logging

/// Options every command that reads or writes runs shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Directory of the run store (SQLite database and images).",
            discussion: "Defaults to $FAULTLINE_HOME/runs (FAULTLINE_HOME defaults to ~/.cache/faultline).",
            valueName: "dir"))
    var storePath: String?

    @Flag(name: .shortAndLong, help: "Log what happens, probe by probe (to standard error).")
    var verbose = false

    var storeDirectory: URL {
        storePath.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FaultlineHome.runs
    }

    func openStore() throws -> AuditDatabase { try AuditDatabase(directory: storeDirectory) }

    func makeLogger() -> Logger {
        var logger = Logger(label: "faultline")
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}
