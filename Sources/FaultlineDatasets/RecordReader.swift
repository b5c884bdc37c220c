import Foundation

/// Streams the records of a text file in fixed-size chunks, so that files of many
/// gigabytes are read with memory bounded by the largest record.
///
/// Two layouts are read:
/// - `.tabSeparated`: the TSV that pandas' `to_csv(sep="\t")` writes (VLMEvalKit's format):
///   fields separated by tabs, records by `\n` or `\r\n`; a field that contains a tab, a
///   quote or a line break is wrapped in double quotes, with inner quotes doubled.
/// - `.lines`: one record per line, no quoting (JSON Lines).
///
/// Every record carries the byte offset where it starts and its first line number, so an
/// index pass can remember good records and a later reader can seek straight to them.
final class RecordReader {
    enum Layout { case tabSeparated, lines }

    /// One record: its fields' bytes, where it starts, and its line span.
    struct Record {
        var fields: [[UInt8]]
        /// Byte offset of the record's first byte in the file.
        var offset: UInt64
        /// 1-based line where the record starts.
        var line: Int
    }

    /// A record whose quoted field never closes: the rest of the file is inside it.
    struct UnterminatedQuote: Error {
        var line: Int
    }

    private static let chunkSize = 1 << 20
    private static let tab: UInt8 = 0x09
    private static let newline: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    private static let quote: UInt8 = 0x22

    private let handle: FileHandle
    private let layout: Layout
    private var buffer: [UInt8] = []
    private var position = 0
    /// File offset of `buffer[0]`.
    private var bufferOffset: UInt64
    private var line: Int
    private var reachedEnd = false

    /// Opens `url` at `offset`, which must be the start of a record whose line is `line`.
    init(url: URL, layout: Layout, offset: UInt64 = 0, line: Int = 1) throws {
        handle = try FileHandle(forReadingFrom: url)
        if offset > 0 { try handle.seek(toOffset: offset) }
        self.layout = layout
        self.bufferOffset = offset
        self.line = line
    }

    deinit { try? handle.close() }

    /// The next record, or `nil` at the end of the file. Blank lines are skipped.
    func next() throws -> Record? {
        while try available() {
            let record = try readRecord()
            let blank = record.fields.count == 1 && record.fields[0].isEmpty
            if !blank { return record }
        }
        return nil
    }

    /// Whether a byte is available at `position`, reading the next chunk if needed.
    private func available() throws -> Bool {
        if position < buffer.count { return true }
        guard !reachedEnd else { return false }
        bufferOffset += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
        position = 0
        guard let chunk = try handle.read(upToCount: Self.chunkSize), !chunk.isEmpty else {
            reachedEnd = true
            return false
        }
        buffer.append(contentsOf: chunk)
        return true
    }

    private func readRecord() throws -> Record {
        let start = bufferOffset + UInt64(position)
        let startLine = line
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        while true {
            if layout == .tabSeparated, try available(), buffer[position] == Self.quote {
                position += 1
                try readQuoted(into: &field, startLine: startLine)
            }
            // The unquoted field, or what follows a closing quote (kept as written, as
            // Python's csv module does).
            let stop = try readUntilSeparator(into: &field)
            switch stop {
            case Self.tab:
                fields.append(field)
                field = []
            default:
                if field.last == Self.carriageReturn { field.removeLast() }
                fields.append(field)
                return Record(fields: fields, offset: start, line: startLine)
            }
        }
    }

    /// Appends bytes up to a field or record separator and consumes it. Returns the
    /// separator, or `nil` at the end of the file.
    private func readUntilSeparator(into field: inout [UInt8]) throws -> UInt8? {
        while try available() {
            let end = buffer.count
            var index = position
            if layout == .tabSeparated {
                while index < end, buffer[index] != Self.tab, buffer[index] != Self.newline { index += 1 }
            } else {
                while index < end, buffer[index] != Self.newline { index += 1 }
            }
            field.append(contentsOf: buffer[position..<index])
            position = index
            if index < end {
                let separator = buffer[index]
                position += 1
                if separator == Self.newline { line += 1 }
                return separator
            }
        }
        return nil
    }

    /// Appends a quoted field's content up to its closing quote and consumes the quote.
    private func readQuoted(into field: inout [UInt8], startLine: Int) throws {
        while true {
            guard try available() else { throw UnterminatedQuote(line: startLine) }
            let end = buffer.count
            var index = position
            while index < end, buffer[index] != Self.quote {
                if buffer[index] == Self.newline { line += 1 }
                index += 1
            }
            field.append(contentsOf: buffer[position..<index])
            position = index
            guard index < end else { continue }
            position += 1  // the quote
            if try available(), buffer[position] == Self.quote {
                field.append(Self.quote)
                position += 1
            } else {
                return
            }
        }
    }
}
