import FaultlineCore
import FaultlineImageIO
import FaultlineScenes
import Foundation

/// Probes for the modality-interference audit (methods.md §3): clean probes that need one
/// modality, each followed by copies in which the other modality is perturbed.
///
/// **Layout.** Probes come in groups: a clean base probe, then one variant per selected
/// perturbation of its side, in `InterferencePerturbation.allCases` order. The
/// `imageHeavyCount` image-heavy groups come first, then the `textHeavyCount` text-heavy
/// ones, so
/// `count = imageHeavyCount × (1 + image-side perturbations) + textHeavyCount × (1 + text-side perturbations)`.
///
/// **Bases.** Image-heavy bases are `AbilitySuite` probes asked as multiple choice, yes/no
/// or a number (formats with a wrong answer of the same kind, which the misleading
/// perturbations need), without counterfactual twins. Text-heavy bases are
/// `LanguageProbeSource` probes. A clean probe is its suite's probe unchanged except for
/// the factors `side` and `perturbation: none`.
///
/// **Variants.** A variant has the id `<clean id>~<perturbation>`, the clean probe's
/// expected answer and ability, and lineage `source: interference`, `parent: <clean id>`,
/// `transformation: <perturbation>`, with the clean factors and `perturbation` set. The
/// misleading description and the typographic overlay of a base name the same wrong answer.
///
/// Probe `i` is computed from `i` and the seed alone, so any probe can be made on its own
/// and comes out byte-identical however it is reached.
public struct InterferenceProbeSource: ProbeSource {
    public let name = "interference"
    public let count: Int
    public let seed: UInt64
    /// How many image-heavy and text-heavy base probes there are.
    public let imageHeavyCount: Int
    public let textHeavyCount: Int
    /// The selected perturbations of each side, in `allCases` order.
    public let imagePerturbations: [InterferencePerturbation]
    public let textPerturbations: [InterferencePerturbation]
    /// The abilities the image-heavy bases exercise.
    public let abilities: [Ability]

    private let imageSuite: AbilitySuite
    private let textSuite: LanguageProbeSource
    private let sceneGenerator: SceneGenerator
    private let renderer = SceneRenderer()
    private let textRenderer: TextRenderer

    /// The answer formats of image-heavy bases: those with a wrong answer of the same kind.
    public static let imageHeavyFormats: [AnswerFormat] = [.multipleChoice, .yesNo, .number]

    /// Lineage factor names and the level of clean probes.
    public static let sideFactor = "side"
    public static let perturbationFactor = "perturbation"
    /// For typographic overlays: `scene` when the text was added to the scene graph (and the
    /// question re-checked on it), `raster` when it was drawn onto the rendered image.
    public static let overlayFactor = "overlay"
    public static let cleanLevel = "none"

    /// A source for arguments known to be valid.
    ///
    /// - Parameters:
    ///   - imageHeavyCount: image-heavy base probes (at least 0).
    ///   - textHeavyCount: text-heavy base probes (at least 0).
    ///   - seed: seeds both base suites and every perturbation.
    ///   - perturbations: the perturbations to apply; each applies to the bases of its side.
    ///     Order and repeats do not matter.
    ///   - abilities: the perception abilities of the image-heavy bases; must be valid for
    ///     `AbilitySuite` (use `init(validatingImageHeavyCount:…)` for arguments from users).
    public init(
        imageHeavyCount: Int, textHeavyCount: Int, seed: UInt64,
        perturbations: [InterferencePerturbation] = InterferencePerturbation.allCases,
        abilities: [Ability] = Ability.perception
    ) {
        precondition(imageHeavyCount >= 0, "InterferenceProbeSource needs imageHeavyCount >= 0, got \(imageHeavyCount)")
        precondition(textHeavyCount >= 0, "InterferenceProbeSource needs textHeavyCount >= 0, got \(textHeavyCount)")
        self.seed = seed
        self.imageHeavyCount = imageHeavyCount
        self.textHeavyCount = textHeavyCount
        self.abilities = abilities
        let selected = Set(perturbations)
        imagePerturbations = InterferencePerturbation.perturbations(for: .imageHeavy).filter(selected.contains)
        textPerturbations = InterferencePerturbation.perturbations(for: .textHeavy).filter(selected.contains)
        count = imageHeavyCount * (1 + imagePerturbations.count) + textHeavyCount * (1 + textPerturbations.count)
        let configuration = Self.suiteConfiguration(abilities: abilities)
        imageSuite = AbilitySuite(count: imageHeavyCount, seed: seed, configuration: configuration)
        textSuite = LanguageProbeSource(count: textHeavyCount, seed: seed)
        sceneGenerator = SceneGenerator(configuration: configuration.scenes)
        // Wide enough for any answer text; text wider than the image is clipped when laid down.
        textRenderer = TextRenderer(maxCanvasSide: 4096)
    }

    /// A source for arguments that may be invalid.
    ///
    /// - Throws: `InterferenceProbeSourceError` naming the bad argument: a negative count,
    ///   or abilities the ability suite cannot ask about in `imageHeavyFormats`.
    public init(
        validatingImageHeavyCount imageHeavyCount: Int, textHeavyCount: Int, seed: UInt64,
        perturbations: [InterferencePerturbation] = InterferencePerturbation.allCases,
        abilities: [Ability] = Ability.perception
    ) throws(InterferenceProbeSourceError) {
        guard imageHeavyCount >= 0 else {
            throw InterferenceProbeSourceError(
                field: "imageHeavyCount", message: "\(imageHeavyCount) is negative; give 0 or more base probes")
        }
        guard textHeavyCount >= 0 else {
            throw InterferenceProbeSourceError(
                field: "textHeavyCount", message: "\(textHeavyCount) is negative; give 0 or more base probes")
        }
        if let other = abilities.first(where: { !Ability.perception.contains($0) }) {
            throw InterferenceProbeSourceError(
                field: "abilities",
                message: "\(other.rawValue) is not a perception ability; image-heavy probes need one of "
                    + "\(Ability.perception.map(\.rawValue).joined(separator: ", ")) (text-only probes form the "
                    + "text-heavy side by themselves)")
        }
        do {
            try Self.suiteConfiguration(abilities: abilities).validate()
        } catch {
            throw InterferenceProbeSourceError(
                field: "abilities",
                message: "the image-heavy ability suite (formats "
                    + "\(Self.imageHeavyFormats.map(\.rawValue).joined(separator: ", "))) rejects them: \(error.description)")
        }
        self.init(
            imageHeavyCount: imageHeavyCount, textHeavyCount: textHeavyCount, seed: seed,
            perturbations: perturbations, abilities: abilities)
    }

    /// The configuration of the image-heavy ability suite: no counterfactual twins (a twin's
    /// answer is computed from an edited scene, so it is no clean base), default scenes.
    public static func suiteConfiguration(abilities: [Ability]) -> AbilitySuiteConfiguration {
        AbilitySuiteConfiguration(abilities: abilities, formats: imageHeavyFormats, counterfactualShare: 0)
    }

    // MARK: - Layout

    /// Where one probe sits: its side, the index of its base within that side, and its
    /// perturbation (nil for the clean probe).
    public struct Slot: Sendable, Hashable {
        public var side: InterferenceSide
        public var baseIndex: Int
        public var perturbation: InterferencePerturbation?

        public init(side: InterferenceSide, baseIndex: Int, perturbation: InterferencePerturbation?) {
            self.side = side
            self.baseIndex = baseIndex
            self.perturbation = perturbation
        }
    }

    /// The slot of probe `index` (in `0..<count`).
    public func slot(at index: Int) -> Slot {
        precondition((0..<count).contains(index), "probe index \(index) is outside 0..<\(count)")
        let imageGroup = 1 + imagePerturbations.count
        let imageTotal = imageHeavyCount * imageGroup
        if index < imageTotal {
            let position = index % imageGroup
            return Slot(
                side: .imageHeavy, baseIndex: index / imageGroup,
                perturbation: position == 0 ? nil : imagePerturbations[position - 1])
        }
        let textGroup = 1 + textPerturbations.count
        let position = (index - imageTotal) % textGroup
        return Slot(
            side: .textHeavy, baseIndex: (index - imageTotal) / textGroup,
            perturbation: position == 0 ? nil : textPerturbations[position - 1])
    }

    /// The id of probe `index`: the base suite's id, followed by `~<perturbation>` for a variant.
    public func probeID(at index: Int) -> String {
        let slot = slot(at: index)
        let clean =
            slot.side == .imageHeavy ? imageSuite.probeID(at: slot.baseIndex) : textSuite.probeID(at: slot.baseIndex)
        return slot.perturbation.map { Self.variantID(clean: clean, $0) } ?? clean
    }

    /// The id of a clean probe's variant under `perturbation`.
    public static func variantID(clean: String, _ perturbation: InterferencePerturbation) -> String {
        "\(clean)~\(perturbation.rawValue)"
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    /// The probes from `start` on, made lazily; probes before `start` are not generated.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        lazySamples(from: start, make: sample(at:))
    }

    /// Probe `index`; the same index always gives the same probe and PNG bytes.
    public func sample(at index: Int) -> ProbeSample {
        let slot = slot(at: index)
        switch slot.side {
        case .imageHeavy: return imageHeavySample(base: slot.baseIndex, perturbation: slot.perturbation)
        case .textHeavy: return textHeavySample(base: slot.baseIndex, perturbation: slot.perturbation)
        }
    }

    // MARK: - Random streams

    /// Separate the random streams of each use from each other and from the base suites',
    /// which use the plain seed with the base index as stream.
    private enum StreamKey {
        static let wrongAnswer: UInt64 = 0x6465_636F_795F_616E
        static let facts: UInt64 = 0x6661_6374_735F_6972
        static let ocrNoise: UInt64 = 0x6F63_725F_6E6F_6973
        static let overlay: UInt64 = 0x7479_706F_5F6F_766C
        static let randomPixels: UInt64 = 0x7069_7865_6C5F_6E6F
        static let unrelatedScene: UInt64 = 0x756E_7265_6C5F_7363
        static let unrelatedChart: UInt64 = 0x756E_7265_6C5F_6368
    }

    private func generator(_ key: UInt64, base: Int) -> SeededGenerator {
        SeededGenerator(seed: seed ^ key, stream: UInt64(base))
    }

    // MARK: - Image-heavy

    private func imageHeavySample(base: Int, perturbation: InterferencePerturbation?) -> ProbeSample {
        var clean = imageSuite.sample(at: base)
        clean.probe.lineage.factors[Self.sideFactor] = InterferenceSide.imageHeavy.rawValue
        clean.probe.lineage.factors[Self.perturbationFactor] = Self.cleanLevel
        guard let perturbation else { return clean }
        let prompt = clean.probe.prompt
        switch perturbation {
        case .irrelevantFacts:
            var rng = generator(StreamKey.facts, base: base)
            return variant(of: clean, perturbation, prompt: InterferenceTexts.irrelevantFactsLine(rng: &rng) + "\n" + prompt)
        case .misleadingDescription:
            let sentence = InterferenceTexts.misleadingSentence(
                naming: wrongAnswer(base: base, expected: clean.probe.expected), format: clean.probe.expected.format,
                variant: base)
            return variant(of: clean, perturbation, prompt: sentence + "\n" + prompt)
        case .ocrNoise:
            var rng = generator(StreamKey.ocrNoise, base: base)
            return variant(of: clean, perturbation, prompt: InterferenceTexts.ocrNoiseLine(rng: &rng) + "\n" + prompt)
        case .typographicOverlay:
            return typographicOverlay(of: clean, base: base)
        case .randomPixels, .blackImage, .whiteImage, .unrelatedScene, .unrelatedChart:
            preconditionFailure("\(perturbation.rawValue) is a text-heavy perturbation, asked of an image-heavy probe")
        }
    }

    /// The wrong answer that base `base`'s misleading description names and its typographic
    /// overlay writes.
    private func wrongAnswer(base: Int, expected: ExpectedAnswer) -> String {
        var rng = generator(StreamKey.wrongAnswer, base: base)
        guard let wrong = InterferenceTexts.wrongAnswer(for: expected, rng: &rng) else {
            // The suite asks only in `imageHeavyFormats`, and its multiple-choice questions
            // have at least one wrong option.
            preconditionFailure(
                "image-heavy base \(imageSuite.probeID(at: base)) has no wrong answer of its kind "
                    + "(\(expected.format.rawValue), options \(expected.choices ?? []))")
        }
        return wrong
    }

    /// The wrong answer written into the image: added to the scene graph as a sign where a
    /// placement keeps the question's answer, else drawn onto the rendered raster.
    private func typographicOverlay(of clean: ProbeSample, base: Int) -> ProbeSample {
        let spec = imageSuite.spec(at: base)
        let text = wrongAnswer(base: base, expected: clean.probe.expected)
        var rng = generator(StreamKey.overlay, base: base)
        let image: RasterImage
        let scene: Scene
        let method: String
        if let edited = SceneOverlay.place(text, in: spec.scene, keeping: spec.question, rng: &rng) {
            image = render(edited, probe: clean.probe.id)
            scene = edited
            method = "scene"
        } else {
            // Charts and tables take no signs, and some object questions (what the one sign
            // says) cannot keep their answer with a second one: write on the pixels instead,
            // away from the objects and signs the scene graph knows of.
            let avoid = spec.scene.objects.map { spec.scene.boundingBox(of: $0) }
                + spec.scene.labels.map { spec.scene.boundingBox(of: $0) }
            image = RasterTextOverlay.write(
                text, onto: render(spec.scene, probe: clean.probe.id), avoiding: avoid, rng: &rng,
                renderer: textRenderer)
            scene = spec.scene
            method = "raster"
        }
        let (ref, png) = encode(image, probe: clean.probe.id)
        return variant(
            of: clean, .typographicOverlay, images: [ref], pngs: [png], scene: scene.json(),
            extraFactors: [Self.overlayFactor: method])
    }

    // MARK: - Text-heavy

    private func textHeavySample(base: Int, perturbation: InterferencePerturbation?) -> ProbeSample {
        var clean = ProbeSample(probe: textSuite.probe(at: base), imagePNGs: [])
        clean.probe.lineage.factors[Self.sideFactor] = InterferenceSide.textHeavy.rawValue
        clean.probe.lineage.factors[Self.perturbationFactor] = Self.cleanLevel
        guard let perturbation else { return clean }
        let width = imageSuite.configuration.scenes.width, height = imageSuite.configuration.scenes.height
        let image: RasterImage
        var scene: Scene?
        switch perturbation {
        case .randomPixels:
            var rng = generator(StreamKey.randomPixels, base: base)
            image = Self.uniformNoise(width: width, height: height, rng: &rng)
        case .blackImage:
            image = RasterImage(width: width, height: height, channels: 3, fill: 0)
        case .whiteImage:
            image = RasterImage(width: width, height: height, channels: 3, fill: 255)
        case .unrelatedScene:
            var rng = generator(StreamKey.unrelatedScene, base: base)
            let objects = sceneGenerator.objectScene(seed: rng.next())
            image = render(objects, probe: clean.probe.id)
            scene = objects
        case .unrelatedChart:
            var rng = generator(StreamKey.unrelatedChart, base: base)
            let chart = sceneGenerator.chartScene(seed: rng.next())
            image = render(chart, probe: clean.probe.id)
            scene = chart
        case .irrelevantFacts, .misleadingDescription, .ocrNoise, .typographicOverlay:
            preconditionFailure("\(perturbation.rawValue) is an image-heavy perturbation, asked of a text-heavy probe")
        }
        let (ref, png) = encode(image, probe: clean.probe.id)
        return variant(of: clean, perturbation, images: [ref], pngs: [png], scene: scene?.json())
    }

    /// An RGB image of independent uniform bytes.
    static func uniformNoise(width: Int, height: Int, rng: inout SeededGenerator) -> RasterImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var index = 0
        while index < pixels.count {
            var word = rng.next()
            for _ in 0..<8 where index < pixels.count {
                pixels[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    // MARK: - Shared

    /// A variant of `clean`: its prompt, images and scene replaced where given, its lineage
    /// pointing at `clean`.
    private func variant(
        of clean: ProbeSample, _ perturbation: InterferencePerturbation, prompt: String? = nil,
        images: [ImageRef]? = nil, pngs: [Data]? = nil, scene: String?? = .none,
        extraFactors: [String: String] = [:]
    ) -> ProbeSample {
        var factors = clean.probe.lineage.factors
        factors[Self.perturbationFactor] = perturbation.rawValue
        factors.merge(extraFactors) { _, new in new }
        let probe = Probe(
            id: Self.variantID(clean: clean.probe.id, perturbation), images: images ?? clean.probe.images,
            prompt: prompt ?? clean.probe.prompt, expected: clean.probe.expected, ability: clean.probe.ability,
            lineage: Lineage(
                source: name, parent: clean.probe.id, transformation: perturbation.rawValue, seed: seed,
                factors: factors),
            scene: scene ?? clean.probe.scene)
        return ProbeSample(probe: probe, imagePNGs: pngs ?? clean.imagePNGs)
    }

    private func render(_ scene: Scene, probe id: String) -> RasterImage {
        do {
            return try renderer.render(scene)
        } catch {
            // Generated scenes, and edits of them, are validated, so this is a bug.
            preconditionFailure("probe \(id) of \(name): its scene could not be rendered: \(error)")
        }
    }

    private func encode(_ image: RasterImage, probe id: String) -> (ImageRef, Data) {
        do {
            let png = try PNGCodec.encode(image)
            return (ImageRef(sha256: SHA256.hex(of: png), width: image.width, height: image.height), png)
        } catch {
            preconditionFailure("probe \(id) of \(name): its image could not be encoded as PNG: \(error)")
        }
    }
}

/// Arguments an `InterferenceProbeSource` cannot work with.
public struct InterferenceProbeSourceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The argument at fault, e.g. `imageHeavyCount`.
    public var field: String
    /// What is wrong and what to do.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "invalid interference probe source: `\(field)`: \(message)" }
}

// MARK: - Typographic overlays

/// Writes text into an object scene as a sign (`SceneEdit.overlayText`) where the sign is
/// valid and the question, re-asked on the edited scene, keeps its answer.
enum SceneOverlay {
    /// Sign font sizes tried, largest first, as fractions of the shorter side; the smallest
    /// is the smallest legible size scenes allow.
    static let sizes: [Double] = [0.07, 0.057, Scene.textLabelSizeRange.lowerBound]
    /// Space between an object and a sign placed beside it, in canvas fractions.
    static let gap = 0.03

    /// The scene with a sign reading `text`, or nil when the scene takes no signs (charts,
    /// tables), no placement is valid, or every valid placement changes the answer.
    static func place(_ text: String, in scene: Scene, keeping question: Question, rng: inout SeededGenerator)
        -> Scene?
    {
        guard scene.chart == nil, scene.table == nil,
            let template = QuestionTemplates.template(id: question.templateID)
        else { return nil }
        let taken = scene.objects.map { scene.boundingBox(of: $0) } + scene.labels.map { scene.boundingBox(of: $0) }
        for size in sizes {
            // A sign's box is the same at every position, so measure the text once per size.
            let centred = scene.boundingBox(of: TextLabel(text: text, x: 0.5, y: 0.5, size: size))
            let halfWidth = (centred.maxX - centred.minX) / 2, halfHeight = (centred.maxY - centred.minY) / 2
            guard halfWidth < 0.5, halfHeight < 0.5 else { continue }
            for (x, y) in candidateCentres(in: scene, halfWidth: halfWidth, halfHeight: halfHeight, rng: &rng) {
                let label = TextLabel(text: text, x: rounded(x), y: rounded(y), size: size)
                let box = Box(
                    minX: label.x - halfWidth, minY: label.y - halfHeight, maxX: label.x + halfWidth,
                    maxY: label.y + halfHeight)
                // Cheap checks first; `apply` repeats them with the scene's own rules.
                guard box.minX >= 0, box.minY >= 0, box.maxX <= 1, box.maxY <= 1,
                    !taken.contains(where: { overlaps($0, box) })
                else { continue }
                guard let edited = SceneEdit.overlayText(label).apply(to: scene),
                    let reasked = template.reask(question, on: edited, rng: &rng),
                    reasked.answerValue == question.answerValue, reasked.expected == question.expected
                else { continue }
                return edited
            }
        }
        return nil
    }

    /// Beside each object (objects in random order), then a 9×9 grid in random order.
    private static func candidateCentres(
        in scene: Scene, halfWidth: Double, halfHeight: Double, rng: inout SeededGenerator
    ) -> [(Double, Double)] {
        var centres: [(Double, Double)] = []
        for object in rng.shuffled(scene.objects) {
            let box = scene.boundingBox(of: object)
            centres += [
                (box.maxX + gap + halfWidth, object.y), (box.minX - gap - halfWidth, object.y),
                (object.x, box.maxY + gap + halfHeight), (object.x, box.minY - gap - halfHeight),
            ]
        }
        var grid: [(Double, Double)] = []
        for row in 1...9 {
            for column in 1...9 { grid.append((Double(column) / 10, Double(row) / 10)) }
        }
        return centres + rng.shuffled(grid)
    }

    /// Positions are stored to four decimals, as the scene generator writes them.
    private static func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

    static func overlaps(_ a: Box, _ b: Box) -> Bool {
        a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY
    }
}

/// Draws text straight onto a rendered image, for scenes that take no signs.
///
/// The text is rendered black on white by `TextRenderer` and laid onto the image by
/// multiplication (white leaves the image unchanged, ink darkens it), over a soft white
/// halo so that it stays legible on any background, like the handwritten labels of
/// typographic attacks. It goes where it hides the least: the placement is searched on an
/// edge map of the image (text, axes, outlines and bar edges all make edges), preferring
/// places without a single edge, at the largest size that has one, and never over a box
/// in `avoiding`.
enum RasterTextOverlay {
    /// Font sizes tried, largest first, as fractions of the shorter side; the smallest is
    /// the 10 px at 224 px that scenes consider legible.
    static let sizes: [Double] = [0.07, 0.057, 10.0 / 224.0]
    /// A neighbouring pixel differing by more than this in some channel makes an edge.
    static let edgeThreshold = 32
    /// The halo's reach around the ink, in pixels, and how far it lightens towards white.
    static let haloRadius = 2
    static let haloStrength = 0.75

    /// Text ready to lay down: ink coverage (0…255) over a box that includes the halo.
    struct Stamp {
        var width: Int
        var height: Int
        var coverage: [UInt8]
        var halo: [UInt8]
    }

    /// `image` (as RGB) with `text` written on it.
    static func write(
        _ text: String, onto image: RasterImage, avoiding: [Box], rng: inout SeededGenerator, renderer: TextRenderer
    ) -> RasterImage {
        let base = image.rgb()
        let edges = EdgeCounts(base, threshold: edgeThreshold)
        let side = Double(min(base.width, base.height))
        let stamps = sizes.compactMap { stamp(text, pixelSize: ($0 * side).rounded(), renderer: renderer) }
        guard let smallest = stamps.last else { return base }
        var fewest: (stamp: Stamp, x: Int, y: Int, edges: Int)?
        for stamp in stamps {
            let places = placements(of: stamp, in: base, avoiding: avoiding)
            let blank = places.filter { edges.count(x: $0.x, y: $0.y, width: stamp.width, height: stamp.height) == 0 }
            if !blank.isEmpty {
                let chosen = blank[Int(rng.next() % UInt64(blank.count))]
                return composite(stamp, onto: base, x: chosen.x, y: chosen.y)
            }
            for place in places {
                let count = edges.count(x: place.x, y: place.y, width: stamp.width, height: stamp.height)
                if fewest == nil || count < fewest!.edges { fewest = (stamp, place.x, place.y, count) }
            }
        }
        if let fewest { return composite(fewest.stamp, onto: base, x: fewest.x, y: fewest.y) }
        // Nothing fits outside the avoided boxes (or the text is wider than the image):
        // centre the smallest size; pixels beyond the edges are clipped.
        return composite(
            smallest, onto: base, x: (base.width - smallest.width) / 2, y: (base.height - smallest.height) / 2)
    }

    /// The text at `pixelSize`, cropped to its ink plus the halo, or nil when it cannot be
    /// rendered or has no ink.
    static func stamp(_ text: String, pixelSize: Double, renderer: TextRenderer) -> Stamp? {
        let spec = TextRenderSpec(lines: [text], size: max(TextRenderSpec.sizeRange.lowerBound, pixelSize))
        guard let rendered = try? renderer.render(spec) else { return nil }
        let grey = rendered.rgb()
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        for y in 0..<grey.height {
            for x in 0..<grey.width where grey.pixels[3 * (y * grey.width + x)] < 255 {
                minX = min(minX, x); maxX = max(maxX, x)
                minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        guard maxX >= 0 else { return nil }
        let r = haloRadius
        let width = maxX - minX + 1 + 2 * r, height = maxY - minY + 1 + 2 * r
        var coverage = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let sx = x + minX - r, sy = y + minY - r
                guard sx >= 0, sy >= 0, sx < grey.width, sy < grey.height else { continue }
                coverage[y * width + x] = 255 - grey.pixels[3 * (sy * grey.width + sx)]
            }
        }
        var halo = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var strongest: UInt8 = 0
                for dy in -r...r {
                    for dx in -r...r {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                        strongest = max(strongest, coverage[ny * width + nx])
                    }
                }
                halo[y * width + x] = strongest
            }
        }
        return Stamp(width: width, height: height, coverage: coverage, halo: halo)
    }

    /// Top-left corners where the stamp lies wholly inside the image and off every avoided
    /// box, on a grid of about a 56th of the shorter side, in reading order.
    static func placements(of stamp: Stamp, in image: RasterImage, avoiding: [Box]) -> [(x: Int, y: Int)] {
        guard stamp.width <= image.width, stamp.height <= image.height else { return [] }
        let step = max(1, min(image.width, image.height) / 56)
        let width = Double(image.width), height = Double(image.height)
        var result: [(x: Int, y: Int)] = []
        for y in stride(from: 0, through: image.height - stamp.height, by: step) {
            for x in stride(from: 0, through: image.width - stamp.width, by: step) {
                let box = Box(
                    minX: Double(x) / width, minY: Double(y) / height, maxX: Double(x + stamp.width) / width,
                    maxY: Double(y + stamp.height) / height)
                if !avoiding.contains(where: { SceneOverlay.overlaps($0, box) }) { result.append((x, y)) }
            }
        }
        return result
    }

    /// The stamp laid onto `image` with its top-left corner at (x, y): halo, then ink.
    static func composite(_ stamp: Stamp, onto image: RasterImage, x originX: Int, y originY: Int) -> RasterImage {
        var out = image
        for sy in 0..<stamp.height {
            let y = originY + sy
            guard y >= 0, y < image.height else { continue }
            for sx in 0..<stamp.width {
                let x = originX + sx
                guard x >= 0, x < image.width else { continue }
                let lighten = Double(stamp.halo[sy * stamp.width + sx]) / 255 * haloStrength
                let ink = Double(stamp.coverage[sy * stamp.width + sx]) / 255
                guard lighten > 0 || ink > 0 else { continue }
                for channel in 0..<3 {
                    let index = 3 * (y * image.width + x) + channel
                    var value = Double(out.pixels[index])
                    value += (255 - value) * lighten
                    value *= 1 - ink
                    out.pixels[index] = UInt8(max(0, min(255, value.rounded())))
                }
            }
        }
        return out
    }

    /// How many edge pixels any rectangle holds, in constant time (a summed-area table).
    struct EdgeCounts {
        let width: Int
        private var sums: [Int]

        /// A pixel is an edge pixel when it differs from its right or lower neighbour by
        /// more than `threshold` in some channel.
        init(_ image: RasterImage, threshold: Int) {
            width = image.width
            let height = image.height
            sums = [Int](repeating: 0, count: (width + 1) * (height + 1))
            func differs(_ a: Int, _ b: Int) -> Bool {
                for channel in 0..<3 where abs(Int(image.pixels[3 * a + channel]) - Int(image.pixels[3 * b + channel])) > threshold {
                    return true
                }
                return false
            }
            for y in 0..<height {
                var rowSum = 0
                for x in 0..<width {
                    let here = y * width + x
                    let edge =
                        (x + 1 < width && differs(here, here + 1)) || (y + 1 < height && differs(here, here + width))
                    rowSum += edge ? 1 : 0
                    sums[(y + 1) * (width + 1) + x + 1] = sums[y * (width + 1) + x + 1] + rowSum
                }
            }
        }

        func count(x: Int, y: Int, width w: Int, height h: Int) -> Int {
            let stride = width + 1
            return sums[(y + h) * stride + x + w] - sums[y * stride + x + w] - sums[(y + h) * stride + x]
                + sums[y * stride + x]
        }
    }
}
