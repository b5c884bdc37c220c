import FaultlineCore

/// Makes questions of one kind about scenes, with answers computed from the scene graph.
///
/// A template never stores answers: `make` reads them off the scene it is given, so the same
/// template on an edited scene gives the edited answer. It returns nil rather than ask a
/// question the scene cannot answer unambiguously ("the red star" when there are two).
public protocol QuestionTemplate: Sendable {
    /// A stable identifier, `<ability>.<name>`, e.g. `counting.shape`.
    var id: String { get }
    var ability: Ability { get }
    /// The answer formats the template can ask in.
    var formats: [AnswerFormat] { get }
    /// The kind of scene the template needs.
    var sceneKind: QuestionSceneKind { get }

    /// A question about `scene` in `format`, or nil when the scene cannot support one
    /// unambiguously or the template does not offer `format`.
    ///
    /// All randomness (what to ask about, the order of options) comes from `rng`.
    func make(scene: Scene, format: AnswerFormat, rng: inout SeededGenerator) -> Question?

    /// The same question (same subject and wording) asked of another scene, for example an
    /// edited copy of the one it was made from, with the answer computed from that scene.
    ///
    /// Multiple-choice options are kept; when the new answer is not among them it replaces
    /// one of the wrong options (chosen with `rng`), so the old answer stays as a distractor.
    /// Returns nil when `scene` cannot answer the question unambiguously (the referring
    /// expression no longer denotes exactly one object, a relation became borderline…) or
    /// when `question` was not made by this template.
    func reask(_ question: Question, on scene: Scene, rng: inout SeededGenerator) -> Question?
}
