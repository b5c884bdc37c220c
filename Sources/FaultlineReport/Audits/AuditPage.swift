import FaultlineCore
import Foundation

/// The probes and answers an audit page shows as examples: looked up by probe id (and model),
/// with the images drawn from the caller's store.
public struct AuditEvidence: Sendable {
    public var probes: [String: Probe]
    /// probe id → model → what the model answered (its response text).
    public var answers: [String: [String: String]]
    public var images: @Sendable (ImageRef) -> Data?

    public init(probes: [String: Probe], answers: [String: [String: String]], images: @escaping @Sendable (ImageRef) -> Data?) {
        self.probes = probes
        self.answers = answers
        self.images = images
    }

    /// Evidence from stored answers, keeping only the probes `wanted` names.
    public init(_ stored: [AnsweredProbe], wanted: Set<String>, images: @escaping @Sendable (ImageRef) -> Data?) {
        var probes: [String: Probe] = [:]
        var answers: [String: [String: String]] = [:]
        for answer in stored where wanted.contains(answer.probe.id) {
            probes[answer.probe.id] = answer.probe
            answers[answer.probe.id, default: [:]][answer.modelKey] = answer.response?.text ?? "(error)"
        }
        self.init(probes: probes, answers: answers, images: images)
    }
}

/// The frame every audit page shares: the same style as the run reports, self-contained, no scripts.
struct AuditPage {
    let title: String
    let generator: String
    private(set) var body = ""

    init(title: String, generator: String) {
        self.title = title
        self.generator = generator
    }

    func e(_ text: String) -> String { HTMLText.escape(text) }

    mutating func add(_ html: String) { body += html }

    func render() -> String {
        HTMLStyle.documentStart(title: title, generator: generator) + """
        \(body)<footer class="muted"><p>Written by \(e(generator)). Every figure is computed from the stored answers of the runs named above; rebuilding gives the same bytes.</p></footer>
        </main>
        </body>
        </html>

        """
    }

    /// A probe card: image, prompt, expected answer and what each model said.
    static func probeCard(_ id: String, caption: String, evidence: AuditEvidence, models: [String]) -> String {
        let e = HTMLText.escape
        guard let probe = evidence.probes[id] else {
            return "<div class=\"probe\"><div class=\"pid\">\(e(id))</div><div class=\"missing\">not stored</div></div>\n"
        }
        var out = "<div class=\"probe\">\n<div class=\"pid\">\(e(caption))</div>\n"
        let thumbnails = Thumbnails(provider: evidence.images)
        out += probe.images.isEmpty ? "<div class=\"missing\">no image (text only)</div>\n"
            : thumbnails.html(for: probe.images.first, probeID: id)
        out += "<dl><dt>Prompt</dt><dd class=\"mono\">\(e(HTMLText.truncate(probe.prompt, limit: 220)))</dd>"
        let expected = AnswerValue.expected(probe.expected)
        out += "<dt>Right answer</dt><dd>\(e(expected))</dd>"
        for model in models {
            guard let said = evidence.answers[id]?[model] else { continue }
            let value = AnswerValue.read(said, expected: probe.expected) ?? said
            out += "<dt>\(e(model)) said</dt><dd>\(e(HTMLText.truncate(value, limit: 60)))\(value == expected ? " ✓" : " ✗")</dd>"
        }
        return out + "</dl>\n<div class=\"factors mono\">\(e(id))</div>\n</div>\n"
    }

    /// A heading and the first two (first, second) probe pairs side by side.
    static func pairGallery(
        title: String, pairs: [[String]], captions: (String, String), model: String, evidence: AuditEvidence
    ) -> String {
        var out = "<h3>\(HTMLText.escape(title))</h3>\n<div class=\"gallery\">\n"
        for pair in pairs.prefix(2) where pair.count == 2 {
            out += probeCard(pair[0], caption: captions.0, evidence: evidence, models: [model])
            out += probeCard(pair[1], caption: captions.1, evidence: evidence, models: [model])
        }
        return out + "</div>\n"
    }

    static func percent(_ rate: Double) -> String { NumberText.percent(rate) }
    static func points(_ difference: Double) -> String { NumberText.percentagePoints(difference) }
    static func interval(_ low: Double, _ high: Double) -> String {
        "\(NumberText.percentagePoints(low)) to \(NumberText.percentagePoints(high))"
    }
}
