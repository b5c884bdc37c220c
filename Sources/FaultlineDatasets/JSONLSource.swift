import FaultlineCore
import Foundation

/// Probes from a JSON Lines file: one object per line, for data sets of one's own.
///
/// Keys:
/// - `image`: a path, or a list of paths, relative to the JSONL file's folder (or absolute);
///   PNG or JPEG.
/// - `question`: the question; `hint`: optional context put before it.
/// - `options`: optional, a list (lettered A, B, …) or an object keyed `A`, `B`, ….
/// - `answer`: the expected answer — for multiple choice a letter or an option's exact
///   text; for boxes four numbers (a list or text) in fractions or on the 0–1000 grid.
/// - `format`: optional, one of `multiple-choice`, `yes-no`, `number`, `free-text`, `box`;
///   without it, rows with options are multiple choice, yes/no answers are yes/no and the
///   rest free text.
/// - `ability` (an ability name) or `category` (looked up in the mapping).
/// - `id`: optional, unique; the line number otherwise. `factors`: optional object of
///   extra string factors for the failure analysis.
///
/// The prompt is the hint, the question, the lettered options and an instruction naming
/// the answer format, so that the judges can read the answer.
///
/// As `VLMEvalKitTSVSource`, `init` indexes the file (every line parsed and every image
/// decoded), reporting bad lines in `problems` with their line number and skipping them;
/// `samples()` streams the good lines again from their byte offsets.
public struct JSONLSource: ProbeSource {
    /// The JSONL file.
    public let file: URL
    public let mapping: AbilityMapping
    /// The ability of lines with neither a known `ability` nor a mapped `category`.
    public let fallbackAbility: Ability?
    /// Lines per unmapped category.
    public let unmappedCategories: [String: Int]

    private let lines: [RecordLocation]
    private let indexProblems: [DatasetProblem]
    private let stamp: FileStamp
    private let log = ProblemLog()

    public var name: String { "jsonl:\(file.lastPathComponent)" }
    public var count: Int { lines.count }

    /// Bad lines, in order, then any problem met while iterating.
    public var problems: [DatasetProblem] { indexProblems + log.problems }

    /// Indexes `file`, checking every line and image.
    ///
    /// - Throws: `DatasetError` when the file cannot be read.
    public init(file: URL, mapping: AbilityMapping = .default, fallbackAbility: Ability? = nil) throws {
        self.file = file
        self.mapping = mapping
        self.fallbackAbility = fallbackAbility
        let reader: RecordReader
        do {
            stamp = try FileStamp(of: file)
            reader = try RecordReader(url: file, layout: .lines)
        } catch {
            throw DatasetError(
                path: file.path, message: "cannot open the JSONL file (\(error.localizedDescription))",
                advice: "Check the path.")
        }
        let parser = JSONLLineParser(file: file, mapping: mapping, fallbackAbility: fallbackAbility)
        var problems: [DatasetProblem] = []
        var tally = UnmappedTally()
        var lines: [RecordLocation] = []
        var firstLineOfID: [String: Int] = [:]
        var checkedImages: Set<String> = []
        while true {
            let record: RecordReader.Record
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch {
                throw DatasetError(
                    path: file.path, message: "reading failed (\(error.localizedDescription))",
                    advice: "Check the file is readable and complete.")
            }
            do {
                let entry = try parser.parse(record.fields[0], line: record.line)
                if let earlier = firstLineOfID[entry.id] {
                    throw RecordProblem("id", "id \"\(entry.id)\" is used again (first at line \(earlier))")
                }
                firstLineOfID[entry.id] = record.line
                for image in entry.images where !checkedImages.contains(image.path) {
                    try parser.check(image)
                    checkedImages.insert(image.path)
                }
                lines.append(RecordLocation(offset: record.offset, line: record.line))
            } catch let problem as RecordProblem {
                tally.note(problem)
                problems.append(problem.located(file: file.lastPathComponent, line: record.line))
            } catch {
                problems.append(
                    DatasetProblem(file: file.lastPathComponent, line: record.line, field: "row", message: "\(error)"))
            }
        }
        self.lines = lines
        self.indexProblems = problems
        self.unmappedCategories = tally.counts
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    /// The probes from the `start`-th good line on, reading from that line's offset.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        let lines = self.lines
        let file = self.file
        let stamp = self.stamp
        let log = self.log
        let parser = JSONLLineParser(file: file, mapping: mapping, fallbackAbility: fallbackAbility)
        let source = name
        return AnySequence { () -> AnyIterator<ProbeSample> in
            guard start < lines.count else { return AnyIterator { nil } }
            var position = start
            var reader: RecordReader?
            var finished = false
            var lastImage: (path: String, image: StoredImage)?
            return AnyIterator {
                guard !finished, position < lines.count else { return nil }
                let location = lines[position]
                do {
                    if reader == nil {
                        guard (try? FileStamp(of: file)) == stamp else {
                            throw RecordProblem("file", "the file changed after it was indexed; index it again")
                        }
                        reader = try RecordReader(
                            url: file, layout: .lines, offset: location.offset, line: location.line)
                    }
                    var record = try reader?.next()
                    while let current = record, current.offset < location.offset { record = try reader?.next() }
                    guard let record, record.offset == location.offset else {
                        throw RecordProblem("row", "the line is no longer where it was indexed; index the file again")
                    }
                    let entry = try parser.parse(record.fields[0], line: record.line)
                    var images: [StoredImage] = []
                    for image in entry.images {
                        if let last = lastImage, last.path == image.path {
                            images.append(last.image)
                        } else {
                            let stored = try parser.stored(image)
                            lastImage = (image.path, stored)
                            images.append(stored)
                        }
                    }
                    position += 1
                    return parser.sample(entry, images: images, source: source)
                } catch let problem as RecordProblem {
                    log.record(problem.located(file: file.lastPathComponent, line: location.line))
                } catch {
                    log.record(
                        DatasetProblem(
                            file: file.lastPathComponent, line: location.line, field: "row",
                            message: "reading failed after indexing (\(error)); index the file again"))
                }
                finished = true
                return nil
            }
        }
    }
}

/// One line's values.
private struct JSONLEntry {
    struct ImagePath {
        /// As written in the file, for messages.
        var written: String
        /// Resolved against the JSONL file's folder.
        var path: String
    }

    var id: String
    var images: [ImagePath]
    var question: String
    var hint: String?
    var options: [String]
    var answer: String
    var format: AnswerFormat
    var category: String?
    var ability: Ability
    var factors: [String: String]
}

private struct JSONLLineParser: Sendable {
    let file: URL
    let mapping: AbilityMapping
    let fallbackAbility: Ability?

    func parse(_ bytes: [UInt8], line: Int) throws(RecordProblem) -> JSONLEntry {
        let object: [String: JSONValue]
        do {
            guard case .object(let parsed) = try JSONValue.parse(bytes) else {
                throw RecordProblem("row", "the line is JSON but not an object")
            }
            object = parsed
        } catch let problem as RecordProblem {
            throw problem
        } catch {
            throw RecordProblem("row", "the line is not valid JSON (\(error))")
        }

        let id = try Self.text(object["id"], key: "id") ?? "line-\(line)"
        guard let question = try Self.text(object["question"], key: "question"), !question.isEmpty else {
            throw RecordProblem("question", "there is no question")
        }
        let hint = try Self.text(object["hint"], key: "hint")
        let images = try imagePaths(object["image"])
        let options = try Self.options(object["options"])
        let format = try Self.format(object["format"], options: options, answer: object["answer"])
        let answer = try Self.answer(object["answer"], format: format, options: options)
        let category = try Self.text(object["category"], key: "category")
        let ability = try ability(object["ability"], category: category)
        var factors: [String: String] = ["format": format.rawValue]
        if let category { factors["category"] = category }
        switch object["factors"] {
        case nil, .null?: break
        case .object(let pairs)?:
            for (name, level) in pairs {
                guard let text = try Self.text(level, key: "factors.\(name)") else { continue }
                factors[name] = text
            }
        default:
            throw RecordProblem("factors", "factors must be an object of names to text levels")
        }
        return JSONLEntry(
            id: id, images: images, question: question, hint: hint, options: options, answer: answer,
            format: format, category: category, ability: ability, factors: factors)
    }

    /// Checks that an image file exists and decodes, without keeping its pixels.
    func check(_ image: JSONLEntry.ImagePath) throws(RecordProblem) {
        let data = try contents(of: image)
        do {
            _ = try ImageLoading.decode(data)
        } catch {
            throw RecordProblem("image", "\(image.written): \(error.description)")
        }
    }

    /// Reads an image file, decodes it and encodes it as PNG for the store.
    func stored(_ image: JSONLEntry.ImagePath) throws(RecordProblem) -> StoredImage {
        let data = try contents(of: image)
        do {
            return try ImageLoading.stored(data)
        } catch {
            throw RecordProblem("image", "\(image.written): \(error.description)")
        }
    }

    private func contents(of image: JSONLEntry.ImagePath) throws(RecordProblem) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: image.path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: image.path)
            throw RecordProblem(
                "image",
                exists
                    ? "cannot read \(image.written) (\(error.localizedDescription))"
                    : "no image file at \(image.written) (looked for \(image.path))")
        }
    }

    func sample(_ entry: JSONLEntry, images: [StoredImage], source: String) -> ProbeSample {
        let prompt =
            entry.format == .multipleChoice
            ? PromptWriting.multipleChoice(question: entry.question, hint: entry.hint, options: entry.options)
            : PromptWriting.open(question: entry.question, hint: entry.hint, format: entry.format)
        let probe = Probe(
            id: entry.id, images: images.map(\.reference), prompt: prompt,
            expected: ExpectedAnswer(
                text: entry.answer, format: entry.format,
                choices: entry.format == .multipleChoice ? entry.options : nil),
            ability: entry.ability, lineage: Lineage(source: source, seed: 0, factors: entry.factors))
        return ProbeSample(probe: probe, imagePNGs: images.map(\.png))
    }

    // MARK: Fields

    private func imagePaths(_ value: JSONValue?) throws(RecordProblem) -> [JSONLEntry.ImagePath] {
        let written: [String]
        switch value {
        case .string(let path)?: written = [path]
        case .array(let items)?:
            var paths: [String] = []
            for item in items {
                guard case .string(let path) = item else {
                    throw RecordProblem("image", "the image list must hold paths")
                }
                paths.append(path)
            }
            written = paths
        case nil, .null?: throw RecordProblem("image", "there is no image")
        default: throw RecordProblem("image", "the image must be a path or a list of paths")
        }
        guard !written.isEmpty, !written.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw RecordProblem("image", "an image path is empty")
        }
        let folder = file.deletingLastPathComponent()
        return written.map { path in
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
            return JSONLEntry.ImagePath(written: path, path: url.standardizedFileURL.path)
        }
    }

    private static func options(_ value: JSONValue?) throws(RecordProblem) -> [String] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            guard items.count <= 26 else { throw RecordProblem("options", "there are more than 26 options") }
            return try items.enumerated().map { (offset, item) throws(RecordProblem) in
                guard let text = try text(item, key: "options"), !text.isEmpty else {
                    throw RecordProblem("options", "option \(ChoiceExtractor.letter(at: offset)) is empty")
                }
                return text
            }
        case .object(let lettered)?:
            guard lettered.count <= 26 else { throw RecordProblem("options", "there are more than 26 options") }
            var options: [String] = []
            for offset in 0..<lettered.count {
                let letter = ChoiceExtractor.letter(at: offset)
                guard let item = lettered[letter] ?? lettered[letter.lowercased()] else {
                    throw RecordProblem(
                        "options", "option \(letter) is missing; options keyed by letter must run A, B, C… without gaps"
                    )
                }
                guard let text = try text(item, key: "options.\(letter)"), !text.isEmpty else {
                    throw RecordProblem("options", "option \(letter) is empty")
                }
                options.append(text)
            }
            return options
        default:
            throw RecordProblem("options", "options must be a list or an object keyed A, B, …")
        }
    }

    private static func format(_ value: JSONValue?, options: [String], answer: JSONValue?) throws(RecordProblem)
        -> AnswerFormat
    {
        switch value {
        case nil, .null?:
            if !options.isEmpty { return .multipleChoice }
            if case .string(let text)? = answer, ["yes", "no"].contains(text.lowercased()) { return .yesNo }
            if case .bool? = answer { return .yesNo }
            return .freeText
        case .string(let name)?:
            guard let format = AnswerFormat(rawValue: name) else { fallthrough }
            if format == .multipleChoice, options.isEmpty {
                throw RecordProblem("options", "a multiple-choice line needs options")
            }
            return format
        default:
            throw RecordProblem(
                "format",
                "format \(value?.description ?? "") is not one of multiple-choice, yes-no, number, free-text, box")
        }
    }

    /// The expected answer in the form its judge reads.
    private static func answer(_ value: JSONValue?, format: AnswerFormat, options: [String]) throws(RecordProblem)
        -> String
    {
        switch format {
        case .box:
            let written: String
            switch value {
            case .array(let items)?: written = "[" + items.compactMap(\.scalarText).joined(separator: ", ") + "]"
            case .string(let text)?: written = text
            default: throw RecordProblem("answer", "a box answer must be four numbers")
            }
            switch BoxJudge.box(in: written) {
            case .success(let box): return "\(box.x0),\(box.y0),\(box.x1),\(box.y1)"
            case .failure(let problem): throw RecordProblem("answer", "the box \(written) is unreadable: \(problem)")
            }
        case .yesNo:
            if case .bool(let flag)? = value { return flag ? "yes" : "no" }
            guard let text = try text(value, key: "answer"), ["yes", "no"].contains(text.lowercased()) else {
                throw RecordProblem("answer", "a yes-no answer must be yes or no")
            }
            return text.lowercased()
        case .number:
            guard let text = try text(value, key: "answer"), Double(text) != nil else {
                throw RecordProblem("answer", "a number answer must be a number")
            }
            return text
        case .freeText:
            guard let text = try text(value, key: "answer"), !text.isEmpty else {
                throw RecordProblem("answer", "there is no answer")
            }
            return text
        case .multipleChoice:
            guard let text = try text(value, key: "answer"), !text.isEmpty else {
                throw RecordProblem("answer", "there is no answer")
            }
            let letters = options.indices.map(ChoiceExtractor.letter(at:))
            if letters.contains(text.uppercased()) { return text.uppercased() }
            if let match = options.firstIndex(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) {
                return letters[match]
            }
            throw RecordProblem(
                "answer",
                "the answer \"\(text)\" is neither an option letter (\(letters.joined(separator: ", "))) nor an option's text"
            )
        }
    }

    private func ability(_ value: JSONValue?, category: String?) throws(RecordProblem) -> Ability {
        switch value {
        case nil, .null?: break
        case .string(let name)?:
            if let ability = Ability(rawValue: name.lowercased().replacingOccurrences(of: "_", with: "-")) {
                return ability
            }
            fallthrough
        default:
            throw RecordProblem(
                "ability",
                "ability \(value?.description ?? "") is not one of \(Ability.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let category, let ability = mapping.ability(for: category) { return ability }
        if let fallbackAbility { return fallbackAbility }
        guard let category else {
            throw RecordProblem(
                "ability", "there is neither an ability nor a category; add one, or pass a fallback ability")
        }
        throw RecordProblem(
            "category", "category \"\(category)\" is not in the ability mapping; add it to a mapping file",
            unmappedCategory: category)
    }

    /// A string, or a number or boolean written as text; `nil` when absent.
    private static func text(_ value: JSONValue?, key: String) throws(RecordProblem) -> String? {
        switch value {
        case nil, .null?: return nil
        case let scalar?:
            guard let text = scalar.scalarText else { throw RecordProblem(key, "\(key) must be text or a number") }
            return text
        }
    }
}
