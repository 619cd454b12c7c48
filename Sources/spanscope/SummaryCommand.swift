import ArgumentParser
import Reports
import TraceAnalysis
import TraceFormats
import TerminalText
import TraceModel
import TraceWriters

/// `spanscope summary`: per trace, where the time and the money went.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarise traces: duration, errors, LLM calls, tokens, cost by model, critical path.",
        discussion: """
        The JSON form is a contract for scripts: {"traces":[{"trace_id", "root", "span_count", \
        "duration_ms", "error_count", "llm_calls", "prompt_tokens", "completion_tokens", \
        "total_tokens", "cost_usd", "unpriced_calls", "by_model", "critical_path"}], "totals":{the same sums \
        over all traces, with "traces" and "by_model"}}. Several traces in text end with an "all N traces" block.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: ArgumentHelp("Trace files (\(TraceFormat.readableList)), - for standard input, or backend addresses (jaeger+http://HOST:16686, tempo+http://HOST:3200, phoenix+http://HOST:6006/PROJECT)."))
    var files: [String]

    @OptionGroup(title: "Backend searches")
    var remote: RemoteOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @Option(name: .long, help: "A JSON price file that overrides or extends the built-in prices.")
    var prices: String?

    @Option(name: .long, help: "Only traces matching this query (see README: the query language), e.g. 'error or cost>0.05'.")
    var `where`: String?

    @Option(name: .customLong("session-key"), help: "Attribute that names a trace's session (for session= in --where).")
    var sessionKey: String?

    /// Whether a large file is indexed and read trace by trace (`auto`: files past
    /// `TraceIndexer.lazyThreshold` in OTLP JSON Lines) or loaded whole.
    enum IndexMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Option(name: .long, help: ArgumentHelp("Index the file and read one trace at a time: auto, always or never.",
                                            visibility: .hidden))
    var index: IndexMode = .auto

    func run() throws {
        let table = try priceTable(prices)
        let query = try queryOrExit(self.where)
        if files.count == 1, index != .never, !SourceLoader.hasRemote(files),
           index == .always ? TraceIndexer.canIndex(path: files[0]) : TraceIndexer.shouldIndex(path: files[0]) {
            try runIndexed(files[0], prices: table, query: query)
            exitWithoutTeardown()
        }
        // Only what a summary shows is kept (message texts and other attributes skipped unread),
        // unless the query reads attributes.
        let loaded = try loadOrExit(files, detail: (query?.readsAttributes ?? false) ? .full : .summary, remote: remote)
        reportWarnings(loaded)
        let doc = filtered(loaded, by: query, prices: table, sessionKeys: .preferring(sessionKey))
        switch format {
        case .json:
            try writeStandardOutput(SummaryJSON.encode(doc, prices: table))
        case .text:
            try writeStandardOutput(Array(SummaryText.render(doc, prices: table).utf8))
        }
        withExtendedLifetime(loaded) { exitWithoutTeardown() }
    }
}

extension SummaryCommand {
    /// The summary of a large file, read one batch of traces at a time (memory: the index).
    func runIndexed(_ path: String, prices table: PriceTable, query: TraceQuery?) throws {
        // Span skeletons answer every summary unless the query reads attributes.
        let store = try openIndexedOrExit(path, skeletons: !(query?.readsAttributes ?? false))
        do {
            switch format {
            case .json: try IndexedSummary.json(store, prices: table, where: query, sessionKeys: .preferring(sessionKey),
                                                write: writeStandardOutput)
            case .text: try IndexedSummary.text(store, prices: table, where: query, sessionKeys: .preferring(sessionKey),
                                                write: writeStandardOutput)
            }
        } catch let error as TraceFormatError {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
    }
}

/// Indexes a large file for a batch-at-a-time report and prints the index's warnings; an error
/// is printed on one line, exit 1. With `skeletons`, the scan records every span's skeleton,
/// so that the report need not read the spans again (`LazyTraceStore.summaryTrace(at:)`).
/// Sessions are named by `sessionKeys`.
func openIndexedOrExit(_ path: String, skeletons: Bool = false, sessionKeys: SessionKeys = .standard) throws -> LazyTraceStore {
    let store: LazyTraceStore
    do {
        store = try LazyTraceStore(path: path, sessionKeys: sessionKeys.keys, skeletons: skeletons)
    } catch {
        printError("spanscope: \(error.description)")
        throw ExitCode(1)
    }
    reportWarnings(TraceDocument(source: path, format: store.index.format, traces: [],
                                 warnings: store.index.warnings, skippedSpans: store.index.skippedSpans))
    return store
}

/// Writes bytes to standard output; a failed write (full disk, closed pipe) is reported, exit 1.
func writeStandardOutput(_ bytes: [UInt8]) throws {
    do {
        try AtomicFile.write(bytes, to: "-")
    } catch {
        printError("spanscope: standard output: \(error.reason)")
        throw ExitCode(1)
    }
}
