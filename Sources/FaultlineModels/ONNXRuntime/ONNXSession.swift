import COnnxRuntime
import Foundation

/// How a session runs: threads and graph optimisation.
public struct ONNXSessionOptions: Sendable, Hashable {
    /// Threads used inside one operator. The default is 1 because Faultline's runner already
    /// runs several probes at once, one per core.
    public var intraOpThreads: Int
    /// Threads used to run independent operators at once (ignored in sequential execution).
    public var interOpThreads: Int

    public init(intraOpThreads: Int = 1, interOpThreads: Int = 1) {
        self.intraOpThreads = intraOpThreads
        self.interOpThreads = interOpThreads
    }
}

/// A model input or output as the model declares it.
public struct ONNXTensorInfo: Sendable, Equatable {
    public var name: String
    /// ONNX Runtime's element type code (1 is float32).
    public var elementType: Int
    /// The declared dimensions; -1 marks a dimension fixed only at run time.
    public var shape: [Int]
}

/// A model loaded into ONNX Runtime, ready to run on float tensors.
///
/// Safe to share between threads: ONNX Runtime documents `Run` as thread-safe on one session,
/// and everything else this class keeps is immutable after `init`.
public final class ONNXSession: @unchecked Sendable {
    /// The runtime this session belongs to; kept alive as long as the session is.
    public let runtime: ONNXRuntime
    /// The model file the session was created from.
    public let modelURL: URL
    /// The model's inputs, in the model's order.
    public let inputs: [ONNXTensorInfo]
    /// The model's outputs, in the model's order.
    public let outputs: [ONNXTensorInfo]

    private let session: OpaquePointer
    private let memoryInfo: OpaquePointer
    private let inputNames: [UnsafeMutablePointer<CChar>]
    private let outputNames: [UnsafeMutablePointer<CChar>]
    private var api: OrtApi { runtime.api }
    private var path: String { modelURL.path }

    /// Loads the model at `modelURL`. Fails with the file's path and ONNX Runtime's message
    /// when the file is missing, truncated or not a model ONNX Runtime can run.
    public init(runtime: ONNXRuntime, modelURL: URL, options: ONNXSessionOptions = ONNXSessionOptions()) throws {
        self.runtime = runtime
        self.modelURL = modelURL
        let api = runtime.api
        let path = modelURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ONNXRuntimeError(
                kind: .modelMissing, file: path, message: "the model file does not exist",
                remedy: ONNXRuntimeError.reinstall)
        }
        guard options.intraOpThreads >= 0, options.interOpThreads >= 0 else {
            throw ONNXRuntimeError(
                kind: .invalidInput, file: path,
                message: "thread counts must be 0 (ONNX Runtime's default) or more, got intra-op "
                    + "\(options.intraOpThreads) and inter-op \(options.interOpThreads)")
        }

        var sessionOptions: OpaquePointer?
        try runtime.check(api.CreateSessionOptions!(&sessionOptions), "creating session options", file: path)
        defer { api.ReleaseSessionOptions!(sessionOptions) }
        try runtime.check(
            api.SetIntraOpNumThreads!(sessionOptions, Int32(options.intraOpThreads)), "setting intra-op threads",
            file: path)
        try runtime.check(
            api.SetInterOpNumThreads!(sessionOptions, Int32(options.interOpThreads)), "setting inter-op threads",
            file: path)
        try runtime.check(
            api.SetSessionExecutionMode!(sessionOptions, ORT_SEQUENTIAL), "setting sequential execution", file: path)
        try runtime.check(
            api.SetSessionGraphOptimizationLevel!(sessionOptions, ORT_ENABLE_ALL), "setting graph optimisation",
            file: path)

        var created: OpaquePointer?
        try runtime.check(
            api.CreateSession!(runtime.environment, path, sessionOptions, &created),
            "loading the model (the file may be truncated or corrupt)", file: path,
            kind: .modelNotLoadable, remedy: ONNXRuntimeError.reinstall)
        guard let created else {
            throw ONNXRuntimeError(kind: .modelNotLoadable, file: path, message: "ONNX Runtime returned no session")
        }
        // From here on the session must be released if init fails.
        let info: OpaquePointer
        let described: (inputs: [ONNXTensorInfo], outputs: [ONNXTensorInfo])
        do {
            var made: OpaquePointer?
            try runtime.check(
                api.CreateCpuMemoryInfo!(OrtArenaAllocator, OrtMemTypeDefault, &made), "creating CPU memory info",
                file: path)
            guard let made else {
                throw ONNXRuntimeError(kind: .runtime, file: path, message: "ONNX Runtime returned no memory info")
            }
            info = made
            do {
                described = try ONNXSession.describe(session: created, runtime: runtime, path: path)
            } catch {
                api.ReleaseMemoryInfo!(info)
                throw error
            }
        } catch {
            api.ReleaseSession!(created)
            throw error
        }
        self.session = created
        self.memoryInfo = info
        self.inputs = described.inputs
        self.outputs = described.outputs
        self.inputNames = inputs.map { strdup($0.name) }
        self.outputNames = outputs.map { strdup($0.name) }
    }

    deinit {
        inputNames.forEach { free($0) }
        outputNames.forEach { free($0) }
        api.ReleaseMemoryInfo!(memoryInfo)
        api.ReleaseSession!(session)
    }

    /// The value stored under `key` in the model's custom metadata, or nil if there is none.
    public func customMetadata(_ key: String) throws -> String? {
        var metadata: OpaquePointer?
        try runtime.check(api.SessionGetModelMetadata!(session, &metadata), "reading model metadata", file: path)
        defer { api.ReleaseModelMetadata!(metadata) }
        let allocator = try runtime.defaultAllocator(file: path)
        var value: UnsafeMutablePointer<CChar>?
        try runtime.check(
            api.ModelMetadataLookupCustomMetadataMap!(metadata, allocator, key, &value),
            "reading metadata key '\(key)'", file: path)
        guard let value else { return nil }
        defer { _ = api.AllocatorFree!(allocator, value).map { api.ReleaseStatus!($0) } }
        return String(cString: value)
    }

    /// Runs the model on one float tensor per input (keyed by input name) and returns every
    /// output by name. Fails when an input is missing, extra, not float, or of a shape the
    /// model does not accept.
    public func run(_ feeds: [String: FloatTensor]) throws -> [String: FloatTensor] {
        let unknown = Set(feeds.keys).subtracting(inputs.map(\.name))
        guard unknown.isEmpty else {
            throw ONNXRuntimeError(
                kind: .invalidInput, file: path,
                message: "the model has no input named \(unknown.sorted()); its inputs are \(inputs.map(\.name))")
        }
        var ordered: [FloatTensor] = []
        for declared in inputs {
            guard let tensor = feeds[declared.name] else {
                throw ONNXRuntimeError(
                    kind: .invalidInput, file: path, message: "no tensor was given for input '\(declared.name)'")
            }
            guard declared.elementType == Int(ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT.rawValue) else {
                throw ONNXRuntimeError(
                    kind: .invalidInput, file: path,
                    message: "input '\(declared.name)' takes element type \(declared.elementType), not float32")
            }
            guard ONNXSession.accepts(declared.shape, tensor.shape) else {
                throw ONNXRuntimeError(
                    kind: .invalidInput, file: path,
                    message: "input '\(declared.name)' expects shape \(ONNXSession.format(declared.shape)), "
                        + "got \(tensor.shape)")
            }
            ordered.append(tensor)
        }

        // ONNX Runtime reads the input buffers during Run without copying them, so they live
        // in memory we own until Run returns.
        var buffers: [UnsafeMutableBufferPointer<Float>] = []
        var values: [OpaquePointer?] = []
        defer {
            values.forEach { api.ReleaseValue!($0) }
            buffers.forEach { $0.deallocate() }
        }
        for (declared, tensor) in zip(inputs, ordered) {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(tensor.count, 1))
            _ = buffer.initialize(from: tensor.values)
            buffers.append(buffer)
            let shape = tensor.shape.map(Int64.init)
            var value: OpaquePointer?
            try runtime.check(
                api.CreateTensorWithDataAsOrtValue!(
                    memoryInfo, buffer.baseAddress, tensor.count * MemoryLayout<Float>.stride, shape, shape.count,
                    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &value),
                "wrapping input '\(declared.name)'", file: path)
            values.append(value)
        }

        var results = [OpaquePointer?](repeating: nil, count: outputs.count)
        defer { results.forEach { api.ReleaseValue!($0) } }
        let inputNamePointers = inputNames.map { UnsafePointer<CChar>($0) as UnsafePointer<CChar>? }
        let outputNamePointers = outputNames.map { UnsafePointer<CChar>($0) as UnsafePointer<CChar>? }
        try runtime.check(
            api.Run!(
                session, nil, inputNamePointers, values, values.count, outputNamePointers,
                outputNamePointers.count, &results),
            "running the model", file: path)

        var named: [String: FloatTensor] = [:]
        for (declared, result) in zip(outputs, results) {
            named[declared.name] = try readFloatTensor(result, name: declared.name)
        }
        return named
    }

    /// Runs a model with exactly one input and one output.
    public func run(_ input: FloatTensor) throws -> FloatTensor {
        guard inputs.count == 1, outputs.count == 1 else {
            throw ONNXRuntimeError(
                kind: .invalidInput, file: path,
                message: "the model has \(inputs.count) inputs and \(outputs.count) outputs, not one of each")
        }
        let result = try run([inputs[0].name: input])
        guard let output = result[outputs[0].name] else {
            throw ONNXRuntimeError(kind: .unexpectedOutput, file: path, message: "the model returned no output")
        }
        return output
    }

    private func readFloatTensor(_ value: OpaquePointer?, name: String) throws -> FloatTensor {
        guard let value else {
            throw ONNXRuntimeError(kind: .unexpectedOutput, file: path, message: "output '\(name)' is missing")
        }
        var isTensor: Int32 = 0
        try runtime.check(api.IsTensor!(value, &isTensor), "inspecting output '\(name)'", file: path)
        guard isTensor != 0 else {
            throw ONNXRuntimeError(kind: .unexpectedOutput, file: path, message: "output '\(name)' is not a tensor")
        }
        var shapeInfo: OpaquePointer?
        try runtime.check(api.GetTensorTypeAndShape!(value, &shapeInfo), "reading the shape of '\(name)'", file: path)
        defer { api.ReleaseTensorTypeAndShapeInfo!(shapeInfo) }
        let (elementType, shape) = try ONNXSession.typeAndShape(of: shapeInfo, runtime: runtime, path: path)
        guard elementType == Int(ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT.rawValue) else {
            throw ONNXRuntimeError(
                kind: .unexpectedOutput, file: path,
                message: "output '\(name)' has element type \(elementType), not float32")
        }
        var count = 0
        try runtime.check(api.GetTensorShapeElementCount!(shapeInfo, &count), "counting '\(name)'", file: path)
        var data: UnsafeMutableRawPointer?
        try runtime.check(api.GetTensorMutableData!(value, &data), "reading the data of '\(name)'", file: path)
        guard let data, count == shape.reduce(1, *) else {
            throw ONNXRuntimeError(
                kind: .unexpectedOutput, file: path, message: "output '\(name)' has no data for its shape \(shape)")
        }
        let floats = data.bindMemory(to: Float.self, capacity: count)
        return try FloatTensor(shape: shape, values: Array(UnsafeBufferPointer(start: floats, count: count)))
    }

    private static func describe(session: OpaquePointer, runtime: ONNXRuntime, path: String) throws -> (
        inputs: [ONNXTensorInfo], outputs: [ONNXTensorInfo]
    ) {
        let api = runtime.api
        let allocator = try runtime.defaultAllocator(file: path)

        func info(index: Int, isInput: Bool) throws -> ONNXTensorInfo {
            let side = isInput ? "input" : "output"
            var rawName: UnsafeMutablePointer<CChar>?
            let nameStatus =
                isInput
                ? api.SessionGetInputName!(session, index, allocator, &rawName)
                : api.SessionGetOutputName!(session, index, allocator, &rawName)
            try runtime.check(nameStatus, "reading the name of \(side) \(index)", file: path)
            guard let rawName else {
                throw ONNXRuntimeError(kind: .runtime, file: path, message: "\(side) \(index) has no name")
            }
            let name = String(cString: rawName)
            if let status = api.AllocatorFree!(allocator, rawName) { api.ReleaseStatus!(status) }

            var typeInfo: OpaquePointer?
            let typeStatus =
                isInput
                ? api.SessionGetInputTypeInfo!(session, index, &typeInfo)
                : api.SessionGetOutputTypeInfo!(session, index, &typeInfo)
            try runtime.check(typeStatus, "reading the type of \(side) '\(name)'", file: path)
            defer { api.ReleaseTypeInfo!(typeInfo) }
            var tensorInfo: OpaquePointer?
            try runtime.check(
                api.CastTypeInfoToTensorInfo!(typeInfo, &tensorInfo), "reading tensor info of '\(name)'", file: path)
            guard let tensorInfo else {
                // Not a tensor (a sequence or map): record it so `run` can refuse it by name.
                return ONNXTensorInfo(name: name, elementType: 0, shape: [])
            }
            let (elementType, shape) = try typeAndShape(of: tensorInfo, runtime: runtime, path: path)
            return ONNXTensorInfo(name: name, elementType: elementType, shape: shape)
        }

        var inputCount = 0
        var outputCount = 0
        try runtime.check(api.SessionGetInputCount!(session, &inputCount), "counting inputs", file: path)
        try runtime.check(api.SessionGetOutputCount!(session, &outputCount), "counting outputs", file: path)
        let inputs = try (0..<inputCount).map { try info(index: $0, isInput: true) }
        let outputs = try (0..<outputCount).map { try info(index: $0, isInput: false) }
        return (inputs, outputs)
    }

    private static func typeAndShape(of info: OpaquePointer?, runtime: ONNXRuntime, path: String) throws -> (
        Int, [Int]
    ) {
        let api = runtime.api
        var elementType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try runtime.check(api.GetTensorElementType!(info, &elementType), "reading an element type", file: path)
        var rank = 0
        try runtime.check(api.GetDimensionsCount!(info, &rank), "reading a rank", file: path)
        var dimensions = [Int64](repeating: 0, count: rank)
        try runtime.check(api.GetDimensions!(info, &dimensions, rank), "reading dimensions", file: path)
        return (Int(elementType.rawValue), dimensions.map { Int($0) })
    }

    private static func accepts(_ declared: [Int], _ given: [Int]) -> Bool {
        guard declared.count == given.count else { return false }
        return zip(declared, given).allSatisfy { $0 < 0 || $0 == $1 }
    }

    private static func format(_ shape: [Int]) -> String {
        "[" + shape.map { $0 < 0 ? "?" : String($0) }.joined(separator: ", ") + "]"
    }
}
