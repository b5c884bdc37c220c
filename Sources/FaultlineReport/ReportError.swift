/// Why a report could not be written or read, where, and what to do about it.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case cannotCreateDirectory = "cannot create the report directory"
        case cannotWriteFile = "cannot write a report file"
        case cannotEncode = "cannot encode the report as JSON"
        case cannotDecode = "cannot read report JSON"
        case unsupportedSchemaVersion = "unsupported report schema version"
    }

    public var kind: Kind
    /// The file, or within JSON the coding path, that the error is about.
    public var location: String
    /// What went wrong, in the words of the layer that noticed.
    public var reason: String
    /// What to do about it.
    public var remedy: String

    public init(kind: Kind, location: String, reason: String, remedy: String) {
        self.kind = kind
        self.location = location
        self.reason = reason
        self.remedy = remedy
    }

    public var description: String {
        "\(kind.rawValue) (\(location)): \(reason). \(remedy)"
    }
}
