import FaultlineCore

/// Random choices for the procedural world, written out here rather than taken from the
/// standard library's `random(in:using:)` so that the same seed keeps giving the same scenes
/// even if the standard library changes how it maps random bits to ranges.
enum WorldRandom {
    /// A uniform Double in `range`.
    static func uniform(_ range: ClosedRange<Double>, _ rng: inout SeededGenerator) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * rng.unit()
    }

    /// True with probability `probability`.
    static func chance(_ probability: Double, _ rng: inout SeededGenerator) -> Bool {
        rng.unit() < probability
    }

    /// A uniform integer in `range`; the modulo bias is negligible for the small ranges used.
    static func integer(_ range: ClosedRange<Int>, _ rng: inout SeededGenerator) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A uniformly chosen element, or nil for an empty collection.
    static func element<T>(_ options: [T], _ rng: inout SeededGenerator) -> T? { rng.choose(from: options) }

    /// The elements in a uniformly random order (Fisher–Yates).
    static func shuffled<T>(_ items: [T], _ rng: inout SeededGenerator) -> [T] { rng.shuffled(items) }

    /// `count` distinct elements in random order (all of them if there are fewer).
    static func sample<T>(_ items: [T], count: Int, _ rng: inout SeededGenerator) -> [T] {
        Array(shuffled(items, &rng).prefix(count))
    }

    /// A position rounded to 1/10000 of the canvas, so that stored scene JSON stays short
    /// and a stored scene re-renders exactly as it was checked.
    static func roundedPosition(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
