import FaultlineCore
import Foundation

/// "Give the bounding box of the red star." The answer is `x0,y0,x1,y1` in fractions of the
/// image width and height with three decimals, clipped to the image.
public struct BoundingBoxTemplate: ComputedQuestionTemplate {
    public let id = "grounding.bounding-box"
    public let ability = Ability.grounding
    public let formats: [AnswerFormat] = [.box]
    public let sceneKind = QuestionSceneKind.objects

    public init() {}

    public func subject(in scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> [String: String]? {
        QuestionRandom.pick(ReferringExpression.referable(in: scene), rng: &rng)?.expression
            .subjectEntries(role: "target")
    }

    public func stem(for subject: [String: String]) -> String? {
        ReferringExpression(subject: subject, role: "target").map { "Give the bounding box of \($0.phrase)." }
    }

    public func answer(for subject: [String: String], in scene: Scene) -> String? {
        guard let target = ReferringExpression(subject: subject, role: "target")?.resolve(in: scene) else { return nil }
        return Self.text(of: scene.boundingBox(of: target))
    }

    /// A box as `x0,y0,x1,y1`, each clipped to 0…1 and written with three decimals.
    public static func text(of box: Box) -> String {
        [box.minX, box.minY, box.maxX, box.maxY]
            .map { String(format: "%.3f", min(1, max(0, $0))) }
            .joined(separator: ",")
    }
}
