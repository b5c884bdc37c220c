import FaultlineCore
import Foundation
import Testing

@testable import FaultlineDatasets

@Suite struct AbilityMappingTests {
    /// AbilityLens's category filters (methods.md §4), as the benchmarks spell them.
    static let abilityLensCategories: [(String, Ability)] = [
        // MME
        ("count", .counting), ("OCR", .ocr), ("position", .grounding), ("landmark", .entity),
        ("celebrity", .entity), ("posters", .structuredData),
        // MMBench
        ("spatial_relationship", .grounding), ("object_localization", .grounding),
        ("attribute_recognition", .attribute), ("attribute_comparison", .attribute),
        ("celebrity_recognition", .entity), ("identity_reasoning", .entity), ("ocr", .ocr),
        ("structuralized_imagetext_understanding", .structuredData),
        // MMStar
        ("object counting", .counting), ("localization", .grounding),
        ("cross-instance attribute reasoning", .attribute), ("single-instance reasoning", .attribute),
        ("diagram reasoning", .structuredData),
        // SEED-Bench
        ("Instances Counting", .counting), ("Instance Location", .grounding), ("Instance Attributes", .attribute),
        ("Instance Identity", .entity), ("Spatial Relation", .grounding), ("Text Understanding", .structuredData),
        // MuirBench
        ("Counting", .counting), ("Visual Grounding", .grounding), ("Difference Spotting", .attribute),
        ("Attribute Similarity", .attribute), ("Diagram Understanding", .structuredData),
    ]

    @Test func theDefaultMappingCoversAbilityLensCategories() {
        for (category, ability) in Self.abilityLensCategories {
            #expect(AbilityMapping.default.ability(for: category) == ability, "\(category)")
        }
        // Categories AbilityLens does not use stay unmapped.
        for category in ["color", "existence", "image_emotion", "Scene Understanding", "Visual Reasoning"] {
            #expect(AbilityMapping.default.ability(for: category) == nil, "\(category)")
        }
    }

    @Test func namesMatchWithoutCaseOrPunctuation() {
        let mapping = AbilityMapping.default
        #expect(mapping.ability(for: "INSTANCES_COUNTING") == .counting)
        #expect(mapping.ability(for: "instances-counting") == .counting)
        #expect(mapping.ability(for: "Spatial Relationship") == .grounding)
        #expect(mapping.ability(for: "cross instance attribute reasoning") == .attribute)
        #expect(AbilityMapping.key("Cross-Instance  Attribute_Reasoning!") == "crossinstanceattributereasoning")
    }

    @Test func aFileExtendsOverridesAndRemoves() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(
            "mapping.json", #"{"color": "attribute", "Posters": "ocr", "landmark": null, "existence": "entity"}"#)
        let mapping = try AbilityMapping.loading(from: file)
        #expect(mapping.ability(for: "color") == .attribute)
        #expect(mapping.ability(for: "existence") == .entity)
        #expect(mapping.ability(for: "posters") == .ocr)
        #expect(mapping.ability(for: "landmark") == nil)
        #expect(mapping.ability(for: "count") == .counting)
        // Over an empty base only the file's entries exist.
        let alone = try AbilityMapping.loading(from: file, over: AbilityMapping([:]))
        #expect(alone.abilities.count == 3)
    }

    @Test func aBadMappingFileSaysWhichEntryAndWhatIsAllowed() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("bad.json", #"{"color": "colour-sense"}"#)
        #expect {
            try AbilityMapping.loading(from: file)
        } throws: { error in
            let text = "\(error)"
            return text.contains("\"color\"")
                && text.contains("counting, ocr, grounding, attribute, entity, structured-data")
        }
        let notObject = try folder.write("list.json", "[1, 2]")
        #expect(throws: DatasetError.self) { try AbilityMapping.loading(from: notObject) }
        #expect(throws: DatasetError.self) { try AbilityMapping.loading(from: folder.file("absent.json")) }
    }

    @Test func codableRoundTripKeepsEveryEntry() throws {
        let data = try JSONEncoder().encode(AbilityMapping.default)
        #expect(try JSONDecoder().decode(AbilityMapping.self, from: data) == AbilityMapping.default)
        let merged = AbilityMapping(["a": .ocr]).merging(AbilityMapping(["A": .entity, "b": .counting]))
        #expect(merged.ability(for: "a") == .entity && merged.ability(for: "b") == .counting)
    }
}
