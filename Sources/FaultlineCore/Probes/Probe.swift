import Foundation

/// What a probe exercises: one of the six perception abilities of AbilityLens, or
/// `language` for text-only probes (facts, arithmetic, word puzzles) that need no image.
public enum Ability: String, Codable, Sendable, CaseIterable {
    case counting, ocr, grounding, attribute, entity, structuredData = "structured-data"
    case language

    /// The six perception abilities of AbilityLens, in report order.
    public static let perception: [Ability] = [.counting, .ocr, .grounding, .attribute, .entity, .structuredData]
}

/// How the expected answer is written and therefore how a response is judged.
public enum AnswerFormat: String, Codable, Sendable {
    case freeText = "free-text"
    case multipleChoice = "multiple-choice"
    case yesNo = "yes-no"
    case number
    case box
}

/// The answer a probe expects.
public struct ExpectedAnswer: Codable, Sendable, Hashable {
    /// The exact answer text (for multiple choice, the letter of the right option).
    public var text: String
    public var format: AnswerFormat
    /// Lettered options for multiple choice, in the order shown to the model.
    public var choices: [String]?

    public init(text: String, format: AnswerFormat, choices: [String]? = nil) {
        self.text = text
        self.format = format
        self.choices = choices
    }
}

/// Where a probe came from: its source, its parent, the edit that made it, the seed,
/// and the controlled factors that an analysis groups failures by.
public struct Lineage: Codable, Sendable, Hashable {
    /// The source that made the probe, for example `text-renderer`.
    public var source: String
    /// The probe this one was derived from, if any.
    public var parent: String?
    /// The edit or perturbation applied to the parent, if any.
    public var transformation: String?
    /// The seed the probe was generated from.
    public var seed: UInt64
    /// Controlled factors and their (categorical) levels, e.g. `rotation: "10°"`.
    public var factors: [String: String]

    public init(
        source: String, parent: String? = nil, transformation: String? = nil, seed: UInt64,
        factors: [String: String] = [:]
    ) {
        self.source = source
        self.parent = parent
        self.transformation = transformation
        self.seed = seed
        self.factors = factors
    }
}

/// A reference to an image stored by content: the SHA-256 of its PNG bytes.
public struct ImageRef: Codable, Sendable, Hashable {
    public var sha256: String
    public var width: Int
    public var height: Int

    public init(sha256: String, width: Int, height: Int) {
        self.sha256 = sha256
        self.width = width
        self.height = height
    }
}

/// A question put to a model: image(s), a prompt, the expected answer, the ability it
/// exercises and the lineage that says how it was made.
public struct Probe: Codable, Sendable, Hashable, Identifiable {
    /// A readable identifier, unique within a suite (e.g. `ocr-s42-000017`).
    public var id: String
    public var images: [ImageRef]
    public var prompt: String
    public var expected: ExpectedAnswer
    public var ability: Ability
    public var lineage: Lineage
    /// The scene graph the image was rendered from, as JSON, when a procedural source made it.
    public var scene: String?

    public init(
        id: String, images: [ImageRef], prompt: String, expected: ExpectedAnswer, ability: Ability,
        lineage: Lineage, scene: String? = nil
    ) {
        self.id = id
        self.images = images
        self.prompt = prompt
        self.expected = expected
        self.ability = ability
        self.lineage = lineage
        self.scene = scene
    }

    /// The id of probe `index` of a generated suite: `PREFIX-sSEED-NNNNNN`, the index padded to
    /// six digits so that ids sort in probe order.
    public static func generatedID(prefix: String, seed: UInt64, index: Int) -> String {
        let digits = String(index)
        return "\(prefix)-s\(seed)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// A hash of everything a model sees (images and prompt) and of the expected answer.
    /// Two probes with the same content hash get the same cached response.
    public var contentHash: String {
        var text = images.map(\.sha256).joined(separator: ",")
        text += "\u{1F}" + prompt + "\u{1F}" + ability.rawValue
        return SHA256.hex(of: Data(text.utf8))
    }
}

/// A probe with the encoded bytes of its images, as a `ProbeSource` yields it.
public struct ProbeSample: Sendable {
    public var probe: Probe
    /// PNG bytes, in the order of `probe.images`.
    public var imagePNGs: [Data]

    public init(probe: Probe, imagePNGs: [Data]) {
        self.probe = probe
        self.imagePNGs = imagePNGs
    }
}

/// Yields probes deterministically: the same configuration and seed give the same probes
/// and byte-identical images.
public protocol ProbeSource: Sendable {
    /// A short name recorded in each probe's lineage.
    var name: String { get }
    /// How many probes `samples()` yields.
    var count: Int { get }
    /// The probes, made lazily one at a time so that memory stays flat.
    func samples() -> AnySequence<ProbeSample>
    /// The probes from index `start` on, e.g. to resume an interrupted run.
    func samples(from start: Int) -> AnySequence<ProbeSample>
}

extension ProbeSource {
    /// Samples `start..<count`, each made on its own by `make(index)`, lazily: the iteration
    /// of sources whose probe `i` depends on `i` alone, which so can start anywhere.
    public func lazySamples(from start: Int, make: @escaping (Int) -> ProbeSample) -> AnySequence<ProbeSample> {
        let count = self.count
        return AnySequence { () -> AnyIterator<ProbeSample> in
            var index = max(0, start)
            return AnyIterator {
                guard index < count else { return nil }
                defer { index += 1 }
                return make(index)
            }
        }
    }

    /// Skips the first probes by generating them; sources that can jump should override this.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        AnySequence(samples().dropFirst(start))
    }
}
