import Foundation
import Testing
@testable import FaultlineTensor

/// Builds a safetensors byte string from a raw header and data bytes.
private func rawFile(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> Data {
    var bytes: [UInt8] = []
    let headerBytes = Array(header.utf8)
    let length = declaredLength ?? UInt64(headerBytes.count)
    for i in 0..<8 { bytes.append(UInt8((length >> (8 * UInt64(i))) & 0xFF)) }
    return Data(bytes + headerBytes + data)
}

private func expectError(_ data: Data, _ kind: SafeTensorsError.Kind, tensor: String? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try SafeTensors.decode(data, path: "/tmp/model.safetensors")
        Issue.record("expected \(kind), but the file was accepted", sourceLocation: sourceLocation)
    } catch {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.path == "/tmp/model.safetensors", sourceLocation: sourceLocation)
        if let tensor { #expect(error.tensor == tensor, sourceLocation: sourceLocation) }
        #expect(!error.description.isEmpty)
    }
}

@Suite("safetensors")
struct SafeTensorsTests {
    private func sampleParameters() -> ParameterSet {
        var parameters = ParameterSet(seed: 12)
        parameters.add("image.conv1.weight", shape: [2, 1, 3, 3], initializer: .kaimingNormal(fanIn: 9))
        parameters.add("text.embedding.weight", shape: [5, 4], initializer: .normal(standardDeviation: 1))
        parameters.add("head.bias", shape: [3], initializer: .zeros)
        return parameters
    }

    @Test func roundTripIsBitExact() throws {
        let special = Tensor(shape: [6], scalars: [-0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1.0 / 3])
        var file = sampleParameters().safeTensorsFile(metadata: ["config": #"{"width": 128, "name": "tiny \"vqa\""}"#, "vocabulary": "a\nb\tc"])
        file.tensors.append(("special", special))
        file.tensors.append(("scalar", Tensor(scalar: 2.5)))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(file, to: url)
        let loaded = try SafeTensors.read(from: url)
        #expect(loaded.metadata == file.metadata)
        #expect(loaded.tensors.map(\.name) == file.tensors.map(\.name))
        for ((_, a), (_, b)) in zip(loaded.tensors, file.tensors) {
            #expect(a.shape == b.shape)
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
        #expect(SafeTensors.encode(file) == SafeTensors.encode(file))
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
    }

    @Test func modelSaveAndLoad() throws {
        let original = sampleParameters()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try original.save(to: url, metadata: ["answers": "yes,no"])
        var fresh = ParameterSet(seed: 99)
        fresh.add("image.conv1.weight", shape: [2, 1, 3, 3], initializer: .kaimingNormal(fanIn: 9))
        fresh.add("text.embedding.weight", shape: [5, 4], initializer: .normal(standardDeviation: 1))
        fresh.add("head.bias", shape: [3], initializer: .ones)
        #expect(fresh.tensors != original.tensors)
        let metadata = try fresh.load(from: url)
        #expect(metadata == ["answers": "yes,no"])
        #expect(fresh.tensors == original.tensors)
    }

    @Test func modelMismatchesAreNamed() throws {
        let file = sampleParameters().safeTensorsFile()
        var missing = sampleParameters()
        missing.add("extra.weight", shape: [1], initializer: .zeros)
        #expect { try missing.load(file, path: "m.safetensors") } throws: { error in
            (error as? SafeTensorsError)?.kind == .missingTensor && (error as? SafeTensorsError)?.tensor == "extra.weight"
        }
        var unexpected = SafeTensorsFile(tensors: file.tensors + [("stray", .zeros([2]))])
        var model = sampleParameters()
        #expect { try model.load(unexpected, path: "m.safetensors") } throws: { error in
            (error as? SafeTensorsError)?.kind == .unexpectedTensor && (error as? SafeTensorsError)?.tensor == "stray"
        }
        unexpected.tensors = file.tensors.map { $0.name == "head.bias" ? ($0.name, Tensor.zeros([4])) : $0 }
        do {
            try model.load(unexpected, path: "m.safetensors")
            Issue.record("shape mismatch accepted")
        } catch {
            #expect(error.kind == .shapeMismatch(expected: [3], found: [4]))
            #expect(error.description.contains("[4]") && error.description.contains("[3]"))
        }
        #expect(model.tensors == sampleParameters().tensors, "a failed load must leave the model unchanged")
    }

    @Test func corruptFilesGiveNamedErrors() {
        let four = [UInt8](repeating: 0, count: 16)
        expectError(Data([1, 2, 3]), .fileTooShort)
        expectError(rawFile(header: "{}", data: [], declaredLength: 1 << 40), .implausibleHeaderLength)
        expectError(rawFile(header: "{}", data: [], declaredLength: 0), .implausibleHeaderLength)
        expectError(rawFile(header: "not json at all", data: []), .headerNotJSON)
        expectError(rawFile(header: #"{"t": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]}}"#, data: four),
                    .unsupportedDType("I64"), tensor: "t")
        expectError(rawFile(header: #"{"t": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}}"#, data: four),
                    .offsetsOutOfRange, tensor: "t")
        expectError(rawFile(header: #"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#, data: four),
                    .overlappingOffsets, tensor: "b")
        expectError(rawFile(header: #"{"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}"#, data: four),
                    .byteCountMismatch, tensor: "t")
        expectError(rawFile(header: #"{"t": {"dtype": "F32", "shape": [4]}}"#, data: four), .malformedEntry, tensor: "t")
    }

    @Test func halfPrecisionIsWidened() throws {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000; BF16: 1.5 = 0x3FC0, -0.5 = 0xBF00.
        let data = rawFile(header: #"{"h": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}, "b": {"dtype": "BF16", "shape": [2], "data_offsets": [4, 8]}}"#,
                           data: [0x00, 0x3C, 0x00, 0xC0, 0xC0, 0x3F, 0x00, 0xBF])
        let file = try SafeTensors.decode(data)
        #expect(file["h"]?.scalars == [1, -2])
        #expect(file["b"]?.scalars == [1.5, -0.5])
        #expect(SafeTensors.halfToFloat(0x0001) == 0x1p-24)
    }
}
