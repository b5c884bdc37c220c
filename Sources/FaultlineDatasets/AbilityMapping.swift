import FaultlineCore
import Foundation

/// Maps benchmark category names to the ability they exercise.
///
/// Names are compared without case and punctuation, so `Instances Counting`,
/// `instances_counting` and `instances-counting` are one key. The `default` mapping is
/// AbilityLens's sub-category filter (methods.md §4) for MMBench, SEED-Bench, MMStar, MME,
/// MuirBench, ConBench and MIRB; categories AbilityLens does not use (MME `color`,
/// MMBench `image_emotion`, …) are deliberately left unmapped so that results stay
/// comparable with it. A JSON file can extend or override it (see `loading(from:over:)`).
///
/// As JSON, a mapping is one object from category name to ability name
/// (`counting`, `ocr`, `grounding`, `attribute`, `entity`, `structured-data`), with `null`
/// to remove a category of the mapping it is loaded over:
///
/// ```json
/// { "color": "attribute", "existence": "entity", "posters": null }
/// ```
public struct AbilityMapping: Codable, Sendable, Equatable {
    /// Normalised category key → ability.
    public private(set) var abilities: [String: Ability]

    /// A mapping from category names (in any case and punctuation) to abilities.
    public init(_ categories: [String: Ability]) {
        var abilities: [String: Ability] = [:]
        for (name, ability) in categories { abilities[Self.key(name)] = ability }
        self.abilities = abilities
    }

    /// The ability of a category, or `nil` when the mapping does not cover it.
    public func ability(for category: String) -> Ability? {
        abilities[Self.key(category)]
    }

    /// The form names are compared in: lower case, letters and digits only.
    public static func key(_ category: String) -> String {
        String(
            category.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// This mapping with `other`'s entries added, `other` winning where both have a key.
    public func merging(_ other: AbilityMapping) -> AbilityMapping {
        var merged = self
        merged.abilities.merge(other.abilities) { _, new in new }
        return merged
    }

    /// Reads a JSON mapping file and applies it over `base`: its entries are added or
    /// replace `base`'s, and its `null` entries remove categories from `base`.
    ///
    /// - Throws: `DatasetError` naming the file and, for a bad entry, the category and the
    ///   abilities it may name.
    public static func loading(from url: URL, over base: AbilityMapping = .default) throws -> AbilityMapping {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DatasetError(
                path: url.path, message: "cannot read the ability mapping (\(error.localizedDescription))",
                advice: "Check the path.")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw DatasetError(
                path: url.path, message: "the ability mapping is not valid JSON",
                advice: "Write one object from category name to ability name, e.g. {\"count\": \"counting\"}.")
        }
        guard let entries = object as? [String: Any] else {
            throw DatasetError(
                path: url.path, message: "the ability mapping is not a JSON object",
                advice: "Write one object from category name to ability name, e.g. {\"count\": \"counting\"}.")
        }
        var mapping = base
        for (category, value) in entries.sorted(by: { $0.key < $1.key }) {
            if value is NSNull {
                mapping.abilities[key(category)] = nil
                continue
            }
            guard let name = value as? String, let ability = Ability(rawValue: name) else {
                throw DatasetError(
                    path: url.path, message: "category \"\(category)\" maps to \(value), which is not an ability",
                    advice:
                        "Use one of \(Ability.allCases.map(\.rawValue).joined(separator: ", ")), or null to unmap it.")
            }
            mapping.abilities[key(category)] = ability
        }
        return mapping
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(try container.decode([String: Ability].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(abilities)
    }

    /// AbilityLens's category filters (methods.md §4).
    public static let `default` = AbilityMapping([
        // MME (yes/no)
        "count": .counting, "OCR": .ocr, "position": .grounding, "landmark": .entity, "celebrity": .entity,
        "posters": .structuredData,
        // MMBench (L3 categories)
        "spatial_relationship": .grounding, "object_localization": .grounding,
        "attribute_recognition": .attribute, "attribute_comparison": .attribute,
        "celebrity_recognition": .entity, "identity_reasoning": .entity,
        "structuralized_imagetext_understanding": .structuredData,
        // MMStar (L2 categories)
        "object counting": .counting, "localization": .grounding,
        "cross-instance attribute reasoning": .attribute, "single-instance reasoning": .attribute,
        "diagram reasoning": .structuredData,
        // SEED-Bench question types 2–6 and 9
        "Instance Identity": .entity, "Instance Attributes": .attribute, "Instance Location": .grounding,
        "Instances Counting": .counting, "Spatial Relation": .grounding, "Text Understanding": .structuredData,
        // MuirBench
        "Counting": .counting, "Visual Grounding": .grounding, "Difference Spotting": .attribute,
        "Attribute Similarity": .attribute, "Diagram Understanding": .structuredData,
        // ConBench (count, ocr, position, landmark and celebrity are shared with MME)
        "attribute": .attribute, "poster": .structuredData,
    ])
}
