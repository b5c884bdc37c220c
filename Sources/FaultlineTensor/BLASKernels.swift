import COpenBLAS
import Foundation

/// Which kernels OpenBLAS runs in this process.
///
/// OpenBLAS picks its kernels once, when the library loads, from the CPU model, unless
/// `OPENBLAS_CORETYPE` names them. Speed figures depend on the choice (AVX2 or AVX-512
/// kernels), so benchmarks print it.
public enum BLASKernels {
    /// The variable OpenBLAS reads when it loads.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// The kernel family OpenBLAS loaded, e.g. "Haswell" (AVX2) or "Cooperlake" (AVX-512).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Whether the kernels were named by `OPENBLAS_CORETYPE` rather than picked from the CPU.
    public static var chosenByEnvironment: Bool {
        ProcessInfo.processInfo.environment[coreTypeVariable] != nil
    }
}
