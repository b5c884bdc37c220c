import Foundation

/// Judges bounding-box answers by intersection over union with the expected box.
///
/// Boxes are `x0, y0, x1, y1` in fractions of the image (0–1). A response may write them
/// in fractions or on the 0–1000 grid that Qwen-VL and others use, bracketed or not:
/// `0.1, 0.2, 0.5, 0.6`, `[100, 200, 500, 600]`, `{"bbox_2d": [100, 200, 500, 600]}`,
/// `(100,200),(500,600)`. Corners are put in order. Coordinates above 1000 are pixels, which
/// cannot be judged without the image size, so such a response is unparsed, as is one
/// without four numbers. The verdict's score is the IoU; it is correct when the IoU reaches
/// `threshold`.
public struct BoxJudge: Judge {
    /// A box in fractions of the image, corners ordered (`x0 ≤ x1`, `y0 ≤ y1`).
    public struct Box: Sendable, Equatable, CustomStringConvertible {
        public var x0: Double
        public var y0: Double
        public var x1: Double
        public var y1: Double

        /// A box from two corners in any order.
        public init(x0: Double, y0: Double, x1: Double, y1: Double) {
            self.x0 = min(x0, x1)
            self.y0 = min(y0, y1)
            self.x1 = max(x0, x1)
            self.y1 = max(y0, y1)
        }

        public var area: Double { (x1 - x0) * (y1 - y0) }

        /// Intersection over union; 0 when both boxes are empty.
        public func intersectionOverUnion(with other: Box) -> Double {
            let width = max(0, min(x1, other.x1) - max(x0, other.x0))
            let height = max(0, min(y1, other.y1) - max(y0, other.y0))
            let intersection = width * height
            let union = area + other.area - intersection
            return union > 0 ? intersection / union : 0
        }

        public var description: String {
            [x0, y0, x1, y1].map { String(format: "%.3f", $0) }.joined(separator: ",")
        }
    }

    /// Why a text holds no judgeable box.
    public enum BoxReadingError: Error, Equatable, CustomStringConvertible {
        case tooFewNumbers(Int)
        case pixelCoordinates(Double)
        case negativeCoordinate(Double)

        public var description: String {
            switch self {
            case .tooFewNumbers(let count): "\(count) numbers where a box needs 4"
            case .pixelCoordinates(let value):
                "coordinate \(NumberReader.format(value)) is above 1000, so it is in pixels, which need the image size"
            case .negativeCoordinate(let value): "negative coordinate \(NumberReader.format(value))"
            }
        }
    }

    /// The IoU at or above which a box is correct.
    public let threshold: Double

    public init(threshold: Double = 0.5) {
        precondition(threshold > 0 && threshold <= 1, "IoU threshold must be in (0, 1]")
        self.threshold = threshold
    }

    public var name: String { "box-iou-\(NumberReader.format(threshold))/1" }

    public func judge(response: ModelResponse, expected: ExpectedAnswer) -> Verdict {
        let want: Box
        switch Self.box(in: expected.text) {
        case .success(let box): want = box
        case .failure(let problem):
            return .error("the probe's expected box \"\(expected.text)\" is unreadable: \(problem)", judge: name)
        }
        let got: Box
        switch Self.box(in: ResponseText.clean(response.text)) {
        case .success(let box): got = box
        case .failure(let problem):
            return .unparsed("no box (\(problem))", response: response.text, judge: name)
        }
        let iou = want.intersectionOverUnion(with: got)
        return Verdict(
            outcome: iou >= threshold ? .correct : .wrong, score: iou, judge: name,
            detail: "expected \(want), read \(got), IoU \(String(format: "%.3f", iou))")
    }

    /// Reads a box from text: the first bracketed group of four numbers, else two bracketed
    /// pairs, else the first four numbers.
    public static func box(in text: String) -> Result<Box, BoxReadingError> {
        let characters = Array(text)
        let numbers = NumberReader.numbers(in: text, words: false, signs: true, thousands: false)
        let groups = bracketGroups(characters).map { group in numbers.filter { group.contains($0.start) } }
        let values: [Double]
        if let four = groups.first(where: { $0.count == 4 }) {
            values = four.map(\.value)
        } else if let pair = zip(groups, groups.dropFirst()).first(where: { $0.count == 2 && $1.count == 2 }) {
            values = (pair.0 + pair.1).map(\.value)
        } else if numbers.count >= 4 {
            values = numbers.prefix(4).map(\.value)
        } else {
            return .failure(.tooFewNumbers(numbers.count))
        }
        if let negative = values.first(where: { $0 < 0 }) { return .failure(.negativeCoordinate(negative)) }
        if let pixel = values.first(where: { $0 > 1000 }) { return .failure(.pixelCoordinates(pixel)) }
        let scale = values.allSatisfy { $0 <= 1 } ? 1.0 : 1000.0
        return .success(Box(x0: values[0] / scale, y0: values[1] / scale, x1: values[2] / scale, y1: values[3] / scale))
    }

    /// Character ranges inside innermost brackets, `[…]` or `(…)`, in order of opening.
    private static func bracketGroups(_ characters: [Character]) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var open: Int?
        for (index, character) in characters.enumerated() {
            if character == "[" || character == "(" {
                open = index + 1
            } else if character == "]" || character == ")", let start = open {
                groups.append(start..<index)
                open = nil
            }
        }
        return groups
    }
}
