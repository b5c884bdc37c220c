import FaultlineCore
import Foundation

/// How a repair example was made from a finding.
public enum RepairKind: String, Codable, Sendable, CaseIterable {
    /// A probe re-rendered with the factor that failed varied (e.g. more rotations of the text).
    case augmentation
    /// A counterfactual that breaks a spurious cue while keeping the right answer.
    case counterfactual
    /// A perturbed input (interfering text, an adversarial image) paired with the clean answer.
    case adversarial
}

/// One training example built from a confirmed audit finding, for users who fine-tune elsewhere.
public struct RepairRecord: Codable, Sendable, Equatable {
    /// Unique within an export.
    public var id: String
    public var kind: RepairKind
    /// The id or name of the finding it repairs, e.g. `spurious background=grass→star`.
    public var finding: String
    /// The question text as the model sees it.
    public var prompt: String
    /// The target answer text (for multiple choice, the option's text, not its letter).
    public var answer: String
    /// PNG bytes of the images shown with the prompt, in order (none for a text-only example).
    public var imagePNGs: [Data]
    /// Where the example came from: source, parent probe, transformation, seed, factors.
    public var lineage: Lineage

    public init(
        id: String, kind: RepairKind, finding: String, prompt: String, answer: String, imagePNGs: [Data],
        lineage: Lineage
    ) {
        self.id = id
        self.kind = kind
        self.finding = finding
        self.prompt = prompt
        self.answer = answer
        self.imagePNGs = imagePNGs
        self.lineage = lineage
    }

    /// A record from a probe as a source yields it: its prompt, images and lineage, and its
    /// expected answer as text (a multiple-choice letter becomes that option's text).
    ///
    /// Throws `RepairExportError` when a multiple-choice probe's letter names none of its options.
    public init(id: String, kind: RepairKind, finding: String, sample: ProbeSample) throws {
        let expected = sample.probe.expected
        var answer = expected.text
        if expected.format == .multipleChoice {
            let letter = expected.text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            let choices = expected.choices ?? []
            let index = choices.indices.first { $0 < 26 && ChoiceExtractor.letter(at: $0) == letter }
            guard let index else {
                throw RepairExportError(
                    .invalidRecord, recordID: id,
                    message:
                        "probe \(sample.probe.id) expects \"\(expected.text)\", which names none of its \(choices.count) options; fix the probe or pass the answer text yourself")
            }
            answer = choices[index]
        }
        self.init(
            id: id, kind: kind, finding: finding, prompt: sample.probe.prompt, answer: answer,
            imagePNGs: sample.imagePNGs, lineage: sample.probe.lineage)
    }
}
