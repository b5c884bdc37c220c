import FaultlineCore

extension Array {
    /// A uniformly chosen element drawn with our own generator.
    func randomElement(_ rng: inout SeededGenerator) -> Element? {
        rng.choose(from: self)
    }
}
