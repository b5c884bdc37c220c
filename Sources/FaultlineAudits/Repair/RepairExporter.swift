import FaultlineCore
import Foundation

/// The fine-tuning data formats repair records can be written in.
public enum RepairExportFormat: String, Sendable, CaseIterable {
    /// OpenAI's chat fine-tuning JSONL with images as base64 data URLs, plus a line-aligned
    /// lineage sidecar.
    case openAIChat = "openai-chat"
    /// A LLaVA-style conversation JSON array, with the PNGs content-addressed under `images/`.
    case llava
}

/// Why an export failed: an invalid record (named by id) or a file that could not be
/// written (named by path). Nothing is written when a record is invalid.
public struct RepairExportError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable, Equatable {
        case invalidRecord = "invalid record"
        case writeFailed = "write failed"
    }

    public var kind: Kind
    /// The record at fault, for `invalidRecord`.
    public var recordID: String?
    /// The file or directory that could not be written, for `writeFailed`.
    public var path: String?
    public var message: String

    public init(_ kind: Kind, recordID: String? = nil, path: String? = nil, message: String) {
        self.kind = kind
        self.recordID = recordID
        self.path = path
        self.message = message
    }

    public var description: String {
        switch kind {
        case .invalidRecord:
            return "repair export: record \"\(recordID ?? "?")\": \(message)"
        case .writeFailed:
            return "repair export: cannot write \(path ?? "?"): \(message)"
        }
    }
}

/// Writes repair records as fine-tuning data for other trainers.
///
/// **openai-chat** writes `repair-openai.jsonl`, one example per line in OpenAI's chat
/// fine-tuning format: a user message whose content is the prompt followed by one
/// `image_url` part per image (`data:image/png;base64,…`), or the plain prompt string for a
/// text-only record, and an assistant message with the answer. OpenAI's per-line schema for
/// supervised fine-tuning names only `messages`, `tools`, `parallel_tool_calls` and
/// `functions` (unlike its reinforcement fine-tuning input, which explicitly allows arbitrary
/// extra keys), so the lineage is not put on the data line, where it could get the file
/// rejected, but in `repair-openai.lineage.jsonl`, whose line *n* describes line *n* of the
/// data file. The vision fine-tuning guide also requires PNGs in RGB or RGBA mode, at most
/// 10 images per example and 10 MB per image; records that break these are rejected here
/// rather than at upload.
///
/// **llava** writes `repair-llava.json`, an array of `{"id", "image", "conversations",
/// "lineage", "kind", "finding"}` records whose first turn is `<image>\nPROMPT` from `human`
/// and second the answer from `gpt`, and the PNGs under `images/<sha256>.png` (set the
/// trainer's image folder to the export directory). A record with one image has `image` as a
/// string, which every LLaVA loader reads. A record with several has a list of paths and one
/// `<image>` line per image before the prompt: the LLaVA-NeXT / OneVision loaders accept a
/// list under `image` with one token per image, while the original LLaVA-1.5 loader takes a
/// single path, so such records need a multi-image trainer. Text-only records have no `image`
/// key and no `<image>` token, as in LLaVA's own mixed instruction data.
///
/// Output is deterministic: keys are sorted and records keep their order, so the same records
/// give byte-identical files.
public struct RepairExporter: Sendable {
    public static let openAIDataFileName = "repair-openai.jsonl"
    public static let openAILineageFileName = "repair-openai.lineage.jsonl"
    public static let llavaFileName = "repair-llava.json"
    public static let llavaImageFolder = "images"

    /// OpenAI vision fine-tuning limits (guide "Image data requirements").
    static let openAIMaxImagesPerExample = 10
    static let openAIMaxImageBytes = 10 * 1024 * 1024
    static let imageToken = "<image>"

    public init() {}

    /// Writes `records` in `format` into `directory` (created if missing) and returns the
    /// files written: the data file, then the sidecar or the images.
    ///
    /// Every record is checked before anything is written; throws `RepairExportError`.
    public func export(_ records: [RepairRecord], format: RepairExportFormat, to directory: URL) throws -> [URL] {
        try Self.validate(records, format: format)
        try Self.makeDirectory(directory)
        switch format {
        case .openAIChat: return try writeOpenAI(records, to: directory)
        case .llava: return try writeLLaVA(records, to: directory)
        }
    }

    // MARK: - OpenAI chat

    private func writeOpenAI(_ records: [RepairRecord], to directory: URL) throws -> [URL] {
        let encoder = Self.encoder(pretty: false)
        var data = Data()
        var lineage = Data()
        for record in records {
            let content: OpenAIContent
            if record.imagePNGs.isEmpty {
                content = .text(record.prompt)
            } else {
                // An empty text part is dropped rather than sent: the images alone are the question.
                let textParts =
                    record.prompt.isEmpty ? [] : [OpenAIPart(type: "text", text: record.prompt, imageURL: nil)]
                content = .parts(
                    textParts
                        + record.imagePNGs.map { png in
                            OpenAIPart(
                                type: "image_url", text: nil,
                                imageURL: OpenAIImageURL(url: "data:image/png;base64," + png.base64EncodedString()))
                        })
            }
            let example = OpenAIExample(messages: [
                OpenAIMessage(role: "user", content: content),
                OpenAIMessage(role: "assistant", content: .text(record.answer)),
            ])
            data.append(try Self.encode(example, with: encoder, recordID: record.id))
            data.append(0x0A)
            let side = LineageLine(id: record.id, kind: record.kind, finding: record.finding, lineage: record.lineage)
            lineage.append(try Self.encode(side, with: encoder, recordID: record.id))
            lineage.append(0x0A)
        }
        let dataURL = directory.appendingPathComponent(Self.openAIDataFileName)
        let lineageURL = directory.appendingPathComponent(Self.openAILineageFileName)
        try Self.write(data, to: dataURL)
        try Self.write(lineage, to: lineageURL)
        return [dataURL, lineageURL]
    }

    // MARK: - LLaVA

    private func writeLLaVA(_ records: [RepairRecord], to directory: URL) throws -> [URL] {
        var written: [URL] = []
        var examples: [LLaVAExample] = []
        var imagesWritten: Set<String> = []
        let imageFolder = directory.appendingPathComponent(Self.llavaImageFolder, isDirectory: true)
        if records.contains(where: { !$0.imagePNGs.isEmpty }) { try Self.makeDirectory(imageFolder) }
        for record in records {
            var paths: [String] = []
            for png in record.imagePNGs {
                let name = SHA256.hex(of: png) + ".png"
                paths.append(Self.llavaImageFolder + "/" + name)
                // Images go to disk before the JSON that names them, so a failed export never
                // leaves a data file pointing at missing images.
                if imagesWritten.insert(name).inserted {
                    let url = imageFolder.appendingPathComponent(name)
                    try Self.write(png, to: url)
                    written.append(url)
                }
            }
            let tokens = Array(repeating: Self.imageToken, count: paths.count)
            let question = (tokens + (record.prompt.isEmpty ? [] : [record.prompt])).joined(separator: "\n")
            examples.append(
                LLaVAExample(
                    id: record.id,
                    image: paths.isEmpty ? nil : (paths.count == 1 ? .single(paths[0]) : .several(paths)),
                    conversations: [
                        LLaVATurn(from: "human", value: question),
                        LLaVATurn(from: "gpt", value: record.answer),
                    ],
                    lineage: record.lineage, kind: record.kind, finding: record.finding))
        }
        var json = try Self.encode(examples, with: Self.encoder(pretty: true), recordID: nil)
        json.append(0x0A)
        let jsonURL = directory.appendingPathComponent(Self.llavaFileName)
        try Self.write(json, to: jsonURL)
        return [jsonURL] + written
    }

    // MARK: - Validation

    static func validate(_ records: [RepairRecord], format: RepairExportFormat) throws {
        var seen: Set<String> = []
        for record in records {
            func invalid(_ message: String) -> RepairExportError {
                RepairExportError(.invalidRecord, recordID: record.id, message: message)
            }
            guard !record.id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw invalid("the id is empty; give every record a unique id")
            }
            guard seen.insert(record.id).inserted else {
                throw invalid("the id is used by an earlier record; ids must be unique within an export")
            }
            guard !record.answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw invalid("the answer is empty; a repair example needs a target answer")
            }
            guard !record.prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !record.imagePNGs.isEmpty
            else {
                throw invalid("the prompt is empty and there is no image; the example would show the model nothing")
            }
            for (index, png) in record.imagePNGs.enumerated() {
                guard png.starts(with: pngSignature) else {
                    throw invalid("image \(index) is not a PNG (no PNG signature); encode it as PNG first")
                }
            }
            switch format {
            case .openAIChat:
                guard record.imagePNGs.count <= openAIMaxImagesPerExample else {
                    throw invalid(
                        "\(record.imagePNGs.count) images; OpenAI vision fine-tuning allows at most \(openAIMaxImagesPerExample) per example")
                }
                for (index, png) in record.imagePNGs.enumerated() {
                    guard png.count <= openAIMaxImageBytes else {
                        throw invalid("image \(index) is \(png.count) bytes; OpenAI allows at most \(openAIMaxImageBytes)")
                    }
                    guard let colour = pngColourType(png), colour == 2 || colour == 6 else {
                        throw invalid(
                            "image \(index) is not an RGB or RGBA PNG (colour type \(pngColourType(png).map(String.init) ?? "unreadable")); OpenAI requires RGB or RGBA, so re-encode it")
                    }
                }
            case .llava:
                guard !record.prompt.contains(imageToken) else {
                    throw invalid(
                        "the prompt contains \(imageToken), which LLaVA reads as an image slot; remove it (the exporter adds one per image)")
                }
            }
        }
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The colour type in the IHDR chunk (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA),
    /// which the PNG specification requires to be the first chunk.
    static func pngColourType(_ png: Data) -> UInt8? {
        let bytes = [UInt8](png.prefix(26))
        guard bytes.count == 26, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        return bytes[25]
    }

    // MARK: - Files

    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encode<Value: Encodable>(_ value: Value, with encoder: JSONEncoder, recordID: String?) throws -> Data {
        do {
            return try encoder.encode(value)
        } catch {
            throw RepairExportError(.invalidRecord, recordID: recordID, message: "cannot be encoded as JSON: \(error)")
        }
    }

    static func makeDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RepairExportError(
                .writeFailed, path: directory.path,
                message: "the directory cannot be created (\(error)); choose a writable directory")
        }
    }

    static func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw RepairExportError(
                .writeFailed, path: url.path, message: "\(error); check that the directory is writable and has space")
        }
    }
}

// MARK: - Wire shapes

private struct OpenAIExample: Encodable {
    var messages: [OpenAIMessage]
}

private struct OpenAIMessage: Encodable {
    var role: String
    var content: OpenAIContent
}

/// A message's content: a plain string, or a list of typed parts when images are attached.
private enum OpenAIContent: Encodable {
    case text(String)
    case parts([OpenAIPart])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .parts(let parts): try container.encode(parts)
        }
    }
}

private struct OpenAIPart: Encodable {
    var type: String
    var text: String?
    var imageURL: OpenAIImageURL?

    enum CodingKeys: String, CodingKey {
        case type, text
        case imageURL = "image_url"
    }
}

private struct OpenAIImageURL: Encodable {
    var url: String
}

/// One line of the OpenAI lineage sidecar.
private struct LineageLine: Encodable {
    var id: String
    var kind: RepairKind
    var finding: String
    var lineage: Lineage
}

private struct LLaVAExample: Encodable {
    var id: String
    var image: LLaVAImage?
    var conversations: [LLaVATurn]
    var lineage: Lineage
    var kind: RepairKind
    var finding: String
}

/// One path, or a list of paths for a multi-image record.
private enum LLaVAImage: Encodable {
    case single(String)
    case several([String])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .single(let path): try container.encode(path)
        case .several(let paths): try container.encode(paths)
        }
    }
}

private struct LLaVATurn: Encodable {
    var from: String
    var value: String
}
