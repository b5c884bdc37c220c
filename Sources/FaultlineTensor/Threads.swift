import COpenBLAS
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The number of threads the engine uses for its parallel loops and matrix products.
///
/// This is process-wide configuration set once at start-up (like `torch.set_num_threads`),
/// not state read by the mathematics: results depend on it only through how work is split
/// (the same inputs and thread count always give the same bits).
///
/// OpenBLAS itself always runs single-threaded: its pthread pool busy-waits (`sched_yield`)
/// between calls, which steals a core from every serial stretch of the engine. Large
/// products are instead split into row or column blocks that run on our own threads
/// (`gemm`), next to the engine's other parallel kernels.
public enum ComputeThreads {
    private static let storage = LockedCount(value: max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// The current bound on threads.
    public static var count: Int { storage.value }

    /// Sets the thread bound for the engine's own loops and products (at least 1).
    public static func set(_ threads: Int) {
        let bounded = max(1, threads)
        storage.value = bounded
        singleThreadedBLAS()
    }

    /// Pins OpenBLAS to the calling thread and keeps freed tensor buffers for reuse (see
    /// `keepLargeBlocksInHeap`); cheap after the first call.
    @inline(__always)
    static func singleThreadedBLAS() { _ = processConfiguration }

    private static let processConfiguration: Void = {
        openblas_set_num_threads(1)
        keepLargeBlocksInHeap()
    }()
}

/// Asks glibc's allocator to serve blocks up to 32 MiB from the heap and to keep freed
/// memory instead of returning it to the kernel at once.
///
/// Why: a training step allocates and frees the same large buffers (im2col matrices of
/// up to ~20 MB, activations of ~8 MB) every step. By default glibc maps each of them
/// afresh with `mmap` and unmaps it on free, so every step pays a page fault and a
/// kernel zero-fill for every page it touches — about a tenth of a step's time on the
/// zoo network. Reused heap blocks cost neither. Only where memory comes from changes,
/// never what is computed. `mallopt` lives in `<malloc.h>`, which the Glibc module does
/// not export, hence the look-up; on other C libraries it is simply not found.
private func keepLargeBlocksInHeap() {
    #if canImport(Glibc)
    typealias MalloptFunction = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: MalloptFunction.self)
    // <malloc.h>: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_MMAP_MAX = -4. 32 MiB is
    // the largest mmap threshold glibc accepts on 64-bit systems, and the reader's
    // full-resolution im2col matrices are larger (57 MB at batch 8), so mmap is turned off
    // altogether: every block comes from the heap.
    let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3, mmapMaximum: Int32 = -4
    _ = mallopt(mmapThreshold, 32 << 20)
    _ = mallopt(mmapMaximum, 0)
    _ = mallopt(trimThreshold, 1 << 30)
    #endif
}

private final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Int
    init(value: Int) { stored = value }
    var value: Int {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// A raw pointer that may cross into `concurrentPerform` workers; each worker writes a
/// disjoint range, which is what makes the unchecked conformance sound.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
}

/// Read-only counterpart of `SharedPointer`.
struct SharedReadPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
    init(_ base: UnsafePointer<Element>) { self.base = base }
}

/// Runs `body(i)` for i in 0..<count, split into at most `ComputeThreads.count` chunks.
/// Serial when the work is small (`count * costPerItem` below a threshold) to avoid
/// dispatch overhead.
@inline(__always)
func parallelFor(_ count: Int, costPerItem: Int = 1 << 14, _ body: (Int) -> Void) {
    let threads = min(ComputeThreads.count, count)
    if threads <= 1 || count * costPerItem < 1 << 16 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let runner = ChunkRunner(body: body)
        DispatchQueue.concurrentPerform(iterations: threads) { chunk in
            let start = count * chunk / threads, end = count * (chunk + 1) / threads
            for i in start..<end { runner.body(i) }
        }
    }
}

private struct ChunkRunner: @unchecked Sendable {
    let body: (Int) -> Void
}

/// Runs `body` over `0..<count` split into one contiguous block per thread (at most
/// `ComputeThreads.count`), so each block can own scratch memory; serial when the work
/// (`count * costPerItem`) is too small to pay for dispatch.
@inline(__always)
func parallelBlocks(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
    let threads = min(ComputeThreads.count, count)
    if threads <= 1 || count * costPerItem < 1 << 16 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let runner = RangeRunner(body: body)
        DispatchQueue.concurrentPerform(iterations: threads) { chunk in
            runner.body((count * chunk / threads)..<(count * (chunk + 1) / threads))
        }
    }
}

private struct RangeRunner: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}

/// Runs `body` over `count` elements split into contiguous ranges, one per thread, when
/// the work is large enough to pay for dispatch (elementwise kernels).
@inline(__always)
func parallelRanges(_ count: Int, minimumPerThread: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
    let threads = min(ComputeThreads.count, count / minimumPerThread)
    if threads <= 1 {
        body(0..<count)
        return
    }
    parallelFor(threads, costPerItem: 1 << 16) { chunk in
        body((count * chunk / threads)..<(count * (chunk + 1) / threads))
    }
}
