import Foundation

/// RapidOCR's `config.yaml`, read as the two-level mapping it is: sections (`Global`, `Det`,
/// `Cls`, `Rec`) of `key: value` lines whose values are scalars or flow lists (`[3, 48, 192]`).
///
/// This is not a general YAML reader. It understands what that file uses — comments, quoted
/// strings, anchors (`&name value`) and aliases (`*name`) — and rejects anything else with the
/// line number, so a changed file fails loudly instead of being misread.
struct RapidOCRConfigFile: Sendable {
    enum Value: Sendable, Equatable {
        case scalar(String)
        case list([String])
    }

    let path: String
    private let sections: [String: [String: Value]]

    init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PaddleOCRError(
                location: url.path, message: "cannot read the RapidOCR settings file: \(error.localizedDescription)",
                remedy: "run `make setup` to install the PaddleOCR model files")
        }
        try self.init(text: text, path: url.path)
    }

    init(text: String, path: String) throws {
        self.path = path
        var sections: [String: [String: Value]] = [:]
        var anchors: [String: Value] = [:]
        var current: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = RapidOCRConfigFile.removingComment(String(rawLine))
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let indented = line.first == " " || line.first == "\t"
            guard let colon = line.firstIndex(of: ":") else {
                throw PaddleOCRError(location: "\(path):\(lineNumber)", message: "expected `key: value`, got '\(line)'")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let rest = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !indented {
                guard rest.isEmpty else {
                    throw PaddleOCRError(
                        location: "\(path):\(lineNumber)", message: "top-level key '\(key)' must open a section")
                }
                current = key
                sections[key, default: [:]] = sections[key] ?? [:]
                continue
            }
            guard let section = current else {
                throw PaddleOCRError(location: "\(path):\(lineNumber)", message: "indented key '\(key)' outside a section")
            }
            var valueText = rest
            var anchor: String?
            if valueText.hasPrefix("&") {
                let parts = valueText.dropFirst().split(separator: " ", maxSplits: 1)
                anchor = parts.first.map(String.init)
                valueText = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            }
            let value: Value
            if valueText.hasPrefix("*") {
                let name = String(valueText.dropFirst())
                guard let aliased = anchors[name] else {
                    throw PaddleOCRError(
                        location: "\(path):\(lineNumber)", message: "alias '*\(name)' names no earlier anchor")
                }
                value = aliased
            } else if valueText.hasPrefix("[") {
                guard valueText.hasSuffix("]") else {
                    throw PaddleOCRError(
                        location: "\(path):\(lineNumber)", message: "list for '\(key)' does not end with ']'")
                }
                let inner = valueText.dropFirst().dropLast()
                let items = inner.split(separator: ",").map { RapidOCRConfigFile.unquoted($0) }
                value = .list(inner.trimmingCharacters(in: .whitespaces).isEmpty ? [] : items)
            } else if valueText.isEmpty {
                throw PaddleOCRError(
                    location: "\(path):\(lineNumber)",
                    message: "key '\(key)' has no value (nested blocks are not used by this file)")
            } else {
                value = .scalar(RapidOCRConfigFile.unquoted(Substring(valueText)))
            }
            if let anchor { anchors[anchor] = value }
            sections[section, default: [:]][key] = value
        }
        self.sections = sections
    }

    func value(_ section: String, _ key: String) throws -> Value {
        guard let value = sections[section]?[key] else {
            throw PaddleOCRError(
                location: "\(path): \(section).\(key)", message: "the setting is missing",
                remedy: "run `make setup` to restore RapidOCR's config.yaml")
        }
        return value
    }

    func string(_ section: String, _ key: String) throws -> String {
        guard case .scalar(let text) = try value(section, key) else {
            throw PaddleOCRError(location: "\(path): \(section).\(key)", message: "expected a single value, found a list")
        }
        return text
    }

    func double(_ section: String, _ key: String) throws -> Double {
        let text = try string(section, key)
        guard let number = Double(text) else {
            throw PaddleOCRError(location: "\(path): \(section).\(key)", message: "expected a number, got '\(text)'")
        }
        return number
    }

    func int(_ section: String, _ key: String) throws -> Int {
        let text = try string(section, key)
        guard let number = Int(text) else {
            throw PaddleOCRError(location: "\(path): \(section).\(key)", message: "expected a whole number, got '\(text)'")
        }
        return number
    }

    func bool(_ section: String, _ key: String) throws -> Bool {
        switch try string(section, key).lowercased() {
        case "true": return true
        case "false": return false
        case let other:
            throw PaddleOCRError(location: "\(path): \(section).\(key)", message: "expected true or false, got '\(other)'")
        }
    }

    func list(_ section: String, _ key: String) throws -> [String] {
        guard case .list(let items) = try value(section, key) else {
            throw PaddleOCRError(location: "\(path): \(section).\(key)", message: "expected a list like [a, b]")
        }
        return items
    }

    func doubles(_ section: String, _ key: String, count: Int) throws -> [Double] {
        let items = try list(section, key)
        let numbers = items.compactMap(Double.init)
        guard numbers.count == items.count, numbers.count == count else {
            throw PaddleOCRError(
                location: "\(path): \(section).\(key)", message: "expected \(count) numbers, got \(items)")
        }
        return numbers
    }

    /// Drops a `#` comment that is not inside quotes.
    private static func removingComment(_ line: String) -> String {
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#" && (index == line.startIndex || line[line.index(before: index)] == " ") {
                return String(line[..<index])
            }
        }
        return line
    }

    private static func unquoted(_ text: Substring) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count >= 2, let first = trimmed.first, first == "'" || first == "\"", trimmed.last == first {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }
}
