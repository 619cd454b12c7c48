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

    /// Writes the text summary through `write` (called once per batch, in order).
    public static func text(_ store: LazyTraceStore, prices: PriceTable, batchBytes: Int64 = batchBytes,
                            write: ([UInt8]) throws -> Void) throws {
        let index = store.index
        try write(Array(SummaryText.header(source: index.source, format: index.format, traceCount: store.count).utf8))
        try forEachBatch(store, batchBytes: batchBytes) { traces in
            var out = ""
            for text in Parallel.map(traces.count, { SummaryText.render(traces[$0], prices: prices) }) {
                out += "\n"
                out += text
            }
            try write(Array(out.utf8))
        }
    }

    /// Writes the JSON summary through `write` (called once per batch, in order).
    public static func json(_ store: LazyTraceStore, prices: PriceTable, batchBytes: Int64 = batchBytes,
                            write: ([UInt8]) throws -> Void) throws {
        let index = store.index
        var w = JSONWriter()
        SummaryJSON.begin(into: &w)
        try forEachBatch(store, batchBytes: batchBytes) { traces in
            let pieces = Parallel.map(traces.count) { i in
                var one = JSONWriter()
                one.beginArray()
                SummaryJSON.write(traces[i], prices: prices, into: &one)
                return one.drain().dropFirst()
            }
            for piece in pieces { w.raw(String(decoding: piece, as: UTF8.self)) }
            try write(w.drain())
        }
        SummaryJSON.end(source: index.source, format: index.format, skippedSpans: index.skippedSpans,
                        warnings: index.warnings, into: &w)
        var tail = w.drain()
        tail.append(0x0A)
        try write(tail)
    }

    /// Decodes the traces in index order, a batch at a time on all cores.
    static func forEachBatch(_ store: LazyTraceStore, batchBytes: Int64, _ body: ([Trace]) throws -> Void) throws {
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
                Result { () throws(TraceFormatError) in try store.trace(at: start + i, detail: .summary) }
            }
            var traces: [Trace] = []
            traces.reserveCapacity(decoded.count)
            for result in decoded { traces.append(try result.get()) }
            try body(traces)
            first = last
        }
    }
}
