import FaultlineCore
import Foundation

/// Probes from a VLMEvalKit benchmark TSV (MMBench, SEED-Bench, MMStar, MME, …).
///
/// Columns: `index`, `image` (base64 PNG or JPEG; a list `['…', '…']` for several images;
/// or, as VLMEvalKit writes to save space, the `index` of another row whose image is
/// reused), `question`, option columns `A`, `B`, … (empty when a question has fewer),
/// `answer`, `category`, and optionally `hint` and `l2-category` (or `l2_category`). A row
/// with options becomes a multiple-choice probe whose answer is a letter; a row without
/// options whose answer is yes or no (MME) becomes a yes/no probe.
///
/// The ability is the mapping's for `category`, else for the L2 category (MMStar keeps its
/// ability names there), else `fallbackAbility`.
///
/// **Reading in two passes.** `init` streams the whole file once, in chunks, and checks
/// every row completely, images decoded included. Bad rows are listed in `problems` with
/// their line and skipped; the good rows' byte offsets are kept, so `count` is exact (the
/// runner relies on it to resume) and `samples(from:)` seeks straight to a row instead of
/// re-reading the rows before it. `samples()` then streams the good rows again, decoding
/// and re-encoding each image as PNG as it goes, so memory stays bounded by one row
/// whatever the file's size. The index pass costs about one image decode per row.
///
/// Problems are therefore known before iteration starts. The only ones iteration can
/// meet are those of a file changed since it was indexed; the sequence then stops, and
/// the problem is added to `problems` (a lazy sequence cannot return it, so it is recorded
/// in storage shared by all copies of the source).
public struct VLMEvalKitTSVSource: ProbeSource {
    /// The TSV file.
    public let file: URL
    public let mapping: AbilityMapping
    /// The ability of rows whose category the mapping does not cover; `nil` rejects them.
    public let fallbackAbility: Ability?
    /// Rows per unmapped category name (as `category`, or `category / l2-category`).
    public let unmappedCategories: [String: Int]

    private let columns: TSVColumns
    private let rows: [IndexedRow]
    private let indexProblems: [DatasetProblem]
    private let stamp: FileStamp
    private let log = ProblemLog()

    public var name: String { "tsv:\(file.lastPathComponent)" }
    public var count: Int { rows.count }

    /// Bad rows, in line order, then any problem met while iterating.
    public var problems: [DatasetProblem] { indexProblems + log.problems }

    /// Indexes `file`, checking every row.
    ///
    /// - Throws: `DatasetError` when the file cannot be read, is empty, or lacks a required
    ///   column (`index`, `image`, `question`, `answer`; `category` unless `fallbackAbility`
    ///   is given).
    public init(file: URL, mapping: AbilityMapping = .default, fallbackAbility: Ability? = nil) throws {
        self.file = file
        self.mapping = mapping
        self.fallbackAbility = fallbackAbility
        let fileName = file.lastPathComponent
        let reader: RecordReader
        do {
            stamp = try FileStamp(of: file)
            reader = try RecordReader(url: file, layout: .tabSeparated)
        } catch {
            throw DatasetError(
                path: file.path, message: "cannot open the TSV (\(error.localizedDescription))",
                advice: "Check the path; VLMEvalKit keeps its TSVs in $LMUData, by default ~/LMUData.")
        }
        let header: RecordReader.Record
        do {
            guard let first = try reader.next() else {
                throw DatasetError(path: file.path, message: "the file is empty", advice: "Download the TSV again.")
            }
            header = first
        } catch let error as DatasetError {
            throw error
        } catch {
            throw DatasetError(
                path: file.path, message: "the header row cannot be read (\(error))",
                advice: "Check that the file is a tab-separated VLMEvalKit TSV.")
        }
        columns = try TSVColumns(
            header: header.fields.map { String(decoding: $0, as: UTF8.self) }, file: file,
            needsCategory: fallbackAbility == nil)
        let parser = TSVRowParser(columns: columns, mapping: mapping, fallbackAbility: fallbackAbility)

        var problems: [DatasetProblem] = []
        var tally = UnmappedTally()
        var candidates: [IndexedRow] = []
        var firstLineOfIndex: [String: Int] = [:]
        var imageRows: [String: RecordLocation] = [:]
        var unreadableImages: [String: String] = [:]
        while true {
            let record: RecordReader.Record
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch let unterminated as RecordReader.UnterminatedQuote {
                problems.append(
                    DatasetProblem(
                        file: fileName, line: unterminated.line, field: "row",
                        message:
                            "a quoted field opens here and never closes, so the rest of the file is lost; fix the quoting"
                    ))
                break
            } catch {
                throw DatasetError(
                    path: file.path, message: "reading failed (\(error.localizedDescription))",
                    advice: "Check the file is readable and complete.")
            }
            let location = RecordLocation(offset: record.offset, line: record.line)
            do {
                let index = try parser.index(of: record.fields)
                if let earlier = firstLineOfIndex[index] {
                    throw RecordProblem("index", "index \(index) is used again (first at line \(earlier))")
                }
                firstLineOfIndex[index] = record.line
                // The image first: a row rejected for another reason may still lend its
                // image to rows that refer to it.
                var image = IndexedRow.Image.own
                switch try parser.image(of: record.fields) {
                case .inline(let encoded):
                    do {
                        for data in encoded { _ = try ImageLoading.decode(data) }
                        imageRows[index] = location
                    } catch {
                        unreadableImages[index] = error.description
                        throw RecordProblem("image", error.description)
                    }
                case .reference(let other):
                    image = .sharedWith(index: other, location: location)
                }
                try parser.validate(try parser.parse(record.fields))
                candidates.append(IndexedRow(location: location, image: image))
            } catch let problem as RecordProblem {
                tally.note(problem)
                problems.append(problem.located(file: fileName, line: record.line))
            } catch {
                problems.append(DatasetProblem(file: fileName, line: record.line, field: "row", message: "\(error)"))
            }
        }

        // Rows that reuse another row's image, resolved now that every row has been seen.
        var rows: [IndexedRow] = []
        for candidate in candidates {
            guard case .sharedWith(let other, let location) = candidate.image else {
                rows.append(candidate)
                continue
            }
            if let source = imageRows[other] {
                rows.append(IndexedRow(location: location, image: .referenced(index: other, location: source)))
            } else {
                let reason =
                    unreadableImages[other].map { "the image is row \(other)'s, which is unreadable: \($0)" }
                    ?? "the image field refers to index \(other), but no row with that index has an image"
                problems.append(DatasetProblem(file: fileName, line: location.line, field: "image", message: reason))
            }
        }
        self.rows = rows
        self.indexProblems = problems.sorted { $0.line < $1.line }
        self.unmappedCategories = tally.counts
    }

    public func samples() -> AnySequence<ProbeSample> { samples(from: 0) }

    /// The probes from the `start`-th good row on, reading from that row's offset.
    public func samples(from start: Int) -> AnySequence<ProbeSample> {
        let rows = self.rows
        let file = self.file
        let stamp = self.stamp
        let log = self.log
        let parser = TSVRowParser(columns: columns, mapping: mapping, fallbackAbility: fallbackAbility)
        let stem = file.deletingPathExtension().lastPathComponent
        let source = name
        return AnySequence { () -> AnyIterator<ProbeSample> in
            guard start < rows.count else { return AnyIterator { nil } }
            var iteration = TSVIteration(
                file: file, rows: rows[start...], stamp: stamp, log: log, parser: parser, stem: stem, source: source)
            return AnyIterator { iteration.next() }
        }
    }
}

/// A good row: where it is and where its image is.
private struct IndexedRow: Sendable {
    enum Image: Sendable {
        /// In the row itself.
        case own
        /// During indexing: the row names another row's index.
        case sharedWith(index: String, location: RecordLocation)
        /// Resolved: the row's image is in the row at `location`.
        case referenced(index: String, location: RecordLocation)
    }

    var location: RecordLocation
    var image: Image
}

/// The column positions of a VLMEvalKit TSV.
private struct TSVColumns: Sendable {
    var count: Int
    var index: Int
    var image: Int
    var question: Int
    var answer: Int
    var hint: Int?
    var category: Int?
    var l2Category: Int?
    /// Option columns `A`, `B`, … in letter order, as many as the header has.
    var options: [Int]

    init(header: [String], file: URL, needsCategory: Bool) throws {
        let trimmed = header.map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ names: String...) -> Int? {
            for name in names { if let found = trimmed.firstIndex(of: name) { return found } }
            return nil
        }
        var missing: [String] = []
        func required(_ name: String) -> Int {
            guard let found = column(name) else {
                missing.append(name)
                return -1
            }
            return found
        }
        count = trimmed.count
        index = required("index")
        image = required("image")
        question = required("question")
        answer = required("answer")
        category = column("category")
        if needsCategory, category == nil { missing.append("category") }
        hint = column("hint")
        l2Category = column("l2-category", "l2_category")
        options = []
        for offset in 0..<26 {
            guard let found = column(ChoiceExtractor.letter(at: offset)) else { break }
            options.append(found)
        }
        guard missing.isEmpty else {
            var advice = "This reads VLMEvalKit image TSVs with index, image, question, answer and category columns."
            if missing.contains("answer") { advice += " Test splits without answers cannot be audited." }
            if missing.contains("image") && trimmed.contains("image_path") {
                advice += " Rows that give only an image_path are not supported; use the TSV with embedded images."
            }
            if missing == ["category"] { advice += " Or pass a fallback ability for every row." }
            throw DatasetError(
                path: file.path,
                message: "the header lacks the column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))"
                    + " (it has \(trimmed.joined(separator: ", ")))",
                advice: advice)
        }
    }
}

/// The image field of a row, base64-decoded.
private enum ImageField {
    case inline([Data])
    /// The `index` of the row whose image this row reuses.
    case reference(String)
}

/// One row's values, checked for shape but not yet for consistency.
private struct TSVRow {
    var index: String
    var question: String
    var hint: String?
    var options: [String]
    var answer: String
    var format: AnswerFormat
    var category: String?
    var l2Category: String?
    var ability: Ability
}

/// Reads rows into `TSVRow`s and probes.
private struct TSVRowParser: Sendable {
    let columns: TSVColumns
    let mapping: AbilityMapping
    let fallbackAbility: Ability?

    /// VLMEvalKit stores another row's index instead of an image when the field is this
    /// short (`ImageBaseDataset`).
    static let referenceLimit = 64

    /// The row's index, after checking it has one field per column.
    func index(of fields: [[UInt8]]) throws(RecordProblem) -> String {
        guard fields.count == columns.count else {
            throw RecordProblem(
                "row",
                "the row has \(fields.count) fields where the header has \(columns.count); a column is missing or a tab is unquoted"
            )
        }
        guard let index = Self.text(fields[columns.index]) else { throw RecordProblem("index", "the index is empty") }
        return index
    }

    /// A field's text, trimmed; `nil` when empty (pandas writes NaN as an empty field).
    private static func text(_ bytes: [UInt8]) -> String? {
        let value = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Every field of a row but the image.
    func parse(_ fields: [[UInt8]]) throws(RecordProblem) -> TSVRow {
        let index = try index(of: fields)
        func text(_ column: Int?) -> String? { column.flatMap { Self.text(fields[$0]) } }
        guard let question = text(columns.question) else { throw RecordProblem("question", "the question is empty") }
        guard let answer = text(columns.answer) else { throw RecordProblem("answer", "the answer is empty") }

        var options: [String] = []
        var firstMissing: String?
        for (offset, column) in columns.options.enumerated() {
            let letter = ChoiceExtractor.letter(at: offset)
            guard let option = text(column) else {
                if firstMissing == nil { firstMissing = letter }
                continue
            }
            if let gap = firstMissing {
                throw RecordProblem(
                    gap, "option \(gap) is empty but option \(letter) is set; options must be consecutive")
            }
            options.append(option)
        }
        let format: AnswerFormat
        let expected: String
        if !options.isEmpty {
            format = .multipleChoice
            expected = answer.uppercased()
        } else if ["yes", "no"].contains(answer.lowercased()) {
            format = .yesNo
            expected = answer
        } else {
            throw RecordProblem(
                "answer",
                "the row has no options and its answer \"\(answer)\" is not yes or no; only multiple-choice and yes/no rows are read"
            )
        }

        let category = text(columns.category)
        let l2Category = text(columns.l2Category)
        let mapped = category.flatMap(mapping.ability(for:)) ?? l2Category.flatMap(mapping.ability(for:))
        guard let ability = mapped ?? fallbackAbility else {
            let names = [category, l2Category].compactMap { $0 }
            let label = names.isEmpty ? "(none)" : names.joined(separator: " / ")
            throw RecordProblem(
                "category",
                names.isEmpty
                    ? "the category is empty; pass a fallback ability or fill it in"
                    : "category \(names.map { "\"\($0)\"" }.joined(separator: " / ")) is not in the ability mapping;"
                        + " add it to a mapping file",
                unmappedCategory: label)
        }
        return TSVRow(
            index: index, question: question, hint: text(columns.hint), options: options, answer: expected,
            format: format, category: category, l2Category: l2Category, ability: ability)
    }

    /// Checks what needs several fields: the answer is one of the options.
    func validate(_ row: TSVRow) throws(RecordProblem) {
        guard row.format == .multipleChoice else { return }
        let letters = row.options.indices.map(ChoiceExtractor.letter(at:))
        guard letters.contains(row.answer) else {
            throw RecordProblem(
                "answer", "the answer \"\(row.answer)\" is not among the options \(letters.joined(separator: ", "))")
        }
    }

    /// The image field, base64-decoded, or the index of the row whose image it reuses.
    func image(of fields: [[UInt8]]) throws(RecordProblem) -> ImageField {
        let bytes = fields[columns.image]
        let trimmed = Array(bytes.drop(while: Self.isSpace).reversed().drop(while: Self.isSpace).reversed())
        guard !trimmed.isEmpty else { throw RecordProblem("image", "the image is empty") }
        if trimmed.count <= Self.referenceLimit {
            return .reference(String(decoding: trimmed, as: UTF8.self))
        }
        if trimmed.first == UInt8(ascii: "["), trimmed.last == UInt8(ascii: "]") {
            let parts = Self.quotedStrings(in: trimmed)
            guard !parts.isEmpty else { throw RecordProblem("image", "the image list holds no quoted base64 strings") }
            var images: [Data] = []
            for (position, part) in parts.enumerated() {
                guard let data = Self.base64(part) else {
                    throw RecordProblem("image", "image \(position + 1) of the list is not valid base64")
                }
                images.append(data)
            }
            return .inline(images)
        }
        guard let data = Self.base64(trimmed) else { throw RecordProblem("image", "the image is not valid base64") }
        return .inline([data])
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func base64(_ bytes: some Collection<UInt8>) -> Data? {
        if let data = Data(base64Encoded: Data(bytes)) { return data }
        // Some writers wrap base64 in lines; nothing else is tolerated.
        guard bytes.contains(where: isSpace) else { return nil }
        return Data(base64Encoded: Data(bytes.filter { !isSpace($0) }))
    }

    /// The strings quoted with ' or " in a Python list literal such as `['…', '…']`.
    private static func quotedStrings(in bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                guard let close = bytes[(index + 1)...].firstIndex(of: byte) else { break }
                parts.append(bytes[(index + 1)..<close])
                index = close + 1
            } else {
                index += 1
            }
        }
        return parts
    }

    /// The probe for a parsed row and its stored images.
    func probe(_ row: TSVRow, images: [StoredImage], stem: String, source: String) -> ProbeSample {
        var factors = ["category": row.category ?? "(none)", "format": row.format.rawValue]
        if let l2 = row.l2Category { factors["l2-category"] = l2 }
        let prompt =
            row.format == .multipleChoice
            ? PromptWriting.multipleChoice(question: row.question, hint: row.hint, options: row.options)
            : PromptWriting.open(question: row.question, hint: row.hint, format: row.format)
        let probe = Probe(
            id: "\(stem)-\(row.index)", images: images.map(\.reference), prompt: prompt,
            expected: ExpectedAnswer(
                text: row.answer, format: row.format, choices: row.format == .multipleChoice ? row.options : nil),
            ability: row.ability, lineage: Lineage(source: source, seed: 0, factors: factors))
        return ProbeSample(probe: probe, imagePNGs: images.map(\.png))
    }

    /// Decoded and PNG-encoded images of an inline image field.
    func storedImages(_ field: ImageField) throws(RecordProblem) -> [StoredImage] {
        guard case .inline(let encoded) = field else {
            throw RecordProblem("image", "the image refers to another row")
        }
        var images: [StoredImage] = []
        for data in encoded {
            do {
                images.append(try ImageLoading.stored(data))
            } catch {
                throw RecordProblem("image", error.description)
            }
        }
        return images
    }
}

/// Streams the good rows of an indexed TSV and turns them into samples.
private struct TSVIteration {
    let file: URL
    let rows: ArraySlice<IndexedRow>
    let stamp: FileStamp
    let log: ProblemLog
    let parser: TSVRowParser
    let stem: String
    let source: String

    private var position = 0
    private var reader: RecordReader?
    private var finished = false
    /// The last row's own images, or the last ones reused by reference: rows sharing an
    /// image usually follow the row that holds it.
    private var sharedImage: (index: String, images: [StoredImage])?

    init(
        file: URL, rows: ArraySlice<IndexedRow>, stamp: FileStamp, log: ProblemLog, parser: TSVRowParser, stem: String,
        source: String
    ) {
        self.file = file
        self.rows = rows
        self.stamp = stamp
        self.log = log
        self.parser = parser
        self.stem = stem
        self.source = source
        self.position = rows.startIndex
    }

    mutating func next() -> ProbeSample? {
        guard !finished, position < rows.endIndex else { return nil }
        let row = rows[position]
        do {
            if reader == nil {
                guard (try? FileStamp(of: file)) == stamp else {
                    throw RecordProblem("file", "the file changed after it was indexed; index it again")
                }
                reader = try RecordReader(
                    url: file, layout: .tabSeparated, offset: row.location.offset, line: row.location.line)
            }
            // Skip the bad rows between good ones.
            var record = try reader?.next()
            while let current = record, current.offset < row.location.offset { record = try reader?.next() }
            guard let record, record.offset == row.location.offset else {
                throw RecordProblem("row", "the row is no longer where it was indexed; index the file again")
            }
            let parsed = try parser.parse(record.fields)
            let images: [StoredImage]
            switch row.image {
            case .own, .sharedWith:
                images = try parser.storedImages(try parser.image(of: record.fields))
                // Rows that reuse this image usually come next.
                sharedImage = (parsed.index, images)
            case .referenced(let index, let location):
                images = try imagesOfRow(index: index, at: location)
            }
            position += 1
            return parser.probe(parsed, images: images, stem: stem, source: source)
        } catch let problem as RecordProblem {
            log.record(problem.located(file: file.lastPathComponent, line: row.location.line))
        } catch {
            log.record(
                DatasetProblem(
                    file: file.lastPathComponent, line: row.location.line, field: "row",
                    message: "reading failed after indexing (\(error)); index the file again"))
        }
        // Indexed rows that fail now mean the file is not the one indexed: stop rather than
        // yield probes whose positions no longer match `count`.
        finished = true
        return nil
    }

    private mutating func imagesOfRow(index: String, at location: RecordLocation) throws -> [StoredImage] {
        if let shared = sharedImage, shared.index == index { return shared.images }
        let reader = try RecordReader(url: file, layout: .tabSeparated, offset: location.offset, line: location.line)
        guard let record = try reader.next() else {
            throw RecordProblem("image", "row \(index), whose image this row reuses, is gone; index the file again")
        }
        let images = try parser.storedImages(try parser.image(of: record.fields))
        sharedImage = (index, images)
        return images
    }
}
