import FaultlineRunner
import Foundation

/// Draws progress on standard error: a redrawn bar on a terminal, plain lines otherwise
/// (every 10% or 10 s), so that logs in CI stay readable.
final class ProgressBar: RunProgressObserver, @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var lastPlainTenth = -1
    private var currentModel = ""
    private var startDone = 0
    /// Extra text after the counts (e.g. a training loss), set by `status(_:detail:done:total:)`.
    private var detail: String?

    func progressed(_ progress: RunProgress) {
        lock.lock()
        defer { lock.unlock() }
        if progress.model != currentModel {
            currentModel = progress.model
            start = Date()
            startDone = progress.done
            lastPlainTenth = -1
        }
        let now = Date()
        let finished = progress.done >= progress.total
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(progress.done - startDone) / elapsed : 0
        let remaining = rate > 0 ? Double(progress.total - progress.done) / rate : 0
        let line = detail.map { detail in
            String(format: "%@ %d/%d  %.1f/s  ETA %@  %@", progress.model, progress.done, progress.total, rate,
                   Self.clock(remaining), detail)
        } ?? String(
            format: "%@ %d/%d  %.1f/s  ETA %@  errors %d  cached %d",
            progress.model, progress.done, progress.total, rate, Self.clock(remaining), progress.errors,
            progress.cached)
        if isTerminal {
            guard finished || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            let width = 28
            let filled = progress.total > 0 ? width * progress.done / progress.total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K\(bar) \(line)\(finished ? "\n" : "")".utf8))
        } else {
            let tenth = progress.total > 0 ? 10 * progress.done / progress.total : 10
            guard tenth != lastPlainTenth || finished || now.timeIntervalSince(lastDraw) > 10 else { return }
            if finished && lastPlainTenth == 10 { return }
            lastPlainTenth = tenth
            lastDraw = now
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    /// A one-off status line (e.g. probe generation).
    func status(_ text: String, done: Int, total: Int) {
        progressed(RunProgress(model: text, done: done, total: total, errors: 0, cached: 0, backendCalls: 0))
    }

    /// A status line for `label` with `detail` after the counts, rate and ETA (e.g. training
    /// steps with the loss); the rate is per unit of `done`.
    func status(_ label: String, detail: String, done: Int, total: Int) {
        lock.withLock { self.detail = detail }
        progressed(RunProgress(model: label, done: done, total: total, errors: 0, cached: 0, backendCalls: 0))
        lock.withLock { self.detail = nil }
    }

    private static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0:00" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
