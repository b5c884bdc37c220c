import FaultlineCore
import Foundation
import Testing

@testable import FaultlineScenes

@Suite("Written words")
struct WrittenWordsTests {
    let generator = SceneGenerator()
    let renderer = SceneRenderer()

    /// Dark pixels (the painters' ink) in the box of `word`, with a margin of a fifth of its
    /// height: how many, and the mean of their x in canvas fractions.
    func ink(of word: WrittenWord, in image: RasterImage) -> (count: Int, meanX: Double) {
        let side = Double(min(image.width, image.height))
        let boxWidth = SceneTypography.extents(of: word.text, bold: word.role == .tableHeader || word.role == .chartTitle)
            .advance * word.size * side
        let centreX = word.x * Double(image.width), centreY = word.y * Double(image.height)
        let halfHeight = 0.5 * word.size * side
        var count = 0, sumX = 0.0
        for y in max(0, Int(centreY - halfHeight))...min(image.height - 1, Int(centreY + halfHeight)) {
            let halfWidth = boxWidth / 2 + 0.2 * halfHeight
            for x in max(0, Int(centreX - halfWidth))...min(image.width - 1, Int(centreX + halfWidth)) {
                let rgb = pixel(image, x, y).map(Int.init)
                if rgb.reduce(0, +) < 3 * 90 {
                    count += 1
                    sumX += Double(x) + 0.5
                }
            }
        }
        return (count, count == 0 ? 0 : sumX / Double(count) / Double(image.width))
    }

    @Test("a chart's title and every category are written where the painter draws them", arguments: 0..<12)
    func chartWords(seed: UInt64) throws {
        let scene = generator.chartScene(seed: seed)
        let chart = try #require(scene.chart)
        let words = scene.writtenWords()
        #expect(words.filter { $0.role == .chartCategory }.map(\.text) == chart.labels)
        #expect(words.filter { $0.role == .chartTitle }.map(\.text) == [chart.title])
        #expect(!words.contains { Int($0.text) != nil })
        let image = try renderer.render(scene)
        for word in words {
            let found = ink(of: word, in: image)
            #expect(found.count >= 10, "no ink around \(word.text) (\(chart.kind)) at \(word.x), \(word.y)")
            let width = SceneTypography.extents(of: word.text).advance * word.size
            #expect(abs(found.meanX - word.x) < 0.15 * width, "\(word.text) (\(chart.kind), \(word.role)): ink centred at \(found.meanX), not \(word.x)")
        }
    }

    @Test("a table's headers and word cells are written where the painter draws them; numbers are left out", arguments: 0..<12)
    func tableWords(seed: UInt64) throws {
        let scene = generator.tableScene(seed: seed)
        let table = try #require(scene.table)
        let words = scene.writtenWords()
        #expect(words.filter { $0.role == .tableHeader }.map(\.text) == table.columns)
        #expect(words.filter { $0.role == .tableCell }.map(\.text) == table.rows.flatMap { $0 }.filter { Int($0) == nil })
        let image = try renderer.render(scene)
        for word in words {
            let found = ink(of: word, in: image)
            #expect(found.count >= 10, "no ink around \(word.text) at \(word.x), \(word.y)")
            let width = SceneTypography.extents(of: word.text).advance * word.size
            #expect(abs(found.meanX - word.x) < 0.15 * width, "\(word.text): ink centred at \(found.meanX), not \(word.x)")
        }
    }

    @Test("objects' labels and signs are listed at their centres")
    func objectScene() {
        let scene = WorldRendererTests.busy
        let words = scene.writtenWords()
        let labelled = scene.objects.filter { $0.label != nil }
        #expect(words.filter { $0.role == .objectLabel }.count == labelled.count)
        for (word, object) in zip(words.filter { $0.role == .objectLabel }, labelled) {
            let centre = scene.labelCentre(of: object)
            #expect(word.text == object.label && word.x == centre?.x && word.y == centre?.y)
        }
        #expect(words.filter { $0.role == .sign }.map(\.text) == scene.labels.map(\.text).filter { $0.contains(where: \.isLetter) })
    }
}
