import Foundation

// Row-wise operations over the last dimension: layer norm, softmax, log-softmax, L2 norm.

extension Variable {
    /// Layer normalisation over the last dimension with affine `gamma` and `beta` ([width]).
    public func layerNorm(gamma: Variable, beta: Variable, epsilon: Float = 1e-5) -> Variable {
        let x = value
        let width = x.shape.last ?? 1
        precondition(gamma.shape == [width] && beta.shape == [width],
                     "layerNorm: gamma \(gamma.shape) / beta \(beta.shape) for width \(width)")
        let rows = x.count / max(width, 1)
        var means = [Float](repeating: 0, count: rows)
        var inverseStd = [Float](repeating: 0, count: rows)
        let gammaValue = gamma.value, betaValue = beta.value
        let rowCost = 8 * width
        let out = Tensor(shape: x.shape) { o in
            x.withPointer { p in gammaValue.withPointer { gp in betaValue.withPointer { bp in
            means.withUnsafeMutableBufferPointer { meanBuffer in inverseStd.withUnsafeMutableBufferPointer { rstdBuffer in
                let src = SharedReadPointer(p), gs = SharedReadPointer(gp), bs = SharedReadPointer(bp)
                let dst = SharedPointer(o.baseAddress!)
                let meanOut = SharedPointer(meanBuffer.baseAddress!), rstdOut = SharedPointer(rstdBuffer.baseAddress!)
                parallelBlocks(rows, costPerItem: rowCost) { block in
                    for r in block {
                        let row = src.base + r * width, out = dst.base + r * width
                        let mean = vectorSum(row, width) / Float(width)
                        let variance = vectorSquaredDeviation(row, width, center: mean) / Float(width)
                        let rstd = 1 / (variance + epsilon).squareRoot()
                        meanOut.base[r] = mean
                        rstdOut.base[r] = rstd
                        for i in 0..<width { out[i] = (row[i] - mean) * rstd * gs.base[i] + bs.base[i] }
                    }
                }
            } }
            } } }
        }
        let xID = id, gID = gamma.id, bID = beta.id
        let savedMeans = means, savedInverseStd = inverseStd
        return Variable.record(out, inputs: [self, gamma, beta]) { g, tape in
            // Row blocks accumulate their own dGamma/dBeta partials, summed in block order
            // afterwards so the result depends only on the thread count.
            let blocks = rows * rowCost >= 1 << 16 ? max(1, min(ComputeThreads.count, rows)) : 1
            var partials = [Float](repeating: 0, count: blocks * 2 * width)
            let dx = Tensor(shape: x.shape) { d in
                x.withPointer { p in g.withPointer { gradient in gammaValue.withPointer { gp in
                savedMeans.withUnsafeBufferPointer { meanBuffer in savedInverseStd.withUnsafeBufferPointer { rstdBuffer in
                partials.withUnsafeMutableBufferPointer { partialBuffer in
                    let src = SharedReadPointer(p), grads = SharedReadPointer(gradient), gs = SharedReadPointer(gp)
                    let meanIn = SharedReadPointer(meanBuffer.baseAddress!), rstdIn = SharedReadPointer(rstdBuffer.baseAddress!)
                    let dst = SharedPointer(d.baseAddress!), sums = SharedPointer(partialBuffer.baseAddress!)
                    parallelFor(blocks, costPerItem: 1 << 16) { block in
                        let dGamma = sums.base + block * 2 * width, dBeta = dGamma + width
                        for r in (rows * block / blocks)..<(rows * (block + 1) / blocks) {
                            let row = src.base + r * width, gr = grads.base + r * width, out = dst.base + r * width
                            let mean = meanIn.base[r], rstd = rstdIn.base[r]
                            var sumDy: Float = 0, sumDyXhat: Float = 0
                            for i in 0..<width {
                                let xhat = (row[i] - mean) * rstd
                                let dy = gr[i] * gs.base[i]
                                sumDy += dy
                                sumDyXhat += dy * xhat
                                dGamma[i] += gr[i] * xhat
                                dBeta[i] += gr[i]
                            }
                            let meanDy = sumDy / Float(width), meanDyXhat = sumDyXhat / Float(width)
                            for i in 0..<width {
                                let xhat = (row[i] - mean) * rstd
                                out[i] = rstd * (gr[i] * gs.base[i] - meanDy - xhat * meanDyXhat)
                            }
                        }
                    }
                } } }
                } } }
            }
            var dGamma = Array(partials[0..<width]), dBeta = Array(partials[width..<(2 * width)])
            for block in 1..<blocks {
                let base = block * 2 * width
                for i in 0..<width {
                    dGamma[i] += partials[base + i]
                    dBeta[i] += partials[base + width + i]
                }
            }
            if xID >= 0 { tape.accumulate(xID, dx) }
            if gID >= 0 { tape.accumulate(gID, Tensor(shape: [width], scalars: dGamma)) }
            if bID >= 0 { tape.accumulate(bID, Tensor(shape: [width], scalars: dBeta)) }
        }
    }

    /// Softmax over the last dimension.
    public func softmax() -> Variable {
        let y = softmaxRows(value)
        let id = self.id
        return Variable.record(y, self) { g, tape in
            let width = y.shape.last ?? 1
            let dx = Tensor(shape: y.shape) { d in y.withPointer { yp in g.withPointer { gp in
                for r in 0..<(y.count / max(width, 1)) {
                    let yr = yp + r * width, gr = gp + r * width, dr = d.baseAddress! + r * width
                    var dot: Float = 0
                    for i in 0..<width { dot += yr[i] * gr[i] }
                    for i in 0..<width { dr[i] = yr[i] * (gr[i] - dot) }
                }
            } } }
            tape.accumulate(id, dx)
        }
    }

    /// Log-softmax over the last dimension (numerically stable).
    public func logSoftmax() -> Variable {
        let y = logSoftmaxRows(value)
        let id = self.id
        return Variable.record(y, self) { g, tape in
            let width = y.shape.last ?? 1
            let dx = Tensor(shape: y.shape) { d in y.withPointer { yp in g.withPointer { gp in
                for r in 0..<(y.count / max(width, 1)) {
                    let yr = yp + r * width, gr = gp + r * width, dr = d.baseAddress! + r * width
                    var total: Float = 0
                    for i in 0..<width { total += gr[i] }
                    for i in 0..<width { dr[i] = gr[i] - expf(yr[i]) * total }
                }
            } } }
            tape.accumulate(id, dx)
        }
    }

    /// Divides each row (last dimension) by its Euclidean norm, floored at `epsilon`.
    public func l2Normalized(epsilon: Float = 1e-12) -> Variable {
        let x = value
        let width = x.shape.last ?? 1
        let rows = x.count / max(width, 1)
        var norms = [Float](repeating: 0, count: rows)
        let out = Tensor(shape: x.shape) { o in x.withPointer { p in
            for r in 0..<rows {
                let row = p + r * width
                var sq: Float = 0
                for i in 0..<width { sq += row[i] * row[i] }
                let norm = max(sq.squareRoot(), epsilon)
                norms[r] = norm
                for i in 0..<width { o[r * width + i] = row[i] / norm }
            }
        } }
        let id = self.id, saved = norms
        return Variable.record(out, self) { g, tape in
            let dx = Tensor(shape: x.shape) { d in out.withPointer { yp in g.withPointer { gp in x.withPointer { xp in
                for r in 0..<rows {
                    let yr = yp + r * width, gr = gp + r * width
                    var rawNorm: Float = 0
                    for i in 0..<width { rawNorm += xp[r * width + i] * xp[r * width + i] }
                    let clamped = rawNorm.squareRoot() < epsilon
                    var dot: Float = 0
                    if !clamped { for i in 0..<width { dot += yr[i] * gr[i] } }
                    for i in 0..<width { d[r * width + i] = (gr[i] - yr[i] * dot) / saved[r] }
                }
            } } } }
            tape.accumulate(id, dx)
        }
    }
}

func softmaxRows(_ x: Tensor) -> Tensor {
    let width = x.shape.last ?? 1
    return Tensor(shape: x.shape) { o in x.withPointer { p in
        for r in 0..<(x.count / max(width, 1)) {
            let row = p + r * width, dst = o.baseAddress! + r * width
            var peak = -Float.infinity
            for i in 0..<width { peak = max(peak, row[i]) }
            var total: Float = 0
            for i in 0..<width { let e = expf(row[i] - peak); dst[i] = e; total += e }
            let inverse = 1 / total
            for i in 0..<width { dst[i] *= inverse }
        }
    } }
}

func logSoftmaxRows(_ x: Tensor) -> Tensor {
    let width = x.shape.last ?? 1
    return Tensor(shape: x.shape) { o in x.withPointer { p in
        for r in 0..<(x.count / max(width, 1)) {
            let row = p + r * width, dst = o.baseAddress! + r * width
            var peak = -Float.infinity
            for i in 0..<width { peak = max(peak, row[i]) }
            var total: Float = 0
            for i in 0..<width { total += expf(row[i] - peak) }
            let logTotal = peak + logf(total)
            for i in 0..<width { dst[i] = row[i] - logTotal }
        }
    } }
}
