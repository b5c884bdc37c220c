/// A nuisance cue: an attribute of a probe that should not matter to its answer, taking one
/// value (`background` = `grass`, `lead-in` = `at first glance`).
public struct CueIdentity: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The attribute: a scene attribute (`background`, `background.tint`, `objects.colour`,
    /// `objects.size`, `objects.texture`, `sign`) or `lead-in`, a phrase put before the question.
    public var attribute: String
    public var value: String

    public init(attribute: String, value: String) {
        self.attribute = attribute
        self.value = value
    }

    /// The attribute of phrases put before a question.
    public static let leadInAttribute = "lead-in"

    public var description: String {
        attribute == Self.leadInAttribute ? "the phrase \"\(value)\" before the question" : "\(attribute) = \(value)"
    }

    public static func < (a: CueIdentity, b: CueIdentity) -> Bool {
        (a.attribute, a.value) < (b.attribute, b.value)
    }
}

/// A candidate spurious correlation mined from one model's answers: among probes whose right
/// answer is not `answer` but could have been, the model says `answer` more often when `cue`
/// is present than when it is absent.
public struct SpuriousCandidate: Codable, Sendable, Equatable {
    public var model: String
    public var cue: CueIdentity
    /// The answer the cue pulls towards.
    public var answer: String
    /// How often the model wrongly said `answer` with the cue present, and with it absent.
    public var withCue: Proportion
    public var withoutCue: Proportion
    /// withCue.rate − withoutCue.rate.
    public var lift: Double
    /// Mutual information between the cue and "the model says `answer`", in bits, and
    /// Theil's uncertainty coefficient U(answer | cue) = I / H(answer).
    public var mutualInformationBits: Double
    public var theilsU: Double
    /// One-sided exact permutation p-value (cue labels permuted within question templates) and
    /// its Benjamini–Hochberg q-value over every cue × answer pair tested for the model.
    public var pValue: Double
    public var qValue: Double
    /// Probes where the cue was present and the model wrongly said `answer`.
    public var exampleProbeIDs: [String]

    public init(
        model: String, cue: CueIdentity, answer: String, withCue: Proportion, withoutCue: Proportion,
        mutualInformationBits: Double, theilsU: Double, pValue: Double, qValue: Double,
        exampleProbeIDs: [String]
    ) {
        self.model = model
        self.cue = cue
        self.answer = answer
        self.withCue = withCue
        self.withoutCue = withoutCue
        self.lift = withCue.rate - withoutCue.rate
        self.mutualInformationBits = mutualInformationBits
        self.theilsU = theilsU
        self.pValue = pValue
        self.qValue = qValue
        self.exampleProbeIDs = exampleProbeIDs
    }
}

/// A SpuriVerse-style counterfactual group for one candidate, answered by one model: pairs of
/// probes that differ only in the cue (present in the anchor, removed in the counterfactual)
/// and share the right answer, which is never the cue's answer.
public struct SpuriousGroupResult: Codable, Sendable, Equatable {
    public var model: String
    public var cue: CueIdentity
    public var answer: String
    /// The model the candidate was mined from.
    public var minedFrom: String
    public var pairs: Int
    public var anchorAccuracy: Proportion
    public var counterfactualAccuracy: Proportion
    /// counterfactual − anchor accuracy, with its 95% paired interval.
    public var gap: Double
    public var gapLow: Double
    public var gapHigh: Double
    /// How often the model said the cue's answer on anchors.
    public var anchorSaysCueAnswer: Proportion
    /// The gap is at least the minimum effect and significant with a Bonferroni correction over
    /// every candidate of the run.
    public var affected: Bool
    /// The cue was mined from this model's own answers, and the gap is at least the minimum
    /// effect and significant with a Bonferroni correction over that model's candidates.
    public var confirmed: Bool
    /// (anchor, counterfactual) probe ids of pairs the model got right without the cue and wrong with it.
    public var examplePairs: [[String]]

    public init(
        model: String, cue: CueIdentity, answer: String, minedFrom: String, pairs: Int, anchorAccuracy: Proportion,
        counterfactualAccuracy: Proportion, gap: Double, gapLow: Double, gapHigh: Double,
        anchorSaysCueAnswer: Proportion, confirmed: Bool, affected: Bool, examplePairs: [[String]]
    ) {
        self.model = model
        self.cue = cue
        self.answer = answer
        self.minedFrom = minedFrom
        self.pairs = pairs
        self.anchorAccuracy = anchorAccuracy
        self.counterfactualAccuracy = counterfactualAccuracy
        self.gap = gap
        self.gapLow = gapLow
        self.gapHigh = gapHigh
        self.anchorSaysCueAnswer = anchorSaysCueAnswer
        self.confirmed = confirmed
        self.affected = affected
        self.examplePairs = examplePairs
    }
}

/// The result of one spurious-correlation audit, `spurious.json`: what was mined from which
/// run, the candidates, and the counterfactual groups that confirmed or rejected them.
public struct SpuriousAudit: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var generator: String
    public var seed: UInt64
    /// The run the candidates were mined from, and the run of the counterfactual groups
    /// (empty when no candidate needed confirming).
    public var miningRunID: String
    public var groupRunID: String
    public var models: [String]
    /// Per model, how many answer × cue pairs were tested (the multiple-testing family).
    public var testedPairs: [String: Int]
    public var candidates: [SpuriousCandidate]
    public var groups: [SpuriousGroupResult]
    public var settings: [String: Double]

    public init(
        generator: String, seed: UInt64, miningRunID: String, groupRunID: String, models: [String],
        testedPairs: [String: Int], candidates: [SpuriousCandidate], groups: [SpuriousGroupResult],
        settings: [String: Double]
    ) {
        schemaVersion = Self.currentSchemaVersion
        self.generator = generator
        self.seed = seed
        self.miningRunID = miningRunID
        self.groupRunID = groupRunID
        self.models = models
        self.testedPairs = testedPairs
        self.candidates = candidates
        self.groups = groups
        self.settings = settings
    }

    /// The audit's id: its group run's, or the mining run's when nothing needed confirming.
    public var runID: String { groupRunID.isEmpty ? miningRunID : groupRunID }

    /// The groups confirmed for `model`, largest gap first.
    public func confirmed(for model: String) -> [SpuriousGroupResult] {
        groups.filter { $0.model == model && $0.confirmed }.sorted { ($0.gap, $0.cue) > ($1.gap, $1.cue) }
    }
}
