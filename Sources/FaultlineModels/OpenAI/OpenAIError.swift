import Foundation

/// Why a call to an OpenAI-compatible server failed, worded for the person running Faultline.
///
/// Messages name the endpoint and carry at most the first 200 characters of a response body,
/// with the API key (if a server echoes it) replaced by `[redacted]`.
public struct OpenAIError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server answered with this HTTP status.
        case httpStatus(Int)
        /// The body was not the JSON the API documents (garbage, truncated, missing fields).
        case malformedResponse
        /// One attempt took longer than the spec's `timeout`.
        case timeout
        /// The connection failed or closed before a complete response.
        case connection
        /// The endpoint's circuit breaker is open; no request was sent.
        case circuitOpen
        /// The server asked to wait longer than `max_retry_after`.
        case retryAfterTooLong
        /// The API key variable named by `key_env` is not set.
        case missingAPIKey
        /// The server answered, but not with what was asked (no choices, wrong count).
        case unexpectedContent
    }

    public let kind: Kind
    public let description: String
    /// How many HTTP attempts were made before giving up (0 when none was sent).
    public let attempts: Int

    public init(_ kind: Kind, _ description: String, attempts: Int = 0) {
        self.kind = kind
        self.description = description
        self.attempts = attempts
    }

    /// The same error, reporting how many attempts were made in all.
    func after(attempts: Int) -> OpenAIError {
        guard attempts > 1 else { return OpenAIError(kind, description, attempts: attempts) }
        return OpenAIError(kind, description + " (gave up after \(attempts) attempts)", attempts: attempts)
    }

    /// Whether another attempt may succeed.
    var isRetryable: Bool {
        switch kind {
        case .httpStatus(let status): return [429, 500, 502, 503, 504].contains(status)
        case .timeout, .connection: return true
        case .malformedResponse, .circuitOpen, .retryAfterTooLong, .missingAPIKey, .unexpectedContent: return false
        }
    }

    /// Whether the failure says the endpoint is unhealthy (as opposed to busy or the request wrong).
    var countsAgainstEndpoint: Bool {
        switch kind {
        case .httpStatus(let status): return status >= 500
        case .timeout, .connection, .malformedResponse: return true
        case .circuitOpen, .retryAfterTooLong, .missingAPIKey, .unexpectedContent: return false
        }
    }

    /// The first 200 characters of a body, printable, with the secret removed.
    static func excerpt(_ body: [UInt8], redacting secret: String?) -> String {
        var text = String(decoding: body.prefix(4096), as: UTF8.self)
        if let secret, !secret.isEmpty { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
        let cleaned = text.map { $0.isNewline ? " " : $0 }
        let head = String(cleaned.prefix(200))
        if body.isEmpty { return "(empty body)" }
        return "\"" + head + (cleaned.count > 200 ? "…" : "") + "\""
    }
}
