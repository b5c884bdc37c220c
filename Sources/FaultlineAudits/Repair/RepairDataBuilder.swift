import FaultlineCore
import FaultlineScenes

/// Two views of one training example that must get the same answer: the clean one and one
/// with the cue or perturbation the repair targets. The consistency term of the repair
/// objective compares the model's answer distributions on the two.
public struct RepairPair: Sendable {
    public var clean: ProbeSample
    public var perturbed: ProbeSample
    public var kind: RepairKind
    /// The finding the pair repairs, in words.
    public var finding: String

    /// The two views as export records, answered as their prompts ask (the letter for
    /// multiple choice, so a record stays true to its own instruction).
    public func records() -> [RepairRecord] {
        [(clean, "clean"), (perturbed, "perturbed")].map { sample, role in
            RepairRecord(
                id: "\(sample.probe.id)#\(role)", kind: kind, finding: finding, prompt: sample.probe.prompt,
                answer: sample.probe.expected.text, imagePNGs: sample.imagePNGs, lineage: sample.probe.lineage)
        }
    }
}

/// Builds repair data from confirmed findings, from seeds no audit uses, so the re-audit's
/// held-out probes are never trained on.
public struct RepairDataBuilder: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// SpuriVerse-style pairs for each confirmed cue: the question with the cue set and with it
    /// removed, both labelled with the right answer (never the cue's).
    public func counterfactualPairs(
        _ cues: [(cue: CueIdentity, answer: String)], pairsPerCue: Int, abilities: [Ability] = Ability.perception
    ) -> [RepairPair] {
        guard !cues.isEmpty, pairsPerCue > 0 else { return [] }
        let templateAnswers = Self.templateAnswers(seed: seed, count: 1200, abilities: abilities)
        let requests = cues.map {
            SpuriousGroupSource.Request(cue: $0.cue, answer: $0.answer, abilities: abilities, templateAnswers: templateAnswers)
        }
        let source = SpuriousGroupSource(requests: requests, pairsPerRequest: pairsPerCue, seed: seed)
        var pairs: [RepairPair] = []
        var pending: ProbeSample?
        for sample in source.samples() {
            guard let anchor = pending else {
                pending = sample
                continue
            }
            pending = nil
            let index = Int(anchor.probe.lineage.factors[SpuriousGroupSource.requestFactor] ?? "") ?? 0
            let request = requests[min(index, requests.count - 1)]
            pairs.append(
                RepairPair(
                    clean: sample, perturbed: anchor, kind: .counterfactual,
                    finding: "spurious cue: \(request.cue) → \(request.answer)"))
        }
        return pairs
    }

    /// Heuristic augmentation (methods.md §3, D_img^pert): image questions asked clean and
    /// with each text perturbation (and the typographic overlay), all labelled with the right answer.
    public func augmentationPairs(
        count: Int, perturbations: [InterferencePerturbation] = InterferencePerturbation.perturbations(for: .imageHeavy),
        abilities: [Ability] = Ability.perception
    ) -> [RepairPair] {
        let chosen = perturbations.filter { $0.side == .imageHeavy }
        guard count > 0, !chosen.isEmpty else { return [] }
        let source = InterferenceProbeSource(
            imageHeavyCount: count, textHeavyCount: 0, seed: seed, perturbations: chosen, abilities: abilities)
        var pairs: [RepairPair] = []
        var clean: ProbeSample?
        for sample in source.samples() {
            guard let transformation = sample.probe.lineage.transformation,
                let perturbation = InterferencePerturbation(rawValue: transformation), let base = clean
            else {
                clean = sample
                continue
            }
            pairs.append(
                RepairPair(
                    clean: base, perturbed: sample, kind: .augmentation,
                    finding: "modality interference: \(perturbation.title.lowercased())"))
        }
        return pairs
    }

    /// The answers each question template gives over `count` questions of a suite (no
    /// rendering): what "this answer was possible" means for a template.
    public static func templateAnswers(seed: UInt64, count: Int, abilities: [Ability]) -> [String: Set<String>] {
        let suite = AbilitySuite(
            count: count, seed: seed,
            configuration: AbilitySuiteConfiguration(abilities: abilities, formats: SpuriousMiningSource.formats, counterfactualShare: 0))
        var answers: [String: Set<String>] = [:]
        for index in 0..<count {
            let question = suite.spec(at: index).question
            answers[question.templateID, default: []].insert(AnswerValue.expected(question.expected))
        }
        return answers
    }
}
