import Foundation

/// Every setting of the PaddleOCR pipeline that changes what it reads.
///
/// The values come from RapidOCR's `config.yaml` (the package the models ship in), with one
/// deliberate difference: detection resizes the way PaddleOCR itself does by default (longest
/// side at most 960) instead of RapidOCR's "shortest side at least 736", which blows Faultline's
/// small images up about eight-fold and makes detection far slower for no gain in accuracy.
public struct PaddleOCRSettings: Sendable, Hashable, Codable {
    /// How the detector's input size is limited.
    public enum LimitType: String, Sendable, Hashable, Codable {
        /// Shrink so that the longer side is at most the limit (PaddleOCR's default).
        case max
        /// Enlarge so that the shorter side is at least the limit (RapidOCR's default).
        case min
    }

    /// Whole-image handling before detection (RapidOCR's `Global` section).
    public struct Global: Sendable, Hashable, Codable {
        /// Lines whose recognition score is below this are dropped from the answer.
        public var textScore: Double
        /// Images this short or lower are padded top and bottom before detection.
        public var minHeight: Int
        /// Images wider than this many heights are padded top and bottom before detection (-1: never).
        public var widthHeightRatio: Double
        /// Images whose longer side exceeds this are shrunk first.
        public var maxSideLength: Int
        /// Images whose shorter side is below this are enlarged first.
        public var minSideLength: Int
        /// Whether the orientation classifier runs.
        public var useClassifier: Bool
    }

    /// Text detection with DB (differentiable binarisation).
    public struct Detection: Sendable, Hashable, Codable {
        public var limitType: LimitType
        public var limitSideLength: Int
        /// Per-channel normalisation, in the network's (BGR) channel order.
        public var mean: [Double]
        public var std: [Double]
        /// Probability above which a pixel counts as text.
        public var binaryThreshold: Double
        /// Mean probability a box needs to be kept.
        public var boxThreshold: Double
        public var maxCandidates: Int
        /// How far boxes are grown back out: distance = area × ratio / perimeter.
        public var unclipRatio: Double
        /// Whether the text mask is dilated by a 2×2 square first.
        public var useDilation: Bool
    }

    /// The 0°/180° orientation classifier.
    public struct Classification: Sendable, Hashable, Codable {
        public var imageHeight: Int
        public var imageWidth: Int
        public var batchSize: Int
        /// A crop is turned over only when the "180" label scores above this.
        public var threshold: Double
        public var labels: [String]
    }

    /// Text-line recognition (CTC).
    public struct Recognition: Sendable, Hashable, Codable {
        public var imageHeight: Int
        /// The narrowest input width; wider lines widen their whole batch.
        public var imageWidth: Int
        public var batchSize: Int
    }

    public var global: Global
    public var detection: Detection
    public var classification: Classification
    public var recognition: Recognition

    public init(global: Global, detection: Detection, classification: Classification, recognition: Recognition) {
        self.global = global
        self.detection = detection
        self.classification = classification
        self.recognition = recognition
    }

    /// Reads RapidOCR's `config.yaml`, then sets detection resizing to `limitType` and
    /// `limitSideLength` (PaddleOCR's defaults unless given).
    public static func rapidOCR(
        configFile: URL, limitType: LimitType = .max, limitSideLength: Int = 960
    ) throws -> PaddleOCRSettings {
        let file = try RapidOCRConfigFile(contentsOf: configFile)
        let scoreMode = try file.string("Det", "score_mode")
        guard scoreMode == "fast" else {
            throw PaddleOCRError(
                location: "\(file.path): Det.score_mode",
                message: "score mode '\(scoreMode)' is not implemented; Faultline scores boxes the 'fast' way",
                remedy: "set score_mode: fast")
        }
        let clsShape = try file.list("Cls", "cls_image_shape").compactMap { Int($0) }
        let recShape = try file.list("Rec", "rec_img_shape").compactMap { Int($0) }
        guard clsShape.count == 3, clsShape[0] == 3 else {
            throw PaddleOCRError(
                location: "\(file.path): Cls.cls_image_shape", message: "expected [3, height, width], got \(clsShape)")
        }
        guard recShape.count == 3, recShape[0] == 3 else {
            throw PaddleOCRError(
                location: "\(file.path): Rec.rec_img_shape", message: "expected [3, height, width], got \(recShape)")
        }
        let settings = PaddleOCRSettings(
            global: Global(
                textScore: try file.double("Global", "text_score"),
                minHeight: try file.int("Global", "min_height"),
                widthHeightRatio: try file.double("Global", "width_height_ratio"),
                maxSideLength: try file.int("Global", "max_side_len"),
                minSideLength: try file.int("Global", "min_side_len"),
                useClassifier: try file.bool("Global", "use_cls")),
            detection: Detection(
                limitType: limitType, limitSideLength: limitSideLength,
                mean: try file.doubles("Det", "mean", count: 3), std: try file.doubles("Det", "std", count: 3),
                binaryThreshold: try file.double("Det", "thresh"), boxThreshold: try file.double("Det", "box_thresh"),
                maxCandidates: try file.int("Det", "max_candidates"),
                unclipRatio: try file.double("Det", "unclip_ratio"), useDilation: try file.bool("Det", "use_dilation")),
            classification: Classification(
                imageHeight: clsShape[1], imageWidth: clsShape[2], batchSize: try file.int("Cls", "cls_batch_num"),
                threshold: try file.double("Cls", "cls_thresh"), labels: try file.list("Cls", "label_list")),
            recognition: Recognition(
                imageHeight: recShape[1], imageWidth: recShape[2], batchSize: try file.int("Rec", "rec_batch_num")))
        try settings.validate(source: file.path)
        return settings
    }

    /// Fails with the offending setting when a value would make the pipeline meaningless.
    public func validate(source: String = "settings") throws {
        func require(_ condition: Bool, _ key: String, _ message: String) throws {
            if !condition { throw PaddleOCRError(location: "\(source): \(key)", message: message) }
        }
        try require(detection.limitSideLength >= 32, "Det.limit_side_len", "must be at least 32")
        try require(detection.std.allSatisfy { $0 != 0 }, "Det.std", "must not contain 0")
        try require((0...1).contains(detection.binaryThreshold), "Det.thresh", "must be between 0 and 1")
        try require((0...1).contains(detection.boxThreshold), "Det.box_thresh", "must be between 0 and 1")
        try require(detection.maxCandidates > 0, "Det.max_candidates", "must be positive")
        try require(detection.unclipRatio > 0, "Det.unclip_ratio", "must be positive")
        try require(
            classification.imageHeight > 0 && classification.imageWidth > 0, "Cls.cls_image_shape", "must be positive")
        try require(classification.batchSize > 0, "Cls.cls_batch_num", "must be positive")
        try require(classification.labels.count == 2, "Cls.label_list", "must have two labels (0 and 180)")
        try require(recognition.imageHeight > 0 && recognition.imageWidth > 0, "Rec.rec_img_shape", "must be positive")
        try require(recognition.batchSize > 0, "Rec.rec_batch_num", "must be positive")
        try require(global.maxSideLength >= global.minSideLength, "Global.max_side_len", "must be at least min_side_len")
        try require(global.minSideLength > 0, "Global.min_side_len", "must be positive")
        try require(global.minHeight >= 0, "Global.min_height", "must not be negative")
        try require(
            global.widthHeightRatio == -1 || global.widthHeightRatio > 0, "Global.width_height_ratio",
            "must be positive, or -1 to never pad wide images")
    }

    /// A canonical text of every setting, for fingerprints.
    public var canonicalText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain numbers, strings and arrays cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
