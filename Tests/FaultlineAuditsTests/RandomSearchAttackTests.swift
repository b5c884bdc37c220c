import FaultlineCore
import Foundation
import Testing

@testable import FaultlineAudits

// MARK: - Test doubles

/// Records every image a double was asked about, so tests can count queries and inspect
/// each perturbed image themselves.
actor QueryLogDouble {
    private(set) var images: [RasterImage] = []
    func record(_ image: RasterImage) { images.append(image) }
    var count: Int { images.count }
}

/// A model whose answer flips when the mean brightness of a square region rises above a
/// threshold. It answers a yes/no question ("no" below, "yes" above) or a three-option
/// multiple-choice one ("A" below, "B" above), scoring the choices with a logistic of the
/// distance to the threshold when `givesProbabilities` is set.
struct ThresholdModelDouble: VisionLanguageModel {
    var region: (x: Int, y: Int, side: Int)
    var threshold: Double
    var givesProbabilities = true
    var format: AnswerFormat = .yesNo
    let log = QueryLogDouble()

    var key: String { "test:threshold" }
    var fingerprint: String { "threshold-\(threshold)" }

    func meanBrightness(_ image: RasterImage) -> Double {
        let colours = image.channels == 4 ? 3 : image.channels
        var sum = 0, count = 0
        for y in region.y..<(region.y + region.side) {
            for x in region.x..<(region.x + region.side) {
                for channel in 0..<colours {
                    sum += Int(image.pixels[(y * image.width + x) * image.channels + channel])
                    count += 1
                }
            }
        }
        return Double(sum) / Double(count)
    }

    func answer(_ request: ModelRequest) async throws -> ModelResponse {
        let image = try #require(request.images.first)
        await log.record(image)
        let above = 1 / (1 + exp(-(meanBrightness(image) - threshold)))
        let bright = above > 0.5
        switch format {
        case .multipleChoice:
            return ModelResponse(
                text: bright ? "The answer is (B)." : "Answer: A",
                choiceProbabilities: givesProbabilities ? ["A": (1 - above) * 0.9, "B": above * 0.9, "C": 0.1] : nil)
        default:
            return ModelResponse(
                text: bright ? "Yes, it is bright." : "No.",
                choiceProbabilities: givesProbabilities ? ["yes": above, "no": 1 - above] : nil)
        }
    }
}

/// A model that ignores the image: always the same answer and scores.
struct ImageBlindModelDouble: VisionLanguageModel {
    var givesProbabilities: Bool
    let log = QueryLogDouble()

    var key: String { "test:blind" }
    var fingerprint: String { "blind" }

    func answer(_ request: ModelRequest) async throws -> ModelResponse {
        await log.record(try #require(request.images.first))
        return ModelResponse(text: "B", choiceProbabilities: givesProbabilities ? ["A": 0.2, "B": 0.7, "C": 0.1] : nil)
    }
}

/// A model with no scores that says "yes" when the top-left pixel's first channel is above
/// its clean value: a flip that half of all random perturbations cause.
struct CornerPixelModelDouble: VisionLanguageModel {
    var cleanValue: UInt8
    let log = QueryLogDouble()

    var key: String { "test:corner" }
    var fingerprint: String { "corner" }

    func answer(_ request: ModelRequest) async throws -> ModelResponse {
        let image = try #require(request.images.first)
        await log.record(image)
        return ModelResponse(text: image.pixels[0] > cleanValue ? "yes" : "no")
    }
}

/// A model whose scores are a pseudo-random function of the image bytes, so that a search
/// accepts and rejects proposals unpredictably; it flips only when the score is very low.
struct HashScoreModelDouble: VisionLanguageModel {
    let log = QueryLogDouble()

    var key: String { "test:hash" }
    var fingerprint: String { "hash" }

    func answer(_ request: ModelRequest) async throws -> ModelResponse {
        let image = try #require(request.images.first)
        await log.record(image)
        let digest = SHA256.digest(Data(image.pixels))
        let score = Double(UInt16(digest[0]) << 8 | UInt16(digest[1])) / 65_535
        let yes = 0.02 + 0.98 * score
        return ModelResponse(text: yes < 0.03 ? "no" : "yes", choiceProbabilities: ["yes": yes, "no": 1 - yes])
    }
}

// MARK: - Helpers

func attackProbe(id: String = "attack-probe", width: Int, height: Int, format: AnswerFormat = .yesNo) -> Probe {
    Probe(
        id: id, images: [ImageRef(sha256: "clean", width: width, height: height)], prompt: "Is the square bright?",
        expected: format == .multipleChoice
            ? ExpectedAnswer(text: "A", format: .multipleChoice, choices: ["dark", "bright", "striped"])
            : ExpectedAnswer(text: "no", format: .yesNo),
        ability: .attribute, lineage: Lineage(source: "test", seed: 0))
}

func randomImage(width: Int, height: Int, channels: Int, values: ClosedRange<Int>, seed: UInt64) -> RasterImage {
    var random = SeededGenerator(seed: seed)
    let span = UInt64(values.upperBound - values.lowerBound + 1)
    let pixels = (0..<(width * height * channels)).map { _ in UInt8(values.lowerBound + Int(random.next() % span)) }
    return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
}

/// The largest change of a colour value, and whether any alpha value changed, counted here
/// pixel by pixel rather than trusted from the outcome.
func measuredChange(from clean: RasterImage, to other: RasterImage) -> (lInfinity: Int, alphaChanged: Bool) {
    var largest = 0
    var alphaChanged = false
    for index in clean.pixels.indices {
        let difference = abs(Int(clean.pixels[index]) - Int(other.pixels[index]))
        if clean.channels == 4 && index % 4 == 3 {
            alphaChanged = alphaChanged || difference != 0
        } else {
            largest = max(largest, difference)
        }
    }
    return (largest, alphaChanged)
}

// MARK: - Tests

@Suite struct RandomSearchAttackTests {
    @Test(arguments: [AnswerFormat.yesNo, .multipleChoice])
    func flipsAThresholdModelWhoseThresholdIsWithinTheBudget(format: AnswerFormat) async throws {
        let clean = RasterImage(width: 32, height: 32, channels: 3, fill: 100)
        // Raising the region's mean by 4 needs three quarters of its values pushed up by ε = 8.
        let model = ThresholdModelDouble(region: (8, 8, 16), threshold: 104, format: format)
        #expect(model.meanBrightness(clean) < model.threshold)
        let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: 8, queryCap: 500, seed: 7))

        let outcome = try await attack.attack(model: model, probe: attackProbe(width: 32, height: 32, format: format), image: clean)

        #expect(outcome.succeeded)
        #expect(outcome.searchMode == .probabilityGuided)
        #expect(outcome.cleanAnswer == (format == .yesNo ? "no" : "A"))
        #expect(outcome.finalAnswer == (format == .yesNo ? "yes" : "B"))
        let adversarial = try #require(outcome.adversarialImage)
        #expect(model.meanBrightness(adversarial) > model.threshold)
        #expect(measuredChange(from: clean, to: adversarial).lInfinity <= 8)
        #expect(outcome.measuredLInfinity == 8)
        let cleanProbability = try #require(outcome.cleanProbability)
        let finalProbability = try #require(outcome.finalProbability)
        #expect(finalProbability < cleanProbability)
        #expect(outcome.queries == (await model.log.count))
        #expect(outcome.queries < 500)
    }

    @Test func thresholdOutOfReachIsNotCrossed() async throws {
        let clean = RasterImage(width: 24, height: 24, channels: 3, fill: 100)
        // ε = 8 can raise the mean by 8 at most; a threshold 10 above is out of reach.
        let model = ThresholdModelDouble(region: (4, 4, 12), threshold: 110)
        let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: 8, queryCap: 150, seed: 3))
        let outcome = try await attack.attack(model: model, probe: attackProbe(width: 24, height: 24), image: clean)
        #expect(!outcome.succeeded)
        #expect(outcome.queries == 150)
        #expect(outcome.finalAnswer == outcome.cleanAnswer)
        // The search still climbed: its best image is brighter in the region than the clean one
        // and the clean answer less likely on it.
        let best = try #require(outcome.adversarialImage)
        #expect(model.meanBrightness(best) > 101)
        #expect(try #require(outcome.finalProbability) < (try #require(outcome.cleanProbability)))
    }

    @Test(arguments: [true, false])
    func aModelThatIgnoresTheImageIsNeverFlippedAndUsesTheWholeCap(givesProbabilities: Bool) async throws {
        let model = ImageBlindModelDouble(givesProbabilities: givesProbabilities)
        let clean = randomImage(width: 20, height: 16, channels: 3, values: 0...255, seed: 1)
        let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: 16, queryCap: 37, seed: 1))
        let outcome = try await attack.attack(
            model: model, probe: attackProbe(width: 20, height: 16, format: .multipleChoice), image: clean)
        #expect(!outcome.succeeded)
        #expect(outcome.queries == 37)
        #expect(await model.log.count == 37)
        #expect(outcome.cleanAnswer == "B")
        #expect(outcome.searchMode == (givesProbabilities ? .probabilityGuided : .randomRestarts))
        #expect(outcome.cleanProbability == (givesProbabilities ? 0.7 : nil))
    }

    @Test func randomRestartsFindAFlipWithoutProbabilities() async throws {
        let clean = RasterImage(width: 10, height: 10, channels: 3, fill: 120)
        let model = CornerPixelModelDouble(cleanValue: 120)
        let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: 4, queryCap: 40, seed: 11))
        let outcome = try await attack.attack(model: model, probe: attackProbe(width: 10, height: 10), image: clean)
        #expect(outcome.succeeded)
        #expect(outcome.searchMode == .randomRestarts)
        #expect(outcome.cleanAnswer == "no" && outcome.finalAnswer == "yes")
        #expect(outcome.cleanProbability == nil)
        #expect(try #require(outcome.adversarialImage).pixels[0] == 124)
        #expect(outcome.queries == (await model.log.count))
        // Each restart is a fresh perturbation, so no two queried perturbed images repeat early on.
        let images = await model.log.images
        #expect(Set(images.dropFirst().map { $0.pixels }).count == images.count - 1)
    }

    @Test func everyQueriedImageStaysWithinTheBudgetAndTheCap() async throws {
        var random = SeededGenerator(seed: 2024)
        for trial in 0..<24 {
            let width = 3 + Int(random.next() % 18), height = 3 + Int(random.next() % 18)
            let channels = [1, 3, 4][trial % 3]
            let epsilon = 1 + Int(random.next() % 40)
            let cap = 2 + Int(random.next() % 60)
            // Values at and near both clip bounds, so clipping is exercised.
            let clean = randomImage(width: width, height: height, channels: channels, values: 0...255, seed: UInt64(trial))
            let model: any VisionLanguageModel
            let log: QueryLogDouble
            if trial % 2 == 0 {
                let double = HashScoreModelDouble()
                (model, log) = (double, double.log)
            } else {
                let double = CornerPixelModelDouble(cleanValue: 255)  // never flips
                (model, log) = (double, double.log)
            }
            let settings = try RandomSearchAttackSettings(
                epsilon: epsilon, queryCap: cap, seed: random.next(), initialSquareFraction: 0.05 + 0.9 * random.unit())
            let outcome = try await RandomSearchAttack(settings: settings).attack(
                model: model, probe: attackProbe(width: width, height: height), image: clean)

            let seen = await log.images
            #expect(seen.count <= cap, "trial \(trial)")
            #expect(outcome.queries == seen.count, "trial \(trial)")
            #expect(seen.first == clean, "trial \(trial): the first query is the clean image")
            for (index, image) in seen.enumerated() {
                #expect(image.width == width && image.height == height && image.channels == channels)
                let change = measuredChange(from: clean, to: image)
                #expect(change.lInfinity <= epsilon, "trial \(trial), query \(index): L∞ \(change.lInfinity) > ε \(epsilon)")
                #expect(!change.alphaChanged, "trial \(trial), query \(index): alpha changed")
            }
            #expect(seen.dropFirst().contains { $0 != clean }, "trial \(trial): nothing was perturbed")
            if let adversarial = outcome.adversarialImage {
                #expect(outcome.measuredLInfinity == measuredChange(from: clean, to: adversarial).lInfinity)
            }
            #expect(outcome.measuredLInfinity <= epsilon)
        }
    }

    @Test func unclippedValuesSitAtTheCornersOfTheBall() async throws {
        // Away from 0 and 255 every perturbed colour value is exactly the clean value ± ε.
        let clean = randomImage(width: 12, height: 9, channels: 4, values: 40...200, seed: 5)
        let model = HashScoreModelDouble()
        let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: 13, queryCap: 30, seed: 5))
        _ = try await attack.attack(model: model, probe: attackProbe(width: 12, height: 9), image: clean)
        let perturbed = await model.log.images.dropFirst()
        #expect(!perturbed.isEmpty)
        for (query, image) in zip(1..., perturbed) {
            let offCorner = clean.pixels.indices.filter { index in
                index % 4 != 3 && abs(Int(image.pixels[index]) - Int(clean.pixels[index])) != 13
            }
            #expect(offCorner.isEmpty, "query \(query): \(offCorner.count) colour values are not clean ± ε")
        }
    }

    @Test func theSameSeedGivesTheSamePerturbations() async throws {
        let clean = randomImage(width: 16, height: 16, channels: 3, values: 60...160, seed: 9)
        func run(seed: UInt64) async throws -> (AttackOutcome, [RasterImage]) {
            let model = ThresholdModelDouble(region: (2, 2, 10), threshold: 200)
            let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: 6, queryCap: 60, seed: seed))
            let outcome = try await attack.attack(model: model, probe: attackProbe(width: 16, height: 16), image: clean)
            return (outcome, await model.log.images)
        }
        let (first, firstImages) = try await run(seed: 42)
        let (second, secondImages) = try await run(seed: 42)
        let (_, otherImages) = try await run(seed: 43)
        #expect(first == second)
        #expect(firstImages == secondImages)
        #expect(firstImages.count == 60)
        #expect(firstImages != otherImages)
    }

    @Test func epsilonZeroChangesNothing() async throws {
        let clean = randomImage(width: 8, height: 8, channels: 3, values: 0...255, seed: 4)
        let model = ThresholdModelDouble(region: (0, 0, 8), threshold: 0)
        let attack = RandomSearchAttack(settings: try RandomSearchAttackSettings(epsilon: 0, queryCap: 50))
        let outcome = try await attack.attack(model: model, probe: attackProbe(width: 8, height: 8), image: clean)
        #expect(!outcome.succeeded)
        #expect(outcome.queries == 1)
        #expect(await model.log.images == [clean])
        #expect(outcome.measuredLInfinity == 0)
        #expect(outcome.adversarialImage == nil)
        #expect(outcome.searchMode == AttackSearchMode.none)
        #expect(outcome.finalAnswer == outcome.cleanAnswer)
    }

    @Test func invalidSettingsNameTheField() throws {
        let epsilon = #expect(throws: RandomSearchAttackError.self) {
            try RandomSearchAttackSettings(epsilon: 256, queryCap: 10)
        }
        #expect(epsilon?.field == "epsilon")
        #expect(epsilon?.description.contains("epsilon") == true)
        #expect(epsilon?.description.contains("0...255") == true)
        #expect(throws: RandomSearchAttackError.self) { try RandomSearchAttackSettings(epsilon: -1, queryCap: 10) }

        let cap = #expect(throws: RandomSearchAttackError.self) {
            try RandomSearchAttackSettings(epsilon: 8, queryCap: 1)
        }
        #expect(cap?.field == "queryCap")
        #expect(cap?.description.contains("queryCap") == true)

        let fraction = #expect(throws: RandomSearchAttackError.self) {
            try RandomSearchAttackSettings(epsilon: 8, queryCap: 10, initialSquareFraction: 0)
        }
        #expect(fraction?.field == "initialSquareFraction")
        #expect(throws: Never.self) { try RandomSearchAttackSettings(epsilon: 255, queryCap: 2, initialSquareFraction: 1) }
    }

    @Test func settingsMadeInvalidAfterwardsAndMismatchedImagesAreRejectedBeforeAnyQuery() async throws {
        let model = ImageBlindModelDouble(givesProbabilities: true)
        var settings = try RandomSearchAttackSettings(epsilon: 8, queryCap: 10)
        settings.queryCap = 0
        let clean = RasterImage(width: 8, height: 8, channels: 3, fill: 0)
        let capError = await #expect(throws: RandomSearchAttackError.self) {
            try await RandomSearchAttack(settings: settings).attack(model: model, probe: attackProbe(width: 8, height: 8), image: clean)
        }
        #expect(capError?.field == "queryCap")

        settings.queryCap = 10
        let sizeError = await #expect(throws: RandomSearchAttackError.self) {
            try await RandomSearchAttack(settings: settings).attack(model: model, probe: attackProbe(width: 9, height: 8), image: clean)
        }
        #expect(sizeError?.field == "image")
        #expect(sizeError?.probeID == "attack-probe")
        #expect(sizeError?.description.contains("9×8") == true)
        #expect(await model.log.count == 0)
    }

    @Test func theScheduleShrinksTheSquareFromTheInitialFraction() {
        let steps = 498
        let fractions = (0..<steps).map { RandomSearchAttack.squareFraction(step: $0, of: steps, initial: 0.3) }
        #expect(fractions.first == 0.3)
        #expect(fractions.last == 0.3 / 512)
        #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(Set(fractions).count == 10)
        #expect(RandomSearchAttack.squareSide(fraction: 0.3, width: 32, height: 32) == 18)
        #expect(RandomSearchAttack.squareSide(fraction: 1, width: 40, height: 10) == 10)
        #expect(RandomSearchAttack.squareSide(fraction: 0.0001, width: 10, height: 10) == 1)
    }

    @Test func theSuccessCurveCountsPerBudgetInOrder() {
        func outcome(_ epsilon: Int, _ succeeded: Bool, queries: Int) -> AttackOutcome {
            AttackOutcome(
                probeID: "p", epsilon: epsilon, queries: queries, succeeded: succeeded, cleanAnswer: "A",
                finalAnswer: succeeded ? "B" : "A", cleanProbability: nil, finalProbability: nil, measuredLInfinity: 0,
                adversarialImage: nil, searchMode: .randomRestarts)
        }
        let curve = RandomSearchAttack.successCurve([
            outcome(8, true, queries: 10), outcome(2, false, queries: 50), outcome(8, true, queries: 30),
            outcome(4, true, queries: 20), outcome(2, false, queries: 50), outcome(8, false, queries: 50),
        ])
        #expect(curve.map(\.epsilon) == [2, 4, 8])
        #expect(curve.map(\.successes) == [0, 1, 2])
        #expect(curve.map(\.total) == [2, 1, 3])
        #expect(curve.map(\.meanQueriesToSuccess) == [nil, 20, 20])
        #expect(abs(curve[2].successRate.rate - 2.0 / 3.0) < 1e-12)
        #expect(curve[2].successRate.low < curve[2].successRate.rate && curve[2].successRate.rate < curve[2].successRate.high)
        #expect(RandomSearchAttack.successCurve([]).isEmpty)
    }
}
