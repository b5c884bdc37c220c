import FaultlineCore
import FaultlineScenes

/// A fixed sample of the procedural world, scanned once to learn the words it uses.
///
/// The scene engine keeps its word lists (object labels, chart categories, table cells)
/// internal, so the vocabularies are built by looking at what it actually produces: the
/// questions and answers of `specCount` ability-suite specs and the labels of `sceneCount`
/// fully labelled object scenes, all from constant seeds. Specs are not rendered, so the scan
/// takes well under a second. The result depends only on the scene engine's code, never on a
/// zoo seed or configuration.
enum WorldSample {
    static let specCount = 3000
    static let sceneCount = 600
    static let seed: UInt64 = 0x776F_726C_6473_616D

    struct Scan: Sendable {
        /// Answer values of the scanned specs (box questions excluded).
        var answers: Set<String>
        /// Question texts (stem and instruction, no option lines) of the scanned specs.
        var questionTexts: Set<String>
        /// Words written on objects and signs, chart titles and categories, table cells.
        var worldWords: Set<String>
        /// Table key headers ("Name") and chart titles ("Fruit sold"), for captions.
        var captionPhrases: Set<String>
    }

    static let scan: Scan = {
        var scan = Scan(answers: [], questionTexts: [], worldWords: [], captionPhrases: [])
        let configuration = AbilitySuiteConfiguration(abilities: Ability.perception, formats: ZooDataSettings.classifiableFormats)
        let suite = AbilitySuite(count: specCount, seed: seed, configuration: configuration)
        for index in 0..<specCount {
            let spec = suite.spec(at: index)
            scan.answers.insert(spec.question.answerValue)
            scan.questionTexts.insert(QuestionText.classifierText(of: spec.question))
            collect(spec.scene, into: &scan)
        }
        let labelled = SceneGenerator(
            configuration: SceneGeneratorConfiguration(textureProbability: 0, labelProbability: 1, signProbability: 1))
        for index in 0..<sceneCount {
            collect(labelled.objectScene(seed: seed &+ UInt64(index)), into: &scan)
            collect(labelled.chartScene(seed: seed &+ UInt64(index)), into: &scan)
            collect(labelled.tableScene(seed: seed &+ UInt64(index)), into: &scan)
        }
        return scan
    }()

    private static func collect(_ scene: Scene, into scan: inout Scan) {
        for object in scene.objects { if let label = object.label { scan.worldWords.insert(label) } }
        for label in scene.labels {
            scan.worldWords.formUnion(label.text.split(separator: " ").map(String.init))
        }
        if let chart = scene.chart {
            scan.worldWords.formUnion(chart.labels)
            scan.captionPhrases.insert(chart.title)
        }
        if let table = scene.table {
            scan.worldWords.formUnion(table.rows.flatMap { $0 })
            scan.worldWords.formUnion(table.columns)
            if let key = table.columns.first { scan.captionPhrases.insert(key) }
        }
    }
}

/// The text of a question as the classifier reads it.
public enum QuestionText {
    /// The prompt without its multiple-choice option lines ("A. red"): the classifier scores
    /// every answer, and multiple choice is resolved later by comparing the options' scores.
    public static func classifierText(of question: Question) -> String {
        classifierText(ofPrompt: question.prompt)
    }

    /// The same for any prompt, e.g. a stored probe's.
    public static func classifierText(ofPrompt prompt: String) -> String {
        prompt.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !QuestionPrompt.letters.contains { line.hasPrefix("\($0). ") } }
            .joined(separator: "\n")
    }
}
