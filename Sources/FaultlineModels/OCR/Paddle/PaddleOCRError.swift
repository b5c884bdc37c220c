import Foundation

/// A PaddleOCR pipeline that cannot be built or cannot read an image, worded for the person
/// running Faultline: what is wrong, where, and what to do.
public struct PaddleOCRError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file, setting or request the problem is in (e.g. `config.yaml: Det.thresh`, a probe id).
    public var location: String
    public var message: String
    public var remedy: String?

    public init(location: String, message: String, remedy: String? = nil) {
        self.location = location
        self.message = message
        self.remedy = remedy
    }

    public var description: String {
        var text = "PaddleOCR: \(message) [\(location)]"
        if let remedy { text += ". Fix: \(remedy)" }
        return text
    }
}
