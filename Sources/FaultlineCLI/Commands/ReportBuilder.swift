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

    /// Streams the run's judged responses through the failure analysis.
    func analyse(runID: String) throws -> RunAnalysis {
        let models = try database.verdictCounts(runID: runID).keys.sorted()
        guard !models.isEmpty else {
            return RunAnalysis(
                models: [], singleFactorSlices: [], pairSlices: [], findings: [], disagreements: [], examples: [])
        }
        var analyzer = try FailureAnalyzer(models: models)
        try database.forEachJudgedProbe(runID: runID) { row in try analyzer.add(row) }
        return analyzer.analysis()
    }

    func write(runID: String, manifest: RunManifest, analysis: RunAnalysis, to directory: URL) throws -> ReportFiles {
        let images = database.images
        return try ReportWriter(generator: "faultline \(FaultlineVersion.current)").write(
            manifest: manifest, analysis: analysis,
            thumbnails: { ref in
                guard let image = try? images.image(for: ref) else { return nil }
                return try? PNGCodec.encode(image.thumbnail(maxSide: 160))
            }, to: directory)
    }
}
