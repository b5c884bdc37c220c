import FaultlineCore
import FaultlineScenes
import Foundation

/// The text the image-heavy perturbations add: unrelated facts, misleading sentences naming
/// a wrong answer, and OCR-like garbage.
///
/// Everything is drawn from a `SeededGenerator`, so the same stream gives the same text on
/// every machine. The banks are written to carry no hint about any scene question: no
/// digits, and none of the words questions ask about or answer with (colours, shapes, sizes,
/// positions, numbers, yes or no).
public enum InterferenceTexts {
    // MARK: - Irrelevant facts

    /// True statements from science and history that have nothing to do with any scene.
    public static let irrelevantFacts: [String] = [
        "Water molecules are made of hydrogen and oxygen atoms.",
        "King John of England sealed the Magna Carta at Runnymede.",
        "Isaac Newton described the laws of motion and of universal gravitation.",
        "Marie Curie won Nobel Prizes in both physics and chemistry.",
        "Sound travels faster through water than through air.",
        "Charles Darwin proposed the theory of evolution by natural selection.",
        "Plants use sunlight to turn water and carbon dioxide into sugar.",
        "Johannes Gutenberg brought printing with movable type to Europe.",
        "Mount Everest is the highest mountain on Earth.",
        "Roman engineers built aqueducts to carry water into their cities.",
        "Alexander Fleming discovered penicillin in a mould.",
        "The human heart pumps blood through arteries and veins.",
        "The pull of the Moon is the main cause of ocean tides.",
        "Gregor Mendel studied heredity by breeding pea plants.",
        "The Wright brothers built and flew an early powered aeroplane.",
        "Electrons carry a negative electric charge.",
        "The Silk Road linked merchants in China with the Mediterranean world.",
        "Copper conducts electricity well, so it is used in electrical wiring.",
        "The Renaissance began in the cities of Italy.",
        "Volcanoes erupt where molten rock reaches the surface of the Earth.",
        "Johannes Kepler showed that planets travel in elliptical orbits.",
        "The Rosetta Stone helped scholars decipher Egyptian hieroglyphs.",
        "Bats find their way at night by echolocation.",
        "Louis Pasteur showed that microbes cause disease.",
        "The Industrial Revolution began in Britain.",
        "Balloons filled with helium float because helium is lighter than air.",
        "Galileo Galilei observed the moons of Jupiter through a telescope.",
        "The Nile flows northward into the Mediterranean Sea.",
        "Vaccines train the immune system to recognise germs.",
        "The ancient Greeks held athletic games at Olympia.",
        "Earthquakes happen when plates of the crust of the Earth slip.",
        "Ada Lovelace wrote about programs for the Analytical Engine of Charles Babbage.",
        "Iron rusts when it reacts with oxygen and water.",
        "Rainforests are home to a great variety of plant and animal species.",
        "Dmitri Mendeleev arranged the chemical elements by their properties.",
        "Sailors in medieval China used the magnetic compass for navigation.",
        "Ice floats because it is lighter than the liquid water it displaces.",
        "Julius Caesar crossed the Rubicon with his army.",
        "Alfred Wegener proposed that the continents drift slowly.",
        "The Inca built a network of roads through the Andes.",
        "Fossils show that dinosaurs died out ages before humans appeared.",
        "Benjamin Franklin studied lightning with experiments on electricity.",
    ]

    /// Two different facts from `irrelevantFacts`, as one line.
    public static func irrelevantFactsLine(rng: inout SeededGenerator) -> String {
        let first = Int(rng.next() % UInt64(irrelevantFacts.count))
        // An offset in 1..<count always lands on a different fact.
        let offset = 1 + Int(rng.next() % UInt64(irrelevantFacts.count - 1))
        let second = (first + offset) % irrelevantFacts.count
        return irrelevantFacts[first] + " " + irrelevantFacts[second]
    }

    // MARK: - Misleading descriptions

    /// The place in a wording where the wrong answer goes.
    public static let answerPlaceholder = "{answer}"

    /// Wordings that describe the picture, for multiple-choice answers (an option's text).
    public static let descriptionWordings: [String] = [
        "This seems to show {answer}.",
        "It looks like {answer}.",
        "The picture probably shows {answer}.",
    ]

    /// Wordings that state an answer, for yes/no and number answers, where "it looks like
    /// no" would not read as English.
    public static let answerWordings: [String] = [
        "The answer seems to be {answer}.",
        "It looks like the answer is {answer}.",
        "The answer is most likely {answer}.",
    ]

    /// The wordings used for answers of `format`.
    public static func misleadingWordings(for format: AnswerFormat) -> [String] {
        format == .multipleChoice ? descriptionWordings : answerWordings
    }

    /// A sentence naming `wrongAnswer`, in wording number `variant` (taken modulo the number
    /// of wordings, so callers can rotate through them by probe index).
    public static func misleadingSentence(naming wrongAnswer: String, format: AnswerFormat, variant: Int) -> String {
        let wordings = misleadingWordings(for: format)
        let index = ((variant % wordings.count) + wordings.count) % wordings.count
        return wordings[index].replacingOccurrences(of: answerPlaceholder, with: wrongAnswer)
    }

    /// A wrong answer of the same kind as `expected`: for multiple choice the text of a
    /// wrong option, for yes/no the opposite answer, for a number a nearby different number
    /// that is not negative. Nil for formats the interference audit does not ask in (free
    /// text, boxes) and for multiple choice without a wrong option.
    public static func wrongAnswer(for expected: ExpectedAnswer, rng: inout SeededGenerator) -> String? {
        switch expected.format {
        case .multipleChoice:
            guard let choices = expected.choices else { return nil }
            let rightIndex = QuestionPrompt.letterIndex(expected.text)
            let right = rightIndex.flatMap { choices.indices.contains($0) ? choices[$0] : nil }
            let wrong = choices.indices.filter { $0 != rightIndex && choices[$0] != right }
            guard !wrong.isEmpty else { return nil }
            return choices[wrong[Int(rng.next() % UInt64(wrong.count))]]
        case .yesNo:
            return expected.text.lowercased() == "yes" ? "no" : "yes"
        case .number:
            return nearbyWrongNumber(expected.text, rng: &rng)
        case .freeText, .box:
            return nil
        }
    }

    /// A number near `text` but not equal to it and not negative: off by one step, or two,
    /// where a step is a tenth of the value (at least 1), so that a chart value of 350 gets
    /// 315 or 385 rather than a near-identical 351.
    static func nearbyWrongNumber(_ text: String, rng: inout SeededGenerator) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let value = Int(trimmed) {
            let step = max(1, Int((Double(abs(value)) * 0.1).rounded()))
            let candidates = [value + step, value - step, value + 2 * step, value - 2 * step].filter {
                $0 >= 0 && $0 != value
            }
            guard !candidates.isEmpty else { return String(abs(value) + step) }
            return String(candidates[Int(rng.next() % UInt64(candidates.count))])
        }
        if let value = Double(trimmed), value.isFinite {
            let step = max(1, (abs(value) * 0.1).rounded())
            let candidates = [value + step, value - step, value + 2 * step].filter { $0 >= 0 && $0 != value }
            let chosen = candidates.isEmpty ? abs(value) + step : candidates[Int(rng.next() % UInt64(candidates.count))]
            return chosen == chosen.rounded() && chosen < 1e15 ? String(Int(chosen)) : String(chosen)
        }
        // Not a number at all: any number is wrong.
        return "1"
    }

    // MARK: - OCR noise

    /// Fragments of form fields, the kind of text OCR pulls out of scanned business forms.
    public static let formWords: [String] = [
        "Name", "Date", "Signature", "Address", "Phone", "Fax", "Ref", "Dept", "Account", "Invoice", "Amount",
        "Subject", "Approved", "Received", "Submitted", "Company", "Office", "Code", "Page", "File", "Client",
        "Attn", "Memo", "Form", "Tel", "Email", "Street", "Title", "Status", "Remarks", "Issued", "Branch",
        "Project", "Contact", "Budget", "Sales", "Region", "Manager", "Division", "Report", "Period", "Batch",
        "Quantity", "Vendor", "Billing", "Postal", "Initials", "Supervisor", "Comments", "Reviewed", "Filed",
        "Copy", "Distribution", "Brand", "Program", "Request", "Dated", "Telephone", "Department",
    ]

    /// Stray marks OCR picks up from rules, boxes and specks.
    public static let strayMarks: [String] = [".", ",", ":", ";", "'", "|", "_", "~", "-", "*", "\"", "`"]

    /// Tokens that are nothing but residue of the form's lines and boxes.
    static let residueTokens: [String] = ["____", "[_]", "...", "|", "//", "--", "::", "_."]

    /// Single characters OCR commonly confuses, and what it reads instead.
    static let characterConfusions: [Character: [String]] = [
        "O": ["0"], "o": ["0"], "l": ["1", "I", "|"], "I": ["l", "1"], "i": ["l", "1"], "S": ["5"], "s": ["5"],
        "B": ["8"], "e": ["c"], "g": ["9", "q"], "Z": ["2"], "t": ["f"], "h": ["b"], "n": ["ri"], "u": ["v"],
    ]

    /// Letter pairs OCR reads as one letter and back ("rn" as "m").
    static let pairConfusions: [(String, String)] = [("rn", "m"), ("m", "rn"), ("cl", "d"), ("w", "vv"), ("d", "cl")]

    /// How many tokens an OCR noise line has.
    public static let ocrTokenRange = 6...12

    /// A line of OCR-like garbage: `ocrTokenRange` tokens of form-field words with
    /// character confusions (O→0, l→1, S→5, rn→m…), stray punctuation and residue of rules
    /// and boxes, separated by single spaces.
    public static func ocrNoiseLine(rng: inout SeededGenerator) -> String {
        let count = ocrTokenRange.lowerBound + Int(rng.next() % UInt64(ocrTokenRange.count))
        return (0..<count).map { _ in ocrToken(rng: &rng) }.joined(separator: " ")
    }

    static func ocrToken(rng: inout SeededGenerator) -> String {
        if rng.unit() < 0.15 { return pick(residueTokens, &rng) }
        var word = pick(formWords, &rng)
        if rng.unit() < 0.2 { word = word.uppercased() }
        if rng.unit() < 0.5 {
            let applicable = pairConfusions.filter { word.contains($0.0) }
            if !applicable.isEmpty {
                let (from, to) = applicable[Int(rng.next() % UInt64(applicable.count))]
                if let range = word.range(of: from) { word.replaceSubrange(range, with: to) }
            }
        }
        var confused = ""
        for character in word {
            if let readings = characterConfusions[character], rng.unit() < 0.25 {
                confused += pick(readings, &rng)
            } else {
                confused.append(character)
            }
        }
        // Form fields end in a colon more often than not; OCR keeps or mangles it.
        if rng.unit() < 0.4 { confused += ":" }
        if rng.unit() < 0.3 { confused += pick(strayMarks, &rng) }
        if rng.unit() < 0.1 { confused = pick(strayMarks, &rng) + confused }
        return confused
    }

    private static func pick(_ items: [String], _ rng: inout SeededGenerator) -> String {
        items[Int(rng.next() % UInt64(items.count))]
    }
}
