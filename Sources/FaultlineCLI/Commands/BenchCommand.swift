import ArgumentParser
import FaultlineCore
import FaultlineImageIO
import FaultlineModels
import FaultlineRunner
import FaultlineScenes
import FaultlineStore
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput: rendering, each OCR engine, the runner's own overhead, the HTTP client, and the zoo's networks.",
        discussion: """
            Engines are timed one request at a time on the same rendered images as their peers, measured in the same run: RapidOCR in Python (the same PaddleOCR ONNX models on the same ONNX Runtime, one thread) and the `tesseract` command (what pytesseract runs), both with one thread. The HTTP part sends the same load through Faultline's OpenAI-compatible client, through its whole runner, and through inspect_ai's client, all to one loopback test double in its own process, and reports requests/s and CPU time per request. The zoo part times a training step and an inference batch of a zoo model's answer network and of its text reader, in Faultline's tensor engine and in PyTorch on the CPU (the same networks, threads and batch sizes). `make bench` installs the Python peers in $FAULTLINE_HOME/peers. Build with -c release for meaningful figures.
            """)

    @Option(help: "Probes to render for the rendering and runner figures.")
    var probes = 400

    @Option(help: "Images each engine (and its peer) reads.")
    var engineProbes = 100

    @Option(help: "The suite seed.")
    var seed: UInt64 = 11

    @Option(help: ArgumentHelp("Python with rapidocr_onnxruntime installed (default: $FAULTLINE_HOME/peers/venv/bin/python3).", valueName: "path"))
    var peerPython: String?

    @Option(help: ArgumentHelp("The RapidOCR peer script.", valueName: "path"))
    var peerScript = "Benchmarks/peers/rapidocr_peer.py"

    @Option(help: ArgumentHelp("Also write the figures as JSON to this file.", valueName: "path"))
    var json: String?

    @Option(help: "What to measure: all, local (rendering, runner, OCR engines), http or zoo.")
    var part: Part = .all

    @Option(help: ArgumentHelp("The zoo configuration whose network the zoo part times.", valueName: "name-or-file"))
    var zooConfig = "reference-a"

    @Option(help: "Batch size of the zoo part.")
    var zooBatch = 32

    @Option(help: "Timed training steps (and inference batches) of the zoo part.")
    var zooSteps = 20

    @Option(help: "Threads of the zoo part, for Faultline and PyTorch alike (default: the machine's cores).")
    var zooThreads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Requests the HTTP clients send to the loopback double.")
    var httpRequests = 2000

    @Option(help: "Requests the HTTP clients keep in flight.")
    var httpConcurrency = 64

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case all, local, http, zoo
    }

    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard probes > 0, engineProbes > 0, engineProbes <= probes else {
            throw ValidationError("--probes and --engine-probes must be positive, with --engine-probes ≤ --probes.")
        }
        guard zooBatch > 0, zooSteps > 0, zooThreads > 0 else {
            throw ValidationError("--zoo-batch, --zoo-steps and --zoo-threads must be positive.")
        }
        guard httpRequests > 0, (1...OpenAIClient.maximumConnectionsPerHost).contains(httpConcurrency) else {
            throw ValidationError(
                "--http-requests must be positive and --http-concurrency 1...\(OpenAIClient.maximumConnectionsPerHost).")
        }
    }

    struct Figure: Codable {
        var name: String
        var count: Int
        var seconds: Double
        var perSecond: Double { Double(count) / seconds }
        var note: String
    }

    func run() async throws {
        let local = [.all, .local].contains(part) ? try await localFigures() : []
        let http = [.all, .http].contains(part) ? try await httpFigures() : []
        let zoo = [.all, .zoo].contains(part) ? try zooFigures() : []
        if let json {
            struct Figures: Encodable { var local: [Figure]; var http: [HTTPFigure]; var zoo: [ZooFigure] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(Figures(local: local, http: http, zoo: zoo)).write(to: URL(fileURLWithPath: json))
        }
    }

    /// Rendering, the runner's overhead, and the OCR engines against their peers.
    func localFigures() async throws -> [Figure] {
        var figures: [Figure] = []
        func report(_ figure: Figure) {
            figures.append(figure)
            let name = figure.name.padding(toLength: 36, withPad: " ", startingAt: 0)
            print(name + String(format: "%6d in %7.3f s  %9.1f/s  ", figure.count, figure.seconds, figure.perSecond) + figure.note)
        }
        let source = TextProbeSource(count: probes, seed: seed)

        // Rendering: draw, degrade and PNG-encode every probe.
        var start = Date()
        var samples: [ProbeSample] = []
        for sample in source.samples() { samples.append(sample) }
        report(Figure(name: "render text probes (PNG)", count: probes, seconds: Date().timeIntervalSince(start), note: "1 thread"))

        // Scenes: generate, draw and PNG-encode mixed scenes (3 in 5 object scenes, then charts and tables).
        for side in [128, 224] {
            var configuration = SceneGeneratorConfiguration()
            configuration.width = side
            configuration.height = side
            let generator = SceneGenerator(configuration: configuration)
            let renderer = SceneRenderer()
            start = Date()
            for index in 0..<probes {
                let seed = seed &+ UInt64(index)
                let scene = switch index % 5 {
                case 3: generator.chartScene(seed: seed)
                case 4: generator.tableScene(seed: seed)
                default: generator.objectScene(seed: seed)
                }
                _ = try PNGCodec.encode(try renderer.render(scene))
            }
            report(Figure(name: "render scenes \(side)×\(side) (PNG)", count: probes, seconds: Date().timeIntervalSince(start), note: "1 thread"))
        }

        // Runner overhead: the echo double answers instantly, so the time is the runner's:
        // store reads, PNG decode, judging and one transaction per verdict.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let database = try AuditDatabase(directory: scratch)
        let runner = AuditRunner(database: database, logger: store.makeLogger())
        let manifest = RunManifest(runID: "bench", suite: source.name, seed: seed, probeCount: probes, models: [], faultlineVersion: FaultlineVersion.current)
        try database.createRun(id: "bench", configJSON: "{}", manifest: manifest)
        start = Date()
        try database.appendProbes(runID: "bench", start: 0, samples)
        report(Figure(name: "store probes and images", count: probes, seconds: Date().timeIntervalSince(start), note: "one transaction"))
        let echo = try EchoDouble(spec: BackendSpec("double:echo?concurrency=4"))
        start = Date()
        try await runner.answer(runID: "bench", model: echo, judge: OCRJudge())
        let runnerSeconds = Date().timeIntervalSince(start)
        report(Figure(name: "runner overhead (echo double)", count: probes, seconds: runnerSeconds,
                      note: String(format: "%.0f µs per probe", 1e6 * runnerSeconds / Double(probes))))
        start = Date()
        try await runner.answer(runID: "bench", model: echo, judge: OCRJudge())
        report(Figure(name: "resume pass (nothing left to do)", count: probes, seconds: Date().timeIntervalSince(start), note: "0 backend calls"))

        // Engines against their peers on the same images.
        let engineSamples = Array(samples.prefix(engineProbes))
        let images = try engineSamples.map { try PNGCodec.decode($0.imagePNGs[0]) }
        let imageDirectory = scratch.appendingPathComponent("png")
        try FileManager.default.createDirectory(at: imageDirectory, withIntermediateDirectories: true)
        var paths: [String] = []
        for (index, sample) in engineSamples.enumerated() {
            let url = imageDirectory.appendingPathComponent(String(format: "%05d.png", index))
            try sample.imagePNGs[0].write(to: url)
            paths.append(url.path)
        }
        let environment = BackendEnvironment(logger: store.makeLogger())
        for key in ["ocr:paddle", "ocr:tesseract"] {
            let model: any VisionLanguageModel
            do { model = try BackendRegistry.standard.make(key, environment: environment) } catch {
                print("\(key): not measured: \(error)")
                continue
            }
            var correct = 0
            start = Date()
            for (sample, image) in zip(engineSamples, images) {
                let response = try await model.answer(ModelRequest(probe: sample.probe, images: [image], parameters: DecodingParameters()))
                if OCRJudge().judge(response: response, expected: sample.probe.expected).outcome == .correct { correct += 1 }
            }
            let ours = Figure(name: "\(key) (Faultline, Swift)", count: engineProbes, seconds: Date().timeIntervalSince(start), note: "exact \(correct)/\(engineProbes)")
            report(ours)
            let peer: Figure?
            switch key {
            case "ocr:paddle": peer = try rapidOCRPeer(paths: paths, expected: engineSamples.map(\.probe.expected.text))
            default: peer = try tesseractPeer(paths: paths, expected: engineSamples.map(\.probe.expected.text))
            }
            if let peer {
                report(peer)
                print(String(format: "  → Faultline is %.2f× the peer's throughput", ours.perSecond / peer.perSecond))
            }
        }
        return figures
    }

    /// RapidOCR (Python) on the same files, timed inside Python so start-up is not counted.
    private func rapidOCRPeer(paths: [String], expected: [String]) throws -> Figure? {
        let python = peerPython ?? FaultlineHome.directory.appendingPathComponent("peers/venv/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: peerScript) else {
            print("RapidOCR peer: not measured (no \(python) or \(peerScript); `make bench` installs it)")
            return nil
        }
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-bench-list-\(getpid()).txt")
        try paths.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        let output = try Self.runProcess(python, [peerScript, list.path])
        struct PeerResult: Decodable { var seconds: Double; var texts: [String] }
        let result = try JSONDecoder().decode(PeerResult.self, from: Data(output.utf8))
        let correct = zip(result.texts, expected).filter { OCRJudge().normalise($0) == OCRJudge().normalise($1) }.count
        return Figure(name: "RapidOCR 1.4.4 (Python peer)", count: result.texts.count, seconds: result.seconds, note: "exact \(correct)/\(paths.count)")
    }

    /// The tesseract command per image, as pytesseract runs it.
    private func tesseractPeer(paths: [String], expected: [String]) throws -> Figure? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tesseract") else {
            print("tesseract command: not measured (install tesseract-ocr)")
            return nil
        }
        var correct = 0
        let start = Date()
        for (path, want) in zip(paths, expected) {
            let text = try Self.runProcess("/usr/bin/tesseract", [path, "stdout", "--psm", "6", "-l", "eng"], environment: ["OMP_THREAD_LIMIT": "1"])
            let read = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            if OCRJudge().normalise(read) == OCRJudge().normalise(want) { correct += 1 }
        }
        return Figure(name: "tesseract CLI (pytesseract's way)", count: paths.count, seconds: Date().timeIntervalSince(start), note: "exact \(correct)/\(paths.count)")
    }

    static func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(executable) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
