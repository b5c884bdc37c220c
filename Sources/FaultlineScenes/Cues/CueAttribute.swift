import FaultlineCore

/// A nuisance attribute of a scene: a place in the scene graph a spurious cue can be written
/// to (the zoo plants cues there; the spurious-correlation audit tests them).
///
/// Object attributes are set on every object whose change keeps the question's answer (so
/// usually the objects the question is not about) and count as present when any object
/// carries the value; removing them changes every object that carries it, and an example
/// where that would change the answer is not used.
public enum CueAttribute: String, Codable, Sendable, CaseIterable, Hashable {
    case background
    case backgroundTint = "background.tint"
    case objectsColour = "objects.colour"
    case objectsSize = "objects.size"
    case objectsTexture = "objects.texture"
    /// A free-standing sign with the value as its text, placed next to an object.
    case sign

    /// The values the attribute can take; nil for free text (the sign).
    public var allowedValues: [String]? {
        switch self {
        case .background: BackgroundKind.allCases.map(\.rawValue)
        case .backgroundTint, .objectsColour: NamedColour.allCases.map(\.rawValue)
        case .objectsSize: SizeClass.allCases.map(\.rawValue)
        case .objectsTexture: Texture.allCases.map(\.rawValue)
        case .sign: nil
        }
    }
}
