import FaultlineCore
import FaultlineDatasets
import FaultlineScenes
import Foundation

/// A run's configuration file (JSON): which probes to generate and which models to audit.
///
/// ```json
/// {
///   "suite": "text",
///   "count": 2000,
///   "seed": 7,
///   "models": ["ocr:paddle", "ocr:tesseract"],
///   "levels": { … optional: the text renderer's factor levels … },
///   "decoding": { "temperature": 0, "maxTokens": 64, "seed": 0 }
/// }
/// ```
///
/// Suites: `text` (rendered OCR probes), `abilities` (the scene engine's six-ability suite;
/// field `abilities` configures it), `language` (text-only multiple-choice questions about
/// facts, arithmetic and words, for language models), and real data: `tsv` (a VLMEvalKit TSV at `path`),
/// `jsonl` (JSON lines at `path`), `easy-vqa` (`split`: test or train). For data sets,
/// `count` caps how many rows are used, and `mapping` names a JSON file of category →
/// ability names that extends the built-in mapping.
struct SuiteConfiguration: Codable, Equatable {
    var suite: String = "text"
    /// Probes to generate; for data sets, the most rows to use (all when absent).
    var count: Int?
    var seed: UInt64 = 7
    var models: [String] = []
    var levels: TextFactorLevels?
    var abilities: AbilitySuiteConfiguration?
    var path: String?
    var mapping: String?
    var split: String?
    var decoding: DecodingParameters?

    static let knownSuites = ["text", "abilities", "language", "tsv", "jsonl", "easy-vqa"]

    init() {}

    /// Every field is optional in the file; missing ones take the defaults above.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        suite = try container.decodeIfPresent(String.self, forKey: .suite) ?? suite
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        models = try container.decodeIfPresent([String].self, forKey: .models) ?? models
        levels = try container.decodeIfPresent(TextFactorLevels.self, forKey: .levels)
        abilities = try container.decodeIfPresent(AbilitySuiteConfiguration.self, forKey: .abilities)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        mapping = try container.decodeIfPresent(String.self, forKey: .mapping)
        split = try container.decodeIfPresent(String.self, forKey: .split)
        decoding = try container.decodeIfPresent(DecodingParameters.self, forKey: .decoding)
    }

    /// The probe source the configuration names. Data-set sources report their bad rows
    /// through `problems` (line, field, message) and skip them.
    func makeSource() throws -> (source: any ProbeSource, problems: [String]) {
        switch suite {
        case "text":
            return (TextProbeSource(count: generatedCount, seed: seed, levels: levels ?? .default), [])
        case "abilities":
            do {
                return (try AbilitySuite(validatingCount: generatedCount, seed: seed, configuration: abilities ?? .init()), [])
            } catch {
                throw ConfigurationError(file: nil, line: nil, field: "abilities.\(error.field)", message: error.message)
            }
        case "language":
            return (LanguageProbeSource(count: generatedCount, seed: seed), [])
        case "tsv":
            let source = try VLMEvalKitTSVSource(file: try dataFile(), mapping: try abilityMapping())
            return (LimitedSource(base: source, limit: count ?? .max),
                    source.problems.map(\.description) + Self.unmapped(source.unmappedCategories, in: source.file))
        case "jsonl":
            let source = try JSONLSource(file: try dataFile(), mapping: try abilityMapping())
            return (LimitedSource(base: source, limit: count ?? .max),
                    source.problems.map(\.description) + Self.unmapped(source.unmappedCategories, in: source.file))
        case "easy-vqa":
            guard let split = EasyVQASource.Split(rawValue: split ?? "test") else {
                throw ConfigurationError(file: nil, line: nil, field: "split", message: "easy-VQA splits are test and train, got '\(split ?? "")'")
            }
            let directory = FaultlineHome.directory.appendingPathComponent("data/easy-vqa", isDirectory: true)
            let source = try EasyVQASource(directory: directory, split: split, limit: count)
            return (source, source.problems.map(\.description))
        default:
            throw ConfigurationError(
                file: nil, line: nil, field: "suite",
                message: "unknown suite '\(suite)'; known suites: \(Self.knownSuites.joined(separator: ", "))")
        }
    }

    private static func unmapped(_ categories: [String: Int], in file: URL) -> [String] {
        categories.sorted { $0.key < $1.key }.map {
            "\(file.path): category '\($0.key)' (\($0.value) rows) maps to no ability; add it to a --mapping file"
        }
    }

    private func dataFile() throws -> URL {
        guard let path else {
            throw ConfigurationError(file: nil, line: nil, field: "path", message: "the \(suite) suite needs the data file's path (--data FILE)")
        }
        return URL(fileURLWithPath: path)
    }

    private func abilityMapping() throws -> AbilityMapping {
        guard let mapping else { return .default }
        return try AbilityMapping.loading(from: URL(fileURLWithPath: mapping))
    }

    /// What identifies the data a run reads: the configuration, the defaults it left out, and
    /// for files their size and modification time (hashing a multi-gigabyte TSV would cost
    /// more than the audit).
    func identity() throws -> String {
        var text = try json() + effectiveLevelsJSON()
        if suite == "abilities" {
            text += try Self.sortedJSON(abilities ?? AbilitySuiteConfiguration())
        }
        for file in [path, mapping].compactMap({ $0 }) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            text += "|\(file)|\(size)|\(modified)"
        }
        return text
    }

    /// Whether the run is scored per ability (every suite but the OCR text suite).
    var isAbilityAudit: Bool { suite != "text" }

    /// A one-line description recorded in the run manifest.
    var summary: String {
        switch suite {
        case "text", "abilities", "language": return "\(suite) count=\(generatedCount) seed=\(seed)"
        default:
            let file = path.map { " " + URL(fileURLWithPath: $0).lastPathComponent } ?? ""
            return "\(suite)\(file)\(split.map { " split=\($0)" } ?? "")\(count.map { " limit=\($0)" } ?? "")"
        }
    }

    /// How many probes a generated suite makes.
    var generatedCount: Int { count ?? 2000 }

    func validate(file: String?) throws {
        if let count, count <= 0 {
            throw ConfigurationError(file: file, line: nil, field: "count", message: "must be at least 1, got \(count)")
        }
        if ["tsv", "jsonl"].contains(suite), path == nil {
            throw ConfigurationError(file: file, line: nil, field: "path", message: "the \(suite) suite needs a data file: set \"path\" or pass --data FILE")
        }
        if !Self.knownSuites.contains(suite) {
            throw ConfigurationError(
                file: file, line: nil, field: "suite",
                message: "unknown suite '\(suite)'; known suites: \(Self.knownSuites.joined(separator: ", "))")
        }
    }

    /// Reads and validates a configuration file; errors name the file, the line where it can
    /// be found and the field.
    static func load(from url: URL) throws -> SuiteConfiguration {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigurationError(file: url.path, line: nil, field: nil, message: "cannot read the file")
        }
        let configuration: SuiteConfiguration
        do {
            configuration = try JSONDecoder().decode(SuiteConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(decoding: error, file: url.path, text: String(decoding: data, as: UTF8.self))
        } catch let error as TextFactorLevelsError {
            let text = String(decoding: data, as: UTF8.self)
            let line = text.range(of: "\"\(error.field)\"").map { text[..<$0.lowerBound].filter { $0 == "\n" }.count + 1 }
            throw ConfigurationError(file: url.path, line: line, field: "levels.\(error.field)", message: error.message)
        }
        try configuration.validate(file: url.path)
        return configuration
    }

    /// The factor levels the suite will use, defaults included, as JSON.
    func effectiveLevelsJSON() throws -> String {
        try Self.sortedJSON(levels ?? .default)
    }

    func json() throws -> String {
        try Self.sortedJSON(self)
    }

    /// Sorted-key JSON, so that the same configuration always gives the same text (and run id).
    private static func sortedJSON<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A configuration that cannot be used: where, which field, and what to do.
struct ConfigurationError: Error, CustomStringConvertible {
    var file: String?
    var line: Int?
    var field: String?
    var message: String

    var description: String {
        var place = file ?? "configuration"
        if let line { place += ":\(line)" }
        if let field { place += " (field '\(field)')" }
        return "\(place): \(message)"
    }

    init(file: String?, line: Int?, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// Turns a decoding error into a located message: JSON syntax errors carry their line;
    /// type errors carry the coding path, whose last key is searched for in the text.
    init(decoding error: DecodingError, file: String, text: String) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        func line(of key: (any CodingKey)?) -> Int? {
            guard let name = key?.stringValue, key?.intValue == nil,
                let range = text.range(of: "\"\(name)\"")
            else { return nil }
            return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        }
        self.file = file
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            let detail = underlying ?? context.debugDescription
            var foundLine: Int? = nil
            if let match = detail.range(of: #"line (\d+)"#, options: .regularExpression) {
                foundLine = Int(detail[match].dropFirst(5))
            }
            self.line = foundLine ?? line(of: context.codingPath.last)
            self.field = context.codingPath.isEmpty ? nil : path(context.codingPath)
            self.message = "not valid JSON or not a valid value: \(detail). Fix the file and run again."
        case .typeMismatch(let type, let context):
            self.line = line(of: context.codingPath.last)
            self.field = path(context.codingPath)
            self.message = "expected \(Self.describe(type)); \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            self.line = line(of: context.codingPath.last)
            self.field = path(context.codingPath)
            self.message = "missing a value of type \(Self.describe(type))"
        case .keyNotFound(let key, let context):
            self.line = line(of: context.codingPath.last)
            self.field = path(context.codingPath + [key])
            self.message = "required field is missing"
        @unknown default:
            self.line = nil
            self.field = nil
            self.message = "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}
