import FaultlineCore
import Foundation

/// Prompts in the form the judges read: each ends with an instruction that names the
/// answer format, so that a model's free text can be judged without a language model.
enum PromptWriting {
    static let multipleChoiceInstruction = "Answer with the option's letter."

    /// Hint, question, the lettered options one per line, and the instruction.
    static func multipleChoice(question: String, hint: String?, options: [String]) -> String {
        var lines: [String] = []
        if let hint, !hint.isEmpty { lines.append("Hint: \(hint)") }
        lines.append(question)
        for (index, option) in options.enumerated() {
            lines.append("\(ChoiceExtractor.letter(at: index)). \(option)")
        }
        lines.append(multipleChoiceInstruction)
        return lines.joined(separator: "\n")
    }

    /// The question with the instruction for its format, unless the question already asks
    /// for it (MME's questions end with "Please answer yes or no.").
    static func open(question: String, hint: String?, format: AnswerFormat) -> String {
        var lines: [String] = []
        if let hint, !hint.isEmpty { lines.append("Hint: \(hint)") }
        lines.append(question)
        switch format {
        case .yesNo:
            if question.range(of: "yes or no", options: .caseInsensitive) == nil { lines.append("Answer yes or no.") }
        case .number: lines.append("Answer with a number.")
        case .freeText: lines.append("Answer with a single word or phrase.")
        case .box:
            lines.append("Answer with the bounding box as [x0, y0, x1, y1] in fractions of the image width and height.")
        case .multipleChoice: lines.append(multipleChoiceInstruction)
        }
        return lines.joined(separator: "\n")
    }
}

/// A problem with one record, before the file and line are attached.
struct RecordProblem: Error {
    var field: String
    var message: String
    /// Set when the problem is an unmapped category: the name(s) that were tried.
    var unmappedCategory: String?

    init(_ field: String, _ message: String, unmappedCategory: String? = nil) {
        self.field = field
        self.message = message
        self.unmappedCategory = unmappedCategory
    }

    func located(file: String, line: Int) -> DatasetProblem {
        DatasetProblem(file: file, line: line, field: field, message: message)
    }
}

/// Whether a file still is the one that was indexed, so a lazy sequence does not read a
/// file that was replaced under it.
struct FileStamp: Sendable, Equatable {
    var size: UInt64
    var modified: Date?

    init(of url: URL) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        modified = attributes[.modificationDate] as? Date
    }
}

/// Where a record that passed the index pass is.
struct RecordLocation: Sendable, Equatable {
    var offset: UInt64
    var line: Int
}

/// Counts rejected records per unmapped category, for the import summary.
struct UnmappedTally {
    private(set) var counts: [String: Int] = [:]

    mutating func note(_ problem: RecordProblem) {
        if let category = problem.unmappedCategory { counts[category, default: 0] += 1 }
    }
}
