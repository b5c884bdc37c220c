/// A text-only language model that Faultline's own audits may use as a helper (naming
/// failure groups, proposing new questions); never the model under audit.
public protocol LanguageModel: Sendable {
    /// The registry key it was made from.
    var key: String { get }
    /// Completes a system + user prompt.
    func complete(system: String?, user: String, parameters: DecodingParameters) async throws -> String
}

/// A prompt for one helper task: a system message and a user message with `{{name}}`
/// placeholders. Each task's template lives in its own file.
public struct PromptTemplate: Sendable, Equatable {
    /// The task, e.g. `name-failure-group`.
    public var task: String
    public var system: String
    public var user: String

    public init(task: String, system: String, user: String) {
        self.task = task
        self.system = system
        self.user = user
    }

    /// The placeholder names the template uses, sorted.
    public var placeholders: [String] {
        var names: Set<String> = []
        for text in [system, user] {
            var rest = Substring(text)
            while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
                names.insert(String(rest[open.upperBound..<close.lowerBound]))
                rest = rest[close.upperBound...]
            }
        }
        return names.sorted()
    }

    /// The system and user messages with every placeholder filled.
    ///
    /// - Throws: `PromptTemplateError` naming the task and the placeholders left unfilled.
    public func render(_ values: [String: String]) throws -> (system: String, user: String) {
        let missing = placeholders.filter { values[$0] == nil }
        guard missing.isEmpty else { throw PromptTemplateError(task: task, missing: missing) }
        func fill(_ text: String) -> String {
            values.reduce(text) { $0.replacingOccurrences(of: "{{\($1.key)}}", with: $1.value) }
        }
        return (fill(system), fill(user))
    }
}

/// A prompt rendered without a value for one of its placeholders.
public struct PromptTemplateError: Error, CustomStringConvertible, Equatable {
    public var task: String
    public var missing: [String]
    public var description: String {
        "prompt template '\(task)' needs values for: \(missing.joined(separator: ", "))"
    }
}
