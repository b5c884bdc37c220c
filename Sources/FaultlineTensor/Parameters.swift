import FaultlineCore

/// A handle to one parameter of a `ParameterSet` (its position and its name).
public struct ParameterID: Sendable, Hashable {
    /// Position in the set's order.
    public let index: Int
    /// Dotted name, e.g. "image.conv1.weight".
    public let name: String
}

/// How a parameter is initialised.
public enum ParameterInitializer: Sendable {
    case zeros
    case ones
    case normal(standardDeviation: Float)
    case uniform(bound: Float)
    case kaimingNormal(fanIn: Int)
    case kaimingUniform(fanIn: Int)
    case xavierUniform(fanIn: Int, fanOut: Int)
}

/// The named weights of a model, in registration order.
///
/// A value type and `Sendable`: share it between inference tasks freely; the optimiser
/// mutates its own copy. Each parameter is initialised from
/// `SeededGenerator(seed: seed, stream: FNV-1a(name))`, so a parameter's initial bits
/// depend only on the seed and its name, not on what was registered before it.
public struct ParameterSet: Sendable, Sequence {
    /// The seed for initialisers.
    public let seed: UInt64
    /// Names in registration order.
    public private(set) var names: [String] = []
    /// Values in registration order (aligned with `names`).
    public internal(set) var tensors: [Tensor] = []
    private var positions: [String: Int] = [:]

    /// An empty set whose initialisers draw from `seed`.
    public init(seed: UInt64) { self.seed = seed }

    /// Registers a parameter; names must be unique (a duplicate is a programming error).
    @discardableResult
    public mutating func add(_ name: String, shape: [Int], initializer: ParameterInitializer) -> ParameterID {
        precondition(positions[name] == nil, "parameter \(name) registered twice")
        var generator = SeededGenerator(seed: seed, stream: ParameterSet.stream(for: name))
        let value: Tensor
        switch initializer {
        case .zeros: value = .zeros(shape)
        case .ones: value = .filled(shape, with: 1)
        case .normal(let std): value = .normal(shape, standardDeviation: std, generator: &generator)
        case .uniform(let bound): value = .uniform(shape, low: -bound, high: bound, generator: &generator)
        case .kaimingNormal(let fanIn): value = .kaimingNormal(shape, fanIn: fanIn, generator: &generator)
        case .kaimingUniform(let fanIn): value = .kaimingUniform(shape, fanIn: fanIn, generator: &generator)
        case .xavierUniform(let fanIn, let fanOut):
            value = .xavierUniform(shape, fanIn: fanIn, fanOut: fanOut, generator: &generator)
        }
        positions[name] = names.count
        names.append(name)
        tensors.append(value)
        return ParameterID(index: names.count - 1, name: name)
    }

    /// FNV-1a of the UTF-8 name: a stable per-name stream number.
    static func stream(for name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The number of parameters (tensors).
    public var count: Int { names.count }
    /// The total number of scalars.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// The value of a parameter.
    public subscript(id: ParameterID) -> Tensor { tensors[id.index] }

    /// The value of the parameter called `name`, if any.
    public subscript(name: String) -> Tensor? { positions[name].map { tensors[$0] } }

    /// The handle for `name`, if registered.
    public func id(named name: String) -> ParameterID? { positions[name].map { ParameterID(index: $0, name: name) } }

    /// Replaces the value of `name`, which must keep its shape.
    public mutating func replace(_ name: String, with value: Tensor) throws(ParameterError) {
        guard let index = positions[name] else {
            throw ParameterError(name: name, problem: "no such parameter", remedy: "use one of the model's names, e.g. \(names.first ?? "—")")
        }
        guard tensors[index].shape == value.shape else {
            throw ParameterError(name: name, problem: "shape \(value.shape) differs from the model's \(tensors[index].shape)",
                                 remedy: "supply a tensor shaped like the model's parameter")
        }
        tensors[index] = value
    }

    /// Iterates `(name, tensor)` in registration order.
    public func makeIterator() -> AnyIterator<(name: String, tensor: Tensor)> {
        var index = 0
        let names = self.names, tensors = self.tensors
        return AnyIterator {
            guard index < names.count else { return nil }
            defer { index += 1 }
            return (names[index], tensors[index])
        }
    }
}

/// A parameter could not be replaced.
public struct ParameterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The parameter's name.
    public let name: String
    /// What was wrong.
    public let problem: String
    /// What to do about it.
    public let remedy: String
    public var description: String { "parameter \(name): \(problem); \(remedy)" }
}

/// One forward pass: the parameters it reads and, when training or attacking, the tape
/// that records it.
///
/// Without a tape nothing is recorded and the pass only reads shared immutable weights,
/// so any number of tasks can run inference on one `ParameterSet` at once.
public struct ForwardPass {
    /// The weights read by this pass.
    public let parameters: ParameterSet
    /// The tape, when gradients are wanted.
    public let tape: Tape?
    private let variables: [Variable]

    /// A pass over `parameters`; pass a tape to get parameter gradients (`trainable: true`)
    /// or only input gradients (`trainable: false`, e.g. PGD on an image).
    public init(parameters: ParameterSet, tape: Tape? = nil, trainable: Bool = true) {
        self.parameters = parameters
        self.tape = tape
        if let tape, trainable {
            variables = parameters.tensors.map { tape.variable($0) }
        } else {
            variables = parameters.tensors.map { Variable($0) }
        }
    }

    /// The variable for a parameter.
    public subscript(id: ParameterID) -> Variable { variables[id.index] }

    /// Wraps an input; with `requiresGradient` (and a tape) its gradient is recorded.
    public func input(_ value: Tensor, requiresGradient: Bool = false) -> Variable {
        if requiresGradient, let tape { return tape.variable(value) }
        return Variable(value)
    }

    /// Gradients for every parameter in set order (zeros where nothing flowed), after
    /// `tape.backward(from:)`.
    public func parameterGradients() -> [Tensor] {
        guard let tape else { return parameters.tensors.map { .zeros($0.shape) } }
        return zip(variables, parameters.tensors).map { variable, tensor in
            tape.gradient(of: variable) ?? .zeros(tensor.shape)
        }
    }
}
