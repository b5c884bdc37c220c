#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps libtesseract's OpenMP parallel regions on the calling thread.
///
/// Why: Debian's libtesseract 5.3.0 is built with OpenMP (it links libgomp; `tesseract
/// --version` says "Found OpenMP"), and its LSTM opens a 4-thread parallel region at every
/// time step. On a 2-core machine that made one recognition about 11× slower (measured in C:
/// 173 ms vs 15 ms per line image). Setting `OMP_THREAD_LIMIT=1` fixes it, but libgomp reads
/// the environment only once, when it is loaded, so a library cannot set it afterwards.
/// `omp_set_max_active_levels(0)` makes every parallel region inactive (one thread) and can be
/// called at any time; in libgomp 12 it is a per-thread setting, so it is applied on the thread
/// that is about to recognise, right before the synchronous call. Faultline gets its
/// parallelism from several Tesseract handles instead.
///
/// The symbol is looked up at run time so that a libtesseract built without OpenMP (no
/// OpenMP runtime loaded) simply makes this a no-op.
enum OpenMPThreadLimit {
    private typealias SetMaxActiveLevels = @convention(c) (Int32) -> Void

    private static let setMaxActiveLevels: SetMaxActiveLevels? = {
        guard let process = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(process, "omp_set_max_active_levels")
        else { return nil }
        return unsafeBitCast(symbol, to: SetMaxActiveLevels.self)
    }()

    /// Whether an OpenMP runtime is loaded in this process (so libtesseract may spawn threads).
    static var isOpenMPLoaded: Bool { setMaxActiveLevels != nil }

    /// Makes OpenMP parallel regions started from the current thread run on one thread.
    static func restrictCurrentThread() {
        setMaxActiveLevels?(0)
    }
}
