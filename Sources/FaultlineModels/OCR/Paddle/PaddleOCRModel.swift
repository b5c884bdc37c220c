import FaultlineCore
import Foundation
import Logging

/// PaddleOCR v4 (mobile) as a model under audit: it answers OCR probes with the text it reads
/// in the probe's one image, lines in reading order joined by single spaces.
///
/// Requests may run concurrently: the pipeline's ONNX Runtime sessions are shared, which ONNX
/// Runtime supports, and each request runs on its own thread outside Swift's cooperative pool
/// so that inference does not starve other tasks.
public final class PaddleOCRModel: VisionLanguageModel {
    public let key = "ocr:paddle"
    /// A short hash of the three model files, the ONNX Runtime version and every setting.
    public let fingerprint: String
    public let maxConcurrentRequests: Int
    /// The pipeline that does the reading.
    public let pipeline: PaddleOCRPipeline

    /// Loads the models in `directory` (the files `make setup` places) with the ONNX Runtime
    /// library at `onnxRuntimeLibrary`.
    ///
    /// - Parameters:
    ///   - intraOpThreads: threads per ONNX Runtime operator; 1 suits a runner that already
    ///     answers several probes at once.
    ///   - settings: the pipeline settings; by default RapidOCR's `config.yaml` in `directory`
    ///     with PaddleOCR's own detection resizing (see `PaddleOCRSettings`).
    ///   - logger: receives ONNX Runtime's warnings and errors.
    public init(
        directory: URL, onnxRuntimeLibrary: URL, intraOpThreads: Int = 1, maxConcurrentRequests: Int = 2,
        settings: PaddleOCRSettings? = nil,
        logger: Logger = Logger(label: "faultline.paddleocr", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        guard maxConcurrentRequests >= 1 else {
            throw PaddleOCRError(
                location: "ocr:paddle", message: "maxConcurrentRequests must be at least 1, got \(maxConcurrentRequests)")
        }
        let files = try PaddleOCRModelFiles(directory: directory)
        let runtime = try ONNXRuntime.load(library: onnxRuntimeLibrary, logger: logger)
        let chosen = try settings ?? PaddleOCRSettings.rapidOCR(configFile: files.configuration)
        pipeline = try PaddleOCRPipeline(
            files: files, runtime: runtime, settings: chosen,
            sessionOptions: ONNXSessionOptions(intraOpThreads: intraOpThreads, interOpThreads: 1))
        self.maxConcurrentRequests = maxConcurrentRequests

        var identity = "paddleocr"
        for file in [files.detection, files.classification, files.recognition] {
            let bytes: Data
            do {
                bytes = try Data(contentsOf: file, options: .mappedIfSafe)
            } catch {
                throw PaddleOCRError(
                    location: file.path,
                    message: "cannot read the model file to fingerprint it: \(error.localizedDescription)",
                    remedy: "run `make setup` to install the PaddleOCR models")
            }
            identity += "\n\(file.lastPathComponent) \(SHA256.hex(of: bytes))"
        }
        identity += "\nonnxruntime \(runtime.version)\n\(chosen.canonicalText)"
        fingerprint = String(SHA256.hex(of: Data(identity.utf8)).prefix(16))
        logger.debug(
            "PaddleOCR loaded",
            metadata: ["fingerprint": "\(fingerprint)", "onnxruntime": "\(runtime.version)"])
    }

    /// OCR probes with exactly one image.
    public func canAnswer(_ probe: Probe) -> Bool {
        probe.ability == .ocr && probe.images.count == 1
    }

    /// Reads the probe's image; the prompt is not used (an OCR engine takes no instructions).
    public func answer(_ request: ModelRequest) async throws -> ModelResponse {
        let probe = request.probe
        guard canAnswer(probe) else {
            throw PaddleOCRError(
                location: "probe \(probe.id)",
                message: "ocr:paddle answers OCR probes with one image; this is a '\(probe.ability.rawValue)' "
                    + "probe with \(probe.images.count) image(s)")
        }
        guard request.images.count == 1 else {
            throw PaddleOCRError(
                location: "probe \(probe.id)",
                message: "the request carries \(request.images.count) decoded image(s) for a one-image probe")
        }
        let image = request.images[0]
        let pipeline = self.pipeline
        let clock = ContinuousClock()
        let start = clock.now
        let reading = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try pipeline.read(image) })
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return ModelResponse(text: reading.text, latencySeconds: seconds)
    }
}
