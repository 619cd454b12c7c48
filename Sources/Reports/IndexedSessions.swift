import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope sessions` over a `LazyTraceStore`: the list and threads `Sessions` gives for a full
/// load, with memory for the index and one batch of traces, never the whole file.
public enum IndexedSessions {
    /// The sessions of the traces that match `query` (all when nil), and for each position in
    /// the answer's `SessionSummary.traces` the trace's position in the store.
    ///
    /// Without a query no trace is decoded: each index entry has the trace's session (by the
    /// keys the store was indexed with, which must be `sessionKeys`), times, errors and LLM calls.
    /// A query may read spans, so then the traces are decoded a batch at a time and filtered as
    /// a full load filters them. (A file with exact duplicate spans, which only decoding finds,
    /// counts their LLM calls twice in the list without a query.)
    public static func list(_ store: LazyTraceStore, prices: PriceTable, where query: TraceQuery? = nil,
                            sessionKeys: SessionKeys = .standard,
                            batchBytes: Int64 = IndexedSummary.batchBytes) throws -> (sessions: [SessionSummary], positions: [Int]) {
        var positions: [Int] = []
        var facts: [TraceFacts] = []
        if let query, !query.isEmpty {
            try store.decodeInBatches(detail: .full, batchBytes: batchBytes) { batch, traces, _ in
                let batchFacts = TraceFacts.compute(traces, prices: prices, sessionKeys: sessionKeys)
                for i in query.filter(traces, facts: batchFacts) {
                    positions.append(batch[batch.startIndex + i])
                    facts.append(batchFacts[i])
                }
            }
        } else {
            positions = Array(store.index.traces.indices)
            facts = store.index.traces.map { e in
                TraceFacts(rootName: e.rootName, rootService: e.rootService, startNanos: e.startNanos,
                           durationNanos: e.durationNanos, spanCount: e.spanCount, errorCount: e.errorCount,
                           calls: e.llmCalls, prices: prices, sessionID: e.sessionID)
            }
        }
        return (Sessions.list(facts: facts), positions)
    }

    /// `SessionsText.thread` of `session` (from `list`, with its `positions`), decoding only the
    /// session's traces; the session's totals are worked out again from them, as a full load does.
    public static func thread(_ store: LazyTraceStore, session: SessionSummary, positions: [Int], prices: PriceTable,
                              sessionKeys: SessionKeys = .standard, batchBytes: Int64 = IndexedSummary.batchBytes) throws -> String {
        var turns: [ConversationTurn] = []
        var facts: [TraceFacts] = []
        var ids: [Trace] = []
        try store.decodeInBatches(positions: session.traces.map { positions[$0] }, detail: .full, batchBytes: batchBytes) { _, traces, _ in
            let batchFacts = TraceFacts.compute(traces, prices: prices, sessionKeys: sessionKeys)
            for (trace, f) in zip(traces, batchFacts) {
                turns.append(Sessions.turn(trace, position: ids.count, facts: f))
                facts.append(f)
                // The text names each turn's trace by id: an empty trace of that id is enough.
                ids.append(Trace(id: trace.id, spans: []))
            }
        }
        let decoded = Sessions.list(facts: facts).first { $0.id == session.id } ?? session
        return SessionsText.thread(decoded, turns: turns, traces: ids)
    }
}
