import Foundation

/// A parsed backend key such as `ocr:tesseract`, `double:echo?delay=0.01` or
/// `openai:http://127.0.0.1:8080/v1#model`.
///
/// The family is the text before the first colon; options follow a `?` as `name=value`
/// pairs joined by `&` (for URL-bearing families the family's factory parses the rest).
public struct BackendSpec: Sendable, Hashable, CustomStringConvertible {
    public let raw: String
    public let family: String
    /// Everything after `family:`, options included.
    public let remainder: String
    /// The key without options, e.g. `double:echo`.
    public let name: String
    public let options: [String: String]

    public init(_ raw: String) {
        self.raw = raw
        let colon = raw.firstIndex(of: ":")
        family = colon.map { String(raw[..<$0]) } ?? raw
        remainder = colon.map { String(raw[raw.index(after: $0)...]) } ?? ""
        if let question = raw.firstIndex(of: "?") {
            name = String(raw[..<question])
            var options: [String: String] = [:]
            for pair in raw[raw.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                options[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            self.options = options
        } else {
            name = raw
            options = [:]
        }
    }

    public var description: String { raw }

    /// A numeric option, or a clear error naming the spec and the option.
    public func double(_ option: String, default value: Double) throws -> Double {
        guard let text = options[option] else { return value }
        guard let number = Double(text) else {
            throw BackendError("option '\(option)' of backend '\(raw)' must be a number, got '\(text)'")
        }
        return number
    }

    public func int(_ option: String, default value: Int) throws -> Int {
        guard let text = options[option] else { return value }
        guard let number = Int(text), number >= 0 else {
            throw BackendError("option '\(option)' of backend '\(raw)' must be a whole number ≥ 0, got '\(text)'")
        }
        return number
    }
}

/// A backend that cannot be made or cannot answer, worded for the person running Faultline.
public struct BackendError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
