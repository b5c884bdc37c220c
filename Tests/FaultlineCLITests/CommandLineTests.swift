import FaultlineCore
import FaultlineStore
import Foundation
import Testing

@testable import FaultlineCLI

/// Runs the built `faultline` executable, as a user would.
struct FaultlineProcess {
    static var executable: URL {
        // The test bundle sits in the build directory beside the executable.
        let bundle = Bundle.main.bundleURL
        for directory in [bundle.deletingLastPathComponent(), bundle] {
            let candidate = directory.appendingPathComponent("faultline")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/faultline")
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, output, error)
    }

    /// Runs the command to completion. The waiting happens on a Dispatch thread, not in Swift
    /// concurrency's small thread pool, so that parallel tests waiting on processes do not
    /// starve each other.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await offThePool {
            let (process, output, error) = try launch(arguments, environment: environment)
            // Drain standard error concurrently so that neither pipe fills and blocks the child.
            let errorData = LockedData()
            let drained = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                errorData.set(error.fileHandleForReading.readDataToEndOfFile())
                drained.signal()
            }
            let out = output.fileHandleForReading.readDataToEndOfFile()
            drained.wait()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
                error: String(decoding: errorData.get(), as: UTF8.self))
        }
    }

    /// Runs blocking work on a Dispatch thread and awaits its result.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Swift.Result { try work() }) }
        }
    }
}

/// Bytes handed from one thread to another.
final class LockedData: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

@Suite final class CommandLineTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-cli-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: scratch) }

    @Test func anUnknownBackendIsAnErrorThatListsTheKnownOnes() async throws {
        let result = try await FaultlineProcess.run([
            "run", "--model", "ocr:padle", "--count", "3", "--store", scratch.path, "--no-report",
        ])
        #expect(result.status != 0)
        let text = result.output + result.error
        #expect(text.contains("unknown backend 'ocr:padle'"))
        #expect(text.contains("ocr:tesseract"))
        #expect(text.contains("Did you mean 'ocr:paddle'?"))
    }

    @Test func aModelThatFailsToLoadDoesNotStopTheOthers() async throws {
        let result = try await FaultlineProcess.run([
            "run", "--model", "nope:model", "--model", "double:echo", "--count", "5", "--store", scratch.path,
            "--no-report",
        ])
        #expect(result.status == 0)
        #expect(result.error.contains("cannot load model nope:model"))
        #expect(result.output.contains("double:echo"))
        #expect(result.output.contains("100.0%"))
    }

    @Test func aMalformedConfigurationNamesFileLineAndField() async throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let file = scratch.appendingPathComponent("suite.json")
        try """
            {
              "suite": "text",
              "count": "many",
              "models": ["double:echo"]
            }
            """.write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigurationError.self) { try SuiteConfiguration.load(from: file) }
        #expect(error.description.hasPrefix("\(file.path):3 (field 'count')"))
        #expect(error.description.contains("expected a number"))

        try "{ \"suite\": \"text\",\n  \"count\": 3,\n  \"models\": [\"double:echo\"\n}".write(to: file, atomically: true, encoding: .utf8)
        let syntax = try #require(throws: ConfigurationError.self) { try SuiteConfiguration.load(from: file) }
        #expect(syntax.description.hasPrefix(file.path))
        #expect(syntax.description.contains("not valid JSON"))

        try "{ \"levels\": { \"sizes\": [0, 12] }, \"models\": [\"double:echo\"] }".write(to: file, atomically: true, encoding: .utf8)
        let levels = try #require(throws: ConfigurationError.self) { try SuiteConfiguration.load(from: file) }
        #expect(levels.description.contains("levels.sizes"))

        // Through the command: a clear message and a failing exit status, nothing run.
        let result = try await FaultlineProcess.run(["run", "--config", file.path, "--store", scratch.path])
        #expect(result.status != 0)
        #expect(result.error.contains("levels.sizes"))
    }

    @Test func theSameSeedGivesByteIdenticalReportsFromSeparateStores() async throws {
        var reports: [[Data]] = []
        for name in ["a", "b"] {
            let out = scratch.appendingPathComponent("report-\(name)")
            let result = try await FaultlineProcess.run([
                "run", "--model", "double:echo?fail-every=5", "--count", "40", "--seed", "9", "--store",
                scratch.appendingPathComponent("store-\(name)").path, "--report-directory", out.path,
            ])
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output.contains("Report: \(out.path)/report.html"))
            reports.append(try ["report.html", "report.json", "report.md"].map {
                try Data(contentsOf: out.appendingPathComponent($0))
            })
        }
        #expect(reports[0] == reports[1])
        #expect(String(decoding: reports[0][1], as: UTF8.self).contains("\"schemaVersion\""))
    }

    /// Kills a run with SIGKILL mid-way, resumes it, and counts backend calls through the
    /// echo double's call log: no probe answered before the kill is asked again.
    @Test func aKilledRunResumesWithoutLosingOrRepeatingAnswers() async throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let log = scratch.appendingPathComponent("calls.log")
        let store = scratch.appendingPathComponent("store")
        // Long enough (at least 300 × 0.05 s / 3 = 5 s of answering) that a loaded machine still
        // sees the run mid-way.
        let count = 300
        let arguments = [
            "run", "--model", "double:echo?delay=0.05&concurrency=3&log=\(log.path)", "--count", "\(count)", "--seed",
            "3", "--store", store.path, "--no-report",
        ]
        let (process, _, _) = try FaultlineProcess.launch(arguments)
        @Sendable func calls() -> [String] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        // Watch and kill from a Dispatch thread, so a busy test pool cannot delay the kill.
        let killedMidway = try await FaultlineProcess.offThePool {
            let deadline = Date().addingTimeInterval(120)
            while calls().count < 30 && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
            let running = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return running
        }
        #expect(killedMidway, "the run finished before it could be killed; raise the count")
        #expect(process.terminationReason == .uncaughtSignal)

        let database = try AuditDatabase(directory: store)
        let runID = try #require(try database.runs().first?.id)
        var answeredBeforeKill: Set<String> = []
        try database.forEachJudgedProbe(runID: runID) { answeredBeforeKill.insert($0.probeID) }
        let callsBeforeResume = calls()
        #expect(!answeredBeforeKill.isEmpty)
        #expect(answeredBeforeKill.count < count)

        let resumed = try await FaultlineProcess.run(arguments)
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.error.contains("resuming"))

        var outcomes: [String: Outcome] = [:]
        try database.forEachJudgedProbe(runID: runID) { outcomes[$0.probeID] = $0.outcome }
        #expect(outcomes.count == count)
        #expect(outcomes.values.allSatisfy { $0 == .correct })

        let callsAfterResume = calls().dropFirst(callsBeforeResume.count)
        #expect(Set(callsAfterResume).isDisjoint(with: answeredBeforeKill))
        #expect(Set(callsAfterResume).count == callsAfterResume.count)
        // Calls in flight at the kill (at most the concurrency, 3) are the only ones repeated.
        #expect(calls().count - count <= 3)
    }
}
