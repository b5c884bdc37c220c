import Foundation

// Embedding lookup and fused scaled dot-product multi-head attention.

/// Rows of `table` ([vocabulary, width]) picked by `indices`; the result has shape
/// `indexShape + [width]`. The gradient is scatter-added into the table.
public func embedding(_ table: Variable, indices: [Int32], indexShape: [Int]) -> Variable {
    let t = table.value
    precondition(t.rank == 2, "embedding table must be [vocabulary, width], got \(t.shape)")
    precondition(Tensor.elementCount(indexShape) == indices.count,
                 "embedding: \(indices.count) indices for index shape \(indexShape)")
    let vocabulary = t.shape[0], width = t.shape[1]
    for index in indices {
        precondition(index >= 0 && Int(index) < vocabulary, "embedding index \(index) outside vocabulary 0..<\(vocabulary)")
    }
    let out = Tensor(shape: indexShape + [width]) { o in t.withPointer { p in
        for (position, index) in indices.enumerated() {
            (o.baseAddress! + position * width).update(from: p + Int(index) * width, count: width)
        }
    } }
    let id = table.id
    return Variable.record(out, table) { g, tape in
        var dTable = Tensor.zeros(t.shape)
        dTable.withMutablePointer { d in g.withPointer { gp in
            for (position, index) in indices.enumerated() {
                let dst = d + Int(index) * width, src = gp + position * width
                for i in 0..<width { dst[i] += src[i] }
            }
        } }
        tape.accumulate(id, dTable)
    }
}

/// `embedding(_:indices:indexShape:)` for `Int` indices.
public func embedding(_ table: Variable, indices: [Int], indexShape: [Int]) -> Variable {
    embedding(table, indices: indices.map { Int32($0) }, indexShape: indexShape)
}

/// Scaled dot-product attention over `heads` heads, fused (no per-head copies).
///
/// - Parameters:
///   - query: [batch, queryLength, width], already projected.
///   - key: [batch, keyLength, width].
///   - value: [batch, keyLength, width].
///   - keyPaddingMask: optional `batch × keyLength` flags, row-major; `true` marks a key to
///     ignore (PyTorch's `key_padding_mask` convention). A query whose keys are all masked
///     gets a zero output.
/// - Returns: [batch, queryLength, width], heads concatenated along the last dimension.
public func multiHeadAttention(query: Variable, key: Variable, value: Variable, heads: Int,
                               keyPaddingMask: [Bool]? = nil) -> Variable {
    let q = query.value, k = key.value, v = value.value
    precondition(q.rank == 3 && k.rank == 3 && v.rank == 3 && k.shape == v.shape
                 && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2],
                 "attention: query \(q.shape), key \(k.shape), value \(v.shape) must be [b, t, width] with matching b and width")
    let batch = q.shape[0], queryLength = q.shape[1], keyLength = k.shape[1], width = q.shape[2]
    precondition(heads >= 1 && width % heads == 0, "attention: width \(width) not divisible by \(heads) heads")
    if let keyPaddingMask {
        precondition(keyPaddingMask.count == batch * keyLength,
                     "attention: key padding mask has \(keyPaddingMask.count) flags, expected \(batch)×\(keyLength)")
    }
    let headWidth = width / heads
    let scale = 1 / Float(headWidth).squareRoot()
    let tile = queryLength * keyLength
    // 1 where a key takes part, 0 where it is padding: a flat array the kernels can index.
    let keyKept: [Float] = keyPaddingMask.map { mask in mask.map { $0 ? 0 : 1 } } ?? []
    let masked = keyPaddingMask != nil
    // Every (batch, head) pair is independent: one thread block takes a run of them, with
    // single-threaded GEMMs inside. Each pair writes its own probability tile and its own
    // column slice of the output, so the blocks never touch the same memory.
    let pairCost = 2 * tile * headWidth + 4 * tile
    // Attention probabilities for the backward pass: [batch, heads, queryLength, keyLength].
    var probabilities = Tensor(shape: [batch, heads, queryLength, keyLength]) { _ in }
    let out = Tensor(shape: [batch, queryLength, width]) { o in
        probabilities.withMutablePointer { pp in q.withPointer { qp in k.withPointer { kp in v.withPointer { vp in
        keyKept.withUnsafeBufferPointer { keptBuffer in
            let probs = SharedPointer(pp), output = SharedPointer(o.baseAddress!)
            let qs = SharedReadPointer(qp), ks = SharedReadPointer(kp), vs = SharedReadPointer(vp)
            let kept = masked ? SharedReadPointer(keptBuffer.baseAddress!) : nil
            parallelBlocks(batch * heads, costPerItem: pairCost) { pairs in
                for pair in pairs {
                    let b = pair / heads, h = pair % heads
                    let scores = probs.base + pair * tile
                    let qBase = qs.base + b * queryLength * width + h * headWidth
                    let kBase = ks.base + b * keyLength * width + h * headWidth
                    let vBase = vs.base + b * keyLength * width + h * headWidth
                    gemm(transposeA: false, transposeB: true, m: queryLength, n: keyLength, k: headWidth, alpha: scale,
                         a: qBase, lda: width, b: kBase, ldb: width, c: scores, ldc: keyLength, threaded: false)
                    let keep = kept.map { $0.base + b * keyLength }
                    for row in 0..<queryLength {
                        softmaxRow(scores + row * keyLength, count: keyLength, keep: keep)
                    }
                    gemm(transposeA: false, transposeB: false, m: queryLength, n: headWidth, k: keyLength,
                         a: scores, lda: keyLength, b: vBase, ldb: width,
                         c: output.base + b * queryLength * width + h * headWidth, ldc: width, threaded: false)
                }
            }
        } } } } }
    }
    let qID = query.id, kID = key.id, vID = value.id
    let probs = probabilities
    return Variable.record(out, inputs: [query, key, value]) { g, tape in
        var dq = Tensor(shape: q.shape) { _ in }, dk = Tensor(shape: k.shape) { _ in }, dv = Tensor(shape: v.shape) { _ in }
        probs.withPointer { pp in q.withPointer { qp in k.withPointer { kp in v.withPointer { vp in g.withPointer { gp in
        dq.withMutablePointer { dqp in dk.withMutablePointer { dkp in dv.withMutablePointer { dvp in
            let ps = SharedReadPointer(pp), qs = SharedReadPointer(qp), ks = SharedReadPointer(kp)
            let vs = SharedReadPointer(vp), gs = SharedReadPointer(gp)
            let dqs = SharedPointer(dqp), dks = SharedPointer(dkp), dvs = SharedPointer(dvp)
            parallelBlocks(batch * heads, costPerItem: 2 * pairCost) { pairs in
                let dScores = UnsafeMutablePointer<Float>.allocate(capacity: tile)
                defer { dScores.deallocate() }
                for pair in pairs {
                    let b = pair / heads, h = pair % heads
                    let p = ps.base + pair * tile
                    let offsetQ = b * queryLength * width + h * headWidth
                    let offsetK = b * keyLength * width + h * headWidth
                    if vID >= 0 {
                        gemm(transposeA: true, transposeB: false, m: keyLength, n: headWidth, k: queryLength,
                             a: p, lda: keyLength, b: gs.base + offsetQ, ldb: width, c: dvs.base + offsetK, ldc: width,
                             threaded: false)
                    }
                    if qID < 0 && kID < 0 { continue }
                    gemm(transposeA: false, transposeB: true, m: queryLength, n: keyLength, k: headWidth,
                         a: gs.base + offsetQ, lda: width, b: vs.base + offsetK, ldb: width, c: dScores, ldc: keyLength,
                         threaded: false)
                    for row in 0..<queryLength {
                        let pr = p + row * keyLength, dr = dScores + row * keyLength
                        let dot = vectorDot(pr, dr, keyLength)
                        for j in 0..<keyLength { dr[j] = pr[j] * (dr[j] - dot) * scale }
                    }
                    if qID >= 0 {
                        gemm(transposeA: false, transposeB: false, m: queryLength, n: headWidth, k: keyLength,
                             a: dScores, lda: keyLength, b: ks.base + offsetK, ldb: width, c: dqs.base + offsetQ, ldc: width,
                             threaded: false)
                    }
                    if kID >= 0 {
                        gemm(transposeA: true, transposeB: false, m: keyLength, n: headWidth, k: queryLength,
                             a: dScores, lda: keyLength, b: qs.base + offsetQ, ldb: width, c: dks.base + offsetK, ldc: width,
                             threaded: false)
                    }
                }
            }
        } } } } } } } }
        if qID >= 0 { tape.accumulate(qID, dq) }
        if kID >= 0 { tape.accumulate(kID, dk) }
        if vID >= 0 { tape.accumulate(vID, dv) }
    }
}

/// In-place masked softmax of one score row; `keep[j]` is 1 for a real key and 0 for
/// padding (nil: no mask). A row with every key masked becomes all zeros.
@inline(__always)
private func softmaxRow(_ s: UnsafeMutablePointer<Float>, count: Int, keep: UnsafePointer<Float>?) {
    if let keep {
        for j in 0..<count { s[j] = keep[j] != 0 ? s[j] : -Float.infinity }
    }
    let peak = vectorMax(s, count)
    if peak == -Float.infinity {
        s.update(repeating: 0, count: count)
        return
    }
    // A masked score is −∞ here, so its exponential is (clamped) tiny; the factor zeroes it.
    if let keep {
        for j in 0..<count { s[j] = fastExp(s[j] - peak) * keep[j] }
    } else {
        for j in 0..<count { s[j] = fastExp(s[j] - peak) }
    }
    let inverse = 1 / vectorSum(s, count)
    for j in 0..<count { s[j] *= inverse }
}
