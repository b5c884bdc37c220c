import FaultlineCore
import Foundation

/// What was wrong with an attack's settings or inputs, and what to do about it.
public struct RandomSearchAttackError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The setting or input at fault, e.g. `epsilon`, `queryCap`, `image`, `probe.images`.
    public var field: String
    /// The probe being attacked, when the problem is with one probe.
    public var probeID: String?
    public var message: String

    public init(field: String, probeID: String? = nil, message: String) {
        self.field = field
        self.probeID = probeID
        self.message = message
    }

    public var description: String {
        let probe = probeID.map { "probe \($0): " } ?? ""
        return "random-search attack: \(probe)\(field): \(message)"
    }
}

/// The budget and schedule of a `RandomSearchAttack`.
public struct RandomSearchAttackSettings: Sendable, Equatable {
    /// The L∞ budget in 8-bit pixel units: every colour value moves by at most this much.
    public var epsilon: Int
    /// The most model queries the attack may make, the clean query included.
    public var queryCap: Int
    /// Seeds the random squares and signs; the same seed gives the same perturbations.
    public var seed: UInt64
    /// The share of the image's area the first square covers (the `p_init` of Andriushchenko
    /// et al. 2020); the schedule halves it as the queries run out.
    public var initialSquareFraction: Double

    /// Settings for an attack; throws `RandomSearchAttackError` naming the field at fault.
    public init(epsilon: Int, queryCap: Int, seed: UInt64 = 0, initialSquareFraction: Double = 0.3) throws {
        self.epsilon = epsilon
        self.queryCap = queryCap
        self.seed = seed
        self.initialSquareFraction = initialSquareFraction
        try validate()
    }

    /// Checks every setting (they are mutable, so `attack` checks again before querying).
    public func validate() throws {
        guard (0...255).contains(epsilon) else {
            throw RandomSearchAttackError(
                field: "epsilon",
                message: "\(epsilon) is outside 0...255; it is in 8-bit pixel units (8 means each value moves by at most 8 of 255)")
        }
        guard queryCap >= 2 else {
            throw RandomSearchAttackError(
                field: "queryCap",
                message: "\(queryCap) is below 2; the attack needs one clean query and at least one perturbed query")
        }
        guard initialSquareFraction.isFinite, initialSquareFraction > 0, initialSquareFraction <= 1 else {
            throw RandomSearchAttackError(
                field: "initialSquareFraction",
                message: "\(initialSquareFraction) is outside (0, 1]; it is the share of the image area the first square covers, e.g. 0.3")
        }
    }
}

/// How the attack searched, which depends on what the model gave for its clean answer.
public enum AttackSearchMode: String, Sendable, Equatable, Codable {
    /// The model scored its choices: greedy square search lowering the clean answer's probability.
    case probabilityGuided = "probability-guided"
    /// Only answers were available: independent random perturbations until one flips the answer.
    case randomRestarts = "random-restarts"
    /// The budget is zero, so no perturbation differs from the clean image; nothing was tried.
    case none
}

/// The result of attacking one probe within one budget.
public struct AttackOutcome: Sendable, Equatable {
    public var probeID: String
    public var epsilon: Int
    /// Queries made, the clean one included; never more than the cap.
    public var queries: Int
    /// Whether some perturbed image within the budget changed the model's chosen answer.
    public var succeeded: Bool
    /// The chosen answers: a letter for multiple choice, `yes`/`no` for yes/no, otherwise the
    /// response text trimmed and lower-cased.
    public var cleanAnswer: String
    public var finalAnswer: String
    /// The probability the model gave the clean answer, on the clean image and on the final one
    /// (nil when it gave no probabilities).
    public var cleanProbability: Double?
    public var finalProbability: Double?
    /// The largest change of any colour value of `adversarialImage` from the clean image
    /// (0 when there is none).
    public var measuredLInfinity: Int
    /// On success, the image that flipped the answer; on failure with probabilities, the
    /// image with the lowest clean-answer probability; nil otherwise (after random restarts
    /// that all failed no perturbed image is better than another).
    public var adversarialImage: RasterImage?
    public var searchMode: AttackSearchMode

    public init(
        probeID: String, epsilon: Int, queries: Int, succeeded: Bool, cleanAnswer: String, finalAnswer: String,
        cleanProbability: Double?, finalProbability: Double?, measuredLInfinity: Int, adversarialImage: RasterImage?,
        searchMode: AttackSearchMode
    ) {
        self.probeID = probeID
        self.epsilon = epsilon
        self.queries = queries
        self.succeeded = succeeded
        self.cleanAnswer = cleanAnswer
        self.finalAnswer = finalAnswer
        self.cleanProbability = cleanProbability
        self.finalProbability = finalProbability
        self.measuredLInfinity = measuredLInfinity
        self.adversarialImage = adversarialImage
        self.searchMode = searchMode
    }
}

/// Attack success at one budget, over the probes attacked with it.
public struct AttackSuccessPoint: Sendable, Equatable {
    public var epsilon: Int
    public var successes: Int
    public var total: Int
    /// successes / total with its 95% Wilson interval.
    public var successRate: Proportion
    /// The mean number of queries the successful attacks needed (nil without successes).
    public var meanQueriesToSuccess: Double?

    public init(epsilon: Int, successes: Int, total: Int, successRate: Proportion, meanQueriesToSuccess: Double?) {
        self.epsilon = epsilon
        self.successes = successes
        self.total = total
        self.successRate = successRate
        self.meanQueriesToSuccess = meanQueriesToSuccess
    }
}

/// A gradient-free L∞ attack on the image of a probe, for models reachable only by queries
/// (HTTP backends): the square attack of Andriushchenko et al. (2020), "Square Attack: a
/// query-efficient black-box adversarial attack via random search".
///
/// The first query asks the clean probe. What happens next depends on the clean response:
///
/// - **Probability-guided** (the response has `choiceProbabilities` containing the clean
///   answer's key: its letter for multiple choice, `yes`/`no` for yes/no). The search starts
///   from vertical stripes of ±ε (one random sign per column and channel) and then, each step,
///   proposes setting one random square to ±ε (one random sign per channel over the whole
///   square) on top of the best image so far. The proposal is kept when the probability of the
///   clean answer drops. The square's area starts at `initialSquareFraction` of the image and
///   halves at fixed points of the schedule (the paper's schedule, defined for 10,000
///   iterations, stretched over the query cap), so the search moves from coarse to fine.
/// - **Random restarts** (no usable probabilities). Without a score there is nothing to
///   compare two perturbations by except whether the answer changed, and a greedy search
///   cannot tell a step towards the boundary from one away from it; so each query is a fresh,
///   independent perturbation at a corner of the ε-ball: square tiles of ±ε, the tiles
///   shrinking along the same schedule. The attack is then a Monte-Carlo estimate of how easily
///   the answer flips, not an optimisation.
///
/// Every query counts toward `queryCap`, the clean one included; the attack stops at the first
/// changed answer. Values stay within 0…255 and within ε of the clean image; an alpha channel
/// is never changed. The same settings, probe and image give the same sequence of perturbed
/// images (the random stream is the seed mixed with the probe id, so the probes of a suite do
/// not all get the same pattern).
///
/// The model is asked `ModelRequest(probe: probe, images: [perturbed], parameters:)`: the
/// probe's `images` references keep describing the clean image, and the perturbed pixels are
/// passed alongside as content.
public struct RandomSearchAttack: Sendable {
    public let settings: RandomSearchAttackSettings

    public init(settings: RandomSearchAttackSettings) {
        self.settings = settings
    }

    /// Attacks the single image of `probe` (decoded as `image`) within the settings' budget.
    ///
    /// Throws `RandomSearchAttackError` for invalid settings, an image that does not match the
    /// probe, or a model that cannot answer the probe; errors from the model propagate.
    public func attack(
        model: any VisionLanguageModel, probe: Probe, image: RasterImage, parameters: DecodingParameters = .init()
    ) async throws -> AttackOutcome {
        try settings.validate()
        try Self.check(probe: probe, image: image)
        guard model.canAnswer(probe) else {
            throw RandomSearchAttackError(
                field: "model", probeID: probe.id,
                message: "\(model.key) cannot answer this probe; attack it with a model that can")
        }

        let reader = AnswerReader(expected: probe.expected)
        var queries = 0
        func ask(_ candidate: RasterImage) async throws -> ModelResponse {
            queries += 1
            return try await model.answer(ModelRequest(probe: probe, images: [candidate], parameters: parameters))
        }

        let cleanResponse = try await ask(image)
        let cleanAnswer = reader.answer(in: cleanResponse)
        let cleanProbability = reader.probability(of: cleanAnswer, in: cleanResponse)

        func outcome(
            succeeded: Bool, finalAnswer: String, finalProbability: Double?, image adversarial: RasterImage?,
            mode: AttackSearchMode
        ) -> AttackOutcome {
            AttackOutcome(
                probeID: probe.id, epsilon: settings.epsilon, queries: queries, succeeded: succeeded,
                cleanAnswer: cleanAnswer, finalAnswer: finalAnswer, cleanProbability: cleanProbability,
                finalProbability: finalProbability,
                measuredLInfinity: adversarial.map { Self.lInfinity(image, $0) } ?? 0,
                adversarialImage: adversarial, searchMode: mode)
        }

        // With ε = 0 the only image within the budget is the clean one, already asked.
        guard settings.epsilon > 0 else {
            return outcome(
                succeeded: false, finalAnswer: cleanAnswer, finalProbability: cleanProbability, image: nil, mode: .none)
        }

        var random = SeededGenerator(seed: settings.seed, stream: Self.stream(for: probe.id))
        let perturber = SquarePerturber(clean: image, epsilon: settings.epsilon)

        if cleanProbability != nil {
            var best = perturber.verticalStripes(&random)
            let first = try await ask(best)
            let firstAnswer = reader.answer(in: first)
            var bestProbability = reader.probability(of: cleanAnswer, in: first)
            if firstAnswer != cleanAnswer {
                return outcome(
                    succeeded: true, finalAnswer: firstAnswer, finalProbability: bestProbability, image: best,
                    mode: .probabilityGuided)
            }
            let steps = settings.queryCap - queries
            for step in 0..<steps {
                let side = Self.squareSide(
                    fraction: Self.squareFraction(step: step, of: steps, initial: settings.initialSquareFraction),
                    width: image.width, height: image.height)
                let candidate = perturber.squareProposal(from: best, side: side, &random)
                let response = try await ask(candidate)
                let answer = reader.answer(in: response)
                let probability = reader.probability(of: cleanAnswer, in: response)
                if answer != cleanAnswer {
                    return outcome(
                        succeeded: true, finalAnswer: answer, finalProbability: probability, image: candidate,
                        mode: .probabilityGuided)
                }
                // A response without a score cannot be compared, so it never replaces the best.
                if let probability, bestProbability.map({ probability < $0 }) ?? true {
                    best = candidate
                    bestProbability = probability
                }
            }
            return outcome(
                succeeded: false, finalAnswer: cleanAnswer, finalProbability: bestProbability, image: best,
                mode: .probabilityGuided)
        }

        let restarts = settings.queryCap - queries
        var lastProbability: Double?
        for restart in 0..<restarts {
            let side = Self.squareSide(
                fraction: Self.squareFraction(step: restart, of: restarts, initial: settings.initialSquareFraction),
                width: image.width, height: image.height)
            let candidate = perturber.randomTiles(side: side, &random)
            let response = try await ask(candidate)
            let answer = reader.answer(in: response)
            lastProbability = reader.probability(of: cleanAnswer, in: response)
            if answer != cleanAnswer {
                return outcome(
                    succeeded: true, finalAnswer: answer, finalProbability: lastProbability, image: candidate,
                    mode: .randomRestarts)
            }
        }
        return outcome(
            succeeded: false, finalAnswer: cleanAnswer, finalProbability: lastProbability, image: nil,
            mode: .randomRestarts)
    }

    /// Attack success against budget: one point per ε, sorted by ε.
    public static func successCurve(_ outcomes: [AttackOutcome]) -> [AttackSuccessPoint] {
        Dictionary(grouping: outcomes, by: \.epsilon).keys.sorted().map { epsilon in
            let group = outcomes.filter { $0.epsilon == epsilon }
            let successful = group.filter(\.succeeded)
            return AttackSuccessPoint(
                epsilon: epsilon, successes: successful.count, total: group.count,
                successRate: Statistics.wilson(successes: successful.count, total: group.count),
                meanQueriesToSuccess: successful.isEmpty
                    ? nil : Double(successful.reduce(0) { $0 + $1.queries }) / Double(successful.count))
        }
    }

    // MARK: - Schedule

    /// The square's share of the image area at `step` of `steps`: the paper's piecewise
    /// halving, whose breakpoints are given for 10,000 iterations and are stretched to `steps`.
    static func squareFraction(step: Int, of steps: Int, initial: Double) -> Double {
        let scaled = steps > 0 ? step * 10_000 / steps : 0
        let halvings = [10, 50, 200, 500, 1_000, 2_000, 4_000, 6_000, 8_000].filter { scaled > $0 }.count
        return initial / Double(1 << halvings)
    }

    /// The side in pixels of a square covering `fraction` of the image, at least 1 and at most
    /// the image's shorter side.
    static func squareSide(fraction: Double, width: Int, height: Int) -> Int {
        let side = Int((fraction * Double(width * height)).squareRoot().rounded())
        return min(max(side, 1), min(width, height))
    }

    // MARK: - Checks and measures

    static func check(probe: Probe, image: RasterImage) throws {
        guard [1, 3, 4].contains(image.channels) else {
            throw RandomSearchAttackError(
                field: "image", probeID: probe.id,
                message: "\(image.channels) channels; pass a grey (1), RGB (3) or RGBA (4) image")
        }
        guard image.width > 0, image.height > 0 else {
            throw RandomSearchAttackError(
                field: "image", probeID: probe.id, message: "the image is empty (\(image.width)×\(image.height))")
        }
        guard probe.images.count == 1, let reference = probe.images.first else {
            throw RandomSearchAttackError(
                field: "probe.images", probeID: probe.id,
                message: "the probe has \(probe.images.count) images; the attack perturbs the single image of a one-image probe")
        }
        guard reference.width == image.width, reference.height == image.height else {
            throw RandomSearchAttackError(
                field: "image", probeID: probe.id,
                message:
                    "the image is \(image.width)×\(image.height) but the probe's image is \(reference.width)×\(reference.height); pass the probe's own image, decoded")
        }
    }

    /// The largest change of any colour value (alpha excluded) between two images of one size.
    static func lInfinity(_ clean: RasterImage, _ other: RasterImage) -> Int {
        let colourChannels = SquarePerturber.colourChannels(of: clean.channels)
        var largest = 0
        for pixel in 0..<(clean.width * clean.height) {
            for channel in 0..<colourChannels {
                let index = pixel * clean.channels + channel
                largest = max(largest, abs(Int(clean.pixels[index]) - Int(other.pixels[index])))
            }
        }
        return largest
    }

    /// FNV-1a of the probe id: a stable sub-stream per probe (Swift's `hashValue` is seeded per run).
    static func stream(for probeID: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in probeID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

// MARK: - Perturbations

/// Makes images at corners of the L∞ ball around a clean image: each colour value is the clean
/// value moved by +ε or −ε, clipped to 0…255, so no value is ever more than ε away.
struct SquarePerturber {
    let clean: RasterImage
    let epsilon: Int
    let colourChannels: Int

    init(clean: RasterImage, epsilon: Int) {
        self.clean = clean
        self.epsilon = epsilon
        self.colourChannels = Self.colourChannels(of: clean.channels)
    }

    /// The channels that carry colour: all but the alpha of RGBA.
    static func colourChannels(of channels: Int) -> Int { channels == 4 ? 3 : channels }

    /// The clean value at `index` moved by ε in the direction `positive`, clipped to 0…255.
    @inline(__always) func shifted(_ index: Int, positive: Bool) -> UInt8 {
        let value = Int(clean.pixels[index]) + (positive ? epsilon : -epsilon)
        return UInt8(min(255, max(0, value)))
    }

    /// One random sign per channel.
    func signs(_ random: inout SeededGenerator) -> [Bool] {
        (0..<colourChannels).map { _ in random.next() & 1 == 1 }
    }

    /// The paper's starting point: every column gets one random sign per channel.
    func verticalStripes(_ random: inout SeededGenerator) -> RasterImage {
        var pixels = clean.pixels
        for x in 0..<clean.width {
            let columnSigns = signs(&random)
            for y in 0..<clean.height {
                let base = (y * clean.width + x) * clean.channels
                for channel in 0..<colourChannels {
                    pixels[base + channel] = shifted(base + channel, positive: columnSigns[channel])
                }
            }
        }
        return RasterImage(width: clean.width, height: clean.height, channels: clean.channels, pixels: pixels)
    }

    /// `current` with one random `side`×`side` square set to clean ± ε (one sign per channel).
    ///
    /// A square that would leave `current` unchanged wastes a query, so such draws are redrawn
    /// (as in the paper); after a bounded number of tries the last draw is used regardless, which
    /// only happens on degenerate images (e.g. one pixel pinned at the clip bounds both ways).
    func squareProposal(from current: RasterImage, side: Int, _ random: inout SeededGenerator) -> RasterImage {
        var pixels = current.pixels
        for _ in 0..<16 {
            let top = Int(random.next() % UInt64(clean.height - side + 1))
            let left = Int(random.next() % UInt64(clean.width - side + 1))
            let squareSigns = signs(&random)
            var changed = false
            for y in top..<(top + side) {
                for x in left..<(left + side) {
                    let base = (y * clean.width + x) * clean.channels
                    for channel in 0..<colourChannels {
                        let value = shifted(base + channel, positive: squareSigns[channel])
                        if pixels[base + channel] != value {
                            pixels[base + channel] = value
                            changed = true
                        }
                    }
                }
            }
            if changed { break }
        }
        return RasterImage(width: clean.width, height: clean.height, channels: clean.channels, pixels: pixels)
    }

    /// The clean image tiled with `side`×`side` squares (the last row and column of tiles
    /// cut by the border), each tile at clean ± ε with its own random sign per channel.
    func randomTiles(side: Int, _ random: inout SeededGenerator) -> RasterImage {
        var pixels = clean.pixels
        for tileTop in stride(from: 0, to: clean.height, by: side) {
            for tileLeft in stride(from: 0, to: clean.width, by: side) {
                let tileSigns = signs(&random)
                for y in tileTop..<min(tileTop + side, clean.height) {
                    for x in tileLeft..<min(tileLeft + side, clean.width) {
                        let base = (y * clean.width + x) * clean.channels
                        for channel in 0..<colourChannels {
                            pixels[base + channel] = shifted(base + channel, positive: tileSigns[channel])
                        }
                    }
                }
            }
        }
        return RasterImage(width: clean.width, height: clean.height, channels: clean.channels, pixels: pixels)
    }
}

// MARK: - Reading answers

/// Reads the chosen answer of a response in the probe's format, and the probability the
/// response gives a chosen answer.
struct AnswerReader {
    let expected: ExpectedAnswer

    /// A letter for multiple choice (read by `ChoiceExtractor`, else the single likeliest
    /// choice), `yes`/`no` for yes/no, otherwise the trimmed, lower-cased text with inner
    /// white space collapsed and trailing full stops dropped.
    func answer(in response: ModelResponse) -> String {
        switch expected.format {
        case .multipleChoice:
            let letters = optionLetters
            if let letters, letters.count <= 26 {
                let extractor = ChoiceExtractor(options: expected.choices ?? letters.map { _ in "" })
                if let letter = extractor.extract(from: response.text).letter { return letter }
                if let likeliest = Self.likeliest(response.choiceProbabilities, among: letters) { return likeliest }
            }
        case .yesNo:
            if let yes = YesNoJudge.answer(in: response.text) { return yes ? "yes" : "no" }
            if let likeliest = Self.likeliest(response.choiceProbabilities, among: ["yes", "no"]) { return likeliest }
        case .number, .freeText, .box:
            break
        }
        return Self.normalised(response.text)
    }

    /// The probability `response` gives `answer`, matching keys without regard to case or
    /// surrounding space; nil when the response has no probabilities or none for that answer.
    func probability(of answer: String, in response: ModelResponse) -> Double? {
        guard let probabilities = response.choiceProbabilities else { return nil }
        let key = Self.normalised(answer)
        let matches = probabilities.filter { Self.normalised($0.key) == key }.map(\.value)
        return matches.isEmpty ? nil : matches.reduce(0, +)
    }

    /// The option letters of a multiple-choice probe: A… for its choices, else A–D.
    private var optionLetters: [String]? {
        let count = expected.choices?.count ?? 4
        guard count > 0, count <= 26 else { return nil }
        return (0..<count).map { ChoiceExtractor.letter(at: $0) }
    }

    /// The single most probable of `keys` (case-insensitive), nil on a tie or without any.
    static func likeliest(_ probabilities: [String: Double]?, among keys: [String]) -> String? {
        guard let probabilities else { return nil }
        let scored = keys.compactMap { key -> (String, Double)? in
            let values = probabilities.filter { normalised($0.key) == normalised(key) }.map(\.value)
            return values.isEmpty ? nil : (key, values.reduce(0, +))
        }
        guard let best = scored.max(by: { $0.1 < $1.1 }) else { return nil }
        return scored.filter { $0.1 == best.1 }.count == 1 ? best.0 : nil
    }

    static func normalised(_ text: String) -> String {
        var words = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while words.hasSuffix(".") { words.removeLast() }
        return words
    }
}
