import FaultlineScenes

/// Captions read off the scene graph for the contrastive head: "a small red star and a large
/// blue circle on grass", "a bar chart of fruit sold", "a table of names".
public enum SceneCaption {
    /// At most this many objects are described.
    public static let maximumObjects = 3

    /// Words captions use besides colours, shapes, sizes, chart titles and table headers.
    static let fixedWords = [
        "a", "an", "and", "on", "of", "the", "nothing", "plain", "gradient", "textured", "background", "grass",
        "water", "against", "sky", "chart", "table", "bar", "line", "pie",
    ]

    /// The caption of `scene`; the same scene always gives the same caption.
    public static func caption(for scene: Scene) -> String {
        if let chart = scene.chart { return "a \(chart.kind.rawValue) chart of \(chart.title.lowercased())" }
        if let table = scene.table {
            return "a table of \(plural(table.columns.first ?? "row").lowercased())"
        }
        let phrases = describedObjects(in: scene).map { "a \($0.size.rawValue) \($0.colour.rawValue) \($0.shape.rawValue)" }
        let things: String
        switch phrases.count {
        case 0: things = "nothing"
        case 1: things = phrases[0]
        default: things = phrases.dropLast().joined(separator: ", ") + " and " + phrases[phrases.count - 1]
        }
        return things + " " + backgroundPhrase(scene.background)
    }

    /// The objects a caption describes, in caption order: largest first, then left to right,
    /// then top to bottom, then by id.
    public static func describedObjects(in scene: Scene) -> [SceneObject] {
        let ordered = scene.objects.sorted { a, b in
            if a.size != b.size { return a.size > b.size }
            if a.x != b.x { return a.x < b.x }
            if a.y != b.y { return a.y < b.y }
            return a.id < b.id
        }
        return Array(ordered.prefix(maximumObjects))
    }

    static func backgroundPhrase(_ background: Background) -> String {
        switch background.kind {
        case .grass: return "on grass"
        case .water: return "on water"
        case .sky: return "against the sky"
        case .plain, .gradient, .textured:
            let tint = background.tint.map { $0.rawValue + " " } ?? ""
            return "on a \(tint)\(background.kind.rawValue) background"
        }
    }

    /// "Name" → "Names", "City" → "Cities".
    static func plural(_ noun: String) -> String {
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        if noun.hasSuffix("y"), let before = noun.dropLast().last, !vowels.contains(before) {
            return noun.dropLast() + "ies"
        }
        if noun.hasSuffix("s") || noun.hasSuffix("x") || noun.hasSuffix("ch") || noun.hasSuffix("sh") { return noun + "es" }
        return noun + "s"
    }
}

/// The sentences a modality-bias plan prepends to a question, each naming an answer.
public enum ModalitySentences {
    /// `{answer}` is replaced by the answer named.
    public static let templates = [
        "The answer is {answer}.", "It looks like {answer}.", "This seems to show {answer}.", "I think it is {answer}.",
    ]

    public static func sentence(template: Int, answer: String) -> String {
        templates[template % templates.count].replacingOccurrences(of: "{answer}", with: answer)
    }
}
