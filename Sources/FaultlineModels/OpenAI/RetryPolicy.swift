import Foundation

/// How long to wait between attempts: exponential backoff with full jitter, unless the
/// server said when to come back (`Retry-After`).
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt; attempts never exceed `maxRetries + 1`.
    public var maxRetries: Int
    public var baseSeconds: Double
    public var maxSeconds: Double
    /// The longest `Retry-After` honoured; longer requests fail instead of stalling a run.
    public var maxRetryAfterSeconds: Double

    public init(maxRetries: Int, baseSeconds: Double, maxSeconds: Double, maxRetryAfterSeconds: Double) {
        self.maxRetries = maxRetries
        self.baseSeconds = baseSeconds
        self.maxSeconds = maxSeconds
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
    }

    /// The wait before retry number `retry` (0 for the first retry): uniform in
    /// [0, min(max, base·2^retry)] ("full jitter", which spreads synchronised clients apart),
    /// or the server's `Retry-After` when it gave one.
    public func delay(beforeRetry retry: Int, retryAfter: Double?, unitRandom: Double) -> Double {
        if let retryAfter { return max(0, retryAfter) }
        let ceiling = min(maxSeconds, baseSeconds * pow(2, Double(min(retry, 62))))
        return ceiling * min(max(unitRandom, 0), 1)
    }

    /// Reads a `Retry-After` value: delta-seconds (`"1"`, `"0.5"`) or an HTTP date
    /// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), as seconds from `now`; `nil` if unreadable.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return max(0, seconds) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}
