#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import RemoteSources
import Reports
import TraceAnalysis
import TraceFormats
import TraceModel
import TerminalText

/// Writes a line to standard error, made safe for a terminal: error messages and warnings quote
/// span names, ids and file names, any of which may hold escape sequences.
func printError(_ line: String) {
    // Through write(2): the C `stderr` global is not concurrency-safe to touch from Swift 6.
    let bytes = Array((terminalSafe(line) + "\n").utf8)
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { break }
            offset += n
        }
    }
}

/// Loads files or backend addresses for a command; on a fatal problem prints one line and exits 1.
func loadOrExit(_ paths: [String], detail: TraceLoader.Detail = .full, remote: RemoteOptions = .defaults) throws -> TraceDocument {
    do {
        defer { if SourceLoader.hasRemote(paths) { RemoteProgress.clear() } }
        return try SourceLoader.load(paths, remote: remote, detail: detail, progress: RemoteProgress.draw)
    } catch let e as TraceFormatError {
        printError("spanscope: \(e.description)")
        throw ExitCode(1)
    } catch {
        printError("spanscope: \(error)")
        throw ExitCode(1)
    }
}

/// The progress line of a backend fetch, on standard error when it is a terminal.
enum RemoteProgress {
    @Sendable static func draw(_ line: String) {
        guard isatty(STDERR_FILENO) == 1 else { return }
        LoadingIndicator.draw(terminalSafe("spanscope: " + line))
    }

    static func clear() {
        if isatty(STDERR_FILENO) == 1 { LoadingIndicator.draw("") }
    }
}

extension RemoteOptions {
    /// The flags' defaults, for commands that have none of them.
    static var defaults: RemoteOptions {
        // Parsing no arguments cannot fail: every flag has a default.
        (try? RemoteOptions.parse([])) ?? RemoteOptions()
    }
}

/// Prints the reader's warnings (one line each) to standard error.
func reportWarnings(_ doc: TraceDocument, limit: Int = 20) {
    for w in doc.warnings.prefix(limit) { printError("spanscope: warning: \(w)") }
    if doc.warnings.count > limit { printError("spanscope: warning: … and \(doc.warnings.count - limit) more") }
    if doc.skippedSpans > 0 {
        printError("spanscope: \(doc.skippedSpans) span\(doc.skippedSpans == 1 ? " was" : "s were") not readable and skipped")
    }
}

/// Ends the process at once after a command's output is written.
///
/// A large document is millions of small objects; freeing them one by one at the end of `run()`
/// takes longer than the command's own work, and the system reclaims the memory anyway.
func exitWithoutTeardown(_ status: Int32 = 0) -> Never {
    exit(status)
}

/// Parses a `--where` query; on a mistake prints one line pointing at the term and exits 1.
func queryOrExit(_ text: String?) throws -> TraceQuery? {
    guard let text else { return nil }
    do {
        return try TraceQuery(text)
    } catch {
        printError("spanscope: --where: \(error.description)")
        throw ExitCode(1)
    }
}

/// The position of the trace `id` names (the whole id or a unique prefix); on no match or an
/// ambiguous one prints one line and exits 1.
func traceOrExit(_ id: String, in doc: TraceDocument) throws -> Int {
    do {
        return try TraceIDLookup.resolve(id, in: doc.traces, source: doc.source)
    } catch {
        printError("spanscope: \(error.description)")
        throw ExitCode(1)
    }
}

/// `doc` with only the traces `query` matches (all of them for no query).
func filtered(_ doc: TraceDocument, by query: TraceQuery?, prices: PriceTable, sessionKeys: SessionKeys) -> TraceDocument {
    guard let query, !query.isEmpty else { return doc }
    let facts = TraceFacts.compute(doc.traces, prices: prices, sessionKeys: sessionKeys)
    var out = doc
    out.traces = query.filter(doc.traces, facts: facts).map { doc.traces[$0] }
    return out
}
