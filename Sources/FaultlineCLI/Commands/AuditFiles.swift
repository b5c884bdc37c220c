import FaultlineCore
import Foundation

/// Where the audits that `rectify --from RUN` reads keep their results: next to the run store
/// (`STORE/audits/RUN.NAME.json`), so the id alone finds them; and the report files.
enum AuditFiles {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    static func url(name: String, runID: String, store: StoreOptions) -> URL {
        store.storeDirectory.appendingPathComponent("audits", isDirectory: true)
            .appendingPathComponent("\(runID).\(name).json")
    }

    static func save<T: Encodable>(_ value: T, name: String, runID: String, store: StoreOptions) throws {
        let url = url(name: name, runID: runID, store: store)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encode(value).write(to: url, options: .atomic)
    }

    /// Reads a saved audit result, with a message that says what to run when it is missing.
    static func load<T: Decodable>(_ type: T.Type, name: String, runID: String, store: StoreOptions) throws -> T {
        let url = url(name: name, runID: runID, store: store)
        guard let data = try? Data(contentsOf: url) else {
            throw RunFailure(
                "no \(name) audit named \(runID) in \(url.deletingLastPathComponent().path); run `faultline \(name) --model …` "
                    + "first and pass the run id it prints (or the same --store)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw RunFailure("\(url.path) is not a \(name) audit this version can read: \(error)")
        }
    }

    /// Writes `report.html` and `NAME.json` into `directory`.
    static func write(html: String, json: Data, name: String, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(html.utf8).write(to: directory.appendingPathComponent("report.html"), options: .atomic)
        try json.write(to: directory.appendingPathComponent("\(name).json"), options: .atomic)
    }
}
