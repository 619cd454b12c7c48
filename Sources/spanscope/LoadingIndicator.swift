#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Reports
import TraceFormats
import TraceModel
import TerminalText

/// Loads trace files on another thread and, when that takes longer than a moment, shows how far
/// it got on standard error (bytes read, bytes parsed, indexing), so a big file never looks hung.
enum LoadingIndicator {
    /// Loads taking less than this show nothing.
    static let quietPeriod = 0.2

    /// Loads `paths`, drawing a progress line on the terminal meanwhile.
    static func load(_ paths: [String]) -> Result<TraceDocument, TraceFormatError> {
        let progress = LoadProgress()
        let outcome = Locked<Result<TraceDocument, TraceFormatError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            let result = Result { () throws(TraceFormatError) in try TraceLoader.load(paths: paths, progress: progress) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        if done.wait(timeout: .now() + quietPeriod) == .timedOut {
            let label = terminalSafe(paths.count == 1 ? paths[0] : "\(paths.count) files")
            let tty = isatty(STDERR_FILENO) == 1
            repeat {
                if tty { draw(line(label, progress)) }
            } while done.wait(timeout: .now() + 0.1) == .timedOut
            if tty { draw("") }
        }
        return outcome.withLock { $0! }
    }

    /// `loading trace.json: parsing 31 of 75 MB`.
    static func line(_ label: String, _ p: LoadProgress) -> String {
        let mb = { (n: Int) in String(n >> 20) }
        let total = p.totalBytes
        switch p.currentStage {
        case .reading:
            return "spanscope: loading \(label): reading \(mb(p.bytesRead))" + (total > 0 ? " of \(mb(total)) MB" : " MB")
        case .parsing:
            return "spanscope: loading \(label): parsing \(mb(min(p.bytesParsed, max(total, p.bytesParsed))))"
                + (total > 0 ? " of \(mb(total)) MB" : " MB")
        case .indexing, .done:
            return "spanscope: loading \(label): indexing spans"
        }
    }

    /// Replaces the current terminal line with `text` (empty: clears it).
    static func draw(_ text: String) {
        let bytes = Array(("\r\u{1B}[K" + text).utf8)
        bytes.withUnsafeBytes { raw in _ = write(STDERR_FILENO, raw.baseAddress, raw.count) }
    }
}
