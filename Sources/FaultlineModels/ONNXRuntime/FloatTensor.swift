/// A dense float32 tensor in row-major order, as ONNX Runtime takes and returns them.
public struct FloatTensor: Sendable, Equatable {
    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public let values: [Float]

    /// Makes a tensor; fails when a dimension is negative or `values` does not fill `shape`.
    public init(shape: [Int], values: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ONNXRuntimeError(
                kind: .invalidInput, file: "(tensor)", message: "tensor shape \(shape) has a negative dimension")
        }
        let count = shape.reduce(1, *)
        guard count == values.count else {
            throw ONNXRuntimeError(
                kind: .invalidInput, file: "(tensor)",
                message: "tensor shape \(shape) holds \(count) values but \(values.count) were given")
        }
        self.shape = shape
        self.values = values
    }

    /// The number of values, the product of the dimensions.
    public var count: Int { values.count }
}
