import CCairo
import FaultlineCore
import Foundation

/// The text of scenes: DejaVu Sans through Cairo's toy font API with the same font options
/// as `TextRenderer` (no hinting), so that measurements scale linearly with the font size
/// and the generator, the validity check and the renderer agree on what fits where.
enum SceneTypography {
    static let family = "DejaVu Sans"

    /// The smallest font size, as a fraction of the canvas's shorter side, that scenes use:
    /// 10 px on the 224 px canvas models are usually shown.
    static let minimumLegibleSize = 10.0 / 224.0
    /// The largest size for a label written on an object, so short words do not shout.
    static let maximumObjectLabelSize = 0.075

    /// Extents of a string in ems (font size 1), relative to the left end of its baseline.
    struct Extents: Sendable, Hashable {
        /// The ink box (y down, so `inkMinY` is negative above the baseline).
        var inkMinX: Double, inkMinY: Double, inkMaxX: Double, inkMaxY: Double
        var advance: Double
        var inkWidth: Double { inkMaxX - inkMinX }
        var inkHeight: Double { inkMaxY - inkMinY }
    }

    /// The font's ascent and descent in ems (the same for every string).
    struct FontMetrics: Sendable {
        var ascent: Double
        var descent: Double
    }

    private static let measuringSize = 100.0

    static func applyFont(_ cairo: OpaquePointer, size: Double, bold: Bool = false) {
        cairo_select_font_face(
            cairo, family, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cairo, size)
        let options = cairo_font_options_create()
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_set_font_options(cairo, options)
        cairo_font_options_destroy(options)
    }

    /// The extents of `text` at the current font of `cairo`, in that font's pixels.
    static func extents(of text: String, cairo: OpaquePointer) -> Extents {
        var measured = cairo_text_extents_t()
        cairo_text_extents(cairo, text, &measured)
        return Extents(
            inkMinX: measured.x_bearing, inkMinY: measured.y_bearing, inkMaxX: measured.x_bearing + measured.width,
            inkMaxY: measured.y_bearing + measured.height, advance: measured.x_advance)
    }

    private static func measureWithCairo(_ texts: [String], bold: Bool) -> [Extents]? {
        try? CairoCanvas.measuring { cairo throws(TextRenderError) in
            applyFont(cairo, size: measuringSize, bold: bold)
            return texts.map { text in
                let e = extents(of: text, cairo: cairo)
                let s = 1 / measuringSize
                return Extents(
                    inkMinX: e.inkMinX * s, inkMinY: e.inkMinY * s, inkMaxX: e.inkMaxX * s, inkMaxY: e.inkMaxY * s,
                    advance: e.advance * s)
            }
        }
    }

    /// Every word the generator writes, measured once: validity checks run for every edit
    /// an audit proposes, and a Cairo context per word would dominate their cost.
    private static let vocabularyExtents: [String: Extents] = {
        var words = Set(SceneVocabulary.labelWords)
        for theme in SceneVocabulary.chartThemes { words.formUnion(theme.categories) }
        for theme in SceneVocabulary.tableThemes {
            words.formUnion(theme.keys)
            for column in theme.columns { words.formUnion(column.words) }
        }
        // Values, ticks and numeric cells.
        words.formUnion((0...200).map(String.init))
        let list = words.sorted()
        guard let measured = measureWithCairo(list, bold: false) else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(list, measured))
    }()

    /// The extents of `text` in ems.
    ///
    /// Measuring needs only a 1×1 Cairo surface; should even that fail (out of memory) a
    /// generous estimate is returned, which can only make text look too wide to fit.
    static func extents(of text: String, bold: Bool = false) -> Extents {
        if !bold, let known = vocabularyExtents[text] { return known }
        if let measured = measureWithCairo([text], bold: bold)?.first { return measured }
        let width = 1.0 * Double(text.count)
        return Extents(inkMinX: 0, inkMinY: -fontMetrics.ascent, inkMaxX: width, inkMaxY: fontMetrics.descent, advance: width)
    }

    static let fontMetrics: FontMetrics = {
        let measured = try? CairoCanvas.measuring { cairo throws(TextRenderError) in
            applyFont(cairo, size: measuringSize)
            var font = cairo_font_extents_t()
            cairo_font_extents(cairo, &font)
            return FontMetrics(ascent: font.ascent / measuringSize, descent: font.descent / measuringSize)
        }
        // DejaVu Sans's own values, should measuring fail.
        return measured ?? FontMetrics(ascent: 0.928, descent: 0.236)
    }()

    // MARK: - Labels on objects

    /// The font size (fraction of the canvas's shorter side) at which `text` fills the label
    /// area of the object, capped at `maximumObjectLabelSize`.
    static func objectLabelSize(_ text: String, shape: Shape, size: SizeClass) -> Double {
        let area = ShapeGeometry.labelArea(of: shape)
        let radius = size.radiusFraction
        let ink = extents(of: text)
        guard ink.inkWidth > 0, ink.inkHeight > 0 else { return maximumObjectLabelSize }
        return min(
            maximumObjectLabelSize, 2 * area.halfWidth * radius / ink.inkWidth,
            2 * area.halfHeight * radius / ink.inkHeight)
    }

    /// Whether `text` can be written legibly on an object of this shape and size.
    static func objectLabelFits(_ text: String, shape: Shape, size: SizeClass) -> Bool {
        objectLabelSize(text, shape: shape, size: size) >= minimumLegibleSize
    }

    // MARK: - Signs

    /// Padding between a sign's text and its edge, in ems.
    static let signPaddingX = 0.35
    static let signPaddingY = 0.18

    /// A sign's white rectangle in pixels of a canvas with the given shorter side.
    static func signHalfExtents(_ label: TextLabel, side: Double) -> (halfWidth: Double, halfHeight: Double) {
        let font = label.size * side
        let ink = extents(of: label.text)
        let metrics = fontMetrics
        return (
            (ink.inkWidth / 2 + signPaddingX) * font,
            ((metrics.ascent + metrics.descent) / 2 + signPaddingY) * font
        )
    }
}
