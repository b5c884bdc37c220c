import Foundation

/// Stops sending to an endpoint that keeps failing: after `threshold` consecutive failed
/// attempts it opens and rejects calls at once for `cooldown`; then it lets one trial
/// attempt through (half-open), which closes it on success or reopens it on failure.
///
/// A deterministic server fault (a 500 on one image-heavy request) therefore fails fast
/// instead of being retried without end.
public actor CircuitBreaker {
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(trialInFlight: Bool)
    }

    public let threshold: Int
    public let cooldown: Duration
    public private(set) var state: State = .closed(consecutiveFailures: 0)
    private let clock = ContinuousClock()

    public init(threshold: Int, cooldown: Duration) {
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
    }

    /// Why an attempt may not be sent now.
    public enum Rejection: Sendable, Equatable, CustomStringConvertible {
        /// Open: the next trial is allowed after this long.
        case coolingDown(remaining: Duration)
        /// Half-open: the one trial attempt is in flight.
        case trialInFlight

        public var description: String {
            switch self {
            case .coolingDown(let remaining):
                let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) * 1e-18
                return "next trial in \(String(format: "%.1f", seconds)) s"
            case .trialInFlight:
                return "a trial request is testing the endpoint"
            }
        }
    }

    /// Asks to send one attempt: `nil` if allowed, else why not.
    public func admit() -> Rejection? {
        switch state {
        case .closed:
            return nil
        case .open(let until):
            let now = clock.now
            if now < until { return .coolingDown(remaining: until - now) }
            state = .halfOpen(trialInFlight: true)
            return nil
        case .halfOpen(let trialInFlight):
            if trialInFlight { return .trialInFlight }
            state = .halfOpen(trialInFlight: true)
            return nil
        }
    }

    /// Records an attempt the endpoint served.
    public func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
    }

    /// Records an attempt that says the endpoint is unhealthy.
    public func recordFailure() {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= threshold ? .open(until: clock.now + cooldown) : .closed(consecutiveFailures: failures + 1)
        case .halfOpen, .open:
            state = .open(until: clock.now + cooldown)
        }
    }

    /// Records an attempt that says nothing about the endpoint's health (a 429, a 400):
    /// a half-open trial that ended so lets the next trial through.
    public func recordNeutral() {
        if case .halfOpen = state { state = .halfOpen(trialInFlight: false) }
    }

    public var isOpen: Bool {
        if case .open(let until) = state { return clock.now < until }
        return false
    }
}
