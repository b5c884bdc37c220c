/// Shared by the suites' configuration decoders, which reject unknown fields and word
/// decoding errors for the person who wrote the file.
enum ConfigurationDecoding {
    /// A coding key for any field name, to list the fields a JSON object actually has.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A decoding error in words; `expected` describes the type a mismatch wanted.
    static func explain(_ error: DecodingError, expecting expected: (Any.Type) -> String = { "\($0)" }) -> String {
        switch error {
        case .typeMismatch(let type, let context): "expected \(expected(type)) (\(context.debugDescription))"
        case .valueNotFound(let type, let context): "a \(type) is missing (\(context.debugDescription))"
        case .dataCorrupted(let context): context.debugDescription
        case .keyNotFound(let key, _): "missing \(key.stringValue)"
        @unknown default: "\(error)"
        }
    }
}
