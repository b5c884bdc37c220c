import Foundation

/// Why a zoo configuration was rejected: which field, what is wrong and what to do, and where
/// the file is when it was loaded from one.
public struct ZooConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the configuration came from, when it came from a file.
    public var file: String?
    /// The 1-based line of the field in that file, when it could be found.
    public var line: Int?
    /// The JSON path of the field at fault, e.g. `data.imageSize` or `plants[2].attribute`.
    public var field: String
    /// What is wrong and what to do about it.
    public var message: String

    public init(file: String? = nil, line: Int? = nil, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var location = ""
        if let file { location = line.map { "\(file):\($0): " } ?? "\(file): " }
        return "\(location)invalid zoo configuration: field `\(field)`: \(message)"
    }
}

/// Strict decoding shared by every configuration section: unknown fields are errors that name
/// the known ones, and decoding failures are reworded for the person who wrote the file.
enum StrictDecoding {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) {
            self.stringValue = String(intValue)
            self.intValue = intValue
        }
    }

    /// The dotted JSON path of a coding path, e.g. `plants[1].rate`.
    static func path(_ codingPath: [any CodingKey], appending field: String? = nil) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        if let field { text += text.isEmpty ? field : "." + field }
        return text
    }

    /// Throws for the first field (alphabetically) of the object being decoded that is not in `known`.
    static func rejectUnknownFields(in decoder: any Decoder, known: [String], section: String) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let knownSet = Set(known)
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !knownSet.contains($0) }) {
            throw ZooConfigurationError(
                field: path(decoder.codingPath, appending: unknown),
                message: "unknown field in \(section); the known fields are \(known.joined(separator: ", "))")
        }
    }

    /// Decodes an optional field, rewording type errors with `hint` (what to write instead).
    static func field<T: Decodable, Key: CodingKey>(
        _ container: KeyedDecodingContainer<Key>, _ key: Key, _ fallback: T, hint: String
    ) throws -> T {
        do {
            return try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        } catch let error as ZooConfigurationError {
            throw error
        } catch let error as DecodingError {
            throw ZooConfigurationError(
                field: path(container.codingPath, appending: key.stringValue),
                message: "cannot be read (\(explain(error))); \(hint)")
        }
    }

    static func explain(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): "expected \(typeName(type))"
        case .valueNotFound(let type, _): "expected \(typeName(type)), found null"
        case .dataCorrupted(let context): context.debugDescription
        case .keyNotFound(let key, _): "missing \(key.stringValue)"
        @unknown default: "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: type is any Collection.Type ? "a list" : "\(type)"
        }
    }
}
