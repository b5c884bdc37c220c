/// One figure before and after a repair, each with its 95% interval, on held-out probes.
public struct RepairComparison: Codable, Sendable, Equatable {
    /// What is measured, e.g. `background = grass → star` or `counting`.
    public var name: String
    /// `spurious-cue`, `interference` or `ability`.
    public var kind: String
    /// What the numbers are: `accuracy gap` (lower is better), `answers changed` (lower is
    /// better) or `accuracy` (higher is better).
    public var metric: String
    public var before: Double
    public var beforeLow: Double
    public var beforeHigh: Double
    public var after: Double
    public var afterLow: Double
    public var afterHigh: Double
    /// Probes (or pairs) behind each figure.
    public var count: Int
    /// The figure got worse by more than its interval allows: for accuracy, the repaired
    /// model's accuracy is below the lower bound of the original's interval; for gaps and
    /// flip rates, above the upper bound.
    public var regressed: Bool

    public init(
        name: String, kind: String, metric: String, before: (Double, Double, Double), after: (Double, Double, Double),
        count: Int, higherIsBetter: Bool
    ) {
        self.name = name
        self.kind = kind
        self.metric = metric
        (self.before, beforeLow, beforeHigh) = before
        (self.after, afterLow, afterHigh) = after
        self.count = count
        regressed = higherIsBetter ? after.0 < before.1 : after.0 > before.2
    }
}

/// The result of `faultline rectify`, `rectify.json`: the repair data, the fine-tune, and the
/// held-out re-audit before and after.
public struct RectifyAudit: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var generator: String
    /// The model repaired, and the registry key of the repaired copy.
    public var model: String
    public var repairedModel: String
    /// The audits the findings came from.
    public var fromAudits: [String]
    public var repairSeed: UInt64
    public var heldOutSeed: UInt64
    /// Repair pairs per kind (`counterfactual`, `augmentation`, `adversarial`).
    public var repairData: [String: Int]
    /// The files the repair data was exported to.
    public var exports: [String]
    public var settings: [String: String]
    /// The training loss over the first and the last 20 steps.
    public var lossStart: Double
    public var lossEnd: Double
    /// The runs of the held-out re-audit.
    public var heldOutRuns: [String]
    public var findings: [RepairComparison]
    public var interference: [RepairComparison]
    public var abilities: [RepairComparison]

    public init(
        generator: String, model: String, repairedModel: String, fromAudits: [String], repairSeed: UInt64,
        heldOutSeed: UInt64, repairData: [String: Int], exports: [String], settings: [String: String], lossStart: Double,
        lossEnd: Double, heldOutRuns: [String], findings: [RepairComparison], interference: [RepairComparison],
        abilities: [RepairComparison]
    ) {
        schemaVersion = Self.currentSchemaVersion
        self.generator = generator
        self.model = model
        self.repairedModel = repairedModel
        self.fromAudits = fromAudits
        self.repairSeed = repairSeed
        self.heldOutSeed = heldOutSeed
        self.repairData = repairData
        self.exports = exports
        self.settings = settings
        self.lossStart = lossStart
        self.lossEnd = lossEnd
        self.heldOutRuns = heldOutRuns
        self.findings = findings
        self.interference = interference
        self.abilities = abilities
    }

    /// Every comparison that regressed beyond its interval.
    public var regressions: [RepairComparison] { (findings + interference + abilities).filter(\.regressed) }
}
