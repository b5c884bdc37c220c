import Foundation

/// What went wrong when setting up or calling the Tesseract backend.
public enum TesseractError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The tessdata directory does not exist.
    case dataPathMissing(path: String)
    /// The tessdata directory exists but has no model for the language.
    case trainedDataMissing(file: String, language: String)
    /// The model file exists but libtesseract refused it (corrupt file, version mismatch).
    case initialisationFailed(dataPath: String, language: String, status: Int32)
    /// A setting given to `TesseractModel.init` is out of range.
    case invalidSetting(name: String, value: String, expected: String)
    /// The request did not carry exactly one image.
    case wrongImageCount(probeID: String, count: Int)
    /// The image cannot be given to Tesseract (empty, too large, odd channel count).
    case unusableImage(probeID: String, reason: String)
    /// Tesseract ran but returned no text buffer at all (not even an empty one).
    case recognitionFailed(probeID: String)

    public var description: String {
        switch self {
        case .dataPathMissing(let path):
            return "Tesseract data directory \(path) does not exist: install tesseract-ocr-eng "
                + "(apt-get install tesseract-ocr-eng) and run make setup, or pass the directory that holds "
                + "<language>.traineddata as dataPath"
        case .trainedDataMissing(let file, let language):
            return "Tesseract model for language '\(language)' not found at \(file): install "
                + "tesseract-ocr-\(language) (apt-get install tesseract-ocr-\(language)) and run make setup"
        case .initialisationFailed(let dataPath, let language, let status):
            return "libtesseract could not load language '\(language)' from \(dataPath) (status \(status)): "
                + "the traineddata file may be corrupt or from another Tesseract version; reinstall "
                + "tesseract-ocr-\(language) and run make setup"
        case .invalidSetting(let name, let value, let expected):
            return "Tesseract setting \(name) = \(value) is invalid: expected \(expected)"
        case .wrongImageCount(let probeID, let count):
            return "probe \(probeID): Tesseract reads exactly one image, the request has \(count)"
        case .unusableImage(let probeID, let reason):
            return "probe \(probeID): image cannot be read by Tesseract: \(reason)"
        case .recognitionFailed(let probeID):
            return "probe \(probeID): Tesseract returned no text buffer (recognition failed inside libtesseract)"
        }
    }
}
