#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The last quit signal (SIGINT, SIGTERM, SIGHUP) received, 0 for none.
///
/// The handler only stores the number: nothing else is async-signal-safe. Because the
/// handler is installed without `SA_RESTART`, a blocking `get_wch` returns `ERR` at once and
/// the key loop sees the signal, restores the terminal and exits.
let pendingQuitSignal = Atomic<Int32>(0)

/// What the crash handler needs to put the terminal back, prepared before curses starts
/// because a handler for SIGSEGV may only call async-signal-safe functions (`tcsetattr`, `write`).
struct CrashRestore {
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var savedTermios = termios()
    nonisolated(unsafe) static var haveTermios = false
    nonisolated(unsafe) static var bytes: UnsafeMutablePointer<UInt8>? = nil
    nonisolated(unsafe) static var count = 0
    nonisolated(unsafe) static var armed = false

    /// Remembers the terminal settings of `fd`; must run before curses changes them.
    static func saveModes(fd: Int32) {
        self.fd = fd
        haveTermios = tcgetattr(fd, &savedTermios) == 0
    }

    /// Remembers the bytes that leave curses mode and arms the crash handler.
    static func prepare(restoreSequence: [UInt8]) {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, restoreSequence.count))
        buffer.initialize(from: restoreSequence, count: restoreSequence.count)
        bytes = buffer
        count = restoreSequence.count
        armed = true
    }

    /// Called from signal handlers: async-signal-safe calls only.
    static func restoreNow() {
        guard armed else { return }
        armed = false
        if haveTermios { _ = tcsetattr(fd, TCSANOW, &savedTermios) }
        if let b = bytes, count > 0 { _ = write(fd, b, count) }
    }

    /// Disarms after a normal shutdown.
    static func disarm() { armed = false }
}

enum Signals {
    static let quitSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Installs the handlers; must run before curses starts so that ncurses leaves them alone.
    static func install() {
        for sig in quitSignals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { signal in pendingQuitSignal.store(signal, ordering: .relaxed) }
            #else
            action.__sigaction_u.__sa_handler = { signal in pendingQuitSignal.store(signal, ordering: .relaxed) }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // no SA_RESTART: the blocking read must return
            sigaction(sig, &action, nil)
        }
        for sig in crashSignals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = crashHandler
            action.sa_flags = Int32(bitPattern: UInt32(SA_RESETHAND) | UInt32(SA_NODEFER))
            #else
            action.__sigaction_u.__sa_handler = crashHandler
            action.sa_flags = SA_RESETHAND | SA_NODEFER
            #endif
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
    }

    /// Puts the default dispositions back once the terminal is restored.
    static func uninstall() {
        for sig in quitSignals + crashSignals { signal(sig, SIG_DFL) }
    }

    /// After a normal restore: die from `sig` the default way so the parent sees the real cause.
    static func reraise(_ sig: Int32) -> Never {
        signal(sig, SIG_DFL)
        raise(sig)
        exit(128 + sig)
    }
}

/// Restores the terminal, then lets the crash happen as it would have (core dump, exit status).
private func crashHandler(_ sig: Int32) {
    CrashRestore.restoreNow()
    signal(sig, SIG_DFL)
    raise(sig)
}
