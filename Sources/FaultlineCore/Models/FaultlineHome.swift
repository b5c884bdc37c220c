import Foundation

/// Where Faultline keeps what lives outside the repository: model files placed by the
/// set-up (`models/`), and by default the run store (`runs/`) and reports (`reports/`).
///
/// `$FAULTLINE_HOME`, or `~/.cache/faultline`.
public enum FaultlineHome {
    public static var directory: URL {
        if let custom = ProcessInfo.processInfo.environment["FAULTLINE_HOME"], !custom.isEmpty {
            return URL(fileURLWithPath: custom, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/faultline", isDirectory: true)
    }

    public static var models: URL { directory.appendingPathComponent("models", isDirectory: true) }
    public static var runs: URL { directory.appendingPathComponent("runs", isDirectory: true) }
    public static var reports: URL { directory.appendingPathComponent("reports", isDirectory: true) }
}
