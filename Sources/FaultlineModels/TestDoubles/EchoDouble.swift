import FaultlineCore
import Foundation

/// A test double, not a model: it answers each probe with the expected answer after an
/// optional delay, and can inject failures. It exists to test the runner (resume after
/// `kill -9`, error handling, concurrency) without depending on a real model's speed.
///
/// Spec: `double:echo?delay=SECONDS&fail-every=N&log=PATH&concurrency=N`.
/// - `log`: appends one line per call, `<probe id>`, when the call starts, so that a test
///   can count backend calls across processes.
/// - `fail-every`: every N-th probe position (by id hash) throws an injected error.
public struct EchoDouble: VisionLanguageModel {
    public let key: String
    public let delay: Double
    public let failEvery: Int
    public let callLog: URL?
    public let maxConcurrentRequests: Int

    public init(spec: BackendSpec) throws {
        key = spec.name
        delay = try spec.double("delay", default: 0)
        failEvery = try spec.int("fail-every", default: 0)
        maxConcurrentRequests = max(1, try spec.int("concurrency", default: 4))
        callLog = spec.options["log"].map { URL(fileURLWithPath: $0) }
    }

    public var fingerprint: String { "double-echo/1" }

    public func answer(_ request: ModelRequest) async throws -> ModelResponse {
        if let callLog { try Self.append("\(request.probe.id)\n", to: callLog) }
        if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        if failEvery > 0, Int(SHA256.digest(Data(request.probe.id.utf8))[0]) % failEvery == 0 {
            throw BackendError("injected failure (double:echo fail-every=\(failEvery)) for probe \(request.probe.id)")
        }
        return ModelResponse(text: request.probe.expected.text, latencySeconds: delay)
    }

    /// Appends with O_APPEND so that concurrent writers never interleave within a line.
    private static func append(_ line: String, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw BackendError("cannot open call log \(url.path)") }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
