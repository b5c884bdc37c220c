import Foundation

/// Orders factor levels the way a person reads them, so charts and tables run from the
/// baseline outwards: `none` first, then numbers by value wherever they appear in the
/// level (`5°` < `10°` < `20°`, `q30` < `q90`, `-10°` < `5°`, `0.25` < `0.5`), then text
/// without regard to case.
public enum LevelOrder {
    /// The levels in natural order.
    public static func sorted<Levels: Sequence>(_ levels: Levels) -> [String] where Levels.Element == String {
        levels.sorted(by: precedes)
    }

    /// Whether level `a` comes before level `b`; a strict total order, so sorting is deterministic.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let aIsNone = isBaseline(a), bIsNone = isBaseline(b)
        if aIsNone != bIsNone { return aIsNone }
        if let p = ordinalRank(a), let q = ordinalRank(b), p != q { return p < q }
        let aTokens = tokens(of: a), bTokens = tokens(of: b)
        for (x, y) in zip(aTokens, bTokens) {
            switch (x, y) {
            case let (.number(p), .number(q)):
                if p != q { return p < q }
            case (.number, .text):
                return true
            case (.text, .number):
                return false
            case let (.text(p), .text(q)):
                let foldedP = p.lowercased(), foldedQ = q.lowercased()
                if foldedP != foldedQ { return foldedP < foldedQ }
            }
        }
        if aTokens.count != bTokens.count { return aTokens.count < bTokens.count }
        // Equal by value ("5" and "5.0", "Serif" and "serif"): fall back to the raw text so
        // that the order stays total.
        return a < b
    }

    /// "none" marks the unperturbed level that every other level is compared with.
    static func isBaseline(_ level: String) -> Bool {
        level.trimmingCharacters(in: .whitespaces).lowercased() == "none"
    }

    /// Words that name an ordered scale: they sort by meaning, not alphabetically.
    private static let ordinalWords = ["lowest", "low", "medium", "high", "highest", "light", "moderate", "heavy", "small", "large"]

    static func ordinalRank(_ level: String) -> Int? {
        ordinalWords.firstIndex(of: level.trimmingCharacters(in: .whitespaces).lowercased())
    }

    enum Token: Equatable {
        case number(Double)
        case text(String)
    }

    /// Splits a level into runs of text and numbers. A minus sign belongs to a number only
    /// when it does not follow a letter or digit, so `q-30` reads as text `q-` then 30.
    static func tokens(of level: String) -> [Token] {
        let scalars = Array(level.unicodeScalars)
        var result: [Token] = []
        var text = String.UnicodeScalarView()
        var index = 0
        func isDigit(_ i: Int) -> Bool { i < scalars.count && ("0"..."9").contains(scalars[i]) }
        func isMinus(_ s: Unicode.Scalar) -> Bool { s == "-" || s == "\u{2212}" }
        while index < scalars.count {
            let scalar = scalars[index]
            let previousIsWordCharacter = index > 0
                && (scalars[index - 1].properties.isAlphabetic || ("0"..."9").contains(scalars[index - 1]))
            let startsNegative = isMinus(scalar) && isDigit(index + 1) && !previousIsWordCharacter
            guard isDigit(index) || startsNegative else {
                text.append(scalar)
                index += 1
                continue
            }
            if !text.isEmpty {
                result.append(.text(String(text)))
                text = String.UnicodeScalarView()
            }
            var literal = startsNegative ? "-" : ""
            if startsNegative { index += 1 }
            while isDigit(index) {
                literal.unicodeScalars.append(scalars[index])
                index += 1
            }
            if index < scalars.count, scalars[index] == ".", isDigit(index + 1) {
                literal += "."
                index += 1
                while isDigit(index) {
                    literal.unicodeScalars.append(scalars[index])
                    index += 1
                }
            }
            result.append(.number(Double(literal) ?? 0))
        }
        if !text.isEmpty { result.append(.text(String(text))) }
        return result
    }
}
