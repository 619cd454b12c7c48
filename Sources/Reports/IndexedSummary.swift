import TerminalText
import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope summary` over a `LazyTraceStore`: the same text and JSON as `SummaryText` and
/// `SummaryJSON` give for a full load, written a batch of traces at a time so that memory holds
/// the index and one batch, never the whole file.
public enum IndexedSummary {
    /// Span bytes decoded per batch (at least one trace): big enough to keep both cores busy,
    /// small enough that a batch's traces take little memory next to the file.
    public static let batchBytes: Int64 = 48 << 20

    /// Writes the text summary through `write` (called once per batch, in order), of the traces
    /// that match `query` (all when nil).
    ///
    /// With a query the header's count is known only at the end, so the matching traces' text
    /// is kept until then: a few KB per trace, against hundreds of KB of spans.
    public static func text(_ store: LazyTraceStore, prices: PriceTable, where query: TraceQuery? = nil,
                            sessionKeys: SessionKeys = .standard, batchBytes: Int64 = batchBytes,
                            write: ([UInt8]) throws -> Void) throws {
        let index = store.index
        let filtering = query.map { !$0.isEmpty } ?? false
        if !filtering {
            try write(Array(SummaryText.header(source: index.source, format: index.format, traceCount: store.count).utf8))
        }
        var totals = UsageTotals()
        var kept: [UInt8] = []
        var matched = 0
        try forEachBatch(store, batchBytes: batchBytes, detail: detail(for: query)) { batch in
            let traces = matching(batch, query, prices: prices, sessionKeys: sessionKeys)
            matched += traces.count
            var out = ""
            let parts = Parallel.map(traces.count) { i -> (text: String, totals: UsageTotals) in
                let stats = TraceStatistics(trace: traces[i], prices: prices)
                return (SummaryText.render(traces[i], statistics: stats), stats.trace)
            }
            for part in parts {
                out += "\n"
                out += part.text
            }
            totals = UsageTotals.combined([totals] + parts.map(\.totals))
            if filtering { kept += out.utf8 } else { try write(Array(out.utf8)) }
        }
        if filtering {
            try write(Array(SummaryText.header(source: index.source, format: index.format, traceCount: matched).utf8) + kept)
        }
        if matched > 1 {
            try write(Array(("\n" + SummaryText.renderTotals(totals, traces: matched)).utf8))
        }
    }

    /// Writes the JSON summary through `write` (called once per batch, in order), of the traces
    /// that match `query` (all when nil).
    public static func json(_ store: LazyTraceStore, prices: PriceTable, where query: TraceQuery? = nil,
                            sessionKeys: SessionKeys = .standard, batchBytes: Int64 = batchBytes,
                            write: ([UInt8]) throws -> Void) throws {
        let index = store.index
        var w = JSONWriter()
        SummaryJSON.begin(into: &w)
        var totals = UsageTotals()
        var matched = 0
        let merged = try forEachBatch(store, batchBytes: batchBytes, detail: detail(for: query)) { batch in
            let traces = matching(batch, query, prices: prices, sessionKeys: sessionKeys)
            matched += traces.count
            let pieces = Parallel.map(traces.count) { i in
                var one = JSONWriter()
                one.beginArray()
                let t = SummaryJSON.write(traces[i], prices: prices, into: &one)
                return (bytes: one.drain().dropFirst(), totals: t)
            }
            for piece in pieces { w.raw(String(decoding: piece.bytes, as: UTF8.self)) }
            totals = UsageTotals.combined([totals] + pieces.map(\.totals))
            try write(w.drain())
        }
        // The scan cannot tell an exact copy of a span from another span with its id; reading
        // those traces found them, and a full load's warnings name them last but for other signals.
        let warnings = index.warnings(duplicatesMerged: merged)
        SummaryJSON.end(source: index.source, format: index.format, skippedSpans: index.skippedSpans,
                        warnings: warnings, totals: totals, traceCount: matched, into: &w)
        var tail = w.drain()
        tail.append(0x0A)
        try write(tail)
    }

    /// What a summary decodes of each span: everything when the query reads attributes or text.
    static func detail(for query: TraceQuery?) -> TraceLoader.Detail {
        (query?.readsAttributes ?? false) ? .full : .summary
    }

    /// The traces of a batch that match `query`, in order (the facts are those a full load's
    /// filter computes).
    static func matching(_ traces: [Trace], _ query: TraceQuery?, prices: PriceTable, sessionKeys: SessionKeys) -> [Trace] {
        guard let query, !query.isEmpty else { return traces }
        let facts = TraceFacts.compute(traces, prices: prices, sessionKeys: sessionKeys)
        return query.filter(traces, facts: facts).map { traces[$0] }
    }

    /// Decodes the traces in index order, a batch at a time on all cores. At `.summary` detail a
    /// store with span skeletons builds each trace from them rather than reading it again
    /// (`LazyTraceStore.summaryTrace(at:)`): what `.summary` keeps beyond a skeleton, the LLM
    /// attributes, is already in the index's calls.
    /// Returns the exact copies of spans the reads kept once (`TraceDocument.duplicatesMerged`).
    @discardableResult
    static func forEachBatch(_ store: LazyTraceStore, batchBytes: Int64, detail: TraceLoader.Detail = .summary,
                             _ body: ([Trace]) throws -> Void) throws -> Int {
        let skeletons = detail == .summary && store.hasSkeletons
        var merged = 0
        let entries = store.index.traces
        var first = 0
        while first < entries.count {
            var last = first
            var bytes: Int64 = 0
            repeat {
                bytes += entries[last].spanBytes
                last += 1
            } while last < entries.count && bytes + entries[last].spanBytes <= batchBytes
            let start = first
            let decoded = Parallel.map(last - start) { i in
                Result { () throws(TraceFormatError) in
                    try skeletons ? store.summaryDecode(at: start + i) : store.decode(at: start + i, detail: detail)
                }
            }
            var traces: [Trace] = []
            traces.reserveCapacity(decoded.count)
            for result in decoded {
                let (trace, copies) = try result.get()
                traces.append(trace)
                merged += copies
            }
            try body(traces)
            first = last
        }
        return merged
    }
}
