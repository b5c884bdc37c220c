import FaultlineCore
import Foundation
import Testing

@testable import FaultlineScenes

@Suite("Counterfactual scene edits")
struct WorldEditTests {
    /// Scenes with plenty to edit: labels, signs and nested objects are common.
    static let generator = SceneGenerator(
        configuration: .init(objectCount: 0...10, labelProbability: 0.4, signProbability: 0.5, insideProbability: 0.5))

    /// Everything about an object except the given property.
    func sameExceptPosition(_ a: SceneObject, _ b: SceneObject) -> Bool {
        var moved = b
        moved.x = a.x
        moved.y = a.y
        return moved == a
    }

    @Test("random edits over 200 scenes give valid scenes that changed exactly what the edit says")
    func propertyOverRandomScenes() throws {
        var applied: [SceneEdit.Kind: Int] = [:]
        var rng = SeededGenerator(seed: 2024)
        for seed in 0..<200 as Range<UInt64> {
            let scene = Self.generator.objectScene(seed: seed)
            for kind in EditProposer.applicableKinds(for: scene) {
                guard let edit = EditProposer.randomEdit(of: kind, for: scene, rng: &rng) else { continue }
                #expect(edit.kind == kind && edit.name == kind.rawValue)
                guard let edited = edit.apply(to: scene) else {
                    Issue.record("seed \(seed): proposed edit \(edit) does not apply")
                    continue
                }
                applied[kind, default: 0] += 1
                #expect(layoutFaults(edited).isEmpty, "seed \(seed), \(edit): \(layoutFaults(edited))")
                #expect(edited.seed == scene.seed && edited.width == scene.width && edited.height == scene.height)
                check(edit, from: scene, to: edited)
            }
        }
        for kind in SceneEdit.Kind.allCases {
            #expect(applied[kind, default: 0] >= 50, "only \(applied[kind, default: 0]) valid \(kind) edits")
        }
    }

    /// The edit changed its own property and nothing else.
    func check(_ edit: SceneEdit, from scene: Scene, to edited: Scene) {
        let context = "seed \(scene.seed), \(edit)"
        switch edit {
        case .add(let object):
            #expect(edited.objects.count == scene.objects.count + 1, "\(context)")
            #expect(edited.object(id: object.id) == object && scene.object(id: object.id) == nil, "\(context)")
            #expect(Array(edited.objects.prefix(scene.objects.count)) == scene.objects, "\(context)")
        case .remove(let id):
            #expect(edited.objects.count == scene.objects.count - 1, "\(context)")
            #expect(edited.object(id: id) == nil, "\(context)")
            #expect(edited.objects == scene.objects.filter { $0.id != id }, "\(context)")
        case .recolour(let id, let colour):
            for (before, after) in zip(scene.objects, edited.objects) {
                if before.id == id {
                    #expect(after.colour == colour && before.colour != colour, "\(context)")
                    var restored = after
                    restored.colour = before.colour
                    #expect(restored == before, "\(context)")
                } else {
                    #expect(after == before, "\(context)")
                }
            }
        case .move(let id, let x, let y):
            for (before, after) in zip(scene.objects, edited.objects) {
                if before.id == id {
                    #expect(after.x == x && after.y == y && (before.x != x || before.y != y), "\(context)")
                    #expect(sameExceptPosition(before, after), "\(context)")
                } else {
                    #expect(after == before, "\(context)")
                }
            }
        case .resize(let id, let size):
            for (before, after) in zip(scene.objects, edited.objects) {
                if before.id == id {
                    #expect(after.size == size && before.size != size, "\(context)")
                    var restored = after
                    restored.size = before.size
                    #expect(restored == before, "\(context)")
                } else {
                    #expect(after == before, "\(context)")
                }
            }
        case .swap(let a, let b):
            let beforeA = scene.object(id: a), beforeB = scene.object(id: b)
            let afterA = edited.object(id: a), afterB = edited.object(id: b)
            #expect(afterA?.x == beforeB?.x && afterA?.y == beforeB?.y, "\(context)")
            #expect(afterB?.x == beforeA?.x && afterB?.y == beforeA?.y, "\(context)")
            if let beforeA, let afterA, let beforeB, let afterB {
                #expect(sameExceptPosition(beforeA, afterA) && sameExceptPosition(beforeB, afterB), "\(context)")
            }
            #expect(edited.objects.filter { $0.id != a && $0.id != b } == scene.objects.filter { $0.id != a && $0.id != b }, "\(context)")
        case .changeBackground(let background):
            #expect(edited.background == background && scene.background != background, "\(context)")
            var restored = edited
            restored.background = scene.background
            #expect(restored == scene, "\(context)")
        case .overlayText(let label):
            #expect(edited.labels == scene.labels + [label], "\(context)")
            #expect(edited.objects == scene.objects, "\(context)")
        }
        if edit.kind != .changeBackground { #expect(edited.background == scene.background, "\(context)") }
        if edit.kind != .overlayText { #expect(edited.labels == scene.labels, "\(context)") }
    }

    @Test("randomEdit without a kind proposes every kind and is deterministic")
    func anyKind() {
        var kinds: Set<SceneEdit.Kind> = []
        var rng = SeededGenerator(seed: 5)
        for seed in 0..<100 as Range<UInt64> {
            let scene = Self.generator.objectScene(seed: seed)
            var first = SeededGenerator(seed: seed), second = SeededGenerator(seed: seed)
            #expect(EditProposer.randomEdit(for: scene, rng: &first) == EditProposer.randomEdit(for: scene, rng: &second))
            if let edit = EditProposer.randomEdit(for: scene, rng: &rng) {
                kinds.insert(edit.kind)
                #expect(edit.apply(to: scene) != nil)
            }
        }
        #expect(kinds == Set(SceneEdit.Kind.allCases))
    }

    /// A hand-made scene: a large blue circle holding a small red square, a medium green
    /// star on the right, and a sign at the bottom.
    static let scene = Scene(
        width: 224, height: 224, background: Background(kind: .plain),
        objects: [
            SceneObject(id: 0, shape: .circle, colour: .blue, size: .large, x: 0.25, y: 0.3),
            SceneObject(id: 1, shape: .square, colour: .red, size: .small, x: 0.25, y: 0.3),
            SceneObject(id: 2, shape: .star, colour: .green, size: .medium, x: 0.75, y: 0.3),
        ],
        labels: [TextLabel(text: "market", x: 0.5, y: 0.85, size: 0.06)], seed: 9)

    @Test("the hand-made scene is valid and has the inside relation")
    func handMadeScene() throws {
        let scene = Self.scene
        #expect(scene.isValid, "\(scene.validationProblems())")
        let inner = try #require(scene.object(id: 1)), container = try #require(scene.object(id: 0))
        #expect(scene.relations(from: inner, to: container).contains(.inside))
        #expect(scene.isDrawnInside(inner, container))
    }

    @Test("invalid edits return nil")
    func invalidEdits() {
        let scene = Self.scene
        let invalid: [(SceneEdit, String)] = [
            (.remove(id: 7), "unknown id"),
            (.recolour(id: 7, to: .red), "unknown id"),
            (.recolour(id: 2, to: .green), "same colour"),
            (.recolour(id: 1, to: .blue), "inner object in its container's colour"),
            (.move(id: 7, x: 0.5, y: 0.5), "unknown id"),
            (.move(id: 2, x: 0.75, y: 0.3), "no change"),
            (.move(id: 2, x: 0.98, y: 0.3), "leaves the canvas"),
            (.move(id: 2, x: 0.3, y: 0.35), "overlaps the circle"),
            (.move(id: 2, x: 0.5, y: 0.85), "lands on the sign"),
            (.move(id: 0, x: 0.4, y: 0.3), "leaves its inner object overlapping its edge"),
            (.resize(id: 7, to: .large), "unknown id"),
            (.resize(id: 2, to: .medium), "no change"),
            (.resize(id: 1, to: .large), "as large as its container"),
            (.resize(id: 0, to: .small), "smaller than the object inside"),
            (.swap(2, 2), "same object"),
            (.swap(2, 7), "unknown id"),
            (.swap(0, 1), "same position"),
            (.add(SceneObject(id: 2, shape: .circle, colour: .red, size: .small, x: 0.5, y: 0.6)), "duplicate id"),
            (.add(SceneObject(id: 3, shape: .circle, colour: .red, size: .small, x: 0.75, y: 0.35)), "overlaps the star"),
            (.add(SceneObject(id: 3, shape: .circle, colour: .red, size: .small, x: 0.02, y: 0.6)), "leaves the canvas"),
            (.add(SceneObject(id: 3, shape: .circle, colour: .red, size: .small, x: 0.5, y: 0.6, label: "elephant")), "label too long to read"),
            (.changeBackground(Background(kind: .plain)), "no change"),
            (.overlayText(TextLabel(text: "stop", x: 0.25, y: 0.3, size: 0.06)), "covers an object"),
            (.overlayText(TextLabel(text: "stop", x: 0.99, y: 0.6, size: 0.06)), "leaves the canvas"),
            (.overlayText(TextLabel(text: "   ", x: 0.5, y: 0.6, size: 0.06)), "empty"),
            (.overlayText(TextLabel(text: "stop", x: 0.5, y: 0.6, size: 0.01)), "too small to read"),
            (.overlayText(TextLabel(text: "stop", x: 0.5, y: 0.86, size: 0.06)), "overlaps the sign"),
        ]
        for (edit, reason) in invalid {
            #expect(edit.apply(to: scene) == nil, "\(edit) should fail: \(reason)")
        }
        let valid: [SceneEdit] = [
            .remove(id: 0), .recolour(id: 1, to: .yellow), .move(id: 2, x: 0.75, y: 0.6), .resize(id: 2, to: .small),
            .swap(1, 2), .changeBackground(Background(kind: .sky)), .move(id: 0, x: 0.5, y: 0.6),
            .add(SceneObject(id: 3, shape: .circle, colour: .red, size: .small, x: 0.5, y: 0.6, label: "ox")),
            .overlayText(TextLabel(text: "stop", x: 0.5, y: 0.62, size: 0.06)),
        ]
        for edit in valid {
            #expect(edit.apply(to: scene) != nil, "\(edit) should apply: \(scene)")
        }
        // The medium star fits inside the large circle (swap 1, 2 above), but swapping the
        // circle away leaves the square overlapping the star's edge. Moving the square out
        // first makes that swap valid.
        #expect(SceneEdit.swap(0, 2).apply(to: scene) == nil)
        let unnested = SceneEdit.move(id: 1, x: 0.5, y: 0.6).apply(to: scene)
        #expect(unnested.flatMap { SceneEdit.swap(0, 2).apply(to: $0) } != nil)
    }

    @Test("chart and table scenes accept only background changes")
    func structuredScenes() {
        let chart = SceneGenerator().chartScene(seed: 3)
        let table = SceneGenerator().tableScene(seed: 3)
        for scene in [chart, table] {
            #expect(EditProposer.applicableKinds(for: scene) == [.changeBackground])
            #expect(SceneEdit.add(SceneObject(id: 0, shape: .circle, colour: .red, size: .small, x: 0.5, y: 0.5)).apply(to: scene) == nil)
            #expect(SceneEdit.overlayText(TextLabel(text: "stop", x: 0.5, y: 0.5, size: 0.06)).apply(to: scene) == nil)
            var rng = SeededGenerator(seed: 1)
            let edit = EditProposer.randomEdit(for: scene, rng: &rng)
            #expect(edit?.kind == .changeBackground)
            #expect(edit.flatMap { $0.apply(to: scene) }?.chart == scene.chart)
        }
        let empty = Scene(width: 224, height: 224, background: Background(kind: .plain), seed: 0)
        #expect(Set(EditProposer.applicableKinds(for: empty)) == [.add, .changeBackground, .overlayText])
    }

    @Test("edits round-trip through JSON and describe themselves")
    func codable() throws {
        let edits: [SceneEdit] = [
            .add(SceneObject(id: 4, shape: .hexagon, colour: .purple, size: .medium, x: 0.4, y: 0.6, rotation: 12, texture: .dots, label: "sun")),
            .remove(id: 1), .recolour(id: 2, to: .orange), .move(id: 3, x: 0.1, y: 0.9), .resize(id: 0, to: .large), .swap(1, 2),
            .changeBackground(Background(kind: .textured, tint: .brown)), .overlayText(TextLabel(text: "exit", x: 0.5, y: 0.5, size: 0.07)),
        ]
        #expect(Set(edits.map(\.kind)) == Set(SceneEdit.Kind.allCases))
        let decoded = try JSONDecoder().decode([SceneEdit].self, from: JSONEncoder().encode(edits))
        #expect(decoded == edits)
        #expect(SceneEdit.recolour(id: 2, to: .orange).description == "recolour object 2 to orange")
        #expect(SceneEdit.recolour(id: 2, to: .orange).name == "recolour")
    }

    @Test("validation names where a scene is wrong")
    func validationProblems() {
        var scene = Self.scene
        scene.objects.append(SceneObject(id: 2, shape: .circle, colour: .red, size: .small, x: 0.5, y: 0.6))
        scene.objects.append(SceneObject(id: 5, shape: .circle, colour: .red, size: .large, x: 0.9, y: 0.9))
        let problems = scene.validationProblems()
        #expect(problems.contains { $0.location == "objects[id 2]" && $0.message.contains("unique") })
        #expect(problems.contains { $0.location == "objects[id 5]" && $0.message.contains("outside the canvas") })
        var chart = Scene(
            width: 224, height: 224, background: Background(kind: .plain),
            chart: Chart(kind: .bar, title: "t", labels: ["a", "a"], values: [1, 2, 3]), seed: 0)
        #expect(chart.validationProblems().map(\.location).contains("chart.values"))
        #expect(chart.validationProblems().contains { $0.message.contains("repeat") })
        chart.width = 3
        #expect(chart.validationProblems().map(\.location) == ["width"])

        let words = ["elephant", "giraffe", "kangaroo", "tortoise", "flamingo", "squirrel"]
        let crowded = Chart(kind: .bar, title: "Zoo", labels: words, values: [1, 2, 3, 4, 5, 6])
        let crowdedScene = Scene(width: 224, height: 224, background: Background(kind: .plain), chart: crowded, seed: 0)
        #expect(crowdedScene.validationProblems().contains { $0.location == "chart.labels" && $0.message.contains("legibly") })
        var roomy = crowdedScene
        roomy.chart?.labels = ["ox", "cat", "dog", "hen", "pig", "elk"]
        #expect(roomy.isValid, "\(roomy.validationProblems())")
        let wideTable = DataTable(columns: words, rows: [words, words])
        let tableScene = Scene(width: 224, height: 224, background: Background(kind: .plain), table: wideTable, seed: 0)
        #expect(tableScene.validationProblems().map(\.location) == ["table"])
    }
}
