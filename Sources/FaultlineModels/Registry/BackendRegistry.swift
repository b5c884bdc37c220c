import FaultlineCore
import Foundation
import Logging

/// What a backend factory may need from its surroundings.
public struct BackendEnvironment: Sendable {
    /// Where the set-up placed model files (`$FAULTLINE_HOME/models`).
    public var modelsDirectory: URL
    /// Tesseract's language data.
    public var tessdataDirectory: URL
    public var logger: Logger

    public init(
        modelsDirectory: URL = FaultlineHome.models,
        tessdataDirectory: URL = URL(fileURLWithPath: "/usr/share/tesseract-ocr/5/tessdata"),
        logger: Logger = Logger(label: "faultline.models")
    ) {
        self.modelsDirectory = modelsDirectory
        self.tessdataDirectory = tessdataDirectory
        self.logger = logger
    }
}

/// Backends by string key. An exact key (`ocr:paddle`) names one backend; a key ending in
/// `*` (`double:*`) names a family whose factory reads the rest of the spec.
public struct BackendRegistry: Sendable {
    public typealias Factory = @Sendable (BackendSpec, BackendEnvironment) throws -> any VisionLanguageModel

    public struct Entry: Sendable {
        /// `ocr:paddle`, or `double:*` for a family.
        public var pattern: String
        /// One line for `faultline models`.
        public var summary: String
        public var make: Factory
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func register(_ pattern: String, summary: String, make: @escaping Factory) {
        entries.removeAll { $0.pattern == pattern }
        entries.append(Entry(pattern: pattern, summary: summary, make: make))
    }

    /// The entry for a spec: an exact match on the name, else the family.
    public func entry(for spec: BackendSpec) -> Entry? {
        entries.first { $0.pattern == spec.name } ?? entries.first { $0.pattern == "\(spec.family):*" }
    }

    /// Makes the backend a spec names; an unknown key is an error that lists the known ones.
    public func make(_ raw: String, environment: BackendEnvironment) throws -> any VisionLanguageModel {
        let spec = BackendSpec(raw)
        guard let entry = entry(for: spec) else {
            let known = entries.map(\.pattern)
            let suggestion = known.min { editDistance($0, spec.name) < editDistance($1, spec.name) }
            var message = "unknown backend '\(raw)'. Known backends: \(known.joined(separator: ", "))."
            if let suggestion, editDistance(suggestion, spec.name) <= 3 { message += " Did you mean '\(suggestion)'?" }
            message += " Run `faultline models` for details."
            throw BackendError(message)
        }
        return try entry.make(spec, environment)
    }
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = saved
        }
    }
    return row[b.count]
}
