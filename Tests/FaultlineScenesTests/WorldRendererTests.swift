import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@testable import FaultlineScenes

/// The RGB bytes of one pixel.
func pixel(_ image: RasterImage, _ x: Int, _ y: Int) -> [UInt8] {
    let offset = 3 * (y * image.width + x)
    return Array(image.pixels[offset..<(offset + 3)])
}

func bytes(_ colour: NamedColour) -> [UInt8] {
    let value = colour.rgbBytes
    return [value.red, value.green, value.blue]
}

@Suite("Scene renderer")
struct WorldRendererTests {
    let renderer = SceneRenderer()

    /// A scene with every kind of detail: textures, labels, a sign, an object inside another.
    static let busy: Scene = {
        let generator = SceneGenerator(
            configuration: .init(objectCount: 6...8, textureProbability: 0.6, labelProbability: 0.5, signProbability: 1, insideProbability: 1))
        return generator.objectScene(seed: 7)
    }()

    @Test("the same scene renders to byte-identical PNGs, from any thread")
    func deterministic() async throws {
        let first = try PNGCodec.encode(renderer.render(Self.busy))
        let second = try PNGCodec.encode(renderer.render(Self.busy))
        #expect(first == second)
        let scenes = (0..<6).map { SceneGenerator().objectScene(seed: $0) }
        let serial = try scenes.map { try renderer.render($0) }
        let shared = renderer
        let parallel = try await withThrowingTaskGroup(of: (Int, RasterImage).self) { group in
            for (index, scene) in scenes.enumerated() { group.addTask { (index, try shared.render(scene)) } }
            var images = [RasterImage?](repeating: nil, count: scenes.count)
            for try await (index, image) in group { images[index] = image }
            return images.compactMap { $0 }
        }
        #expect(parallel == serial)
    }

    @Test("the seed changes textures and background detail, and nothing else")
    func seedControlsRandomDetail() throws {
        let textured = Scene(
            width: 224, height: 224, background: Background(kind: .plain),
            objects: [
                SceneObject(id: 0, shape: .circle, colour: .red, size: .large, x: 0.3, y: 0.3, texture: .stripes),
                SceneObject(id: 1, shape: .square, colour: .blue, size: .large, x: 0.7, y: 0.7, texture: .dots),
            ], seed: 1)
        var reseeded = textured
        reseeded.seed = 2
        let first = try renderer.render(textured), second = try renderer.render(reseeded)
        #expect(first != second)
        // Only pixels of the textured objects change; the plain background does not.
        #expect(pixel(first, 5, 5) == pixel(second, 5, 5))
        #expect(pixel(first, 218, 5) == pixel(second, 218, 5))

        for kind in [BackgroundKind.textured, .sky, .grass, .water, .gradient] {
            var scene = Scene(width: 128, height: 128, background: Background(kind: kind, tint: .green), seed: 1)
            let one = try renderer.render(scene)
            scene.seed = 2
            #expect(try renderer.render(scene) != one, "\(kind) ignores the seed")
        }

        var untextured = textured
        for index in untextured.objects.indices { untextured.objects[index].texture = nil }
        var untexturedReseeded = untextured
        untexturedReseeded.seed = 99
        #expect(try renderer.render(untextured) == renderer.render(untexturedReseeded))
    }

    @Test("every shape in every colour is filled with the colour's exact bytes at its centre")
    func exactColours() throws {
        for shape in Shape.allCases {
            for colour in NamedColour.allCases {
                for rotation in [0.0, 23.0] {
                    let object = SceneObject(id: 0, shape: shape, colour: colour, size: .large, x: 0.5, y: 0.5, rotation: rotation)
                    let scene = Scene(width: 224, height: 224, background: Background(kind: .plain), objects: [object], seed: 3)
                    let image = try renderer.render(scene)
                    #expect(pixel(image, 112, 112) == bytes(colour), "\(shape) \(colour) at \(rotation)°")
                    #expect(pixel(image, 106, 117) == bytes(colour), "\(shape) \(colour) near the centre")
                    // The background is not the object's colour, and the outline is dark.
                    #expect(pixel(image, 2, 2) != bytes(colour))
                }
            }
        }
        #expect(bytes(.red) == [219, 33, 38])
    }

    @Test("objects are outlined: a dark ring sits at the edge of a circle")
    func outlines() throws {
        let object = SceneObject(id: 0, shape: .circle, colour: .yellow, size: .large, x: 0.5, y: 0.5)
        let scene = Scene(width: 224, height: 224, background: Background(kind: .plain, tint: .yellow), objects: [object], seed: 0)
        let image = try renderer.render(scene)
        let radius = Int(0.16 * 224)
        // Scan outward along the row through the centre: yellow, then something dark, then background.
        let row = (0..<(radius + 4)).map { pixel(image, 112 + $0, 112) }
        #expect(row.first == bytes(.yellow))
        #expect(row.contains { $0.allSatisfy { $0 < 80 } })
        #expect(row.last.map { $0 != bytes(.yellow) && $0.allSatisfy { $0 > 150 } } == true)
    }

    @Test("positions are fractions: the layout is the same at 128, 224 and 448 px")
    func resolutionIndependent() throws {
        var scene = SceneGenerator(configuration: .init(objectCount: 5...5, textureProbability: 0, labelProbability: 0, signProbability: 0, insideProbability: 0))
            .objectScene(seed: 11)
        scene.background = Background(kind: .plain)
        for side in [128, 224, 448] {
            scene.width = side
            scene.height = side
            let image = try renderer.render(scene)
            #expect(image.width == side && image.height == side && image.channels == 3)
            for object in scene.objects {
                let x = Int(object.x * Double(side)), y = Int(object.y * Double(side))
                #expect(pixel(image, x, y) == bytes(object.colour), "object \(object.id) at \(side) px")
            }
        }
        scene.width = 300
        scene.height = 150
        let wide = try renderer.render(scene)
        #expect(wide.width == 300 && wide.height == 150)
    }

    @Test("a label is drawn inside its object and in a contrasting colour")
    func labelsStayInside() throws {
        for shape in Shape.allCases {
            for colour in [NamedColour.blue, .yellow] {
                let object = SceneObject(
                    id: 0, shape: shape, colour: colour, size: .large, x: 0.5, y: 0.5, rotation: 0, label: "ox")
                let scene = Scene(width: 448, height: 448, background: Background(kind: .plain), objects: [object], seed: 0)
                let image = try renderer.render(scene)
                let textColour: [UInt8] = colour == .yellow ? [0, 0, 0] : [255, 255, 255]
                let radius = 0.16 * 448
                var textPixels = 0
                for y in 0..<448 {
                    for x in 0..<448 where pixel(image, x, y) == textColour {
                        textPixels += 1
                        let localX = (Double(x) + 0.5 - 224) / radius, localY = (Double(y) + 0.5 - 224) / radius
                        #expect(ShapeGeometry.contains(shape, x: localX, y: localY), "\(shape): text pixel at (\(x), \(y)) outside the shape")
                    }
                }
                #expect(textPixels > 20, "\(shape) \(colour): no label drawn")
            }
        }
    }

    @Test("label areas and inner circles lie inside their shapes")
    func shapeGeometry() {
        for shape in Shape.allCases {
            let area = ShapeGeometry.labelArea(of: shape)
            for (dx, dy) in [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)] {
                #expect(
                    ShapeGeometry.contains(shape, x: dx * area.halfWidth, y: area.centreY + dy * area.halfHeight),
                    "\(shape) label area corner")
            }
            let inradius = ShapeGeometry.inradius(of: shape)
            #expect(inradius > 0.3 && inradius <= 1)
            for step in 0..<72 {
                let angle = Double(step) * .pi / 36
                #expect(ShapeGeometry.contains(shape, x: 0.999 * inradius * cos(angle), y: 0.999 * inradius * sin(angle)))
            }
            // Just beyond the inner circle, some direction leaves the shape (except the circle).
            if shape != .circle {
                let leaves = (0..<720).contains { step in
                    let angle = Double(step) * .pi / 360
                    return !ShapeGeometry.contains(shape, x: 1.01 * inradius * cos(angle), y: 1.01 * inradius * sin(angle))
                }
                #expect(leaves, "\(shape) inradius is not tight")
            }
        }
    }

    /// The number of pixels of `colour` in column `x`.
    func run(of colour: [UInt8], column x: Int, in image: RasterImage) -> Int {
        (0..<image.height).filter { pixel(image, x, $0) == colour }.count
    }

    @Test("bar heights follow the values")
    func barHeights() throws {
        let values = [30, 80, 55, 10, 64]
        let chart = Chart(kind: .bar, title: "Test", labels: ["a", "b", "c", "d", "e"], values: values)
        let scene = Scene(width: 224, height: 224, background: Background(kind: .plain), chart: chart, seed: 0)
        let image = try renderer.render(scene)
        let heights = values.indices.map { index in
            run(of: bytes(ChartPainter.seriesColour), column: Int(ChartLayout.slotCentre(index, of: values.count) * 224), in: image)
        }
        #expect(heights.allSatisfy { $0 > 0 })
        for i in values.indices {
            for j in values.indices where values[i] < values[j] { #expect(heights[i] < heights[j]) }
        }
        // Proportional within the two pixels that the outline and antialiasing take.
        let perUnit = Double(heights[1]) / Double(values[1])
        for (height, value) in zip(heights, values) {
            #expect(abs(Double(height) - perUnit * Double(value)) <= 2.5, "height \(height) for value \(value)")
        }
    }

    @Test("pie slice areas follow the values")
    func pieAreas() throws {
        let values = [50, 25, 15, 10]
        let chart = Chart(kind: .pie, title: "Test", labels: ["a", "b", "c", "d"], values: values)
        let scene = Scene(width: 448, height: 448, background: Background(kind: .plain), chart: chart, seed: 0)
        let image = try renderer.render(scene)
        let centreX = ChartLayout.pieCentreX * 448, centreY = ChartLayout.pieCentreY * 448
        let radius = ChartLayout.pieRadius * 448
        var areas = [Int](repeating: 0, count: values.count)
        // Count slice-coloured pixels inside the pie's disc only (the legend repeats the colours).
        for y in 0..<448 {
            for x in 0..<448 {
                let dx = Double(x) + 0.5 - centreX, dy = Double(y) + 0.5 - centreY
                guard dx * dx + dy * dy < radius * radius else { continue }
                for index in values.indices where pixel(image, x, y) == bytes(ChartPainter.sliceColours[index]) {
                    areas[index] += 1
                }
            }
        }
        let total = Double(areas.reduce(0, +))
        for (area, value) in zip(areas, values) {
            #expect(abs(Double(area) / total - Double(value) / 100) < 0.02, "slice of \(value) has share \(Double(area) / total)")
        }
    }

    @Test("the value axis tops out at a round number at or above the largest value")
    func valueAxis() {
        #expect(ChartLayout.valueAxis([99, 3]) == (100, 20))
        #expect(ChartLayout.valueAxis([45]) == (50, 10))
        #expect(ChartLayout.valueAxis([6, 1]) == (6, 1))
        #expect(ChartLayout.valueAxis([95], headroom: 0.15) == (120, 20))
        for largest in 1...500 {
            let axis = ChartLayout.valueAxis([largest])
            #expect(axis.maximum >= largest && axis.maximum / axis.step <= 6 && axis.maximum % axis.step == 0)
        }
    }

    @Test("tables draw grid lines and every row")
    func tableGrid() throws {
        let table = DataTable(columns: ["Name", "Age"], rows: [["Ana", "31"], ["Ben", "7"], ["Cai", "64"]])
        let scene = Scene(width: 224, height: 224, background: Background(kind: .plain), table: table, seed: 0)
        let image = try renderer.render(scene)
        let layout = TableLayout(table: table, width: 224, height: 224)
        // A column between the two text columns' padding crosses 4 horizontal rules plus the
        // heavier rule under the header: count the dark runs.
        let x = Int((layout.originX + layout.columnWidths[0] * 0.5) * 224)
        var runs = 0, inRun = false
        for y in 0..<224 {
            let dark = pixel(image, x, y).allSatisfy { $0 < 120 }
            if dark, !inRun { runs += 1 }
            inRun = dark
        }
        #expect(runs >= 5, "found \(runs) dark runs; text may add more but the rules must be there")
        #expect(layout.fontSize >= 10.0 / 224)
    }

    @Test("unrenderable scenes throw errors naming the field")
    func errors() {
        func field(_ scene: Scene) -> String? {
            do throws(SceneRenderError) {
                _ = try renderer.render(scene)
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(Scene(width: 0, height: 224, background: Background(kind: .plain), seed: 0)) == "width")
        #expect(field(Scene(width: 224, height: 9000, background: Background(kind: .plain), seed: 0)) == "height")
        let mismatched = Chart(kind: .bar, title: "t", labels: ["a", "b"], values: [1])
        #expect(field(Scene(width: 64, height: 64, background: Background(kind: .plain), chart: mismatched, seed: 0)) == "chart.values")
        let empty = Chart(kind: .pie, title: "t", labels: ["a", "b"], values: [0, 0])
        #expect(field(Scene(width: 64, height: 64, background: Background(kind: .plain), chart: empty, seed: 0)) == "chart.values")
        let ragged = DataTable(columns: ["a", "b"], rows: [["1"]])
        #expect(field(Scene(width: 64, height: 64, background: Background(kind: .plain), table: ragged, seed: 0)) == "table.rows[0]")
    }

    @Test("generated scenes of every kind render at 224 px with their own size")
    func everythingRenders() throws {
        let generator = SceneGenerator()
        for seed in 0..<30 as Range<UInt64> {
            for scene in [generator.objectScene(seed: seed), generator.chartScene(seed: seed), generator.tableScene(seed: seed)] {
                let image = try renderer.render(scene)
                #expect(image.width == 224 && image.height == 224 && image.pixels.count == 224 * 224 * 3)
            }
        }
    }
}
