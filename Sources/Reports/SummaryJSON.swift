import TraceAnalysis
import TraceFormats
import TraceModel
import TerminalText

/// The machine-readable summary that `spanscope summary --format json` prints.
///
/// The keys below are a contract for scripts (issue #3); new keys may be added, none removed:
/// `{"traces":[{"trace_id","root","span_count","duration_ms","error_count","llm_calls",
/// "prompt_tokens","completion_tokens","total_tokens","cost_usd","unpriced_calls",
/// "cache_read_tokens","cache_write_tokens","reasoning_tokens",
/// "by_model":{MODEL:{"calls","prompt_tokens","completion_tokens","total_tokens","cost_usd",
/// "cache_read_tokens","cache_write_tokens","reasoning_tokens"}},
/// Cached tokens are part of `prompt_tokens` and reasoning tokens part of `completion_tokens`.
/// "critical_path":[{"span_id","name","start_ms","end_ms"}]}]}`.
/// `start_ms`/`end_ms` are relative to the trace's start; the model key is the row
/// `ModelGrouping` puts the call in (its response model, else the dated model its request model
/// answered as). After the list, `"totals"` adds the traces up: `{"traces","span_count",
/// "error_count","llm_calls","prompt_tokens","completion_tokens","total_tokens","cost_usd",
/// "unpriced_calls","recorded_cost_calls","by_model"}`.
public enum SummaryJSON {
    /// Encodes summaries of every trace in `document`.
    public static func encode(_ document: TraceDocument, prices: PriceTable, indent: Int = 0) -> [UInt8] {
        var w = JSONWriter(indent: indent)
        begin(into: &w)
        // Traces are independent: summarise them on all cores, then write in order.
        let traces = document.traces
        let summaries = Parallel.map(traces.count) { i in
            TraceSummary(trace: traces[i], statistics: TraceStatistics(trace: traces[i], prices: prices))
        }
        for (summary, trace) in zip(summaries, traces) {
            write(summary, trace: trace, into: &w)
        }
        end(source: document.source, format: document.format, skippedSpans: document.skippedSpans,
            warnings: document.warnings, totals: UsageTotals.combined(summaries.map(\.totals)), traceCount: traces.count,
            into: &w)
        return w.line()
    }

    /// Opens the document, for a summary written a batch of traces at a time (a lazy store).
    public static func begin(into w: inout JSONWriter) {
        w.beginObject()
        w.key("traces")
        w.beginArray()
    }

    /// Writes one trace's summary (between `begin` and `end`); returns its totals for `end`.
    @discardableResult
    public static func write(_ trace: Trace, prices: PriceTable, into w: inout JSONWriter) -> UsageTotals {
        let summary = TraceSummary(trace: trace, statistics: TraceStatistics(trace: trace, prices: prices))
        write(summary, trace: trace, into: &w)
        return summary.totals
    }

    /// Closes the document with what is known only after every trace (no final line break):
    /// `totals` over the `traceCount` traces (`UsageTotals.combined` of theirs), then the source.
    public static func end(source: String, format: String, skippedSpans: Int, warnings: [String],
                           totals: UsageTotals, traceCount: Int, into w: inout JSONWriter) {
        w.endArray()
        w.key("totals")
        w.beginObject()
        w.member("traces", traceCount)
        w.member("span_count", totals.spanCount)
        w.member("error_count", totals.errorCount)
        w.member("llm_calls", totals.llmCalls)
        w.member("prompt_tokens", totals.promptTokens)
        w.member("completion_tokens", totals.completionTokens)
        w.member("total_tokens", totals.totalTokens)
        w.member("cost_usd", totals.costUSD)
        w.member("unpriced_calls", totals.unpricedCalls)
        w.member("recorded_cost_calls", totals.recordedCostCalls)
        writeByModel(totals, into: &w)
        w.endObject()
        w.member("source", source)
        w.member("format", format)
        w.member("skipped_spans", skippedSpans)
        w.key("warnings")
        w.beginArray()
        for warning in warnings { w.string(warning) }
        w.endArray()
        w.endObject()
    }

    static func ms(_ nanos: Int64) -> Double { Double(nanos) / 1e6 }

    /// `"by_model":{MODEL:{…}}`, one member per row of the model table.
    static func writeByModel(_ t: UsageTotals, into w: inout JSONWriter) {
        w.key("by_model")
        w.beginObject()
        for (model, u) in t.byModel {
            w.key(model)
            w.beginObject()
            w.member("calls", u.calls)
            w.member("prompt_tokens", u.promptTokens)
            w.member("completion_tokens", u.completionTokens)
            w.member("total_tokens", u.totalTokens)
            w.member("cost_usd", u.costUSD)
            w.member("unpriced_calls", u.unpricedCalls)
            w.member("cache_read_tokens", u.cacheReadTokens)
            w.member("cache_write_tokens", u.cacheWriteTokens)
            w.member("reasoning_tokens", u.reasoningTokens)
            w.member("failed_calls", u.failedCalls)
            w.endObject()
        }
        w.endObject()
    }

    /// Writes one trace's summary object; `extra` adds members at its end (the diff's `source`).
    static func write(_ s: TraceSummary, trace: Trace, into w: inout JSONWriter,
                      extra: (inout JSONWriter) -> Void = { _ in }) {
        let t = s.totals
        w.beginObject()
        w.member("trace_id", s.traceID.description)
        w.member("root", s.rootName)
        w.member("span_count", t.spanCount)
        w.member("duration_ms", ms(s.durationNanos))
        w.member("error_count", t.errorCount)
        w.member("llm_calls", t.llmCalls)
        w.member("prompt_tokens", t.promptTokens)
        w.member("completion_tokens", t.completionTokens)
        w.member("total_tokens", t.totalTokens)
        w.member("cost_usd", t.costUSD)
        w.member("unpriced_calls", t.unpricedCalls)
        w.member("cache_read_tokens", t.cacheReadTokens)
        w.member("cache_write_tokens", t.cacheWriteTokens)
        w.member("reasoning_tokens", t.reasoningTokens)
        writeByModel(t, into: &w)
        w.key("critical_path")
        w.beginArray()
        for seg in s.criticalPath {
            w.beginObject()
            w.member("span_id", trace.spans[seg.span].spanID.description)
            w.member("name", trace.spans[seg.span].name)
            w.member("start_ms", ms(seg.startNanos - s.startNanos))
            w.member("end_ms", ms(seg.endNanos - s.startNanos))
            w.endObject()
        }
        w.endArray()
        // Additions beyond the contract.
        w.member("root_service", s.rootIndex.map { trace.spans[$0].service } ?? "")
        w.member("start_time_unix_nano", String(s.startNanos))
        w.member("timing_estimated", s.timingEstimated)
        w.member("recorded_cost_calls", t.recordedCostCalls)
        w.key("services")
        w.beginArray()
        // Spans of one service mostly come in runs: compare with the last one before hashing, and
        // read each span's service in place rather than copying the span.
        var seen: Set<String> = []
        var last = ""
        for i in trace.spans.indices {
            let service = trace.spans[i].service
            if service.isEmpty || service == last { continue }
            last = service
            if seen.insert(service).inserted { w.string(service) }
        }
        w.endArray()
        extra(&w)
        w.endObject()
    }
}
