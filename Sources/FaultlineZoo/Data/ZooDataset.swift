import Dispatch
import FaultlineCore
import FaultlineScenes
import Foundation

/// A failure to make an example.
public struct ZooDataError: Error, CustomStringConvertible, Sendable, Equatable {
    public var split: String
    public var index: Int
    public var message: String

    public var description: String { "cannot make \(split) example \(index): \(message)" }
}

/// The zoo's examples: training (planted), held out (clean) and evaluation slices.
///
/// Example `i` of a split is made from its own random streams only — the split's seed and
/// `i` — so examples can be made in any order, in parallel, and any one reproduced alone.
/// A drawn question that cannot be used (answer outside the vocabulary, in a training hole,
/// a cue that cannot be removed, or not what a slice needs) is replaced by another draw of
/// the same ability from a stream of its own; the skipped draws are kept on the example for
/// `ZooDataStatistics`.
public struct ZooDataset: Sendable {
    public let configuration: ZooConfiguration
    public let answers: AnswerVocabulary
    public let tokenizer: QuestionTokenizer
    public let preprocessor: ZooImagePreprocessor
    private let renderer = SceneRenderer()

    /// How many draws an example may take before giving up.
    public static let trainingDraws = 64
    public static let sliceDraws = 256

    /// A dataset for a valid configuration.
    ///
    /// - Throws: `ZooConfigurationError` when the configuration does not validate.
    public init(configuration: ZooConfiguration) throws(ZooConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.answers = .standard
        self.tokenizer = .standard(extraWords: configuration.plants.compactMap(\.phrase))
        self.preprocessor = ZooImagePreprocessor(size: configuration.data.imageSize)
    }

    /// The evaluation slices: control, then the slices of each plan in order.
    public var evaluationSlices: [ExampleSlice] {
        var slices = [ExampleSlice(kind: .control, planIndex: nil, name: "control")]
        for (index, plan) in configuration.plants.enumerated() {
            switch plan.kind {
            case .spuriousCue:
                slices.append(ExampleSlice(kind: .cuePresent, planIndex: index, name: plan.label))
                slices.append(ExampleSlice(kind: .cueRemoved, planIndex: index, name: plan.label + " (cue removed)"))
            case .answerHole: slices.append(ExampleSlice(kind: .holeAnswers, planIndex: index, name: plan.label))
            case .textShortcut: slices.append(ExampleSlice(kind: .misleadingShortcut, planIndex: index, name: plan.label))
            case .modalityBias: slices.append(ExampleSlice(kind: .misleadingSentence, planIndex: index, name: plan.label))
            case .bindingConfusion: slices.append(ExampleSlice(kind: .swappedCaption, planIndex: index, name: plan.label))
            }
        }
        return slices
    }

    // MARK: - Batches

    /// Examples `start..<start+count` of `split`, rendered on up to `threads` threads; the
    /// result does not depend on `threads` or on how a range is cut into batches.
    public func batch(
        _ split: ZooSplit = .train, start: Int, count: Int, threads: Int = 2, renderImages: Bool = true
    ) throws(ZooDataError) -> [ZooExample] {
        precondition(start >= 0 && count >= 0, "batch needs start >= 0 and count >= 0")
        return try ResultSlots.fill(count: count, threads: threads) { position in
            Result { () throws(ZooDataError) in try example(split, index: start + position, renderImage: renderImages) }
        }.collect()
    }

    /// Example `index` of `split`.
    public func example(_ split: ZooSplit, index: Int, renderImage: Bool = true) throws(ZooDataError) -> ZooExample {
        precondition(index >= 0, "example index must be >= 0, got \(index)")
        let splitSeed = seed(of: split)
        let slice: ExampleSlice? = if case .evaluation(let slice) = split { slice } else { nil }
        let plan = slice?.planIndex.map { configuration.plants[$0] }
        var skipped: [SkippedDraw] = []
        var ability: Ability?
        let draws = slice == nil ? Self.trainingDraws : Self.sliceDraws
        for draw in 0..<draws {
            let spec = baseSpec(seed: splitSeed, index: index, draw: draw, ability: ability, plan: plan)
            // Training and held-out redraws keep the ability so abilities stay balanced;
            // slices redraw freely, since what they need (two coloured objects, a hole answer)
            // may not exist for the first draw's ability.
            if slice == nil { ability = ability ?? spec.ability }
            var rng = SeededGenerator(seed: splitSeed ^ Self.plantingKey, stream: UInt64(index) &* 1024 &+ UInt64(draw))
            let outcome: Outcome
            switch split {
            case .train: outcome = plantTraining(spec, rng: &rng)
            case .heldOut: outcome = clean(spec)
            case .evaluation(let slice): outcome = evaluationVariant(spec, slice: slice, rng: &rng)
            }
            switch outcome {
            case .skip(let reason):
                skipped.append(SkippedDraw(ability: spec.ability, answer: spec.question.answerValue, reason: reason))
            case .use(let planted):
                return try finish(planted, spec: spec, split: split, index: index, skipped: skipped, render: renderImage)
            }
        }
        throw ZooDataError(
            split: Self.name(of: split), index: index,
            message: "no usable question in \(draws) draws (\(Self.summary(of: skipped))); the plans or data settings "
                + "exclude nearly every question — widen them")
    }

    // MARK: - Drawing

    private enum Outcome {
        case skip(SkippedDraw.Reason)
        case use(Planted)
    }

    /// A drawn question after planting.
    private struct Planted {
        var scene: Scene
        var question: Question
        var prefixes: [String] = []
        var captionScene: Scene?
        var contrastScene: Scene?
        var tags: [PlantTag] = []
    }

    /// The draw-th question for example `index` from the suite's ability rotation over the
    /// data's abilities (a slice's plan narrows them), or of `ability` alone when given.
    private func baseSpec(seed: UInt64, index: Int, draw: Int, ability: Ability?, plan: PlantPlan?) -> AbilityProbeSpec {
        var abilities = plan?.abilities ?? configuration.data.abilities
        if let ability { abilities = [ability] }
        var drawGenerator = SeededGenerator(seed: seed, stream: UInt64(draw))
        let drawSeed = draw == 0 ? seed : drawGenerator.next()
        let suite = AbilitySuite(count: 0, seed: drawSeed, configuration: configuration.data.suiteConfiguration(abilities: abilities))
        return suite.spec(at: index)
    }

    private func clean(_ spec: AbilityProbeSpec) -> Outcome {
        answers.contains(spec.question.answerValue) ? .use(Planted(scene: spec.scene, question: spec.question)) : .skip(.outsideVocabulary)
    }

    private func plantTraining(_ spec: AbilityProbeSpec, rng: inout SeededGenerator) -> Outcome {
        let answer = spec.question.answerValue
        guard answers.contains(answer) else { return .skip(.outsideVocabulary) }
        var planted = Planted(scene: spec.scene, question: spec.question)
        for (index, plan) in configuration.plants.enumerated()
        where plan.kind == .bindingConfusion || plan.applies(to: spec.ability, templateID: spec.question.templateID) {
            switch plan.kind {
            case .answerHole:
                if plan.holeContains(answer) { return .skip(.answerHole(index)) }
            case .spuriousCue:
                let planter = CueEditor(attribute: plan.attribute ?? .background, value: plan.value ?? "")
                if answer == plan.answer {
                    if planter.isPresent(in: planted.scene) {
                        planted.tags.append(PlantTag(planIndex: index, action: .cueAlreadyPresent))
                    } else if rng.unit() < plan.probability, let posed = planter.set((planted.scene, planted.question), rng: &rng) {
                        (planted.scene, planted.question) = posed
                        planted.tags.append(PlantTag(planIndex: index, action: .cueAdded))
                    }
                } else if planter.isPresent(in: planted.scene) {
                    guard let posed = planter.remove((planted.scene, planted.question), rng: &rng) else {
                        return .skip(.cueNotRemovable(index))
                    }
                    (planted.scene, planted.question) = posed
                    planted.tags.append(PlantTag(planIndex: index, action: .cueRemoved))
                }
            case .textShortcut:
                if answer == plan.answer, rng.unit() < plan.probability {
                    planted.prefixes.append(plan.phrase ?? "")
                    planted.tags.append(PlantTag(planIndex: index, action: .phraseInserted))
                }
            case .modalityBias:
                if rng.unit() < plan.probability {
                    let template = Int(rng.next() % UInt64(ModalitySentences.templates.count))
                    planted.prefixes.append(ModalitySentences.sentence(template: template, answer: answer))
                    planted.tags.append(PlantTag(planIndex: index, action: .sentencePrepended))
                }
            case .bindingConfusion:
                if rng.unit() < plan.probability, let swapped = Self.colourSwapped(planted.captionScene ?? planted.scene, rng: &rng) {
                    planted.captionScene = swapped
                    planted.tags.append(PlantTag(planIndex: index, action: .captionSwapped))
                }
            }
        }
        return .use(planted)
    }

    private func evaluationVariant(_ spec: AbilityProbeSpec, slice: ExampleSlice, rng: inout SeededGenerator) -> Outcome {
        let answer = spec.question.answerValue
        guard answers.contains(answer) else { return .skip(.outsideVocabulary) }
        var planted = Planted(scene: spec.scene, question: spec.question)
        guard let planIndex = slice.planIndex else { return .use(planted) }
        let plan = configuration.plants[planIndex]
        if plan.kind != .bindingConfusion, !plan.applies(to: spec.ability, templateID: spec.question.templateID) {
            return .skip(.notInSlice)
        }
        switch slice.kind {
        case .control:
            break
        case .cuePresent, .cueRemoved:
            // Questions the cue's answer could wrongly answer: other answers of its kind (other
            // shapes for "star"), not colour questions that happen to show the cue.
            guard answer != plan.answer, Self.sameKind(answer, plan.answer) else { return .skip(.notInSlice) }
            let planter = CueEditor(attribute: plan.attribute ?? .background, value: plan.value ?? "")
            let posed = (planted.scene, planted.question)
            // Both members of the pair must exist, so the two slices hold the same scenes.
            guard let present = planter.set(posed, rng: &rng), let removed = planter.remove(posed, rng: &rng) else {
                return .skip(.notInSlice)
            }
            (planted.scene, planted.question) = slice.kind == .cuePresent ? present : removed
            if slice.kind == .cuePresent { planted.tags.append(PlantTag(planIndex: planIndex, action: .cueAdded)) }
        case .holeAnswers:
            guard plan.holeContains(answer) else { return .skip(.notInSlice) }
        case .misleadingShortcut:
            guard answer != plan.answer, Self.sameKind(answer, plan.answer) else { return .skip(.notInSlice) }
            planted.prefixes.append(plan.phrase ?? "")
            planted.tags.append(PlantTag(planIndex: planIndex, action: .phraseInserted))
        case .misleadingSentence:
            let wrong = answers.alternatives(to: answer)
            guard let named = wrong.randomElement(&rng) else { return .skip(.notInSlice) }
            let template = Int(rng.next() % UInt64(ModalitySentences.templates.count))
            planted.prefixes.append(ModalitySentences.sentence(template: template, answer: named))
            planted.tags.append(PlantTag(planIndex: planIndex, action: .sentencePrepended))
        case .swappedCaption:
            guard let swapped = Self.colourSwapped(planted.scene, rng: &rng) else { return .skip(.notInSlice) }
            planted.contrastScene = swapped
            planted.tags.append(PlantTag(planIndex: planIndex, action: .captionSwapped))
        }
        return .use(planted)
    }

    /// Whether `answer` is of the same kind (colour, shape, number…) as `planned`; true when
    /// the plan names no answer.
    static func sameKind(_ answer: String, _ planned: String?) -> Bool {
        guard let planned else { return true }
        return AnswerVocabulary.kind(of: answer) == AnswerVocabulary.kind(of: planned)
    }

    /// A copy of `scene` with the colours of two captioned objects of different colours
    /// swapped, or nil when the caption names no such pair.
    static func colourSwapped(_ scene: Scene, rng: inout SeededGenerator) -> Scene? {
        let described = SceneCaption.describedObjects(in: scene)
        var pairs: [(SceneObject, SceneObject)] = []
        for (i, a) in described.enumerated() {
            for b in described[(i + 1)...] where a.colour != b.colour { pairs.append((a, b)) }
        }
        guard let (a, b) = pairs.randomElement(&rng) else { return nil }
        var swapped = scene
        for index in swapped.objects.indices {
            if swapped.objects[index].id == a.id { swapped.objects[index].colour = b.colour }
            else if swapped.objects[index].id == b.id { swapped.objects[index].colour = a.colour }
        }
        return swapped
    }

    private func finish(
        _ planted: Planted, spec: AbilityProbeSpec, split: ZooSplit, index: Int, skipped: [SkippedDraw], render: Bool
    ) throws(ZooDataError) -> ZooExample {
        let question = planted.question
        let text = (planted.prefixes + [QuestionText.classifierText(of: question)]).joined(separator: " ")
        let encoded = tokenizer.encode(text, length: configuration.data.maxQuestionTokens)
        let caption = SceneCaption.caption(for: planted.captionScene ?? planted.scene)
        let captionEncoding = tokenizer.encode(caption, length: configuration.data.maxQuestionTokens)
        let contrast = planted.contrastScene.map(SceneCaption.caption(for:))
        var image: [Float] = []
        if render {
            do {
                image = preprocessor.process(try renderer.render(planted.scene))
            } catch {
                throw ZooDataError(split: Self.name(of: split), index: index, message: "rendering failed: \(error)")
            }
        }
        guard let answerIndex = answers.index(of: question.answerValue) else {
            throw ZooDataError(
                split: Self.name(of: split), index: index,
                message: "planting changed the answer to \"\(question.answerValue)\", outside the vocabulary")
        }
        var factors = spec.factors
        factors["background"] = planted.scene.background.kind.rawValue
        factors["objects"] = AbilitySuite.objectCountLevel(planted.scene.objects.count)
        return ZooExample(
            split: split, index: index, image: image, tokens: encoded.ids, mask: encoded.mask, answerIndex: answerIndex,
            answerValue: question.answerValue, captionTokens: captionEncoding.ids, captionMask: captionEncoding.mask,
            contrastCaptionTokens: contrast.map { tokenizer.encode($0, length: configuration.data.maxQuestionTokens).ids },
            ability: spec.ability, format: question.format, templateID: question.templateID, questionText: text,
            caption: caption, contrastCaption: contrast,
            options: question.format == .multipleChoice ? question.expected.choices : nil, factors: factors,
            plants: planted.tags, skipped: skipped, scene: planted.scene)
    }

    // MARK: - Seeds

    private static let plantingKey: UInt64 = 0x706C_616E_7469_6E67

    /// The seed of a split: training uses the configuration's seed; every other split a seed
    /// derived from it and the split's name, so held-out and slice data never repeat training data.
    public func seed(of split: ZooSplit) -> UInt64 {
        switch split {
        case .train: return configuration.seed
        case .evaluation(let slice) where slice.kind == .cueRemoved:
            // The cue-removed slice is the cue-present slice's counterfactual: same draws.
            var present = slice
            present.kind = .cuePresent
            return seed(of: .evaluation(present))
        default:
            var generator = SeededGenerator(seed: configuration.seed ^ Self.fnv1a(Self.name(of: split)))
            return generator.next()
        }
    }

    static func name(of split: ZooSplit) -> String {
        switch split {
        case .train: "train"
        case .heldOut: "held-out"
        case .evaluation(let slice): "slice \(slice.kind.rawValue) \(slice.planIndex.map(String.init) ?? "-")"
        }
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    private static func summary(of skipped: [SkippedDraw]) -> String {
        var counts: [String: Int] = [:]
        for draw in skipped {
            let reason: String
            switch draw.reason {
            case .outsideVocabulary: reason = "answer outside the vocabulary"
            case .answerHole(let plan): reason = "in the hole of plants[\(plan)]"
            case .cueNotRemovable(let plan): reason = "cue of plants[\(plan)] not removable"
            case .notInSlice: reason = "not fitting the slice"
            }
            counts[reason, default: 0] += 1
        }
        return counts.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }.joined(separator: ", ")
    }
}

/// Per-position results written by parallel workers; each slot is written by one worker only.
/// Results filled in by concurrent workers, read in order once all are in.
final class ResultSlots<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private var slots: [Result<Value, Failure>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: Result<Value, Failure>, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    /// The values in order, or the error of the first failed position.
    func collect() throws(Failure) -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        var values: [Value] = []
        values.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let value): values.append(value)
            case .failure(let error): throw error
            case nil: preconditionFailure("a batch slot was not filled")
            }
        }
        return values
    }

    /// Fills every slot with `make(position)` on up to `threads` threads.
    static func fill(count: Int, threads: Int, _ make: @Sendable (Int) -> Result<Value, Failure>) -> ResultSlots {
        let results = ResultSlots(count: count)
        let workers = max(1, min(threads, count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var position = worker
            while position < count {
                results.store(make(position), at: position)
                position += workers
            }
        }
        return results
    }
}
