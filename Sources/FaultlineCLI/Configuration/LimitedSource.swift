import FaultlineCore

/// The first `limit` probes of another source: `count` caps a data set's rows.
struct LimitedSource: ProbeSource {
    let base: any ProbeSource
    let limit: Int

    var name: String { base.name }
    var count: Int { min(limit, base.count) }

    func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    func samples(from start: Int) -> AnySequence<ProbeSample> {
        AnySequence(base.samples(from: start).prefix(max(0, count - start)))
    }
}
