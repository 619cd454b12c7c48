import ArgumentParser
import Reports
import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope sessions`: traces grouped by conversation, or one conversation as a thread.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List sessions (conversations) across traces, or show one as a thread of turns.",
        discussion: """
        A trace's session is the first of session.id (OpenInference), gen_ai.conversation.id \
        (OTel GenAI), langfuse.session.id, traceloop.association.properties.session_id / \
        conversation_id (Traceloop; also unprefixed) found on its root, else on any span; \
        --session-key names your own attribute, tried first.
        """
    )

    @Argument(help: "Trace files or directories, or - for standard input.")
    var files: [String]

    @Option(name: .long, help: "Show this session as a thread: its id or a unique prefix of it.")
    var session: String?

    @Option(name: .long, help: "Only traces matching this query (see README: the query language).")
    var `where`: String?

    @Option(name: .customLong("session-key"), help: "Attribute that names a trace's session, tried before the standard ones.")
    var sessionKey: String?

    @Option(name: .long, help: "A JSON price file that overrides or extends the built-in prices.")
    var prices: String?

    @Option(name: .long, help: ArgumentHelp("Index a large file and read only the traces needed: auto, always or never.",
                                            visibility: .hidden))
    var index: SummaryCommand.IndexMode = .auto

    func run() throws {
        let query = try queryOrExit(self.where)
        let table = try priceTable(prices)
        if files.count == 1, IndexedTraces.applies(to: files[0], index) {
            try runIndexed(files[0], query: query, prices: table)
            exitWithoutTeardown()
        }
        let loaded = try loadOrExit(files)
        reportWarnings(loaded)
        let doc = filtered(loaded, by: query, prices: table, sessionKeys: .preferring(sessionKey))
        let facts = TraceFacts.compute(doc.traces, prices: table, sessionKeys: .preferring(sessionKey))
        let sessions = Sessions.list(doc.traces, facts: facts)
        guard let wanted = session else {
            try writeStandardOutput(Array(SessionsText.list(sessions).utf8))
            withExtendedLifetime(loaded) { exitWithoutTeardown() }
        }
        let position: Int
        do {
            position = try SessionLookup.resolve(wanted, in: sessions.map(\.id), source: doc.source)
        } catch {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
        let chosen = sessions[position]
        let turns = Sessions.thread(chosen, traces: doc.traces, facts: facts)
        try writeStandardOutput(Array(SessionsText.thread(chosen, turns: turns, traces: doc.traces).utf8))
        withExtendedLifetime(loaded) { exitWithoutTeardown() }
    }
}

extension SessionsCommand {
    /// The sessions of a large file from its index: each trace's session, times, errors and LLM
    /// calls are in the index, so the list decodes no trace unless `--where` needs their spans;
    /// a thread decodes only its session's traces. Prints what a full load prints.
    func runIndexed(_ path: String, query: TraceQuery?, prices table: PriceTable) throws {
        let keys = SessionKeys.preferring(sessionKey)
        let store = try IndexedTraces.indexOrExit(path, sessionKeys: keys)
        do {
            let (sessions, positions) = try IndexedSessions.list(store, prices: table, where: query, sessionKeys: keys)
            guard let wanted = session else {
                try writeStandardOutput(Array(SessionsText.list(sessions).utf8))
                return
            }
            let position: Int
            do {
                position = try SessionLookup.resolve(wanted, in: sessions.map(\.id), source: path)
            } catch {
                printError("spanscope: \(error.description)")
                throw ExitCode(1)
            }
            let text = try IndexedSessions.thread(store, session: sessions[position], positions: positions, prices: table,
                                                  sessionKeys: keys)
            try writeStandardOutput(Array(text.utf8))
        } catch let error as TraceFormatError {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
    }
}

/// Session ids are matched like trace ids: whole, or a unique prefix.
enum SessionLookup {
    static func resolve(_ text: String, in ids: [String], source: String) throws(TraceLookupError) -> Int {
        do {
            return try TraceIDLookup.resolve(text, in: ids.map { TraceID(.text($0)) }, source: source)
        } catch {
            // Reword for sessions: the matching rules are the same.
            throw TraceLookupError(text: error.text, kind: error.kind, examples: error.examples,
                                   traceCount: error.traceCount, source: error.source, noun: "session")
        }
    }
}

/// `spanscope calls`: every LLM call across the traces, ranked by a column.
struct CallsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls",
        abstract: "List every LLM call across traces with model, tokens, cost, latency, time to first token and finish reason, ranked."
    )

    @Argument(help: "Trace files or directories, or - for standard input.")
    var files: [String]

    @Option(name: .long, help: "Sort by: cost, latency, tokens, prompt_tokens, completion_tokens, cached_tokens, ttft, model, finish or start.")
    var sort: LLMCallColumn = .cost

    @Flag(name: .long, help: "Sort the other way (numbers smallest first, text Z to A).")
    var reverse = false

    @Option(name: .long, help: "Only the calls of this trace: its id or a unique prefix of it.")
    var trace: String?

    @Option(name: .long, help: "Only traces matching this query (see README: the query language).")
    var `where`: String?

    @Option(name: .long, help: "Show at most this many calls.")
    var limit: Int?

    @Option(name: .long, help: "Output format: text or json.")
    var format: StatsCommand.Format = .text

    @Option(name: .long, help: "A JSON price file that overrides or extends the built-in prices.")
    var prices: String?

    @Option(name: .customLong("session-key"), help: "Attribute that names a trace's session (for session= in --where), tried before the standard ones.")
    var sessionKey: String?

    @Option(name: .long, help: ArgumentHelp("With --trace, index a large file and decode only that trace: auto, always or never.",
                                            visibility: .hidden))
    var index: SummaryCommand.IndexMode = .auto

    func run() throws {
        let query = try queryOrExit(self.where)
        let table = try priceTable(prices)
        if let trace, self.where == nil, files.count == 1, IndexedTraces.applies(to: files[0], index) {
            // One trace of a large file: only it is decoded.
            let store = try IndexedTraces.indexOrExit(files[0])
            let one = try IndexedTraces.traceOrExit(try IndexedTraces.positionOrExit(trace, in: store), in: store, detail: .summary)
            try write([one], only: 0, prices: table)
            exitWithoutTeardown()
        }
        let loaded = try loadOrExit(files, detail: (query?.readsAttributes ?? false) ? .full : .summary)
        reportWarnings(loaded)
        let doc = filtered(loaded, by: query, prices: table, sessionKeys: .preferring(sessionKey))
        let only = try trace.map { try traceOrExit($0, in: doc) }
        try write(doc.traces, only: only, prices: table)
        withExtendedLifetime(loaded) { exitWithoutTeardown() }
    }

    /// Ranks and writes the calls of `traces` (of trace `only` alone when given).
    private func write(_ traces: [Trace], only: Int?, prices table: PriceTable) throws {
        let descending = sort.descendingFirst != reverse
        var rows = LLMCallRanking.sorted(LLMCallRanking.rows(traces, only: only, prices: table), by: sort, descending: descending)
        let total = rows.count
        if let limit, limit >= 0 { rows = Array(rows.prefix(limit)) }
        switch format {
        case .text: try writeStandardOutput(Array(CallsText.render(rows, traces: traces, total: total).utf8))
        case .json: try writeStandardOutput(CallsJSON.encode(rows, traces: traces, total: total))
        }
    }
}

extension LLMCallColumn: ExpressibleByArgument {}
