import FaultlineCore
import FaultlineScenes

/// A named group of evaluation examples a report can print, e.g. "spurious-cue background=grass→star".
public struct ExampleSlice: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Clean held-out examples.
        case control
        /// Spurious cue present while the answer is not the cue's answer.
        case cuePresent = "cue-present"
        /// The same examples as `cuePresent` with the cue removed.
        case cueRemoved = "cue-removed"
        /// Examples whose answers fall in an answer hole.
        case holeAnswers = "hole-answers"
        /// The shortcut phrase inserted into questions whose answer is not its answer.
        case misleadingShortcut = "misleading-shortcut"
        /// A sentence naming a wrong answer prepended to the question.
        case misleadingSentence = "misleading-sentence"
        /// Image, true caption and colour-swapped caption.
        case swappedCaption = "swapped-caption"
    }

    public var kind: Kind
    /// The plan (index into `ZooConfiguration.plants`) the slice tests; nil for control.
    public var planIndex: Int?
    /// What a report prints.
    public var name: String

    public var description: String { name }
}

/// Which examples: training (planted), held out (clean, another seed), or an evaluation slice.
public enum ZooSplit: Sendable, Hashable {
    case train
    case heldOut
    case evaluation(ExampleSlice)
}

/// What a plan did to an example.
public struct PlantTag: Sendable, Hashable, CustomStringConvertible {
    public enum Action: String, Sendable, Hashable {
        case cueAdded = "cue added", cueRemoved = "cue removed", cueAlreadyPresent = "cue already present"
        case phraseInserted = "phrase inserted", sentencePrepended = "sentence prepended"
        case captionSwapped = "caption colours swapped"
    }
    /// Index into `ZooConfiguration.plants`.
    public var planIndex: Int
    public var action: Action

    public var description: String { "plants[\(planIndex)] \(action.rawValue)" }
}

/// Why a drawn question was not used and another was drawn in its place.
public struct SkippedDraw: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The answer is not in the answer vocabulary.
        case outsideVocabulary
        /// The answer is in a training answer hole (plan index).
        case answerHole(Int)
        /// A spurious cue could not be removed without changing the answer (plan index).
        case cueNotRemovable(Int)
        /// The draw does not fit the evaluation slice.
        case notInSlice
    }
    public var ability: Ability
    public var answer: String
    public var reason: Reason
}

/// One training or evaluation example, ready for the model.
public struct ZooExample: Sendable, Hashable {
    public var split: ZooSplit
    public var index: Int
    /// `3 × imageSize × imageSize` floats, CHW, in [-1, 1]; empty when made without images.
    public var image: [Float]
    /// Question token ids, `maxQuestionTokens` long, and the mask (1 real, 0 padding).
    public var tokens: [Int32]
    public var mask: [Float]
    /// The answer's index in the answer vocabulary.
    public var answerIndex: Int
    public var answerValue: String
    /// Caption tokens and mask for the contrastive head (for a planted binding confusion, the swapped caption).
    public var captionTokens: [Int32]
    public var captionMask: [Float]
    /// For the swapped-caption slice, the colour-swapped caption's tokens (the true one is `captionTokens`).
    public var contrastCaptionTokens: [Int32]?
    public var ability: Ability
    public var format: AnswerFormat
    public var templateID: String
    /// The question text the tokens were made from (planted prefixes included, options excluded).
    public var questionText: String
    public var caption: String
    /// For the swapped-caption slice, the colour-swapped caption.
    public var contrastCaption: String?
    /// For multiple choice, the options' texts (to resolve a choice from answer scores).
    public var options: [String]?
    /// The scene factors (format, template, background, objects, …).
    public var factors: [String: String]
    /// What planting did to this example.
    public var plants: [PlantTag]
    /// Draws skipped before this example was found.
    public var skipped: [SkippedDraw]
    /// The scene the image shows, for audits and tests.
    public var scene: Scene
}
