import FaultlineCore

/// Counts of judged, non-error responses in a slice.
struct Tally: Sendable, Equatable {
    /// Scores are summed in fixed point (units of 2⁻³²) so that the sum, and hence the mean,
    /// is exactly the same whatever order the rows arrive in; floating-point addition is not
    /// associative. The rounding (< 2.4e-10 per row) is far below anything a report shows.
    private static let scoreScale = 4_294_967_296.0

    var total = 0
    var correct = 0
    private var scoreUnits: Int64 = 0

    mutating func add(correct isCorrect: Bool, score: Double) {
        total += 1
        if isCorrect { correct += 1 }
        scoreUnits += Int64((score * Self.scoreScale).rounded())
    }

    mutating func add(_ other: Tally) {
        total += other.total
        correct += other.correct
        scoreUnits += other.scoreUnits
    }

    func subtracting(_ other: Tally) -> Tally {
        var result = self
        result.total -= other.total
        result.correct -= other.correct
        result.scoreUnits -= other.scoreUnits
        return result
    }

    var meanScore: Double { total == 0 ? 0 : Double(scoreUnits) / Self.scoreScale / Double(total) }
    var rate: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    var accuracy: Proportion { Statistics.wilson(successes: correct, total: total) }
}

/// The `capacity` smallest probe ids seen, in ascending order: a deterministic sample that is
/// the same whatever order the ids arrive in.
struct LowestProbeIDs: Sendable, Equatable {
    let capacity: Int
    private(set) var ids: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    /// Whether `id` would be kept if inserted now.
    func wouldAccept(_ id: String) -> Bool {
        ids.count < capacity || id < ids[ids.count - 1]
    }

    /// Inserts `id` if it is among the smallest; returns whether it was kept and which id,
    /// if any, it pushed out.
    mutating func insert(_ id: String) -> (kept: Bool, evicted: String?) {
        guard capacity > 0, wouldAccept(id) else { return (false, nil) }
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        ids.insert(id, at: low)
        return ids.count > capacity ? (true, ids.removeLast()) : (true, nil)
    }

    /// The smallest `limit` ids of several samples together.
    static func merged(_ samples: [LowestProbeIDs], limit: Int) -> [String] {
        Array(samples.flatMap(\.ids).sorted().prefix(limit))
    }
}

/// Identifies one model's row for one probe.
struct RowKey: Hashable, Sendable {
    var model: Int
    var probeID: String
}

/// The judged rows that some sample currently cites, each kept once however many samples
/// cite it, and dropped when the last one lets go. This bounds the rows held to the union
/// of the samples, which is far smaller than the stream.
struct CitedRows: Sendable {
    private var entries: [RowKey: (row: JudgedProbe, references: Int)] = [:]

    mutating func retain(_ key: RowKey, row: JudgedProbe) {
        if let entry = entries[key] {
            entries[key] = (entry.row, entry.references + 1)
        } else {
            entries[key] = (row, 1)
        }
    }

    mutating func release(_ key: RowKey) {
        guard let entry = entries[key] else { return }
        entries[key] = entry.references > 1 ? (entry.row, entry.references - 1) : nil
    }

    subscript(key: RowKey) -> JudgedProbe? { entries[key]?.row }

    var count: Int { entries.count }
}

/// One slice's counts and its deterministic sample of failing probes.
struct SliceState: Sendable {
    var tally = Tally()
    var failing: LowestProbeIDs

    init(sampleSize: Int) { failing = LowestProbeIDs(capacity: sampleSize) }
}

/// A factor and one of its levels.
struct LevelKey: Hashable, Sendable {
    var factor: String
    var level: String
}

struct SingleSliceKey: Hashable, Sendable {
    var model: Int
    var level: LevelKey
}

/// A slice on two factors; `first.factor < second.factor`, so each pair has one key.
struct PairSliceKey: Hashable, Sendable {
    var model: Int
    var first: LevelKey
    var second: LevelKey
}
