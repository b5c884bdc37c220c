import FaultlineCore
import Foundation

/// Writes a cue (an attribute taking a value) into a scene or takes it out, keeping the
/// question's answer: how the zoo plants spurious cues in training data, and how the
/// spurious-correlation audit builds its counterfactual groups.
///
/// Every change is checked by re-asking the question on the changed scene
/// (`QuestionTemplate.reask`) and kept only when the answer value is unchanged and the scene
/// is still valid.
public struct CueEditor: Sendable, Hashable {
    public let attribute: CueAttribute
    public let value: String

    public init(attribute: CueAttribute, value: String) {
        self.attribute = attribute
        self.value = value
    }

    /// The scene with its question re-asked: what planting passes along.
    public typealias Posed = (scene: Scene, question: Question)

    /// Whether the cue is in `scene`.
    public func isPresent(in scene: Scene) -> Bool {
        switch attribute {
        case .background: scene.background.kind.rawValue == value
        case .backgroundTint: scene.background.tint?.rawValue == value
        case .objectsColour: scene.objects.contains { $0.colour.rawValue == value }
        case .objectsSize: scene.objects.contains { $0.size.rawValue == value }
        case .objectsTexture: scene.objects.contains { $0.texture?.rawValue == value }
        case .sign: scene.labels.contains { $0.text == value }
        }
    }

    /// The scene with the cue present and the same answer, or nil when that cannot be done.
    public func set(_ posed: Posed, rng: inout SeededGenerator) -> Posed? {
        if isPresent(in: posed.scene) { return posed }
        var current = posed
        switch attribute {
        case .background:
            guard let kind = BackgroundKind(rawValue: value) else { return nil }
            let tint = Self.isTintable(kind) ? (posed.scene.background.tint ?? rng.choose(from: NamedColour.allCases)) : nil
            current = keep(current, SceneEdit.changeBackground(Background(kind: kind, tint: tint)).apply(to: current.scene), &rng) ?? current
        case .backgroundTint:
            guard let tint = NamedColour(rawValue: value) else { return nil }
            let kind = Self.isTintable(posed.scene.background.kind) ? posed.scene.background.kind : .plain
            current = keep(current, SceneEdit.changeBackground(Background(kind: kind, tint: tint)).apply(to: current.scene), &rng) ?? current
        case .objectsColour:
            guard let colour = NamedColour(rawValue: value) else { return nil }
            for object in posed.scene.objects where object.colour != colour {
                current = keep(current, SceneEdit.recolour(id: object.id, to: colour).apply(to: current.scene), &rng) ?? current
            }
        case .objectsSize:
            guard let size = SizeClass(rawValue: value) else { return nil }
            for object in posed.scene.objects where object.size != size {
                current = keep(current, SceneEdit.resize(id: object.id, to: size).apply(to: current.scene), &rng) ?? current
            }
        case .objectsTexture:
            guard let texture = Texture(rawValue: value) else { return nil }
            // Labels stay legible only on plain fills, as the generator keeps them.
            for object in posed.scene.objects where object.texture != texture && object.label == nil {
                current = keep(current, Self.retextured(current.scene, id: object.id, to: texture), &rng) ?? current
            }
        case .sign:
            for label in signPlacements(in: posed.scene, rng: &rng) {
                if let kept = keep(current, SceneEdit.overlayText(label).apply(to: current.scene), &rng) {
                    current = kept
                    break
                }
            }
        }
        return isPresent(in: current.scene) ? current : nil
    }

    /// The scene with the cue absent and the same answer, or nil when that cannot be done.
    public func remove(_ posed: Posed, rng: inout SeededGenerator) -> Posed? {
        guard isPresent(in: posed.scene) else { return posed }
        var current = posed
        switch attribute {
        case .background:
            let kinds = BackgroundKind.allCases.filter { $0.rawValue != value }
            for kind in rng.shuffled(kinds) {
                let tint = Self.isTintable(kind) ? rng.choose(from: NamedColour.allCases) : nil
                if let kept = keep(current, SceneEdit.changeBackground(Background(kind: kind, tint: tint)).apply(to: current.scene), &rng) {
                    current = kept
                    break
                }
            }
        case .backgroundTint:
            let tints: [NamedColour?] = [nil] + NamedColour.allCases.filter { $0.rawValue != value }
            for tint in rng.shuffled(tints) {
                let background = Background(kind: current.scene.background.kind, tint: tint)
                if let kept = keep(current, SceneEdit.changeBackground(background).apply(to: current.scene), &rng) {
                    current = kept
                    break
                }
            }
        case .objectsColour:
            for object in posed.scene.objects where object.colour.rawValue == value {
                for colour in rng.shuffled(NamedColour.allCases.filter { $0.rawValue != value }) {
                    if let kept = keep(current, SceneEdit.recolour(id: object.id, to: colour).apply(to: current.scene), &rng) {
                        current = kept
                        break
                    }
                }
            }
        case .objectsSize:
            for object in posed.scene.objects where object.size.rawValue == value {
                for size in rng.shuffled(SizeClass.allCases.filter { $0.rawValue != value }) {
                    if let kept = keep(current, SceneEdit.resize(id: object.id, to: size).apply(to: current.scene), &rng) {
                        current = kept
                        break
                    }
                }
            }
        case .objectsTexture:
            let others: [Texture?] = [nil] + Texture.allCases.filter { $0.rawValue != value }
            for object in posed.scene.objects where object.texture?.rawValue == value {
                for texture in rng.shuffled(others) {
                    if let kept = keep(current, Self.retextured(current.scene, id: object.id, to: texture), &rng) {
                        current = kept
                        break
                    }
                }
            }
        case .sign:
            var scene = current.scene
            scene.labels.removeAll { $0.text == value }
            current = keep(current, scene, &rng) ?? current
        }
        return isPresent(in: current.scene) ? nil : current
    }

    /// `candidate` with the question re-asked, when it is a valid scene on which the question
    /// keeps its answer.
    private func keep(_ posed: Posed, _ candidate: Scene?, _ rng: inout SeededGenerator) -> Posed? {
        guard let candidate, candidate.isValid, let template = QuestionTemplates.template(id: posed.question.templateID),
            let question = template.reask(posed.question, on: candidate, rng: &rng),
            question.answerValue == posed.question.answerValue
        else { return nil }
        return (candidate, question)
    }

    /// Places for a sign reading `value`: beside each object (in random order), then anywhere.
    private func signPlacements(in scene: Scene, rng: inout SeededGenerator) -> [TextLabel] {
        let size = 0.07
        let centred = scene.boundingBox(of: TextLabel(text: value, x: 0.5, y: 0.5, size: size))
        let halfWidth = (centred.maxX - centred.minX) / 2, halfHeight = (centred.maxY - centred.minY) / 2
        var placements: [TextLabel] = []
        for object in rng.shuffled(scene.objects) {
            let box = scene.boundingBox(of: object)
            let gap = 0.03
            let candidates = [
                (box.maxX + gap + halfWidth, object.y), (box.minX - gap - halfWidth, object.y),
                (object.x, box.maxY + gap + halfHeight), (object.x, box.minY - gap - halfHeight),
            ]
            for (x, y) in candidates { placements.append(TextLabel(text: value, x: Self.round(x), y: Self.round(y), size: size)) }
        }
        for _ in 0..<12 {
            let x = halfWidth + 0.02 + rng.unit() * max(0, 1 - 2 * (halfWidth + 0.02))
            let y = halfHeight + 0.02 + rng.unit() * max(0, 1 - 2 * (halfHeight + 0.02))
            placements.append(TextLabel(text: value, x: Self.round(x), y: Self.round(y), size: size))
        }
        return placements
    }

    private static func round(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

    private static func retextured(_ scene: Scene, id: Int, to texture: Texture?) -> Scene? {
        guard let index = scene.objects.firstIndex(where: { $0.id == id }) else { return nil }
        var edited = scene
        edited.objects[index].texture = texture
        return edited
    }

    public static func isTintable(_ kind: BackgroundKind) -> Bool { kind == .plain || kind == .gradient || kind == .textured }
}
