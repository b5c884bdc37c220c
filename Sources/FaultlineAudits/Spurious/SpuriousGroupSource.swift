import FaultlineCore
import FaultlineImageIO
import FaultlineScenes
import Foundation

/// SpuriVerse-style counterfactual groups for candidate cues: for each candidate, pairs of
/// probes that share a scene-engine question and its right answer and differ only in the cue
/// — present in the *anchor*, removed in the *counterfactual*. The right answer is never the
/// cue's answer, and for multiple choice the cue's answer is one of the options, so a model
/// that follows the cue is wrong on the anchor and has no reason to be on the counterfactual.
///
/// Pairs come from a fresh suite (its own seed, not the mining one): the groups test the
/// candidate on probes it was not mined from. Probes are generated in the order of the
/// candidates, two per pair (anchor first); the pairs are chosen when the source is made
/// (cheap: no rendering) and rendered lazily.
public struct SpuriousGroupSource: ProbeSource {
    /// What to build groups for.
    public struct Request: Sendable, Hashable {
        public var cue: CueIdentity
        public var answer: String
        /// Abilities whose questions the cue was seen pulling on.
        public var abilities: [Ability]
        /// The answers each template can have (from the mining sample), to find questions
        /// for which `answer` was possible.
        public var templateAnswers: [String: Set<String>]

        public init(cue: CueIdentity, answer: String, abilities: [Ability], templateAnswers: [String: Set<String>]) {
            self.cue = cue
            self.answer = answer
            self.abilities = abilities
            self.templateAnswers = templateAnswers
        }
    }

    /// One planned pair.
    struct Pair: Sendable {
        var request: Int
        var ordinal: Int
        var baseID: String
        var ability: Ability
        var factors: [String: String]
        var anchor: (scene: Scene, question: Question, prompt: String)
        var counterfactual: (scene: Scene, question: Question, prompt: String)
    }

    public let name = "spurious-groups"
    public let seed: UInt64
    public let requests: [Request]
    private let pairs: [Pair]
    private let renderer = SceneRenderer()

    public var count: Int { pairs.count * 2 }
    /// How many pairs each request got (fewer than asked when suitable questions were rare).
    public var pairCounts: [Int] { requests.indices.map { index in pairs.filter { $0.request == index }.count } }

    /// - Parameters:
    ///   - pairsPerRequest: pairs wanted per candidate.
    ///   - scanLimit: suite questions looked at per candidate before giving up.
    public init(requests: [Request], pairsPerRequest: Int, seed: UInt64, scanLimit: Int = 4000) {
        self.seed = seed
        self.requests = requests
        var pairs: [Pair] = []
        for (index, request) in requests.enumerated() {
            pairs += Self.plan(request, index: index, wanted: pairsPerRequest, seed: seed, scanLimit: scanLimit)
        }
        self.pairs = pairs
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        lazySamples(from: start, make: sample(at:))
    }

    /// The factor naming a probe's role in its pair.
    public static let roleFactor = "group-role"
    public static let anchorRole = "anchor"
    public static let counterfactualRole = "counterfactual"
    /// The factor holding the request's index, and the one holding the pair's key.
    public static let requestFactor = "candidate"
    public static let pairFactor = "pair"

    public func sample(at index: Int) -> ProbeSample {
        let pair = pairs[index / 2]
        let isAnchor = index.isMultiple(of: 2)
        let side = isAnchor ? pair.anchor : pair.counterfactual
        let request = requests[pair.request]
        let image: RasterImage
        let png: Data
        do {
            image = try renderer.render(side.scene)
            png = try PNGCodec.encode(image)
        } catch {
            preconditionFailure("spurious group probe \(pair.baseID) could not be rendered: \(error)")
        }
        let pairKey = "c\(pair.request)-\(pair.ordinal)"
        var factors = pair.factors
        factors[Self.roleFactor] = isAnchor ? Self.anchorRole : Self.counterfactualRole
        factors[Self.requestFactor] = String(pair.request)
        factors[Self.pairFactor] = pairKey
        factors["cue"] = request.cue.description
        factors["cue-answer"] = request.answer
        factors["background"] = side.scene.background.kind.rawValue
        if request.cue.attribute == CueIdentity.leadInAttribute {
            // The anchor carries its phrase as the mining probes do, so `CueScan` reads it.
            factors[CueScan.leadInFactor] = isAnchor ? request.cue.value : "none"
        }
        let probe = Probe(
            id: "spg-s\(seed)-\(pairKey)-\(isAnchor ? "anchor" : "counter")",
            images: [ImageRef(sha256: SHA256.hex(of: png), width: image.width, height: image.height)],
            prompt: side.prompt, expected: side.question.expected, ability: pair.ability,
            lineage: Lineage(
                source: name, parent: pair.baseID, transformation: isAnchor ? "cue-set" : "cue-removed", seed: seed,
                factors: factors),
            scene: side.scene.json())
        return ProbeSample(probe: probe, imagePNGs: [png])
    }

    // MARK: - Planning pairs

    private static func plan(_ request: Request, index: Int, wanted: Int, seed: UInt64, scanLimit: Int) -> [Pair] {
        guard wanted > 0, !request.abilities.isEmpty else { return [] }
        // Each request gets its own suite seed, from what it asks rather than where it stands
        // in the list, so two candidates do not share questions and a candidate gets the same
        // pairs whichever models (in whichever order) it was mined from.
        let suiteSeed = seed ^ Self.fnv1a("\(request.cue.attribute)=\(request.cue.value)→\(request.answer)")
        let suite = AbilitySuite(
            count: scanLimit, seed: suiteSeed,
            configuration: AbilitySuiteConfiguration(
                abilities: request.abilities, formats: SpuriousMiningSource.formats, counterfactualShare: 0))
        let editor = CueScan.editor(for: request.cue)
        let isLeadIn = request.cue.attribute == CueIdentity.leadInAttribute
        var pairs: [Pair] = []
        for position in 0..<scanLimit where pairs.count < wanted {
            let spec = suite.spec(at: position)
            let question = spec.question
            let truth = AnswerValue.expected(question.expected)
            let possible = Set(AnswerValue.offered(question.expected) ?? [])
                .union(request.templateAnswers[question.templateID] ?? [])
            guard truth != request.answer, possible.contains(request.answer),
                !CueScan.isEvidence(
                    request.cue, answer: request.answer, ability: spec.ability,
                    question: String(question.prompt.prefix { $0 != "\n" }))
            else { continue }
            var rng = SeededGenerator(seed: suiteSeed, stream: UInt64(position) | (1 << 62))
            let anchor: (Scene, Question, String)
            let counterfactual: (Scene, Question, String)
            if isLeadIn {
                // The scene and question stay; only the phrase before the question differs.
                anchor = (spec.scene, question, LeadInPhrases.apply(request.cue.value, to: question.prompt))
                counterfactual = (spec.scene, question, question.prompt)
            } else {
                guard let editor, let set = editor.set((spec.scene, question), rng: &rng),
                    let removed = editor.remove((spec.scene, question), rng: &rng)
                else { continue }
                anchor = (set.scene, set.question, set.question.prompt)
                counterfactual = (removed.scene, removed.question, removed.question.prompt)
            }
            // For multiple choice the cue's answer must be on offer on both sides.
            if question.format == .multipleChoice {
                guard [anchor.1, counterfactual.1].allSatisfy({ AnswerValue.offered($0.expected)?.contains(request.answer) ?? false })
                else { continue }
            }
            pairs.append(
                Pair(
                    request: index, ordinal: pairs.count, baseID: spec.id, ability: spec.ability, factors: spec.factors,
                    anchor: anchor, counterfactual: counterfactual))
        }
        return pairs
    }

    /// FNV-1a over the UTF-8 bytes: a stable hash (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
