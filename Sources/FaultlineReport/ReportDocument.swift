import FaultlineCore
import Foundation

/// The machine-readable report, `report.json`: the manifest and the analysis of one run.
///
/// Schema version 1. Keys are sorted and the text is pretty printed, so the same run gives
/// the same bytes. Field names are those of the Core types:
///
/// - `schemaVersion` (integer): 1. Raised when a field is removed or changes meaning;
///   readers should refuse versions they do not know.
/// - `generator` (string): the program that wrote the file, e.g. `faultline 0.1.0`.
/// - `manifest`: what was audited. `runID`; `suite` (the probe source and its settings);
///   `seed`; `probeCount`; `models` (list of `key`, the registry key, and `fingerprint`,
///   which identifies exact weights and settings); `faultlineVersion` (the version that ran).
/// - `analysis`: what the run shows.
///   - `models`: one summary per model: `model`, `judged`, `correct`, `wrong`, `errors`,
///     `accuracy` (exact match over the probes that did not error), `meanScore` (the mean
///     graded score, for OCR 1 − CER).
///   - `singleFactorSlices`, `pairSlices`: accuracy of a `model` on the probes whose factors
///     take the levels in `slice` (an object factor → level, one or two entries), with `meanScore`.
///   - `findings`, most important first: `id`, `model`, `slice`, `sliceAccuracy` and
///     `restAccuracy` (the model's other probes), `effect` (slice rate − rest rate),
///     `pValue` (two-sided), `qValue` (Benjamini–Hochberg), `statement` (in words),
///     `exampleProbeIDs`.
///   - `disagreements`: `rightModel`, `wrongModel`, `count` and `exampleProbeIDs` of the
///     probes where the first was right and the second wrong.
///   - `examples`: the judged responses that findings and disagreements cite: `probeID`,
///     `modelKey`, `ability`, `prompt`, `expected`, `response` (model output, untrusted),
///     `outcome` (`correct`, `wrong` or `error`), `score`, `judge`, `detail`, `factors`,
///     `image` (`sha256`, `width`, `height` of the probe's first image), `latencySeconds`.
///   - Every accuracy is a proportion: `successes`, `total`, `rate`, and `low`/`high`, the
///     bounds of the 95% Wilson score interval.
/// - `timing` (present only when the caller supplied it; it varies between runs):
///   `wallSeconds` and per model `model`, `responses`, `p50LatencySeconds`,
///   `p95LatencySeconds`, `probesPerSecond`.
///
/// Numbers: integers are written exactly (`seed` may exceed 2^53, beyond what a JavaScript
/// number holds); fractions in the shortest form that reads back as the same `Double`; a
/// non-finite value as the string `"NaN"`, `"Infinity"` or `"-Infinity"`.
public struct ReportDocument: Codable, Sendable, Equatable {
    /// The schema version this library writes and the newest it reads.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var generator: String
    public var manifest: RunManifest
    public var analysis: RunAnalysis
    public var timing: RunTiming?

    public init(generator: String, manifest: RunManifest, analysis: RunAnalysis, timing: RunTiming? = nil) {
        self.schemaVersion = Self.currentSchemaVersion
        self.generator = generator
        self.manifest = manifest
        self.analysis = analysis
        self.timing = timing
    }

    /// The document as sorted, pretty-printed JSON followed by a newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = Self.nonFiniteStrategy.encoding
        do {
            var data = try encoder.encode(self)
            data.append(0x0A)
            return data
        } catch let error as EncodingError {
            let (path, reason) = Self.describe(error)
            throw ReportError(
                kind: .cannotEncode, location: path, reason: reason,
                remedy: "This is a bug in the analysis that produced the value; please report it with the run id.")
        }
    }

    /// Reads a document that `encoded()` wrote, refusing schema versions newer than this library's.
    public static func decode(from data: Data, source: String = "report.json") throws -> ReportDocument {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = nonFiniteStrategy.decoding
        struct VersionOnly: Decodable { var schemaVersion: Int }
        do {
            let version = try decoder.decode(VersionOnly.self, from: data).schemaVersion
            guard version <= currentSchemaVersion else {
                throw ReportError(
                    kind: .unsupportedSchemaVersion, location: "\(source): schemaVersion",
                    reason: "the file has schema version \(version), this Faultline reads up to \(currentSchemaVersion)",
                    remedy: "Read it with a newer Faultline, or rebuild the report with `faultline report RUN-ID`.")
            }
            return try decoder.decode(ReportDocument.self, from: data)
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw ReportError(
                kind: .cannotDecode, location: "\(source): \(path)", reason: reason,
                remedy: "Rebuild the report with `faultline report RUN-ID`; report.json is generated, not edited by hand.")
        }
    }

    private static let nonFiniteStrategy = (
        encoding: JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN"),
        decoding: JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    )

    private static func path(_ codingPath: [any CodingKey]) -> String {
        let text = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        return text.isEmpty ? "(top level)" : String(text.drop(while: { $0 == "." }))
    }

    private static func describe(_ error: EncodingError) -> (String, String) {
        switch error {
        case let .invalidValue(value, context):
            return (path(context.codingPath), "invalid value \(value): \(context.debugDescription)")
        @unknown default:
            return ("(unknown)", "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        switch error {
        case let .typeMismatch(type, context):
            return (path(context.codingPath), "expected \(type): \(context.debugDescription)")
        case let .valueNotFound(type, context):
            return (path(context.codingPath), "missing value of type \(type): \(context.debugDescription)")
        case let .keyNotFound(key, context):
            return (path(context.codingPath + [key]), "missing key '\(key.stringValue)'")
        case let .dataCorrupted(context):
            let underlying = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            return (path(context.codingPath), "not valid JSON: \(context.debugDescription)\(underlying)")
        @unknown default:
            return ("(unknown)", "\(error)")
        }
    }
}
