import FaultlineCore

/// Which modality a task needs, and so which modality the interference audit perturbs.
///
/// An image-heavy task is answered from the image alone, so its text is perturbed; a
/// text-heavy task is answered from the text alone, so an image is added to it
/// (methods.md §3, "Modality Interference").
public enum InterferenceSide: String, Codable, Sendable, CaseIterable {
    case imageHeavy = "image-heavy"
    case textHeavy = "text-heavy"

    /// A short name for reports, e.g. "Image-heavy".
    public var title: String {
        switch self {
        case .imageHeavy: "Image-heavy"
        case .textHeavy: "Text-heavy"
        }
    }

    /// One plain sentence saying what the side's tasks need and what is perturbed.
    public var explanation: String {
        switch self {
        case .imageHeavy: "The question can be answered from the picture alone, so the text around it is disturbed."
        case .textHeavy: "The question can be answered from the text alone, so a picture is added to it."
        }
    }
}

/// One intervention on the modality a task does not need: text added to an image question,
/// text written into its image, or an image added to a text question.
///
/// The image-heavy perturbations follow the paper's (unrelated facts, a misleading
/// description, OCR noise) plus a typographic attack that writes the misleading answer into
/// the image itself; the text-heavy ones follow its random-pixel, black, white and unrelated
/// images, with a procedural scene and a procedural chart standing in for the unrelated real
/// image and the UI screenshot.
public enum InterferencePerturbation: String, Codable, Sendable, CaseIterable {
    // Image-heavy: the image is kept, the text is perturbed.
    case irrelevantFacts = "irrelevant-facts"
    case misleadingDescription = "misleading-description"
    case ocrNoise = "ocr-noise"
    case typographicOverlay = "typographic-overlay"
    // Text-heavy: the text is kept, an image is added.
    case randomPixels = "random-pixels"
    case blackImage = "black-image"
    case whiteImage = "white-image"
    case unrelatedScene = "unrelated-scene"
    case unrelatedChart = "unrelated-chart"

    /// The side whose probes this perturbation applies to.
    public var side: InterferenceSide {
        switch self {
        case .irrelevantFacts, .misleadingDescription, .ocrNoise, .typographicOverlay: .imageHeavy
        case .randomPixels, .blackImage, .whiteImage, .unrelatedScene, .unrelatedChart: .textHeavy
        }
    }

    /// A short name for reports, e.g. "Misleading description".
    public var title: String {
        switch self {
        case .irrelevantFacts: "Irrelevant facts"
        case .misleadingDescription: "Misleading description"
        case .ocrNoise: "OCR noise"
        case .typographicOverlay: "Typographic overlay"
        case .randomPixels: "Random pixels"
        case .blackImage: "Black image"
        case .whiteImage: "White image"
        case .unrelatedScene: "Unrelated scene"
        case .unrelatedChart: "Unrelated chart"
        }
    }

    /// One plain sentence saying what was done, for a reader who has not read the paper.
    public var explanation: String {
        switch self {
        case .irrelevantFacts:
            "Two true but unrelated facts about science or history are put before the question."
        case .misleadingDescription:
            "A sentence naming a wrong answer is put before the question."
        case .ocrNoise:
            "A line of garbled form text, as a text scanner might misread it, is put before the question."
        case .typographicOverlay:
            "A wrong answer is written into the picture itself."
        case .randomPixels:
            "A picture of random coloured dots is shown with a question that needs no picture."
        case .blackImage:
            "An all-black picture is shown with a question that needs no picture."
        case .whiteImage:
            "An all-white picture is shown with a question that needs no picture."
        case .unrelatedScene:
            "A picture of unrelated shapes is shown with a question that needs no picture."
        case .unrelatedChart:
            "An unrelated chart is shown with a question that needs no picture."
        }
    }

    /// Whether the perturbation changes the image a model sees (rather than only the prompt).
    public var changesImage: Bool {
        switch self {
        case .irrelevantFacts, .misleadingDescription, .ocrNoise: false
        case .typographicOverlay, .randomPixels, .blackImage, .whiteImage, .unrelatedScene, .unrelatedChart: true
        }
    }

    /// The perturbations of one side, in `allCases` order.
    public static func perturbations(for side: InterferenceSide) -> [InterferencePerturbation] {
        allCases.filter { $0.side == side }
    }
}
