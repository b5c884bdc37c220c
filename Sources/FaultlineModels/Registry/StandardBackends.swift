import FaultlineCore
import Foundation

extension BackendRegistry {
    /// The backends Faultline ships with.
    public static var standard: BackendRegistry {
        var registry = BackendRegistry()
        registry.register(
            "ocr:paddle",
            summary: "PaddleOCR v4 mobile (detection, orientation, recognition) on ONNX Runtime 1.32; options: threads=N, concurrency=N"
        ) { spec, environment in
            try PaddleOCRModel(
                directory: environment.modelsDirectory.appendingPathComponent("paddleocr", isDirectory: true),
                onnxRuntimeLibrary: environment.modelsDirectory.appendingPathComponent(
                    "onnxruntime/libonnxruntime.so.1.32.0"),
                intraOpThreads: try spec.int("threads", default: 1),
                maxConcurrentRequests: max(1, try spec.int("concurrency", default: 2)),
                logger: environment.logger)
        }
        registry.register(
            "ocr:tesseract",
            summary: "Tesseract 5 (LSTM, English) through its C API; options: psm=N, concurrency=N"
        ) { spec, environment in
            let mode = try spec.int("psm", default: Int(TesseractModel.PageSegmentationMode.singleBlock.rawValue))
            guard let pageSegMode = TesseractModel.PageSegmentationMode(rawValue: .init(mode)) else {
                throw BackendError("option 'psm' of backend '\(spec.raw)' is not a Tesseract page segmentation mode: \(mode)")
            }
            return try TesseractModel(
                dataPath: environment.tessdataDirectory, language: spec.options["lang"] ?? "eng",
                pageSegMode: pageSegMode, maxConcurrentRequests: max(1, try spec.int("concurrency", default: 2)))
        }
        registry.register(
            "openai:*",
            summary: "An OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang, llama.cpp, Ollama…): "
                + "openai:BASE_URL#MODEL?key_env=VAR&concurrency=N&timeout=S&max_retries=N"
        ) { spec, environment in
            try OpenAIModel(spec: spec, environment: environment)
        }
        registry.registerZoo()
        registry.register(
            "double:*",
            summary: "Test double for fault injection, not a model: answers the expected text; "
                + "double:echo?delay=S&fail-every=N&log=PATH&concurrency=N"
        ) { spec, _ in
            guard spec.name == "double:echo" else {
                throw BackendError("unknown test double '\(spec.name)'; the only one is double:echo")
            }
            return try EchoDouble(spec: spec)
        }
        return registry
    }
}
