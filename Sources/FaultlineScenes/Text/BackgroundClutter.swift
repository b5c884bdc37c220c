import CCairo
import FaultlineCore
import Foundation

/// Draws distracting background marks (lines, arcs, shapes, speckle) under the text, all
/// placed by a seeded generator.
enum BackgroundClutter {
    struct Settings {
        /// Counts for a 320×96 canvas; larger canvases get more in proportion to their size.
        var lines: Int
        var arcs: Int
        var shapes: Int
        /// Speckle dots per pixel of canvas.
        var speckleDensity: Double
        /// How dark marks may get, as a fraction of the text's contrast to the background.
        var strength: ClosedRange<Double>
        var lineWidth: ClosedRange<Double>
        /// Whether some shapes are filled (translucently) rather than outlined.
        var filledShapes: Bool
    }

    static func settings(for level: ClutterLevel) -> Settings? {
        switch level {
        case .none:
            nil
        case .light:
            Settings(
                lines: 2, arcs: 1, shapes: 1, speckleDensity: 0.001, strength: 0.15...0.35, lineWidth: 0.6...1.2,
                filledShapes: false)
        case .heavy:
            Settings(
                lines: 6, arcs: 3, shapes: 4, speckleDensity: 0.003, strength: 0.2...0.6, lineWidth: 1...2.5,
                filledShapes: true)
        }
    }

    static func draw(
        _ level: ClutterLevel, on cairo: OpaquePointer, width: Double, height: Double, palette: Palette,
        generator: inout SeededGenerator
    ) {
        guard let settings = settings(for: level) else { return }
        // Lines and shapes scale with the canvas's linear size so that density looks alike.
        let scale = max(1, (width * height / (320 * 96)).squareRoot())
        func count(_ base: Int) -> Int { Int((Double(base) * scale).rounded()) }
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * generator.unit()
        }
        func setInk(alpha: Double = 1) {
            let luminance = palette.background - uniform(settings.strength) * palette.contrast
            let ink = palette.colour(luminance: luminance, generator: &generator)
            cairo_set_source_rgba(cairo, ink.red, ink.green, ink.blue, alpha)
        }

        cairo_save(cairo)
        cairo_set_line_cap(cairo, CAIRO_LINE_CAP_ROUND)
        for _ in 0..<count(settings.lines) {
            setInk()
            cairo_set_line_width(cairo, uniform(settings.lineWidth))
            cairo_move_to(cairo, uniform(0...width), uniform(0...height))
            cairo_line_to(cairo, uniform(0...width), uniform(0...height))
            cairo_stroke(cairo)
        }
        let shortSide = min(width, height)
        for _ in 0..<count(settings.arcs) {
            setInk()
            cairo_set_line_width(cairo, uniform(settings.lineWidth))
            let start = uniform(0...(2 * .pi))
            cairo_new_sub_path(cairo)
            cairo_arc(
                cairo, uniform(0...width), uniform(0...height), uniform((0.15 * shortSide)...(0.6 * shortSide)),
                start, start + uniform(1...4))
            cairo_stroke(cairo)
        }
        for _ in 0..<count(settings.shapes) {
            let filled = settings.filledShapes && generator.next() % 2 == 0
            setInk(alpha: filled ? uniform(0.2...0.45) : 1)
            cairo_set_line_width(cairo, uniform(settings.lineWidth))
            let centreX = uniform(0...width), centreY = uniform(0...height)
            let halfWidth = uniform((0.05 * shortSide)...(0.35 * shortSide))
            let halfHeight = uniform((0.05 * shortSide)...(0.35 * shortSide))
            if generator.next() % 2 == 0 {
                cairo_rectangle(cairo, centreX - halfWidth, centreY - halfHeight, 2 * halfWidth, 2 * halfHeight)
            } else {
                cairo_save(cairo)
                cairo_translate(cairo, centreX, centreY)
                cairo_scale(cairo, halfWidth, halfHeight)
                cairo_new_sub_path(cairo)
                cairo_arc(cairo, 0, 0, 1, 0, 2 * .pi)
                cairo_restore(cairo)
            }
            if filled { cairo_fill(cairo) } else { cairo_stroke(cairo) }
        }
        // Speckle: one colour per batch of dots keeps this to a handful of fills.
        let dots = Int((settings.speckleDensity * width * height).rounded())
        let batches = 4
        for batch in 0..<batches {
            setInk()
            for _ in 0..<(dots / batches + (batch < dots % batches ? 1 : 0)) {
                let side = generator.next() % 3 == 0 ? 2.0 : 1.0
                let x = Double(generator.next() % UInt64(max(1, Int(width))))
                let y = Double(generator.next() % UInt64(max(1, Int(height))))
                cairo_rectangle(cairo, x, y, side, side)
            }
            cairo_fill(cairo)
        }
        cairo_restore(cairo)
    }
}
