#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Explorer
import TerminalUI
import TraceAnalysis
import TraceFormats
import TraceModel
import TerminalText
import TraceWriters

/// `spanscope [open] [FILE...]`: the interactive explorer, and the default command.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Explore trace files in the terminal (the default command).",
        discussion: """
            Several files, or a directory of them, open as one list: spans of one trace spread \
            over files join up by trace id. Without a file, a bundled sample from SampleTraces/ \
            opens. Press ? inside for the keys.
            NO_COLOR (any value) or --no-color turns colours off.
            """
    )

    /// The sample opened when no file is given: a multi-step agent with parallel tool calls and a failed tool.
    static let defaultSample = "agent-parallel-tools.otlp.jsonl"

    @Argument(help: ArgumentHelp("Trace files or directories (\(TraceFormat.readableList)), - for standard input, or backend addresses (jaeger+http://HOST:16686, tempo+http://HOST:3200, phoenix+http://HOST:6006/PROJECT)."))
    var files: [String] = []

    @OptionGroup(title: "Backend searches")
    var remote: RemoteOptions

    @Option(name: .customLong("prices"), help: "JSON price file overriding the built-in prices (model prefix → USD per million tokens).")
    var pricesFile: String?

    @Option(name: .customLong("trace"), help: "Open this trace directly: its id or a unique prefix of it.")
    var traceID: String?

    @Option(name: .long, help: ArgumentHelp("Read a large OTLP JSON Lines file through an index, one trace at a time, "
                                            + "with the list filling in while it is read: auto (files of 256 MB and more), always or never."))
    var index: SummaryCommand.IndexMode = .auto

    @Option(name: .customLong("session-key"), help: "Attribute that names a trace's session, tried before the standard ones (session.id, gen_ai.conversation.id, …): the list's session column, session= in /, @ and stats by session.")
    var sessionKey: String?

    @OptionGroup var terminal: TerminalFlags

    func run() throws {
        let started = ContinuousClock.now
        guard ExplorerApp.hasTerminal else {
            printError("spanscope: \(TerminalError.notATerminal.description)")
            throw ExitCode(1)
        }
        let paths: [String]
        if !files.isEmpty {
            paths = files
        } else if let sample = SampleLocator.find(OpenCommand.defaultSample) {
            paths = [sample]
        } else {
            printError("spanscope: no file given and the bundled sample SampleTraces/\(OpenCommand.defaultSample) "
                       + "was not found; run `spanscope FILE`")
            throw ExitCode(1)
        }

        // One backend address: the list is its search, Enter fetches a trace, R searches again.
        if traceID == nil, let browsing = try RemoteBrowsing.of(paths, remote: remote) {
            let listing = try browsing.firstListing()
            let state = ExplorerState(listing: listing, address: browsing.source.description,
                                      prices: try priceTable(pricesFile), size: Size(width: 80, height: 24),
                                      sessionKeys: .preferring(sessionKey))
            try explore(state, started: started, backend: browsing.perform)
            return
        }
        if paths.count == 1, index != .never, !SourceLoader.hasRemote(paths),
           index == .always ? TraceIndexer.canIndex(path: paths[0]) : TraceIndexer.shouldIndex(path: paths[0]) {
            try runIndexed(paths[0], started: started)
            exitWithoutTeardown()
        }
        var problem: String? = nil
        let document: TraceDocument
        if SourceLoader.hasRemote(paths) {
            // The trace list is the search result (nothing is stored locally).
            document = try loadOrExit(paths, remote: remote)
        } else {
        switch LoadingIndicator.load(paths) {
        case .success(let loaded):
            document = loaded
        case .failure(let error):
            guard let partial = error.partial, partial.spanCount > 0 else {
                printError("spanscope: \(error.description)")
                throw ExitCode(1)
            }
            document = partial
            problem = error.description
        }
        }
        let prices = try priceTable(pricesFile)

        var open: TraceID? = nil
        if let t = traceID {
            open = document.traces[try traceOrExit(t, in: document)].id
        }
        let state = ExplorerState(document: document, prices: prices, size: Size(width: 80, height: 24),
                                  problem: problem, open: open, sessionKeys: .preferring(sessionKey))
        try explore(state, started: started)
        // The terminal is restored; quit without freeing the trace span by span.
        withExtendedLifetime(document) { exitWithoutTeardown() }
    }

    /// Opens a large file through its index: the list appears at once and fills in as the scan
    /// reads the file; Enter decodes one trace from it.
    private func runIndexed(_ path: String, started: ContinuousClock.Instant) throws {
        let prices = try priceTable(pricesFile)
        if let traceID {
            // A trace named: the scan runs to its end first (its spans may be anywhere in the
            // file), then only that trace is decoded; the list is there behind it.
            let store = try IndexedTraces.indexOrExit(path, warnings: false, sessionKeys: .preferring(sessionKey))
            let i = try IndexedTraces.positionOrExit(traceID, in: store)
            let trace = try IndexedTraces.traceOrExit(i, in: store)
            let feed = IndexFeed(store: store, prices: prices)
            let state = ExplorerState(indexed: path, batch: feed.finalBatch(store.index),
                                      open: DecodedTrace(id: trace.id, trace: trace, prices: prices),
                                      prices: prices, size: Size(width: 80, height: 24), sessionKeys: .preferring(sessionKey))
            try explore(state, started: started, feed: feed)
            return
        }
        let feed = IndexFeed(path: path, prices: prices, sessionKeys: .preferring(sessionKey))
        let state = ExplorerState(indexing: path, totalBytes: IndexFeed.size(of: path), prices: prices,
                                  size: Size(width: 80, height: 24), sessionKeys: .preferring(sessionKey))
        feed.start()
        try explore(state, started: started, feed: feed)
    }

    /// Runs the explorer on the terminal until the user quits.
    private func explore(_ state: ExplorerState, started: ContinuousClock.Instant,
                         backend: (@Sendable (Command) async -> Action?)? = nil, feed: IndexFeed? = nil) throws {
        let options = terminal.options
        let directory = currentDirectory()
        do {
            try MainActor.assumeIsolated {
                var updates: (() -> Action?)? = nil
                var decode: (@Sendable (TraceID) -> DecodedTrace)? = nil
                var backend = backend
                if let feed {
                    let stats = IndexedStatsJobs(feed: feed, prices: feed.prices, sessionKeys: .preferring(sessionKey))
                    updates = { feed.poll() ?? stats.poll() }
                    decode = { feed.decode($0) }
                    backend = { await stats.perform($0) }
                }
                try ExplorerApp.run(state, options: options, exportDirectory: directory, updates: updates, firstFrame: {
                    // For the startup benchmark: milliseconds from the command's start to the first frame.
                    if let path = getenv("SPANSCOPE_FIRST_FRAME_FILE").map({ String(cString: $0) }) {
                        _ = try? AtomicFile.write(Array("\(millis(since: started))\n".utf8), to: path)
                    }
                }, backend: backend, decode: decode)
            }
        } catch let e as TerminalError {
            printError("spanscope: \(e.description)")
            throw ExitCode(1)
        }
    }

    private func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return SampleLocator.string(buffer)
    }
}

/// Finds files in SampleTraces/ for `swift run spanscope` with no arguments.
enum SampleLocator {
    /// `SampleTraces/name` under the current directory or any folder above the executable
    /// (the package root when run from `.build/debug`), or nil.
    static func find(_ name: String) -> String? {
        var candidates = ["SampleTraces/" + name]
        var dir = executableDirectory()
        while let d = dir, d != "/" && !d.isEmpty {
            candidates.append(d + "/SampleTraces/" + name)
            dir = parent(of: d)
        }
        return candidates.first { access($0, R_OK) == 0 }
    }

    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        #if os(Linux)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            buffer[n] = 0
            return parent(of: string(buffer))
        }
        #endif
        guard let arg0 = CommandLine.arguments.first, realpath(arg0, &buffer) != nil else { return nil }
        return parent(of: string(buffer))
    }

    /// The text of a NUL-terminated C buffer.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func parent(of path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
