import CCairo
import FaultlineCore
import Foundation

/// Backgrounds. Everything is light (or, for water and sky, mid-toned and calm) so that the
/// saturated, outlined objects stay readable; random detail is placed in canvas fractions,
/// so it lands in the same place at every resolution.
enum BackgroundPainter {
    /// The random stream of background detail, apart from the object textures' streams.
    static let stream: UInt64 = 900

    /// The colour a tint turns into: a light wash of it, or a neutral off-white for none.
    static func wash(_ tint: NamedColour?, whiteness: Double) -> RGB {
        guard let tint else { return RGB(grey: 0.62 + 0.36 * whiteness) }
        return RGB(tint).lightened(whiteness)
    }

    static func paint(_ background: Background, seed: UInt64, frame: CanvasFrame, cairo: OpaquePointer) {
        var rng = SeededGenerator(seed: seed, stream: stream)
        switch background.kind {
        case .plain:
            fill(wash(background.tint, whiteness: 0.84), frame: frame, cairo: cairo)
        case .gradient:
            let angle = WorldRandom.uniform(0...(2 * .pi), &rng)
            linearGradient(
                from: wash(background.tint, whiteness: 0.70), to: wash(background.tint, whiteness: 0.95), angle: angle,
                frame: frame, cairo: cairo)
        case .textured:
            fill(wash(background.tint, whiteness: 0.84), frame: frame, cairo: cairo)
            speckle(tint: background.tint, frame: frame, rng: &rng, cairo: cairo)
        case .sky:
            linearGradient(
                from: RGB(red: 0.42, green: 0.66, blue: 0.92), to: RGB(red: 0.80, green: 0.89, blue: 0.98), angle: .pi / 2,
                frame: frame, cairo: cairo)
            clouds(frame: frame, rng: &rng, cairo: cairo)
        case .grass:
            linearGradient(
                from: RGB(red: 0.71, green: 0.86, blue: 0.53), to: RGB(red: 0.56, green: 0.77, blue: 0.41), angle: .pi / 2,
                frame: frame, cairo: cairo)
            grassBlades(frame: frame, rng: &rng, cairo: cairo)
        case .water:
            linearGradient(
                from: RGB(red: 0.52, green: 0.73, blue: 0.90), to: RGB(red: 0.34, green: 0.58, blue: 0.82), angle: .pi / 2,
                frame: frame, cairo: cairo)
            waves(frame: frame, rng: &rng, cairo: cairo)
        }
    }

    private static func fill(_ colour: RGB, frame: CanvasFrame, cairo: OpaquePointer) {
        colour.set(on: cairo)
        cairo_paint(cairo)
    }

    /// A gradient from `start` to `end` across the whole canvas in direction `angle`
    /// (radians, y down: π/2 runs top to bottom).
    private static func linearGradient(from start: RGB, to end: RGB, angle: Double, frame: CanvasFrame, cairo: OpaquePointer) {
        let cx = frame.width / 2, cy = frame.height / 2
        let dx = cos(angle), dy = sin(angle)
        // Half the canvas's extent along the direction, so the ends sit on its corners.
        let reach = (abs(dx) * frame.width + abs(dy) * frame.height) / 2
        guard let pattern = cairo_pattern_create_linear(cx - dx * reach, cy - dy * reach, cx + dx * reach, cy + dy * reach)
        else {
            fill(start, frame: frame, cairo: cairo)
            return
        }
        cairo_pattern_add_color_stop_rgb(pattern, 0, start.red, start.green, start.blue)
        cairo_pattern_add_color_stop_rgb(pattern, 1, end.red, end.green, end.blue)
        cairo_set_source(cairo, pattern)
        cairo_paint(cairo)
        cairo_pattern_destroy(pattern)
    }

    /// Fine dots and short dashes, a little darker and lighter than the wash.
    private static func speckle(tint: NamedColour?, frame: CanvasFrame, rng: inout SeededGenerator, cairo: OpaquePointer) {
        let shades = [wash(tint, whiteness: 0.5), wash(tint, whiteness: 0.97)]
        cairo_save(cairo)
        cairo_set_line_cap(cairo, CAIRO_LINE_CAP_ROUND)
        cairo_set_line_width(cairo, frame.lineWidth(0.004))
        for shade in shades {
            shade.set(on: cairo)
            for _ in 0..<450 {
                let x = rng.unit() * frame.width, y = rng.unit() * frame.height
                if WorldRandom.chance(0.5, &rng) {
                    cairo_new_sub_path(cairo)
                    cairo_arc(cairo, x, y, WorldRandom.uniform(0.003...0.007, &rng) * frame.side, 0, 2 * .pi)
                    cairo_fill(cairo)
                } else {
                    let length = WorldRandom.uniform(0.008...0.022, &rng) * frame.side
                    let angle = WorldRandom.uniform(0...Double.pi, &rng)
                    cairo_move_to(cairo, x, y)
                    cairo_line_to(cairo, x + length * cos(angle), y + length * sin(angle))
                    cairo_stroke(cairo)
                }
            }
        }
        cairo_restore(cairo)
    }

    /// Two to four white clouds, each a union of overlapping puffs, mostly in the upper part.
    private static func clouds(frame: CanvasFrame, rng: inout SeededGenerator, cairo: OpaquePointer) {
        let count = WorldRandom.integer(2...4, &rng)
        RGB(red: 0.99, green: 0.995, blue: 1).set(on: cairo, alpha: 0.9)
        for _ in 0..<count {
            let x = WorldRandom.uniform(0.05...0.95, &rng) * frame.width
            let y = WorldRandom.uniform(0.06...0.6, &rng) * frame.height
            for _ in 0..<WorldRandom.integer(4...6, &rng) {
                let px = x + WorldRandom.uniform(-0.09...0.09, &rng) * frame.side
                let py = y + WorldRandom.uniform(-0.03...0.02, &rng) * frame.side
                cairo_new_sub_path(cairo)
                cairo_arc(cairo, px, py, WorldRandom.uniform(0.03...0.06, &rng) * frame.side, 0, 2 * .pi)
            }
            // One fill per cloud, so overlapping puffs do not stack their transparency.
            cairo_fill(cairo)
        }
    }

    /// Short, slightly leaning blades in a darker and a lighter green.
    private static func grassBlades(frame: CanvasFrame, rng: inout SeededGenerator, cairo: OpaquePointer) {
        let shades = [RGB(red: 0.42, green: 0.64, blue: 0.29), RGB(red: 0.80, green: 0.91, blue: 0.62)]
        cairo_save(cairo)
        cairo_set_line_cap(cairo, CAIRO_LINE_CAP_ROUND)
        cairo_set_line_width(cairo, frame.lineWidth(0.0045))
        for shade in shades {
            shade.set(on: cairo)
            for _ in 0..<220 {
                let x = rng.unit() * frame.width
                let y = WorldRandom.uniform(0.02...1.03, &rng) * frame.height
                let length = WorldRandom.uniform(0.02...0.05, &rng) * frame.side
                let lean = WorldRandom.uniform(-0.3...0.3, &rng) * length
                cairo_move_to(cairo, x, y)
                cairo_curve_to(cairo, x, y - length * 0.5, x + lean * 0.5, y - length * 0.8, x + lean, y - length)
            }
            cairo_stroke(cairo)
        }
        cairo_restore(cairo)
    }

    /// Rows of broken, light wave lines.
    private static func waves(frame: CanvasFrame, rng: inout SeededGenerator, cairo: OpaquePointer) {
        let rows = 13
        let wavelength = 0.09 * frame.side, amplitude = 0.009 * frame.side
        cairo_save(cairo)
        cairo_set_line_cap(cairo, CAIRO_LINE_CAP_ROUND)
        cairo_set_line_width(cairo, frame.lineWidth(0.005))
        RGB(red: 0.82, green: 0.92, blue: 0.99).set(on: cairo, alpha: 0.85)
        var dashes = [0.16 * frame.width, 0.07 * frame.width]
        for row in 0..<rows {
            let baseY = (Double(row) + 0.5 + WorldRandom.uniform(-0.2...0.2, &rng)) / Double(rows) * frame.height
            let phase = WorldRandom.uniform(0...(2 * .pi), &rng)
            cairo_set_dash(cairo, &dashes, 2, WorldRandom.uniform(0...(0.23 * frame.width), &rng))
            let steps = 48
            for step in 0...steps {
                let x = Double(step) / Double(steps) * frame.width
                let y = baseY + amplitude * sin(2 * .pi * x / wavelength + phase)
                if step == 0 { cairo_move_to(cairo, x, y) } else { cairo_line_to(cairo, x, y) }
            }
            cairo_stroke(cairo)
        }
        cairo_restore(cairo)
    }
}
