import CImageCodecs

/// Why an image could not be decoded or encoded, with the codec's own explanation.
public struct ImageCodecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The image format involved.
    public enum Format: String, Sendable {
        case png = "PNG"
        case jpeg = "JPEG"
    }

    /// Whether the failure happened while reading or writing.
    public enum Operation: String, Sendable {
        case decode, encode
    }

    /// The class of problem, so callers can react without parsing the message.
    public enum Kind: String, Sendable {
        /// The data does not start with the format's signature.
        case badSignature = "bad-signature"
        /// The data ends early; `byteOffset` says where.
        case truncated
        /// The data is damaged (bad checksum, bad compressed stream, inconsistent header).
        case corrupt
        /// Valid data that this codec does not convert (e.g. a CMYK JPEG).
        case unsupported
        /// The caller passed something unusable (channel count, quality, empty image).
        case invalidArgument = "invalid-argument"
        case outOfMemory = "out-of-memory"
        /// The image exceeds the decoder's size limits.
        case tooLarge = "too-large"
    }

    /// The format being decoded or encoded.
    public var format: Format
    /// Whether the failure was in decoding or encoding.
    public var operation: Operation
    /// The class of problem.
    public var kind: Kind
    /// The codec's explanation, e.g. `PNG data truncated at byte 57: …` or libpng's message.
    public var message: String
    /// The byte of the input where the problem was found, when known.
    public var byteOffset: Int?

    public init(format: Format, operation: Operation, kind: Kind, message: String, byteOffset: Int? = nil) {
        self.format = format
        self.operation = operation
        self.kind = kind
        self.message = message
        self.byteOffset = byteOffset
    }

    public var description: String {
        "\(format.rawValue) \(operation.rawValue) failed: \(message). \(advice)"
    }

    /// What the user can do about it.
    private var advice: String {
        switch kind {
        case .badSignature: "Check that the file really is a \(format.rawValue) image and not another format renamed."
        case .truncated: "The file is incomplete; re-create or re-copy it."
        case .corrupt: "The file is damaged; re-create it from its source."
        case .unsupported: "Convert the image to 8-bit RGB first."
        case .invalidArgument: "This is a caller error; check the arguments."
        case .outOfMemory: "Free memory or use a smaller image."
        case .tooLarge: "Downscale the image before use."
        }
    }

    /// Builds the error from the C side's report.
    init(format: Format, operation: Operation, report: fl_codec_error) {
        var report = report
        let message = withUnsafeBytes(of: &report.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let kind: Kind =
            switch report.status {
            case Int32(FL_CODEC_BAD_SIGNATURE.rawValue): .badSignature
            case Int32(FL_CODEC_TRUNCATED.rawValue): .truncated
            case Int32(FL_CODEC_UNSUPPORTED.rawValue): .unsupported
            case Int32(FL_CODEC_INVALID_ARGUMENT.rawValue): .invalidArgument
            case Int32(FL_CODEC_OUT_OF_MEMORY.rawValue): .outOfMemory
            case Int32(FL_CODEC_TOO_LARGE.rawValue): .tooLarge
            default: .corrupt
            }
        self.init(
            format: format, operation: operation, kind: kind,
            message: message.isEmpty ? "unknown error (status \(report.status))" : message,
            byteOffset: report.byte_offset >= 0 ? Int(report.byte_offset) : nil)
    }
}
