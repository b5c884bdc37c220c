/// What the analysis knows about factor names and level words of Faultline's sources: how a
/// condition on a factor reads in a sentence, where the level `none` sits in its order, and
/// which words have a natural order.
enum FactorVocabulary {
    /// How a known factor reads for one level, at-or-above a level and at-or-below a level;
    /// `#` stands for the level. `none` is the phrase for the level `none`, if it has one.
    struct Phrases {
        var equals: String
        var atLeast: String
        var atMost: String
        var none: String? = nil
        /// Whether `none` is above every number (JPEG: no compression is the best quality)
        /// rather than below (blur, noise: none is zero).
        var noneIsHighest = false
    }

    /// The level that means "this factor is off".
    static let noneLevel = "none"

    /// Factor names of Faultline's scene sources, matched case-insensitively.
    static let phrases: [String: Phrases] = [
        "rotation": Phrases(equals: "text rotated #", atLeast: "text rotated # or more", atMost: "text rotated # or less"),
        "blur": Phrases(equals: "text blurred by #", atLeast: "text blurred by # or more", atMost: "text blurred by # or less",
                        none: "unblurred text"),
        "noise": Phrases(equals: "text with noise #", atLeast: "text with noise # or more", atMost: "text with noise # or less",
                         none: "text without noise"),
        "jpeg": Phrases(equals: "JPEG quality #", atLeast: "JPEG quality # or higher", atMost: "JPEG quality # or lower",
                        none: "images without JPEG compression", noneIsHighest: true),
        "contrast": Phrases(equals: "text at # contrast", atLeast: "text at # contrast or higher", atMost: "text at # contrast or lower"),
        "size": Phrases(equals: "text #", atLeast: "text # or larger", atMost: "text # or smaller"),
        "clutter": Phrases(equals: "# background clutter", atLeast: "# background clutter or more", atMost: "# background clutter or less",
                           none: "a plain background"),
        "font": Phrases(equals: "text in #", atLeast: "text in # or above", atMost: "text in # or below"),
        "weight": Phrases(equals: "# text", atLeast: "text of weight # or heavier", atMost: "text of weight # or lighter"),
        "lines": Phrases(equals: "#-line text", atLeast: "#-line text or longer", atMost: "#-line text or shorter"),
        "kind": Phrases(equals: "text of kind #", atLeast: "text of kind # or above", atMost: "text of kind # or below"),
    ]

    /// Level words with a natural order, lowest first. A factor whose levels all come from one
    /// of these lists is ordered by it.
    static let orderedWords: [[String]] = [
        ["none", "light", "medium", "heavy"],
        ["low", "medium", "high"],
        ["regular", "bold"],
    ]

    static func phrases(for factor: String) -> Phrases? { phrases[factor.lowercased()] }
}
