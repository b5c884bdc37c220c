import COpenBLAS
import Dispatch

/// Row-major C = alpha·op(A)·op(B) + beta·C.
///
/// Products large enough to pay for dispatch are split into `ComputeThreads.count` blocks
/// of C (rows when C is tall, columns when it is wide), each an independent single-threaded
/// OpenBLAS call on its own thread. Every element of C is still one dot product over the
/// whole of k, so the split changes no arithmetic. `threaded: false` keeps the call on the
/// current thread (for callers that already run in parallel).
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
          alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
          b: UnsafePointer<Float>, ldb: Int,
          beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, threaded: Bool = true) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
        return
    }
    ComputeThreads.singleThreadedBLAS()
    let threads = threaded ? ComputeThreads.count : 1
    // Below ~1 MFLOP a product takes tens of microseconds: not worth a thread hand-off.
    guard threads > 1, m * n * k >= 1 << 19, max(m, n) >= 32 else {
        sgemmCall(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        return
    }
    let aShared = SharedReadPointer(a), bShared = SharedReadPointer(b), cShared = SharedPointer(c)
    let splitRows = m >= n
    let extent = splitRows ? m : n
    // Blocks are multiples of 16 so the micro-kernels see whole panels.
    let blocks = min(threads, max(1, extent / 16))
    let unit = 16
    let units = (extent + unit - 1) / unit
    DispatchQueue.concurrentPerform(iterations: blocks) { block in
        let start = min(extent, units * block / blocks * unit)
        let end = min(extent, units * (block + 1) / blocks * unit)
        if start >= end { return }
        if splitRows {
            let aBlock = transposeA ? aShared.base + start : aShared.base + start * lda
            sgemmCall(transposeA, transposeB, end - start, n, k, alpha, aBlock, lda, bShared.base, ldb,
                      beta, cShared.base + start * ldc, ldc)
        } else {
            let bBlock = transposeB ? bShared.base + start * ldb : bShared.base + start
            sgemmCall(transposeA, transposeB, m, end - start, k, alpha, aShared.base, lda, bBlock, ldb,
                      beta, cShared.base + start, ldc)
        }
    }
}

@inline(__always)
private func sgemmCall(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                       _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                       _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
}

extension Tensor {
    /// Read access to the scalars.
    @inline(__always)
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Write access to the scalars (copies first if the storage is shared).
    @inline(__always)
    mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}
