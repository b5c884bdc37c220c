import Foundation

/// A proportion with its 95% confidence interval.
public struct Proportion: Codable, Sendable, Equatable {
    public var successes: Int
    public var total: Int
    /// successes / total (0 when total is 0).
    public var rate: Double
    /// Lower and upper bounds of the 95% interval (Wilson score interval).
    public var low: Double
    public var high: Double

    public init(successes: Int, total: Int, rate: Double, low: Double, high: Double) {
        self.successes = successes
        self.total = total
        self.rate = rate
        self.low = low
        self.high = high
    }
}

/// What a run audited and how: everything needed to reproduce it. Holds no wall-clock
/// times, so that the same seed gives the same report bytes.
public struct RunManifest: Codable, Sendable, Equatable {
    public struct ModelEntry: Codable, Sendable, Equatable {
        public var key: String
        public var fingerprint: String
        public init(key: String, fingerprint: String) {
            self.key = key
            self.fingerprint = fingerprint
        }
    }
    public var runID: String
    /// The suite's source name and settings, e.g. `text-renderer count=2000 seed=7`.
    public var suite: String
    public var seed: UInt64
    public var probeCount: Int
    public var models: [ModelEntry]
    public var faultlineVersion: String

    public init(
        runID: String, suite: String, seed: UInt64, probeCount: Int, models: [ModelEntry],
        faultlineVersion: String
    ) {
        self.runID = runID
        self.suite = suite
        self.seed = seed
        self.probeCount = probeCount
        self.models = models
        self.faultlineVersion = faultlineVersion
    }
}

/// One model's overall result in a run.
public struct ModelSummary: Codable, Sendable, Equatable {
    public var model: String
    public var judged: Int
    public var correct: Int
    public var wrong: Int
    public var errors: Int
    /// Exact-match accuracy over judged probes that did not error.
    public var accuracy: Proportion
    /// Mean graded score (for OCR, 1 − CER) over the same probes.
    public var meanScore: Double
    public init(model: String, judged: Int, correct: Int, wrong: Int, errors: Int, accuracy: Proportion, meanScore: Double) {
        self.model = model
        self.judged = judged
        self.correct = correct
        self.wrong = wrong
        self.errors = errors
        self.accuracy = accuracy
        self.meanScore = meanScore
    }
}

/// Accuracy of one model on the probes where a factor (or a pair of factors) takes given levels.
public struct SliceStat: Codable, Sendable, Equatable {
    public var model: String
    /// The slice: factor name → level; one entry for a single factor, two for a pair.
    public var slice: [String: String]
    public var accuracy: Proportion
    public var meanScore: Double
    public init(model: String, slice: [String: String], accuracy: Proportion, meanScore: Double) {
        self.model = model
        self.slice = slice
        self.accuracy = accuracy
        self.meanScore = meanScore
    }
}

/// A plainly worded statement of what a group of failures has in common, with its evidence.
public struct Finding: Codable, Sendable, Equatable, Identifiable {
    /// Stable within a run, e.g. `F3`.
    public var id: String
    public var model: String
    /// The slice the finding is about.
    public var slice: [String: String]
    public var sliceAccuracy: Proportion
    /// Accuracy on the rest of the model's probes, for contrast.
    public var restAccuracy: Proportion
    /// sliceAccuracy.rate − restAccuracy.rate (negative: the slice is worse).
    public var effect: Double
    /// Two-sided p-value of the difference, and the Benjamini–Hochberg q-value.
    public var pValue: Double
    public var qValue: Double
    /// The finding in words, e.g. "ocr:tesseract fails on text rotated 10° or more: 12% vs 94% …".
    public var statement: String
    /// Up to a few failing probe ids as examples.
    public var exampleProbeIDs: [String]
    public init(
        id: String, model: String, slice: [String: String], sliceAccuracy: Proportion, restAccuracy: Proportion,
        effect: Double, pValue: Double, qValue: Double, statement: String, exampleProbeIDs: [String]
    ) {
        self.id = id
        self.model = model
        self.slice = slice
        self.sliceAccuracy = sliceAccuracy
        self.restAccuracy = restAccuracy
        self.effect = effect
        self.pValue = pValue
        self.qValue = qValue
        self.statement = statement
        self.exampleProbeIDs = exampleProbeIDs
    }
}

/// Probes where one model is right and another wrong.
public struct DisagreementSummary: Codable, Sendable, Equatable {
    public var rightModel: String
    public var wrongModel: String
    public var count: Int
    public var exampleProbeIDs: [String]
    public init(rightModel: String, wrongModel: String, count: Int, exampleProbeIDs: [String]) {
        self.rightModel = rightModel
        self.wrongModel = wrongModel
        self.count = count
        self.exampleProbeIDs = exampleProbeIDs
    }
}

/// Everything an analysis of one run concludes; a pure function of the stored verdicts.
public struct RunAnalysis: Codable, Sendable, Equatable {
    public var models: [ModelSummary]
    public var singleFactorSlices: [SliceStat]
    public var pairSlices: [SliceStat]
    /// Significant findings, most important first.
    public var findings: [Finding]
    public var disagreements: [DisagreementSummary]
    /// The judged responses that findings and disagreements cite, for thumbnails and quotes.
    public var examples: [JudgedProbe]
    /// Per model and ability: accuracy and stability (ability audits only).
    public var abilities: [AbilityScore]?
    public init(
        models: [ModelSummary], singleFactorSlices: [SliceStat], pairSlices: [SliceStat], findings: [Finding],
        disagreements: [DisagreementSummary], examples: [JudgedProbe], abilities: [AbilityScore]? = nil
    ) {
        self.abilities = abilities
        self.models = models
        self.singleFactorSlices = singleFactorSlices
        self.pairSlices = pairSlices
        self.findings = findings
        self.disagreements = disagreements
        self.examples = examples
    }
}
