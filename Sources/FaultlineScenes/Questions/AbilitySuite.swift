import FaultlineCore
import FaultlineImageIO
import Foundation

/// The AbilityLens suite: procedural scenes and questions with exact answers for the six
/// perception abilities, some of them counterfactual twins.
///
/// Probe `i` is made from the random stream `i` of `seed` alone, so any probe can be made on
/// its own (`sample(at:)`, `samples(from:)`) and comes out byte-identical however it is
/// reached. Original probes take the abilities in shuffled rounds — every run of
/// `abilities.count` originals covers each ability once, in an order drawn per round — so
/// abilities stay balanced without lining up with the regular spacing of counterfactual
/// slots. A template of the ability is drawn uniformly, then one of its formats that the
/// configuration allows.
///
/// **Counterfactual twins.** Probes are spread so that a share `counterfactualShare` of them
/// are counterfactual, never two in a row: probe `i` is one when ⌊(i+1)·s⌋ > ⌊i·s⌋. A
/// counterfactual probe `i` is the edited twin of the original probe `i − 1`, its lineage
/// parent: it rebuilds that probe's scene and question (without rendering it), applies one
/// `SceneEdit`, and re-asks the same question — same template, subject and wording, same
/// options except that the new answer may replace a distractor — with the answer computed
/// from the edited scene. The parent is thus a real probe of the same suite, evaluated like
/// any other, and each pair differs by exactly one edit. Half the twins are steered towards
/// edits that change the answer (alternating random edits from `EditProposer` with edits of
/// the question's own objects from `FocusedEdits`), half towards edits that keep it. Edits
/// after which the question is no longer answerable unambiguously are skipped; when no edit
/// works the probe falls back to being an original (factor `edit: none`, no parent).
public struct AbilitySuite: ProbeSource {
    public let name = "scene-engine"
    public let count: Int
    public let seed: UInt64
    public let configuration: AbilitySuiteConfiguration
    private let generator: SceneGenerator
    private let renderer = SceneRenderer()
    /// Per ability, the templates that can ask in an allowed format, with those formats.
    private let choices: [Ability: [(template: any QuestionTemplate, formats: [AnswerFormat])]]

    /// How many scenes a drawn template is tried on before another template of the ability
    /// is drawn, and how many templates are drawn before giving up.
    static let scenesPerTemplate = 24
    static let templateDraws = 8
    /// How many candidate edits a counterfactual probe tries.
    static let editAttempts = 32

    /// A suite for a configuration known to be valid.
    ///
    /// - Parameters:
    ///   - count: how many probes `samples()` yields (at least 0).
    ///   - seed: the suite seed; probe ids carry it.
    ///   - configuration: what to ask; it must pass `validate()` (use
    ///     `init(validatingCount:seed:configuration:)` for configurations from users).
    public init(count: Int, seed: UInt64, configuration: AbilitySuiteConfiguration = .init()) {
        precondition(count >= 0, "AbilitySuite needs count >= 0, got \(count)")
        do {
            try configuration.validate()
        } catch {
            preconditionFailure(error.description)
        }
        self.count = count
        self.seed = seed
        self.configuration = configuration
        self.generator = SceneGenerator(configuration: configuration.scenes)
        let allowed = Set(configuration.formats)
        var choices: [Ability: [(template: any QuestionTemplate, formats: [AnswerFormat])]] = [:]
        for ability in configuration.abilities {
            choices[ability] = QuestionTemplates.templates(for: ability, formats: allowed).map { template in
                (template, template.formats.filter(allowed.contains))
            }
        }
        self.choices = choices
    }

    /// A suite for a configuration that may be invalid.
    ///
    /// - Throws: `AbilitySuiteConfigurationError` naming the bad field (`count` for a
    ///   negative count).
    public init(
        validatingCount count: Int, seed: UInt64, configuration: AbilitySuiteConfiguration
    ) throws(AbilitySuiteConfigurationError) {
        guard count >= 0 else {
            throw AbilitySuiteConfigurationError(field: "count", message: "\(count) is negative; give 0 or more probes")
        }
        try configuration.validate()
        self.init(count: count, seed: seed, configuration: configuration)
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    /// The probes from `start` on, made lazily; probes before `start` are not generated.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        lazySamples(from: start, make: sample(at:))
    }

    /// The probe id for index `index`, e.g. `ab-s42-000017`.
    public func probeID(at index: Int) -> String {
        Probe.generatedID(prefix: "ab", seed: seed, index: index)
    }

    /// Whether probe `index` is planned as a counterfactual twin of probe `index − 1`.
    public func isCounterfactualSlot(_ index: Int) -> Bool {
        let share = configuration.counterfactualShare
        return index > 0 && (Double(index + 1) * share).rounded(.down) > (Double(index) * share).rounded(.down)
    }

    /// Everything that defines probe `index` except its image.
    public func spec(at index: Int) -> AbilityProbeSpec {
        precondition(index >= 0, "probe index must be >= 0, got \(index)")
        guard isCounterfactualSlot(index) else { return originalSpec(at: index, ability: ability(ofOriginal: index)) }
        let parentAbility = ability(ofOriginal: index - 1)
        return counterfactualSpec(at: index, ability: parentAbility) ?? originalSpec(at: index, ability: parentAbility)
    }

    /// The ability of original probe `index`, from its place among the originals.
    private func ability(ofOriginal index: Int) -> Ability {
        let abilities = configuration.abilities
        // Slots before `index` that are counterfactual: ⌊index · share⌋.
        let ordinal = index - Int((Double(index) * configuration.counterfactualShare).rounded(.down))
        let round = ordinal / abilities.count
        var rng = SeededGenerator(seed: seed ^ Self.roundKey, stream: UInt64(round))
        return QuestionRandom.shuffled(abilities, rng: &rng)[ordinal % abilities.count]
    }

    /// Separates the random streams of ability rounds from those of probes.
    private static let roundKey: UInt64 = 0x6162_696C_6974_7921

    /// Renders probe `index`; the same index always gives the same probe and PNG bytes.
    public func sample(at index: Int) -> ProbeSample {
        let spec = spec(at: index)
        let image: RasterImage
        let png: Data
        do {
            image = try renderer.render(spec.scene)
            png = try PNGCodec.encode(image)
        } catch {
            // Generated and edited scenes are validated, so this is a bug, not bad input.
            preconditionFailure("probe \(spec.id) of \(name) could not be rendered: \(error)")
        }
        let probe = Probe(
            id: spec.id,
            images: [ImageRef(sha256: SHA256.hex(of: png), width: image.width, height: image.height)],
            prompt: spec.question.prompt, expected: spec.question.expected, ability: spec.ability,
            lineage: Lineage(
                source: name, parent: spec.parentID, transformation: spec.edit?.name, seed: seed,
                factors: spec.factors),
            scene: spec.scene.json())
        return ProbeSample(probe: probe, imagePNGs: [png])
    }

    // MARK: - Making probes

    /// An original probe: a fresh scene and a question about it.
    ///
    /// The template's own random choices restart from the same state on every scene tried,
    /// so a template that draws its answer first (yes or no, an absent shape) keeps that
    /// answer while scenes are retried, and the answer shares stay as the template defines
    /// them instead of leaning towards whichever answer is easier to find.
    private func originalSpec(at index: Int, ability: Ability) -> AbilityProbeSpec {
        var rng = SeededGenerator(seed: seed, stream: UInt64(index))
        let options = choices[ability] ?? []
        for _ in 0..<Self.templateDraws {
            guard let (template, formats) = QuestionRandom.pick(options, rng: &rng),
                let format = QuestionRandom.pick(formats, rng: &rng)
            else { break }
            let questionStart = SeededGenerator(seed: rng.next())
            for _ in 0..<Self.scenesPerTemplate {
                let scene = makeScene(template.sceneKind, seed: rng.next())
                var questionRNG = questionStart
                if let question = template.make(scene: scene, format: format, rng: &questionRNG) {
                    return makeSpec(index: index, ability: ability, scene: scene, question: question, parent: nil)
                }
            }
        }
        preconditionFailure(
            "probe \(probeID(at: index)): no \(ability.rawValue) question could be asked about "
                + "\(Self.templateDraws * Self.scenesPerTemplate) generated scenes; the scene configuration "
                + "cannot produce what the templates need")
    }

    /// The edited twin of probe `index − 1`, or nil when no edit leaves its question answerable.
    ///
    /// Half the twins (drawn at random) look for an edit that changes the answer, the other
    /// half for one that keeps it. Random edits (`EditProposer`) seldom touch what a question
    /// is about, so answer-changing candidates alternate between random edits and edits of
    /// the question's own objects (`FocusedEdits`). When the wished-for kind is not found
    /// within `editAttempts` candidates, the first edit that left the question answerable is
    /// used.
    private func counterfactualSpec(at index: Int, ability: Ability) -> AbilityProbeSpec? {
        let parent = originalSpec(at: index - 1, ability: ability)
        guard let template = QuestionTemplates.template(id: parent.question.templateID) else { return nil }
        var rng = SeededGenerator(seed: seed, stream: UInt64(index))
        let wantChange = QuestionRandom.chance(0.5, rng: &rng)
        var chosen: (edit: SceneEdit, scene: Scene, question: Question)?
        for attempt in 0..<Self.editAttempts {
            let candidate =
                wantChange && attempt.isMultiple(of: 2)
                ? FocusedEdits.randomEdit(for: parent.question, in: parent.scene, rng: &rng)
                : EditProposer.randomEdit(for: parent.scene, rng: &rng)
            guard let edit = candidate, let edited = edit.apply(to: parent.scene),
                let question = template.reask(parent.question, on: edited, rng: &rng)
            else { continue }
            if (question.answerValue != parent.question.answerValue) == wantChange {
                chosen = (edit, edited, question)
                break
            }
            if chosen == nil { chosen = (edit, edited, question) }
        }
        guard let (edit, edited, question) = chosen else { return nil }
        return makeSpec(
            index: index, ability: parent.ability, scene: edited, question: question, parent: (parent.id, edit))
    }

    private func makeScene(_ kind: QuestionSceneKind, seed sceneSeed: UInt64) -> Scene {
        switch kind {
        case .objects: generator.objectScene(seed: sceneSeed)
        case .chart: generator.chartScene(seed: sceneSeed)
        case .table: generator.tableScene(seed: sceneSeed)
        }
    }

    private func makeSpec(
        index: Int, ability: Ability, scene: Scene, question: Question, parent: (id: String, edit: SceneEdit)?
    ) -> AbilityProbeSpec {
        let factors: [String: String] = [
            "format": question.format.rawValue,
            "template": question.templateID,
            "background": scene.background.kind.rawValue,
            "objects": Self.objectCountLevel(scene.objects.count),
            "resolution": configuration.resolutionLevel,
            "edit": parent?.edit.name ?? "none",
        ]
        return AbilityProbeSpec(
            id: probeID(at: index), index: index, ability: ability, scene: scene, question: question,
            parentID: parent?.id, edit: parent?.edit, factors: factors)
    }

    /// The object count as a factor level: `0-2`, `3-5`, `6-10` or `11+`.
    public static func objectCountLevel(_ count: Int) -> String {
        switch count {
        case ...2: "0-2"
        case 3...5: "3-5"
        case 6...10: "6-10"
        default: "11+"
        }
    }
}

/// Everything that defines one ability probe before rendering.
public struct AbilityProbeSpec: Sendable, Hashable {
    public var id: String
    public var index: Int
    public var ability: Ability
    /// The scene the image is rendered from (for a counterfactual, the edited scene).
    public var scene: Scene
    public var question: Question
    /// For a counterfactual twin, the id of the probe whose scene was edited.
    public var parentID: String?
    /// For a counterfactual twin, the edit applied to the parent's scene.
    public var edit: SceneEdit?
    /// The controlled factors: format, template, background, objects, resolution, edit.
    public var factors: [String: String]
}
