import FaultlineCore
import Foundation

/// Makes random scenes — objects, charts and tables — deterministically from a seed.
///
/// Each kind of choice draws from its own random stream, so that changing one setting (say,
/// the label probability) does not move every object of every scene.
public struct SceneGenerator: Sendable {
    /// The validated configuration the generator draws from.
    public let configuration: SceneGeneratorConfiguration

    /// A generator for a configuration known to be valid.
    ///
    /// - Precondition: `configuration.validate()` passes; use `init(validating:)` for
    ///   configurations that come from users.
    public init(configuration: SceneGeneratorConfiguration = .init()) {
        do {
            try configuration.validate()
        } catch {
            preconditionFailure(error.description)
        }
        self.configuration = configuration
    }

    /// A generator for a configuration that may be invalid.
    ///
    /// - Throws: `SceneConfigurationError` naming the bad field.
    public init(validating configuration: SceneGeneratorConfiguration) throws(SceneConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    enum Stream {
        static let layout: UInt64 = 1
        static let attributes: UInt64 = 2
        static let labels: UInt64 = 3
        static let signs: UInt64 = 4
        static let background: UInt64 = 5
        static let chart: UInt64 = 6
        static let table: UInt64 = 7
    }

    // MARK: - Object scenes

    /// A scene of objects that do not overlap, except that sometimes one small object lies
    /// inside a larger one of another colour; objects have ids `0..<count`.
    public func objectScene(seed: UInt64) -> Scene {
        var layoutRandom = SeededGenerator(seed: seed, stream: Stream.layout)
        let count = WorldRandom.integer(configuration.objectCount, &layoutRandom)
        let pair = count >= 2 ? insidePair(&layoutRandom) : nil
        let placements = layOut(count: count, insidePair: pair, rng: &layoutRandom)

        var attributeRandom = SeededGenerator(seed: seed, stream: Stream.attributes)
        var labelRandom = SeededGenerator(seed: seed, stream: Stream.labels)
        var usedLabels: Set<String> = []
        var objects: [SceneObject] = []
        for (index, placement) in placements.enumerated() {
            let hasInside = placements.contains { $0.container == index }
            var shapes = configuration.shapes
            if hasInside, let pair {
                shapes = shapes.filter { ObjectLayout.insideRoom(inner: pair.inner, container: pair.container, shape: $0) > 0 }
            }
            var colours = configuration.colours
            if let container = placement.container {
                colours.removeAll { $0 == objects[container].colour }
            }
            // Both lists are non-empty: the pair is only chosen when a roomy shape and two
            // colours exist.
            let shape = WorldRandom.element(shapes, &attributeRandom) ?? .circle
            let colour = WorldRandom.element(colours, &attributeRandom) ?? .grey
            let maxRotation = configuration.maxRotationDegrees
            let rotation = (WorldRandom.uniform(-maxRotation...maxRotation, &attributeRandom) * 10).rounded() / 10
            let texture =
                WorldRandom.chance(configuration.textureProbability, &attributeRandom)
                ? WorldRandom.element(Texture.allCases, &attributeRandom) : nil
            var object = SceneObject(
                id: index, shape: shape, colour: colour, size: placement.size, x: placement.x, y: placement.y,
                rotation: rotation, texture: texture)
            // Text is only written where it stays legible: not over a pattern, and not on an
            // object that another object covers.
            if WorldRandom.chance(configuration.labelProbability, &labelRandom), texture == nil, !hasInside {
                object.label = chooseLabel(for: object, avoiding: usedLabels, rng: &labelRandom)
                if let label = object.label { usedLabels.insert(label) }
            }
            objects.append(object)
        }
        // Placement order says which object was placed first (containers are); ids and
        // array order must not.
        objects = WorldRandom.shuffled(objects, &attributeRandom)
        for index in objects.indices { objects[index].id = index }

        var backgroundRandom = SeededGenerator(seed: seed, stream: Stream.background)
        var scene = Scene(
            width: configuration.width, height: configuration.height,
            background: randomBackground(from: configuration.backgrounds, rng: &backgroundRandom), objects: objects,
            seed: seed)
        var signRandom = SeededGenerator(seed: seed, stream: Stream.signs)
        if WorldRandom.chance(configuration.signProbability, &signRandom),
            let sign = Self.freeSign(in: scene, avoiding: usedLabels, rng: &signRandom)
        {
            scene.labels.append(sign)
        }
        return scene
    }

    /// The sizes of an inner object and its container, when this scene gets such a pair.
    private func insidePair(_ rng: inout SeededGenerator) -> (inner: SizeClass, container: SizeClass)? {
        guard WorldRandom.chance(configuration.insideProbability, &rng), configuration.colours.count >= 2 else { return nil }
        let sizes = Set(configuration.sizes).sorted()
        var pairs: [(inner: SizeClass, container: SizeClass)] = []
        for inner in sizes {
            for container in sizes where inner < container {
                let roomy = configuration.shapes.contains {
                    ObjectLayout.insideRoom(inner: inner, container: container, shape: $0) > 0
                }
                if roomy { pairs.append((inner, container)) }
            }
        }
        // The widest pair (small inside large) reads best; others only when it is not allowed.
        func spread(_ pair: (inner: SizeClass, container: SizeClass)) -> Double {
            pair.container.radiusFraction - pair.inner.radiusFraction
        }
        return pairs.max { spread($0) < spread($1) }
    }

    private func layOut(count: Int, insidePair: (inner: SizeClass, container: SizeClass)?, rng: inout SeededGenerator)
        -> [ObjectLayout.Placement]
    {
        let layout = ObjectLayout(width: configuration.width, height: configuration.height)
        let sizesSmallestFirst = Set(configuration.sizes).sorted()
        restart: for _ in 0..<30 {
            var placements: [ObjectLayout.Placement] = []
            if let insidePair {
                guard let container = layout.freePlacement(size: insidePair.container, among: [], rng: &rng) else { break }
                placements.append(container)
                // The container's shape is chosen later among the roomy ones, so leave room
                // for the tightest of those.
                let roomyShapes = configuration.shapes.filter {
                    ObjectLayout.insideRoom(inner: insidePair.inner, container: insidePair.container, shape: $0) > 0
                }
                let tightest = roomyShapes.min { ShapeGeometry.inradius(of: $0) < ShapeGeometry.inradius(of: $1) } ?? .circle
                let inner = layout.insidePlacement(
                    size: insidePair.inner, in: container, containerIndex: 0, shape: tightest, rng: &rng)
                placements.append(inner)
            }
            while placements.count < count {
                guard let wanted = WorldRandom.element(configuration.sizes, &rng) else { break restart }
                // A crowded canvas may have room only for something smaller than drawn.
                let candidates = [wanted] + sizesSmallestFirst.filter { $0 < wanted }.reversed()
                var placed: ObjectLayout.Placement?
                for size in candidates where placed == nil {
                    placed = layout.freePlacement(size: size, among: placements, rng: &rng)
                }
                guard let placed else { continue restart }
                placements.append(placed)
            }
            return placements
        }
        return layout.gridPlacements(count: count, size: sizesSmallestFirst[0], rng: &rng)
    }

    /// A word not yet used in the scene that fits legibly on the object, or nil.
    private func chooseLabel(for object: SceneObject, avoiding used: Set<String>, rng: inout SeededGenerator) -> String? {
        for _ in 0..<12 {
            guard let word = WorldRandom.element(SceneVocabulary.labelWords, &rng) else { return nil }
            if !used.contains(word), SceneTypography.objectLabelFits(word, shape: object.shape, size: object.size) {
                return word
            }
        }
        return nil
    }

    /// A sign (one or two words) at a random free spot of `scene`, or nil when none is found.
    static func freeSign(in scene: Scene, avoiding used: Set<String>, rng: inout SeededGenerator) -> TextLabel? {
        let words = SceneVocabulary.labelWords.filter { !used.contains($0) }
        guard let first = WorldRandom.element(words, &rng) else { return nil }
        var text = first
        if WorldRandom.chance(0.25, &rng), let second = WorldRandom.element(words.filter { $0 != first }, &rng) {
            text += " " + second
        }
        let size = (WorldRandom.uniform(0.055...0.08, &rng) * 1000).rounded() / 1000
        let objectBoxes = scene.objects.map { scene.boundingBox(of: $0) }
        for _ in 0..<60 {
            let probe = TextLabel(text: text, x: 0.5, y: 0.5, size: size)
            let box = scene.boundingBox(of: probe)
            let halfX = (box.maxX - box.minX) / 2 + ObjectLayout.edgeMargin
            let halfY = (box.maxY - box.minY) / 2 + ObjectLayout.edgeMargin
            guard halfX < 0.5, halfY < 0.5 else { return nil }
            let label = TextLabel(
                text: text, x: WorldRandom.roundedPosition(WorldRandom.uniform(halfX...(1 - halfX), &rng)),
                y: WorldRandom.roundedPosition(WorldRandom.uniform(halfY...(1 - halfY), &rng)), size: size)
            let labelBox = scene.boundingBox(of: label)
            let clear = objectBoxes.allSatisfy { objectBox in
                !Scene.overlap(grown(labelBox, by: ObjectLayout.edgeMargin), objectBox)
            }
            let apart = scene.labels.allSatisfy { !Scene.overlap(labelBox, scene.boundingBox(of: $0)) }
            if clear, apart, Scene.isInsideCanvas(labelBox) { return label }
        }
        return nil
    }

    private static func grown(_ box: Box, by margin: Double) -> Box {
        Box(minX: box.minX - margin, minY: box.minY - margin, maxX: box.maxX + margin, maxY: box.maxY + margin)
    }

    /// A background of one of `kinds`; plain, gradient and textured ones get a random tint
    /// (or none, a neutral grey) and context backgrounds none.
    static func randomBackground(from kinds: [BackgroundKind], rng: inout SeededGenerator) -> Background {
        let kind = WorldRandom.element(kinds, &rng) ?? .plain
        switch kind {
        case .plain, .gradient, .textured:
            let tint = WorldRandom.chance(0.3, &rng) ? nil : WorldRandom.element(NamedColour.allCases, &rng)
            return Background(kind: kind, tint: tint)
        case .sky, .grass, .water:
            return Background(kind: kind)
        }
    }

    private func randomBackground(from kinds: [BackgroundKind], rng: inout SeededGenerator) -> Background {
        Self.randomBackground(from: kinds, rng: &rng)
    }
}
