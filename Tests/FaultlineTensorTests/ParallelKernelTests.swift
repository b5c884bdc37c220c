import Foundation
import Testing
@testable import FaultlineTensor

/// The kernels' multi-threaded paths only engage on large inputs, which the small
/// finite-difference checks never reach; these tests use shapes above every threshold.
/// Serialized because two of them change the process-wide thread count.
@Suite("Parallel kernels and fast math", .serialized)
struct ParallelKernelTests {
    // Moved here from the training suite so that no test changes the thread count while
    // another compares results across thread counts.
    @Test func threadCountIsConfigurable() {
        let original = ComputeThreads.count
        ComputeThreads.set(1)
        #expect(ComputeThreads.count == 1)
        ComputeThreads.set(0)
        #expect(ComputeThreads.count == 1)
        ComputeThreads.set(original)
        #expect(ComputeThreads.count == original)
    }

    @Test func fastErfStaysWithinHalfAMillionth() {
        var worst = 0.0
        for step in -60_000...60_000 {
            let x = Float(step) * 1e-4
            worst = max(worst, abs(Double(fastErf(x)) - erf(Double(x))))
        }
        #expect(worst < 5e-7, "fastErf is off by \(worst)")
        #expect(fastErf(20) == fastErf(4) && fastErf(-20) == -fastErf(4))
    }

    @Test func fastExpStaysWithinAMillionthRelative() {
        var worst = 0.0
        for step in -8_700...8_700 {
            let x = Float(step) * 1e-2
            let exact = exp(Double(x))
            worst = max(worst, abs(Double(fastExp(x)) - exact) / exact)
        }
        #expect(worst < 1e-6, "fastExp is off by \(worst) relative")
        #expect(fastExp(0) == 1)
        #expect(fastExp(-1000) >= 0 && fastExp(-1000) < 1e-37)
        #expect(fastExp(1000).isFinite)
    }

    @Test func largeLinearThroughSplitProducts() {
        // 96·64·96 multiply-adds exceed the threshold for splitting a product across threads.
        let report = checkGradients([randomTensor([96, 96], seed: 1), randomTensor([64, 96], seed: 2, scale: 0.2),
                                     randomTensor([64], seed: 3)], maxElementsPerInput: 60) {
            linear($0[0], weight: $0[1], bias: $0[2])
        }
        #expect(report.passed, "\(report)")
    }

    @Test func largeAttentionAcrossBatchAndHeadBlocks() {
        let batch = 4, length = 24, width = 32
        var mask = [Bool](repeating: false, count: batch * length)
        for b in 0..<batch { for t in (length - 3 * b)..<length { mask[b * length + t] = true } }
        let inputs = (0..<3).map { randomTensor([batch, length, width], seed: UInt64(10 + $0)) }
        let report = checkGradients(inputs, maxElementsPerInput: 60) {
            multiHeadAttention(query: $0[0], key: $0[1], value: $0[2], heads: 2, keyPaddingMask: mask)
        }
        #expect(report.passed, "\(report)")
    }

    @Test func largeLayerNormAcrossRowBlocks() {
        let report = checkGradients([randomTensor([64, 160], seed: 4), randomTensor([160], seed: 5),
                                     randomTensor([160], seed: 6)], maxElementsPerInput: 60) {
            $0[0].layerNorm(gamma: $0[1], beta: $0[2])
        }
        #expect(report.passed, "\(report)")
    }

    @Test func largeActivationsAcrossRanges() {
        let x = randomTensorAvoidingZero([70_000], seed: 7)
        #expect(checkGradients([x], maxElementsPerInput: 40) { $0[0].gelu() }.passed)
        #expect(checkGradients([x], maxElementsPerInput: 40) { $0[0].relu() }.passed)
    }

    /// One forward and backward pass through a transformer block at the current thread count.
    private func blockGradients() -> [Tensor] {
        var parameters = ParameterSet(seed: 3)
        let block = TransformerBlock("block", width: 64, heads: 4, parameters: &parameters)
        let tape = Tape()
        let pass = ForwardPass(parameters: parameters, tape: tape)
        let x = pass.input(randomTensor([6, 40, 64], seed: 8), requiresGradient: true)
        var mask = [Bool](repeating: false, count: 6 * 40)
        for t in 30..<40 { mask[t] = true }
        let y = block(x, keyPaddingMask: mask, pass)
        tape.backward(from: y.sum())
        return [y.value, tape.gradient(of: x)!] + pass.parameterGradients()
    }

    @Test func threadCountChangesOnlyTheSplitNotTheResult() {
        let original = ComputeThreads.count
        defer { ComputeThreads.set(original) }
        ComputeThreads.set(2)
        let first = blockGradients()
        let again = blockGradients()
        #expect(first == again, "two runs at the same thread count differ")
        ComputeThreads.set(1)
        let serial = blockGradients()
        for (parallel, single) in zip(first, serial) {
            #expect(parallel.shape == single.shape)
            var worst: Float = 0
            for i in 0..<parallel.count {
                worst = max(worst, abs(parallel.scalars[i] - single.scalars[i]) / max(1, abs(single.scalars[i])))
            }
            #expect(worst < 1e-4, "threaded and serial results differ by \(worst)")
        }
    }

    @Test(arguments: [(1, 0), (1, 1), (2, 1), (2, 2), (3, 2), (3, 0)])
    func convolutionMatchesADirectLoop(stride: Int, padding: Int) {
        // Odd, non-square images make the first and last in-bounds output columns differ
        // between kernel offsets, which is what the im2col copy ranges must get right.
        let (batch, channels, height, width, outChannels, kernel) = (2, 3, 7, 9, 4, 3)
        let x = randomTensor([batch, channels, height, width], seed: 21)
        let w = randomTensor([outChannels, channels, kernel, kernel], seed: 22)
        let b = randomTensor([outChannels], seed: 23)
        let y = conv2d(Variable(x), weight: Variable(w), bias: Variable(b), stride: stride, padding: padding).value
        let outHeight = (height + 2 * padding - kernel) / stride + 1, outWidth = (width + 2 * padding - kernel) / stride + 1
        #expect(y.shape == [batch, outChannels, outHeight, outWidth])
        var worst: Float = 0
        for n in 0..<batch { for o in 0..<outChannels { for oh in 0..<outHeight { for ow in 0..<outWidth {
            var total = b.scalars[o]
            for c in 0..<channels { for kh in 0..<kernel { for kw in 0..<kernel {
                let ih = oh * stride - padding + kh, iw = ow * stride - padding + kw
                guard ih >= 0, ih < height, iw >= 0, iw < width else { continue }
                total += x.scalars[((n * channels + c) * height + ih) * width + iw]
                    * w.scalars[((o * channels + c) * kernel + kh) * kernel + kw]
            } } }
            let got = y.scalars[((n * outChannels + o) * outHeight + oh) * outWidth + ow]
            worst = max(worst, abs(got - total))
        } } } }
        #expect(worst < 1e-4, "conv2d differs from the direct loop by \(worst)")
    }

    @Test(arguments: [(1, 1), (2, 1)])
    func forwardOnlyConvolutionMatchesTheRecordedOne(stride: Int, padding: Int) {
        // Inference convolves image by image; training convolves the batch at once so it
        // can keep the patches for the weight gradient. Both must give the same outputs.
        let original = ComputeThreads.count
        defer { ComputeThreads.set(original) }
        ComputeThreads.set(2)
        let x = randomTensor([6, 16, 32, 32], seed: 31)
        let w = randomTensor([32, 16, 3, 3], seed: 32)
        let b = randomTensor([32], seed: 33)
        let forwardOnly = conv2d(Variable(x), weight: Variable(w), bias: Variable(b), stride: stride, padding: padding).value
        let tape = Tape()
        let recorded = conv2d(
            Variable(x), weight: tape.variable(w), bias: tape.variable(b), stride: stride, padding: padding).value
        #expect(forwardOnly.shape == recorded.shape)
        var worst: Float = 0
        for i in 0..<recorded.count {
            worst = max(worst, abs(forwardOnly.scalars[i] - recorded.scalars[i]) / max(1, abs(recorded.scalars[i])))
        }
        // Not bit for bit: the products are split differently, so the last bit can differ.
        #expect(worst < 1e-5, "forward-only and recorded convolutions differ by \(worst) (relative)")
    }

    @Test(arguments: [(2, 2), (3, 2), (2, 1), (3, 3)])
    func maxPoolingMatchesADirectLoop(kernel: Int, stride: Int) {
        // Large enough to pool planes in parallel; odd sides leave a last row and column
        // outside every window. Values rounded to tenths make ties, which go to the first
        // element of the window in reading order on every path.
        let original = ComputeThreads.count
        defer { ComputeThreads.set(original) }
        ComputeThreads.set(2)
        let (batch, channels, height, width) = (4, 24, 65, 63)
        let x = Tensor(
            shape: [batch, channels, height, width],
            scalars: randomTensor([batch, channels, height, width], seed: 41).scalars.map { ($0 * 10).rounded() / 10 })
        let tape = Tape()
        let input = tape.variable(x)
        let pooled = input.maxPool2d(kernel: kernel, stride: stride)
        let outHeight = (height - kernel) / stride + 1, outWidth = (width - kernel) / stride + 1
        #expect(pooled.value.shape == [batch, channels, outHeight, outWidth])
        var expectedGradient = [Float](repeating: 0, count: x.count)
        var mismatches = 0
        for plane in 0..<(batch * channels) { for oh in 0..<outHeight { for ow in 0..<outWidth {
            var best = -Float.infinity, bestIndex = 0
            for kh in 0..<kernel { for kw in 0..<kernel {
                let index = plane * height * width + (oh * stride + kh) * width + ow * stride + kw
                if x.scalars[index] > best { best = x.scalars[index]; bestIndex = index }
            } }
            let out = (plane * outHeight + oh) * outWidth + ow
            if pooled.value.scalars[out] != best { mismatches += 1 }
            expectedGradient[bestIndex] += Float(out % 7)
        } } }
        #expect(mismatches == 0, "\(mismatches) pooled values differ from the direct loop")
        let upstream = Tensor(shape: pooled.value.shape, scalars: (0..<pooled.value.count).map { Float($0 % 7) })
        tape.backward(from: (pooled * Variable(upstream)).sum())
        let gradient = tape.gradient(of: input)?.scalars ?? []
        #expect(gradient.count == expectedGradient.count)
        let misrouted = zip(gradient, expectedGradient).filter { $0 != $1 }.count
        #expect(misrouted == 0, "\(misrouted) input gradients differ from each window's winner's")
    }
}
