import Foundation

/// An adaptive limit on requests in flight to one endpoint (additive increase,
/// multiplicative decrease), as TCP does for its window and promptfoo for API calls.
///
/// The limit starts at `maximum` and stays within 1…`maximum`. Each successful attempt adds
/// `1/limit` (so about +1 per limit's worth of successes); a 429, or a success slower than
/// `latencyFactor` times the running median latency, halves it. Only one decrease is taken
/// per congestion episode: attempts admitted before the last decrease were sent at the old
/// limit, so their 429s say nothing new and are ignored.
public actor AIMDLimiter {
    /// What an attempt reports when it releases its slot.
    public enum Outcome: Sendable {
        case success(latencySeconds: Double)
        case rateLimited
        /// The attempt failed for another reason; the limit is kept.
        case other
    }

    /// A held slot; give it back with `release`.
    public struct Permit: Sendable {
        let epoch: Int
    }

    public let maximum: Int
    public let latencyFactor: Double
    public private(set) var limit: Double
    public private(set) var inFlight = 0
    private var epoch = 0
    private var latencies: [Double] = []
    private var nextLatency = 0
    private static let latencyWindow = 64
    private static let minimumSamplesForLatency = 10
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID: UInt64 = 0

    public init(maximum: Int, latencyFactor: Double = 3) {
        self.maximum = max(1, maximum)
        self.latencyFactor = latencyFactor
        self.limit = Double(max(1, maximum))
    }

    /// The whole number of attempts allowed in flight now.
    public var currentLimit: Int { max(1, Int(limit.rounded(.down))) }

    /// Waits for a slot. Throws `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws -> Permit {
        if inFlight < currentLimit && waiters.isEmpty {
            inFlight += 1
            return Permit(epoch: epoch)
        }
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        // `wakeWaiters` counted this attempt in `inFlight` before resuming it.
        return Permit(epoch: epoch)
    }

    /// Gives a slot back and adapts the limit to how the attempt went.
    public func release(_ permit: Permit, outcome: Outcome) {
        inFlight -= 1
        switch outcome {
        case .success(let latency):
            let median = medianLatency
            record(latency)
            if let median, latencies.count >= Self.minimumSamplesForLatency, latency > latencyFactor * median {
                decrease(from: permit)
            } else {
                limit = min(Double(maximum), limit + 1 / limit)
            }
        case .rateLimited:
            decrease(from: permit)
        case .other:
            break
        }
        wakeWaiters()
    }

    /// The median latency of the recent successes, if any.
    public var medianLatency: Double? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private func decrease(from permit: Permit) {
        guard permit.epoch == epoch else { return }
        limit = max(1, limit / 2)
        epoch += 1
    }

    private func record(_ latency: Double) {
        if latencies.count < Self.latencyWindow {
            latencies.append(latency)
        } else {
            latencies[nextLatency] = latency
            nextLatency = (nextLatency + 1) % Self.latencyWindow
        }
    }

    private func wakeWaiters() {
        while inFlight < currentLimit, !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            inFlight += 1
            waiter.continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
