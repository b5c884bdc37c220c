import FaultlineCore
import FaultlineImageIO
import Foundation
import Testing

@testable import FaultlineScenes

@Suite("Text renderer")
struct TextRendererTests {
    let renderer = TextRenderer()

    /// A spec with every factor switched on.
    static let busy = TextRenderSpec(
        lines: ["quick Brown fox,", "JUMPS over 42"], font: .serifCondensed, weight: .bold, size: 20, rotation: 12,
        contrast: 0.6, clutter: .heavy, blurSigma: 0.8, noiseSigma: 10, jpegQuality: 40, seed: 99)

    @Test("the same spec renders to byte-identical PNGs")
    func deterministic() throws {
        let first = try PNGCodec.encode(renderer.render(Self.busy))
        let second = try PNGCodec.encode(renderer.render(Self.busy))
        #expect(first == second)
        #expect(SHA256.hex(of: first) == SHA256.hex(of: second))
    }

    @Test("a different seed changes clutter and noise, and nothing else depends on it")
    func seedControlsRandomParts() throws {
        var other = Self.busy
        other.seed = 100
        #expect(try renderer.render(other) != renderer.render(Self.busy))

        var plain = TextRenderSpec(lines: ["plain"], size: 24, seed: 1)
        let first = try renderer.render(plain)
        plain.seed = 2
        #expect(try renderer.render(plain) == first)
    }

    @Test("rendering from several threads at once gives the same images as one at a time")
    func concurrentRenderingIsDeterministic() async throws {
        let specs = (0..<8).map { i in
            var spec = Self.busy
            spec.seed = UInt64(i)
            spec.font = FontFamily.allCases[i % FontFamily.allCases.count]
            return spec
        }
        let serial = try specs.map { try renderer.render($0) }
        let shared = renderer
        let parallel = try await withThrowingTaskGroup(of: (Int, RasterImage).self) { group in
            for (index, spec) in specs.enumerated() {
                group.addTask { (index, try shared.render(spec)) }
            }
            var images = [RasterImage?](repeating: nil, count: specs.count)
            for try await (index, image) in group { images[index] = image }
            return images.compactMap { $0 }
        }
        #expect(parallel == serial)
    }

    @Test("every font family and weight renders differently (no silent font fallback)")
    func fontsDiffer() throws {
        var images: [RasterImage] = []
        for font in FontFamily.allCases {
            for weight in FontWeight.allCases {
                images.append(try renderer.render(TextRenderSpec(lines: ["Hamburgefonstiv 0123"], font: font, weight: weight, size: 24)))
            }
        }
        #expect(Set(images.map(\.pixels)).count == images.count)
        // Condensed faces are narrower than their normal counterparts, and mono is wider than sans.
        let width = { (font: FontFamily) in try renderer.layout(TextRenderSpec(lines: ["Hamburgefonstiv"], font: font)).lineWidths[0] }
        #expect(try width(.sansCondensed) < width(.sans))
        #expect(try width(.serifCondensed) < width(.serif))
        #expect(try width(.sansMono) > width(.sans))
    }

    /// The number of dark pixels and whether any ink lies within `border` px of the edge.
    func inkSummary(_ image: RasterImage, border: Int) -> (dark: Int, inkOnBorder: (x: Int, y: Int)?) {
        var dark = 0
        var inkOnBorder: (x: Int, y: Int)? = nil
        for y in 0..<image.height {
            for x in 0..<image.width {
                let value = image.pixels[3 * (y * image.width + x)]
                let onBorder = x < border || y < border || x >= image.width - border || y >= image.height - border
                if onBorder && value != 255 && inkOnBorder == nil { inkOnBorder = (x, y) }
                if value < 128 { dark += 1 }
            }
        }
        return (dark, inkOnBorder)
    }

    @Test(
        "text stays whole and inside the canvas at any rotation",
        arguments: [0.0, 3, 15, 30, 45, 90, -30, -90, 180])
    func textNotClipped(rotation: Double) throws {
        var spec = TextRenderSpec(lines: ["Quick (jumping) fox", "gypsy Wq|", "g"], font: .serif, weight: .bold, size: 40)
        let upright = inkSummary(try renderer.render(spec), border: 0).dark
        spec.rotation = rotation
        let layout = try renderer.layout(spec)
        let image = try renderer.render(spec)
        #expect(image.width == layout.canvasWidth && image.height == layout.canvasHeight)
        // Padding is at least 8 px, so the outer 5 px must be untouched background.
        let summary = inkSummary(image, border: 5)
        #expect(summary.inkOnBorder == nil, "ink at \(String(describing: summary.inkOnBorder)) near the edge")
        // Rotation resamples the glyphs but keeps the amount of ink: nothing was cut off.
        #expect(abs(Double(summary.dark - upright)) < 0.1 * Double(upright), "\(summary.dark) dark pixels, \(upright) upright")
    }

    @Test("contrast sets the background and text grey levels")
    func contrastLevels() throws {
        // Background 1 - 0.25 (1 - contrast), text `contrast` darker, in 8-bit grey levels.
        for (contrast, background, darkest) in [(1.0, 255, 0), (0.6, 230, 77), (0.3, 211, 134)] {
            let image = try renderer.render(TextRenderSpec(lines: ["IIII"], weight: .bold, size: 48, contrast: contrast))
            let red = stride(from: 0, to: image.pixels.count, by: 3).map { Int(image.pixels[$0]) }
            #expect(abs(red[0] - background) <= 1)
            #expect(abs(red.min()! - darkest) <= 1)
        }
    }

    @Test("noise has the requested standard deviation and zero mean")
    func noiseStatistics() throws {
        // Background grey 211 keeps ±3.5σ inside 0...255, so no clipping biases the statistics.
        let image = try renderer.render(TextRenderSpec(lines: ["."], size: 96, contrast: 0.3, noiseSigma: 12, seed: 5))
        // The top rows are background, far from the dot.
        let background = Array(image.pixels[0..<(image.width * 3 * 20)]).map(Double.init)
        let mean = background.reduce(0, +) / Double(background.count)
        let variance = background.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(background.count)
        #expect(abs(mean - 211) < 0.6)
        #expect(abs(variance.squareRoot() - 12) < 0.6)
    }

    @Test("blur spreads a point symmetrically and keeps its total")
    func blurKernel() {
        var pixels = [UInt8](repeating: 0, count: 21 * 21)
        pixels[10 * 21 + 10] = 255
        let point = RasterImage(width: 21, height: 21, channels: 1, pixels: pixels)
        let blurred = ImageEffects.gaussianBlur(point, sigma: 1.5)
        let total = blurred.pixels.reduce(0) { $0 + Int($1) }
        #expect(abs(total - 255) < 25)  // each pixel rounds separately
        #expect(blurred.pixels[10 * 21 + 10] < 40)
        #expect(blurred.pixels[10 * 21 + 8] == blurred.pixels[10 * 21 + 12])
        #expect(blurred.pixels[8 * 21 + 10] == blurred.pixels[12 * 21 + 10])
        #expect(blurred.pixels[0] == 0)
    }

    @Test("JPEG quality changes the pixels; blur smooths edges")
    func degradationsChangePixels() throws {
        let base = TextRenderSpec(lines: ["Sharp"], size: 32)
        let clean = try renderer.render(base)
        var jpeg = base
        jpeg.jpegQuality = 10
        #expect(try renderer.render(jpeg) != clean)
        var blurred = base
        blurred.blurSigma = 2
        let blurredImage = try renderer.render(blurred)
        let extremes = { (image: RasterImage) in image.pixels.filter { $0 == 0 || $0 == 255 }.count }
        #expect(extremes(blurredImage) < extremes(clean))
    }

    @Test("invalid specs name the bad field")
    func validation() {
        let cases: [(TextRenderSpec, String)] = [
            (TextRenderSpec(lines: ["a"], size: 0), "size"),
            (TextRenderSpec(lines: ["a"], size: .nan), "size"),
            (TextRenderSpec(lines: []), "lines"),
            (TextRenderSpec(lines: ["a", "b", "c", "d"]), "lines"),
            (TextRenderSpec(lines: ["ok", "  "]), "lines[1]"),
            (TextRenderSpec(lines: ["two\nlines"]), "lines[0]"),
            (TextRenderSpec(lines: ["a"], rotation: 200), "rotation"),
            (TextRenderSpec(lines: ["a"], contrast: 0), "contrast"),
            (TextRenderSpec(lines: ["a"], contrast: 1.5), "contrast"),
            (TextRenderSpec(lines: ["a"], blurSigma: -1), "blurSigma"),
            (TextRenderSpec(lines: ["a"], noiseSigma: 300), "noiseSigma"),
            (TextRenderSpec(lines: ["a"], jpegQuality: 0), "jpegQuality"),
        ]
        for (spec, field) in cases {
            do {
                _ = try renderer.render(spec)
                Issue.record("\(spec) was accepted")
            } catch {
                #expect(error.field == field)
                #expect(error.description.contains("`\(field)`"))
            }
        }
    }

    @Test("text too wide for the canvas limit is an error that says what to do")
    func tooLarge() throws {
        let spec = TextRenderSpec(lines: [String(repeating: "wide ", count: 30)], size: 40)
        do {
            _ = try renderer.render(spec)
            Issue.record("a 150-character line at 40 px was rendered")
        } catch {
            #expect(error.field == nil)
            #expect(error.message.contains("640 px limit"))
        }
        #expect(!renderer.fits(spec))
        #expect(try TextRenderer(maxCanvasSide: 4000).render(spec).width > 640)
    }

    @Test("specs survive a JSON round trip")
    func codable() throws {
        let data = try JSONEncoder().encode(Self.busy)
        #expect(try JSONDecoder().decode(TextRenderSpec.self, from: data) == Self.busy)
    }
}
