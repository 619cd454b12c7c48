import ArgumentParser
import Reports
import TraceAnalysis
import TraceFormats

/// `spanscope stats`: per span name, model, tool, service or session, counts, percentiles,
/// tokens and cost across every trace in the files.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Statistics across traces: count, errors, p50/p95/p99/max duration and self time, tokens, cost per group.",
        discussion: """
        --by name counts spans by span name, model counts LLM calls by model, tool counts tool-call \
        spans by tool, service counts spans by service, session counts traces by session id. \
        Percentiles interpolate linearly between the closest ranks (numpy's default).

        The JSON form is a contract for scripts: {"by", "traces", "groups": [{"key", "count", \
        "traces", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms", "self_p50_ms", "self_p95_ms", \
        "self_p99_ms", "self_max_ms", "total_ms", "llm_calls", "prompt_tokens", \
        "completion_tokens", "total_tokens", "cost_usd", "unpriced_calls"}]}.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Trace files or directories (OTLP JSON/JSONL/protobuf, Zipkin, Jaeger, the seed's JSON), - for standard input, or backend addresses (jaeger+http://…, tempo+http://…, phoenix+http://…).")
    var files: [String]

    @OptionGroup(title: "Backend searches")
    var remote: RemoteOptions

    @Option(name: .long, help: "Group by: name, model, tool, service or session.")
    var by: StatsGrouping = .name

    @Option(name: .long, help: "Only traces matching this query (see README: the query language), e.g. 'error duration>2s'.")
    var `where`: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @Option(name: .long, help: "A JSON price file that overrides or extends the built-in prices.")
    var prices: String?

    @Option(name: .customLong("session-key"), help: "Attribute that names a trace's session, tried before the standard ones (session.id, gen_ai.conversation.id, …).")
    var sessionKey: String?

    @Option(name: .long, help: ArgumentHelp("Index the file and read one batch of traces at a time: auto, always or never.",
                                            visibility: .hidden))
    var index: SummaryCommand.IndexMode = .auto

    func run() throws {
        let query = try queryOrExit(self.where)
        let table = try priceTable(prices)
        let needsAll = (query?.readsAttributes ?? false) || by == .session || by == .tool || sessionKey != nil
        let detail: TraceLoader.Detail = needsAll ? .full : .summary
        // A large OTLP JSON Lines file is indexed and its groups built a batch of traces at a time.
        if files.count == 1, index != .never, !SourceLoader.hasRemote(files),
           index == .always ? TraceIndexer.canIndex(path: files[0]) : TraceIndexer.shouldIndex(path: files[0]) {
            // Span skeletons hold all that stats by name, service or model read, and the index each
            // trace's session; tools and attribute queries read attributes, so their traces are
            // decoded again from the file.
            let skeletons = !(query?.readsAttributes ?? false) && by != .tool
            let keys = SessionKeys.preferring(sessionKey)
            let store = try openIndexedOrExit(files[0], skeletons: skeletons, sessionKeys: keys)
            do {
                try write(IndexedStats.table(store, by: by, where: query, prices: table,
                                             sessionKeys: keys, detail: skeletons ? .summary : detail))
            } catch let error as TraceFormatError {
                printError("spanscope: \(error.description)")
                throw ExitCode(1)
            }
            exitWithoutTeardown()
        }
        let doc = try loadOrExit(files, detail: detail, remote: remote)
        reportWarnings(doc)
        try write(TraceStats.groups(doc.traces, by: by, where: query, prices: table, sessionKeys: .preferring(sessionKey)))
        withExtendedLifetime(doc) { exitWithoutTeardown() }
    }

    private func write(_ stats: StatsTable) throws {
        switch format {
        case .json: try writeStandardOutput(StatsJSON.encode(stats))
        case .text: try writeStandardOutput(Array(StatsText.render(stats, query: self.where ?? "").utf8))
        }
    }
}

extension StatsGrouping: ExpressibleByArgument {}
