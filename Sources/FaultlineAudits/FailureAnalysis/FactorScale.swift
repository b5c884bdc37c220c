/// A set of levels of one factor: a single level, or every level at or above (at or below)
/// a level of an ordered factor.
struct FactorCondition: Hashable, Sendable {
    enum Relation: Hashable, Sendable {
        case equals, atLeast, atMost
    }

    var factor: String
    var relation: Relation
    var level: String

    /// The level as it appears in `Finding.slice`: `10°`, `≥ 10°` or `≤ 10°`.
    var sliceLevel: String {
        switch relation {
        case .equals: return level
        case .atLeast: return "≥ \(level)"
        case .atMost: return "≤ \(level)"
        }
    }
}

/// A level written as a number with an optional fixed prefix and unit, such as `10°`,
/// `12px`, `q30`, `σ1.2` or `0.5`.
struct NumericLevel: Equatable, Sendable {
    var prefix: String
    var value: Double
    var suffix: String

    /// Parses `text`; nil when it holds no number.
    init?(_ text: String) {
        let characters = Array(text)
        guard let firstDigit = characters.firstIndex(where: \.isASCIIDigit) else { return nil }
        var start = firstDigit
        var isNegative = false
        if start > 0, characters[start - 1] == "-" || characters[start - 1] == "\u{2212}" {
            start -= 1
            isNegative = true
        }
        var end = firstDigit
        while end < characters.count, characters[end].isASCIIDigit { end += 1 }
        if end + 1 < characters.count, characters[end] == ".", characters[end + 1].isASCIIDigit {
            end += 1
            while end < characters.count, characters[end].isASCIIDigit { end += 1 }
        }
        guard let magnitude = Double(String(characters[firstDigit..<end])) else { return nil }
        prefix = String(characters[..<start])
        value = isNegative ? -magnitude : magnitude
        suffix = String(characters[end...])
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The levels of one factor in their natural order, and the threshold conditions an ordered
/// factor allows.
///
/// A factor is ordered when its levels are numbers with one prefix and unit (`0°`, `10°`;
/// `q12`, `q85`), possibly with a level `none` (below the numbers, or above them for `jpeg`,
/// where no compression is the best quality), or when they are all words of one known ordered
/// list (`low`, `medium`, `high`).
struct FactorScale: Sendable {
    let factor: String
    /// In natural order when `isOrdered`, otherwise in string order.
    let levels: [String]
    let isOrdered: Bool
    private let rank: [String: Int]

    init(factor: String, levels: Set<String>) {
        self.factor = factor
        if let numeric = Self.numericOrder(factor: factor, levels: levels) {
            self.levels = numeric
            isOrdered = true
        } else if let words = FactorVocabulary.orderedWords.first(where: { levels.isSubset(of: $0) }), levels.count > 1 {
            self.levels = words.filter(levels.contains)
            isOrdered = true
        } else {
            self.levels = levels.sorted()
            isOrdered = false
        }
        rank = Dictionary(uniqueKeysWithValues: self.levels.enumerated().map { ($1, $0) })
    }

    private static func numericOrder(factor: String, levels: Set<String>) -> [String]? {
        let hasNone = levels.contains(FactorVocabulary.noneLevel)
        let numbered = levels.subtracting([FactorVocabulary.noneLevel])
        let parsed = numbered.compactMap { level in NumericLevel(level).map { (level, $0) } }
        guard parsed.count == numbered.count, parsed.count + (hasNone ? 1 : 0) >= 2,
              Set(parsed.map(\.1.prefix)).count <= 1, Set(parsed.map(\.1.suffix)).count <= 1,
              Set(parsed.map(\.1.value)).count == parsed.count
        else { return nil }
        let ordered = parsed.sorted { $0.1.value < $1.1.value }.map(\.0)
        guard hasNone else { return ordered }
        let noneIsHighest = FactorVocabulary.phrases(for: factor)?.noneIsHighest ?? false
        return noneIsHighest ? ordered + [FactorVocabulary.noneLevel] : [FactorVocabulary.noneLevel] + ordered
    }

    /// The position of `level` in `levels`.
    func position(of level: String) -> Int { rank[level] ?? Int.max }

    /// For an ordered factor with levels v₀ < … < vₖ₋₁: "≥ vᵢ" and "≤ vᵢ" for 1 ≤ i ≤ k − 2,
    /// i.e. every threshold whose slice merges at least two levels and leaves at least one out
    /// (a one-level threshold is just that level).
    var thresholds: [FactorCondition] {
        guard isOrdered, levels.count >= 3 else { return [] }
        return levels[1..<(levels.count - 1)].flatMap { level in
            [FactorCondition(factor: factor, relation: .atLeast, level: level),
             FactorCondition(factor: factor, relation: .atMost, level: level)]
        }
    }

    /// The levels a condition on this factor selects.
    func levels(in condition: FactorCondition) -> [String] {
        let position = position(of: condition.level)
        switch condition.relation {
        case .equals: return [condition.level]
        case .atLeast: return levels.filter { self.position(of: $0) >= position }
        case .atMost: return levels.filter { self.position(of: $0) <= position }
        }
    }
}
