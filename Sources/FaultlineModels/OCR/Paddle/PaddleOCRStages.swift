import FaultlineCore
import Foundation

/// Stage 1: finds text boxes with the DB detection network.
struct PaddleTextDetector: Sendable {
    let session: ONNXSession
    let settings: PaddleOCRSettings.Detection
    let postProcessor: DBPostProcessor

    init(session: ONNXSession, settings: PaddleOCRSettings.Detection) {
        self.session = session
        self.settings = settings
        self.postProcessor = DBPostProcessor(settings)
    }

    /// The network input size for an image: scaled by the limit, each side rounded to a
    /// multiple of 32 (half to even, as Python's `round`), at least 32.
    static func inputSize(width: Int, height: Int, limitType: PaddleOCRSettings.LimitType, limit: Int) -> (Int, Int) {
        let ratio: Double
        switch limitType {
        case .max:
            ratio = max(width, height) > limit ? Double(limit) / Double(max(width, height)) : 1
        case .min:
            ratio = min(width, height) < limit ? Double(limit) / Double(min(width, height)) : 1
        }
        func side(_ length: Int) -> Int {
            let scaled = Int(Double(length) * ratio)
            return max(Int((Double(scaled) / 32).rounded(.toNearestOrEven)) * 32, 32)
        }
        return (side(width), side(height))
    }

    /// Boxes in `image`'s whole-pixel coordinates, clipped to it, corners clockwise from the
    /// top left; boxes 3 pixels or less across are dropped.
    func detect(_ image: RasterImage) throws -> [[SIMD2<Double>]] {
        let (width, height) = PaddleTextDetector.inputSize(
            width: image.width, height: image.height, limitType: settings.limitType, limit: settings.limitSideLength)
        let resized = PaddleImageOps.resizeBilinear(image, width: width, height: height)
        var input = [Float](repeating: 0, count: 3 * width * height)
        PaddleImageOps.writeNormalizedBGR(
            resized, into: &input, at: 0, paddedWidth: width, mean: settings.mean, std: settings.std)
        let output = try session.run(try FloatTensor(shape: [1, 3, height, width], values: input))
        guard output.shape.count == 4, output.shape[0] == 1, output.shape[1] == 1 else {
            throw ONNXRuntimeError(
                kind: .unexpectedOutput, file: session.modelURL.path,
                message: "the detector returned shape \(output.shape), expected [1, 1, height, width]")
        }
        let boxes = postProcessor.boxes(
            probabilities: output.values, width: output.shape[3], height: output.shape[2],
            destinationWidth: image.width, destinationHeight: image.height)
        return boxes.compactMap { box in
            let corners = PaddleGeometry.orderedCorners(box.corners).map {
                SIMD2(
                    min(max($0.x, 0), Double(image.width - 1)).rounded(.towardZero),
                    min(max($0.y, 0), Double(image.height - 1)).rounded(.towardZero))
            }
            let boxWidth = Int(PaddleGeometry.distance(corners[0], corners[1]))
            let boxHeight = Int(PaddleGeometry.distance(corners[0], corners[3]))
            return boxWidth <= 3 || boxHeight <= 3 ? nil : corners
        }
    }

    /// Boxes in reading order: by the top-left corner's row, then left to right among boxes
    /// whose tops are within 10 pixels of each other.
    static func readingOrder(_ boxes: [[SIMD2<Double>]]) -> [[SIMD2<Double>]] {
        var sorted = boxes.enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element[0], rhs.element[0])
            if a.y != b.y { return a.y < b.y }
            if a.x != b.x { return a.x < b.x }
            return lhs.offset < rhs.offset
        }.map(\.element)
        guard sorted.count > 1 else { return sorted }
        for index in 0..<(sorted.count - 1) {
            var j = index
            while j >= 0 && abs(sorted[j + 1][0].y - sorted[j][0].y) < 10 && sorted[j + 1][0].x < sorted[j][0].x {
                sorted.swapAt(j, j + 1)
                j -= 1
            }
        }
        return sorted
    }

    /// The box's contents warped to an upright rectangle; crops at least 1.5 times taller
    /// than wide are taken to be vertical text and turned a quarter counter-clockwise.
    static func crop(_ image: RasterImage, box: [SIMD2<Double>]) -> RasterImage? {
        let width = Int(max(PaddleGeometry.distance(box[0], box[1]), PaddleGeometry.distance(box[2], box[3])))
        let height = Int(max(PaddleGeometry.distance(box[0], box[3]), PaddleGeometry.distance(box[1], box[2])))
        guard width > 0, height > 0 else { return nil }
        let target: [SIMD2<Double>] = [
            SIMD2(0, 0), SIMD2(Double(width), 0), SIMD2(Double(width), Double(height)), SIMD2(0, Double(height)),
        ]
        guard let inverse = PaddleGeometry.perspectiveTransform(from: target, to: box) else { return nil }
        let warped = PaddleImageOps.warpPerspectiveBicubic(image, inverse: inverse, width: width, height: height)
        return Double(height) / Double(width) >= 1.5 ? PaddleImageOps.rotateCounterClockwise(warped) : warped
    }
}

/// Stage 2: tells upright text from text upside down, and turns the latter over.
struct PaddleTextOrientationClassifier: Sendable {
    let session: ONNXSession
    let settings: PaddleOCRSettings.Classification

    /// The crops, each turned a half turn when the classifier is sure it is upside down, and
    /// whether it was.
    func orient(_ crops: [RasterImage]) throws -> (images: [RasterImage], flipped: [Bool]) {
        var images = crops
        var flipped = [Bool](repeating: false, count: crops.count)
        let order = PaddleTextRecognizer.byAspectRatio(crops)
        let (height, width) = (settings.imageHeight, settings.imageWidth)
        for batchStart in stride(from: 0, to: order.count, by: settings.batchSize) {
            let batch = Array(order[batchStart..<min(batchStart + settings.batchSize, order.count)])
            var input = [Float](repeating: 0, count: batch.count * 3 * height * width)
            for (slot, index) in batch.enumerated() {
                let resized = PaddleTextRecognizer.resizedToHeight(crops[index], height: height, maxWidth: width)
                PaddleImageOps.writeNormalizedBGR(
                    resized, into: &input, at: slot * 3 * height * width, paddedWidth: width, mean: [0.5, 0.5, 0.5],
                    std: [0.5, 0.5, 0.5])
            }
            let output = try session.run(try FloatTensor(shape: [batch.count, 3, height, width], values: input))
            let classes = settings.labels.count
            guard output.shape == [batch.count, classes] else {
                throw ONNXRuntimeError(
                    kind: .unexpectedOutput, file: session.modelURL.path,
                    message:
                        "the orientation classifier returned shape \(output.shape), expected [\(batch.count), \(classes)]")
            }
            for (slot, index) in batch.enumerated() {
                let scores = output.values[(slot * classes)..<((slot + 1) * classes)]
                guard let best = scores.indices.max(by: { scores[$0] < scores[$1] }) else { continue }
                let label = settings.labels[best - slot * classes]
                if label.contains("180") && Double(scores[best]) > settings.threshold {
                    images[index] = PaddleImageOps.rotateHalfTurn(images[index])
                    flipped[index] = true
                }
            }
        }
        return (images, flipped)
    }
}

/// Stage 3: reads each text line with the CRNN recogniser and greedy CTC decoding.
struct PaddleTextRecognizer: Sendable {
    let session: ONNXSession
    let settings: PaddleOCRSettings.Recognition
    /// Index 0 is the CTC blank, then the dictionary, then a space (PaddleOCR's convention
    /// when `use_space_char` is on, as it is for these models).
    let characters: [String]

    init(session: ONNXSession, settings: PaddleOCRSettings.Recognition) throws {
        self.session = session
        self.settings = settings
        let path = session.modelURL.path
        guard let dictionary = try session.customMetadata("character") else {
            throw ONNXRuntimeError(
                kind: .unexpectedOutput, file: path,
                message: "the recognition model has no 'character' metadata, so its characters are unknown",
                remedy: ONNXRuntimeError.reinstall)
        }
        // Python's `splitlines`, which RapidOCR uses, also splits on \r\n and \r.
        let lines = dictionary.replacingOccurrences(of: "\r\n", with: "\n").split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }
        ).map(String.init)
        characters = ["blank"] + (lines.last == "" ? Array(lines.dropLast()) : lines) + [" "]
        if let classes = session.outputs.first?.shape.last, classes > 0, classes != characters.count {
            throw ONNXRuntimeError(
                kind: .unexpectedOutput, file: path,
                message: "the recognition model scores \(classes) classes but its dictionary gives "
                    + "\(characters.count) (blank + \(characters.count - 2) characters + space)",
                remedy: ONNXRuntimeError.reinstall)
        }
    }

    /// Text and confidence (mean probability of the kept characters) for each crop.
    func recognize(_ crops: [RasterImage]) throws -> [(text: String, score: Double)] {
        var results = [(text: String, score: Double)](repeating: ("", 0), count: crops.count)
        let order = PaddleTextRecognizer.byAspectRatio(crops)
        let height = settings.imageHeight
        for batchStart in stride(from: 0, to: order.count, by: settings.batchSize) {
            let batch = Array(order[batchStart..<min(batchStart + settings.batchSize, order.count)])
            // The whole batch shares the width of its widest line (at least the configured width).
            var widest = Double(settings.imageWidth) / Double(height)
            for index in batch { widest = max(widest, Double(crops[index].width) / Double(crops[index].height)) }
            let width = Int(Double(height) * widest)
            var input = [Float](repeating: 0, count: batch.count * 3 * height * width)
            for (slot, index) in batch.enumerated() {
                let resized = PaddleTextRecognizer.resizedToHeight(crops[index], height: height, maxWidth: width)
                PaddleImageOps.writeNormalizedBGR(
                    resized, into: &input, at: slot * 3 * height * width, paddedWidth: width, mean: [0.5, 0.5, 0.5],
                    std: [0.5, 0.5, 0.5])
            }
            let output = try session.run(try FloatTensor(shape: [batch.count, 3, height, width], values: input))
            guard output.shape.count == 3, output.shape[0] == batch.count, output.shape[2] == characters.count else {
                throw ONNXRuntimeError(
                    kind: .unexpectedOutput, file: session.modelURL.path,
                    message: "the recogniser returned shape \(output.shape), "
                        + "expected [\(batch.count), steps, \(characters.count)]")
            }
            let steps = output.shape[1]
            for (slot, index) in batch.enumerated() {
                results[index] = PaddleTextRecognizer.decode(
                    output.values, offset: slot * steps * characters.count, steps: steps, characters: characters)
            }
        }
        return results
    }

    /// Greedy CTC over `steps` rows of class probabilities starting at `offset`: the most
    /// probable class at each step, repeats merged, blanks (class 0) dropped. The score is the
    /// mean probability of the kept steps, 0 when none is kept.
    static func decode(
        _ probabilities: [Float], offset: Int, steps: Int, characters: [String]
    ) -> (text: String, score: Double) {
        let classes = characters.count
        var text = ""
        var confidences: [Double] = []
        var previous = -1
        probabilities.withUnsafeBufferPointer { values in
            for step in 0..<steps {
                let base = offset + step * classes
                var best = 0
                var bestValue = values[base]
                for index in 1..<classes where values[base + index] > bestValue {
                    best = index
                    bestValue = values[base + index]
                }
                if best != 0 && best != previous {
                    text += characters[best]
                    confidences.append(Double(bestValue))
                }
                previous = best
            }
        }
        let score = confidences.isEmpty ? 0 : confidences.reduce(0, +) / Double(confidences.count)
        return (text, score)
    }

    /// Indices of the crops from narrowest to widest (relative to height); batching similar
    /// shapes together wastes the least padding.
    static func byAspectRatio(_ crops: [RasterImage]) -> [Int] {
        crops.indices.sorted { a, b in
            let ra = Double(crops[a].width) / Double(crops[a].height)
            let rb = Double(crops[b].width) / Double(crops[b].height)
            return ra != rb ? ra < rb : a < b
        }
    }

    /// The crop scaled to `height`, keeping its proportions, no wider than `maxWidth`.
    static func resizedToHeight(_ crop: RasterImage, height: Int, maxWidth: Int) -> RasterImage {
        // Ratio first, then the product, in the order PaddleOCR computes it, so that ceil
        // agrees with it on the edge cases.
        let scaledWidth = Int((Double(height) * (Double(crop.width) / Double(crop.height))).rounded(.up))
        return PaddleImageOps.resizeBilinear(crop, width: max(1, min(scaledWidth, maxWidth)), height: height)
    }
}
