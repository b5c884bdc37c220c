import Foundation

// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// u64 header length N, N bytes of UTF-8 JSON (possibly right-padded with spaces), then the
// tensor bytes. Each JSON entry is {"dtype", "shape", "data_offsets": [begin, end]} with
// offsets relative to the start of the data; "__metadata__" is a string-to-string map.

/// Why a safetensors file was rejected.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The category of problem, for programs that react to it.
    public enum Kind: Sendable, Equatable {
        case unreadable
        case fileTooShort
        case implausibleHeaderLength
        case headerNotJSON
        case malformedEntry
        case unsupportedDType(String)
        case offsetsOutOfRange
        case overlappingOffsets
        case byteCountMismatch
        case missingTensor
        case unexpectedTensor
        case shapeMismatch(expected: [Int], found: [Int])
        /// The metadata says the file holds something else (e.g. not an optimiser state).
        case unexpectedMetadata
    }

    /// The file (or "<memory>").
    public let path: String
    /// The tensor concerned, if any.
    public let tensor: String?
    /// The category.
    public let kind: Kind
    /// What was wrong, concretely.
    public let problem: String
    /// What to do about it.
    public let remedy: String

    public var description: String {
        let place = tensor.map { "\(path), tensor \"\($0)\"" } ?? path
        return "\(place): \(problem). \(remedy)"
    }
}

/// The tensors and metadata of one safetensors file, in file order.
public struct SafeTensorsFile: Sendable {
    /// Name and value of each tensor, in the order of their data offsets.
    public var tensors: [(name: String, tensor: Tensor)]
    /// The `__metadata__` map (empty if absent).
    public var metadata: [String: String]

    /// Creates a file's contents.
    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`, if present.
    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }
}

/// Reading and writing safetensors files (F32; F16 and BF16 are widened to F32 on read).
public enum SafeTensors {
    /// Headers larger than this are rejected as implausible (the reference library uses 100 MB).
    public static let maximumHeaderLength = 100_000_000
    private static let supportedDTypes = "F32 (F16 and BF16 are also read and widened to F32)"

    /// Serialises `file` to bytes: same input, same bytes.
    public static func encode(_ file: SafeTensorsFile) -> Data {
        var header = "{"
        var entries: [String] = []
        if !file.metadata.isEmpty {
            let pairs = file.metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(file.metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, tensor) in file.tensors {
            let end = offset + tensor.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += entries.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        // Pad so the data starts 8-byte aligned, as the reference writer does.
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for (_, tensor) in file.tensors {
            tensor.scalars.withUnsafeBufferPointer { buffer in
                if UInt32(1).littleEndian == 1 {
                    data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                                    count: buffer.count * 4))
                } else {
                    for value in buffer { var bits = value.bitPattern.littleEndian; withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) } }
                }
            }
        }
        return data
    }

    /// Writes `file` to `url` atomically.
    public static func write(_ file: SafeTensorsFile, to url: URL) throws(SafeTensorsError) {
        do {
            try encode(file).write(to: url, options: .atomic)
        } catch {
            throw SafeTensorsError(path: url.path, tensor: nil, kind: .unreadable,
                                   problem: "could not write the file (\(error.localizedDescription))",
                                   remedy: "Check that the directory exists and is writable.")
        }
    }

    /// Reads and validates the file at `url`.
    public static func read(from url: URL) throws(SafeTensorsError) -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError(path: url.path, tensor: nil, kind: .unreadable,
                                   problem: "could not read the file (\(error.localizedDescription))",
                                   remedy: "Check the path and permissions.")
        }
        return try decode(data, path: url.path)
    }

    /// Parses and validates safetensors bytes; `path` only labels errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws(SafeTensorsError) -> SafeTensorsFile {
        func fail(_ kind: SafeTensorsError.Kind, _ tensor: String?, _ problem: String, _ remedy: String) -> SafeTensorsError {
            SafeTensorsError(path: path, tensor: tensor, kind: kind, problem: problem, remedy: remedy)
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else {
            throw fail(.fileTooShort, nil, "file has \(bytes.count) bytes, fewer than the 8-byte header length",
                       "The file is truncated or not safetensors; re-export it.")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length >= 2, length <= UInt64(maximumHeaderLength), length <= UInt64(bytes.count - 8) else {
            throw fail(.implausibleHeaderLength, nil,
                       "header length \(length) is implausible for a \(bytes.count)-byte file (must be 2…\(min(maximumHeaderLength, bytes.count - 8)))",
                       "The file is truncated or not safetensors; re-export it.")
        }
        let headerEnd = 8 + Int(length)
        let headerBytes = Data(bytes[8..<headerEnd])
        guard headerBytes.first == UInt8(ascii: "{"),
              let object = try? JSONSerialization.jsonObject(with: headerBytes),
              let header = object as? [String: Any] else {
            throw fail(.headerNotJSON, nil, "the \(length)-byte header is not a JSON object",
                       "The file is corrupt or not safetensors; re-export it.")
        }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: Any] else {
                throw fail(.malformedEntry, "__metadata__", "__metadata__ is not an object", "Store metadata as a string-to-string map.")
            }
            for (key, value) in map {
                guard let text = value as? String else {
                    throw fail(.malformedEntry, "__metadata__", "metadata value for \"\(key)\" is not a string",
                               "Store metadata values as strings (e.g. JSON-encode them).")
                }
                metadata[key] = text
            }
        }
        let dataStart = headerEnd
        let dataLength = bytes.count - dataStart
        struct Entry { let name: String; let dtype: String; let shape: [Int]; let begin: Int; let end: Int }
        var entries: [Entry] = []
        for (name, raw) in header where name != "__metadata__" {
            guard let fields = raw as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shapeValues = fields["shape"] as? [Any],
                  let offsetValues = fields["data_offsets"] as? [Any], offsetValues.count == 2 else {
                throw fail(.malformedEntry, name, "entry lacks dtype, shape or a two-element data_offsets",
                           "Each tensor entry needs {\"dtype\", \"shape\", \"data_offsets\": [begin, end]}.")
            }
            let shape = shapeValues.compactMap { ($0 as? NSNumber)?.intValue }
            let offsets = offsetValues.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 }), offsets.count == 2 else {
                throw fail(.malformedEntry, name, "shape or data_offsets contain non-integers or negative values",
                           "Shapes and offsets must be non-negative integers.")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var previous: Entry?
        var tensors: [(name: String, tensor: Tensor)] = []
        for entry in entries {
            let width: Int
            switch entry.dtype {
            case "F32": width = 4
            case "F16", "BF16": width = 2
            default:
                throw fail(.unsupportedDType(entry.dtype), entry.name, "dtype \(entry.dtype) is not supported",
                           "Supported: \(supportedDTypes); convert the tensor before saving.")
            }
            guard entry.begin >= 0, entry.begin <= entry.end, entry.end <= dataLength else {
                throw fail(.offsetsOutOfRange, entry.name,
                           "data_offsets [\(entry.begin), \(entry.end)] fall outside the \(dataLength)-byte data section",
                           "The file is truncated or its header is corrupt; re-export it.")
            }
            if let previous, entry.begin < previous.end {
                throw fail(.overlappingOffsets, entry.name,
                           "bytes [\(entry.begin), \(entry.end)] overlap tensor \"\(previous.name)\" at [\(previous.begin), \(previous.end)]",
                           "The header is corrupt; re-export the file.")
            }
            let elements = entry.shape.reduce(1, *)
            guard elements * width == entry.end - entry.begin else {
                throw fail(.byteCountMismatch, entry.name,
                           "shape \(entry.shape) of \(entry.dtype) needs \(elements * width) bytes but data_offsets span \(entry.end - entry.begin)",
                           "The header is corrupt; re-export the file.")
            }
            let start = dataStart + entry.begin
            let scalars = [Float](unsafeUninitializedCapacity: elements) { buffer, initialized in
                for i in 0..<elements {
                    let at = start + i * width
                    switch entry.dtype {
                    case "F32":
                        let bits = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
                        buffer[i] = Float(bitPattern: bits)
                    case "BF16":
                        buffer[i] = Float(bitPattern: (UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8) << 16)
                    default:
                        buffer[i] = halfToFloat(UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
                    }
                }
                initialized = elements
            }
            tensors.append((entry.name, Tensor(shape: entry.shape, scalars: scalars)))
            previous = entry
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// IEEE 754 binary16 bits to Float (subnormals, infinities and NaN included).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F), mantissa = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension ParameterSet {
    /// The parameters as a safetensors file with `metadata` (e.g. model configuration).
    public func safeTensorsFile(metadata: [String: String] = [:]) -> SafeTensorsFile {
        SafeTensorsFile(tensors: zip(names, tensors).map { ($0, $1) }, metadata: metadata)
    }

    /// Saves every parameter (F32) and `metadata` to `url`.
    public func save(to url: URL, metadata: [String: String] = [:]) throws(SafeTensorsError) {
        try SafeTensors.write(safeTensorsFile(metadata: metadata), to: url)
    }

    /// Replaces every parameter with the tensor of the same name in `file`.
    ///
    /// All-or-nothing: the file must hold exactly the model's names with the model's shapes;
    /// otherwise nothing changes and the first problem is thrown (missing, then unexpected,
    /// then shape).
    public mutating func load(_ file: SafeTensorsFile, path: String) throws(SafeTensorsError) {
        var byName: [String: Tensor] = [:]
        for (name, tensor) in file.tensors { byName[name] = tensor }
        let missing = names.filter { byName[$0] == nil }
        if let first = missing.first {
            throw SafeTensorsError(path: path, tensor: first, kind: .missingTensor,
                                   problem: "the model needs this tensor but the file lacks it (\(missing.count) missing in all)",
                                   remedy: "Load a checkpoint saved from the same model configuration.")
        }
        let known = Set(names)
        if let extra = file.tensors.first(where: { !known.contains($0.name) }) {
            throw SafeTensorsError(path: path, tensor: extra.name, kind: .unexpectedTensor,
                                   problem: "the file holds a tensor the model does not have",
                                   remedy: "Load a checkpoint saved from the same model configuration.")
        }
        var replacement = tensors
        for (index, name) in names.enumerated() {
            let incoming = byName[name]!
            guard incoming.shape == tensors[index].shape else {
                throw SafeTensorsError(path: path, tensor: name, kind: .shapeMismatch(expected: tensors[index].shape, found: incoming.shape),
                                       problem: "the file's shape \(incoming.shape) differs from the model's \(tensors[index].shape)",
                                       remedy: "Build the model with the configuration stored in the file's metadata.")
            }
            replacement[index] = incoming
        }
        tensors = replacement
    }

    /// Reads `url` and loads it as `load(_:path:)` does; returns the file's metadata.
    @discardableResult
    public mutating func load(from url: URL) throws(SafeTensorsError) -> [String: String] {
        let file = try SafeTensors.read(from: url)
        try load(file, path: url.path)
        return file.metadata
    }
}
