import FaultlineCore
import FaultlineModels
import FaultlineRunner
import FaultlineScenes
import FaultlineStore
import Foundation

/// The HTTP part of `bench`: Faultline's OpenAI-compatible client and its whole runner against
/// the loopback test double, and inspect_ai's client under the same load against the same
/// double, in the same run.
///
/// The double runs in its own process (`faultline serve-double`), so each client's CPU time
/// is its own: Faultline's is this process's rusage over the sending phase, the peer's is
/// Python's `process_time` over the same phase.
extension BenchCommand {
    struct HTTPFigure: Codable {
        var name: String
        var requests: Int
        var errors: Int
        var seconds: Double
        var cpuSeconds: Double
        var requestsPerSecond: Double { Double(requests) / seconds }
        var cpuMicrosecondsPerRequest: Double { 1e6 * cpuSeconds / Double(requests) }
    }

    func httpFigures() async throws -> [HTTPFigure] {
        let double = try LoopbackDouble.start()
        defer { double.stop() }
        let spec = "openai:http://127.0.0.1:\(double.port)/v1#double?concurrency=\(httpConcurrency)&max_retries=1"
        print("HTTP: \(httpRequests) requests, \(httpConcurrency) in flight, to the loopback test double (its own process)")
        var figures: [HTTPFigure] = []
        func show(_ figure: HTTPFigure) {
            figures.append(figure)
            let name = figure.name.padding(toLength: 36, withPad: " ", startingAt: 0)
            print(name + String(
                format: "%6d in %7.3f s  %9.1f req/s  %7.0f µs CPU/req  errors %d", figure.requests, figure.seconds,
                figure.requestsPerSecond, figure.cpuMicrosecondsPerRequest, figure.errors))
        }
        let environment = BackendEnvironment(logger: store.makeLogger())
        let model = try BackendRegistry.standard.make(spec, environment: environment)
        let probes = Array(LanguageProbeSource(count: httpRequests, seed: seed).samples().map(\.probe))
        // One warm-up request opens a connection, as the peer's does.
        _ = try? await model.answer(ModelRequest(probe: probes[0], images: [], parameters: DecodingParameters(maxTokens: 8)))

        // The client alone: `httpConcurrency` requests in flight, a new one as each returns.
        var clock = ProcessClock()
        var errors = 0
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var next = 0
            func submit() {
                let probe = probes[next]
                next += 1
                group.addTask {
                    let request = ModelRequest(probe: probe, images: [], parameters: DecodingParameters(maxTokens: 8))
                    return (try? await model.answer(request)) != nil
                }
            }
            while next < min(httpConcurrency, probes.count) { submit() }
            while let succeeded = try await group.next() {
                if !succeeded { errors += 1 }
                if next < probes.count { submit() }
            }
        }
        var elapsed = clock.lap()
        show(HTTPFigure(name: "Faultline OpenAI client", requests: httpRequests, errors: errors, seconds: elapsed.wall, cpuSeconds: elapsed.cpu))

        // The whole runner: probes from the store, request, judge, one transaction per verdict.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-bench-http-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let database = try AuditDatabase(directory: scratch)
        let runner = AuditRunner(database: database, logger: store.makeLogger())
        let source = LanguageProbeSource(count: httpRequests, seed: seed)
        try database.createRun(
            id: "bench-http", configJSON: "{}",
            manifest: RunManifest(
                runID: "bench-http", suite: source.name, seed: seed, probeCount: httpRequests, models: [],
                faultlineVersion: FaultlineVersion.current))
        try runner.materialise(runID: "bench-http", source: source)
        // A fresh model, so the runner's figure does not profit from the client's warm limiter.
        let runnerModel = try BackendRegistry.standard.make(spec, environment: environment)
        _ = clock.lap()
        let progress = try await runner.answer(runID: "bench-http", model: runnerModel, judging: { JudgeSelector.judge(for: $0) })
        elapsed = clock.lap()
        let runnerErrors = try database.verdictCounts(runID: "bench-http")[runnerModel.key]?[.error] ?? 0
        show(HTTPFigure(
            name: "Faultline runner (store + judge)", requests: progress.done, errors: runnerErrors,
            seconds: elapsed.wall, cpuSeconds: elapsed.cpu))

        if let peer = try inspectPeer(baseURL: "http://127.0.0.1:\(double.port)/v1") {
            show(peer)
            let client = figures[0]
            print(String(
                format: "  → Faultline's client: %.2f× inspect_ai's requests/s, %.2f× less CPU per request",
                client.requestsPerSecond / peer.requestsPerSecond, peer.cpuMicrosecondsPerRequest / client.cpuMicrosecondsPerRequest))
        }
        return figures
    }

    /// inspect_ai's OpenAI-compatible client under the same load, or nil when not installed.
    private func inspectPeer(baseURL: String) throws -> HTTPFigure? {
        let python = peerPython ?? FaultlineHome.directory.appendingPathComponent("peers/venv/bin/python3").path
        let script = "Benchmarks/peers/inspect_openai_peer.py"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else {
            print("inspect_ai peer: not measured (no \(python) or \(script); `make bench` installs it)")
            return nil
        }
        let output = try Self.runProcess(python, [script, baseURL, String(httpRequests), String(httpConcurrency)])
        struct PeerResult: Decodable { var requests: Int; var errors: Int; var seconds: Double; var cpuSeconds: Double }
        let result = try JSONDecoder().decode(PeerResult.self, from: Data(output.utf8))
        return HTTPFigure(
            name: "inspect_ai OpenAI client (Python)", requests: result.requests, errors: result.errors,
            seconds: result.seconds, cpuSeconds: result.cpuSeconds)
    }
}

/// Wall and CPU time of this process between laps.
private struct ProcessClock {
    private var wall = Date()
    private var cpu = ProcessClock.cpuSeconds()

    /// The time since the last lap (or since the clock was made), and a new lap.
    mutating func lap() -> (wall: Double, cpu: Double) {
        let now = Date(), cpuNow = Self.cpuSeconds()
        defer { wall = now; cpu = cpuNow }
        return (now.timeIntervalSince(wall), cpuNow - cpu)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// `faultline serve-double` as a child process, stopped by closing its standard input.
private struct LoopbackDouble {
    let process: Process
    let input: Pipe
    let port: Int

    static func start() throws -> LoopbackDouble {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).standardizedFileURL
        process.arguments = ["serve-double"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("port "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw RunFailure("the loopback double did not start: it said '\(line)'")
        }
        return LoopbackDouble(process: process, input: input, port: port)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
