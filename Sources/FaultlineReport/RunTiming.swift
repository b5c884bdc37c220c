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

        public init(
            model: String, responses: Int, p50LatencySeconds: Double, p95LatencySeconds: Double,
            probesPerSecond: Double
        ) {
            self.model = model
            self.responses = responses
            self.p50LatencySeconds = p50LatencySeconds
            self.p95LatencySeconds = p95LatencySeconds
            self.probesPerSecond = probesPerSecond
        }

        /// Measures a model from the latency of each response and the wall time it spent
        /// answering them all (which is shorter than their sum when requests overlap).
        ///
        /// Percentiles are Core's type-7 quantiles (`Statistics.p50p95`), as elsewhere in
        /// Faultline; non-finite latencies are left out of them, and no latencies give 0.
        public init(model: String, latenciesSeconds: [Double], wallSeconds: Double) {
            let percentiles = Statistics.p50p95(latenciesSeconds.filter(\.isFinite))
            self.init(
                model: model, responses: latenciesSeconds.count,
                p50LatencySeconds: percentiles?.p50 ?? 0, p95LatencySeconds: percentiles?.p95 ?? 0,
                probesPerSecond: wallSeconds > 0 ? Double(latenciesSeconds.count) / wallSeconds : 0)
        }
    }

    public var models: [ModelTiming]
    /// Wall-clock seconds of the whole run, from the first probe generated to the last verdict.
    public var wallSeconds: Double

    public init(models: [ModelTiming], wallSeconds: Double) {
        self.models = models
        self.wallSeconds = wallSeconds
    }
}
