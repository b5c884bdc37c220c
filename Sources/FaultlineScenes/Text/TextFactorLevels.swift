import Foundation

/// A named contrast between text and background.
public enum ContrastLevel: String, Codable, Sendable, Hashable, CaseIterable {
    case high, medium, low

    /// The luminance difference between background and text (see `TextRenderSpec.contrast`).
    public var luminanceDifference: Double {
        switch self {
        case .high: 1.0
        case .medium: 0.6
        case .low: 0.3
        }
    }
}

/// The discrete levels each factor of the OCR suite is drawn from, uniformly and
/// independently per probe.
///
/// Every value is valid by construction: the initialiser and the JSON decoder check each
/// field and throw a `TextFactorLevelsError` naming the bad one. Missing JSON fields take
/// their default levels; unknown fields are an error, so a misspelt field is not ignored.
public struct TextFactorLevels: Codable, Sendable, Hashable {
    public let fonts: [FontFamily]
    public let weights: [FontWeight]
    /// Font sizes in pixels.
    public let sizes: [Int]
    /// Rotations in degrees, counter-clockwise.
    public let rotations: [Double]
    public let contrasts: [ContrastLevel]
    public let clutters: [ClutterLevel]
    /// Gaussian blur standard deviations in pixels; 0 is no blur.
    public let blurs: [Double]
    /// Gaussian noise standard deviations in grey levels; 0 is no noise.
    public let noises: [Double]
    /// JPEG qualities; `nil` (JSON `null`) is no compression.
    public let jpegQualities: [Int?]
    /// Numbers of text lines, 1 to 3.
    public let lineCounts: [Int]
    public let kinds: [TextKind]

    /// The accepted ranges. Sizes stop at 96 px so that three lines fit the 640 px canvas
    /// at any rotation.
    public static let sizeRange = 6...96
    public static let rotationRange: ClosedRange<Double> = -90...90
    public static let blurRange: ClosedRange<Double> = 0...8
    public static let noiseRange: ClosedRange<Double> = 0...100
    public static let jpegQualityRange = 1...100
    public static let lineCountRange = 1...3

    public init(
        fonts: [FontFamily], weights: [FontWeight], sizes: [Int], rotations: [Double], contrasts: [ContrastLevel],
        clutters: [ClutterLevel], blurs: [Double], noises: [Double], jpegQualities: [Int?], lineCounts: [Int],
        kinds: [TextKind]
    ) throws(TextFactorLevelsError) {
        try Self.checkLevels(fonts, field: .fonts)
        try Self.checkLevels(weights, field: .weights)
        try Self.checkLevels(sizes, field: .sizes, label: { "\($0) px" }, valid: Self.sizeRange.contains)
        try Self.checkLevels(rotations, field: .rotations, label: { "\($0)°" }, valid: { $0.isFinite && Self.rotationRange.contains($0) })
        try Self.checkLevels(contrasts, field: .contrasts)
        try Self.checkLevels(clutters, field: .clutters)
        try Self.checkLevels(blurs, field: .blurs, label: { "σ \($0) px" }, valid: { $0.isFinite && Self.blurRange.contains($0) })
        try Self.checkLevels(noises, field: .noises, label: { "σ \($0)" }, valid: { $0.isFinite && Self.noiseRange.contains($0) })
        try Self.checkLevels(
            jpegQualities, field: .jpegQualities, label: { $0.map { "quality \($0)" } ?? "null" },
            valid: { $0.map(Self.jpegQualityRange.contains) ?? true })
        try Self.checkLevels(lineCounts, field: .lineCounts, label: { "\($0) lines" }, valid: Self.lineCountRange.contains)
        try Self.checkLevels(kinds, field: .kinds)
        self.fonts = fonts
        self.weights = weights
        self.sizes = sizes
        self.rotations = rotations
        self.contrasts = contrasts
        self.clutters = clutters
        self.blurs = blurs
        self.noises = noises
        self.jpegQualities = jpegQualities
        self.lineCounts = lineCounts
        self.kinds = kinds
    }

    /// Levels with a fine gradation of easy values and one hard value for most factors
    /// (12 px, 10° and 30°, low contrast, heavy clutter, σ1.6 blur, σ24 noise, JPEG q15).
    ///
    /// Each factor is mostly easy, but hard levels of independent factors compound: about
    /// a sixth of probes have no hard level and about half have at most one. Measured on
    /// 400 probes (seed 42), Tesseract 5 read 79% of the probes without a hard level exactly,
    /// 47% of those with one and 5% of those with three or more.
    public static let `default`: TextFactorLevels = {
        do {
            return try TextFactorLevels(
                fonts: FontFamily.allCases,
                weights: FontWeight.allCases,
                sizes: [12, 20, 24, 28, 32, 36, 40, 48],
                rotations: [0, 1, 2, 3, 4, 5, 10, 30],
                contrasts: [.high, .medium, .low],
                clutters: [.none, .light, .heavy],
                blurs: [0, 0.3, 0.5, 0.7, 0.9, 1.6],
                noises: [0, 2, 4, 6, 10, 24],
                jpegQualities: [nil, 95, 85, 70, 50, 35, 15],
                lineCounts: [1, 2, 3],
                kinds: TextKind.allCases)
        } catch {
            preconditionFailure("the default text factor levels are invalid: \(error)")
        }
    }()

    /// The JSON field names.
    public enum Field: String, CodingKey, CaseIterable, Sendable {
        case fonts, weights, sizes, rotations, contrasts, clutters, blurs, noises, jpegQualities, lineCounts, kinds
    }

    public init(from decoder: any Decoder) throws {
        let any = try decoder.container(keyedBy: ConfigurationDecoding.AnyKey.self)
        let known = Set(Field.allCases.map(\.rawValue))
        if let unknown = any.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw TextFactorLevelsError(
                field: unknown,
                message: "unknown field; the fields are \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let container = try decoder.container(keyedBy: Field.self)
        let fallback = Self.default
        func decode<T: Decodable>(_ field: Field, _ defaultValue: [T]) throws -> [T] {
            do {
                return try container.decodeIfPresent([T].self, forKey: field) ?? defaultValue
            } catch let error as DecodingError {
                throw TextFactorLevelsError(
                    field: field.rawValue, message: "cannot be read: \(ConfigurationDecoding.explain(error, expecting: { "a list of \($0)" }))\(Self.allowedValues(field))")
            }
        }
        try self.init(
            fonts: decode(.fonts, fallback.fonts), weights: decode(.weights, fallback.weights),
            sizes: decode(.sizes, fallback.sizes), rotations: decode(.rotations, fallback.rotations),
            contrasts: decode(.contrasts, fallback.contrasts), clutters: decode(.clutters, fallback.clutters),
            blurs: decode(.blurs, fallback.blurs), noises: decode(.noises, fallback.noises),
            jpegQualities: decode(.jpegQualities, fallback.jpegQualities),
            lineCounts: decode(.lineCounts, fallback.lineCounts), kinds: decode(.kinds, fallback.kinds))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Field.self)
        try container.encode(fonts, forKey: .fonts)
        try container.encode(weights, forKey: .weights)
        try container.encode(sizes, forKey: .sizes)
        try container.encode(rotations, forKey: .rotations)
        try container.encode(contrasts, forKey: .contrasts)
        try container.encode(clutters, forKey: .clutters)
        try container.encode(blurs, forKey: .blurs)
        try container.encode(noises, forKey: .noises)
        // Explicit nulls: `nil` means "no JPEG", which must survive a round trip.
        var qualities = container.nestedUnkeyedContainer(forKey: .jpegQualities)
        for quality in jpegQualities {
            if let quality { try qualities.encode(quality) } else { try qualities.encodeNil() }
        }
        try container.encode(lineCounts, forKey: .lineCounts)
        try container.encode(kinds, forKey: .kinds)
    }

    private static func checkLevels<T: Hashable>(
        _ levels: [T], field: Field, label: (T) -> String = { "\($0)" }, valid: (T) -> Bool = { _ in true }
    ) throws(TextFactorLevelsError) {
        guard !levels.isEmpty else {
            throw TextFactorLevelsError(field: field.rawValue, message: "no levels given; list at least one")
        }
        if let bad = levels.first(where: { !valid($0) }) {
            throw TextFactorLevelsError(field: field.rawValue, message: "\(label(bad)) is out of range; \(rangeHint(field))")
        }
        var seen = Set<T>()
        if let repeated = levels.first(where: { !seen.insert($0).inserted }) {
            throw TextFactorLevelsError(
                field: field.rawValue,
                message: "\(label(repeated)) is listed twice; levels are drawn uniformly, so list each once")
        }
    }

    private static func rangeHint(_ field: Field) -> String {
        switch field {
        case .sizes: "use sizes from \(sizeRange.lowerBound) to \(sizeRange.upperBound) px"
        case .rotations: "use rotations from \(rotationRange.lowerBound) to \(rotationRange.upperBound) degrees"
        case .blurs: "use blur σ from \(blurRange.lowerBound) to \(blurRange.upperBound) px (0 = none)"
        case .noises: "use noise σ from \(noiseRange.lowerBound) to \(noiseRange.upperBound) grey levels (0 = none)"
        case .jpegQualities: "use qualities from \(jpegQualityRange.lowerBound) to \(jpegQualityRange.upperBound), or null for none"
        case .lineCounts: "use \(lineCountRange.lowerBound) to \(lineCountRange.upperBound) lines"
        default: "use one of the listed values"
        }
    }

    /// For fields whose levels are names, the names that are accepted.
    private static func allowedValues(_ field: Field) -> String {
        let names: [String] =
            switch field {
            case .fonts: FontFamily.allCases.map(\.rawValue)
            case .weights: FontWeight.allCases.map(\.rawValue)
            case .contrasts: ContrastLevel.allCases.map(\.rawValue)
            case .clutters: ClutterLevel.allCases.map(\.rawValue)
            case .kinds: TextKind.allCases.map(\.rawValue)
            default: []
            }
        return names.isEmpty ? "" : "; the accepted values are " + names.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}

/// A factor-levels field that is missing, out of range, repeated, unreadable or unknown.
public struct TextFactorLevelsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The JSON field name, e.g. `sizes`.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "invalid text factor levels: field `\(field)`: \(message)" }
}
