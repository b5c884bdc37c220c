import FaultlineCore

/// Edits aimed at what a question is about, for counterfactual twins whose answer should
/// change: a random edit of a random object seldom touches the one object a question names.
public enum FocusedEdits {
    /// The objects of `scene` that `question` is about: those its referring expressions
    /// denote, and those matching the shape, colour, texture or candidate shapes it asks about.
    public static func objectIDs(of question: Question, in scene: Scene) -> [Int] {
        let subject = question.subject
        var ids: [Int] = []
        for role in ["target", "reference", "first", "second"] {
            if let object = ReferringExpression(subject: subject, role: role)?.resolve(in: scene) {
                ids.append(object.id)
            }
        }
        let shape = subject["shape"].flatMap(Shape.init(rawValue:))
        let colour = subject["colour"].flatMap(NamedColour.init(rawValue:))
        if shape != nil || colour != nil { ids += scene.objects(shape: shape, colour: colour).map(\.id) }
        if let texture = subject["texture"].flatMap(Texture.init(rawValue:)) {
            ids += scene.objects.filter { $0.texture == texture }.map(\.id)
        }
        if let candidates = subject["candidates"]?.split(separator: ",").compactMap({ Shape(rawValue: String($0)) }) {
            ids += scene.objects.filter { candidates.contains($0.shape) }.map(\.id)
        }
        var seen = Set<Int>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// A random edit that changes one of the objects `question` is about (recolour, resize,
    /// remove, move, or swap it with another object) or, for questions about a shape, adds one
    /// more of it; nil when no valid edit was found in a few tries.
    public static func randomEdit(for question: Question, in scene: Scene, rng: inout SeededGenerator) -> SceneEdit? {
        let ids = objectIDs(of: question, in: scene)
        let addable = question.subject["shape"].flatMap(Shape.init(rawValue:))
        for _ in 0..<8 {
            if let edit = candidate(
                ids: ids, addable: addable, colour: question.subject["colour"], in: scene, rng: &rng),
                edit.apply(to: scene) != nil
            {
                return edit
            }
        }
        return nil
    }

    private static func candidate(
        ids: [Int], addable: Shape?, colour: String?, in scene: Scene, rng: inout SeededGenerator
    ) -> SceneEdit? {
        var kinds: [SceneEdit.Kind] = ids.isEmpty ? [] : [.recolour, .resize, .remove, .move]
        if !ids.isEmpty, scene.objects.count >= 2 { kinds.append(.swap) }
        if addable != nil { kinds.append(.add) }
        guard let kind = QuestionRandom.pick(kinds, rng: &rng) else { return nil }
        if kind == .add, let shape = addable {
            let size = QuestionRandom.pick(SizeClass.allCases, rng: &rng) ?? .small
            let (x, y) = position(for: size, in: scene, rng: &rng)
            let object = SceneObject(
                id: (scene.objects.map(\.id).max() ?? -1) + 1, shape: shape,
                colour: colour.flatMap(NamedColour.init(rawValue:)) ?? QuestionRandom.pick(
                    NamedColour.allCases, rng: &rng) ?? .red,
                size: size, x: x, y: y)
            return .add(object)
        }
        guard let id = QuestionRandom.pick(ids, rng: &rng), let object = scene.object(id: id) else { return nil }
        switch kind {
        case .recolour:
            return QuestionRandom.pick(NamedColour.allCases.filter { $0 != object.colour }, rng: &rng).map {
                .recolour(id: id, to: $0)
            }
        case .resize:
            return QuestionRandom.pick(SizeClass.allCases.filter { $0 != object.size }, rng: &rng).map {
                .resize(id: id, to: $0)
            }
        case .remove:
            return .remove(id: id)
        case .move:
            let (x, y) = position(for: object.size, in: scene, rng: &rng)
            return .move(id: id, x: x, y: y)
        case .swap:
            return QuestionRandom.pick(scene.objects.map(\.id).filter { $0 != id }, rng: &rng).map { .swap(id, $0) }
        default:
            return nil
        }
    }

    /// A random centre that keeps an object of `size` on the canvas, rounded to 4 decimals
    /// as generated scenes are.
    private static func position(for size: SizeClass, in scene: Scene, rng: inout SeededGenerator) -> (Double, Double) {
        let side = Double(min(scene.width, scene.height))
        let marginX = size.radiusFraction * side / Double(scene.width) + 0.01
        let marginY = size.radiusFraction * side / Double(scene.height) + 0.01
        func coordinate(_ margin: Double) -> Double {
            ((margin + (1 - 2 * margin) * rng.unit()) * 10_000).rounded() / 10_000
        }
        let x = coordinate(marginX)
        return (x, coordinate(marginY))
    }
}
