import Foundation

/// Adam's moment estimates and update rule, shared by `Adam` and `AdamW`.
struct AdamCore: Sendable {
    var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    var firstMoments: [[Float]] = []
    var secondMoments: [[Float]] = []
    var step = 0

    mutating func update(_ parameters: inout ParameterSet, gradients: [Tensor], learningRate: Float, decoupled: Bool) {
        precondition(gradients.count == parameters.count,
                     "optimiser got \(gradients.count) gradients for \(parameters.count) parameters")
        if firstMoments.isEmpty {
            firstMoments = parameters.tensors.map { [Float](repeating: 0, count: $0.count) }
            secondMoments = firstMoments
        }
        step += 1
        let correction1 = 1 - powf(beta1, Float(step))
        let correction2 = 1 - powf(beta2, Float(step))
        let stepSize = learningRate / correction1
        let inverseRootCorrection2 = 1 / correction2.squareRoot()
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        for index in 0..<parameters.count {
            let gradient = gradients[index]
            precondition(gradient.count == parameters.tensors[index].count,
                         "gradient \(gradient.shape) for parameter \(parameters.names[index]) \(parameters.tensors[index].shape)")
            parameters.tensors[index].withMutablePointer { p in
                gradient.withPointer { g in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            // Elements are independent, so large tensors split across threads
                            // without changing any result.
                            let ps = SharedPointer(p), gs = SharedReadPointer(g)
                            let ms = SharedPointer(m.baseAddress!), vs = SharedPointer(v.baseAddress!)
                            parallelRanges(m.count) { range in
                                for i in range {
                                    var grad = gs.base[i]
                                    if decoupled {
                                        ps.base[i] -= learningRate * decay * ps.base[i]
                                    } else {
                                        grad += decay * ps.base[i]
                                    }
                                    ms.base[i] = b1 * ms.base[i] + (1 - b1) * grad
                                    vs.base[i] = b2 * vs.base[i] + (1 - b2) * grad * grad
                                    ps.base[i] -= stepSize * ms.base[i] / (vs.base[i].squareRoot() * inverseRootCorrection2 + eps)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Adam (Kingma & Ba) with optional L2 weight decay added to the gradient, as `torch.optim.Adam`.
public struct Adam: Sendable {
    private var core: AdamCore

    /// Creates the optimiser; state is allocated on the first step.
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        core = AdamCore(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// Steps taken so far.
    public var stepCount: Int { core.step }

    /// Applies one update with `gradients` aligned to `parameters`' order.
    public mutating func step(_ parameters: inout ParameterSet, gradients: [Tensor], learningRate: Float) {
        core.update(&parameters, gradients: gradients, learningRate: learningRate, decoupled: false)
    }
}

/// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, as `torch.optim.AdamW`.
public struct AdamW: Sendable {
    private var core: AdamCore

    /// The `faultline.format` of a saved optimiser state.
    public static let stateFormat = "faultline-adamw-1"

    /// Creates the optimiser; PyTorch's default weight decay is 0.01.
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        core = AdamCore(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// Steps taken so far.
    public var stepCount: Int { core.step }

    /// Applies one update with `gradients` aligned to `parameters`' order.
    public mutating func step(_ parameters: inout ParameterSet, gradients: [Tensor], learningRate: Float) {
        core.update(&parameters, gradients: gradients, learningRate: learningRate, decoupled: true)
    }

    /// The state a resumed run needs to continue bit for bit: the step count and both
    /// moment estimates, named `first.NAME` and `second.NAME` after `parameters`.
    public func stateFile(for parameters: ParameterSet) -> SafeTensorsFile {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (index, name) in parameters.names.enumerated() {
            let shape = parameters.tensors[index].shape
            let count = parameters.tensors[index].count
            let first = core.firstMoments.isEmpty ? [Float](repeating: 0, count: count) : core.firstMoments[index]
            let second = core.secondMoments.isEmpty ? [Float](repeating: 0, count: count) : core.secondMoments[index]
            tensors.append(("first." + name, Tensor(shape: shape, scalars: first)))
            tensors.append(("second." + name, Tensor(shape: shape, scalars: second)))
        }
        return SafeTensorsFile(tensors: tensors, metadata: ["faultline.format": Self.stateFormat, "faultline.adamw.step": String(core.step)])
    }

    /// Replaces the state with one saved by `stateFile(for:)` for the same parameters.
    ///
    /// - Throws: `SafeTensorsError` naming the file and the tensor when the file is not an
    ///   optimiser state or does not match `parameters` (nothing changes then).
    public mutating func restore(_ file: SafeTensorsFile, for parameters: ParameterSet, path: String) throws(SafeTensorsError) {
        guard file.metadata["faultline.format"] == Self.stateFormat, let step = file.metadata["faultline.adamw.step"].flatMap({ Int($0) })
        else {
            throw SafeTensorsError(
                path: path, tensor: nil, kind: .unexpectedMetadata, problem: "not an AdamW state written by Faultline",
                remedy: "Resume from the .optimizer.safetensors file written next to the checkpoint.")
        }
        var moments = (first: [[Float]](), second: [[Float]]())
        for (index, name) in parameters.names.enumerated() {
            let shape = parameters.tensors[index].shape
            for (prefix, isFirst) in [("first.", true), ("second.", false)] {
                guard let tensor = file[prefix + name] else {
                    throw SafeTensorsError(
                        path: path, tensor: prefix + name, kind: .missingTensor, problem: "the state lacks this moment",
                        remedy: "Resume with the optimiser state saved with the same checkpoint.")
                }
                guard tensor.shape == shape else {
                    throw SafeTensorsError(
                        path: path, tensor: prefix + name, kind: .shapeMismatch(expected: shape, found: tensor.shape),
                        problem: "the state's shape \(tensor.shape) differs from the parameter's \(shape)",
                        remedy: "Resume with the optimiser state saved with the same checkpoint.")
                }
                if isFirst { moments.first.append(tensor.scalars) } else { moments.second.append(tensor.scalars) }
            }
        }
        core.firstMoments = moments.first
        core.secondMoments = moments.second
        core.step = step
    }
}

/// Scales all gradients so that their joint L2 norm is at most `maxNorm`; returns the norm
/// before clipping (as `torch.nn.utils.clip_grad_norm_`).
@discardableResult
public func clipGradientsByGlobalNorm(_ gradients: inout [Tensor], maxNorm: Float) -> Float {
    var squared: Double = 0
    for gradient in gradients {
        gradient.withPointer { g in for i in 0..<gradient.count { squared += Double(g[i] * g[i]) } }
    }
    let norm = Float(squared.squareRoot())
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for index in gradients.indices {
            let count = gradients[index].count
            gradients[index].withMutablePointer { g in for i in 0..<count { g[i] *= factor } }
        }
    }
    return norm
}

/// Linear warm-up from 0 to `peak`, then cosine decay to `floor` at `totalSteps`.
public struct WarmupCosineSchedule: Sendable, Equatable {
    public let peak: Float
    public let floor: Float
    public let warmupSteps: Int
    public let totalSteps: Int

    /// A schedule; `warmupSteps` ≤ `totalSteps`.
    public init(peak: Float, floor: Float = 0, warmupSteps: Int, totalSteps: Int) {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps && totalSteps > 0,
                     "schedule needs 0 ≤ warmupSteps (\(warmupSteps)) ≤ totalSteps (\(totalSteps))")
        self.peak = peak
        self.floor = floor
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The learning rate for step `step` (0-based); constant `floor` after the end.
    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        if step >= totalSteps { return floor }
        let progress = Float(step - warmupSteps) / Float(max(totalSteps - warmupSteps, 1))
        return floor + 0.5 * (peak - floor) * (1 + cosf(Float.pi * progress))
    }
}
