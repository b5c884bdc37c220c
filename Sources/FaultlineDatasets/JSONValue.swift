import Foundation

/// Any JSON value, decoded without losing the difference between `true`, `1` and `"1"`.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let list = try? container.decode([JSONValue].self) {
            self = .array(list)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses one JSON document; the error says where it is malformed.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw JSONSyntaxError(description: underlying ?? context.debugDescription)
        } catch {
            throw JSONSyntaxError(description: "\(error)")
        }
    }

    /// Text for a string, number or boolean (numbers without a needless ".0"); `nil` otherwise.
    var scalarText: String? {
        switch self {
        case .string(let text): text.trimmingCharacters(in: .whitespacesAndNewlines)
        case .number(let value):
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .bool(let flag): flag ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .number, .string: scalarText.map { "\"\($0)\"" } ?? ""
        case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object: "an object"
        }
    }
}

/// Why a line is not JSON.
struct JSONSyntaxError: Error, CustomStringConvertible {
    var description: String
}
