// Reverse-mode differentiation with a hand-written tape, not Swift's `_Differentiation`.
//
// Why a tape:
// - Performance: every operation here is a fused kernel over whole buffers (one closure
//   call per operation, never per element), and each backward kernel can skip work for
//   inputs that need no gradient (e.g. the image gradient of the first convolution during
//   training). `_Differentiation` would differentiate through our Swift loops or need a
//   custom derivative for every kernel anyway, adds witness-table and closure overhead per
//   call, and its pullbacks for `Array`-backed types copy more than we want.
// - Stability: `_Differentiation` is still an underscored, experimental module whose
//   compiler support has regressed between toolchains; a tape is plain Swift 6.
// - Concurrency: a `Tape` belongs to one computation. Weights stay immutable `Tensor`
//   values, so several tasks can run inference (no tape) or PGD (one tape each) on the
//   same weights without shared mutable state.

/// Records the operations of one computation so that gradients can be propagated back.
///
/// Create one per forward/backward pass; not shared between tasks.
public final class Tape {
    /// Propagates `gradient` (of this node's output) into the gradients of its inputs.
    typealias Backward = (_ gradient: Tensor, _ tape: Tape) -> Void

    private var backwards: [Backward?] = []
    private var gradients: [Tensor?] = []
    private var shapes: [[Int]] = []

    /// An empty tape.
    public init() {}

    /// A leaf that receives a gradient (a parameter, or an input image for PGD).
    public func variable(_ value: Tensor) -> Variable {
        let id = append(shape: value.shape, backward: nil)
        return Variable(value: value, id: id, tape: self)
    }

    /// The number of recorded nodes (leaves and operations).
    public var nodeCount: Int { backwards.count }

    func append(shape: [Int], backward: Backward?) -> Int {
        backwards.append(backward)
        gradients.append(nil)
        shapes.append(shape)
        return backwards.count - 1
    }

    /// Adds `gradient` into the gradient of node `id` (in place when uniquely owned).
    func accumulate(_ id: Int, _ gradient: Tensor) {
        guard id >= 0 else { return }
        precondition(gradient.count == Tensor.elementCount(shapes[id]),
                     "gradient with \(gradient.shape) for a node of shape \(shapes[id])")
        if var existing = gradients[id] {
            gradients[id] = nil
            existing.addInPlace(gradient)
            gradients[id] = existing
        } else {
            gradients[id] = gradient.shape == shapes[id] ? gradient : gradient.reshaped(shapes[id])
        }
    }

    /// Back-propagates from `output`, seeding it with `seed` (default: ones, i.e. d sum(output)).
    ///
    /// Intermediate gradients are released as soon as they are used; leaf gradients stay
    /// readable through `gradient(of:)`.
    public func backward(from output: Variable, seed: Tensor? = nil) {
        precondition(output.tape === self, "backward(from:) on a variable of another tape")
        guard output.id >= 0 else { return }
        let start = seed ?? Tensor.filled(output.shape, with: 1)
        precondition(start.count == output.value.count, "seed shape \(start.shape) for output \(output.shape)")
        accumulate(output.id, start)
        var node = output.id
        while node >= 0 {
            if let backward = backwards[node], let gradient = gradients[node] {
                gradients[node] = nil
                backward(gradient, self)
            }
            node -= 1
        }
    }

    /// The accumulated gradient of a leaf or node, or nil if nothing flowed into it.
    public func gradient(of variable: Variable) -> Tensor? {
        guard variable.tape === self, variable.id >= 0 else { return nil }
        return gradients[variable.id]
    }
}

/// A tensor flowing through a computation, optionally tracked by a `Tape`.
///
/// Untracked variables (no tape, or constants) cost nothing beyond their value; an
/// operation is recorded only when at least one input is tracked.
public struct Variable {
    /// The value computed by the forward pass.
    public let value: Tensor
    /// Index on the tape, or -1 when no gradient flows into this variable.
    let id: Int
    let tape: Tape?

    init(value: Tensor, id: Int, tape: Tape?) {
        self.value = value
        self.id = id
        self.tape = tape
    }

    /// An untracked value (inference, or an input that needs no gradient).
    public init(_ value: Tensor) { self.init(value: value, id: -1, tape: nil) }

    /// The shape of the value.
    public var shape: [Int] { value.shape }
    /// Whether gradients flow into this variable.
    public var isTracked: Bool { id >= 0 }
}

extension Variable {
    /// Records an operation with output `value` whose inputs are `inputs`; returns an
    /// untracked result when no input is tracked, so inference records nothing.
    static func record(_ value: Tensor, inputs: [Variable], backward: @escaping Tape.Backward) -> Variable {
        var owner: Tape?
        for input in inputs where input.id >= 0 {
            if let existing = owner {
                precondition(existing === input.tape, "an operation mixes variables of two tapes")
            }
            owner = input.tape
        }
        guard let tape = owner else { return Variable(value) }
        let id = tape.append(shape: value.shape, backward: backward)
        return Variable(value: value, id: id, tape: tape)
    }

    /// Same as `record(_:inputs:backward:)` for the common one- and two-input cases
    /// without building an array.
    @inline(__always)
    static func record(_ value: Tensor, _ a: Variable, _ b: Variable? = nil,
                       backward: @escaping Tape.Backward) -> Variable {
        if a.id < 0 && (b?.id ?? -1) < 0 { return Variable(value) }
        if let b { return record(value, inputs: [a, b], backward: backward) }
        return record(value, inputs: [a], backward: backward)
    }
}
