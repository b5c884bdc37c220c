import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@Suite final class AbilitiesCommandTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-abilities-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: scratch) }

    @Test func theGeneratedSuiteScoresAllSixAbilitiesWithStability() async throws {
        let result = try await FaultlineProcess.run([
            "abilities", "--model", "double:echo", "--count", "240", "--seed", "4", "--store",
            scratch.appendingPathComponent("store").path, "--report-directory", scratch.appendingPathComponent("report").path,
        ])
        #expect(result.status == 0, "\(result.error)")
        for ability in Ability.perception { #expect(result.output.contains("  \(ability.rawValue) ")) }
        #expect(result.output.contains("stability (95% CI)"))
        let html = try String(contentsOf: scratch.appendingPathComponent("report/report.html"), encoding: .utf8)
        #expect(html.contains("id=\"abilities\""))
        #expect(html.contains("structured-data"))
    }

    @Test func aBenchmarkTSVRunsAndItsBadRowsAreReportedWithTheirLine() async throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let png = try PNGCodec.encode(RasterImage(width: 6, height: 6, channels: 3, fill: 200)).base64EncodedString()
        let rows = [
            "index\timage\tquestion\tA\tB\tC\tD\tanswer\tcategory",
            "0\t\(png)\tHow many circles?\t1\t2\t3\t4\tB\tobject counting",
            "1\t\(png)\tWhat colour is it?\tred\tgrey\tblue\tgreen\tB\tattribute_recognition",
            "2\tnot-base64!!\tWhere is it?\tleft\tright\tup\tdown\tA\tspatial_relationship",
            "3\t\(png)\tWhich shape?\tcircle\tsquare\tstar\thexagon\tE\tobject counting",
            "4\t\(png)\tRead the sign.\tSTOP\tGO\tWAIT\tYIELD\tA\tocr",
        ]
        let file = scratch.appendingPathComponent("bench.tsv")
        try (rows.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try await FaultlineProcess.run([
            "abilities", "--model", "double:echo", "--data", file.path, "--store", scratch.appendingPathComponent("store").path,
            "--no-report",
        ])
        #expect(result.status == 0, "\(result.error)")
        // Rows 2 and 3 (lines 4 and 5) are skipped with a located message; the three others run.
        #expect(result.error.contains("bench.tsv:4"))
        #expect(result.error.contains("bench.tsv:5"))
        #expect(result.output.contains("tsv-s7-n3-"))
        #expect(result.output.contains("counting"))
        #expect(result.output.contains("attribute"))
    }
}
