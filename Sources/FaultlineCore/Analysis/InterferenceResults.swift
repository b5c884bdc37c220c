/// One model under one perturbation: the metrics and a few probes whose answer flipped.
public struct InterferenceCell: Codable, Sendable, Equatable {
    public var model: String
    /// The perturbation's name, e.g. `misleading-description`.
    public var perturbation: String
    /// `image-heavy` (the text was perturbed) or `text-heavy` (an image was added).
    public var side: String
    public var metrics: InterferenceMetrics
    /// (clean, perturbed) probe ids of pairs whose answer flipped from right to wrong.
    public var exampleFlips: [[String]]

    public init(model: String, perturbation: String, side: String, metrics: InterferenceMetrics, exampleFlips: [[String]]) {
        self.model = model
        self.perturbation = perturbation
        self.side = side
        self.metrics = metrics
        self.exampleFlips = exampleFlips
    }
}

/// Attack success at one budget: how many probes' answers an adversarial perturbation of the
/// modality the task does not need could change.
public struct AttackPoint: Codable, Sendable, Equatable {
    public var model: String
    /// `pgd-text-embeddings` or `pgd-image` (white-box), `random-search-image` (black-box).
    public var method: String
    public var side: String
    /// The L∞ budget, in `unit`.
    public var epsilon: Double
    public var unit: String
    /// Probes whose chosen answer changed, of those attacked.
    public var success: Proportion
    /// Mean model queries per probe (black-box), nil for white-box attacks.
    public var meanQueries: Double?
    public var queryCap: Int?

    public init(
        model: String, method: String, side: String, epsilon: Double, unit: String, success: Proportion,
        meanQueries: Double? = nil, queryCap: Int? = nil
    ) {
        self.model = model
        self.method = method
        self.side = side
        self.epsilon = epsilon
        self.unit = unit
        self.success = success
        self.meanQueries = meanQueries
        self.queryCap = queryCap
    }
}

/// The result of one modality-interference audit, `interference.json`.
public struct InterferenceAudit: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var generator: String
    public var seed: UInt64
    public var runID: String
    public var models: [String]
    public var cells: [InterferenceCell]
    public var attacks: [AttackPoint]
    /// Per perturbation: its title and a one-sentence explanation, for readers.
    public var perturbations: [String: [String]]

    public init(
        generator: String, seed: UInt64, runID: String, models: [String], cells: [InterferenceCell],
        attacks: [AttackPoint], perturbations: [String: [String]]
    ) {
        schemaVersion = Self.currentSchemaVersion
        self.generator = generator
        self.seed = seed
        self.runID = runID
        self.models = models
        self.cells = cells
        self.attacks = attacks
        self.perturbations = perturbations
    }
}
