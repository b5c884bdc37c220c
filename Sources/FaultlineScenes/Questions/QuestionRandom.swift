import FaultlineCore

/// The random choices templates make, written out here rather than taken from the standard
/// library, whose shuffling algorithm is not promised to stay the same across releases:
/// the same seed must give the same questions on every toolchain.
enum QuestionRandom {
    /// A Fisher–Yates shuffle driven by `rng`.
    static func shuffled<T>(_ items: [T], rng: inout SeededGenerator) -> [T] { rng.shuffled(items) }

    /// A uniformly chosen element, or nil for an empty list.
    static func pick<T>(_ items: [T], rng: inout SeededGenerator) -> T? {
        rng.choose(from: items)
    }

    /// True with probability `probability`.
    static func chance(_ probability: Double, rng: inout SeededGenerator) -> Bool { rng.unit() < probability }
}
