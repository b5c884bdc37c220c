/// The words the procedural world writes: on objects, on signs, in charts and in tables.
///
/// Fixed, embedded lists, so that generated scenes do not change with a system dictionary.
enum SceneVocabulary {
    /// Words that name something a question can ask about (colours, shapes, sizes, places,
    /// numbers). Text in the image must not answer or contradict a question by accident;
    /// audits that want misleading text add it on purpose with `SceneEdit.overlayText`.
    static let reservedWords: Set<String> = {
        var words: Set<String> = [
            "black", "white", "pink", "gold", "silver", "dark", "light", "bright", "color", "colour",
            "big", "small", "large", "tiny", "huge", "little", "tall", "short", "long", "wide", "thin", "thick",
            "left", "right", "top", "bottom", "above", "below", "under", "over", "middle", "center", "inside",
            "outside", "near", "next", "behind", "front", "side", "corner", "edge", "upon", "toward", "across",
            "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "twenty", "hundred", "thousand", "first", "second", "third", "half", "double", "single", "count",
            "number", "many", "shape", "size", "round", "ring", "box", "sign", "line", "point", "total", "each",
            "every", "some", "all", "none", "no", "yes", "not", "true", "equal", "more", "less", "same",
        ]
        words.formUnion(NamedColour.allCases.map(\.rawValue))
        words.formUnion(Shape.allCases.map(\.rawValue))
        words.formUnion(["circle", "square", "triangle", "star", "hexagon", "diamond", "pentagon", "cross"])
        return words
    }()

    /// Short common words (3–6 letters) for labels on objects and signs.
    static let labelWords: [String] = CommonWords.all.filter { word in
        (3...6).contains(word.count) && !reservedWords.contains(word)
    }

    /// A chart's title and the categories it may show, in their natural order.
    struct ChartTheme: Sendable {
        let title: String
        let categories: [String]
        /// Whether the categories are a sequence (months, days) shown as a consecutive run.
        let sequential: Bool
    }

    static let chartThemes: [ChartTheme] = [
        ChartTheme(title: "Fruit sold", categories: ["apple", "pear", "plum", "lime", "fig", "kiwi", "peach", "grape", "lemon"], sequential: false),
        ChartTheme(title: "Pets in town", categories: ["cat", "dog", "fish", "bird", "frog", "mouse", "horse", "goat"], sequential: false),
        ChartTheme(title: "Rain per month", categories: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], sequential: true),
        ChartTheme(title: "Visitors per day", categories: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], sequential: true),
        ChartTheme(title: "Team points", categories: ["lions", "bears", "hawks", "wolves", "foxes", "owls", "bees", "sharks"], sequential: false),
        ChartTheme(title: "Trips by city", categories: ["Oslo", "Rome", "Lima", "Kyiv", "Doha", "Bern", "Riga", "Cairo", "Quito"], sequential: false),
        ChartTheme(title: "Crops grown", categories: ["corn", "rice", "wheat", "oats", "beans", "peas", "soy", "rye"], sequential: false),
        ChartTheme(title: "Books read", categories: ["Ana", "Ben", "Cai", "Dev", "Eva", "Finn", "Ida", "Joe", "Kim"], sequential: false),
    ]

    /// A table's key column (one distinct value per row) and the columns that may follow it.
    struct TableTheme: Sendable {
        let keyHeader: String
        let keys: [String]
        let columns: [TableColumn]
    }

    /// A column of a table theme: whole numbers drawn from `numbers`, or words.
    struct TableColumn: Sendable {
        let header: String
        let numbers: ClosedRange<Int>?
        let words: [String]

        static func numeric(_ header: String, _ range: ClosedRange<Int>) -> TableColumn {
            TableColumn(header: header, numbers: range, words: [])
        }

        static func text(_ header: String, _ words: [String]) -> TableColumn {
            TableColumn(header: header, numbers: nil, words: words)
        }
    }

    static let tableThemes: [TableTheme] = [
        TableTheme(
            keyHeader: "Name", keys: ["Ana", "Ben", "Cai", "Dev", "Eva", "Finn", "Gus", "Ida", "Joe", "Kim", "Lea", "Max", "Noa", "Raj", "Sam", "Uma", "Zoe"],
            columns: [
                .numeric("Age", 6...90), .text("Town", ["Oslo", "Rome", "Lima", "Kyiv", "Doha", "Bern", "Riga", "Nice", "Pisa"]),
                .text("Pet", ["cat", "dog", "fish", "bird", "frog", "mouse", "horse"]), .numeric("Score", 1...99),
            ]),
        TableTheme(
            keyHeader: "Item", keys: ["apple", "bread", "milk", "soap", "rice", "tea", "eggs", "jam", "salt", "honey", "flour"],
            columns: [.numeric("Price", 1...99), .numeric("Stock", 1...99), .text("Shop", ["north", "south", "east", "west", "market"])]),
        TableTheme(
            keyHeader: "Team", keys: ["lions", "bears", "hawks", "wolves", "foxes", "owls", "bees", "sharks"],
            columns: [.numeric("Won", 0...30), .numeric("Lost", 0...30), .numeric("Goals", 1...99)]),
        TableTheme(
            keyHeader: "City", keys: ["Oslo", "Rome", "Lima", "Kyiv", "Doha", "Bern", "Riga", "Cairo", "Quito", "Perth"],
            columns: [.numeric("Temp", 1...40), .numeric("Rain", 1...99), .text("Sky", ["sunny", "cloudy", "rainy", "windy", "foggy"])]),
    ]
}
