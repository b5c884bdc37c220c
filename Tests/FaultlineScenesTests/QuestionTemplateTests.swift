import FaultlineCore
import Testing

@testable import FaultlineScenes

private typealias S = QuestionTestScenes

@Suite("Referring expressions")
struct QuestionReferringExpressionTests {
    @Test("the shortest unique description is used, adding colour before size")
    func shortest() throws {
        let scene = S.scene([
            S.object(0, .star, .red, .small, x: 0.2, y: 0.2),
            S.object(1, .star, .blue, .small, x: 0.5, y: 0.2),
            S.object(2, .star, .red, .large, x: 0.8, y: 0.7),
            S.object(3, .circle, .green, .small, x: 0.2, y: 0.8),
        ])
        func phrase(
            _ id: Int, _ attributes: Set<ReferringExpression.Attribute> = Set(ReferringExpression.Attribute.allCases)
        ) -> String? {
            scene.object(id: id).flatMap { ReferringExpression.shortest(for: $0, in: scene, using: attributes)?.phrase }
        }
        #expect(phrase(3) == "the circle")
        #expect(phrase(1) == "the blue star")
        #expect(phrase(2) == "the large star")
        #expect(phrase(0) == "the small red star")
        #expect(phrase(0, [.colour, .size]) == "the small red object")
        #expect(phrase(3, [.colour, .size]) == "the green object")
        #expect(phrase(1, [.shape, .size]) == nil)
    }

    @Test("two identical objects have no unique description")
    func ambiguous() {
        let scene = S.scene([S.object(0, .star, .red, x: 0.2, y: 0.2), S.object(1, .star, .red, x: 0.8, y: 0.8)])
        #expect(ReferringExpression.shortest(for: scene.objects[0], in: scene) == nil)
        #expect(ReferringExpression.referable(in: scene).isEmpty)
    }

    @Test("subject entries round-trip and a misspelt attribute is rejected")
    func subjectCoding() {
        let expression = ReferringExpression(shape: .star, colour: .red, size: .small)
        let entries = expression.subjectEntries(role: "target")
        #expect(entries == ["target.shape": "star", "target.colour": "red", "target.size": "small"])
        #expect(ReferringExpression(subject: entries, role: "target") == expression)
        #expect(
            ReferringExpression(subject: ["target.shape": "star", "target.colour": "rouge"], role: "target") == nil)
        #expect(ReferringExpression(subject: [:], role: "target") == nil)
    }
}

@Suite("Counting templates")
struct QuestionCountingTests {
    @Test("3 red circles and 2 blue stars are counted by shape, by colour and shape, and in total")
    func handCounted() {
        let scene = S.circlesAndStars
        #expect(S.answer(CountShapeTemplate(), ["shape": "circle"], in: scene) == "3")
        #expect(S.answer(CountShapeTemplate(), ["shape": "star"], in: scene) == "2")
        #expect(S.answer(CountShapeTemplate(), ["shape": "hexagon"], in: scene) == "0")
        #expect(S.answer(CountColouredShapeTemplate(), ["colour": "red", "shape": "circle"], in: scene) == "3")
        #expect(S.answer(CountColouredShapeTemplate(), ["colour": "blue", "shape": "circle"], in: scene) == "0")
        #expect(S.answer(CountObjectsTemplate(), [:], in: scene) == "5")
        #expect(
            S.ask(CountShapeTemplate(), ["shape": "cross"], in: scene)?.prompt
                == "How many crosses are there?\nAnswer with a number.")
    }

    @Test("ten or more objects and an empty scene are counted")
    func extremes() {
        let many = S.scene((0..<12).map { S.object($0, .square, .green, .small, x: 0.1 + 0.07 * Double($0), y: 0.5) })
        #expect(S.answer(CountObjectsTemplate(), [:], in: many) == "12")
        #expect(S.answer(CountShapeTemplate(), ["shape": "square"], in: many) == "12")
        #expect(S.answer(CountObjectsTemplate(), [:], in: S.scene([])) == "0")
        #expect(S.answer(CountObjectsTemplate(), [:], in: S.fruitChart) == nil, "a chart has no objects to count")
    }

    @Test("made questions answer the count of what they ask about, and zero counts occur")
    func madeQuestions() throws {
        let scene = S.circlesAndStars
        var zeros = 0
        for question in S.questions(CountShapeTemplate(), on: scene, format: .number, count: 200) {
            let shape = try #require(question.subject["shape"].flatMap(Shape.init(rawValue:)))
            let truth = scene.objects.filter { $0.shape == shape }.count
            #expect(question.expected.text == String(truth))
            #expect(question.prompt.hasPrefix("How many \(ReferringExpression.plural(of: shape)) are there?"))
            if truth == 0 { zeros += 1 }
        }
        // A quarter ask about an absent shape: 50 expected of 200.
        #expect((30...70).contains(zeros), "zero answers: \(zeros) of 200")
    }
}

@Suite("OCR templates")
struct QuestionOCRTests {
    let scene = S.scene(
        [
            S.object(0, .star, .red, .large, x: 0.25, y: 0.3, label: "lamp"),
            S.object(1, .circle, .blue, .large, x: 0.75, y: 0.3, label: "river"),
            S.object(2, .circle, .green, .medium, x: 0.5, y: 0.75),
        ], labels: [TextLabel(text: "OPEN DAILY", x: 0.5, y: 0.9, size: 0.06)])

    @Test("the word on an object is read from its label")
    func objectLabel() throws {
        #expect(S.answer(ObjectLabelTemplate(), ["target.shape": "star"], in: scene) == "lamp")
        #expect(
            S.answer(ObjectLabelTemplate(), ["target.shape": "circle", "target.colour": "blue"], in: scene) == "river")
        #expect(S.answer(ObjectLabelTemplate(), ["target.shape": "circle"], in: scene) == nil, "two circles")
        #expect(
            S.answer(ObjectLabelTemplate(), ["target.shape": "circle", "target.colour": "green"], in: scene) == nil,
            "no label")
        let question = try #require(S.ask(ObjectLabelTemplate(), ["target.shape": "star"], in: scene))
        #expect(question.prompt == "What word is written on the star?\nAnswer with the word only.")
        for question in S.questions(ObjectLabelTemplate(), on: scene, format: .freeText) {
            #expect(["lamp", "river"].contains(question.expected.text))
            #expect(question.prompt.contains(question.expected.text == "lamp" ? "the star" : "the blue circle"))
        }
    }

    @Test("the sign is read, and two signs make the question ambiguous")
    func sign() {
        #expect(S.answer(SignTextTemplate(), [:], in: scene) == "OPEN DAILY")
        var twoSigns = scene
        twoSigns.labels.append(TextLabel(text: "EXIT", x: 0.5, y: 0.1, size: 0.05))
        #expect(S.answer(SignTextTemplate(), [:], in: twoSigns) == nil)
        var rng = SeededGenerator(seed: 3)
        #expect(SignTextTemplate().make(scene: twoSigns, format: .freeText, rng: &rng) == nil)
        #expect(SignTextTemplate().make(scene: S.circlesAndStars, format: .freeText, rng: &rng) == nil)
    }
}

@Suite("Grounding templates")
struct QuestionGroundingTests {
    /// A star left of a circle on one row, a square below them both.
    let row = S.scene([
        S.object(0, .star, .red, .medium, x: 0.2, y: 0.3),
        S.object(1, .circle, .blue, .medium, x: 0.8, y: 0.3),
        S.object(2, .square, .green, .small, x: 0.5, y: 0.8),
    ])

    @Test("which object stands in a relation, only when exactly one does")
    func relatedObject() {
        let template = RelatedObjectTemplate()
        #expect(
            S.answer(template, ["reference.shape": "circle", "relation": "left of"], in: row) == nil,
            "the star and the square are both left of the circle")
        #expect(S.answer(template, ["reference.shape": "star", "relation": "right of"], in: row) == nil)
        #expect(S.answer(template, ["reference.shape": "square", "relation": "above"], in: row) == nil, "two above")
        #expect(S.answer(template, ["reference.shape": "star", "relation": "below"], in: row) == "square")
        let pair = S.scene([S.object(0, .star, .red, x: 0.2, y: 0.5), S.object(1, .circle, .blue, x: 0.8, y: 0.5)])
        #expect(S.answer(template, ["reference.shape": "circle", "relation": "left of"], in: pair) == "star")
        #expect(S.answer(template, ["reference.shape": "star", "relation": "right of"], in: pair) == "circle")
        #expect(S.answer(template, ["reference.shape": "star", "relation": "left of"], in: pair) == nil)
        #expect(
            S.ask(template, ["reference.shape": "circle", "relation": "left of"], in: pair, format: .freeText)?.prompt
                == "Which shape is left of the circle?\nAnswer with the shape name.")
    }

    @Test("inside and next to")
    func insideAndNextTo() {
        let scene = S.scene([
            S.object(0, .square, .blue, .large, x: 0.3, y: 0.3),
            S.object(1, .circle, .yellow, .small, x: 0.3, y: 0.3),
            S.object(2, .star, .red, .small, x: 0.8, y: 0.8),
            S.object(3, .hexagon, .green, .small, x: 0.8, y: 0.63),
        ])
        let template = RelatedObjectTemplate()
        #expect(S.answer(template, ["reference.shape": "square", "relation": "inside"], in: scene) == "circle")
        #expect(S.answer(template, ["reference.shape": "star", "relation": "next to"], in: scene) == "hexagon")
        let check = RelationCheckTemplate()
        #expect(
            S.answer(check, ["first.shape": "circle", "second.shape": "square", "relation": "inside"], in: scene)
                == "yes")
        #expect(
            S.answer(check, ["first.shape": "star", "second.shape": "square", "relation": "inside"], in: scene) == "no")
        #expect(
            S.answer(check, ["first.shape": "star", "second.shape": "hexagon", "relation": "next to"], in: scene)
                == "yes")
        #expect(
            S.answer(check, ["first.shape": "circle", "second.shape": "star", "relation": "next to"], in: scene) == "no"
        )
        #expect(
            S.answer(check, ["first.shape": "hexagon", "second.shape": "star", "relation": "above"], in: scene) == "yes"
        )
    }

    @Test("is A left of B: yes, no, and nothing when borderline")
    func relationCheck() throws {
        let template = RelationCheckTemplate()
        let leftOf = ["first.shape": "star", "second.shape": "circle", "relation": "left of"]
        #expect(S.answer(template, leftOf, in: row) == "yes")
        let rightOf = ["first.shape": "star", "second.shape": "circle", "relation": "right of"]
        #expect(S.answer(template, rightOf, in: row) == "no")
        // The square (0.44…0.56) overlaps neither's column but sits between: left of the circle, right of the star.
        #expect(
            S.answer(template, ["first.shape": "square", "second.shape": "circle", "relation": "left of"], in: row)
                == "yes")
        var overlapping = row
        overlapping.objects[2].x = 0.25
        #expect(
            S.answer(
                template, ["first.shape": "square", "second.shape": "star", "relation": "left of"], in: overlapping)
                == nil)
        let question = try #require(S.ask(template, leftOf, in: row))
        #expect(question.prompt == "Is the star left of the circle?\nAnswer yes or no.")
    }

    @Test("quadrants: (0.2, 0.8) is bottom left; on a dividing line there is no answer")
    func quadrant() {
        let scene = S.scene([
            S.object(0, .star, .red, .small, x: 0.2, y: 0.8),
            S.object(1, .circle, .blue, .small, x: 0.7, y: 0.2),
            S.object(2, .square, .green, .small, x: 0.5, y: 0.2),
        ])
        #expect(S.answer(QuadrantTemplate(), ["target.shape": "star"], in: scene) == "bottom left")
        #expect(S.answer(QuadrantTemplate(), ["target.shape": "circle"], in: scene) == "top right")
        #expect(S.answer(QuadrantTemplate(), ["target.shape": "square"], in: scene) == nil)
        for question in S.questions(QuadrantTemplate(), on: scene, format: .multipleChoice) {
            #expect(question.expected.choices?.sorted() == Quadrant.allCases.map(\.rawValue).sorted())
            #expect(question.subject["target.shape"] != "square")
        }
    }

    @Test("bounding boxes are x0,y0,x1,y1 fractions with 3 decimals")
    func boundingBox() throws {
        let scene = S.scene([
            S.object(0, .star, .red, .medium, x: 0.3, y: 0.4),
            S.object(1, .circle, .blue, .large, x: 0.7, y: 0.75),
        ])
        #expect(S.answer(BoundingBoxTemplate(), ["target.shape": "star"], in: scene) == "0.200,0.300,0.400,0.500")
        #expect(S.answer(BoundingBoxTemplate(), ["target.shape": "circle"], in: scene) == "0.540,0.590,0.860,0.910")
        let wide = Scene(
            width: 400, height: 200, background: Background(kind: .plain), objects: [scene.objects[0]], seed: 1)
        // The radius is a fraction of the shorter side: 0.1 × 200 px = 20 px = 0.05 of the width.
        #expect(S.answer(BoundingBoxTemplate(), ["target.shape": "star"], in: wide) == "0.250,0.300,0.350,0.500")
        let question = try #require(S.ask(BoundingBoxTemplate(), ["target.shape": "star"], in: scene))
        #expect(question.format == .box)
        #expect(question.prompt.hasPrefix("Give the bounding box of the star.\n"))
        #expect(question.prompt.contains("fractions") && question.prompt.contains("3 decimals"))
    }
}

@Suite("Attribute templates")
struct QuestionAttributeTests {
    let scene = S.scene([
        S.object(0, .star, .red, .large, x: 0.25, y: 0.25),
        S.object(1, .star, .blue, .small, x: 0.75, y: 0.25),
        S.object(2, .circle, .red, .small, x: 0.25, y: 0.75),
        S.object(3, .square, .green, .medium, x: 0.75, y: 0.75),
    ])

    @Test("colour, size and shape of a referenced object")
    func singleAttributes() {
        #expect(S.answer(ColourTemplate(), ["target.shape": "star", "target.size": "large"], in: scene) == "red")
        #expect(S.answer(ColourTemplate(), ["target.shape": "square"], in: scene) == "green")
        #expect(S.answer(ColourTemplate(), ["target.shape": "star"], in: scene) == nil, "two stars")
        #expect(S.answer(SizeTemplate(), ["target.shape": "star", "target.colour": "red"], in: scene) == "large")
        #expect(S.answer(SizeTemplate(), ["target.shape": "circle"], in: scene) == "small")
        #expect(S.answer(ShapeTemplate(), ["target.colour": "green"], in: scene) == "square")
        #expect(S.answer(ShapeTemplate(), ["target.colour": "red", "target.size": "small"], in: scene) == "circle")
        #expect(
            S.ask(ShapeTemplate(), ["target.colour": "green"], in: scene, format: .freeText)?.prompt
                == "What shape is the green object?\nAnswer with the shape name.")
        // The question must not name what it asks about.
        #expect(S.ask(ColourTemplate(), ["target.shape": "square", "target.colour": "green"], in: scene) == nil)
    }

    @Test("made questions never name the attribute they ask about")
    func noGiveaway() {
        let cases: [(any QuestionTemplate, String, [String])] = [
            (ColourTemplate(), "target.colour", NamedColour.allCases.map(\.rawValue)),
            (SizeTemplate(), "target.size", SizeClass.allCases.map(\.rawValue)),
            (ShapeTemplate(), "target.shape", Shape.allCases.map(\.rawValue)),
        ]
        for (template, key, names) in cases {
            let questions = S.questions(template, on: scene, format: .freeText)
            #expect(questions.count == 100, "\(template.id): every seed finds an object to ask about")
            for question in questions {
                #expect(question.subject[key] == nil)
                let stem = question.prompt.split(separator: "\n")[0]
                #expect(names.allSatisfy { !stem.contains(" \($0) ") && !stem.hasSuffix(" \($0)?") }, "\(stem)")
            }
        }
    }

    @Test("bigger than, and same colour")
    func comparisons() {
        let bigger = SizeComparisonTemplate()
        #expect(S.answer(bigger, ["first.shape": "square", "second.shape": "circle"], in: scene) == "yes")
        #expect(S.answer(bigger, ["first.shape": "circle", "second.shape": "square"], in: scene) == "no")
        #expect(
            S.answer(bigger, ["first.shape": "circle", "second.colour": "blue", "second.shape": "star"], in: scene)
                == nil,
            "both small")
        let same = SameColourTemplate()
        #expect(
            S.answer(same, ["first.shape": "circle", "second.shape": "star", "second.size": "large"], in: scene)
                == "yes")
        #expect(S.answer(same, ["first.shape": "circle", "second.shape": "square"], in: scene) == "no")
        #expect(
            S.ask(same, ["first.shape": "circle", "second.shape": "square"], in: scene)?.prompt
                == "Do the circle and the square have the same colour?\nAnswer yes or no.")
    }
}

@Suite("Entity templates")
struct QuestionEntityTests {
    let scene = S.scene([
        S.object(0, .star, .red, x: 0.25, y: 0.25, texture: .stripes),
        S.object(1, .circle, .blue, x: 0.75, y: 0.25),
        S.object(2, .circle, .green, x: 0.25, y: 0.75),
    ])

    @Test("which shape is present: one present option, three absent")
    func presentShape() throws {
        let questions = S.questions(PresentShapeTemplate(), on: scene, format: .multipleChoice)
        #expect(!questions.isEmpty)
        for question in questions {
            let choices = try #require(question.expected.choices)
            #expect(choices.count == 4)
            #expect(["star", "circle"].contains(question.answerValue))
            let present = choices.filter { $0 == "star" || $0 == "circle" }
            #expect(present == [question.answerValue])
        }
        let crowded = S.scene(
            Shape.allCases.enumerated().map {
                S.object($0.offset, $0.element, .red, .small, x: 0.1 + 0.1 * Double($0.offset), y: 0.5)
            })
        var rng = SeededGenerator(seed: 1)
        #expect(PresentShapeTemplate().make(scene: crowded, format: .multipleChoice, rng: &rng) == nil)
    }

    @Test("is there a coloured shape, and a textured object")
    func existence() {
        #expect(S.answer(ExistenceTemplate(), ["colour": "red", "shape": "star"], in: scene) == "yes")
        #expect(S.answer(ExistenceTemplate(), ["colour": "red", "shape": "circle"], in: scene) == "no")
        #expect(S.answer(TextureTemplate(), ["texture": "stripes"], in: scene) == "yes")
        #expect(S.answer(TextureTemplate(), ["texture": "dots"], in: scene) == "no")
        #expect(
            S.ask(TextureTemplate(), ["texture": "checks"], in: scene)?.prompt
                == "Is there a checkered object?\nAnswer yes or no.")
        // "No" questions ask about near misses: the colour or the shape occurs.
        for question in S.questions(ExistenceTemplate(), on: scene, format: .yesNo) where question.expected.text == "no"
        {
            let colour = question.subject["colour"] ?? ""
            let shape = question.subject["shape"] ?? ""
            #expect(["red", "blue", "green"].contains(colour) || ["star", "circle"].contains(shape))
        }
    }
}

@Suite("Structured-data templates")
struct QuestionStructuredDataTests {
    @Test("chart values, extremes and differences")
    func chart() {
        let scene = S.fruitChart
        #expect(S.answer(ChartValueTemplate(), ["category": "pears"], in: scene) == "30")
        #expect(S.answer(ChartValueTemplate(), ["category": "kiwis"], in: scene) == nil)
        #expect(S.answer(ChartExtremeTemplate(), ["extreme": "largest"], in: scene) == "pears")
        #expect(S.answer(ChartExtremeTemplate(), ["extreme": "smallest"], in: scene) == "plums")
        #expect(S.answer(ChartDifferenceTemplate(), ["first": "apples", "second": "pears"], in: scene) == "18")
        #expect(S.answer(ChartDifferenceTemplate(), ["first": "pears", "second": "apples"], in: scene) == "18")
        var tied = scene
        tied.chart?.values = [30, 30, 7, 19]
        #expect(S.answer(ChartExtremeTemplate(), ["extreme": "largest"], in: tied) == nil)
        #expect(S.answer(ChartExtremeTemplate(), ["extreme": "smallest"], in: tied) == "plums")
        #expect(S.answer(ChartValueTemplate(), ["category": "pears"], in: S.circlesAndStars) == nil)
        #expect(
            S.ask(ChartValueTemplate(), ["category": "figs"], in: scene)?.prompt
                == "What is the value of figs in the chart?\nAnswer with a number.")
    }

    @Test("table lookups by a unique first column")
    func table() throws {
        let scene = S.peopleTable
        let template = TableLookupTemplate()
        #expect(S.answer(template, ["key-column": "name", "key": "Bob", "column": "city"], in: scene) == "Rome")
        #expect(S.answer(template, ["key-column": "name", "key": "Cy", "column": "age"], in: scene) == "29")
        #expect(S.answer(template, ["key-column": "name", "key": "Eve", "column": "age"], in: scene) == nil)
        #expect(S.answer(template, ["key-column": "name", "key": "Bob", "column": "name"], in: scene) == nil)
        var duplicated = scene
        duplicated.table?.rows.append(["Bob", "Lima", "60"])
        #expect(S.answer(template, ["key-column": "name", "key": "Bob", "column": "city"], in: duplicated) == nil)
        let question = try #require(S.ask(template, ["key-column": "name", "key": "Bob", "column": "city"], in: scene))
        #expect(question.prompt.hasPrefix("In the row where name is Bob, what is city?"))
        // The column's other values are the first distractors.
        for question in S.questions(template, on: scene, format: .multipleChoice)
        where question.subject["column"] == "city" {
            let choices = try #require(question.expected.choices)
            #expect(Set(["Paris", "Rome", "Oslo"]).isSubset(of: choices), "\(choices)")
        }
    }
}

@Suite("Question template registry")
struct QuestionTemplateRegistryTests {
    @Test("ids are unique, named after their ability, and every ability has templates")
    func registry() throws {
        let ids = QuestionTemplates.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for template in QuestionTemplates.all {
            #expect(template.id.hasPrefix(template.ability.rawValue + "."))
            #expect(!template.formats.isEmpty)
            #expect(QuestionTemplates.template(id: template.id)?.id == template.id)
        }
        for ability in Ability.perception {
            #expect(!QuestionTemplates.templates(for: ability).isEmpty)
        }
        #expect(QuestionTemplates.templates(for: .language).isEmpty)
        #expect(QuestionTemplates.template(id: "counting.nothing") == nil)
        #expect(QuestionTemplates.templates(for: .grounding, formats: [.box]).map(\.id) == ["grounding.bounding-box"])
    }

    @Test("a template refuses formats it does not offer and questions it did not make")
    func refusals() throws {
        var rng = SeededGenerator(seed: 1)
        #expect(CountShapeTemplate().make(scene: S.circlesAndStars, format: .box, rng: &rng) == nil)
        let question = try #require(S.ask(CountShapeTemplate(), ["shape": "star"], in: S.circlesAndStars))
        #expect(CountObjectsTemplate().reask(question, on: S.circlesAndStars, rng: &rng) == nil)
        var damaged = question
        damaged.subject = ["shape": "blob"]
        #expect(CountShapeTemplate().reask(damaged, on: S.circlesAndStars, rng: &rng) == nil)
    }

    @Test("multiple-choice re-asking keeps the options and the old answer")
    func reaskKeepsOptions() throws {
        var rng = SeededGenerator(seed: 4)
        let scene = S.circlesAndStars
        let question = try #require(
            S.questions(CountShapeTemplate(), on: scene, format: .multipleChoice).first {
                $0.subject["shape"] == "circle"
            })
        #expect(question.answerValue == "3")
        let fewer = try #require(SceneEdit.remove(id: 0).apply(to: scene))
        let reasked = try #require(CountShapeTemplate().reask(question, on: fewer, rng: &rng))
        #expect(reasked.answerValue == "2")
        let choices = try #require(reasked.expected.choices)
        #expect(choices.contains("3"))
        // Only the option replaced by the new answer (if any) differs.
        let differing = zip(choices, question.expected.choices ?? []).filter { $0 != $1 }
        #expect(differing.count <= 1)
        #expect(differing.allSatisfy { $0.0 == "2" })
    }
}
