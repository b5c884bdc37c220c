import FaultlineCore
import Foundation
import Testing

@testable import FaultlineScenes

/// Checks, independently of `Scene.validationProblems()`, that a scene's layout is sound:
/// unique ids, every object inside the canvas, and overlapping objects only where one lies
/// inside the other (by the scene graph's own `inside` relation).
func layoutFaults(_ scene: Scene) -> [String] {
    var faults: [String] = []
    if Set(scene.objects.map(\.id)).count != scene.objects.count { faults.append("ids repeat") }
    for object in scene.objects {
        let box = scene.boundingBox(of: object)
        if box.minX < 0 || box.minY < 0 || box.maxX > 1 || box.maxY > 1 { faults.append("object \(object.id) leaves the canvas") }
    }
    for (i, a) in scene.objects.enumerated() {
        for b in scene.objects[(i + 1)...] {
            let boxA = scene.boundingBox(of: a), boxB = scene.boundingBox(of: b)
            let overlapX = min(boxA.maxX, boxB.maxX) - max(boxA.minX, boxB.minX)
            let overlapY = min(boxA.maxY, boxB.maxY) - max(boxA.minY, boxB.minY)
            guard overlapX > 0, overlapY > 0 else { continue }
            let inside = scene.relations(from: a, to: b).contains(.inside) || scene.relations(from: b, to: a).contains(.inside)
            if !inside { faults.append("objects \(a.id) and \(b.id) overlap") }
            if inside, a.colour == b.colour { faults.append("objects \(a.id) and \(b.id) nest in the same colour") }
        }
    }
    for label in scene.labels {
        let box = scene.boundingBox(of: label)
        if box.minX < 0 || box.minY < 0 || box.maxX > 1 || box.maxY > 1 { faults.append("sign \(label.text) leaves the canvas") }
        for object in scene.objects where box.iou(scene.boundingBox(of: object)) > 0 {
            faults.append("sign \(label.text) covers object \(object.id)")
        }
    }
    return faults
}

@Suite("Scene generator")
struct WorldGeneratorTests {
    let generator = SceneGenerator()

    @Test("the same seed gives the same scene; different seeds give different scenes")
    func deterministic() {
        for seed: UInt64 in [0, 1, 42, .max] {
            #expect(generator.objectScene(seed: seed) == generator.objectScene(seed: seed))
            #expect(generator.chartScene(seed: seed) == generator.chartScene(seed: seed))
            #expect(generator.tableScene(seed: seed) == generator.tableScene(seed: seed))
        }
        let objectScenes = Set((0..<50).map { generator.objectScene(seed: $0).json() })
        let charts = Set((0..<50).map { generator.chartScene(seed: $0).json() })
        let tables = Set((0..<50).map { generator.tableScene(seed: $0).json() })
        #expect(objectScenes.count == 50)
        #expect(charts.count == 50)
        #expect(tables.count == 50)
    }

    @Test("object scenes: ids 0..<n, inside the canvas, no overlaps except one object inside another")
    func objectLayout() {
        var counts: Set<Int> = []
        var insidePairs = 0, labels = 0, signs = 0, textures = 0
        for seed in 0..<600 as Range<UInt64> {
            let scene = generator.objectScene(seed: seed)
            counts.insert(scene.objects.count)
            #expect(scene.objects.map(\.id) == Array(0..<scene.objects.count))
            #expect(layoutFaults(scene).isEmpty, "seed \(seed): \(layoutFaults(scene))")
            #expect(scene.validationProblems().isEmpty, "seed \(seed): \(scene.validationProblems())")
            #expect(scene.width == 224 && scene.height == 224 && scene.seed == seed)
            for a in scene.objects {
                for b in scene.objects where scene.relations(from: a, to: b).contains(.inside) {
                    insidePairs += 1
                    #expect(scene.isDrawnInside(a, b))
                    #expect(b.label == nil, "a container's label would be hidden")
                }
                #expect(abs(a.rotation) <= 30)
            }
            labels += scene.objects.filter { $0.label != nil }.count
            textures += scene.objects.filter { $0.texture != nil }.count
            signs += scene.labels.count
        }
        // Counting needs every count from 0 to 10.
        #expect(counts == Set(0...10))
        #expect(insidePairs > 50)
        #expect(labels > 100)
        #expect(textures > 300)
        #expect(signs > 60)
    }

    @Test("labels on objects are legible words that are not colour, shape or number words")
    func objectLabels() {
        for seed in 0..<300 as Range<UInt64> {
            let scene = generator.objectScene(seed: seed)
            let texts = scene.objects.compactMap(\.label) + scene.labels.flatMap { $0.text.split(separator: " ").map(String.init) }
            for text in texts {
                #expect(!SceneVocabulary.reservedWords.contains(text), "seed \(seed): \(text)")
            }
            for object in scene.objects {
                guard let label = object.label else { continue }
                #expect(object.texture == nil)
                #expect(SceneTypography.objectLabelSize(label, shape: object.shape, size: object.size) >= 10.0 / 224)
            }
            let labels = scene.objects.compactMap(\.label)
            #expect(Set(labels).count == labels.count, "labels repeat in seed \(seed)")
        }
    }

    @Test("a crowded configuration still gets exactly the asked number of objects")
    func crowdedScenes() throws {
        let crowded = try SceneGenerator(validating: .init(objectCount: 20...20, sizes: [.small, .medium]))
        for seed in 0..<40 as Range<UInt64> {
            let scene = crowded.objectScene(seed: seed)
            #expect(scene.objects.count == 20)
            #expect(layoutFaults(scene).isEmpty)
        }
        let largeOnly = try SceneGenerator(validating: .init(objectCount: 4...4, sizes: [.large]))
        for seed in 0..<20 as Range<UInt64> {
            let scene = largeOnly.objectScene(seed: seed)
            #expect(scene.objects.count == 4 && scene.objects.allSatisfy { $0.size == .large })
            #expect(layoutFaults(scene).isEmpty)
        }
    }

    @Test("configured shapes, colours, sizes and backgrounds are the only ones used")
    func restrictedConfiguration() throws {
        let restricted = try SceneGenerator(
            validating: .init(
                width: 320, height: 200, objectCount: 3...6, shapes: [.star, .cross], colours: [.red, .blue], sizes: [.small, .large],
                backgrounds: [.water], textureProbability: 0, labelProbability: 0, signProbability: 0, maxRotationDegrees: 0))
        for seed in 0..<100 as Range<UInt64> {
            let scene = restricted.objectScene(seed: seed)
            #expect((3...6).contains(scene.objects.count))
            #expect(scene.width == 320 && scene.height == 200)
            #expect(scene.background == Background(kind: .water))
            #expect(scene.labels.isEmpty)
            for object in scene.objects {
                #expect([.star, .cross].contains(object.shape))
                #expect([.red, .blue].contains(object.colour))
                #expect(object.size != .medium)
                #expect(object.rotation == 0 && object.texture == nil && object.label == nil)
            }
            #expect(layoutFaults(scene).isEmpty, "seed \(seed): \(layoutFaults(scene))")
        }
    }

    @Test("chart scenes: 3–6 distinct categories with distinct whole values in 1...99 and a title")
    func charts() {
        var kinds: Set<Chart.Kind> = []
        var sizes: Set<Int> = []
        for seed in 0..<300 as Range<UInt64> {
            let scene = generator.chartScene(seed: seed)
            guard let chart = scene.chart else {
                Issue.record("seed \(seed) has no chart")
                continue
            }
            kinds.insert(chart.kind)
            sizes.insert(chart.labels.count)
            #expect((3...6).contains(chart.labels.count))
            #expect(chart.values.count == chart.labels.count)
            #expect(Set(chart.values).count == chart.values.count)
            #expect(chart.values.allSatisfy { (1...99).contains($0) })
            #expect(Set(chart.labels).count == chart.labels.count)
            #expect(!chart.title.isEmpty)
            #expect(scene.objects.isEmpty && scene.table == nil)
            #expect([.plain, .gradient].contains(scene.background.kind))
            #expect(scene.validationProblems().isEmpty, "seed \(seed): \(scene.validationProblems())")
            #expect(ChartLayout.categoryTextSize(chart, width: 224, height: 224) >= 10.0 / 224)
        }
        #expect(kinds == Set(Chart.Kind.allCases))
        #expect(sizes == Set(3...6))
    }

    @Test("table scenes: 3–5 rows and 2–4 columns under a header, distinct keys and numbers")
    func tables() {
        var shapes: Set<[Int]> = []
        for seed in 0..<300 as Range<UInt64> {
            let scene = generator.tableScene(seed: seed)
            guard let table = scene.table else {
                Issue.record("seed \(seed) has no table")
                continue
            }
            shapes.insert([table.rows.count, table.columns.count])
            #expect((3...5).contains(table.rows.count))
            #expect((2...4).contains(table.columns.count))
            #expect(table.rows.allSatisfy { $0.count == table.columns.count && $0.allSatisfy { !$0.isEmpty } })
            #expect(Set(table.rows.map { $0[0] }).count == table.rows.count)
            for column in 1..<table.columns.count {
                let cells = table.rows.map { $0[column] }
                if cells.allSatisfy({ Int($0) != nil }) { #expect(Set(cells).count == cells.count) }
            }
            #expect(scene.validationProblems().isEmpty)
            #expect(TableLayout(table: table, width: 224, height: 224).fontSize >= 10.0 / 224)
        }
        #expect(shapes.count == 9)
    }

    @Test("invalid configurations name the field at fault")
    func configurationValidation() {
        let cases: [(SceneGeneratorConfiguration, String)] = [
            (.init(width: 8), "width"),
            (.init(height: 100_000), "height"),
            (.init(objectCount: -1...3), "objectCount"),
            (.init(objectCount: 0...31), "objectCount"),
            (.init(objectCount: 0...10, sizes: [.large]), "objectCount"),
            (.init(shapes: []), "shapes"),
            (.init(colours: []), "colours"),
            (.init(sizes: []), "sizes"),
            (.init(backgrounds: []), "backgrounds"),
            (.init(chartKinds: []), "chartKinds"),
            (.init(textureProbability: 1.5), "textureProbability"),
            (.init(labelProbability: -0.1), "labelProbability"),
            (.init(signProbability: .nan), "signProbability"),
            (.init(insideProbability: 2), "insideProbability"),
            (.init(maxRotationDegrees: 400), "maxRotationDegrees"),
        ]
        for (configuration, field) in cases {
            #expect(throws: SceneConfigurationError.self) { try configuration.validate() }
            do throws(SceneConfigurationError) {
                try configuration.validate()
            } catch {
                #expect(error.field == field)
                #expect(error.description.contains("`\(field)`"))
            }
        }
        #expect(throws: Never.self) { try SceneGeneratorConfiguration().validate() }
    }

    @Test("JSON configurations take defaults for missing fields and are validated")
    func configurationJSON() throws {
        let decoder = JSONDecoder()
        let partial = try decoder.decode(
            SceneGeneratorConfiguration.self, from: Data(#"{"objectCount": [2, 5], "shapes": ["star"]}"#.utf8))
        var expected = SceneGeneratorConfiguration()
        expected.objectCount = 2...5
        expected.shapes = [.star]
        #expect(partial == expected)
        #expect(try decoder.decode(SceneGeneratorConfiguration.self, from: Data("{}".utf8)) == SceneGeneratorConfiguration())
        let encoded = try JSONEncoder().encode(expected)
        #expect(try decoder.decode(SceneGeneratorConfiguration.self, from: encoded) == expected)
        #expect(throws: SceneConfigurationError.self) {
            try decoder.decode(SceneGeneratorConfiguration.self, from: Data(#"{"labelProbability": 3}"#.utf8))
        }
    }
}
