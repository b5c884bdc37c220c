import FaultlineAudits
import FaultlineCore
import FaultlineImageIO
import FaultlineReport
import FaultlineStore
import Foundation

/// Rebuilds a run's analysis from its stored verdicts and writes its report: the shared last
/// step of `run` and `report`.
struct ReportBuilder {
    let database: AuditDatabase

    /// Streams the run's judged responses through the failure analysis, and gathers each
    /// model's response latencies and token usage on the side.
    ///
    /// Latency is kept out of the analysis (and so out of the report unless timing is asked
    /// for): it differs between runs, and the same seed must give the same report bytes.
    func analyse(runID: String, abilities: Bool) throws -> (analysis: RunAnalysis, usage: [String: RunTiming.ResponseUsage]) {
        let models = try database.verdictCounts(runID: runID).keys.sorted()
        guard !models.isEmpty else {
            let empty = RunAnalysis(
                models: [], singleFactorSlices: [], pairSlices: [], findings: [], disagreements: [], examples: [])
            return (empty, [:])
        }
        var analyzer = try FailureAnalyzer(models: models)
        var abilityAnalyzer = AbilityAnalyzer()
        var usage: [String: RunTiming.ResponseUsage] = [:]
        try database.forEachJudgedProbe(runID: runID) { row in
            if row.outcome != .error {
                usage[row.modelKey, default: .init()].add(
                    latencySeconds: row.latencySeconds, promptTokens: row.promptTokens,
                    completionTokens: row.completionTokens)
            }
            var row = row
            row.latencySeconds = 0
            row.promptTokens = nil
            row.completionTokens = nil
            try analyzer.add(row)
            if abilities { abilityAnalyzer.add(row) }
        }
        var analysis = analyzer.analysis()
        if abilities { analysis.abilities = abilityAnalyzer.scores() }
        return (analysis, usage)
    }

    /// Per-model latency percentiles and token usage (the wall time of a run is not stored,
    /// so throughput is left at 0 here).
    static func timing(_ usage: [String: RunTiming.ResponseUsage]) -> RunTiming {
        RunTiming(
            models: usage.keys.sorted().map { model in
                RunTiming.ModelTiming(model: model, usage: usage[model] ?? .init(), wallSeconds: 0)
            }, wallSeconds: 0)
    }

    func write(
        runID: String, manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil, to directory: URL
    ) throws -> ReportFiles {
        let images = database.images
        return try ReportWriter(generator: "faultline \(FaultlineVersion.current)").write(
            manifest: manifest, analysis: analysis, timing: timing,
            thumbnails: { ref in
                guard let image = try? images.image(for: ref) else { return nil }
                return try? PNGCodec.encode(image.thumbnail(maxSide: 160))
            }, to: directory)
    }
}
