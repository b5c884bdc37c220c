import FaultlineCore

/// The random choices templates make, written out here rather than taken from the standard
/// library, whose shuffling algorithm is not promised to stay the same across releases:
/// the same seed must give the same questions on every toolchain.
enum QuestionRandom {
    /// A Fisher–Yates shuffle driven by `rng`.
    static func shuffled<T>(_ items: [T], rng: inout SeededGenerator) -> [T] {
        var items = items
        var index = items.count - 1
        while index > 0 {
            let other = Int(rng.next() % UInt64(index + 1))
            items.swapAt(index, other)
            index -= 1
        }
        return items
    }

    /// A uniformly chosen element, or nil for an empty list.
    static func pick<T>(_ items: [T], rng: inout SeededGenerator) -> T? {
        items.isEmpty ? nil : items[Int(rng.next() % UInt64(items.count))]
    }

    /// True with probability `probability`.
    static func chance(_ probability: Double, rng: inout SeededGenerator) -> Bool { rng.unit() < probability }
}
