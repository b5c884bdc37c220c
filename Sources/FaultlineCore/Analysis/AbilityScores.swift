/// A model's accuracy on one sub-suite of an ability: the probes where one dimension (question
/// format, template, background, benchmark category…) takes one level.
public struct SubSuiteScore: Codable, Sendable, Equatable {
    public var dimension: String
    public var level: String
    public var accuracy: Proportion

    public init(dimension: String, level: String, accuracy: Proportion) {
        self.dimension = dimension
        self.level = level
        self.accuracy = accuracy
    }
}

/// One model's result on one ability: accuracy with its interval, and stability across
/// sub-suites with its interval.
///
/// **Stability** is 1 − (max − min) of accuracy over the ability's sub-suites that hold at
/// least the analysis's minimum number of probes: 1 means the ability scores the same
/// whichever way it is asked or drawn; 0.6 means two sub-suites differ by 40 points. Its
/// interval is a stratified percentile bootstrap (each sub-suite's successes redrawn from
/// its own binomial), which also shows how much of the spread sampling noise alone explains.
public struct AbilityScore: Codable, Sendable, Equatable {
    public var model: String
    public var ability: Ability
    public var accuracy: Proportion
    /// Nil when fewer than two sub-suites are large enough to compare.
    public var stability: Double?
    public var stabilityLow: Double?
    public var stabilityHigh: Double?
    /// The sub-suites at the two ends of the spread, e.g. "format=yes-no".
    public var weakestSubSuite: String?
    public var strongestSubSuite: String?
    /// Every sub-suite compared.
    public var subSuites: [SubSuiteScore]
    /// Share of answers the judge could not parse (multiple choice, numbers, yes/no, boxes).
    public var unparsedRate: Double

    public init(
        model: String, ability: Ability, accuracy: Proportion, stability: Double?, stabilityLow: Double?,
        stabilityHigh: Double?, weakestSubSuite: String?, strongestSubSuite: String?, subSuites: [SubSuiteScore],
        unparsedRate: Double
    ) {
        self.model = model
        self.ability = ability
        self.accuracy = accuracy
        self.stability = stability
        self.stabilityLow = stabilityLow
        self.stabilityHigh = stabilityHigh
        self.weakestSubSuite = weakestSubSuite
        self.strongestSubSuite = strongestSubSuite
        self.subSuites = subSuites
        self.unparsedRate = unparsedRate
    }
}
