import TraceAnalysis
import TerminalText
import TraceModel

/// `spanscope diff --by name|model` output: per group, A and B side by side with the change.
///
/// JSON contract: `{"by", "a": {"source", "runs", "mean": RUN}, "b": {…}, "groups": [{"key",
/// "a": GROUP|null, "b": GROUP|null, "delta": {"p50_ms", "p95_ms", "error_rate", "tokens_per_run",
/// "cost_per_run"}|null}]}` with GROUP `{"count", "runs", "errors", "error_rate", "p50_ms",
/// "p95_ms", "llm_calls", "total_tokens", "cost_usd", "tokens_per_run", "cost_per_run"}` and RUN
/// `{"duration_ms", "llm_calls", "total_tokens", "cost_usd", "error_count"}`.
public enum BatchDiffReport {
    /// The comparison as JSON.
    public static func json(_ d: BatchDiff, sourceA: String, sourceB: String, indent: Int = 0) -> [UInt8] {
        var w = JSONWriter(indent: indent)
        w.beginObject()
        w.member("by", d.key.rawValue)
        for (label, source, runs, mean) in [("a", sourceA, d.runsA, d.meanA), ("b", sourceB, d.runsB, d.meanB)] {
            w.key(label)
            w.beginObject()
            w.member("source", source)
            w.member("runs", runs)
            w.key("mean")
            w.beginObject()
            w.member("duration_ms", Double(mean.durationNanos) / 1e6)
            w.member("llm_calls", mean.llmCalls)
            w.member("total_tokens", mean.totalTokens)
            w.member("cost_usd", mean.costUSD)
            w.member("error_count", mean.errors)
            w.endObject()
            w.endObject()
        }
        w.key("groups")
        w.beginArray()
        for row in d.rows {
            w.beginObject()
            w.member("key", row.key)
            w.key("a")
            write(row.a, runs: d.runsA, into: &w)
            w.key("b")
            write(row.b, runs: d.runsB, into: &w)
            w.key("delta")
            if let a = row.a, let b = row.b {
                w.beginObject()
                w.member("p50_ms", (b.p50Nanos - a.p50Nanos) / 1e6)
                w.member("p95_ms", (b.p95Nanos - a.p95Nanos) / 1e6)
                w.member("error_rate", b.errorRate - a.errorRate)
                w.member("tokens_per_run", perRun(Double(b.totalTokens), d.runsB) - perRun(Double(a.totalTokens), d.runsA))
                w.member("cost_per_run", perRun(b.costUSD, d.runsB) - perRun(a.costUSD, d.runsA))
                w.endObject()
            } else {
                w.null()
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.line()
    }

    static func perRun(_ v: Double, _ runs: Int) -> Double { runs == 0 ? 0 : v / Double(runs) }

    static func write(_ g: BatchGroup?, runs: Int, into w: inout JSONWriter) {
        guard let g else { w.null(); return }
        w.beginObject()
        w.member("count", g.count)
        w.member("runs", g.runs)
        w.member("errors", g.errors)
        w.member("error_rate", g.errorRate)
        w.member("p50_ms", g.p50Nanos / 1e6)
        w.member("p95_ms", g.p95Nanos / 1e6)
        w.member("llm_calls", g.llmCalls)
        w.member("total_tokens", g.totalTokens)
        w.member("cost_usd", g.costUSD)
        w.member("tokens_per_run", perRun(Double(g.totalTokens), runs))
        w.member("cost_per_run", perRun(g.costUSD, runs))
        w.endObject()
    }

    /// The comparison as a table; `colored` marks worse changes red and better ones green.
    public static func text(_ d: BatchDiff, sourceA: String, sourceB: String, colored: Bool = false) -> String {
        let paint = Paint(enabled: colored)
        var out: [String] = []
        out.append("A  " + terminalSafe(sourceA) + ": " + Format.plural(d.runsA, "run"))
        out.append("B  " + terminalSafe(sourceB) + ": " + Format.plural(d.runsB, "run"))
        out.append("")
        out.append(DiffText.totalsRow("per run", "A", "B", "change"))
        let a = d.meanA, b = d.meanB
        out.append(DiffText.totalsRow("duration", Format.duration(a.durationNanos), Format.duration(b.durationNanos),
                                      DiffText.change(Double(a.durationNanos), Double(b.durationNanos), paint) { DiffText.signedDuration(Int64($0)) }))
        out.append(DiffText.totalsRow("LLM calls", String(a.llmCalls), String(b.llmCalls),
                                      DiffText.change(Double(a.llmCalls), Double(b.llmCalls), paint) { DiffText.signedCount($0) }))
        out.append(DiffText.totalsRow("tokens", Format.grouped(a.totalTokens), Format.grouped(b.totalTokens),
                                      DiffText.change(Double(a.totalTokens), Double(b.totalTokens), paint) { DiffText.signedCount($0) }))
        out.append(DiffText.totalsRow("cost", Format.usd(a.costUSD), Format.usd(b.costUSD),
                                      DiffText.change(a.costUSD, b.costUSD, paint) { DiffText.signedUSD($0) }))
        out.append(DiffText.totalsRow("errors", String(a.errors), String(b.errors),
                                      DiffText.change(Double(a.errors), Double(b.errors), paint) { DiffText.signedCount($0) }))
        out.append("")
        let title = d.key == .spanName ? "span name" : "model"
        let width = min(40, max(title.count, d.rows.map { terminalSafe($0.key).count }.max() ?? 0))
        func cells(_ c: [String]) -> String {
            "  " + TextFormat.pad(c[0], width) + TextFormat.left(c[1], 11) + TextFormat.left(c[2], 22) + TextFormat.left(c[3], 22)
                + TextFormat.left(c[4], 16) + TextFormat.left(c[5], 20) + TextFormat.left(c[6], 20)
        }
        out.append(cells([title, "count A→B", "p50 A → B", "p95 A → B", "errors A → B", "tokens/run Δ", "cost/run Δ"]))
        for row in d.rows {
            let ga = row.a, gb = row.b
            let count = "\(ga.map { String($0.count) } ?? "—")→\(gb.map { String($0.count) } ?? "—")"
            func pair(_ f: (BatchGroup) -> String) -> String { "\(ga.map(f) ?? "—") → \(gb.map(f) ?? "—")" }
            let p50 = pair { Format.duration(Int64($0.p50Nanos.rounded())) }
            let p95 = pair { Format.duration(Int64($0.p95Nanos.rounded())) }
            let errors = pair { Format.percent($0.errorRate * 100) }
            let tokA = perRun(Double(ga?.totalTokens ?? 0), d.runsA), tokB = perRun(Double(gb?.totalTokens ?? 0), d.runsB)
            let costA = perRun(ga?.costUSD ?? 0, d.runsA), costB = perRun(gb?.costUSD ?? 0, d.runsB)
            let tokens = tokA == tokB ? "=" : DiffText.signedCount(tokB - tokA)
            let cost = abs(costB - costA) < 1e-12 ? "=" : DiffText.signedUSD(costB - costA)
            var line = cells([terminalSafe(row.key), count, p50, p95, errors, tokens, cost])
            if colored {
                // Colour the whole row by the p95 change: slower red, faster green.
                if let ga, let gb, gb.p95Nanos != ga.p95Nanos { line = gb.p95Nanos > ga.p95Nanos ? paint.worse(line) : paint.better(line) }
            }
            out.append(line)
        }
        return out.joined(separator: "\n") + "\n"
    }
}
