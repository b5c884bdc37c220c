import FaultlineCore
import FaultlineScenes
import Foundation

/// The nuisance cues a probe carries: its scene's attributes (read from the stored scene
/// graph) and the phrase put before its question, if any.
public enum CueScan {
    /// The factor under which `SpuriousMiningSource` records a probe's lead-in phrase.
    public static let leadInFactor = "lead-in"

    /// Every cue present in `probe`.
    public static func cues(in probe: Probe) -> Set<CueIdentity> {
        var cues: Set<CueIdentity> = []
        if let phrase = probe.lineage.factors[leadInFactor], phrase != "none" {
            cues.insert(CueIdentity(attribute: CueIdentity.leadInAttribute, value: phrase))
        }
        guard let json = probe.scene, let scene = try? JSONDecoder().decode(Scene.self, from: Data(json.utf8)) else {
            return cues
        }
        func add(_ attribute: CueAttribute, _ value: String) {
            cues.insert(CueIdentity(attribute: attribute.rawValue, value: value))
        }
        add(.background, scene.background.kind.rawValue)
        if let tint = scene.background.tint { add(.backgroundTint, tint.rawValue) }
        for object in scene.objects {
            add(.objectsColour, object.colour.rawValue)
            add(.objectsSize, object.size.rawValue)
            if let texture = object.texture { add(.objectsTexture, texture.rawValue) }
        }
        for label in scene.labels { add(.sign, label.text) }
        return cues
    }

    /// Whether testing `cue` as a pull towards `answer` on a probe of `ability` would test
    /// evidence rather than a nuisance: an object of the answer's colour (or size, texture)
    /// somewhere in the image is what a binding mistake looks at; a scene attribute the question
    /// names ("is there a *large* red circle?") partly matches it; and a sign is what an OCR
    /// question reads. Such pairs are not tested.
    public static func isEvidence(_ cue: CueIdentity, answer: String, ability: Ability, question: String = "") -> Bool {
        if cue.attribute == CueIdentity.leadInAttribute { return false }
        if cue.attribute.hasPrefix("objects.") && cue.value.lowercased() == answer { return true }
        if cue.attribute == CueAttribute.sign.rawValue && ability == .ocr { return true }
        let words = Set(question.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
        return words.contains(cue.value.lowercased())
    }

    /// The editor that sets or removes a scene cue; nil for a lead-in phrase or an unknown attribute.
    public static func editor(for cue: CueIdentity) -> CueEditor? {
        CueAttribute(rawValue: cue.attribute).map { CueEditor(attribute: $0, value: cue.value) }
    }
}
