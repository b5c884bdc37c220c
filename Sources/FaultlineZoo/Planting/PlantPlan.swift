import FaultlineCore
import FaultlineScenes

/// The kinds of defect a zoo model can have planted through its training data.
public enum PlantKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// An attribute of the scene co-occurs with an answer.
    case spuriousCue = "spurious-cue"
    /// No training examples with certain answers.
    case answerHole = "answer-hole"
    /// A phrase in the question predicts an answer.
    case textShortcut = "text-shortcut"
    /// Some questions say their answer in words, teaching trust in text over the image.
    case modalityBias = "modality-bias"
    /// Some captions swap the colours of two objects.
    case bindingConfusion = "binding-confusion"
}

/// One planned defect, e.g.
/// `{"kind": "spurious-cue", "attribute": "background", "value": "grass", "answer": "star", "rate": 1.0}`.
///
/// Fields by kind (others are rejected):
/// - spurious-cue: `attribute`, `value`, `answer`, `rate` (default 1), optional filters;
/// - answer-hole: one of `above`, `below` (numeric answers) or `answers`, optional filters;
/// - text-shortcut: `phrase`, `answer`, `rate` (default 1), optional filters;
/// - modality-bias: `share`, optional filters;
/// - binding-confusion: `share`.
/// Filters are `abilities` (or `ability` for one) and `templates` (template ids).
public struct PlantPlan: Codable, Sendable, Hashable {
    public var kind: PlantKind
    public var attribute: CueAttribute?
    public var value: String?
    public var answer: String?
    /// Probability that a qualifying example is planted (spurious-cue, text-shortcut).
    public var rate: Double?
    /// Share of examples planted (modality-bias, binding-confusion).
    public var share: Double?
    public var phrase: String?
    public var above: Int?
    public var below: Int?
    public var answers: [String]?
    /// Only examples of these abilities are touched (nil: all).
    public var abilities: [Ability]?
    /// Only examples of these templates are touched (nil: all).
    public var templates: [String]?

    public init(
        kind: PlantKind, attribute: CueAttribute? = nil, value: String? = nil, answer: String? = nil,
        rate: Double? = nil, share: Double? = nil, phrase: String? = nil, above: Int? = nil, below: Int? = nil,
        answers: [String]? = nil, abilities: [Ability]? = nil, templates: [String]? = nil
    ) {
        self.kind = kind
        self.attribute = attribute
        self.value = value
        self.answer = answer
        self.rate = rate
        self.share = share
        self.phrase = phrase
        self.above = above
        self.below = below
        self.answers = answers
        self.abilities = abilities
        self.templates = templates
    }

    public static func spuriousCue(
        _ attribute: CueAttribute, _ value: String, answer: String, rate: Double = 1, abilities: [Ability]? = nil,
        templates: [String]? = nil
    ) -> PlantPlan {
        PlantPlan(
            kind: .spuriousCue, attribute: attribute, value: value, answer: answer, rate: rate, abilities: abilities,
            templates: templates)
    }

    /// The probability a plan plants with: `rate` or `share`, default 1.
    public var probability: Double { rate ?? share ?? 1 }

    /// A name a report can print, e.g. `spurious-cue background=grass→star`.
    public var label: String {
        switch kind {
        case .spuriousCue: return "spurious-cue \(attribute?.rawValue ?? "?")=\(value ?? "?")→\(answer ?? "?")"
        case .answerHole:
            let scope = abilities.map { $0.map(\.rawValue).joined(separator: ",") } ?? "all"
            if let above { return "answer-hole \(scope)>\(above)" }
            if let below { return "answer-hole \(scope)<\(below)" }
            return "answer-hole \(scope)∈{\((answers ?? []).joined(separator: ","))}"
        case .textShortcut: return "text-shortcut \"\(phrase ?? "")\"→\(answer ?? "?")"
        case .modalityBias: return "modality-bias \(probability)"
        case .bindingConfusion: return "binding-confusion \(probability)"
        }
    }

    /// Whether an example of `ability` from `templateID` is in the plan's scope.
    public func applies(to ability: Ability, templateID: String) -> Bool {
        (abilities?.contains(ability) ?? true) && (templates?.contains(templateID) ?? true)
    }

    /// Whether `answer` is in an answer-hole plan's hole.
    public func holeContains(_ answer: String) -> Bool {
        guard kind == .answerHole else { return false }
        if let above { return Int(answer).map { $0 > above } ?? false }
        if let below { return Int(answer).map { $0 < below } ?? false }
        return answers?.contains(answer) ?? false
    }

    // MARK: - Decoding and validation

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, attribute, value, answer, rate, share, phrase, above, below, answers, ability, abilities, templates
    }

    /// The fields each kind accepts besides `kind` and the filters.
    static func fields(of kind: PlantKind) -> [CodingKeys] {
        switch kind {
        case .spuriousCue: [.attribute, .value, .answer, .rate]
        case .answerHole: [.above, .below, .answers]
        case .textShortcut: [.phrase, .answer, .rate]
        case .modalityBias: [.share]
        case .bindingConfusion: [.share]
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kinds = PlantKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard c.contains(.kind) else {
            throw ZooConfigurationError(
                field: StrictDecoding.path(decoder.codingPath, appending: "kind"), message: "missing; give one of \(kinds)")
        }
        let kindName = try StrictDecoding.field(c, .kind, "", hint: "give one of \(kinds)")
        guard let kind = PlantKind(rawValue: kindName) else {
            throw ZooConfigurationError(
                field: StrictDecoding.path(decoder.codingPath, appending: "kind"),
                message: "unknown kind \"\(kindName)\"; the kinds are \(kinds)")
        }
        let filters: [CodingKeys] = kind == .bindingConfusion ? [] : [.ability, .abilities, .templates]
        let known = [CodingKeys.kind] + Self.fields(of: kind) + filters
        try StrictDecoding.rejectUnknownFields(
            in: decoder, known: known.map(\.rawValue), section: "a \(kind.rawValue) plan")
        self.kind = kind
        let attributeName: String? = try StrictDecoding.field(c, .attribute, nil, hint: "give a string")
        if let attributeName {
            guard let attribute = CueAttribute(rawValue: attributeName) else {
                throw ZooConfigurationError(
                    field: StrictDecoding.path(decoder.codingPath, appending: "attribute"),
                    message: "unknown attribute path \"\(attributeName)\"; the known paths are "
                        + CueAttribute.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.attribute = attribute
        }
        value = try StrictDecoding.field(c, .value, nil, hint: "give a string")
        answer = try StrictDecoding.field(c, .answer, nil, hint: "give a string")
        rate = try StrictDecoding.field(c, .rate, nil, hint: "give a number from 0 to 1")
        share = try StrictDecoding.field(c, .share, nil, hint: "give a number from 0 to 1")
        phrase = try StrictDecoding.field(c, .phrase, nil, hint: "give a string")
        above = try StrictDecoding.field(c, .above, nil, hint: "give a whole number")
        below = try StrictDecoding.field(c, .below, nil, hint: "give a whole number")
        answers = try StrictDecoding.field(c, .answers, nil, hint: "give a list of strings")
        let abilityNames = Ability.perception.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let one: Ability? = try StrictDecoding.field(c, .ability, nil, hint: "give one of \(abilityNames)")
        let many: [Ability]? = try StrictDecoding.field(c, .abilities, nil, hint: "give a list of \(abilityNames)")
        if one != nil, many != nil {
            throw ZooConfigurationError(
                field: StrictDecoding.path(decoder.codingPath, appending: "ability"),
                message: "give either ability or abilities, not both")
        }
        abilities = many ?? one.map { [$0] }
        templates = try StrictDecoding.field(c, .templates, nil, hint: "give a list of template ids")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(attribute, forKey: .attribute)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(answer, forKey: .answer)
        try c.encodeIfPresent(rate, forKey: .rate)
        try c.encodeIfPresent(share, forKey: .share)
        try c.encodeIfPresent(phrase, forKey: .phrase)
        try c.encodeIfPresent(above, forKey: .above)
        try c.encodeIfPresent(below, forKey: .below)
        try c.encodeIfPresent(answers, forKey: .answers)
        try c.encodeIfPresent(abilities, forKey: .abilities)
        try c.encodeIfPresent(templates, forKey: .templates)
    }

    /// Checks the plan against the data settings; `field` is its path, e.g. `plants[2]`.
    public func validate(field: String, data: ZooDataSettings) throws(ZooConfigurationError) {
        func fail(_ name: String, _ message: String) -> ZooConfigurationError {
            ZooConfigurationError(field: "\(field).\(name)", message: message)
        }
        let vocabulary = AnswerVocabulary.standard
        if let abilities {
            if abilities.isEmpty { throw fail("abilities", "the list is empty; leave it out to mean all abilities") }
            if let missing = abilities.first(where: { !data.abilities.contains($0) }) {
                throw fail(
                    "abilities",
                    "\(missing.rawValue) is not among data.abilities (\(data.abilities.map(\.rawValue).joined(separator: ", "))); add it there or remove it here")
            }
        }
        if let templates {
            let known = QuestionTemplates.all.map(\.id)
            if let unknown = templates.first(where: { !known.contains($0) }) {
                throw fail("templates", "unknown template \"\(unknown)\"; the templates are \(known.joined(separator: ", "))")
            }
        }
        let probability = rate ?? share ?? 1
        guard probability.isFinite, (0...1).contains(probability) else {
            throw fail(rate != nil ? "rate" : "share", "\(probability) is not a probability in 0...1")
        }
        switch kind {
        case .spuriousCue:
            guard let attribute else {
                throw fail("attribute", "missing; give one of \(CueAttribute.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let value, !value.isEmpty else { throw fail("value", "missing; give the value the cue sets") }
            if let allowed = attribute.allowedValues, !allowed.contains(value) {
                throw fail("value", "\"\(value)\" is not a value of \(attribute.rawValue); give one of \(allowed.joined(separator: ", "))")
            }
            if attribute == .sign, !(1...12).contains(value.count) || !value.allSatisfy(\.isLetter) {
                throw fail("value", "a sign's text must be one word of 1 to 12 letters, got \"\(value)\"")
            }
            try checkAnswer(vocabulary, fail)
        case .answerHole:
            let given = [above != nil, below != nil, answers != nil].filter { $0 }.count
            guard given == 1 else {
                throw fail("above", "give exactly one of above, below or answers (got \(given))")
            }
            if let answers {
                if answers.isEmpty { throw fail("answers", "the list is empty; name at least one answer") }
                if let unknown = answers.first(where: { !vocabulary.contains($0) }) {
                    throw fail("answers", "\"\(unknown)\" is not in the answer vocabulary, so it never occurs in training anyway")
                }
            }
        case .textShortcut:
            guard let phrase, !QuestionTokenizer.split(phrase).isEmpty else {
                throw fail("phrase", "missing or without words; give the phrase to insert, e.g. \"at first glance\"")
            }
            try checkAnswer(vocabulary, fail)
        case .modalityBias, .bindingConfusion:
            guard share != nil else { throw fail("share", "missing; give the share of examples to plant, 0...1") }
        }
    }

    private func checkAnswer(
        _ vocabulary: AnswerVocabulary, _ fail: (String, String) -> ZooConfigurationError
    ) throws(ZooConfigurationError) {
        guard let answer else { throw fail("answer", "missing; give the answer the cue predicts") }
        guard vocabulary.contains(answer) else {
            throw fail("answer", "\"\(answer)\" is not in the answer vocabulary; give an answer such as star, red, yes or 3")
        }
    }
}
