import FaultlineCore
import Foundation

/// Where a report's three files were written.
public struct ReportFiles: Sendable, Equatable {
    /// `report.json`, the machine-readable report (see `ReportDocument`).
    public var json: URL
    /// `report.md`.
    public var markdown: URL
    /// `report.html`, the self-contained page.
    public var html: URL

    public init(json: URL, markdown: URL, html: URL) {
        self.json = json
        self.markdown = markdown
        self.html = html
    }
}

/// Writes a run's report as JSON (for machines), Markdown (for a pull request or a terminal)
/// and one self-contained HTML page (for people).
///
/// The output is a pure function of the inputs: the same manifest, analysis and thumbnails
/// give byte-identical files. Timing varies between runs, so it appears only when passed.
public struct ReportWriter: Sendable {
    public static let jsonFileName = "report.json"
    public static let markdownFileName = "report.md"
    public static let htmlFileName = "report.html"

    /// Names the program in the reports, e.g. `faultline 0.1.0`.
    public var generator: String

    public init(generator: String = "faultline") {
        self.generator = generator
    }

    /// Writes `report.json`, `report.md` and `report.html` into `directory`, creating it if needed.
    ///
    /// - Parameter thumbnails: returns small PNG (or JPEG) bytes for a probe's image, or nil
    ///   when there is none; it is asked once per distinct image.
    public func write(
        manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil,
        thumbnails: ((ImageRef) -> Data?)? = nil, to directory: URL
    ) throws -> ReportFiles {
        let json = try jsonData(manifest: manifest, analysis: analysis, timing: timing)
        let markdown = Data(markdown(manifest: manifest, analysis: analysis, timing: timing).utf8)
        let html = Data(html(manifest: manifest, analysis: analysis, timing: timing, thumbnails: thumbnails).utf8)

        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError(
                kind: .cannotCreateDirectory, location: directory.path, reason: error.localizedDescription,
                remedy: "Choose another directory with --out, or make this path a writable directory.")
        }
        let files = ReportFiles(
            json: directory.appendingPathComponent(Self.jsonFileName),
            markdown: directory.appendingPathComponent(Self.markdownFileName),
            html: directory.appendingPathComponent(Self.htmlFileName))
        for (data, url) in [(json, files.json), (markdown, files.markdown), (html, files.html)] {
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw ReportError(
                    kind: .cannotWriteFile, location: url.path, reason: error.localizedDescription,
                    remedy: "Check that the directory is writable and the disk is not full, or choose another with --out.")
            }
        }
        return files
    }

    /// The report as a JSON document (see `ReportDocument` for the schema).
    public func document(manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil) -> ReportDocument {
        ReportDocument(generator: generator, manifest: manifest, analysis: analysis, timing: timing)
    }

    /// The bytes of `report.json`.
    public func jsonData(manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil) throws -> Data {
        try document(manifest: manifest, analysis: analysis, timing: timing).encoded()
    }

    /// The text of `report.md`.
    public func markdown(manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil) -> String {
        MarkdownReport(content: ReportContent(manifest: manifest, analysis: analysis, timing: timing)).render()
    }

    /// The text of `report.html`.
    public func html(
        manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil,
        thumbnails: ((ImageRef) -> Data?)? = nil
    ) -> String {
        HTMLReport(
            content: ReportContent(manifest: manifest, analysis: analysis, timing: timing),
            generator: generator, thumbnails: Thumbnails(provider: thumbnails)
        ).render()
    }
}
