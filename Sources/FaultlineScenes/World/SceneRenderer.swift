import CCairo
import FaultlineCore
import Foundation

/// Why a scene could not be rendered.
public struct SceneRenderError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The scene field at fault, if one is.
    public var field: String?
    /// What is wrong and what to do.
    public var message: String

    public init(field: String?, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "cannot render scene: field `\(field)`: \(message)" }
        return "cannot render scene: \(message)"
    }
}

/// Draws scene graphs with Cairo into RGB images, byte-identically for the same scene.
///
/// Every position and size is a fraction of the canvas, so a scene renders the same layout
/// at any `width`×`height`. Random detail (background speckle, clouds, grass, texture phase)
/// comes from the scene's seed and nothing else. Objects are filled with their colour's
/// exact 8-bit value (`NamedColour.rgbBytes`) and outlined in near-black so that they stay
/// visible on any background; patterns use a lighter or darker shade of the same colour so
/// that the colour's name stays true.
public struct SceneRenderer: Sendable {
    /// A renderer; it holds no state, so one can be shared by any number of tasks.
    public init() {}

    /// Renders the scene to an 8-bit RGB image of `scene.width`×`scene.height` pixels.
    ///
    /// The renderer draws any geometry it is given; use `Scene.validationProblems()` to
    /// check a hand-made scene's layout first.
    ///
    /// - Throws: `SceneRenderError` for a canvas size outside `Scene.canvasSideRange`, chart
    ///   or table data that cannot be drawn (labels without values, rows with missing
    ///   cells), or a Cairo failure.
    public func render(_ scene: Scene) throws(SceneRenderError) -> RasterImage {
        for (field, value) in [("width", scene.width), ("height", scene.height)] where !Scene.canvasSideRange.contains(value) {
            throw SceneRenderError(
                field: field,
                message: "\(value) px is outside \(Scene.canvasSideRange.lowerBound)...\(Scene.canvasSideRange.upperBound) px")
        }
        if let chart = scene.chart {
            guard chart.labels.count == chart.values.count else {
                throw SceneRenderError(field: "chart.values", message: "\(chart.values.count) values for \(chart.labels.count) labels")
            }
            if chart.kind == .pie, chart.values.contains(where: { $0 < 0 }) || chart.values.reduce(0, +) <= 0 {
                throw SceneRenderError(field: "chart.values", message: "a pie chart needs values ≥ 0 with a positive total")
            }
        }
        if let table = scene.table {
            for (index, row) in table.rows.enumerated() where row.count != table.columns.count {
                throw SceneRenderError(field: "table.rows[\(index)]", message: "\(row.count) cells for \(table.columns.count) columns")
            }
        }
        do throws(TextRenderError) {
            return try CairoCanvas.drawing(width: scene.width, height: scene.height) { cairo in
                let frame = CanvasFrame(width: scene.width, height: scene.height)
                BackgroundPainter.paint(scene.background, seed: scene.seed, frame: frame, cairo: cairo)
                for object in Self.drawingOrder(scene.objects) {
                    ObjectPainter.draw(object, sceneSeed: scene.seed, frame: frame, cairo: cairo)
                }
                for label in scene.labels {
                    SignPainter.draw(label, frame: frame, cairo: cairo)
                }
                if let chart = scene.chart { ChartPainter.draw(chart, frame: frame, cairo: cairo) }
                if let table = scene.table { TablePainter.draw(table, frame: frame, cairo: cairo) }
            }
        } catch {
            throw SceneRenderError(field: nil, message: error.message)
        }
    }

    /// Larger objects first, so an object inside another is drawn over it; otherwise the
    /// scene's order.
    static func drawingOrder(_ objects: [SceneObject]) -> [SceneObject] {
        objects.enumerated().sorted { a, b in
            a.element.size != b.element.size ? a.element.size > b.element.size : a.offset < b.offset
        }.map(\.element)
    }
}

/// The canvas in pixels and the conversions from scene fractions.
struct CanvasFrame {
    let width: Double
    let height: Double
    /// The shorter side, the unit of radii and font sizes.
    let side: Double

    init(width: Int, height: Int) {
        self.width = Double(width)
        self.height = Double(height)
        side = Double(min(width, height))
    }

    /// A thin line: at least one pixel, growing with the canvas.
    func lineWidth(_ fraction: Double) -> Double { max(1, fraction * side) }

    /// The coordinate of a pixel-crisp line of width `lineWidth` near `value`.
    func crisp(_ value: Double, lineWidth: Double) -> Double {
        let rounded = lineWidth.rounded()
        return Int(rounded) % 2 == 1 ? value.rounded(.down) + 0.5 : value.rounded()
    }
}

/// An sRGB colour with components in 0...1.
struct RGB: Equatable {
    var red: Double
    var green: Double
    var blue: Double

    static let white = RGB(red: 1, green: 1, blue: 1)
    static let ink = RGB(red: 0.1, green: 0.1, blue: 0.1)
    static let outline = RGB(red: 0.13, green: 0.13, blue: 0.13)

    init(red: Double, green: Double, blue: Double) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    init(grey: Double) { self.init(red: grey, green: grey, blue: grey) }

    /// The colour's exact 8-bit value: Cairo turns b/255 back into exactly b.
    init(_ colour: NamedColour) {
        let bytes = colour.rgbBytes
        self.init(red: Double(bytes.red) / 255, green: Double(bytes.green) / 255, blue: Double(bytes.blue) / 255)
    }

    /// This colour moved towards white by `amount` (0...1).
    func lightened(_ amount: Double) -> RGB {
        RGB(red: red + (1 - red) * amount, green: green + (1 - green) * amount, blue: blue + (1 - blue) * amount)
    }

    /// This colour moved towards black by `amount` (0...1).
    func darkened(_ amount: Double) -> RGB {
        RGB(red: red * (1 - amount), green: green * (1 - amount), blue: blue * (1 - amount))
    }

    /// WCAG relative luminance.
    var luminance: Double {
        func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// Black or white, whichever contrasts more with this colour.
    var contrastingText: RGB {
        let l = luminance
        return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? .white : RGB(grey: 0)
    }

    func set(on cairo: OpaquePointer, alpha: Double = 1) {
        if alpha >= 1 {
            cairo_set_source_rgb(cairo, red, green, blue)
        } else {
            cairo_set_source_rgba(cairo, red, green, blue, alpha)
        }
    }
}

extension NamedColour {
    /// The exact 8-bit sRGB value the renderer fills objects of this colour with: each
    /// component of `rgb` times 255, rounded.
    public var rgbBytes: (red: UInt8, green: UInt8, blue: UInt8) {
        let (r, g, b) = rgb
        return (UInt8((r * 255).rounded()), UInt8((g * 255).rounded()), UInt8((b * 255).rounded()))
    }
}

/// Text drawing shared by objects, signs, charts and tables.
enum TextPainter {
    enum Alignment { case left, centre, right }

    /// Draws one line of text whose box (advance width by ascent plus descent) is centred
    /// vertically on `centreY` and aligned horizontally to `x`; all in pixels.
    static func draw(
        _ text: String, x: Double, centreY: Double, size: Double, bold: Bool = false, alignment: Alignment = .centre,
        colour: RGB, cairo: OpaquePointer
    ) {
        guard size > 0, !text.isEmpty else { return }
        SceneTypography.applyFont(cairo, size: size, bold: bold)
        let extents = SceneTypography.extents(of: text, cairo: cairo)
        let metrics = SceneTypography.fontMetrics
        let left: Double
        switch alignment {
        case .left: left = x
        case .centre: left = x - extents.advance / 2
        case .right: left = x - extents.advance
        }
        colour.set(on: cairo)
        cairo_move_to(cairo, left, centreY + (metrics.ascent - metrics.descent) / 2 * size)
        cairo_show_text(cairo, text)
    }

    /// The advance width of `text` in pixels at `size` pixels.
    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        SceneTypography.extents(of: text, bold: bold).advance * size
    }
}

/// Objects: the shape filled with its exact colour, an optional pattern, a dark outline and
/// an optional label.
enum ObjectPainter {
    /// Outline width as a fraction of the shorter side.
    static let outlineWidth = 0.006

    static func draw(_ object: SceneObject, sceneSeed: UInt64, frame: CanvasFrame, cairo: OpaquePointer) {
        let radius = object.size.radiusFraction * frame.side
        let lineWidth = frame.lineWidth(outlineWidth)
        // The stroke's outer edge lands on the radius, so ink never leaves the bounding box.
        let pathRadius = max(0.5, radius - lineWidth / 2)
        let colour = RGB(object.colour)
        cairo_save(cairo)
        cairo_translate(cairo, object.x * frame.width, object.y * frame.height)
        // Rotation is counter-clockwise; Cairo's y axis points down.
        cairo_rotate(cairo, -object.rotation * .pi / 180)

        ShapeGeometry.addPath(of: object.shape, radius: pathRadius, to: cairo)
        colour.set(on: cairo)
        cairo_fill_preserve(cairo)
        if let texture = object.texture {
            cairo_save(cairo)
            cairo_clip(cairo)
            var rng = SeededGenerator(seed: sceneSeed, stream: 1000 &+ UInt64(truncatingIfNeeded: object.id))
            drawTexture(texture, colour: object.colour, radius: radius, rng: &rng, cairo: cairo)
            cairo_restore(cairo)
            ShapeGeometry.addPath(of: object.shape, radius: pathRadius, to: cairo)
        }
        RGB.outline.set(on: cairo)
        cairo_set_line_width(cairo, lineWidth)
        cairo_set_line_join(cairo, CAIRO_LINE_JOIN_ROUND)
        cairo_stroke(cairo)

        if let label = object.label {
            let size = SceneTypography.objectLabelSize(label, shape: object.shape, size: object.size) * frame.side
            SceneTypography.applyFont(cairo, size: size)
            let ink = SceneTypography.extents(of: label, cairo: cairo)
            let centreY = ShapeGeometry.labelArea(of: object.shape).centreY * radius
            colour.contrastingText.set(on: cairo)
            // Centre the ink box itself: labels must stay inside the label area.
            cairo_move_to(cairo, -ink.inkMinX - ink.inkWidth / 2, centreY - ink.inkMinY - ink.inkHeight / 2)
            cairo_show_text(cairo, label)
        }
        cairo_restore(cairo)
    }

    /// The pattern's shade: lighter for the light colours (a darker yellow or orange would
    /// read as olive or brown), darker for the rest.
    static func textureShade(_ colour: NamedColour) -> RGB {
        switch colour {
        case .yellow, .orange: RGB(colour).lightened(0.45)
        default: RGB(colour).darkened(0.3)
        }
    }

    /// Draws the pattern over the (clipped) shape in its own coordinates; the angle and
    /// phase come from the scene's seed.
    static func drawTexture(
        _ texture: Texture, colour: NamedColour, radius: Double, rng: inout SeededGenerator, cairo: OpaquePointer
    ) {
        textureShade(colour).set(on: cairo)
        let period = 0.34 * radius
        let angle = WorldRandom.uniform(0...Double.pi, &rng)
        let phaseX = WorldRandom.uniform(0...period, &rng), phaseY = WorldRandom.uniform(0...period, &rng)
        cairo_rotate(cairo, angle)
        // Rows and columns covering the circle of `radius` in any rotation.
        let steps = Int((radius / period).rounded(.up)) + 1
        for row in -steps...steps {
            let y = Double(row) * period + phaseY
            switch texture {
            case .stripes:
                cairo_rectangle(cairo, -radius - period, y, 2 * radius + 2 * period, 0.42 * period)
            case .dots, .checks:
                for column in -steps...steps {
                    let x = Double(column) * period + phaseX
                    if texture == .dots {
                        cairo_new_sub_path(cairo)
                        cairo_arc(cairo, x, y, 0.22 * period, 0, 2 * .pi)
                    } else if (row + column) & 1 == 0 {
                        cairo_rectangle(cairo, x, y, period, period)
                    }
                }
            }
        }
        cairo_fill(cairo)
    }
}

/// Free-standing text on a white sign with a thin border.
enum SignPainter {
    static func draw(_ label: TextLabel, frame: CanvasFrame, cairo: OpaquePointer) {
        let size = label.size * frame.side
        let half = SceneTypography.signHalfExtents(label, side: frame.side)
        let centreX = label.x * frame.width, centreY = label.y * frame.height
        let lineWidth = frame.lineWidth(0.004)
        // Inset by half the border so that the border's outer edge is the sign's box.
        cairo_rectangle(
            cairo, centreX - half.halfWidth + lineWidth / 2, centreY - half.halfHeight + lineWidth / 2,
            2 * half.halfWidth - lineWidth, 2 * half.halfHeight - lineWidth)
        RGB.white.set(on: cairo)
        cairo_fill_preserve(cairo)
        RGB(grey: 0.35).set(on: cairo)
        cairo_set_line_width(cairo, lineWidth)
        cairo_stroke(cairo)
        let ink = SceneTypography.extents(of: label.text)
        // Centre the ink horizontally (the sign's width is the ink's), the line box vertically.
        TextPainter.draw(
            label.text, x: centreX - (ink.inkMinX + ink.inkWidth / 2) * size, centreY: centreY, size: size,
            alignment: .left, colour: RGB(grey: 0), cairo: cairo)
    }
}
