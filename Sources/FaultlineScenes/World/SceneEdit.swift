import FaultlineCore
import Foundation

/// A counterfactual change to a scene graph: one thing changes, everything else (ids,
/// other objects, the seed) stays, so that a question can be re-asked on the edited scene
/// and its answer recomputed.
public enum SceneEdit: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Adds an object whose id is not yet used.
    case add(SceneObject)
    case remove(id: Int)
    case recolour(id: Int, to: NamedColour)
    /// Moves an object's centre to (x, y) in canvas fractions.
    case move(id: Int, x: Double, y: Double)
    case resize(id: Int, to: SizeClass)
    /// Exchanges the positions of two objects.
    case swap(Int, Int)
    case changeBackground(Background)
    /// Adds free-standing text (a sign) where it covers no object.
    case overlayText(TextLabel)

    /// The kinds of edit, one per case.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case add, remove, recolour, move, resize, swap, changeBackground, overlayText
    }

    /// Which kind of edit this is.
    public var kind: Kind {
        switch self {
        case .add: .add
        case .remove: .remove
        case .recolour: .recolour
        case .move: .move
        case .resize: .resize
        case .swap: .swap
        case .changeBackground: .changeBackground
        case .overlayText: .overlayText
        }
    }

    /// The edit's kind as a word, e.g. "recolour", for lineage records.
    public var name: String { kind.rawValue }

    /// The edit in words, e.g. "recolour object 3 to blue".
    public var description: String {
        switch self {
        case .add(let object):
            "add object \(object.id) (\(object.size.rawValue) \(object.colour.rawValue) \(object.shape.rawValue)) at (\(object.x), \(object.y))"
        case .remove(let id): "remove object \(id)"
        case .recolour(let id, let colour): "recolour object \(id) to \(colour.rawValue)"
        case .move(let id, let x, let y): "move object \(id) to (\(x), \(y))"
        case .resize(let id, let size): "resize object \(id) to \(size.rawValue)"
        case .swap(let a, let b): "swap the positions of objects \(a) and \(b)"
        case .changeBackground(let background):
            "change the background to \(background.tint.map { "\($0.rawValue) " } ?? "")\(background.kind.rawValue)"
        case .overlayText(let label): "overlay the text \"\(label.text)\" at (\(label.x), \(label.y))"
        }
    }

    /// The scene with this edit applied, or nil when the edit is invalid: an unknown or
    /// duplicate id, a change that changes nothing, an object edit on a chart or table scene,
    /// or a result that is not a valid scene (an object leaving the canvas or overlapping
    /// another other than lying inside it, text covering an object; see
    /// `Scene.validationProblems()`).
    public func apply(to scene: Scene) -> Scene? {
        var edited = scene
        let isStructured = scene.chart != nil || scene.table != nil
        switch self {
        case .add(let object):
            guard !isStructured, scene.object(id: object.id) == nil else { return nil }
            edited.objects.append(object)
        case .remove(let id):
            guard let index = scene.objects.firstIndex(where: { $0.id == id }) else { return nil }
            edited.objects.remove(at: index)
        case .recolour(let id, let colour):
            guard let index = scene.objects.firstIndex(where: { $0.id == id }), scene.objects[index].colour != colour
            else { return nil }
            edited.objects[index].colour = colour
        case .move(let id, let x, let y):
            guard let index = scene.objects.firstIndex(where: { $0.id == id }),
                scene.objects[index].x != x || scene.objects[index].y != y
            else { return nil }
            edited.objects[index].x = x
            edited.objects[index].y = y
        case .resize(let id, let size):
            guard let index = scene.objects.firstIndex(where: { $0.id == id }), scene.objects[index].size != size
            else { return nil }
            edited.objects[index].size = size
        case .swap(let a, let b):
            guard a != b, let i = scene.objects.firstIndex(where: { $0.id == a }),
                let j = scene.objects.firstIndex(where: { $0.id == b }),
                scene.objects[i].x != scene.objects[j].x || scene.objects[i].y != scene.objects[j].y
            else { return nil }
            (edited.objects[i].x, edited.objects[j].x) = (scene.objects[j].x, scene.objects[i].x)
            (edited.objects[i].y, edited.objects[j].y) = (scene.objects[j].y, scene.objects[i].y)
        case .changeBackground(let background):
            guard background != scene.background else { return nil }
            edited.background = background
        case .overlayText(let label):
            guard !isStructured else { return nil }
            edited.labels.append(label)
        }
        return edited.isValid ? edited : nil
    }
}
