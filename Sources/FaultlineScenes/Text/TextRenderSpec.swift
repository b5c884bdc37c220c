import Foundation

/// A DejaVu font family, resolved by fontconfig (Debian package `fonts-dejavu-core`).
public enum FontFamily: String, Codable, Sendable, Hashable, CaseIterable {
    case sans = "DejaVu Sans"
    case serif = "DejaVu Serif"
    case sansMono = "DejaVu Sans Mono"
    case sansCondensed = "DejaVu Sans Condensed"
    case serifCondensed = "DejaVu Serif Condensed"
}

/// The stroke weight of the font.
public enum FontWeight: String, Codable, Sendable, Hashable, CaseIterable {
    case regular, bold
}

/// How much distracting background is drawn behind the text.
public enum ClutterLevel: String, Codable, Sendable, Hashable, CaseIterable {
    /// A plain background.
    case none
    /// A few thin lines and outlines and sparse speckle, at most half the text's contrast.
    case light
    /// Many lines, arcs, shapes and dense speckle, up to the text's full contrast.
    case heavy
}

/// Everything that decides how one text image looks. Every factor is explicit, so that the
/// same spec always renders to the same bytes.
public struct TextRenderSpec: Codable, Sendable, Hashable {
    /// One to three lines of text, drawn left-aligned, top to bottom.
    public var lines: [String]
    public var font: FontFamily
    public var weight: FontWeight
    /// The font size (em height) in pixels.
    public var size: Double
    /// Rotation of the whole text block in degrees, counter-clockwise.
    public var rotation: Double
    /// The luminance difference between background and text, in (0, 1]; 1 is black on white.
    /// The text is always darker than its background.
    public var contrast: Double
    public var clutter: ClutterLevel
    /// The standard deviation of the Gaussian blur in pixels; 0 for none.
    public var blurSigma: Double
    /// The standard deviation of additive Gaussian noise in grey levels (0...255); 0 for none.
    public var noiseSigma: Double
    /// The JPEG quality the image is passed through, or nil for no compression.
    public var jpegQuality: Int?
    /// Seeds the clutter geometry and the noise; nothing else is random.
    public var seed: UInt64

    public init(
        lines: [String], font: FontFamily = .sans, weight: FontWeight = .regular, size: Double = 32,
        rotation: Double = 0, contrast: Double = 1, clutter: ClutterLevel = .none, blurSigma: Double = 0,
        noiseSigma: Double = 0, jpegQuality: Int? = nil, seed: UInt64 = 0
    ) {
        self.lines = lines
        self.font = font
        self.weight = weight
        self.size = size
        self.rotation = rotation
        self.contrast = contrast
        self.clutter = clutter
        self.blurSigma = blurSigma
        self.noiseSigma = noiseSigma
        self.jpegQuality = jpegQuality
        self.seed = seed
    }

    /// The accepted range of each numeric field.
    public static let lineCountRange = 1...3
    public static let sizeRange: ClosedRange<Double> = 4...200
    public static let rotationRange: ClosedRange<Double> = -180...180
    public static let blurSigmaRange: ClosedRange<Double> = 0...20
    public static let noiseSigmaRange: ClosedRange<Double> = 0...255

    /// Checks every field and names the first bad one.
    public func validate() throws(TextRenderError) {
        guard Self.lineCountRange.contains(lines.count) else {
            throw .invalidField("lines", "\(lines.count) lines given; use 1 to 3")
        }
        for (index, line) in lines.enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .invalidField("lines[\(index)]", "the line is empty or only spaces")
            }
            if line.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw .invalidField("lines[\(index)]", "the line contains a control character (newline, tab…); give each line separately")
            }
        }
        try Self.check(size, in: Self.sizeRange, field: "size", unit: " px")
        try Self.check(rotation, in: Self.rotationRange, field: "rotation", unit: "°")
        guard contrast.isFinite, contrast > 0, contrast <= 1 else {
            throw .invalidField("contrast", "\(contrast) is outside (0, 1]; 1 is black on white, small values are faint")
        }
        try Self.check(blurSigma, in: Self.blurSigmaRange, field: "blurSigma", unit: " px")
        try Self.check(noiseSigma, in: Self.noiseSigmaRange, field: "noiseSigma", unit: " grey levels")
        if let jpegQuality, !(1...100).contains(jpegQuality) {
            throw .invalidField("jpegQuality", "\(jpegQuality) is outside 1...100; use nil for no JPEG compression")
        }
    }

    private static func check(_ value: Double, in range: ClosedRange<Double>, field: String, unit: String) throws(TextRenderError) {
        guard value.isFinite, range.contains(value) else {
            throw .invalidField(field, "\(value)\(unit) is outside \(range.lowerBound)...\(range.upperBound)\(unit)")
        }
    }
}

/// Why a text image could not be rendered.
public struct TextRenderError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The spec field at fault, if one is.
    public var field: String?
    public var message: String

    public init(field: String?, message: String) {
        self.field = field
        self.message = message
    }

    static func invalidField(_ field: String, _ problem: String) -> TextRenderError {
        TextRenderError(field: field, message: problem)
    }

    public var description: String {
        if let field { return "cannot render text: field `\(field)`: \(message)" }
        return "cannot render text: \(message)"
    }
}
