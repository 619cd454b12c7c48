import TraceAnalysis
import TerminalText
import TraceModel

/// The machine-readable comparison that `spanscope diff --format json` prints.
///
/// Contract (issue #14; keys may be added, none removed):
/// `{"a": {SUMMARY, "source"}, "b": {SUMMARY, "source"}, "delta": {"span_count", "duration_ms",
/// "cost_usd", "total_tokens", "llm_calls", "error_count", "prompt_tokens", "completion_tokens"},
/// "threshold": {"relative", "absolute_ms"}, "counts": {"same", "changed", "added", "removed"},
/// "steps": [{"path", "depth", "status", "changes": [...], "a": SIDE|null, "b": SIDE|null,
/// "delta": {"duration_ms", "self_ms", "total_tokens", "cost_usd"}|null, "llm": {...}}],
/// "breaches": [...]}` where SUMMARY has the keys of `summary --format json`, delta is B minus A,
/// and SIDE is `{"span_id", "name", "service", "error", "status_message", "duration_ms",
/// "self_ms", "prompt_tokens", "completion_tokens", "total_tokens", "cost_usd"}` plus, for LLM
/// calls, `"request_model", "response_model", "parameters", "finish_reasons"`. Every span of A
/// and of B is the side of exactly one step, so the sides' tokens, costs and error flags add up
/// to the summaries' totals. `"llm"` appears on steps whose two calls differ in content:
/// `{"prompt_diff": [unified-diff lines], "answer_diff": [...]}`. `"breaches"` lists the
/// `--fail-on` limits that were broken: `{"metric", "limit", "actual", "baseline"}`, durations in ms.
public enum DiffJSON {
    /// Encodes `diff`; `sourceA`/`sourceB` name where each run came from.
    public static func encode(_ diff: TraceDiff, sourceA: String, sourceB: String, breaches: [BudgetBreach] = [],
                              indent: Int = 0) -> [UInt8] {
        var w = JSONWriter(indent: indent, reserving: diff.steps.count * 200)
        let summaryA = TraceSummary(trace: diff.a, statistics: diff.statisticsA)
        let summaryB = TraceSummary(trace: diff.b, statistics: diff.statisticsB)
        w.beginObject()
        w.key("a")
        SummaryJSON.write(summaryA, trace: diff.a, into: &w, extra: { $0.member("source", sourceA) })
        w.key("b")
        SummaryJSON.write(summaryB, trace: diff.b, into: &w, extra: { $0.member("source", sourceB) })
        let ta = summaryA.totals, tb = summaryB.totals
        w.key("delta")
        w.beginObject()
        w.member("span_count", tb.spanCount - ta.spanCount)
        w.member("duration_ms", ms(summaryB.durationNanos &- summaryA.durationNanos))
        w.member("cost_usd", tb.costUSD - ta.costUSD)
        w.member("total_tokens", tb.totalTokens &- ta.totalTokens)
        w.member("llm_calls", tb.llmCalls - ta.llmCalls)
        w.member("error_count", tb.errorCount - ta.errorCount)
        w.member("prompt_tokens", tb.promptTokens &- ta.promptTokens)
        w.member("completion_tokens", tb.completionTokens &- ta.completionTokens)
        w.endObject()
        w.key("threshold")
        w.beginObject()
        w.member("relative", diff.threshold.relative)
        w.member("absolute_ms", ms(diff.threshold.absoluteNanos))
        w.endObject()
        w.key("counts")
        w.beginObject()
        let counts = diff.counts
        for status in DiffStatus.allCases { w.member(status.rawValue, counts[status] ?? 0) }
        w.endObject()
        w.key("steps")
        w.beginArray()
        let paths = diff.paths()
        for i in diff.steps.indices { writeStep(i, path: paths[i], diff, into: &w) }
        w.endArray()
        w.key("breaches")
        w.beginArray()
        for b in breaches {
            w.beginObject()
            w.member("metric", b.metric.rawValue)
            w.member("limit", jsonValue(b.metric, b.limit))
            w.member("actual", jsonValue(b.metric, b.actual))
            if let base = b.baseline { w.member("baseline", jsonValue(b.metric, base)) } else { w.key("baseline"); w.null() }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.line()
    }

    static func ms(_ nanos: Int64) -> Double { Double(nanos) / 1e6 }

    /// Durations in milliseconds, everything else as is.
    static func jsonValue(_ metric: BudgetMetric, _ v: Double) -> Double { metric == .duration ? v / 1e6 : v }

    static func writeStep(_ i: Int, path: String, _ diff: TraceDiff, into w: inout JSONWriter) {
        let step = diff.steps[i]
        w.beginObject()
        w.member("path", path)
        w.member("depth", Int(step.depth))
        w.member("status", step.status.rawValue)
        w.key("changes")
        w.beginArray()
        for name in step.changes.names { w.string(name) }
        w.endArray()
        let sa = diff.sideA(i), sb = diff.sideB(i)
        w.key("a")
        if let sa { writeSide(sa, diff.a, into: &w) } else { w.null() }
        w.key("b")
        if let sb { writeSide(sb, diff.b, into: &w) } else { w.null() }
        w.key("delta")
        if let sa, let sb {
            w.beginObject()
            w.member("duration_ms", ms(sb.durationNanos &- sa.durationNanos))
            w.member("self_ms", ms(sb.selfNanos &- sa.selfNanos))
            w.member("total_tokens", sb.totalTokens &- sa.totalTokens)
            w.member("cost_usd", (sb.costUSD ?? 0) - (sa.costUSD ?? 0))
            w.endObject()
        } else {
            w.null()
        }
        if !step.changes.isDisjoint(with: [.prompt, .answer]), let cmp = diff.llmComparison(of: i) {
            w.key("llm")
            w.beginObject()
            w.key("prompt_diff")
            w.beginArray()
            for line in cmp.promptDiff() { w.string(line) }
            w.endArray()
            w.key("answer_diff")
            w.beginArray()
            for line in cmp.answerDiff() { w.string(line) }
            w.endArray()
            w.endObject()
        }
        w.endObject()
    }

    static func writeSide(_ side: StepSide, _ trace: Trace, into w: inout JSONWriter) {
        let span = trace.spans[side.span]
        w.beginObject()
        w.member("span_id", span.spanID.description)
        w.member("name", span.name)
        w.member("service", span.service)
        w.member("error", side.isError)
        w.member("status_message", span.status.message)
        w.member("duration_ms", ms(side.durationNanos))
        w.member("self_ms", ms(side.selfNanos))
        w.member("prompt_tokens", side.llm?.promptTokens ?? 0)
        w.member("completion_tokens", side.llm?.completionTokens ?? 0)
        w.member("total_tokens", side.totalTokens)
        w.key("cost_usd")
        if let c = side.costUSD { w.double(c) } else if side.llm == nil { w.double(0) } else { w.null() }
        if let call = side.llm {
            w.key("request_model")
            if let m = call.requestModel { w.string(m) } else { w.null() }
            w.key("response_model")
            if let m = call.responseModel { w.string(m) } else { w.null() }
            w.key("parameters")
            w.beginObject()
            for p in call.parameters {
                w.key(p.key)
                w.plain(p.value)
            }
            w.endObject()
            w.key("finish_reasons")
            w.beginArray()
            for r in call.finishReasons { w.string(r) }
            w.endArray()
        }
        w.endObject()
    }
}
