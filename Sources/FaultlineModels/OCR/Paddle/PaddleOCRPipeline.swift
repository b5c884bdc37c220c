import FaultlineCore
import Foundation

/// The files of a PaddleOCR installation, as `scripts/install.sh` places them.
public struct PaddleOCRModelFiles: Sendable, Hashable {
    public var detection: URL
    public var classification: URL
    public var recognition: URL
    /// RapidOCR's `config.yaml`.
    public var configuration: URL

    /// The standard file names inside `directory`; fails naming the first file that is missing.
    public init(directory: URL) throws {
        detection = directory.appendingPathComponent("ch_PP-OCRv4_det_infer.onnx")
        classification = directory.appendingPathComponent("ch_ppocr_mobile_v2.0_cls_infer.onnx")
        recognition = directory.appendingPathComponent("ch_PP-OCRv4_rec_infer.onnx")
        configuration = directory.appendingPathComponent("config.yaml")
        for file in [detection, classification, recognition, configuration]
        where !FileManager.default.fileExists(atPath: file.path) {
            throw PaddleOCRError(
                location: file.path, message: "the PaddleOCR model file does not exist",
                remedy: "run `make setup` to install the PaddleOCR models")
        }
    }
}

/// One line of text PaddleOCR read.
public struct PaddleOCRLine: Sendable, Equatable {
    public var text: String
    /// The recogniser's confidence: the mean probability of the characters it kept.
    public var score: Double
    /// The line's box, top-left, top-right, bottom-right, bottom-left, in the pixels of the
    /// image that was read.
    public var corners: [SIMD2<Double>]
    /// Whether the orientation classifier turned the line over before reading it.
    public var turnedOver: Bool
}

/// Everything PaddleOCR read in one image.
public struct PaddleOCRReading: Sendable, Equatable {
    /// Every line recognised, in reading order, including those below the score threshold.
    public var lines: [PaddleOCRLine]
    /// The lines scoring at least the threshold, joined by single spaces.
    public var text: String
}

/// PaddleOCR v4 end to end: detection, orientation, recognition, with the pre- and
/// post-processing of RapidOCR (the package the models come in).
///
/// Safe to use from several threads at once: the sessions are shared and ONNX Runtime runs
/// them concurrently; every other part is immutable.
public final class PaddleOCRPipeline: Sendable {
    public let settings: PaddleOCRSettings
    public let files: PaddleOCRModelFiles
    let detector: PaddleTextDetector
    let classifier: PaddleTextOrientationClassifier
    let recognizer: PaddleTextRecognizer

    /// Loads the three models from `files` into `runtime`.
    public init(
        files: PaddleOCRModelFiles, runtime: ONNXRuntime, settings: PaddleOCRSettings,
        sessionOptions: ONNXSessionOptions = ONNXSessionOptions()
    ) throws {
        try settings.validate()
        self.settings = settings
        self.files = files
        detector = PaddleTextDetector(
            session: try ONNXSession(runtime: runtime, modelURL: files.detection, options: sessionOptions),
            settings: settings.detection)
        classifier = PaddleTextOrientationClassifier(
            session: try ONNXSession(runtime: runtime, modelURL: files.classification, options: sessionOptions),
            settings: settings.classification)
        recognizer = try PaddleTextRecognizer(
            session: try ONNXSession(runtime: runtime, modelURL: files.recognition, options: sessionOptions),
            settings: settings.recognition)
    }

    /// Reads all text in `image`.
    public func read(_ image: RasterImage) throws -> PaddleOCRReading {
        guard image.width > 0, image.height > 0 else {
            throw PaddleOCRError(location: "image", message: "the image is empty (\(image.width)×\(image.height))")
        }
        let original = image.rgb()
        let (prepared, scale, topPadding) = try prepare(original)

        let boxes = PaddleTextDetector.readingOrder(try detector.detect(prepared))
        guard !boxes.isEmpty else { return PaddleOCRReading(lines: [], text: "") }
        var kept: [[SIMD2<Double>]] = []
        var crops: [RasterImage] = []
        for box in boxes {
            guard let crop = PaddleTextDetector.crop(prepared, box: box) else { continue }
            kept.append(box)
            crops.append(crop)
        }
        var turnedOver = [Bool](repeating: false, count: crops.count)
        if settings.global.useClassifier {
            (crops, turnedOver) = try classifier.orient(crops)
        }
        let recognized = try recognizer.recognize(crops)

        let lines = kept.indices.map { index in
            PaddleOCRLine(
                text: recognized[index].text, score: recognized[index].score,
                corners: kept[index].map { point in
                    SIMD2(
                        min(max(point.x * scale.x, 0), Double(original.width)),
                        min(max((point.y - Double(topPadding)) * scale.y, 0), Double(original.height)))
                },
                turnedOver: turnedOver[index])
        }
        let text = lines.filter { $0.score >= settings.global.textScore }.map(\.text).joined(separator: " ")
        return PaddleOCRReading(lines: lines, text: text)
    }

    /// RapidOCR's whole-image preparation: shrink images with a side over `maxSideLength`,
    /// enlarge those with a side under `minSideLength` (both to multiples of 32), then pad
    /// very short or very wide images with black above and below so the detector sees
    /// enough context. Returns the factors that map back to the original and the padding.
    private func prepare(_ image: RasterImage) throws -> (RasterImage, SIMD2<Double>, Int) {
        var prepared = image
        var scale = SIMD2<Double>(1, 1)
        let global = settings.global
        func resized(_ source: RasterImage, limit: Int, shrinking: Bool) throws -> RasterImage {
            let (w, h) = (source.width, source.height)
            let ratio = shrinking ? Double(limit) / Double(max(w, h)) : Double(limit) / Double(min(w, h))
            let newWidth = Int((Double(Int(Double(w) * ratio)) / 32).rounded(.toNearestOrEven)) * 32
            let newHeight = Int((Double(Int(Double(h) * ratio)) / 32).rounded(.toNearestOrEven)) * 32
            guard newWidth > 0, newHeight > 0 else {
                throw PaddleOCRError(
                    location: "image \(image.width)×\(image.height)",
                    message: "the image is too thin to read: scaling it to a side of \(limit) leaves no pixels")
            }
            scale *= SIMD2(Double(w) / Double(newWidth), Double(h) / Double(newHeight))
            return PaddleImageOps.resizeBilinear(source, width: newWidth, height: newHeight)
        }
        if max(prepared.width, prepared.height) > global.maxSideLength {
            prepared = try resized(prepared, limit: global.maxSideLength, shrinking: true)
        }
        if min(prepared.width, prepared.height) < global.minSideLength {
            prepared = try resized(prepared, limit: global.minSideLength, shrinking: false)
        }
        let tooWide =
            global.widthHeightRatio != -1
            && Double(prepared.width) / Double(prepared.height) > global.widthHeightRatio
        var padding = 0
        if prepared.height <= global.minHeight || tooWide {
            let paddedHeight = max(Int(Double(prepared.width) / global.widthHeightRatio), global.minHeight) * 2
            padding = abs(paddedHeight - prepared.height) / 2
            prepared = PaddleImageOps.padVertically(prepared, top: padding, bottom: padding)
        }
        return (prepared, scale, padding)
    }
}
