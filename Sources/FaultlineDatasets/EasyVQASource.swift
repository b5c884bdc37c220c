import FaultlineCore
import Foundation

/// Probes from easy-VQA (Victor Zhou's synthetic VQA set: one coloured shape on a 64×64
/// image; PyPI `easy-vqa` 1.0), as the set-up installs it.
///
/// Layout, as inside the wheel's `easy_vqa/` package folder:
/// `data/answers.txt`, `data/{train,test}/questions.json` (a list of
/// `[question, answer, image id]`) and `data/{train,test}/images/<id>.png`. `directory` may
/// be the package folder (holding `data/`) or the `data/` folder itself.
///
/// Questions map to probes by their answer:
/// - a colour ("what is the color of the triangle?") → free text, attribute;
/// - a shape ("what is the red shape?") → free text, entity (naming the object seen);
/// - yes/no about a shape ("does the image contain a circle?") → yes/no, entity;
/// - yes/no about a colour ("is there a blue shape?") → yes/no, attribute.
///
/// Factors: `question-type` (`color`, `shape`, `shape-presence`, `color-presence`),
/// `answer`, and `negated` (`yes` for the set's "is there not a …" and "is no … present"
/// questions, which invert the usual answer).
///
/// Images are checked when the source is made; each is decoded and encoded as PNG once per
/// run of consecutive questions about it (the file lists an image's questions together).
public struct EasyVQASource: ProbeSource {
    /// The data split.
    public enum Split: String, Sendable, CaseIterable {
        case train, test
    }

    /// One question of the set.
    public struct Question: Sendable, Equatable {
        public var text: String
        public var answer: String
        public var imageID: Int
    }

    /// The folder holding `train/`, `test/` and `answers.txt`.
    public let dataDirectory: URL
    public let split: Split
    /// The questions used, in file order (the first `limit` if a limit was given).
    public let questions: [Question]

    public var name: String { "easy-vqa:\(split.rawValue)" }
    public var count: Int { questions.count }

    /// Problems met while iterating: only an image changed or removed since `init` checked
    /// it, which ends the sequence.
    public var problems: [DatasetProblem] { log.problems }

    private let log = ProblemLog()

    /// The colour answers of easy-VQA; the other non-yes/no answers are shapes.
    public static let colors: Set<String> = ["red", "green", "blue", "black", "gray", "teal", "brown", "yellow"]
    public static let shapes: Set<String> = ["circle", "rectangle", "triangle"]

    /// Reads the split's questions and checks that every image they use decodes.
    ///
    /// - Parameters:
    ///   - directory: The installed package folder, e.g. `$FAULTLINE_HOME/data/easy-vqa`, or
    ///     its `data/` folder.
    ///   - limit: Use only the first `limit` questions.
    /// - Throws: `DatasetError` when the questions file is missing or malformed, an answer
    ///   is not one of easy-VQA's, or an image is missing or unreadable.
    public init(directory: URL, split: Split, limit: Int? = nil) throws {
        if let limit { precondition(limit >= 0, "limit must be ≥ 0") }
        let nested = directory.appendingPathComponent("data", isDirectory: true)
        dataDirectory =
            FileManager.default.fileExists(atPath: nested.appendingPathComponent(split.rawValue).path)
            ? nested : directory
        self.split = split
        let questionsFile = dataDirectory.appendingPathComponent(split.rawValue).appendingPathComponent(
            "questions.json")
        let data: Data
        do {
            data = try Data(contentsOf: questionsFile)
        } catch {
            throw DatasetError(
                path: questionsFile.path, message: "cannot read easy-VQA's questions",
                advice: "Run scripts/install.sh, which places easy-VQA in $FAULTLINE_HOME/data/easy-vqa.")
        }
        let rows: [[JSONValue]]
        do {
            rows = try JSONDecoder().decode([[JSONValue]].self, from: data)
        } catch {
            throw DatasetError(
                path: questionsFile.path, message: "the questions are not a JSON list of [question, answer, image id]",
                advice: "Reinstall easy-VQA with scripts/install.sh.")
        }
        var questions: [Question] = []
        for (position, row) in rows.prefix(limit ?? rows.count).enumerated() {
            guard row.count == 3, case .string(let text) = row[0], case .string(let answer) = row[1],
                case .number(let id) = row[2], id >= 0, id == id.rounded()
            else {
                throw DatasetError(
                    path: questionsFile.path, message: "question \(position) is not [question, answer, image id]",
                    advice: "Reinstall easy-VQA with scripts/install.sh.")
            }
            guard Self.colors.contains(answer) || Self.shapes.contains(answer) || answer == "yes" || answer == "no"
            else {
                throw DatasetError(
                    path: questionsFile.path,
                    message: "question \(position) has the answer \"\(answer)\", which easy-VQA does not use",
                    advice: "Reinstall easy-VQA with scripts/install.sh.")
            }
            questions.append(Question(text: text, answer: answer, imageID: Int(id)))
        }
        self.questions = questions
        for imageID in Set(questions.map(\.imageID)).sorted() {
            let file = imageFile(imageID)
            do {
                _ = try ImageLoading.decode(try Data(contentsOf: file))
            } catch let unreadable as ImageLoading.Unreadable {
                throw DatasetError(path: file.path, message: unreadable.description, advice: "Reinstall easy-VQA.")
            } catch {
                throw DatasetError(
                    path: file.path, message: "image \(imageID) is missing",
                    advice: "Reinstall easy-VQA with scripts/install.sh.")
            }
        }
    }

    /// The PNG file of an image.
    public func imageFile(_ imageID: Int) -> URL {
        dataDirectory.appendingPathComponent(split.rawValue).appendingPathComponent("images")
            .appendingPathComponent("\(imageID).png")
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    /// The probes from question `start` on; questions are held in memory, so this jumps.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        let source = self
        return AnySequence { () -> AnyIterator<ProbeSample> in
            var position = start
            var current: (id: Int, image: StoredImage)?
            return AnyIterator {
                guard position < source.questions.count else { return nil }
                let question = source.questions[position]
                let index = position
                position += 1
                let image: StoredImage
                if let current, current.id == question.imageID {
                    image = current.image
                } else {
                    // Checked in init; failing now means the files changed since.
                    let file = source.imageFile(question.imageID)
                    do {
                        image = try ImageLoading.stored(try Data(contentsOf: file))
                    } catch {
                        // The "line" is the question's 1-based position in questions.json.
                        source.log.record(
                            DatasetProblem(
                                file: "questions.json", line: index + 1, field: "image",
                                message: "\(file.lastPathComponent) became unreadable after the source was made"
                                    + " (\(error)); make the source again"
                            ))
                        position = source.questions.count
                        return nil
                    }
                    current = (question.imageID, image)
                }
                return source.sample(question, index: index, image: image)
            }
        }
    }

    /// What kind of question a question is, from its answer and wording.
    public static func questionType(_ question: Question) -> String {
        if colors.contains(question.answer) { return "color" }
        if shapes.contains(question.answer) { return "shape" }
        let words = Set(ResponseWords.of(question.text))
        return words.isDisjoint(with: colors) ? "shape-presence" : "color-presence"
    }

    /// Whether a yes/no question is asked in the negative ("is there not a …", "is no … present").
    public static func isNegated(_ question: Question) -> Bool {
        let words = Set(ResponseWords.of(question.text))
        return (question.answer == "yes" || question.answer == "no") && !words.isDisjoint(with: ["not", "no"])
    }

    private func sample(_ question: Question, index: Int, image: StoredImage) -> ProbeSample {
        let type = Self.questionType(question)
        let format: AnswerFormat = type.hasSuffix("presence") ? .yesNo : .freeText
        let ability: Ability = (type == "color" || type == "color-presence") ? .attribute : .entity
        var factors = ["question-type": type, "answer": question.answer]
        if format == .yesNo { factors["negated"] = Self.isNegated(question) ? "yes" : "no" }
        let prompt =
            format == .yesNo
            ? PromptWriting.open(question: question.text, hint: nil, format: .yesNo)
            : "\(question.text)\nAnswer with a single word."
        let probe = Probe(
            id: String(format: "easyvqa-%@-%05d", split.rawValue, index), images: [image.reference], prompt: prompt,
            expected: ExpectedAnswer(text: question.answer, format: format), ability: ability,
            lineage: Lineage(source: name, seed: 0, factors: factors))
        return ProbeSample(probe: probe, imagePNGs: [image.png])
    }
}

/// Lower-case words of a question.
private enum ResponseWords {
    static func of(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
    }
}
