import FaultlineCore
import Foundation
import Testing

@testable import FaultlineModels

/// The parts of the PaddleOCR pipeline that need no model files: geometry, image operations,
/// DB post-processing, reading order, CTC decoding and the settings file.
@Suite("PaddleOCR processing")
struct PaddlePostProcessingTests {
    typealias Point = PaddleGeometry.Point

    // MARK: Geometry

    @Test func convexHullDropsInteriorAndCollinearPoints() {
        let points: [Point] = [
            Point(0, 0), Point(4, 0), Point(4, 3), Point(0, 3), Point(2, 1), Point(2, 0), Point(1, 2), Point(4, 1),
        ]
        let hull = PaddleGeometry.convexHull(points)
        #expect(Set(hull.map { [$0.x, $0.y] }) == [[0, 0], [4, 0], [4, 3], [0, 3]])
    }

    @Test func minimumAreaRectangleRecoversARotatedRectangle() {
        // Corners of a 50×10 rectangle turned by 30°, with points along its edges.
        let angle = Double.pi / 6
        let u = Point(cos(angle), sin(angle))
        let v = Point(-sin(angle), cos(angle))
        let origin = Point(100, 40)
        var points: [Point] = []
        for step in 0...10 {
            let t = Double(step) / 10
            points += [origin + u * 50 * t, origin + v * 10 + u * 50 * t]
        }
        let rectangle = PaddleGeometry.minimumAreaRectangle(points)
        #expect(abs(rectangle.width * rectangle.height - 500) < 1e-6)
        #expect(abs(rectangle.shortSide - 10) < 1e-6)
        let expected = [origin, origin + u * 50, origin + u * 50 + v * 10, origin + v * 10]
        for corner in expected {
            #expect(rectangle.corners.contains { PaddleGeometry.distance($0, corner) < 1e-6 })
        }
    }

    @Test func minimumAreaRectangleOfDegenerateSetsHasNoShortSide() {
        #expect(PaddleGeometry.minimumAreaRectangle([Point(3, 3)]).shortSide == 0)
        #expect(PaddleGeometry.minimumAreaRectangle([Point(0, 0), Point(5, 5), Point(10, 10)]).shortSide == 0)
    }

    @Test func cornersAreOrderedTopLeftClockwise() {
        let shuffled: [Point] = [Point(10, 20), Point(0, 0), Point(12, 2), Point(-2, 18)]
        let ordered = PaddleGeometry.orderedCorners(shuffled)
        #expect(ordered == [Point(0, 0), Point(12, 2), Point(10, 20), Point(-2, 18)])
    }

    @Test func perspectiveTransformMapsTheFourPoints() throws {
        let source: [Point] = [Point(0, 0), Point(100, 0), Point(100, 30), Point(0, 30)]
        let destination: [Point] = [Point(10, 5), Point(105, 20), Point(100, 52), Point(4, 36)]
        let m = try #require(PaddleGeometry.perspectiveTransform(from: source, to: destination))
        for (s, d) in zip(source, destination) {
            let w = m[6] * s.x + m[7] * s.y + m[8]
            let x = (m[0] * s.x + m[1] * s.y + m[2]) / w
            let y = (m[3] * s.x + m[4] * s.y + m[5]) / w
            #expect(abs(x - d.x) < 1e-9 && abs(y - d.y) < 1e-9)
        }
        #expect(PaddleGeometry.perspectiveTransform(from: [Point](repeating: Point(1, 1), count: 4), to: source) == nil)
    }

    // MARK: Image operations

    /// A 7×5 test pattern whose every byte differs from its neighbours.
    private static func pattern() -> RasterImage {
        var pixels: [UInt8] = []
        for y in 0..<5 {
            for x in 0..<7 {
                for c in 0..<3 { pixels.append(UInt8((x * 37 + y * 91 + c * 53) % 256)) }
            }
        }
        return RasterImage(width: 7, height: 5, channels: 3, pixels: pixels)
    }

    @Test func bilinearResizeMatchesOpenCVByteForByte() {
        // Expected bytes from OpenCV 5.0 `cv2.resize(pattern, (4, 3))` and `(11, 8)`, INTER_LINEAR.
        let down = PaddleImageOps.resizeBilinear(Self.pattern(), width: 4, height: 3)
        #expect(
            down.pixels == [
                44, 97, 150, 109, 162, 130, 174, 152, 194, 153, 99, 88, 196, 153, 46, 5, 58, 111, 69, 122, 175, 134,
                187, 240, 91, 144, 197, 156, 188, 91, 71, 103, 82, 115, 115, 136,
            ])
        let up = PaddleImageOps.resizeBilinear(Self.pattern(), width: 11, height: 8)
        #expect(
            up.pixels == [
                0, 53, 106, 17, 70, 123, 40, 93, 146, 64, 117, 170, 87, 140, 193, 111, 164, 217, 134, 187, 240, 158,
                211, 194, 182, 234, 55, 205, 118, 55, 222, 19, 72, 40, 93, 146, 56, 110, 163, 80, 133, 176, 104, 157,
                128, 127, 180, 121, 151, 204, 145, 174, 156, 168, 167, 139, 152, 119, 162, 84, 133, 107, 95, 150, 59, 112,
                97, 150, 187, 113, 159, 203, 135, 174, 205, 149, 197, 76, 168, 221, 34, 192, 245, 58, 215, 115, 81, 173,
                52, 105, 44, 75, 128, 46, 99, 152, 63, 116, 169, 153, 207, 84, 170, 143, 100, 178, 71, 116, 89, 94,
                89, 65, 118, 91, 88, 141, 115, 112, 114, 138, 114, 109, 161, 86, 132, 185, 103, 156, 209, 120, 172, 225,
                130, 183, 60, 147, 120, 77, 155, 48, 101, 66, 71, 124, 42, 95, 148, 65, 118, 171, 89, 142, 144, 112,
                166, 138, 136, 189, 162, 159, 169, 186, 176, 149, 202, 27, 80, 117, 44, 90, 134, 66, 104, 158, 79, 128,
                181, 99, 152, 205, 122, 175, 228, 146, 199, 99, 169, 222, 35, 193, 246, 59, 216, 139, 82, 233, 46, 99,
                68, 121, 174, 85, 138, 191, 108, 162, 201, 132, 185, 133, 155, 156, 118, 179, 88, 141, 111, 111, 93, 82,
                135, 76, 106, 159, 100, 129, 121, 123, 146, 87, 140, 108, 161, 214, 125, 178, 231, 148, 201, 231, 172, 225,
                92, 195, 155, 45, 219, 16, 69, 79, 39, 92, 10, 63, 116, 34, 86, 139, 57, 110, 163, 74, 127, 180,
            ])
        #expect(up.width == 11 && up.height == 8 && up.pixels.count == 11 * 8 * 3)
    }

    @Test func axisAlignedCropCopiesPixelsExactly() throws {
        let image = Self.pattern()
        let box: [SIMD2<Double>] = [SIMD2(1, 1), SIMD2(5, 1), SIMD2(5, 3), SIMD2(1, 3)]
        let crop = try #require(PaddleTextDetector.crop(image, box: box))
        #expect(crop.width == 4 && crop.height == 2)
        for y in 0..<2 {
            for x in 0..<4 {
                for c in 0..<3 {
                    #expect(crop.pixels[(y * 4 + x) * 3 + c] == image.pixels[((y + 1) * 7 + x + 1) * 3 + c])
                }
            }
        }
    }

    @Test func tallCropsAreTurnedToLieFlat() throws {
        let image = RasterImage(width: 20, height: 40, channels: 3, fill: 200)
        let box: [SIMD2<Double>] = [SIMD2(2, 2), SIMD2(8, 2), SIMD2(8, 32), SIMD2(2, 32)]
        let crop = try #require(PaddleTextDetector.crop(image, box: box))
        #expect(crop.width == 30 && crop.height == 6)
    }

    @Test func rotationsMoveCornersWhereExpected() {
        // 3×2 image whose red channel numbers the pixels 0...5 row by row.
        let image = RasterImage(
            width: 3, height: 2, channels: 3, pixels: (0..<6).flatMap { [UInt8($0), 0, 0] })
        let quarter = PaddleImageOps.rotateCounterClockwise(image)
        #expect(quarter.width == 2 && quarter.height == 3)
        // Counter-clockwise: the top row becomes the left column, read bottom to top.
        #expect(stride(from: 0, to: quarter.pixels.count, by: 3).map { quarter.pixels[$0] } == [2, 5, 1, 4, 0, 3])
        let half = PaddleImageOps.rotateHalfTurn(image)
        #expect(stride(from: 0, to: half.pixels.count, by: 3).map { half.pixels[$0] } == [5, 4, 3, 2, 1, 0])
    }

    @Test func normalisationReversesChannelsAndScales() {
        let image = RasterImage(width: 1, height: 1, channels: 3, pixels: [255, 0, 51])
        var tensor = [Float](repeating: 9, count: 6)
        PaddleImageOps.writeNormalizedBGR(
            image, into: &tensor, at: 0, paddedWidth: 2, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        // Planes B, G, R; the padding column keeps what was there.
        #expect(abs(tensor[0] - (-0.6)) < 1e-6)
        #expect(tensor[1] == 9)
        #expect(abs(tensor[2] - (-1)) < 1e-6)
        #expect(abs(tensor[4] - 1) < 1e-6)
    }

    // MARK: Detection

    @Test func detectorInputSizesFollowPaddleOCRRounding() {
        // Python's round() rounds halves to even: 400 / 32 = 12.5 -> 12.
        #expect(PaddleTextDetector.inputSize(width: 400, height: 100, limitType: .max, limit: 960) == (384, 96))
        #expect(PaddleTextDetector.inputSize(width: 1400, height: 500, limitType: .max, limit: 960) == (960, 352))
        #expect(PaddleTextDetector.inputSize(width: 10, height: 10, limitType: .max, limit: 960) == (32, 32))
        #expect(PaddleTextDetector.inputSize(width: 200, height: 100, limitType: .min, limit: 736) == (1472, 736))
    }

    private static let detection = PaddleOCRSettings.Detection(
        limitType: .max, limitSideLength: 960, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], binaryThreshold: 0.3,
        boxThreshold: 0.5, maxCandidates: 1000, unclipRatio: 1.6, useDilation: true)

    private static func expectClose(_ corners: [SIMD2<Double>], _ expected: [[Double]], tolerance: Double = 1) {
        #expect(corners.count == expected.count)
        for (corner, point) in zip(corners, expected) {
            #expect(abs(corner.x - point[0]) <= tolerance && abs(corner.y - point[1]) <= tolerance, "\(corners)")
        }
    }

    @Test func dbPostProcessingMatchesPaddleOCROnAnUprightBlob() {
        // A 51×16 text blob, a 2×2 speck (too small) and a faint blob (above the pixel
        // threshold, below the box threshold) in a 96×64 map, scaled to 192×128.
        let (width, height) = (96, 64)
        var map = [Float](repeating: 0.05, count: width * height)
        func fill(_ xs: Range<Int>, _ ys: Range<Int>, _ value: Float) {
            for y in ys { for x in xs { map[y * width + x] = value } }
        }
        fill(20..<71, 20..<36, 0.9)
        fill(80..<82, 50..<52, 0.9)
        fill(5..<16, 45..<61, 0.4)
        let boxes = DBPostProcessor(Self.detection).boxes(
            probabilities: map, width: width, height: height, destinationWidth: 192, destinationHeight: 128)
        // PaddleOCR's DBPostProcess (RapidOCR 1.4.4, OpenCV 5.0) gives one box,
        // [[20, 20], [162, 20], [162, 92], [20, 92]], score 0.8346.
        #expect(boxes.count == 1)
        if let box = boxes.first {
            Self.expectClose(box.corners, [[20, 20], [162, 20], [162, 92], [20, 92]])
            #expect(abs(box.score - 0.8346) < 0.01)
        }
    }

    @Test func dbPostProcessingMatchesPaddleOCROnARotatedBlob() {
        let (width, height) = (160, 120)
        var map = [Float](repeating: 0.02, count: width * height)
        let angle = 20.0 * Double.pi / 180
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x) - 80, dy = Double(y) - 60
                let u = dx * cos(angle) + dy * sin(angle)
                let v = -dx * sin(angle) + dy * cos(angle)
                if abs(u) <= 40 && abs(v) <= 8 { map[y * width + x] = 0.8 }
            }
        }
        let boxes = DBPostProcessor(Self.detection).boxes(
            probabilities: map, width: width, height: height, destinationWidth: width, destinationHeight: height)
        // PaddleOCR: [[38, 23], [136, 59], [122, 97], [24, 61]], score 0.6954.
        #expect(boxes.count == 1)
        if let box = boxes.first {
            Self.expectClose(box.corners, [[38, 23], [136, 59], [122, 97], [24, 61]])
            #expect(abs(box.score - 0.6954) < 0.005)
        }
    }

    @Test func unclipGrowsEachSideByAreaTimesRatioOverPerimeter() {
        let processor = DBPostProcessor(Self.detection)
        let box: [Point] = [Point(10, 10), Point(110, 10), Point(110, 30), Point(10, 30)]
        // distance = 2000 × 1.6 / 240 = 13.33
        let grown = PaddleGeometry.minimumAreaRectangle(processor.unclip(box))
        #expect(abs(grown.width - 127) <= 1 && abs(grown.height - 47) <= 1, "\(grown)")
    }

    @Test func dilationGrowsRightAndDown() {
        let mask: [UInt8] = [
            0, 0, 0,
            0, 1, 0,
            0, 0, 0,
        ]
        #expect(DBPostProcessor.dilate2x2(mask, width: 3, height: 3) == [0, 0, 0, 0, 1, 1, 0, 1, 1])
    }

    @Test func regionBordersFollowEightConnectivityAndListHoles() {
        // Two diagonal-touching pixels form one region; a ring has an outer border and a hole.
        let width = 8
        var mask = [UInt8](repeating: 0, count: width * 6)
        mask[0 * width + 0] = 1
        mask[1 * width + 1] = 1
        for y in 1...4 { for x in 3...6 where y == 1 || y == 4 || x == 3 || x == 6 { mask[y * width + x] = 1 } }
        let borders = DBPostProcessor.regionBorders(mask: mask, width: width, height: 6)
        #expect(borders.count == 3)
        // The hole's border is the ring's inner edge: x 3...6, y 1...4, without its corners.
        let hole = borders.last ?? []
        #expect(Set(hole.map(\.y)) == [1, 2, 3, 4])
        #expect(hole.map(\.x).min() == 3 && hole.map(\.x).max() == 6)
    }

    @Test func readingOrderIsTopToBottomThenLeftToRightWithinALine() {
        func box(_ x: Double, _ y: Double) -> [SIMD2<Double>] {
            [SIMD2(x, y), SIMD2(x + 20, y), SIMD2(x + 20, y + 10), SIMD2(x, y + 10)]
        }
        // Same line (tops within 10 px) but the right word sits 4 px higher.
        let sorted = PaddleTextDetector.readingOrder([box(0, 60), box(100, 4), box(0, 8), box(50, 62)])
        #expect(sorted.map { $0[0] } == [SIMD2(0, 8), SIMD2(100, 4), SIMD2(0, 60), SIMD2(50, 62)])
    }

    // MARK: Recognition

    @Test func ctcDecodingMergesRepeatsAndDropsBlanks() throws {
        let characters = ["blank", "a", "b", " "]
        // Steps: a a blank a b b space -> "aab " ; confidences of the kept steps.
        let steps: [(Int, Float)] = [(1, 0.9), (1, 0.8), (0, 0.99), (1, 0.7), (2, 0.6), (2, 0.9), (3, 0.5)]
        var probabilities: [Float] = []
        for (best, value) in steps {
            var row = [Float](repeating: (1 - value) / 3, count: 4)
            row[best] = value
            probabilities += row
        }
        let decoded = PaddleTextRecognizer.decode(probabilities, offset: 0, steps: steps.count, characters: characters)
        #expect(decoded.text == "aab ")
        #expect(abs(decoded.score - Double(0.9 + 0.7 + 0.6 + 0.5) / 4) < 1e-6)
        let silent = PaddleTextRecognizer.decode([1, 0, 0, 0], offset: 0, steps: 1, characters: characters)
        #expect(silent.text == "" && silent.score == 0)
    }

    @Test func cropsAreResizedToTheModelHeightKeepingProportions() {
        let crop = RasterImage(width: 100, height: 30, channels: 3, fill: 0)
        let resized = PaddleTextRecognizer.resizedToHeight(crop, height: 48, maxWidth: 320)
        #expect(resized.height == 48 && resized.width == 160)
        let capped = PaddleTextRecognizer.resizedToHeight(crop, height: 48, maxWidth: 120)
        #expect(capped.width == 120)
    }

    // MARK: Settings

    private static let sampleConfig = """
        Global:
            text_score: 0.5
            use_cls: true
            min_height: 30
            width_height_ratio: 8
            max_side_len: 2000
            min_side_len: 30
            intra_op_num_threads: &intra_nums -1

        Det:
            intra_op_num_threads: *intra_nums
            model_path: models/ch_PP-OCRv4_det_infer.onnx   # a comment
            limit_side_len: 736
            limit_type: min
            std: [ 0.5, 0.5, 0.5 ]
            mean: [ 0.5, 0.5, 0.5 ]
            thresh: 0.3
            box_thresh: 0.5
            max_candidates: 1000
            unclip_ratio: 1.6
            use_dilation: true
            score_mode: fast

        Cls:
            cls_image_shape: [3, 48, 192]
            cls_batch_num: 6
            cls_thresh: 0.9
            label_list: ['0', '180']

        Rec:
            rec_img_shape: [3, 48, 320]
            rec_batch_num: 6
        """

    @Test func configFileReadsScalarsListsAnchorsAndAliases() throws {
        let file = try RapidOCRConfigFile(text: Self.sampleConfig, path: "config.yaml")
        #expect(try file.int("Det", "intra_op_num_threads") == -1)
        #expect(try file.string("Det", "model_path") == "models/ch_PP-OCRv4_det_infer.onnx")
        #expect(try file.list("Cls", "label_list") == ["0", "180"])
        #expect(try file.doubles("Det", "mean", count: 3) == [0.5, 0.5, 0.5])
        #expect(try file.bool("Det", "use_dilation"))
    }

    @Test func settingsComeFromTheConfigWithPaddleOCRDetectionResizing() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("paddle-config-\(UUID()).yaml")
        try Self.sampleConfig.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let settings = try PaddleOCRSettings.rapidOCR(configFile: url)
        #expect(settings.detection.limitType == .max && settings.detection.limitSideLength == 960)
        #expect(settings.detection.unclipRatio == 1.6 && settings.detection.useDilation)
        #expect(settings.classification.imageWidth == 192 && settings.classification.labels == ["0", "180"])
        #expect(settings.recognition.imageWidth == 320 && settings.recognition.imageHeight == 48)
        #expect(settings.global.textScore == 0.5 && settings.global.useClassifier)
        let asRapidOCR = try PaddleOCRSettings.rapidOCR(configFile: url, limitType: .min, limitSideLength: 736)
        #expect(asRapidOCR.canonicalText != settings.canonicalText)
    }

    @Test func configErrorsNameTheFileLineAndKey() throws {
        let missing = Self.sampleConfig.replacingOccurrences(of: "    unclip_ratio: 1.6\n", with: "")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("paddle-config-\(UUID()).yaml")
        try missing.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: PaddleOCRError.self) { try PaddleOCRSettings.rapidOCR(configFile: url) }
        #expect(error.location.hasSuffix("Det.unclip_ratio"))
        #expect(error.location.hasPrefix(url.path))
        #expect(error.description.contains("make setup"))

        let broken = "Det:\n    thresh 0.3\n"
        let parseError = try #require(throws: PaddleOCRError.self) {
            try RapidOCRConfigFile(text: broken, path: "config.yaml")
        }
        #expect(parseError.location == "config.yaml:2")

        let badNumber = Self.sampleConfig.replacingOccurrences(of: "thresh: 0.3", with: "thresh: high")
        let numberError = try #require(throws: PaddleOCRError.self) {
            try RapidOCRConfigFile(text: badNumber, path: "config.yaml").double("Det", "thresh")
        }
        #expect(numberError.description.contains("'high'"))
    }

    @Test func slowScoreModeIsRefusedByName() throws {
        let slow = Self.sampleConfig.replacingOccurrences(of: "score_mode: fast", with: "score_mode: slow")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("paddle-config-\(UUID()).yaml")
        try slow.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: PaddleOCRError.self) { try PaddleOCRSettings.rapidOCR(configFile: url) }
        #expect(error.location.hasSuffix("Det.score_mode"))
    }
}
