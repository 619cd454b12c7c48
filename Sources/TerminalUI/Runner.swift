import Dispatch
import Explorer
import TraceModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the explorer on the terminal: read a key, update the state, perform the command,
/// render, draw only what changed. The only place where state meets the outside world.
@MainActor
public enum ExplorerApp {
    /// True when standard output is a terminal the explorer can draw on.
    public nonisolated static var hasTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Runs until the user quits. On SIGINT, SIGTERM or SIGHUP the terminal is restored and the
    /// process then dies from that signal, so callers see the usual exit status.
    ///
    /// - Parameters:
    ///   - exportDirectory: where exported JSON files go (the temporary directory is tried when
    ///     this one cannot be written).
    ///   - updates: for a live source, asked every `pollMillis` (between keys too) for news; what
    ///     it returns (typically `.documentUpdated`) goes through `update` like a key's action, so
    ///     the state only ever changes on this thread.
    ///   - firstFrame: called once, right after the first frame reached the terminal (startup timing).
    ///   - backend: performs `Command.fetchTrace` and `Command.search` (off this thread) for a list
    ///     that came from a backend, and `Command.indexStats` and `Command.indexTable` for a file
    ///     read through its index; its answer goes through `update` like any other.
    ///   - decode: reads one trace for `Command.decodeTrace` (a file opened through its index); it
    ///     runs off this thread.
    public static func run(_ initial: ExplorerState, options: TerminalOptions, exportDirectory: String,
                           updates: (() -> Action?)? = nil, pollMillis: Int32 = 250,
                           firstFrame: (() -> Void)? = nil,
                           backend: (@Sendable (Command) async -> Action?)? = nil,
                           decode: (@Sendable (TraceID) -> DecodedTrace)? = nil) throws {
        let terminal = try Terminal(options: options)
        defer { terminal.stop() }
        var state = initial
        _ = state.apply(.resize(terminal.size))
        var quitSignal: Int32 = 0
        var lastPoll: Int64? = nil
        var firstFrame = firstFrame
        let effects = Effects(exportDirectory: exportDirectory, backend: backend, decode: decode)
        // A write still under way when the user quits gets a moment to finish its file.
        defer { effects.waitUntilIdle(maxMillis: 2_000) }
        loop: while !state.quitting {
            for answer in effects.takeAnswers() { _ = state.apply(answer) }
            if let updates, lastPoll.map({ monotonicMillis() - $0 >= Int64(pollMillis) }) ?? true {
                lastPoll = monotonicMillis()
                if let action = updates() { _ = state.apply(action) }
            }
            terminal.draw(render(state, size: terminal.size))
            if let report = firstFrame {
                report()
                firstFrame = nil
            }
            var command: Command?
            // While a command runs, wake up often enough to show its answer promptly.
            let timeout = effects.isBusy ? min(50, pollMillis) : (updates == nil ? -1 : pollMillis)
            switch terminal.read(timeoutMillis: timeout) {
            case .key(let key):
                guard let action = state.action(for: key) else { continue }
                command = state.apply(action)
            case .mouse(let event):
                command = state.apply(.mouse(event))
            case .resize(let size):
                command = state.apply(.resize(size))
            case .signal(let sig):
                quitSignal = sig
                break loop
            case .nothing:
                continue
            }
            switch command {
            case .copy(let text, let what)?:
                // The terminal is this thread's: the copy goes out between frames, not from the effects thread.
                _ = state.apply(.copied(what: what, error: ExplorerApp.copyError(terminal.copyToClipboard(text))))
            case let c?:
                effects.start(c)
            case nil:
                break
            }
        }
        if quitSignal != 0 {
            terminal.stop()
            Signals.reraise(quitSignal)
        }
    }

    /// Why a copy did not happen, for the status bar; nil when it went out.
    nonisolated static func copyError(_ outcome: CopyOutcome) -> String? {
        switch outcome {
        case .sent: return nil
        case .disabled: return "clipboard copies are off; start with --osc52 (or SPANSCOPE_OSC52=1) to allow them"
        case .tooLarge(let bytes):
            return "\(bytes) bytes is more than the \(Clipboard.maximumBytes / 1024) KiB a copy may hold"
        }
    }

    /// Milliseconds on the monotonic clock.
    static func monotonicMillis() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000 + Int64(t.tv_nsec) / 1_000_000
    }

    /// Carries out a command (blocking); returns the action that reports its result.
    nonisolated static func perform(_ command: Command, exportDirectory: String,
                                    decode: (@Sendable (TraceID) -> DecodedTrace)? = nil) -> Action? {
        switch command {
        case .quit, .copy, .fetchTrace, .search, .indexStats, .indexTable, .stopIndexStats, .stopWorkbench:
            return nil
        case .computeWorkbench(let job):
            return .workbenchComputed(job.run())
        case .decodeTrace(let id):
            return .traceDecoded(decode?(id) ?? DecodedTrace(id: id, error: "this source cannot read a trace on demand"))
        case .write(let name, let contents):
            var firstError = ""
            let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
            for dir in [exportDirectory, tmp] {
                let path = (dir.hasSuffix("/") ? dir : dir + "/") + name
                switch writeFile(path, contents) {
                case nil: return .wrote(path: path, error: nil)
                case let e?: if firstError.isEmpty { firstError = "\(path): \(e)" }
                }
            }
            return .wrote(path: name, error: firstError)
        }
    }

    /// Writes `contents` to `path`, replacing it; returns an error text or nil.
    nonisolated static func writeFile(_ path: String, _ contents: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var bytes = Array(contents.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            done += n
        }
        return nil
    }
}

/// Commands run off the UI thread (file writes can block on a slow disk); the actions that
/// report their results wait here until the loop takes them and passes them to `update`.
final class Effects: Sendable {
    private let exportDirectory: String
    private let backend: (@Sendable (Command) async -> Action?)?
    private let decode: (@Sendable (TraceID) -> DecodedTrace)?
    /// Commands running (those not waited for at quit among them: backend fetches and tables), and answers not yet taken.
    private let state = Locked<(running: Int, fetching: Int, answers: [Action])>((0, 0, []))
    /// The workbench jobs running, by ticket, so that `Command.stopWorkbench` reaches them.
    private let jobs = Locked<[Int: WorkbenchJob]>([:])

    init(exportDirectory: String, backend: (@Sendable (Command) async -> Action?)? = nil,
         decode: (@Sendable (TraceID) -> DecodedTrace)? = nil) {
        self.exportDirectory = exportDirectory
        self.backend = backend
        self.decode = decode
    }

    /// True while a command is running or its answer has not been taken.
    var isBusy: Bool { state.withLock { $0.running > 0 || !$0.answers.isEmpty } }

    /// Starts `command` on another thread (`quit` needs nothing done; a stop is passed to the job).
    func start(_ command: Command) {
        if case .quit = command { return }
        if case .stopWorkbench(let ticket) = command {
            jobs.withLock { $0[ticket]?.stop() }
            return
        }
        // Fetches and tables are not waited for at quit (their answers would be dropped anyway).
        let fetch: Bool, detached: Bool
        switch command {
        case .fetchTrace, .search, .indexStats, .indexTable, .stopIndexStats: (fetch, detached) = (true, true)
        case .computeWorkbench: (fetch, detached) = (false, true)
        default: (fetch, detached) = (false, false)
        }
        state.withLock {
            $0.running += 1
            if detached { $0.fetching += 1 }
        }
        let directory = exportDirectory
        let backend = self.backend
        let decode = self.decode
        if case .computeWorkbench(let job) = command {
            jobs.withLock {
                if let replaced = job.replaces { $0[replaced]?.stop() }
                $0[job.ticket] = job
            }
            // Seconds of CPU for millions of spans (in a debug build): on a thread of its own, not
            // one of the two the cooperative pool has for backend fetches.
            DispatchQueue.global(qos: .userInitiated).async { [state, jobs] in
                let answer = Action.workbenchComputed(job.run())
                jobs.withLock { $0[job.ticket] = nil }
                state.withLock {
                    $0.running -= 1
                    $0.fetching -= 1
                    $0.answers.append(answer)
                }
            }
            return
        }
        Task.detached(priority: .utility) { [state] in
            let answer = fetch ? await backend?(command) : ExplorerApp.perform(command, exportDirectory: directory, decode: decode)
            state.withLock {
                $0.running -= 1
                if detached { $0.fetching -= 1 }
                if let answer { $0.answers.append(answer) }
            }
        }
    }

    /// The answers that arrived since the last call, in order.
    func takeAnswers() -> [Action] {
        state.withLock {
            let out = $0.answers
            $0.answers = []
            return out
        }
    }

    /// Blocks until no command runs, at most `maxMillis`; a backend fetch is not waited for
    /// (quitting drops its answer, and nothing is lost).
    func waitUntilIdle(maxMillis: Int) {
        var waited = 0
        while waited < maxMillis, state.withLock({ $0.running - $0.fetching > 0 }) {
            usleep(10_000)
            waited += 10
        }
    }
}
