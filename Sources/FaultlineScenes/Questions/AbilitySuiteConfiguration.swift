import FaultlineCore
import Foundation

/// What the ability suite asks: which abilities, in which answer formats, how many probes are
/// counterfactual twins, and what scenes look like (including the image size).
///
/// A JSON configuration may leave out any field (it takes the default) but may not name an
/// unknown one, so a misspelt field is reported rather than ignored:
///
/// ```json
/// { "abilities": ["counting", "grounding"], "formats": ["number", "yes-no"],
///   "counterfactualShare": 0.2, "scenes": { "width": 224, "height": 224 } }
/// ```
public struct AbilitySuiteConfiguration: Codable, Sendable, Hashable {
    /// The abilities probes exercise, taken in turn (default: the six perception abilities).
    public var abilities: [Ability]
    /// The answer formats questions may be asked in (default: all five).
    public var formats: [AnswerFormat]
    /// The share of probes that are counterfactual twins of the probe before them, 0…0.5.
    public var counterfactualShare: Double
    /// How scenes are generated; its width and height are the image size.
    public var scenes: SceneGeneratorConfiguration

    /// Every answer format, in the order the suite lists them.
    public static let allFormats: [AnswerFormat] = [.multipleChoice, .yesNo, .number, .freeText, .box]

    /// The accepted counterfactual shares. Each counterfactual probe is the edited twin of
    /// the original just before it, so at most every other probe can be one.
    public static let counterfactualShareRange: ClosedRange<Double> = 0...0.5

    public init(
        abilities: [Ability] = Ability.perception, formats: [AnswerFormat] = Self.allFormats,
        counterfactualShare: Double = 0.2, scenes: SceneGeneratorConfiguration = .init()
    ) {
        self.abilities = abilities
        self.formats = formats
        self.counterfactualShare = counterfactualShare
        self.scenes = scenes
    }

    /// The image size as a factor level, e.g. `224px` (or `320x240px` when not square).
    public var resolutionLevel: String {
        scenes.width == scenes.height ? "\(scenes.width)px" : "\(scenes.width)x\(scenes.height)px"
    }

    /// Checks every field and names the first bad one.
    public func validate() throws(AbilitySuiteConfigurationError) {
        try Self.checkList(abilities, field: .abilities, allowed: Ability.perception.map(\.rawValue))
        try Self.checkList(formats, field: .formats, allowed: Self.allFormats.map(\.rawValue))
        let allowedFormats = Set(formats)
        for ability in abilities where QuestionTemplates.templates(for: ability, formats: allowedFormats).isEmpty {
            let offered = Self.allFormats.filter { format in
                QuestionTemplates.templates(for: ability).contains { $0.formats.contains(format) }
            }
            throw AbilitySuiteConfigurationError(
                field: Field.formats.rawValue,
                message: "no \(ability.rawValue) template asks in \(formats.map(\.rawValue).joined(separator: ", ")); "
                    + "add \(offered.map(\.rawValue).joined(separator: " or ")) to formats, "
                    + "or drop \(ability.rawValue) from abilities"
            )
        }
        guard counterfactualShare.isFinite, Self.counterfactualShareRange.contains(counterfactualShare) else {
            throw AbilitySuiteConfigurationError(
                field: Field.counterfactualShare.rawValue,
                message: "\(counterfactualShare) is outside 0...0.5; each counterfactual probe is the edited twin of "
                    + "the original probe before it, so at most every other probe can be one")
        }
        do {
            try scenes.validate()
        } catch {
            throw AbilitySuiteConfigurationError(
                field: "\(Field.scenes.rawValue).\(error.field)", message: error.message)
        }
        try checkScenesCanAnswer()
    }

    /// Rejects scene settings under which the chosen abilities could never be asked about,
    /// which would otherwise only show when the suite runs out of scenes to try.
    private func checkScenesCanAnswer() throws(AbilitySuiteConfigurationError) {
        // Comparisons and relations need two objects; the other object questions need one
        // that can be told apart from the rest.
        let needingObjects = abilities.filter { [.grounding, .attribute, .entity, .ocr].contains($0) }
        if let ability = needingObjects.first, scenes.objectCount.upperBound < 2 {
            throw AbilitySuiteConfigurationError(
                field: "\(Field.scenes.rawValue).objectCount",
                message: "scenes hold at most \(scenes.objectCount.upperBound) objects, too few for "
                    + "\(ability.rawValue) questions; allow 2 or more, or drop "
                    + "\(needingObjects.map(\.rawValue).joined(separator: ", ")) from abilities")
        }
        if abilities.contains(.ocr), scenes.labelProbability == 0, scenes.signProbability == 0 {
            throw AbilitySuiteConfigurationError(
                field: "\(Field.scenes.rawValue).labelProbability",
                message: "with no labels and no signs there is nothing to read; raise labelProbability or "
                    + "signProbability above 0, or drop ocr from abilities")
        }
    }

    /// The JSON field names.
    public enum Field: String, CodingKey, CaseIterable, Sendable {
        case abilities, formats, counterfactualShare, scenes
    }

    /// Decodes a configuration, taking the default for every field left out, and validates it.
    ///
    /// - Throws: `AbilitySuiteConfigurationError` naming the field that is unknown,
    ///   unreadable or invalid.
    public init(from decoder: any Decoder) throws {
        let any = try decoder.container(keyedBy: ConfigurationDecoding.AnyKey.self)
        let known = Set(Field.allCases.map(\.rawValue))
        if let unknown = any.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw AbilitySuiteConfigurationError(
                field: unknown,
                message: "unknown field; the fields are \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let container = try decoder.container(keyedBy: Field.self)
        let defaults = Self()
        func decode<T: Decodable>(_ field: Field, _ fallback: T, hint: String) throws -> T {
            do {
                return try container.decodeIfPresent(T.self, forKey: field) ?? fallback
            } catch let error as DecodingError {
                throw AbilitySuiteConfigurationError(
                    field: field.rawValue, message: "cannot be read: \(ConfigurationDecoding.explain(error)); \(hint)")
            } catch let error as SceneConfigurationError {
                throw AbilitySuiteConfigurationError(field: "\(field.rawValue).\(error.field)", message: error.message)
            }
        }
        self.init(
            abilities: try decode(
                .abilities, defaults.abilities,
                hint: "give a list of \(Ability.perception.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"),
            formats: try decode(
                .formats, defaults.formats,
                hint: "give a list of \(Self.allFormats.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"),
            counterfactualShare: try decode(
                .counterfactualShare, defaults.counterfactualShare, hint: "give a number from 0 to 0.5"),
            scenes: try decode(.scenes, defaults.scenes, hint: "give an object of scene generator settings"))
        try validate()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Field.self)
        try container.encode(abilities, forKey: .abilities)
        try container.encode(formats, forKey: .formats)
        try container.encode(counterfactualShare, forKey: .counterfactualShare)
        try container.encode(scenes, forKey: .scenes)
    }

    private static func checkList<T: Hashable & RawRepresentable<String>>(
        _ values: [T], field: Field, allowed: [String]
    ) throws(AbilitySuiteConfigurationError) {
        guard !values.isEmpty else {
            throw AbilitySuiteConfigurationError(
                field: field.rawValue,
                message: "the list is empty; give at least one of \(allowed.joined(separator: ", ")) "
                    + "or leave the field out for all"
            )
        }
        var seen = Set<T>()
        if let repeated = values.first(where: { !seen.insert($0).inserted }) {
            throw AbilitySuiteConfigurationError(
                field: field.rawValue, message: "\(repeated.rawValue) is listed twice; list each once")
        }
    }
}

/// An ability suite configuration field that is unknown, unreadable or invalid.
public struct AbilitySuiteConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The JSON field at fault, e.g. `formats` or `scenes.width`.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "invalid ability suite configuration: field `\(field)`: \(message)" }
}
