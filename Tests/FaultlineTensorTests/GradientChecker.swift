import FaultlineCore
@testable import FaultlineTensor

/// The outcome of comparing analytic and finite-difference gradients.
struct GradientCheckReport: CustomStringConvertible {
    var checkedElements = 0
    var failures: [String] = []
    var worstRatio: Double = 0
    var passed: Bool { failures.isEmpty && checkedElements > 0 }
    var description: String {
        "checked \(checkedElements) elements, worst error/tolerance \(worstRatio), failures: \(failures.prefix(5))"
    }
}

/// Checks the gradients of `function` with respect to every input by central differences.
///
/// The scalar under test is Σ output ⊙ W for a fixed random W, so every output element and
/// a non-uniform upstream gradient are exercised. An element passes when
/// |analytic − numeric| ≤ absoluteTolerance + relativeTolerance · max(|analytic|, |numeric|).
func checkGradients(_ inputs: [Tensor], epsilon: Float = 1e-2, absoluteTolerance: Double = 2e-3,
                    relativeTolerance: Double = 2e-2, maxElementsPerInput: Int = 120, seed: UInt64 = 7,
                    _ function: ([Variable]) -> Variable) -> GradientCheckReport {
    let tape = Tape()
    let variables = inputs.map { tape.variable($0) }
    let output = function(variables)
    var generator = SeededGenerator(seed: seed, stream: 99)
    let weights = Tensor.uniform(output.shape, low: -1, high: 1, generator: &generator)
    tape.backward(from: output, seed: weights)

    func objective(_ values: [Tensor]) -> Double {
        let out = function(values.map { Variable($0) }).value
        var total = 0.0
        for i in 0..<out.count { total += Double(out.scalars[i]) * Double(weights.scalars[i]) }
        return total
    }

    var report = GradientCheckReport()
    for (index, input) in inputs.enumerated() {
        let analytic = tape.gradient(of: variables[index]) ?? .zeros(input.shape)
        let stride = max(1, input.count / maxElementsPerInput)
        for element in Swift.stride(from: 0, to: input.count, by: stride) {
            var plus = inputs, minus = inputs
            plus[index].scalars[element] += epsilon
            minus[index].scalars[element] -= epsilon
            let numeric = (objective(plus) - objective(minus)) / Double(2 * epsilon)
            let exact = Double(analytic.scalars[element])
            let tolerance = absoluteTolerance + relativeTolerance * max(abs(exact), abs(numeric))
            let error = abs(exact - numeric)
            report.checkedElements += 1
            report.worstRatio = max(report.worstRatio, error / tolerance)
            if !(error <= tolerance) {
                report.failures.append("input \(index)[\(element)]: analytic \(exact), numeric \(numeric)")
            }
        }
    }
    return report
}

/// A test double: computes x² but reports a gradient 5% too large. The checker must reject it.
func wrongGradientSquareTestDouble(_ x: Variable) -> Variable {
    let value = x.value
    let squared = Tensor(shape: value.shape, scalars: value.scalars.map { $0 * $0 })
    let id = x.id
    return Variable.record(squared, x) { g, tape in
        tape.accumulate(id, Tensor(shape: value.shape, scalars: zip(g.scalars, value.scalars).map { $0 * 2.1 * $1 }))
    }
}

/// A random tensor for tests.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed, stream: 1)
    return Tensor.uniform(shape, low: -scale, high: scale, generator: &generator)
}

/// A random tensor whose entries stay at least `gap` away from zero (for kinks such as ReLU).
func randomTensorAvoidingZero(_ shape: [Int], seed: UInt64, gap: Float = 0.05) -> Tensor {
    let base = randomTensor(shape, seed: seed)
    return Tensor(shape: shape, scalars: base.scalars.map { $0 >= 0 ? $0 + gap : $0 - gap })
}
