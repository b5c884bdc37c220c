import FaultlineCore
import Foundation

/// How fast a run went: per-model latency percentiles and throughput, and the run's wall time.
///
/// Timing differs from one run to the next, so a report includes it only when the caller
/// passes it; without it, the same verdicts give byte-identical reports.
public struct RunTiming: Codable, Sendable, Equatable {
    /// One model's speed over the probes it answered.
    public struct ModelTiming: Codable, Sendable, Equatable {
        public var model: String
        /// How many responses the figures are over.
        public var responses: Int
        /// Median and 95th-percentile latency of one response, in seconds.
        public var p50LatencySeconds: Double
        public var p95LatencySeconds: Double
        /// Responses per second of wall time while this model was answering.
        public var probesPerSecond: Double
        /// Tokens the backend reported over all responses (0 when it reports none).
        public var promptTokens: Int
        public var completionTokens: Int
        /// Completion tokens per second of response latency, over the responses that report
        /// tokens: how fast one request generates, whatever the concurrency. Nil when the
        /// backend reports no tokens.
        public var completionTokensPerSecond: Double?

        public init(
            model: String, responses: Int, p50LatencySeconds: Double, p95LatencySeconds: Double,
            probesPerSecond: Double, promptTokens: Int = 0, completionTokens: Int = 0,
            completionTokensPerSecond: Double? = nil
        ) {
            self.model = model
            self.responses = responses
            self.p50LatencySeconds = p50LatencySeconds
            self.p95LatencySeconds = p95LatencySeconds
            self.probesPerSecond = probesPerSecond
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.completionTokensPerSecond = completionTokensPerSecond
        }

        /// Measures a model from its responses' latency and token usage and the wall time it
        /// spent answering them all (which is shorter than their sum when requests overlap).
        ///
        /// Percentiles are Core's type-7 quantiles (`Statistics.p50p95`), as elsewhere in
        /// Faultline; non-finite latencies are left out of them, and no latencies give 0.
        public init(model: String, usage: ResponseUsage, wallSeconds: Double) {
            let percentiles = Statistics.p50p95(usage.latenciesSeconds.filter(\.isFinite))
            self.init(
                model: model, responses: usage.latenciesSeconds.count,
                p50LatencySeconds: percentiles?.p50 ?? 0, p95LatencySeconds: percentiles?.p95 ?? 0,
                probesPerSecond: wallSeconds > 0 ? Double(usage.latenciesSeconds.count) / wallSeconds : 0,
                promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
                completionTokensPerSecond: usage.tokenLatencySeconds > 0
                    ? Double(usage.completionTokens) / usage.tokenLatencySeconds : nil)
        }

        /// Measures a model from response latencies alone.
        public init(model: String, latenciesSeconds: [Double], wallSeconds: Double) {
            self.init(model: model, usage: ResponseUsage(latenciesSeconds: latenciesSeconds), wallSeconds: wallSeconds)
        }
    }

    /// What one model's responses cost, gathered response by response.
    public struct ResponseUsage: Sendable, Equatable {
        public var latenciesSeconds: [Double] = []
        public var promptTokens = 0
        public var completionTokens = 0
        /// The summed latency of the responses that reported completion tokens.
        public var tokenLatencySeconds = 0.0

        public init(latenciesSeconds: [Double] = []) {
            self.latenciesSeconds = latenciesSeconds
        }

        /// Adds one response.
        public mutating func add(latencySeconds: Double, promptTokens: Int?, completionTokens: Int?) {
            latenciesSeconds.append(latencySeconds)
            self.promptTokens += promptTokens ?? 0
            if let completionTokens, latencySeconds.isFinite {
                self.completionTokens += completionTokens
                tokenLatencySeconds += latencySeconds
            }
        }
    }

    /// Whether any model reported token usage (reports show token columns only then).
    public var reportsTokens: Bool { models.contains { $0.promptTokens + $0.completionTokens > 0 } }

    public var models: [ModelTiming]
    /// Wall-clock seconds of the whole run, from the first probe generated to the last verdict.
    public var wallSeconds: Double

    public init(models: [ModelTiming], wallSeconds: Double) {
        self.models = models
        self.wallSeconds = wallSeconds
    }
}
