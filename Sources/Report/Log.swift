import Foundation

/// Progress and log output on standard error: a live progress bar with an ETA when stderr
/// is a terminal, plain log lines otherwise (CI logs, pipes); nothing but errors with `quiet`.
public final class Log: @unchecked Sendable {
    public let quiet: Bool
    public let isTerminal: Bool
    private var lastDraw = Date.distantPast
    private var barVisible = false
    let start = Date()

    public init(quiet: Bool) {
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) != 0
    }

    public func info(_ message: String) {
        guard !quiet else { return }
        clearBar()
        let t = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "[%6.1fs] ", t).appending(message + "\n").utf8))
    }

    public func warning(_ message: String) {
        clearBar()
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Draws `label [#####-----] done/total  eta` at most ten times a second on a terminal;
    /// off a terminal, prints nothing (the caller logs one line per epoch instead).
    public func progress(_ label: String, done: Int, total: Int, started: Date, detail: String = "") {
        guard !quiet, isTerminal, total > 0 else { return }
        let now = Date()
        guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let width = 24
        let frac = min(1, Double(done) / Double(total))
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let elapsed = now.timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = "\r\u{1B}[2K\(label) \(bar) \(done)/\(total) eta \(Log.duration(eta)) \(detail)"
        FileHandle.standardError.write(Data(line.utf8))
        barVisible = true
    }

    private func clearBar() {
        if barVisible {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            barVisible = false
        }
    }

    public static func duration(_ s: Double) -> String {
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
    }
}
