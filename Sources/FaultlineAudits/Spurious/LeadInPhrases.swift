/// Harmless phrases a person might put before a question. The spurious-correlation audit puts
/// them before half its probes at random, so that a model which learnt to answer from a
/// phrase instead of the image shows it (a text shortcut).
///
/// A phrase not in this list cannot be found this way; `--lead-ins FILE` adds others.
public enum LeadInPhrases {
    public static let standard: [String] = [
        "at first glance", "honestly", "quick question", "just curious", "looking closely",
        "if you look carefully", "to be clear", "for the record", "as far as I can tell", "in your opinion",
        "without overthinking it", "take your time", "simply put", "one more thing", "out of interest",
        "to put it plainly",
    ]

    /// `prompt` with `phrase` before its first line: "At first glance, what shape is…".
    public static func apply(_ phrase: String, to prompt: String) -> String {
        guard let first = phrase.first, let stemFirst = prompt.first else { return prompt }
        // Keep a capital that is a name or "I"; lower a question's capitalised first word.
        let secondIsLower = prompt.dropFirst().first.map(\.isLowercase) ?? true
        let stem = secondIsLower ? stemFirst.lowercased() + prompt.dropFirst() : prompt
        return first.uppercased() + phrase.dropFirst() + ", " + stem
    }
}
