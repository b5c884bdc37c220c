import Foundation

/// One bad record of a data set: where it is, which field, what is wrong. The record is
/// skipped and the rest of the file is read.
public struct DatasetProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file's name (not its full path, so reports do not leak directories).
    public var file: String
    /// The 1-based line where the record starts (a quoted TSV field may span lines).
    public var line: Int
    /// The column or key at fault, e.g. `answer`, `image`; `row` for the record as a whole.
    public var field: String
    /// What is wrong and, where it helps, what to do.
    public var message: String

    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String { "\(file):\(line): \(field): \(message)" }
}

/// Why a data set cannot be read at all (as opposed to a bad record, a `DatasetProblem`).
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or directory involved.
    public var path: String
    /// What is wrong.
    public var message: String
    /// What the user can do about it.
    public var advice: String

    public init(path: String, message: String, advice: String) {
        self.path = path
        self.message = message
        self.advice = advice
    }

    public var description: String { "\(path): \(message). \(advice)" }
}

/// Problems found while a source's samples are iterated, shared by every copy of the
/// source (sequences are lazy, so they cannot return problems; they record them here).
final class ProblemLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [DatasetProblem] = []

    func record(_ problem: DatasetProblem) {
        lock.lock()
        defer { lock.unlock() }
        // A re-iterated sequence meets the same problem again; report it once.
        if !recorded.contains(problem) { recorded.append(problem) }
    }

    var problems: [DatasetProblem] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}
