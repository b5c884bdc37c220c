import Foundation

// Losses fused with their (log-)softmax so the gradients are exact and stable.

/// Mean cross-entropy of `logits` ([rows, classes]) against integer `targets` (one per row).
///
/// Rows whose target equals `ignoreIndex` contribute nothing and are not counted in the
/// mean; if every row is ignored the loss is 0.
public func crossEntropy(logits: Variable, targets: [Int32], ignoreIndex: Int32? = -1) -> Variable {
    let x = logits.value
    precondition(x.rank == 2, "crossEntropy expects [rows, classes] logits, got \(x.shape)")
    let rows = x.shape[0], classes = x.shape[1]
    precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows")
    let logProbabilities = logSoftmaxRows(x)
    var total: Float = 0
    var counted = 0
    logProbabilities.withPointer { lp in
        for r in 0..<rows {
            let target = targets[r]
            if let ignoreIndex, target == ignoreIndex { continue }
            precondition(target >= 0 && Int(target) < classes, "crossEntropy target \(target) outside 0..<\(classes) (row \(r))")
            total -= lp[r * classes + Int(target)]
            counted += 1
        }
    }
    let loss = counted == 0 ? 0 : total / Float(counted)
    let id = logits.id
    return Variable.record(Tensor(scalar: loss), logits) { g, tape in
        let factor = counted == 0 ? 0 : g.scalars[0] / Float(counted)
        let dx = Tensor(shape: x.shape) { d in logProbabilities.withPointer { lp in
            for r in 0..<rows {
                let target = targets[r]
                let dr = d.baseAddress! + r * classes
                if let ignoreIndex, target == ignoreIndex {
                    dr.update(repeating: 0, count: classes)
                    continue
                }
                for c in 0..<classes { dr[c] = expf(lp[r * classes + c]) * factor }
                dr[Int(target)] -= factor
            }
        } }
        tape.accumulate(id, dx)
    }
}

/// `crossEntropy(logits:targets:ignoreIndex:)` with `Int` targets.
public func crossEntropy(logits: Variable, targets: [Int], ignoreIndex: Int? = -1) -> Variable {
    crossEntropy(logits: logits, targets: targets.map { Int32($0) }, ignoreIndex: ignoreIndex.map { Int32($0) })
}

/// Mean over rows of KL(P ‖ Q), where P = softmax(`logitsP`) and Q = softmax(`logitsQ`)
/// over the last dimension. Differentiable in both arguments.
public func klDivergence(logitsP: Variable, logitsQ: Variable) -> Variable {
    precondition(logitsP.shape == logitsQ.shape, "klDivergence: shapes \(logitsP.shape) and \(logitsQ.shape) differ")
    let lp = logSoftmaxRows(logitsP.value), lq = logSoftmaxRows(logitsQ.value)
    let width = lp.shape.last ?? 1, rows = lp.count / max(width, 1)
    var perRow = [Float](repeating: 0, count: rows)
    lp.withPointer { a in lq.withPointer { b in
        for r in 0..<rows {
            var s: Float = 0
            for i in (r * width)..<((r + 1) * width) { s += expf(a[i]) * (a[i] - b[i]) }
            perRow[r] = s
        }
    } }
    let loss = perRow.reduce(0, +) / Float(max(rows, 1))
    let pID = logitsP.id, qID = logitsQ.id
    let rowKL = perRow
    return Variable.record(Tensor(scalar: loss), logitsP, logitsQ) { g, tape in
        let factor = g.scalars[0] / Float(max(rows, 1))
        if pID >= 0 {
            // d/da_i = p_i·((log p_i − log q_i) − KL_row)
            let da = Tensor(shape: lp.shape) { d in lp.withPointer { a in lq.withPointer { b in
                for r in 0..<rows {
                    for i in (r * width)..<((r + 1) * width) { d[i] = factor * expf(a[i]) * (a[i] - b[i] - rowKL[r]) }
                }
            } } }
            tape.accumulate(pID, da)
        }
        if qID >= 0 {
            // d/db_i = q_i − p_i
            let db = Tensor(shape: lq.shape) { d in lp.withPointer { a in lq.withPointer { b in
                for i in 0..<d.count { d[i] = factor * (expf(b[i]) - expf(a[i])) }
            } } }
            tape.accumulate(qID, db)
        }
    }
}

/// Mean over rows of the Jensen–Shannon divergence between softmax(`logitsP`) and
/// softmax(`logitsQ`) (natural log, so at most ln 2). Differentiable in both arguments.
public func jensenShannonDivergence(logitsP: Variable, logitsQ: Variable) -> Variable {
    precondition(logitsP.shape == logitsQ.shape, "jensenShannonDivergence: shapes \(logitsP.shape) and \(logitsQ.shape) differ")
    let lp = logSoftmaxRows(logitsP.value), lq = logSoftmaxRows(logitsQ.value)
    let width = lp.shape.last ?? 1, rows = lp.count / max(width, 1)
    // log m = log ½ + logaddexp(log p, log q), stable even where p or q underflows.
    let logHalf = logf(0.5)
    let lm = Tensor(shape: lp.shape) { d in lp.withPointer { a in lq.withPointer { b in
        for i in 0..<d.count {
            let hi = max(a[i], b[i]), lo = min(a[i], b[i])
            d[i] = logHalf + hi + log1pf(expf(lo - hi))
        }
    } } }
    var total: Float = 0
    lp.withPointer { a in lq.withPointer { b in lm.withPointer { m in
        for i in 0..<lp.count { total += 0.5 * (expf(a[i]) * (a[i] - m[i]) + expf(b[i]) * (b[i] - m[i])) }
    } } }
    let loss = total / Float(max(rows, 1))
    let pID = logitsP.id, qID = logitsQ.id
    return Variable.record(Tensor(scalar: loss), logitsP, logitsQ) { g, tape in
        let factor = g.scalars[0] / Float(max(rows, 1))
        // ∂JS/∂p_j = ½(log p_j − log m_j); chained through the softmax of each argument.
        func softmaxChain(_ own: Tensor) -> Tensor {
            Tensor(shape: own.shape) { d in own.withPointer { a in lm.withPointer { m in
                for r in 0..<rows {
                    var mean: Float = 0
                    for i in (r * width)..<((r + 1) * width) { mean += expf(a[i]) * 0.5 * (a[i] - m[i]) }
                    for i in (r * width)..<((r + 1) * width) { d[i] = factor * expf(a[i]) * (0.5 * (a[i] - m[i]) - mean) }
                }
            } } }
        }
        if pID >= 0 { tape.accumulate(pID, softmaxChain(lp)) }
        if qID >= 0 { tape.accumulate(qID, softmaxChain(lq)) }
    }
}
