import FaultlineCore
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
struct SuiteConfiguration: Codable, Equatable {
    var suite: String = "text"
    var count: Int = 2000
    var seed: UInt64 = 7
    var models: [String] = []
    var levels: TextFactorLevels?
    var decoding: DecodingParameters?

    static let knownSuites = ["text"]

    init() {}

    /// Every field is optional in the file; missing ones take the defaults above.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        suite = try container.decodeIfPresent(String.self, forKey: .suite) ?? suite
        count = try container.decodeIfPresent(Int.self, forKey: .count) ?? count
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        models = try container.decodeIfPresent([String].self, forKey: .models) ?? models
        levels = try container.decodeIfPresent(TextFactorLevels.self, forKey: .levels)
        decoding = try container.decodeIfPresent(DecodingParameters.self, forKey: .decoding)
    }

    /// The probe source the configuration names.
    func makeSource() throws -> any ProbeSource {
        switch suite {
        case "text": return TextProbeSource(count: count, seed: seed, levels: levels ?? .default)
        default:
            throw ConfigurationError(
                file: nil, line: nil, field: "suite",
                message: "unknown suite '\(suite)'; known suites: \(Self.knownSuites.joined(separator: ", "))")
        }
    }

    /// Whether the run is scored per ability (every suite but the OCR text suite).
    var isAbilityAudit: Bool { suite != "text" }

    /// A one-line description recorded in the run manifest.
    var summary: String { "\(suite) count=\(count) seed=\(seed)" }

    func validate(file: String?) throws {
        if count <= 0 {
            throw ConfigurationError(file: file, line: nil, field: "count", message: "must be at least 1, got \(count)")
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(levels ?? .default), as: UTF8.self)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
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
