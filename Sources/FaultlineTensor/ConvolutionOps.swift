// 2-D convolution (im2col + one GEMM over the whole batch) and pooling, all NCHW.

/// Geometry of a 2-D convolution or pooling window.
struct WindowGeometry {
    let batch, channels, height, width: Int
    let kernelHeight, kernelWidth, stride, padding: Int
    var outHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    var outPlane: Int { outHeight * outWidth }
    var patch: Int { channels * kernelHeight * kernelWidth }

    /// The output columns `first..<end` whose input column `ow·stride − padding + kernelOffset`
    /// lies inside `0..<width`.
    func insideRange(kernelOffset: Int) -> (first: Int, end: Int) {
        let shift = kernelOffset - padding
        // Smallest ow with ow·stride + shift ≥ 0, and the count with ow·stride + shift < width.
        let first = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let end = width - shift <= 0 ? 0 : min(outWidth, (width - shift - 1) / stride + 1)
        return (min(first, end), end)
    }
}

/// Fills `col` ([patch, batch·outPlane]) with image patches; zero where the window hits padding.
private func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let columns = g.batch * g.outPlane
    let src = SharedReadPointer(x), dst = SharedPointer(col)
    parallelFor(g.batch, costPerItem: g.patch * g.outPlane) { n in
        let image = src.base + n * g.channels * g.height * g.width
        for c in 0..<g.channels {
            let plane = image + c * g.height * g.width
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let row = (c * g.kernelHeight + kh) * g.kernelWidth + kw
                    let out = dst.base + row * columns + n * g.outPlane
                    // Output columns whose window column lies inside the image, found once per
                    // kernel offset so the copy loop below has no bounds test.
                    let (first, end) = g.insideRange(kernelOffset: kw)
                    for oh in 0..<g.outHeight {
                        let ih = oh * g.stride - g.padding + kh
                        let line = out + oh * g.outWidth
                        if ih < 0 || ih >= g.height {
                            line.update(repeating: 0, count: g.outWidth)
                            continue
                        }
                        let input = plane + ih * g.width + kw - g.padding
                        for ow in 0..<first { line[ow] = 0 }
                        if g.stride == 1 {
                            for ow in first..<end { line[ow] = input[ow] }
                        } else if g.stride == 2 {
                            // A constant stride lets the compiler vectorise the gather (wide
                            // loads and shuffles); with the stride a variable it stays scalar.
                            for ow in first..<end { line[ow] = input[2 &* ow] }
                        } else {
                            for ow in first..<end { line[ow] = input[ow * g.stride] }
                        }
                        for ow in end..<g.outWidth { line[ow] = 0 }
                    }
                }
            }
        }
    }
}

/// Adds the patch gradients in `col` back into the image gradient `dx` (zeroed by the caller).
///
/// Each image pixel receives its patch gradients in (channel, kh, kw, oh, ow) order whatever
/// the loop bounds, so skipping the columns that fall in the padding changes no bits.
private func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let columns = g.batch * g.outPlane
    let src = SharedReadPointer(col), dst = SharedPointer(dx)
    parallelFor(g.batch, costPerItem: g.patch * g.outPlane) { n in
        let image = dst.base + n * g.channels * g.height * g.width
        for c in 0..<g.channels {
            let plane = image + c * g.height * g.width
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let row = (c * g.kernelHeight + kh) * g.kernelWidth + kw
                    let grad = src.base + row * columns + n * g.outPlane
                    // Output columns whose window column lies inside the image (as in im2col).
                    let (first, end) = g.insideRange(kernelOffset: kw)
                    if first >= end { continue }
                    for oh in 0..<g.outHeight {
                        let ih = oh * g.stride - g.padding + kh
                        if ih < 0 || ih >= g.height { continue }
                        let line = grad + oh * g.outWidth
                        let target = plane + ih * g.width + kw - g.padding
                        if g.stride == 1 {
                            for ow in first..<end { target[ow] += line[ow] }
                        } else {
                            for ow in first..<end { target[ow * g.stride] += line[ow] }
                        }
                    }
                }
            }
        }
    }
}

enum InferenceConvolution {
    /// The smallest output plane (pixels per image) convolved image by image in inference.
    /// Measured with `bench --part zoo`: image by image everywhere 19.1–19.6 ms per batch,
    /// from 16 × 16 planes up 18.9–19.1 ms, never 21.2–21.4 ms.
    static let imageByImageMinimumPlane = 256
}

/// Forward-only convolution for when no gradient is wanted (inference): each image's
/// patches times the weights straight into that image's NCHW output, bias added in place.
///
/// Why a second path: one image's patch matrix (at most a few hundred KB here) stays in
/// the core's cache between im2col and the product, and the product already has the NCHW
/// layout, so the batch-wide patch matrix and the scatter back to NCHW that training needs
/// (for the weight gradient) are both skipped.
private func convolveEachImage(_ input: Tensor, _ w: Tensor, _ bias: Tensor?, _ g: WindowGeometry, rectified: Bool) -> Tensor {
    let outChannels = w.shape[0]
    let one = WindowGeometry(batch: 1, channels: g.channels, height: g.height, width: g.width,
                             kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, stride: g.stride, padding: g.padding)
    let imageSize = g.channels * g.height * g.width, outSize = outChannels * g.outPlane
    return Tensor(shape: [g.batch, outChannels, g.outHeight, g.outWidth]) { o in
        let dst = SharedPointer(o.baseAddress!)
        input.withPointer { ip in w.withPointer { wp in
            let src = SharedReadPointer(ip), weights = SharedReadPointer(wp)
            let biasValues = bias?.scalars
            parallelBlocks(g.batch, costPerItem: g.patch * outSize) { images in
                let col = UnsafeMutablePointer<Float>.allocate(capacity: g.patch * g.outPlane)
                defer { col.deallocate() }
                for n in images {
                    im2col(src.base + n * imageSize, col, one)
                    let out = dst.base + n * outSize
                    gemm(transposeA: false, transposeB: false, m: outChannels, n: g.outPlane, k: g.patch, a: weights.base,
                         lda: g.patch, b: col, ldb: g.outPlane, c: out, ldc: g.outPlane, threaded: false)
                    if let biasValues {
                        for oc in 0..<outChannels {
                            let channel = out + oc * g.outPlane, b = biasValues[oc]
                            for i in 0..<g.outPlane { channel[i] += b }
                        }
                    }
                    // ReLU while the image's output is still in cache (same values as `relu()`).
                    if rectified { reluRange(out, out, 0..<outSize) }
                }
            }
        } }
    }
}

/// 2-D convolution, NCHW input [n, c, h, w], weight [out, c, kh, kw], optional bias [out];
/// `rectified` applies ReLU to the result (in place when no gradient is recorded, otherwise
/// as the `relu()` operation, so training records exactly the same steps).
public func conv2d(
    _ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0, rectified: Bool = false
) -> Variable {
    let input = x.value, w = weight.value
    precondition(input.rank == 4 && w.rank == 4 && input.shape[1] == w.shape[1],
                 "conv2d: input \(input.shape) (NCHW) and weight \(w.shape) (OCKK) disagree")
    precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride) / padding \(padding) invalid")
    let g = WindowGeometry(batch: input.shape[0], channels: input.shape[1], height: input.shape[2], width: input.shape[3],
                           kernelHeight: w.shape[2], kernelWidth: w.shape[3], stride: stride, padding: padding)
    precondition(g.outHeight > 0 && g.outWidth > 0, "conv2d: kernel \(w.shape) larger than padded input \(input.shape)")
    let outChannels = w.shape[0]
    if let bias { precondition(bias.shape == [outChannels], "conv2d: bias \(bias.shape) for \(outChannels) channels") }
    // Image by image only where an image's output plane is wide enough to keep the product
    // efficient: OpenBLAS repacks the weights on every call, which on an 8 × 8 plane costs
    // as much memory traffic as the product itself.
    if x.id < 0 && weight.id < 0 && (bias?.id ?? -1) < 0 && g.outPlane >= InferenceConvolution.imageByImageMinimumPlane {
        return Variable(convolveEachImage(input, w, bias?.value, g, rectified: rectified))
    }
    if rectified { return conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding).relu() }
    let columns = g.batch * g.outPlane
    let col = Tensor(shape: [g.patch, columns]) { c in input.withPointer { im2col($0, c.baseAddress!, g) } }
    // [out, batch·plane] from one GEMM, then scattered to NCHW with the bias added.
    let product = Tensor(shape: [outChannels, columns]) { o in
        w.withPointer { wp in col.withPointer { cp in
            gemm(transposeA: false, transposeB: false, m: outChannels, n: columns, k: g.patch, a: wp, lda: g.patch,
                 b: cp, ldb: columns, c: o.baseAddress!, ldc: columns)
        } }
    }
    let biasValue = bias?.value ?? Tensor.zeros([outChannels])
    let out = Tensor(shape: [g.batch, outChannels, g.outHeight, g.outWidth]) { o in
        let dst = SharedPointer(o.baseAddress!)
        product.withPointer { pp in biasValue.withPointer { bp in
            let src = SharedReadPointer(pp), bs = SharedReadPointer(bp)
            parallelFor(g.batch, costPerItem: outChannels * g.outPlane) { n in
                for oc in 0..<outChannels {
                    let from = src.base + oc * columns + n * g.outPlane
                    let to = dst.base + (n * outChannels + oc) * g.outPlane
                    let b = bs.base[oc]
                    for i in 0..<g.outPlane { to[i] = from[i] + b }
                }
            }
        } }
    }
    let xID = x.id, wID = weight.id, bID = bias?.id ?? -1
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return Variable.record(out, inputs: inputs) { grad, tape in
        // Gradient as [out, batch·plane], matching the GEMM layout.
        let gT = Tensor(shape: [outChannels, columns]) { o in
            let dst = SharedPointer(o.baseAddress!)
            grad.withPointer { gp in
                let src = SharedReadPointer(gp)
                parallelFor(g.batch, costPerItem: outChannels * g.outPlane) { n in
                    for oc in 0..<outChannels {
                        (dst.base + oc * columns + n * g.outPlane)
                            .update(from: src.base + (n * outChannels + oc) * g.outPlane, count: g.outPlane)
                    }
                }
            }
        }
        if bID >= 0 {
            let db = Tensor(shape: [outChannels]) { d in gT.withPointer { gp in
                for oc in 0..<outChannels {
                    var s: Float = 0
                    let row = gp + oc * columns
                    for i in 0..<columns { s += row[i] }
                    d[oc] = s
                }
            } }
            tape.accumulate(bID, db)
        }
        if wID >= 0 {
            let dw = Tensor(shape: w.shape) { d in gT.withPointer { gp in col.withPointer { cp in
                gemm(transposeA: false, transposeB: true, m: outChannels, n: g.patch, k: columns, a: gp, lda: columns,
                     b: cp, ldb: columns, c: d.baseAddress!, ldc: g.patch)
            } } }
            tape.accumulate(wID, dw)
        }
        if xID >= 0 {
            let dcol = Tensor(shape: [g.patch, columns]) { d in w.withPointer { wp in gT.withPointer { gp in
                gemm(transposeA: true, transposeB: false, m: g.patch, n: columns, k: outChannels, a: wp, lda: g.patch,
                     b: gp, ldb: columns, c: d.baseAddress!, ldc: columns)
            } } }
            var dx = Tensor.zeros(input.shape)
            dx.withMutablePointer { dp in dcol.withPointer { col2im($0, dp, g) } }
            tape.accumulate(xID, dx)
        }
    }
}

extension Variable {
    /// Max pooling over `kernel`×`kernel` windows (no padding), NCHW.
    public func maxPool2d(kernel: Int, stride: Int? = nil) -> Variable {
        let x = value
        precondition(x.rank == 4, "maxPool2d needs NCHW input, got \(x.shape)")
        let s = stride ?? kernel
        let g = WindowGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                               kernelHeight: kernel, kernelWidth: kernel, stride: s, padding: 0)
        precondition(g.outHeight > 0 && g.outWidth > 0, "maxPool2d kernel \(kernel) larger than \(x.shape)")
        let planes = g.batch * g.channels
        var argmax = [Int32](repeating: 0, count: planes * g.outPlane)
        // Planes are independent, so they are pooled in parallel with the same results.
        let out = Tensor(shape: [g.batch, g.channels, g.outHeight, g.outWidth]) { o in
            x.withPointer { p in argmax.withUnsafeMutableBufferPointer { am in
                let input = SharedReadPointer(p), output = SharedPointer(o.baseAddress!)
                let winners = SharedPointer(am.baseAddress!)
                parallelFor(planes, costPerItem: g.outPlane * kernel * kernel) { plane in
                    let src = input.base + plane * g.height * g.width
                    if kernel == 2 && s == 2 {
                        maxPool2x2(src, width: g.width, g, into: output.base + plane * g.outPlane,
                                   winners: winners.base + plane * g.outPlane)
                        return
                    }
                    for oh in 0..<g.outHeight {
                        for ow in 0..<g.outWidth {
                            var best = -Float.infinity, bestIndex = 0
                            for kh in 0..<kernel {
                                let row = (oh * s + kh) * g.width
                                for kw in 0..<kernel {
                                    let index = row + ow * s + kw
                                    if src[index] > best { best = src[index]; bestIndex = index }
                                }
                            }
                            let outIndex = plane * g.outPlane + oh * g.outWidth + ow
                            output.base[outIndex] = best
                            winners.base[outIndex] = Int32(bestIndex)
                        }
                    }
                }
            } }
        }
        let id = self.id
        let winners = argmax
        return Variable.record(out, self) { grad, tape in
            var dx = Tensor.zeros(x.shape)
            dx.withMutablePointer { d in grad.withPointer { gp in winners.withUnsafeBufferPointer { am in
                let gradient = SharedPointer(d), upstream = SharedReadPointer(gp), chosen = SharedReadPointer(am.baseAddress!)
                parallelFor(planes, costPerItem: g.outPlane) { plane in
                    let base = gradient.base + plane * g.height * g.width
                    for i in 0..<g.outPlane {
                        let k = plane * g.outPlane + i
                        base[Int(chosen.base[k])] += upstream.base[k]
                    }
                }
            } } }
            tape.accumulate(id, dx)
        }
    }

    /// Max pooling of one plane over 2 × 2 windows with stride 2, the readers' pooling: the
    /// general loop unrolled, visiting the window in the same order with the same strict
    /// comparison, so values and winners are the same.
    private func maxPool2x2(
        _ src: UnsafePointer<Float>, width: Int, _ g: WindowGeometry, into out: UnsafeMutablePointer<Float>,
        winners: UnsafeMutablePointer<Int32>
    ) {
        for oh in 0..<g.outHeight {
            let top = 2 * oh * width, bottom = top + width
            for ow in 0..<g.outWidth {
                let column = 2 * ow
                var best = -Float.infinity, bestIndex = 0
                @inline(__always) func visit(_ index: Int) {
                    if src[index] > best {
                        best = src[index]
                        bestIndex = index
                    }
                }
                visit(top + column)
                visit(top + column + 1)
                visit(bottom + column)
                visit(bottom + column + 1)
                out[oh * g.outWidth + ow] = best
                winners[oh * g.outWidth + ow] = Int32(bestIndex)
            }
        }
    }

    /// Average pooling over `kernel`×`kernel` windows (no padding), NCHW.
    public func avgPool2d(kernel: Int, stride: Int? = nil) -> Variable {
        let x = value
        precondition(x.rank == 4, "avgPool2d needs NCHW input, got \(x.shape)")
        let s = stride ?? kernel
        let g = WindowGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                               kernelHeight: kernel, kernelWidth: kernel, stride: s, padding: 0)
        precondition(g.outHeight > 0 && g.outWidth > 0, "avgPool2d kernel \(kernel) larger than \(x.shape)")
        let planes = g.batch * g.channels
        let inverseArea = 1 / Float(kernel * kernel)
        let out = Tensor(shape: [g.batch, g.channels, g.outHeight, g.outWidth]) { o in
            x.withPointer { p in
                for plane in 0..<planes {
                    let src = p + plane * g.height * g.width
                    for oh in 0..<g.outHeight {
                        for ow in 0..<g.outWidth {
                            var total: Float = 0
                            for kh in 0..<kernel {
                                let row = src + (oh * s + kh) * g.width + ow * s
                                for kw in 0..<kernel { total += row[kw] }
                            }
                            o[plane * g.outPlane + oh * g.outWidth + ow] = total * inverseArea
                        }
                    }
                }
            }
        }
        let id = self.id
        return Variable.record(out, self) { grad, tape in
            var dx = Tensor.zeros(x.shape)
            dx.withMutablePointer { d in grad.withPointer { gp in
                for plane in 0..<planes {
                    let dst = d + plane * g.height * g.width
                    for oh in 0..<g.outHeight {
                        for ow in 0..<g.outWidth {
                            let share = gp[plane * g.outPlane + oh * g.outWidth + ow] * inverseArea
                            for kh in 0..<kernel {
                                let row = dst + (oh * s + kh) * g.width + ow * s
                                for kw in 0..<kernel { row[kw] += share }
                            }
                        }
                    }
                }
            } }
            tape.accumulate(id, dx)
        }
    }

    /// Mean over the spatial dimensions: [n, c, h, w] → [n, c].
    public func globalAveragePool() -> Variable {
        precondition(shape.count == 4, "globalAveragePool needs NCHW input, got \(shape)")
        return reshaped([shape[0], shape[1], shape[2] * shape[3]]).mean(alongDimension: 2)
    }
}
