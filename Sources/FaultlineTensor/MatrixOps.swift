// Matrix products on OpenBLAS: plain, batched, and the fused linear layer.

/// Matrix product of [m, k] and [k, n], or batched [b, m, k]·[b, k, n] (a 2-D right operand
/// is shared across the batch).
public func matmul(_ a: Variable, _ b: Variable) -> Variable {
    let x = a.value, y = b.value
    precondition((x.rank == 2 || x.rank == 3) && (y.rank == 2 || y.rank == 3) && !(x.rank == 2 && y.rank == 3),
                 "matmul supports [m,k]·[k,n], [b,m,k]·[b,k,n] and [b,m,k]·[k,n]; got \(x.shape)·\(y.shape)")
    let batch = x.rank == 3 ? x.shape[0] : 1
    let m = x.shape[x.rank - 2], k = x.shape[x.rank - 1]
    let n = y.shape[y.rank - 1]
    precondition(y.shape[y.rank - 2] == k, "matmul inner dimensions differ: \(x.shape)·\(y.shape)")
    let sharedRight = y.rank == 2
    if y.rank == 3 { precondition(y.shape[0] == batch, "matmul batch sizes differ: \(x.shape)·\(y.shape)") }
    let outShape = x.rank == 3 ? [batch, m, n] : [m, n]
    if sharedRight {
        // One GEMM over all rows: [b·m, k]·[k, n].
        let out = Tensor(shape: outShape) { o in
            x.withPointer { xp in y.withPointer { yp in
                gemm(transposeA: false, transposeB: false, m: batch * m, n: n, k: k, a: xp, lda: k, b: yp, ldb: n, c: o.baseAddress!, ldc: n)
            } }
        }
        let aID = a.id, bID = b.id
        return Variable.record(out, a, b) { g, tape in
            if aID >= 0 {
                let dx = Tensor(shape: x.shape) { d in g.withPointer { gp in y.withPointer { yp in
                    gemm(transposeA: false, transposeB: true, m: batch * m, n: k, k: n, a: gp, lda: n, b: yp, ldb: n, c: d.baseAddress!, ldc: k)
                } } }
                tape.accumulate(aID, dx)
            }
            if bID >= 0 {
                let dy = Tensor(shape: y.shape) { d in g.withPointer { gp in x.withPointer { xp in
                    gemm(transposeA: true, transposeB: false, m: k, n: n, k: batch * m, a: xp, lda: k, b: gp, ldb: n, c: d.baseAddress!, ldc: n)
                } } }
                tape.accumulate(bID, dy)
            }
        }
    }
    let out = Tensor(shape: outShape) { o in
        x.withPointer { xp in y.withPointer { yp in
            for i in 0..<batch {
                gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: xp + i * m * k, lda: k,
                     b: yp + i * k * n, ldb: n, c: o.baseAddress! + i * m * n, ldc: n)
            }
        } }
    }
    let aID = a.id, bID = b.id
    return Variable.record(out, a, b) { g, tape in
        if aID >= 0 {
            let dx = Tensor(shape: x.shape) { d in g.withPointer { gp in y.withPointer { yp in
                for i in 0..<batch {
                    gemm(transposeA: false, transposeB: true, m: m, n: k, k: n, a: gp + i * m * n, lda: n,
                         b: yp + i * k * n, ldb: n, c: d.baseAddress! + i * m * k, ldc: k)
                }
            } } }
            tape.accumulate(aID, dx)
        }
        if bID >= 0 {
            let dy = Tensor(shape: y.shape) { d in g.withPointer { gp in x.withPointer { xp in
                for i in 0..<batch {
                    gemm(transposeA: true, transposeB: false, m: k, n: n, k: m, a: xp + i * m * k, lda: k,
                         b: gp + i * m * n, ldb: n, c: d.baseAddress! + i * k * n, ldc: n)
                }
            } } }
            tape.accumulate(bID, dy)
        }
    }
}

/// x·Wᵀ + b over the last dimension of `x` ([..., in] → [..., out]); `weight` is [out, in].
public func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
    let input = x.value, w = weight.value
    precondition(w.rank == 2 && input.rank >= 1 && input.shape.last == w.shape[1],
                 "linear: input \(input.shape) does not end in the weight's input width \(w.shape)")
    let inWidth = w.shape[1], outWidth = w.shape[0]
    let rows = input.count / max(inWidth, 1)
    if let bias { precondition(bias.shape == [outWidth], "linear: bias \(bias.shape) for weight \(w.shape)") }
    let outShape = Array(input.shape.dropLast()) + [outWidth]
    let biasValue = bias?.value
    let out = Tensor(shape: outShape) { o in
        let op = o.baseAddress!
        if let biasValue {
            biasValue.withPointer { bp in
                for r in 0..<rows { (op + r * outWidth).update(from: bp, count: outWidth) }
            }
        }
        input.withPointer { xp in w.withPointer { wp in
            gemm(transposeA: false, transposeB: true, m: rows, n: outWidth, k: inWidth, a: xp, lda: inWidth,
                 b: wp, ldb: inWidth, beta: biasValue == nil ? 0 : 1, c: op, ldc: outWidth)
        } }
    }
    let xID = x.id, wID = weight.id, bID = bias?.id ?? -1
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return Variable.record(out, inputs: inputs) { g, tape in
        if xID >= 0 {
            let dx = Tensor(shape: input.shape) { d in g.withPointer { gp in w.withPointer { wp in
                gemm(transposeA: false, transposeB: false, m: rows, n: inWidth, k: outWidth, a: gp, lda: outWidth,
                     b: wp, ldb: inWidth, c: d.baseAddress!, ldc: inWidth)
            } } }
            tape.accumulate(xID, dx)
        }
        if wID >= 0 {
            let dw = Tensor(shape: w.shape) { d in g.withPointer { gp in input.withPointer { xp in
                gemm(transposeA: true, transposeB: false, m: outWidth, n: inWidth, k: rows, a: gp, lda: outWidth,
                     b: xp, ldb: inWidth, c: d.baseAddress!, ldc: inWidth)
            } } }
            tape.accumulate(wID, dw)
        }
        if bID >= 0 { tape.accumulate(bID, reduceLeading(g, to: [outWidth])) }
    }
}
