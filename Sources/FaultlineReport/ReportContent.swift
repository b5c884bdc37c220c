import FaultlineCore
import Foundation

/// The report's inputs arranged for rendering: models in a fixed order, factors and their
/// levels in natural order, and lookups for the examples that findings cite. Every list here
/// is sorted explicitly, because dictionary order differs between processes and the report
/// must not.
struct ReportContent {
    let manifest: RunManifest
    let analysis: RunAnalysis
    let timing: RunTiming?

    /// Models as the manifest lists them, then any others the analysis mentions.
    let modelOrder: [String]
    let summaries: [ModelSummary]
    let factors: [FactorTable]
    let heatMap: HeatMapChoice?
    private let examplesByKey: [ExampleKey: JudgedProbe]

    struct ExampleKey: Hashable {
        var probeID: String
        var model: String
    }

    /// Accuracy per level of one factor, per model.
    struct FactorTable {
        var name: String
        var levels: [String]
        /// level → model → stat
        var stats: [String: [String: SliceStat]]
    }

    /// The pair of factors drawn as heat maps, and why it was chosen.
    struct HeatMapChoice {
        var rowFactor: String
        var columnFactor: String
        var rowLevels: [String]
        var columnLevels: [String]
        /// model → (row level, column level) → stat
        var cells: [String: [CellKey: SliceStat]]
        /// The finding whose slice is outlined, if any.
        var finding: Finding?
        var reason: String
    }

    struct CellKey: Hashable {
        var row: String
        var column: String
    }

    init(manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming?) {
        self.manifest = manifest
        self.analysis = analysis
        self.timing = timing

        var order: [String] = []
        var seen: Set<String> = []
        func add(_ model: String) {
            if seen.insert(model).inserted { order.append(model) }
        }
        manifest.models.forEach { add($0.key) }
        analysis.models.forEach { add($0.model) }
        // Models that appear only in slices, findings or examples: natural order, not
        // dictionary order, so the colours stay put.
        let stragglers = Set(analysis.singleFactorSlices.map(\.model) + analysis.pairSlices.map(\.model)
            + analysis.findings.map(\.model) + analysis.examples.map(\.modelKey)
            + analysis.disagreements.flatMap { [$0.rightModel, $0.wrongModel] })
        LevelOrder.sorted(stragglers.subtracting(seen)).forEach(add)
        modelOrder = order

        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        summaries = analysis.models.enumerated()
            .sorted { (rank[$0.element.model] ?? 0, $0.offset) < (rank[$1.element.model] ?? 0, $1.offset) }
            .map(\.element)

        factors = Self.factorTables(analysis.singleFactorSlices)
        heatMap = Self.chooseHeatMap(analysis: analysis)

        var examples: [ExampleKey: JudgedProbe] = [:]
        for example in analysis.examples {
            let key = ExampleKey(probeID: example.probeID, model: example.modelKey)
            if examples[key] == nil { examples[key] = example }
        }
        examplesByKey = examples
    }

    /// The position of a model in the report, which also picks its colour.
    func modelIndex(_ model: String) -> Int {
        modelOrder.firstIndex(of: model) ?? 0
    }

    func fingerprint(of model: String) -> String? {
        manifest.models.first { $0.key == model }?.fingerprint
    }

    func example(probeID: String, model: String) -> JudgedProbe? {
        examplesByKey[ExampleKey(probeID: probeID, model: model)]
    }

    /// Every model's judged response to a probe, in model order.
    func examples(probeID: String) -> [JudgedProbe] {
        modelOrder.compactMap { example(probeID: probeID, model: $0) }
    }

    /// The first stored response to a probe by any model, for its image, prompt and expected answer.
    func anyExample(probeID: String, preferring model: String) -> JudgedProbe? {
        example(probeID: probeID, model: model) ?? examples(probeID: probeID).first
    }

    /// `rotation = 20°, font = serif`, factors in natural order.
    static func describe(slice: [String: String]) -> String {
        LevelOrder.sorted(slice.keys).map { "\($0) = \(slice[$0] ?? "")" }.joined(separator: ", ")
    }

    private static func factorTables(_ slices: [SliceStat]) -> [FactorTable] {
        var stats: [String: [String: [String: SliceStat]]] = [:]
        for stat in slices where stat.slice.count == 1 {
            guard let (factor, level) = stat.slice.first else { continue }
            // The analysis gives one row per (model, factor, level); keep the first if not.
            if stats[factor]?[level]?[stat.model] == nil {
                stats[factor, default: [:]][level, default: [:]][stat.model] = stat
            }
        }
        return LevelOrder.sorted(stats.keys).map { factor in
            let byLevel = stats[factor] ?? [:]
            return FactorTable(name: factor, levels: LevelOrder.sorted(byLevel.keys), stats: byLevel)
        }
    }

    /// Picks the pair of factors whose heat map best shows a failure: the pair of the most
    /// important finding about a pair; failing that, of the pairs that contain the factor of
    /// the most important finding, the one whose cells differ most for that finding's model;
    /// failing that, the pair whose cells differ most over all models.
    private static func chooseHeatMap(analysis: RunAnalysis) -> HeatMapChoice? {
        struct Pair: Hashable {
            var first: String
            var second: String
        }
        var cellsByPair: [Pair: [SliceStat]] = [:]
        for stat in analysis.pairSlices where stat.slice.count == 2 {
            let names = LevelOrder.sorted(stat.slice.keys)
            cellsByPair[Pair(first: names[0], second: names[1]), default: []].append(stat)
        }
        guard !cellsByPair.isEmpty else { return nil }
        let pairs = cellsByPair.keys.sorted {
            LevelOrder.precedes($0.first, $1.first) || ($0.first == $1.first && LevelOrder.precedes($0.second, $1.second))
        }
        func spread(_ pair: Pair, model: String?) -> Double {
            let rates = (cellsByPair[pair] ?? [])
                .filter { $0.accuracy.total > 0 && (model == nil || $0.model == model) }
                .map(\.accuracy.rate)
            guard let low = rates.min(), let high = rates.max() else { return -1 }
            return high - low
        }
        func widest(_ candidates: [Pair], model: String?) -> Pair? {
            // max(by:) keeps the last of equals; iterate reversed so ties go to the first in order.
            candidates.reversed().max { spread($0, model: model) < spread($1, model: model) }
        }

        var chosen: Pair?
        var finding: Finding?
        var reason = ""
        if let pairFinding = analysis.findings.first(where: { finding in
            finding.slice.count == 2 && cellsByPair[Pair(
                first: LevelOrder.sorted(finding.slice.keys)[0], second: LevelOrder.sorted(finding.slice.keys)[1])] != nil
        }) {
            let names = LevelOrder.sorted(pairFinding.slice.keys)
            chosen = Pair(first: names[0], second: names[1])
            finding = pairFinding
            reason = "Finding \(pairFinding.id) is about this pair of factors; its cell is outlined."
        } else if let top = analysis.findings.first, top.slice.count == 1, let factor = top.slice.keys.first,
            let pair = widest(pairs.filter { $0.first == factor || $0.second == factor }, model: top.model)
        {
            chosen = pair
            finding = top
            reason = "No finding is about a pair of factors. This pair contains the factor of finding \(top.id) "
                + "and shows the widest spread of accuracy for \(top.model); that finding's cells are outlined."
        } else if let pair = widest(pairs, model: nil) {
            chosen = pair
            reason = "No finding points at a pair of factors; this is the pair whose cells differ most in accuracy."
        }
        guard let pair = chosen else { return nil }

        var cells: [String: [CellKey: SliceStat]] = [:]
        var rowLevels: Set<String> = [], columnLevels: Set<String> = []
        for stat in cellsByPair[pair] ?? [] {
            guard let row = stat.slice[pair.first], let column = stat.slice[pair.second] else { continue }
            rowLevels.insert(row)
            columnLevels.insert(column)
            let key = CellKey(row: row, column: column)
            if cells[stat.model]?[key] == nil { cells[stat.model, default: [:]][key] = stat }
        }
        return HeatMapChoice(
            rowFactor: pair.first, columnFactor: pair.second,
            rowLevels: LevelOrder.sorted(rowLevels), columnLevels: LevelOrder.sorted(columnLevels),
            cells: cells, finding: finding, reason: reason)
    }
}
