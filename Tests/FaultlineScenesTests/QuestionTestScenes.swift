import FaultlineCore
import FaultlineScenes

/// Hand-built scenes and helpers for the question template tests.
enum QuestionTestScenes {
    /// A 224 × 224 object scene; positions are canvas fractions.
    static func scene(
        _ objects: [SceneObject], labels: [TextLabel] = [], chart: Chart? = nil, table: DataTable? = nil
    ) -> Scene {
        Scene(
            width: 224, height: 224, background: Background(kind: .plain), objects: objects, labels: labels,
            chart: chart, table: table, seed: 1)
    }

    /// An object; ids only need to be unique within a scene.
    static func object(
        _ id: Int, _ shape: Shape, _ colour: NamedColour, _ size: SizeClass = .medium, x: Double, y: Double,
        texture: Texture? = nil, label: String? = nil
    ) -> SceneObject {
        SceneObject(id: id, shape: shape, colour: colour, size: size, x: x, y: y, texture: texture, label: label)
    }

    /// Three red circles and two blue stars, well apart.
    static let circlesAndStars = scene([
        object(0, .circle, .red, .small, x: 0.15, y: 0.15),
        object(1, .circle, .red, .small, x: 0.5, y: 0.15),
        object(2, .circle, .red, .small, x: 0.85, y: 0.15),
        object(3, .star, .blue, .medium, x: 0.25, y: 0.7),
        object(4, .star, .blue, .large, x: 0.75, y: 0.7),
    ])

    /// A chart with a unique largest (pears) and smallest (plums) category.
    static let fruitChart = scene(
        [],
        chart: Chart(
            kind: .bar, title: "Fruit sold", labels: ["apples", "pears", "plums", "figs"], values: [12, 30, 7, 19]))

    static let peopleTable = scene(
        [],
        table: DataTable(
            columns: ["name", "city", "age"],
            rows: [["Ada", "Paris", "36"], ["Bob", "Rome", "41"], ["Cy", "Oslo", "29"], ["Di", "Rome", "52"]]))

    /// A question of `template` about `subject` in `format`, answered from `scene`, made the
    /// way a counterfactual is: by re-asking a question that carries the subject.
    static func ask(
        _ template: any QuestionTemplate, _ subject: [String: String], in scene: Scene, format: AnswerFormat? = nil
    ) -> Question? {
        let format = format ?? template.formats.first { $0 != .multipleChoice } ?? .multipleChoice
        let blank = Question(
            prompt: "", expected: ExpectedAnswer(text: "", format: format), templateID: template.id, format: format,
            subject: subject)
        var rng = SeededGenerator(seed: 0)
        return template.reask(blank, on: scene, rng: &rng)
    }

    /// The answer `template` gives for `subject` in `scene`, or nil when it cannot answer.
    static func answer(_ template: any QuestionTemplate, _ subject: [String: String], in scene: Scene) -> String? {
        ask(template, subject, in: scene)?.expected.text
    }

    /// Questions made with seeds `0..<count`, skipping scenes the template cannot ask about.
    static func questions(
        _ template: any QuestionTemplate, on scene: Scene, format: AnswerFormat, count: Int = 100
    ) -> [Question] {
        (0..<count).compactMap { seed in
            var rng = SeededGenerator(seed: UInt64(seed), stream: 17)
            return template.make(scene: scene, format: format, rng: &rng)
        }
    }
}
