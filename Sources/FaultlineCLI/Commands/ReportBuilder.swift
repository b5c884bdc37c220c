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
    /// model's response latencies on the side.
    ///
    /// Latency is kept out of the analysis (and so out of the report unless timing is asked
    /// for): it differs between runs, and the same seed must give the same report bytes.
    func analyse(runID: String, abilities: Bool) throws -> (analysis: RunAnalysis, latencies: [String: [Double]]) {
        let models = try database.verdictCounts(runID: runID).keys.sorted()
        guard !models.isEmpty else {
            let empty = RunAnalysis(
                models: [], singleFactorSlices: [], pairSlices: [], findings: [], disagreements: [], examples: [])
            return (empty, [:])
        }
        var analyzer = try FailureAnalyzer(models: models)
        var abilityAnalyzer = AbilityAnalyzer()
        var latencies: [String: [Double]] = [:]
        try database.forEachJudgedProbe(runID: runID) { row in
            if row.outcome != .error { latencies[row.modelKey, default: []].append(row.latencySeconds) }
            var row = row
            row.latencySeconds = 0
            try analyzer.add(row)
            if abilities { abilityAnalyzer.add(row) }
        }
        var analysis = analyzer.analysis()
        if abilities { analysis.abilities = abilityAnalyzer.scores() }
        return (analysis, latencies)
    }

    /// Per-model latency percentiles (the wall time of a run is not stored, so throughput is
    /// left at 0 here).
    static func timing(_ latencies: [String: [Double]]) -> RunTiming {
        RunTiming(
            models: latencies.keys.sorted().map { model in
                RunTiming.ModelTiming(model: model, latenciesSeconds: latencies[model] ?? [], wallSeconds: 0)
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
