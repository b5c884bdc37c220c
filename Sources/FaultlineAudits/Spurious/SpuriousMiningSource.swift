import FaultlineCore
import FaultlineScenes
import Foundation

/// The probes a spurious-correlation audit mines from: scene-engine questions in every format
/// with a closed or comparable answer (not boxes), half of them with a harmless phrase put
/// before the question (`leadIn(at:)`).
///
/// It is a designed experiment: backgrounds, tints, object colours, sizes and textures are
/// drawn independently of the question, and so is the lead-in phrase, so any association
/// between one of them and a model's wrong answers comes from the model, not from the probes.
public struct SpuriousMiningSource: ProbeSource {
    public let name = "spurious-mining"
    public let count: Int
    public let seed: UInt64
    public let leadIns: [String]
    private let suite: AbilitySuite

    /// The formats mined: those whose answer can be compared across probes.
    public static let formats: [AnswerFormat] = [.multipleChoice, .yesNo, .number, .freeText]

    public init(count: Int, seed: UInt64, abilities: [Ability] = Ability.perception, leadIns: [String] = LeadInPhrases.standard) {
        self.count = count
        self.seed = seed
        self.leadIns = leadIns
        suite = AbilitySuite(
            count: count, seed: seed,
            configuration: AbilitySuiteConfiguration(abilities: abilities, formats: Self.formats, counterfactualShare: 0))
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        lazySamples(from: start, make: sample(at:))
    }

    /// Separates the lead-in draws from the suite's own random streams.
    private static let leadInKey: UInt64 = 0x6C65_6164_2D69_6E73

    /// The lead-in of probe `index`, by block randomisation: each block of 2·k probes (k
    /// phrases) gives every phrase to exactly one probe and none to the other k, in an order
    /// drawn per block. The assignment stays random (so the permutation test is valid) and
    /// every phrase gets its share of probes, which a coin per probe would leave to chance.
    public func leadIn(at index: Int) -> String? {
        guard !leadIns.isEmpty else { return nil }
        let blockSize = 2 * leadIns.count
        var rng = SeededGenerator(seed: seed ^ Self.leadInKey, stream: UInt64(index / blockSize))
        let slots = rng.shuffled(Array(0..<blockSize))
        let slot = slots[index % blockSize]
        return slot < leadIns.count ? leadIns[slot] : nil
    }

    public func sample(at index: Int) -> ProbeSample {
        var sample = suite.sample(at: index)
        let phrase = leadIn(at: index)
        var probe = sample.probe
        probe.id = Probe.generatedID(prefix: "spm", seed: seed, index: index)
        if let phrase { probe.prompt = LeadInPhrases.apply(phrase, to: probe.prompt) }
        var factors = probe.lineage.factors
        factors[CueScan.leadInFactor] = phrase ?? "none"
        probe.lineage = Lineage(source: name, seed: seed, factors: factors)
        sample.probe = probe
        return sample
    }
}
