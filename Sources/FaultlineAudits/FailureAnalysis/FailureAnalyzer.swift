import FaultlineCore

/// Finds what a run's failures have in common: which factor levels (and pairs of levels) a
/// model does significantly worse on than on the rest of its probes, said in plain words.
///
/// Rows are consumed one at a time and not kept. What is kept is bounded by the number of
/// slices, not of rows:
/// - counts per (model, factor, level) and per (model, factor pair, level pair);
/// - per slice, the `examplesPerFinding` smallest ids of failing probes, with their rows
///   (each row held once however many slices cite it);
/// - one outcome per (probe, model), to find probes where one model is right and another
///   wrong, and per ordered model pair the smallest such ids with the wrong model's row.
///   A wrong row that may still become such an example waits until every model has judged its
///   probe; when the stream is grouped by probe (e.g. ordered by probe id) that is one probe's
///   rows, while a stream ordered model by model holds the first model's failures until the
///   others arrive.
///
/// The result depends only on the set of rows, not their order: counts are exact (scores are
/// summed in fixed point), samples are "smallest ids", and every list is sorted.
///
/// How findings are chosen (see `analysis()`):
/// 1. Each slice with at least `minimumSliceSize` probes (and as many outside it) is compared
///    with the rest of that model's probes by a two-sided test of two proportions (Fisher's
///    exact test when an expected cell count is below 5, the pooled z-test otherwise).
///    Slices are single levels, thresholds "≥ level" and "≤ level" of ordered factors (levels
///    that are numbers with one unit, or known ordered words such as low/medium/high; see
///    `FactorScale`), and pairs of levels of two factors.
/// 2. All p-values of the run are corrected together (Benjamini–Hochberg); a slice is a
///    candidate when q < `falseDiscoveryRate` and its accuracy is at least `minimumEffect`
///    below the rest. Only failures are reported: a slice that does better is the mirror of
///    the slices that do worse.
/// 3. Per model and factor, a threshold replaces its single levels when it makes the statement
///    truer: every level it merges must itself be at least `minimumEffect` below the rest.
///    The threshold with the largest effect wins; single levels it covers are dropped.
/// 4. A pair is reported only when neither of its levels alone explains it: it must be
///    significantly and `minimumEffect` worse than the rest of each of its levels (an
///    intersection–union test, BH-corrected over all candidate pairs), and its accuracy must lie
///    outside the 95% interval of each single level (and of any reported threshold covering
///    one), with their accuracies outside its own interval. A single level that fails only
///    inside a reported pair is dropped in the pair's favour.
/// 5. Findings are ranked by effect, most negative first.
public struct FailureAnalyzer: Sendable {
    /// Thresholds and sample sizes of the analysis.
    public struct Configuration: Sendable, Equatable {
        /// Slices (and their complements) smaller than this are not tested.
        public var minimumSliceSize: Int
        /// A finding's accuracy must be at least this far (absolute) below the rest.
        public var minimumEffect: Double
        /// The false discovery rate at which Benjamini–Hochberg q-values are cut.
        public var falseDiscoveryRate: Double
        /// Failing probe ids cited per finding and per disagreement.
        public var examplesPerFinding: Int
        /// At most this many rows in `RunAnalysis.examples`, taken in the order findings and
        /// then disagreements cite them.
        public var maximumExampleRows: Int

        public init(
            minimumSliceSize: Int = 20, minimumEffect: Double = 0.10, falseDiscoveryRate: Double = 0.05,
            examplesPerFinding: Int = 5, maximumExampleRows: Int = 60
        ) {
            self.minimumSliceSize = minimumSliceSize
            self.minimumEffect = minimumEffect
            self.falseDiscoveryRate = falseDiscoveryRate
            self.examplesPerFinding = examplesPerFinding
            self.maximumExampleRows = maximumExampleRows
        }
    }

    public let configuration: Configuration
    /// The run's models, sorted; rows for any other model are refused.
    public let models: [String]

    private let modelIndex: [String: Int]
    private var modelStates: [ModelState]
    private var singles: [SingleSliceKey: SliceState] = [:]
    private var pairs: [PairSliceKey: SliceState] = [:]
    private var factorLevels: [String: Set<String>] = [:]
    private var citedRows = CitedRows()

    /// Outcome per model index, for every probe seen.
    private var outcomes: [String: [Outcome?]] = [:]
    /// Per ordered pair, index `right * models.count + wrong`.
    private var disagreements: [DisagreementState]
    /// Wrong rows that may become disagreement examples once the other models judge the probe.
    private var pendingWrongRows: [RowKey: JudgedProbe] = [:]
    private var pendingPruneThreshold = 64

    /// Prepares an analysis of a run whose rows come from `models`.
    ///
    /// - Throws: `FailureAnalysisError` when the list is empty or repeats a model, or a
    ///   configuration value is out of range.
    public init(models: [String], configuration: Configuration = Configuration()) throws {
        guard !models.isEmpty else { throw FailureAnalysisError.invalidModelList(reason: "it is empty") }
        let sorted = models.sorted()
        if let repeated = zip(sorted, sorted.dropFirst()).first(where: { $0 == $1 })?.0 {
            throw FailureAnalysisError.invalidModelList(reason: "'\(repeated)' appears more than once")
        }
        try Self.validate(configuration)
        self.configuration = configuration
        self.models = sorted
        modelIndex = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
        modelStates = Array(repeating: ModelState(), count: sorted.count)
        disagreements = Array(
            repeating: DisagreementState(sampleSize: configuration.examplesPerFinding), count: sorted.count * sorted.count)
    }

    /// Analyses `rows` in one pass.
    public static func analyze<Rows: Sequence>(
        _ rows: Rows, models: [String], configuration: Configuration = Configuration()
    ) throws -> RunAnalysis where Rows.Element == JudgedProbe {
        var analyzer = try FailureAnalyzer(models: models, configuration: configuration)
        for row in rows { try analyzer.add(row) }
        return analyzer.analysis()
    }

    // MARK: - Consuming rows

    /// Counts one judged response.
    ///
    /// - Throws: `FailureAnalysisError` for a model not in `models`, a (model, probe) seen
    ///   before, or a score outside [0, 1]. A refused row changes nothing.
    public mutating func add(_ row: JudgedProbe) throws {
        guard let model = modelIndex[row.modelKey] else {
            throw FailureAnalysisError.unknownModel(model: row.modelKey, probeID: row.probeID, known: models)
        }
        guard row.score >= 0, row.score <= 1 else {
            throw FailureAnalysisError.invalidScore(model: row.modelKey, probeID: row.probeID, score: row.score)
        }
        var probeOutcomes = outcomes[row.probeID] ?? Array(repeating: nil, count: models.count)
        guard probeOutcomes[model] == nil else {
            throw FailureAnalysisError.duplicateRow(model: row.modelKey, probeID: row.probeID)
        }
        probeOutcomes[model] = row.outcome
        outcomes[row.probeID] = probeOutcomes

        modelStates[model].add(row)
        if row.outcome != .error { countSlices(row, model: model) }
        trackDisagreements(row, model: model, outcomes: probeOutcomes)
    }

    private mutating func countSlices(_ row: JudgedProbe, model: Int) {
        let levels = row.factors.sorted { $0.key < $1.key }.map { LevelKey(factor: $0.key, level: $0.value) }
        let isCorrect = row.outcome == .correct
        let key = RowKey(model: model, probeID: row.probeID)
        let sampleSize = configuration.examplesPerFinding
        for (index, level) in levels.enumerated() {
            factorLevels[level.factor, default: []].insert(level.level)
            let singleKey = SingleSliceKey(model: model, level: level)
            var state = singles[singleKey] ?? SliceState(sampleSize: sampleSize)
            record(row, key: key, isCorrect: isCorrect, in: &state)
            singles[singleKey] = state
            for second in levels[(index + 1)...] {
                let pairKey = PairSliceKey(model: model, first: level, second: second)
                var pairState = pairs[pairKey] ?? SliceState(sampleSize: sampleSize)
                record(row, key: key, isCorrect: isCorrect, in: &pairState)
                pairs[pairKey] = pairState
            }
        }
    }

    private mutating func record(_ row: JudgedProbe, key: RowKey, isCorrect: Bool, in state: inout SliceState) {
        state.tally.add(correct: isCorrect, score: row.score)
        guard row.outcome == .wrong else { return }
        let (kept, evicted) = state.failing.insert(row.probeID)
        if kept { citedRows.retain(key, row: row) }
        if let evicted { citedRows.release(RowKey(model: key.model, probeID: evicted)) }
    }

    private mutating func trackDisagreements(_ row: JudgedProbe, model: Int, outcomes probeOutcomes: [Outcome?]) {
        let count = models.count
        var awaitedBy: [Int] = []
        for other in 0..<count where other != model {
            switch (row.outcome, probeOutcomes[other]) {
            case (.wrong, .correct?):
                confirmDisagreement(right: other, wrong: model, probeID: row.probeID, wrongRow: row)
            case (.correct, .wrong?):
                let wrongKey = RowKey(model: other, probeID: row.probeID)
                confirmDisagreement(right: model, wrong: other, probeID: row.probeID, wrongRow: pendingWrongRows[wrongKey])
            case (_, nil):
                awaitedBy.append(other)
            default:
                break
            }
        }
        if awaitedBy.isEmpty {
            for other in 0..<count { pendingWrongRows[RowKey(model: other, probeID: row.probeID)] = nil }
        } else if row.outcome == .wrong,
                  awaitedBy.contains(where: { disagreements[$0 * count + model].sample.wouldAccept(row.probeID) }) {
            pendingWrongRows[RowKey(model: model, probeID: row.probeID)] = row
            if pendingWrongRows.count > pendingPruneThreshold { prunePendingRows() }
        }
    }

    private mutating func confirmDisagreement(right: Int, wrong: Int, probeID: String, wrongRow: JudgedProbe?) {
        let index = right * models.count + wrong
        disagreements[index].count += 1
        guard disagreements[index].sample.wouldAccept(probeID) else { return }
        // A wrong row is only dropped from the pending set once no awaited model's sample
        // could take it, and samples only get stricter, so a sample that accepts has the row.
        guard let wrongRow else { preconditionFailure("pending row for \(probeID) was pruned while still citable") }
        let (_, evicted) = disagreements[index].sample.insert(probeID)
        citedRows.retain(RowKey(model: wrong, probeID: probeID), row: wrongRow)
        if let evicted { citedRows.release(RowKey(model: wrong, probeID: evicted)) }
    }

    /// Drops pending wrong rows that no awaited model's sample could still take.
    private mutating func prunePendingRows() {
        let count = models.count
        pendingWrongRows = pendingWrongRows.filter { key, _ in
            guard let probeOutcomes = outcomes[key.probeID] else { return false }
            return (0..<count).contains { other in
                other != key.model && probeOutcomes[other] == nil
                    && disagreements[other * count + key.model].sample.wouldAccept(key.probeID)
            }
        }
        pendingPruneThreshold = max(64, 2 * pendingWrongRows.count)
    }

    /// Rows held right now (cited by a sample, or awaiting other models' verdicts on their
    /// probe), to check that memory follows the number of slices rather than of rows.
    var heldRowCount: Int { citedRows.count + pendingWrongRows.count }

    // MARK: - Concluding

    /// The analysis of every row added so far.
    public func analysis() -> RunAnalysis {
        let scales = Dictionary(uniqueKeysWithValues: factorLevels.map { ($0.key, FactorScale(factor: $0.key, levels: $0.value)) })
        let candidates = testSlices(scales: scales)
        let findings = selectFindings(candidates, scales: scales)
        let disagreementSummaries = summariseDisagreements()
        return RunAnalysis(
            models: summariseModels(), singleFactorSlices: singleSliceStats(scales: scales),
            pairSlices: pairSliceStats(scales: scales), findings: findings, disagreements: disagreementSummaries,
            examples: citedExamples(findings: findings, disagreements: disagreementSummaries))
    }

    private func summariseModels() -> [ModelSummary] {
        models.indices.map { index in
            let state = modelStates[index]
            return ModelSummary(
                model: models[index], judged: state.judged, correct: state.tally.correct,
                wrong: state.tally.total - state.tally.correct, errors: state.errors,
                accuracy: state.tally.accuracy, meanScore: state.tally.meanScore)
        }
    }

    private func singleSliceStats(scales: [String: FactorScale]) -> [SliceStat] {
        singles.sorted { lhs, rhs in
            orderKey(lhs.key.model, [lhs.key.level], scales) < orderKey(rhs.key.model, [rhs.key.level], scales)
        }.map { key, state in
            SliceStat(model: models[key.model], slice: [key.level.factor: key.level.level],
                      accuracy: state.tally.accuracy, meanScore: state.tally.meanScore)
        }
    }

    private func pairSliceStats(scales: [String: FactorScale]) -> [SliceStat] {
        pairs.sorted { lhs, rhs in
            orderKey(lhs.key.model, [lhs.key.first, lhs.key.second], scales)
                < orderKey(rhs.key.model, [rhs.key.first, rhs.key.second], scales)
        }.map { key, state in
            SliceStat(model: models[key.model],
                      slice: [key.first.factor: key.first.level, key.second.factor: key.second.level],
                      accuracy: state.tally.accuracy, meanScore: state.tally.meanScore)
        }
    }

    /// Sorts slices by model, then factor names, then level order within each factor.
    private func orderKey(_ model: Int, _ levels: [LevelKey], _ scales: [String: FactorScale]) -> SortKey {
        SortKey(model: model, parts: levels.map { ($0.factor, scales[$0.factor]?.position(of: $0.level) ?? 0, $0.level) })
    }

    /// Every slice large enough to test, with its p-value and BH q-value.
    private func testSlices(scales: [String: FactorScale]) -> [TestedSlice] {
        var tested: [TestedSlice] = []
        let minimum = configuration.minimumSliceSize
        func consider(model: Int, conditions: [FactorCondition], slice: Tally, failing: [String]) {
            let rest = modelStates[model].tally.subtracting(slice)
            guard slice.total >= minimum, rest.total >= minimum else { return }
            let p = Statistics.differencePValue(
                successes1: slice.correct, total1: slice.total, successes2: rest.correct, total2: rest.total)
            tested.append(TestedSlice(model: model, conditions: conditions, slice: slice, rest: rest,
                                      failingIDs: failing, pValue: p, qValue: 1))
        }
        let limit = configuration.examplesPerFinding
        for (key, state) in singles {
            consider(model: key.model, conditions: [FactorCondition(factor: key.level.factor, relation: .equals, level: key.level.level)],
                     slice: state.tally, failing: state.failing.ids)
        }
        for model in models.indices {
            for scale in scales.values {
                for threshold in scale.thresholds {
                    let states = scale.levels(in: threshold).compactMap {
                        singles[SingleSliceKey(model: model, level: LevelKey(factor: scale.factor, level: $0))]
                    }
                    var tally = Tally()
                    for state in states { tally.add(state.tally) }
                    consider(model: model, conditions: [threshold], slice: tally,
                             failing: LowestProbeIDs.merged(states.map(\.failing), limit: limit))
                }
            }
        }
        for (key, state) in pairs {
            consider(model: key.model,
                     conditions: [FactorCondition(factor: key.first.factor, relation: .equals, level: key.first.level),
                                  FactorCondition(factor: key.second.factor, relation: .equals, level: key.second.level)],
                     slice: state.tally, failing: state.failing.ids)
        }
        // Dictionary order differs between processes; BH ties and everything downstream must not.
        tested.sort { $0.sortKey(scales) < $1.sortKey(scales) }
        let qValues = Statistics.benjaminiHochberg(tested.map(\.pValue))
        for index in tested.indices { tested[index].qValue = qValues[index] }
        return tested
    }

    private func selectFindings(_ tested: [TestedSlice], scales: [String: FactorScale]) -> [Finding] {
        let candidates = tested.filter {
            $0.qValue < configuration.falseDiscoveryRate && $0.effect <= -configuration.minimumEffect
        }
        let (singleFactor, keptThresholds) = selectSingleFactor(candidates.filter { $0.conditions.count == 1 }, scales: scales)
        let pairs = selectPairs(candidates.filter { $0.conditions.count == 2 }, keptThresholds: keptThresholds)
        var kept = singleFactor.filter { !isInsidePair($0, pairs: pairs, scales: scales) } + pairs

        kept.sort { $0.rankKey(scales) < $1.rankKey(scales) }
        return kept.enumerated().map { index, slice in
            let sliceAccuracy = slice.slice.accuracy, restAccuracy = slice.rest.accuracy
            return Finding(
                id: "F\(index + 1)", model: models[slice.model],
                slice: Dictionary(uniqueKeysWithValues: slice.conditions.map { ($0.factor, $0.sliceLevel) }),
                sliceAccuracy: sliceAccuracy, restAccuracy: restAccuracy, effect: slice.effect,
                pValue: slice.pValue, qValue: slice.qValue,
                statement: FindingWording.statement(
                    model: models[slice.model], conditions: slice.conditions, slice: sliceAccuracy,
                    rest: restAccuracy, qValue: slice.qValue, metric: modelStates[slice.model].metricName),
                exampleProbeIDs: Array(slice.failingIDs.prefix(configuration.examplesPerFinding)))
        }
    }

    /// Per model and factor: thresholds that make the statement truer (every level they merge
    /// fails by the minimum effect), best first and not overlapping, replace the single levels
    /// they cover. Returns the kept slices and, per factor, the kept thresholds' level sets.
    private func selectSingleFactor(
        _ candidates: [TestedSlice], scales: [String: FactorScale]
    ) -> (kept: [TestedSlice], thresholds: [FactorOfModel: [(slice: TestedSlice, levels: Set<String>)]]) {
        let minimumEffect = configuration.minimumEffect
        var kept: [TestedSlice] = []
        var keptThresholds: [FactorOfModel: [(slice: TestedSlice, levels: Set<String>)]] = [:]
        let byFactor = Dictionary(grouping: candidates) { FactorOfModel(model: $0.model, factor: $0.conditions[0].factor) }
        for (group, slices) in byFactor {
            guard let scale = scales[group.factor] else { continue }
            let thresholds = slices.filter { $0.conditions[0].relation != .equals }.filter { threshold in
                scale.levels(in: threshold.conditions[0]).allSatisfy { level in
                    guard let tally = singleTally(model: group.model, FactorCondition(factor: group.factor, relation: .equals, level: level)),
                          tally.total > 0
                    else { return true }
                    return tally.rate <= threshold.rest.rate - minimumEffect
                }
            }.sorted { $0.rankKey(scales) < $1.rankKey(scales) }
            var covered = Set<String>()
            for threshold in thresholds {
                let levels = Set(scale.levels(in: threshold.conditions[0]))
                guard covered.isDisjoint(with: levels) else { continue }
                covered.formUnion(levels)
                keptThresholds[group, default: []].append((threshold, levels))
                kept.append(threshold)
            }
            kept += slices.filter { $0.conditions[0].relation == .equals && !covered.contains($0.conditions[0].level) }
        }
        return (kept, keptThresholds)
    }

    /// Pairs worse than what each of their levels explains on its own:
    /// (a) an intersection–union test of the pair against the rest of each of its levels (its
    ///     p-value is the larger of the two, since the pair must beat both), BH-corrected over
    ///     every candidate pair, with the minimum effect against both;
    /// (b) the interval rule: the pair's accuracy is distinguishable from each single level's
    ///     and from any kept threshold covering one of them.
    /// (a) is corrected over all candidates before (b) filters, because (b) selects exactly the
    /// chance dips that (a) must judge.
    private func selectPairs(
        _ candidates: [TestedSlice], keptThresholds: [FactorOfModel: [(slice: TestedSlice, levels: Set<String>)]]
    ) -> [TestedSlice] {
        var interactionP: [Double] = [], interactionEffect: [Double] = []
        for pair in candidates {
            var pValue = 0.0, weakestEffect = -Double.infinity
            for condition in pair.conditions {
                let others = (singleTally(model: pair.model, condition) ?? pair.slice).subtracting(pair.slice)
                pValue = max(pValue, Statistics.differencePValue(
                    successes1: pair.slice.correct, total1: pair.slice.total,
                    successes2: others.correct, total2: others.total))
                weakestEffect = max(weakestEffect, others.total == 0 ? 0 : pair.slice.rate - others.rate)
            }
            interactionP.append(pValue)
            interactionEffect.append(weakestEffect)
        }
        let interactionQ = Statistics.benjaminiHochberg(interactionP)
        return candidates.indices.filter { index in
            guard interactionQ[index] < configuration.falseDiscoveryRate,
                  interactionEffect[index] <= -configuration.minimumEffect
            else { return false }
            let pair = candidates[index], pairAccuracy = pair.slice.accuracy
            return !pair.conditions.contains { condition in
                if let single = singleTally(model: pair.model, condition), Self.explains(single.accuracy, pairAccuracy) {
                    return true
                }
                return (keptThresholds[FactorOfModel(model: pair.model, factor: condition.factor)] ?? []).contains {
                    $0.levels.contains(condition.level) && Self.explains($0.slice.slice.accuracy, pairAccuracy)
                }
            }
        }.map { candidates[$0] }
    }

    /// Whether a single-factor slice fails only inside a kept pair: without the pair's probes
    /// it is no longer `minimumEffect` worse than the rest, so the pair is the finding.
    private func isInsidePair(_ single: TestedSlice, pairs: [TestedSlice], scales: [String: FactorScale]) -> Bool {
        let condition = single.conditions[0]
        return pairs.contains { pair in
            guard pair.model == single.model,
                  let shared = pair.conditions.first(where: { $0.factor == condition.factor }),
                  let scale = scales[condition.factor], scale.levels(in: condition).contains(shared.level)
            else { return false }
            let outsidePair = single.slice.subtracting(pair.slice)
            return outsidePair.total == 0 || outsidePair.rate > single.rest.rate - configuration.minimumEffect
        }
    }

    /// The counts of one model on one level of a factor.
    private func singleTally(model: Int, _ condition: FactorCondition) -> Tally? {
        singles[SingleSliceKey(model: model, level: LevelKey(factor: condition.factor, level: condition.level))]?.tally
    }

    /// Whether a broader slice's accuracy accounts for a narrower one: either lies inside the
    /// other's 95% interval, so the data cannot tell them apart.
    private static func explains(_ broader: Proportion, _ narrower: Proportion) -> Bool {
        (broader.low...broader.high).contains(narrower.rate) || (narrower.low...narrower.high).contains(broader.rate)
    }

    private func summariseDisagreements() -> [DisagreementSummary] {
        var summaries: [DisagreementSummary] = []
        for right in models.indices {
            for wrong in models.indices where wrong != right {
                let state = disagreements[right * models.count + wrong]
                summaries.append(DisagreementSummary(
                    rightModel: models[right], wrongModel: models[wrong], count: state.count,
                    exampleProbeIDs: state.sample.ids))
            }
        }
        return summaries
    }

    /// The rows findings and then disagreements cite, each once, up to the configured bound.
    private func citedExamples(findings: [Finding], disagreements: [DisagreementSummary]) -> [JudgedProbe] {
        let cited = findings.flatMap { finding in finding.exampleProbeIDs.map { (finding.model, $0) } }
            + disagreements.flatMap { summary in summary.exampleProbeIDs.map { (summary.wrongModel, $0) } }
        var seen = Set<RowKey>()
        var rows: [JudgedProbe] = []
        for (model, probeID) in cited where rows.count < configuration.maximumExampleRows {
            guard let index = modelIndex[model] else { continue }
            let key = RowKey(model: index, probeID: probeID)
            guard seen.insert(key).inserted, let row = citedRows[key] else { continue }
            rows.append(row)
        }
        return rows
    }

    private static func validate(_ configuration: Configuration) throws {
        func check(_ valid: Bool, _ field: String, _ value: Any, _ expected: String) throws {
            guard valid else {
                throw FailureAnalysisError.invalidConfiguration(field: field, value: "\(value)", expected: expected)
            }
        }
        try check(configuration.minimumSliceSize >= 1, "minimumSliceSize", configuration.minimumSliceSize, "at least 1")
        try check((0...1).contains(configuration.minimumEffect), "minimumEffect", configuration.minimumEffect, "0 to 1")
        try check(configuration.falseDiscoveryRate > 0 && configuration.falseDiscoveryRate < 1, "falseDiscoveryRate",
                  configuration.falseDiscoveryRate, "strictly between 0 and 1")
        try check(configuration.examplesPerFinding >= 0, "examplesPerFinding", configuration.examplesPerFinding, "0 or more")
        try check(configuration.maximumExampleRows >= 0, "maximumExampleRows", configuration.maximumExampleRows, "0 or more")
    }
}

// MARK: - Internal state

/// One model's totals.
private struct ModelState: Sendable {
    var judged = 0
    var errors = 0
    /// Non-error responses.
    var tally = Tally()
    var judges = Set<String>()

    mutating func add(_ row: JudgedProbe) {
        judged += 1
        judges.insert(row.judge)
        if row.outcome == .error {
            errors += 1
        } else {
            tally.add(correct: row.outcome == .correct, score: row.score)
        }
    }

    /// What "correct" means for this model's judges, for statements.
    var metricName: String {
        let verdictJudges = judges.filter { $0 != "runner" }
        return !verdictJudges.isEmpty && verdictJudges.allSatisfy { $0.contains("exact") } ? "exact match" : "correct"
    }
}

private struct DisagreementState: Sendable {
    var count = 0
    var sample: LowestProbeIDs

    init(sampleSize: Int) { sample = LowestProbeIDs(capacity: sampleSize) }
}

private struct FactorOfModel: Hashable {
    var model: Int
    var factor: String
}

/// A slice that was tested against the rest of its model's probes.
private struct TestedSlice {
    var model: Int
    var conditions: [FactorCondition]
    var slice: Tally
    var rest: Tally
    var failingIDs: [String]
    var pValue: Double
    var qValue: Double

    var effect: Double { slice.rate - rest.rate }

    /// A total order that does not depend on how the slices were found.
    func sortKey(_ scales: [String: FactorScale]) -> SortKey {
        SortKey(model: model, parts: conditions.map { condition in
            let relation = condition.relation == .equals ? 0 : condition.relation == .atLeast ? 1 : 2
            return (condition.factor, (scales[condition.factor]?.position(of: condition.level) ?? 0) * 3 + relation,
                    condition.level)
        })
    }

    /// Most negative effect first; ties by q-value, then by the slice's order.
    func rankKey(_ scales: [String: FactorScale]) -> RankKey {
        RankKey(effect: effect, qValue: qValue, order: sortKey(scales))
    }
}

/// Orders slices by model, then by each (factor, level position, level) in turn.
private struct SortKey: Comparable {
    var model: Int
    var parts: [(String, Int, String)]

    static func == (lhs: SortKey, rhs: SortKey) -> Bool { !(lhs < rhs) && !(rhs < lhs) }

    static func < (lhs: SortKey, rhs: SortKey) -> Bool {
        if lhs.model != rhs.model { return lhs.model < rhs.model }
        if lhs.parts.count != rhs.parts.count { return lhs.parts.count < rhs.parts.count }
        for (left, right) in zip(lhs.parts, rhs.parts) where left != right {
            return left < right
        }
        return false
    }
}

private struct RankKey: Comparable {
    var effect: Double
    var qValue: Double
    var order: SortKey

    static func < (lhs: RankKey, rhs: RankKey) -> Bool {
        if lhs.effect != rhs.effect { return lhs.effect < rhs.effect }
        if lhs.qValue != rhs.qValue { return lhs.qValue < rhs.qValue }
        return lhs.order < rhs.order
    }
}
