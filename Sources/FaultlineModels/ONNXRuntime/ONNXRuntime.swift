import COnnxRuntime
import Foundation
import Logging

/// A loaded ONNX Runtime shared library with its environment (ONNX Runtime's process-wide
/// logging and threading state).
///
/// ONNX Runtime keeps a single environment per process, so `load(library:logger:)` hands out
/// one instance per library file for as long as anyone holds it; the environment is released
/// when the last holder lets go. The runtime's own log messages go to the logger of that
/// instance instead of standard error.
public final class ONNXRuntime: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init, and ONNX Runtime documents
    // its environment and the functions we call through `api` as safe to use from any thread.

    /// The library file this runtime was loaded from.
    public let libraryURL: URL
    /// The version the library reports, e.g. `1.32.0`.
    public let version: String

    let api: OrtApi
    let environment: OpaquePointer
    private let logSink: Unmanaged<LogSink>

    /// Loads the library at `library` (or returns the instance already loaded from it).
    ///
    /// - Parameter logger: receives ONNX Runtime's warnings and errors; used only when this
    ///   call creates the environment.
    public static func load(
        library: URL, logger: Logger = Logger(label: "faultline.onnxruntime", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> ONNXRuntime {
        try cache.runtime(for: library.standardizedFileURL) {
            try ONNXRuntime(libraryURL: library.standardizedFileURL, logger: logger)
        }
    }

    private init(libraryURL: URL, logger: Logger) throws {
        let path = libraryURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ONNXRuntimeError(
                kind: .libraryMissing, file: path, message: "the ONNX Runtime library does not exist",
                remedy: ONNXRuntimeError.reinstall)
        }

        var table: UnsafePointer<OrtApi>?
        var versionString: UnsafePointer<CChar>?
        var reason = [CChar](repeating: 0, count: 1024)
        let result = faultline_ort_open(
            path, UInt32(FAULTLINE_ORT_API_VERSION), &table, &versionString, &reason, reason.count)
        let reasonText = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch result {
        case FAULTLINE_ORT_OPENED:
            break
        case FAULTLINE_ORT_LIBRARY_NOT_LOADED:
            throw ONNXRuntimeError(
                kind: .libraryNotLoadable, file: path,
                message: "the ONNX Runtime library could not be loaded (it may be truncated or corrupt): \(reasonText)",
                remedy: ONNXRuntimeError.reinstall)
        case FAULTLINE_ORT_ENTRY_POINT_MISSING:
            throw ONNXRuntimeError(
                kind: .notONNXRuntime, file: path,
                message: "the library has no OrtGetApiBase entry point, so it is not ONNX Runtime: \(reasonText)",
                remedy: ONNXRuntimeError.reinstall)
        default:
            throw ONNXRuntimeError(
                kind: .unsupportedAPIVersion, file: path, message: reasonText,
                remedy: "install ONNX Runtime 1.16 or newer; \(ONNXRuntimeError.reinstall)")
        }
        guard let table else {
            throw ONNXRuntimeError(
                kind: .unsupportedAPIVersion, file: path, message: "ONNX Runtime returned no function table",
                remedy: ONNXRuntimeError.reinstall)
        }
        let api = table.pointee
        let missing = ONNXRuntime.missingEntries(of: api)
        guard missing.isEmpty else {
            throw ONNXRuntimeError(
                kind: .unsupportedAPIVersion, file: path,
                message: "the ONNX Runtime function table lacks \(missing.joined(separator: ", "))",
                remedy: ONNXRuntimeError.reinstall)
        }
        self.api = api
        self.libraryURL = libraryURL
        self.version = versionString.map { String(cString: $0) } ?? "unknown"

        let sink = Unmanaged.passRetained(LogSink(logger: logger))
        var created: OpaquePointer?
        let status = api.CreateEnvWithCustomLogger!(
            forwardLogMessage, sink.toOpaque(), ORT_LOGGING_LEVEL_WARNING, "faultline", &created)
        if let failure = ONNXRuntime.failure(of: status, api: api) {
            sink.release()
            throw ONNXRuntimeError(
                kind: .runtime, file: path, message: "ONNX Runtime could not create its environment: \(failure)")
        }
        guard let created else {
            sink.release()
            throw ONNXRuntimeError(kind: .runtime, file: path, message: "ONNX Runtime returned no environment")
        }
        self.environment = created
        self.logSink = sink
    }

    deinit {
        api.ReleaseEnv!(environment)
        logSink.release()
    }

    /// Turns a status into its message and releases it; nil means success.
    static func failure(of status: OpaquePointer?, api: OrtApi) -> String? {
        guard let status else { return nil }
        defer { api.ReleaseStatus!(status) }
        let message = api.GetErrorMessage!(status).map { String(cString: $0) } ?? "no message"
        return "\(message) (\(name(of: api.GetErrorCode!(status))))"
    }

    private static func name(of code: OrtErrorCode) -> String {
        switch code {
        case ORT_OK: return "ORT_OK"
        case ORT_FAIL: return "ORT_FAIL"
        case ORT_INVALID_ARGUMENT: return "ORT_INVALID_ARGUMENT"
        case ORT_NO_SUCHFILE: return "ORT_NO_SUCHFILE"
        case ORT_NO_MODEL: return "ORT_NO_MODEL"
        case ORT_ENGINE_ERROR: return "ORT_ENGINE_ERROR"
        case ORT_RUNTIME_EXCEPTION: return "ORT_RUNTIME_EXCEPTION"
        case ORT_INVALID_PROTOBUF: return "ORT_INVALID_PROTOBUF"
        case ORT_MODEL_LOADED: return "ORT_MODEL_LOADED"
        case ORT_NOT_IMPLEMENTED: return "ORT_NOT_IMPLEMENTED"
        case ORT_INVALID_GRAPH: return "ORT_INVALID_GRAPH"
        case ORT_EP_FAIL: return "ORT_EP_FAIL"
        default: return "ONNX Runtime error code \(code.rawValue)"
        }
    }

    /// Throws `kind` for `file` when `status` is an error, with ONNX Runtime's message.
    func check(
        _ status: OpaquePointer?, _ operation: String, file: String, kind: ONNXRuntimeError.Kind = .runtime,
        remedy: String? = nil
    ) throws {
        if let failure = ONNXRuntime.failure(of: status, api: api) {
            throw ONNXRuntimeError(kind: kind, file: file, message: "\(operation) failed: \(failure)", remedy: remedy)
        }
    }

    /// The runtime's default CPU allocator, which owns strings the API hands back.
    func defaultAllocator(file: String) throws -> OpaquePointer {
        var allocator: OpaquePointer?
        try check(api.GetAllocatorWithDefaultOptions!(&allocator), "getting the default allocator", file: file)
        guard let allocator else {
            throw ONNXRuntimeError(kind: .runtime, file: file, message: "ONNX Runtime returned no default allocator")
        }
        return allocator
    }

    /// The entries Faultline calls that the table leaves null; the `!` at every call site
    /// relies on this being empty.
    private static func missingEntries(of api: OrtApi) -> [String] {
        let entries: [(String, Bool)] = [
            ("GetErrorCode", api.GetErrorCode != nil), ("GetErrorMessage", api.GetErrorMessage != nil),
            ("CreateEnvWithCustomLogger", api.CreateEnvWithCustomLogger != nil),
            ("CreateSession", api.CreateSession != nil), ("Run", api.Run != nil),
            ("CreateSessionOptions", api.CreateSessionOptions != nil),
            ("SetSessionExecutionMode", api.SetSessionExecutionMode != nil),
            ("SetSessionGraphOptimizationLevel", api.SetSessionGraphOptimizationLevel != nil),
            ("SetIntraOpNumThreads", api.SetIntraOpNumThreads != nil),
            ("SetInterOpNumThreads", api.SetInterOpNumThreads != nil),
            ("SessionGetInputCount", api.SessionGetInputCount != nil),
            ("SessionGetOutputCount", api.SessionGetOutputCount != nil),
            ("SessionGetInputTypeInfo", api.SessionGetInputTypeInfo != nil),
            ("SessionGetOutputTypeInfo", api.SessionGetOutputTypeInfo != nil),
            ("SessionGetInputName", api.SessionGetInputName != nil),
            ("SessionGetOutputName", api.SessionGetOutputName != nil),
            ("CreateTensorWithDataAsOrtValue", api.CreateTensorWithDataAsOrtValue != nil),
            ("IsTensor", api.IsTensor != nil), ("GetTensorMutableData", api.GetTensorMutableData != nil),
            ("CastTypeInfoToTensorInfo", api.CastTypeInfoToTensorInfo != nil),
            ("GetTensorElementType", api.GetTensorElementType != nil),
            ("GetDimensionsCount", api.GetDimensionsCount != nil), ("GetDimensions", api.GetDimensions != nil),
            ("GetTensorShapeElementCount", api.GetTensorShapeElementCount != nil),
            ("GetTensorTypeAndShape", api.GetTensorTypeAndShape != nil),
            ("CreateCpuMemoryInfo", api.CreateCpuMemoryInfo != nil), ("AllocatorFree", api.AllocatorFree != nil),
            ("GetAllocatorWithDefaultOptions", api.GetAllocatorWithDefaultOptions != nil),
            ("ReleaseEnv", api.ReleaseEnv != nil), ("ReleaseStatus", api.ReleaseStatus != nil),
            ("ReleaseMemoryInfo", api.ReleaseMemoryInfo != nil), ("ReleaseSession", api.ReleaseSession != nil),
            ("ReleaseValue", api.ReleaseValue != nil), ("ReleaseTypeInfo", api.ReleaseTypeInfo != nil),
            ("ReleaseTensorTypeAndShapeInfo", api.ReleaseTensorTypeAndShapeInfo != nil),
            ("ReleaseSessionOptions", api.ReleaseSessionOptions != nil),
            ("SessionGetModelMetadata", api.SessionGetModelMetadata != nil),
            ("ModelMetadataLookupCustomMetadataMap", api.ModelMetadataLookupCustomMetadataMap != nil),
            ("ReleaseModelMetadata", api.ReleaseModelMetadata != nil),
        ]
        return entries.filter { !$0.1 }.map(\.0)
    }

    private static let cache = RuntimeCache()
}

/// Holds one runtime per library file while it is in use.
private final class RuntimeCache: @unchecked Sendable {
    // @unchecked: `entries` is only touched while `lock` is held.
    private let lock = NSLock()
    private var entries: [String: WeakRuntime] = [:]

    private struct WeakRuntime {
        weak var runtime: ONNXRuntime?
    }

    func runtime(for url: URL, make: () throws -> ONNXRuntime) throws -> ONNXRuntime {
        lock.lock()
        defer { lock.unlock() }
        if let existing = entries[url.path]?.runtime { return existing }
        let made = try make()
        entries[url.path] = WeakRuntime(runtime: made)
        return made
    }
}

/// Where ONNX Runtime's log messages go; its address is the C callback's context.
private final class LogSink: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private let forwardLogMessage: OrtLoggingFunction = { context, severity, category, _, location, message in
    guard let context else { return }
    let sink = Unmanaged<LogSink>.fromOpaque(context).takeUnretainedValue()
    let level: Logger.Level
    switch severity {
    case ORT_LOGGING_LEVEL_VERBOSE: level = .trace
    case ORT_LOGGING_LEVEL_INFO: level = .debug
    case ORT_LOGGING_LEVEL_WARNING: level = .warning
    case ORT_LOGGING_LEVEL_ERROR: level = .error
    default: level = .critical
    }
    let text = message.map { String(cString: $0) } ?? ""
    sink.logger.log(
        level: level, "\(text)",
        metadata: [
            "onnxruntime.category": "\(category.map { String(cString: $0) } ?? "")",
            "onnxruntime.location": "\(location.map { String(cString: $0) } ?? "")",
        ])
}
