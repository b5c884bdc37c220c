import Foundation

/// A failure of ONNX Runtime or of Faultline's use of it: what failed, on which file, ONNX
/// Runtime's own message where there is one, and what to do about it.
public struct ONNXRuntimeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, for callers that react differently to each.
    public enum Kind: String, Sendable, Equatable {
        /// The runtime library file does not exist.
        case libraryMissing = "library-missing"
        /// The file exists but the dynamic loader refused it (corrupt, wrong architecture, missing dependency).
        case libraryNotLoadable = "library-not-loadable"
        /// The library loaded but is not ONNX Runtime (no `OrtGetApiBase`).
        case notONNXRuntime = "not-onnx-runtime"
        /// The runtime is too old for the C API version Faultline declares.
        case unsupportedAPIVersion = "unsupported-api-version"
        /// The model file does not exist.
        case modelMissing = "model-missing"
        /// ONNX Runtime could not create a session from the model file (truncated, corrupt, unsupported).
        case modelNotLoadable = "model-not-loadable"
        /// Inputs given to `run` do not match what the model declares.
        case invalidInput = "invalid-input"
        /// The model produced something Faultline cannot use (wrong element type, shape or metadata).
        case unexpectedOutput = "unexpected-output"
        /// ONNX Runtime reported an error while running or inspecting a loaded model.
        case runtime
    }

    public var kind: Kind
    /// The library or model file the failure concerns.
    public var file: String
    /// What failed, including ONNX Runtime's message where it gave one.
    public var message: String
    /// What the user can do about it, if anything.
    public var remedy: String?

    public init(kind: Kind, file: String, message: String, remedy: String? = nil) {
        self.kind = kind
        self.file = file
        self.message = message
        self.remedy = remedy
    }

    public var description: String {
        var text = "\(message) [\(file)]"
        if let remedy { text += ". Fix: \(remedy)" }
        return text
    }

    /// The remedy for any file that `scripts/install.sh` places.
    static let reinstall = "run `make setup` to install or repair the model files"
}
