import FaultlineCore
import Foundation

/// Proposes random valid counterfactual edits.
public struct EditProposer: Sendable {
    /// How many random candidates are tried before giving up.
    public static let maximumAttempts = 40

    /// A random edit that applies validly to `scene`, of a kind chosen uniformly among those
    /// that can apply (object edits need objects, swaps two of them; chart and table scenes
    /// only change background), or nil when none was found in `maximumAttempts` tries.
    public static func randomEdit(for scene: Scene, rng: inout SeededGenerator) -> SceneEdit? {
        let kinds = applicableKinds(for: scene)
        for _ in 0..<maximumAttempts {
            guard let kind = WorldRandom.element(kinds, &rng) else { return nil }
            if let edit = candidate(kind, for: scene, rng: &rng), edit.apply(to: scene) != nil { return edit }
        }
        return nil
    }

    /// A random valid edit of the given kind, or nil when none was found in
    /// `maximumAttempts` tries (or the kind cannot apply to the scene).
    public static func randomEdit(of kind: SceneEdit.Kind, for scene: Scene, rng: inout SeededGenerator) -> SceneEdit? {
        guard applicableKinds(for: scene).contains(kind) else { return nil }
        for _ in 0..<maximumAttempts {
            if let edit = candidate(kind, for: scene, rng: &rng), edit.apply(to: scene) != nil { return edit }
        }
        return nil
    }

    /// The kinds of edit that can apply to `scene` at all.
    public static func applicableKinds(for scene: Scene) -> [SceneEdit.Kind] {
        if scene.chart != nil || scene.table != nil { return [.changeBackground] }
        var kinds: [SceneEdit.Kind] = [.add, .changeBackground, .overlayText]
        if !scene.objects.isEmpty { kinds += [.remove, .recolour, .move, .resize] }
        if scene.objects.count >= 2 { kinds.append(.swap) }
        return SceneEdit.Kind.allCases.filter(kinds.contains)
    }

    /// One random candidate of the kind; it may still be invalid for the scene.
    private static func candidate(_ kind: SceneEdit.Kind, for scene: Scene, rng: inout SeededGenerator) -> SceneEdit? {
        let target = WorldRandom.element(scene.objects, &rng)
        switch kind {
        case .add:
            let size = WorldRandom.element(SizeClass.allCases, &rng) ?? .small
            guard let position = randomPosition(size: size, in: scene, rng: &rng) else { return nil }
            let object = SceneObject(
                id: (scene.objects.map(\.id).max() ?? -1) + 1, shape: WorldRandom.element(Shape.allCases, &rng) ?? .circle,
                colour: WorldRandom.element(NamedColour.allCases, &rng) ?? .red, size: size, x: position.x, y: position.y,
                rotation: (WorldRandom.uniform(-30...30, &rng) * 10).rounded() / 10)
            return .add(object)
        case .remove:
            return target.map { .remove(id: $0.id) }
        case .recolour:
            guard let target else { return nil }
            let colour = WorldRandom.element(NamedColour.allCases.filter { $0 != target.colour }, &rng) ?? .red
            return .recolour(id: target.id, to: colour)
        case .move:
            guard let target, let position = randomPosition(size: target.size, in: scene, rng: &rng) else { return nil }
            return .move(id: target.id, x: position.x, y: position.y)
        case .resize:
            guard let target else { return nil }
            let size = WorldRandom.element(SizeClass.allCases.filter { $0 != target.size }, &rng) ?? .small
            return .resize(id: target.id, to: size)
        case .swap:
            let pair = WorldRandom.sample(scene.objects, count: 2, &rng)
            guard pair.count == 2 else { return nil }
            return .swap(pair[0].id, pair[1].id)
        case .changeBackground:
            let background = SceneGenerator.randomBackground(from: BackgroundKind.allCases, rng: &rng)
            return background == scene.background ? nil : .changeBackground(background)
        case .overlayText:
            let used = Set(scene.objects.compactMap(\.label) + scene.labels.map(\.text))
            return SceneGenerator.freeSign(in: scene, avoiding: used, rng: &rng).map { .overlayText($0) }
        }
    }

    /// A random centre at which an object of `size` stays inside the canvas.
    private static func randomPosition(
        size: SizeClass, in scene: Scene, rng: inout SeededGenerator
    ) -> (x: Double, y: Double)? {
        let side = Double(min(scene.width, scene.height))
        let rx = size.radiusFraction * side / Double(scene.width) + ObjectLayout.edgeMargin
        let ry = size.radiusFraction * side / Double(scene.height) + ObjectLayout.edgeMargin
        guard rx < 0.5, ry < 0.5 else { return nil }
        return (
            WorldRandom.roundedPosition(WorldRandom.uniform(rx...(1 - rx), &rng)),
            WorldRandom.roundedPosition(WorldRandom.uniform(ry...(1 - ry), &rng))
        )
    }
}
