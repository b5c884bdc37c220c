import CCairo
import FaultlineCore
import FaultlineImageIO
import Foundation

/// Where a text block goes on its canvas: the canvas size and the unrotated block's extents.
public struct TextLayout: Sendable, Equatable {
    /// The canvas size in pixels: the rotated block plus padding on every side.
    public var canvasWidth: Int
    public var canvasHeight: Int
    /// The padding kept around the rotated block, in pixels.
    public var padding: Double
    /// The unrotated block's bounds (union of ink and advance boxes of all lines), relative
    /// to the first line's origin (left end of its baseline).
    public var blockMinX: Double
    public var blockMinY: Double
    public var blockMaxX: Double
    public var blockMaxY: Double
    /// The distance from one baseline to the next.
    public var lineSpacing: Double
    /// The advance width of each line.
    public var lineWidths: [Double]

    /// Whether the canvas is within `maxSide` in both directions.
    public func fits(maxSide: Int) -> Bool { canvasWidth <= maxSide && canvasHeight <= maxSide }
}

/// Renders `TextRenderSpec`s with Cairo into RGB images, byte-identically for the same spec.
///
/// Text is drawn with Cairo's toy font API (fontconfig finds the DejaVu files) with
/// grey-scale antialiasing and hinting switched off, so that glyph shapes and advances do
/// not depend on the machine's fontconfig preferences. Blur and noise are applied in Swift
/// afterwards, then JPEG compression through libjpeg.
public struct TextRenderer: Sendable {
    /// The largest canvas width and height the renderer produces.
    public let maxCanvasSide: Int

    public init(maxCanvasSide: Int = 640) {
        precondition(maxCanvasSide >= 16, "maxCanvasSide must be at least 16 px, got \(maxCanvasSide)")
        self.maxCanvasSide = maxCanvasSide
    }

    /// The canvas the spec needs, without checking it against `maxCanvasSide`.
    public func layout(_ spec: TextRenderSpec) throws(TextRenderError) -> TextLayout {
        try spec.validate()
        return try CairoCanvas.measuring { cairo throws(TextRenderError) in
            Self.computeLayout(spec, cairo: cairo)
        }
    }

    /// Whether the spec's text fits within `maxCanvasSide` (false if the spec is invalid).
    public func fits(_ spec: TextRenderSpec) -> Bool {
        guard let layout = try? layout(spec) else { return false }
        return layout.fits(maxSide: maxCanvasSide)
    }

    /// Renders the spec to an 8-bit RGB image.
    ///
    /// - Throws: `TextRenderError` naming the bad field, or saying the text does not fit in
    ///   `maxCanvasSide`.
    public func render(_ spec: TextRenderSpec) throws(TextRenderError) -> RasterImage {
        let layout = try layout(spec)
        guard layout.fits(maxSide: maxCanvasSide) else {
            throw TextRenderError(
                field: nil,
                message: "the text needs a \(layout.canvasWidth)×\(layout.canvasHeight) px canvas, more than the \(maxCanvasSide) px limit; use shorter or fewer lines, a smaller size or less rotation")
        }
        let palette = Palette(contrast: spec.contrast)
        var image = try CairoCanvas.drawing(width: layout.canvasWidth, height: layout.canvasHeight) { cairo in
            cairo_set_source_rgb(cairo, palette.background, palette.background, palette.background)
            cairo_paint(cairo)
            var clutterGenerator = SeededGenerator(seed: spec.seed, stream: RandomStream.clutter)
            BackgroundClutter.draw(
                spec.clutter, on: cairo, width: Double(layout.canvasWidth), height: Double(layout.canvasHeight),
                palette: palette, generator: &clutterGenerator)
            Self.drawText(spec, layout: layout, palette: palette, cairo: cairo)
        }
        if spec.blurSigma > 0 { image = ImageEffects.gaussianBlur(image, sigma: spec.blurSigma) }
        if spec.noiseSigma > 0 {
            var noiseGenerator = SeededGenerator(seed: spec.seed, stream: RandomStream.noise)
            image = ImageEffects.addGaussianNoise(image, sigma: spec.noiseSigma, generator: &noiseGenerator)
        }
        if let quality = spec.jpegQuality {
            do {
                image = try JPEGCodec.roundTrip(image, quality: quality)
            } catch {
                throw TextRenderError(field: "jpegQuality", message: "JPEG compression failed: \(error)")
            }
        }
        return image
    }

    /// Independent random streams per effect, so that e.g. turning clutter off does not
    /// change the noise.
    enum RandomStream {
        static let clutter: UInt64 = 1
        static let noise: UInt64 = 2
    }

    // MARK: - Drawing

    static func applyFont(_ spec: TextRenderSpec, cairo: OpaquePointer) {
        cairo_select_font_face(
            cairo, spec.font.rawValue, CAIRO_FONT_SLANT_NORMAL,
            spec.weight == .bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cairo, spec.size)
        let options = cairo_font_options_create()
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_subpixel_order(options, CAIRO_SUBPIXEL_ORDER_DEFAULT)
        cairo_set_font_options(cairo, options)
        cairo_font_options_destroy(options)
    }

    static func computeLayout(_ spec: TextRenderSpec, cairo: OpaquePointer) -> TextLayout {
        applyFont(spec, cairo: cairo)
        var font = cairo_font_extents_t()
        cairo_font_extents(cairo, &font)
        let spacing = font.height
        var minX = 0.0, maxX = 0.0
        var minY = -font.ascent
        var maxY = Double(spec.lines.count - 1) * spacing + font.descent
        var widths: [Double] = []
        for (index, line) in spec.lines.enumerated() {
            var text = cairo_text_extents_t()
            cairo_text_extents(cairo, line, &text)
            widths.append(text.x_advance)
            let baseline = Double(index) * spacing
            minX = min(minX, text.x_bearing)
            maxX = max(maxX, text.x_advance, text.x_bearing + text.width)
            minY = min(minY, baseline + text.y_bearing)
            maxY = max(maxY, baseline + text.y_bearing + text.height)
        }
        let angle = spec.rotation * .pi / 180
        let blockWidth = maxX - minX, blockHeight = maxY - minY
        let rotatedWidth = blockWidth * abs(cos(angle)) + blockHeight * abs(sin(angle))
        let rotatedHeight = blockWidth * abs(sin(angle)) + blockHeight * abs(cos(angle))
        let padding = max(8, (0.4 * spec.size).rounded())
        return TextLayout(
            canvasWidth: Int((rotatedWidth + 2 * padding).rounded(.up)),
            canvasHeight: Int((rotatedHeight + 2 * padding).rounded(.up)),
            padding: padding, blockMinX: minX, blockMinY: minY, blockMaxX: maxX, blockMaxY: maxY,
            lineSpacing: spacing, lineWidths: widths)
    }

    static func drawText(_ spec: TextRenderSpec, layout: TextLayout, palette: Palette, cairo: OpaquePointer) {
        cairo_save(cairo)
        applyFont(spec, cairo: cairo)
        cairo_set_source_rgb(cairo, palette.text, palette.text, palette.text)
        cairo_translate(cairo, Double(layout.canvasWidth) / 2, Double(layout.canvasHeight) / 2)
        // Cairo's y axis points down, so a negative angle turns the text counter-clockwise.
        cairo_rotate(cairo, -spec.rotation * .pi / 180)
        cairo_translate(
            cairo, -(layout.blockMinX + layout.blockMaxX) / 2, -(layout.blockMinY + layout.blockMaxY) / 2)
        for (index, line) in spec.lines.enumerated() {
            cairo_move_to(cairo, 0, Double(index) * layout.lineSpacing)
            cairo_show_text(cairo, line)
        }
        cairo_restore(cairo)
    }
}

/// The grey levels (0...1) of background and text for a contrast: the background is near
/// white, a little darker as the contrast falls, and the text is `contrast` darker than it.
struct Palette {
    let contrast: Double
    let background: Double
    let text: Double

    init(contrast: Double) {
        self.contrast = contrast
        background = 1 - 0.25 * (1 - contrast)
        text = background - contrast
    }

    /// A colour of the given luminance with a random hue, for clutter.
    func colour(luminance: Double, generator: inout SeededGenerator) -> (red: Double, green: Double, blue: Double) {
        let r = generator.unit(), g = generator.unit(), b = generator.unit()
        let own = 0.2126 * r + 0.7152 * g + 0.0722 * b
        func channel(_ value: Double) -> Double { min(1, max(0, luminance + 0.5 * (value - own))) }
        return (channel(r), channel(g), channel(b))
    }
}

/// Owns a Cairo image surface and context for the duration of one closure.
enum CairoCanvas {
    /// Runs `body` on a 1×1 context, for measuring text.
    static func measuring<T>(_ body: (OpaquePointer) throws(TextRenderError) -> T) throws(TextRenderError) -> T {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1) else {
            throw TextRenderError(field: nil, message: "Cairo could not create a surface")
        }
        defer { cairo_surface_destroy(surface) }
        guard let cairo = cairo_create(surface) else {
            throw TextRenderError(field: nil, message: "Cairo could not create a context")
        }
        defer { cairo_destroy(cairo) }
        let result = try body(cairo)
        try check(cairo_status(cairo))
        return result
    }

    /// Draws with `body` on an RGB canvas and returns the pixels as packed 8-bit RGB.
    static func drawing(width: Int, height: Int, _ body: (OpaquePointer) -> Void) throws(TextRenderError) -> RasterImage {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else {
            throw TextRenderError(field: nil, message: "Cairo could not create a \(width)×\(height) surface")
        }
        defer { cairo_surface_destroy(surface) }
        try check(cairo_surface_status(surface))
        guard let cairo = cairo_create(surface) else {
            throw TextRenderError(field: nil, message: "Cairo could not create a context")
        }
        defer { cairo_destroy(cairo) }
        cairo_set_antialias(cairo, CAIRO_ANTIALIAS_GRAY)
        body(cairo)
        try check(cairo_status(cairo))
        cairo_surface_flush(surface)

        guard let data = cairo_image_surface_get_data(surface) else {
            throw TextRenderError(field: nil, message: "Cairo surface has no pixel data")
        }
        let stride = Int(cairo_image_surface_get_stride(surface))
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            let raw = UnsafeRawPointer(data)
            for y in 0..<height {
                let row = raw + y * stride
                for x in 0..<width {
                    // RGB24 stores each pixel as a native-endian 32-bit 0x00RRGGBB.
                    let value = row.loadUnaligned(fromByteOffset: 4 * x, as: UInt32.self)
                    let o = 3 * (y * width + x)
                    out[o] = UInt8(truncatingIfNeeded: value >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: value)
                }
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    private static func check(_ status: cairo_status_t) throws(TextRenderError) {
        guard status == CAIRO_STATUS_SUCCESS else {
            throw TextRenderError(field: nil, message: "Cairo failed: \(String(cString: cairo_status_to_string(status)))")
        }
    }
}
