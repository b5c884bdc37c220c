import FaultlineCore

/// A dense Float32 array in row-major (C) order with a shape.
///
/// The scalars live in one contiguous `[Float]`, so copies are copy-on-write and
/// `reshaped` never copies. `Tensor` is a value type and `Sendable`: weights shared by
/// several inference tasks are simply shared values.
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension; `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Float]

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// Wraps `scalars` as a tensor of `shape`; the counts must agree (programmer error otherwise).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(Tensor.elementCount(shape) == scalars.count,
                     "shape \(shape) needs \(Tensor.elementCount(shape)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Wraps `scalars` as a tensor of `shape`, throwing a descriptive error when the counts differ.
    public init(validatingShape shape: [Int], scalars: [Float]) throws(TensorShapeError) {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorShapeError(operation: "Tensor(validatingShape:)", problem: "shape \(shape) has a negative extent")
        }
        let expected = Tensor.elementCount(shape)
        guard expected == scalars.count else {
            throw TensorShapeError(
                operation: "Tensor(validatingShape:)",
                problem: "shape \(shape) holds \(expected) elements but \(scalars.count) scalars were given")
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// A scalar (rank-0) tensor.
    public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// Creates a tensor whose storage is filled by `body` without a prior zero fill.
    init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let n = Tensor.elementCount(shape)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            body(buffer)
            initialized = n
        }
    }

    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: 0, count: elementCount(shape)))
    }

    /// Every element equal to `value`.
    public static func filled(_ shape: [Int], with value: Float) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: value, count: elementCount(shape)))
    }

    /// The product of the extents (1 for a scalar).
    @inlinable public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The same scalars under a new shape (no copy). One extent may be `-1` (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var copy = self
        copy.shape = Tensor.resolve(newShape, count: count)
        return copy
    }

    static func resolve(_ newShape: [Int], count: Int) -> [Int] {
        var resolved = newShape
        if let wildcard = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != wildcard }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot infer -1 in \(newShape) for \(count) elements")
            resolved[wildcard] = count / known
        }
        precondition(elementCount(resolved) == count, "cannot reshape \(count) elements to \(newShape)")
        return resolved
    }

    /// The single element of a one-element tensor.
    public var scalarValue: Float {
        precondition(count == 1, "scalarValue needs exactly one element, shape is \(shape)")
        return scalars[0]
    }

    /// Adds `other` (same element count) into `self`, element by element.
    mutating func addInPlace(_ other: Tensor) {
        precondition(other.count == count, "gradient of \(other.shape) accumulated into \(shape)")
        scalars.withUnsafeMutableBufferPointer { dst in
            other.scalars.withUnsafeBufferPointer { src in
                for i in 0..<dst.count { dst[i] += src[i] }
            }
        }
    }
}

/// A shape mismatch found while building a tensor or combining tensors.
public struct TensorShapeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The operation that rejected its input.
    public let operation: String
    /// What was wrong.
    public let problem: String
    public var description: String { "\(operation): \(problem)" }
}

// MARK: - Seeded initialisation

extension Tensor {
    /// Samples from N(mean, std²); the same generator state gives the same bits.
    public static func normal(_ shape: [Int], mean: Float = 0, standardDeviation: Float,
                              generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = mean + standardDeviation * Float(generator.gaussian()) }
        }
    }

    /// Samples uniformly from [low, high).
    public static func uniform(_ shape: [Int], low: Float, high: Float,
                               generator: inout SeededGenerator) -> Tensor {
        let width = Double(high) - Double(low)
        return Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = Float(Double(low) + width * generator.unit()) }
        }
    }

    /// Kaiming (He) normal init for ReLU nets: std = sqrt(2 / fanIn).
    public static func kaimingNormal(_ shape: [Int], fanIn: Int, generator: inout SeededGenerator) -> Tensor {
        normal(shape, standardDeviation: (2 / Float(fanIn)).squareRoot(), generator: &generator)
    }

    /// Kaiming uniform init: U(±sqrt(6 / fanIn)).
    public static func kaimingUniform(_ shape: [Int], fanIn: Int, generator: inout SeededGenerator) -> Tensor {
        let bound = (6 / Float(fanIn)).squareRoot()
        return uniform(shape, low: -bound, high: bound, generator: &generator)
    }

    /// Xavier (Glorot) uniform init: U(±sqrt(6 / (fanIn + fanOut))).
    public static func xavierUniform(_ shape: [Int], fanIn: Int, fanOut: Int,
                                     generator: inout SeededGenerator) -> Tensor {
        let bound = (6 / Float(fanIn + fanOut)).squareRoot()
        return uniform(shape, low: -bound, high: bound, generator: &generator)
    }
}
