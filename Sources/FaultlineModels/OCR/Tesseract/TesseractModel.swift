import CTesseract
import FaultlineCore
import Foundation

/// Tesseract 5 (LSTM recogniser) through libtesseract's C API, as the backend `ocr:tesseract`.
///
/// It answers OCR probes with one image: the recognised text, lines joined by single spaces.
/// A `TessBaseAPI` is not thread-safe, so the model keeps one engine per allowed concurrent
/// request and lends each request one of them for its exclusive use.
public final class TesseractModel: VisionLanguageModel {
    /// How Tesseract splits the page into text before reading it (its `--psm` values).
    public enum PageSegmentationMode: Int, Sendable, CaseIterable {
        /// Fully automatic page segmentation, without orientation detection (psm 3).
        case automatic = 3
        /// A single column of text of variable sizes (psm 4).
        case singleColumn = 4
        /// A single uniform block of text (psm 6), the default: rendered probes are one block.
        case singleBlock = 6
        /// A single text line (psm 7).
        case singleLine = 7
        /// A single word (psm 8).
        case singleWord = 8
        /// As much text as possible in no particular order (psm 11).
        case sparseText = 11
        /// A single line, bypassing Tesseract-specific heuristics (psm 13).
        case rawLine = 13
    }

    /// Where Debian's `tesseract-ocr-eng` puts its models.
    public static let defaultDataPath = URL(fileURLWithPath: "/usr/share/tesseract-ocr/5/tessdata")

    /// The version of the linked libtesseract, e.g. `5.3.0`.
    public static var libraryVersion: String { String(cString: TessVersion()) }

    public let key = "ocr:tesseract"
    /// libtesseract version, language, the SHA-256 of each traineddata file and the page
    /// segmentation mode: everything that can change what Tesseract reads.
    public let fingerprint: String
    public let maxConcurrentRequests: Int
    public let dataPath: URL
    public let language: String
    public let pageSegMode: PageSegmentationMode

    private let pool: TesseractHandlePool

    /// Loads `language` from `dataPath` into `maxConcurrentRequests` engines.
    ///
    /// - Parameters:
    ///   - dataPath: the `tessdata` directory holding `<language>.traineddata`.
    ///   - language: a Tesseract language code, or several joined by `+` (e.g. `eng+deu`).
    ///   - pageSegMode: how Tesseract segments the image; rendered probes are one block.
    ///   - maxConcurrentRequests: engines to load (each holds its own copy of the model).
    /// - Throws: `TesseractError` naming the missing directory or file and how to install it,
    ///   or saying that libtesseract rejected the model.
    public init(
        dataPath: URL = TesseractModel.defaultDataPath, language: String = "eng",
        pageSegMode: PageSegmentationMode = .singleBlock, maxConcurrentRequests: Int = 2
    ) throws {
        guard (1...64).contains(maxConcurrentRequests) else {
            throw TesseractError.invalidSetting(
                name: "maxConcurrentRequests", value: String(maxConcurrentRequests), expected: "1 to 64")
        }
        let languages = language.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        let validCode = { (code: String) in
            !code.isEmpty && code.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" }
        }
        guard languages.allSatisfy(validCode) else {
            throw TesseractError.invalidSetting(
                name: "language", value: language, expected: "Tesseract language codes joined by '+', e.g. eng or eng+deu")
        }

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataPath.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw TesseractError.dataPathMissing(path: dataPath.path) }

        var modelHashes: [String] = []
        for code in languages {
            let file = dataPath.appendingPathComponent("\(code).traineddata")
            guard let contents = FileManager.default.contents(atPath: file.path) else {
                throw TesseractError.trainedDataMissing(file: file.path, language: code)
            }
            modelHashes.append("\(code).traineddata sha256 \(SHA256.hex(of: contents))")
        }

        var handles: [TesseractHandle] = []
        for _ in 0..<maxConcurrentRequests {
            handles.append(try TesseractHandle(dataPath: dataPath.path, language: language, pageSegMode: pageSegMode))
        }

        self.dataPath = dataPath
        self.language = language
        self.pageSegMode = pageSegMode
        self.maxConcurrentRequests = maxConcurrentRequests
        self.pool = TesseractHandlePool(handles: handles)
        self.fingerprint = (["tesseract \(Self.libraryVersion)", "oem lstm"] + modelHashes + ["psm \(pageSegMode.rawValue)"])
            .joined(separator: "; ")
    }

    /// Only OCR probes with exactly one image.
    public func canAnswer(_ probe: Probe) -> Bool {
        probe.ability == .ocr && probe.images.count == 1
    }

    /// Reads the request's single image; the prompt is ignored (Tesseract takes no instructions).
    /// The latency is the recognition alone, not the wait for a free engine.
    public func answer(_ request: ModelRequest) async throws -> ModelResponse {
        guard request.images.count == 1 else {
            throw TesseractError.wrongImageCount(probeID: request.probe.id, count: request.images.count)
        }
        let (text, seconds) = try await recognise(request.images[0], probeID: request.probe.id)
        return ModelResponse(text: text, latencySeconds: seconds)
    }

    /// Recognises the text in `image`, normalised to one line (see `normalise`).
    ///
    /// - Parameter probeID: named in errors, so that a bad image can be traced to its probe.
    /// - Throws: `TesseractError` for an image Tesseract cannot take, `CancellationError` if the
    ///   task was cancelled before recognition started.
    public func read(_ image: RasterImage, probeID: String = "-") async throws -> String {
        try await recognise(image, probeID: probeID).text
    }

    private func recognise(_ image: RasterImage, probeID: String) async throws -> (text: String, seconds: Double) {
        try Task.checkCancellation()
        guard image.width > 0, image.height > 0 else {
            throw TesseractError.unusableImage(probeID: probeID, reason: "it is empty (\(image.width)×\(image.height))")
        }
        // Tesseract stores coordinates as 16-bit integers.
        guard image.width <= Int(Int16.max), image.height <= Int(Int16.max) else {
            throw TesseractError.unusableImage(
                probeID: probeID, reason: "\(image.width)×\(image.height) exceeds Tesseract's 32767-pixel limit per side")
        }
        let prepared: RasterImage
        switch image.channels {
        case 1, 3: prepared = image
        case 4: prepared = image.rgb()
        default:
            throw TesseractError.unusableImage(
                probeID: probeID, reason: "\(image.channels) channels per pixel; expected 1 (grey), 3 (RGB) or 4 (RGBA)")
        }
        return try await pool.withHandle { handle in
            let clock = ContinuousClock()
            let start = clock.now
            guard let raw = handle.recognise(prepared) else { throw TesseractError.recognitionFailed(probeID: probeID) }
            let elapsed = start.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            return (Self.normalise(raw), seconds)
        }
    }

    /// Joins Tesseract's lines with single spaces: every run of whitespace (including line
    /// and page breaks) becomes one space, and the ends are trimmed.
    public static func normalise(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
