import TraceAnalysis
import TraceModel

/// The human-readable summary that `spanscope summary` prints: per trace, a headline, a table by
/// model and the spans the critical path runs through.
public enum SummaryText {
    /// Critical-path rows shown per trace; the rest are counted in one line.
    static let pathRows = 12

    /// Renders every trace in `document`.
    public static func render(_ document: TraceDocument, prices: PriceTable) -> String {
        var out = ""
        let traces = document.traces
        out += "\(TextFormat.safe(document.source)): \(document.format), \(traces.count) trace\(traces.count == 1 ? "" : "s")\n"
        // Traces are independent: render them on all cores, then join in order.
        let parts = Parallel.map(traces.count) { i -> (text: String, totals: UsageTotals) in
            let stats = TraceStatistics(trace: traces[i], prices: prices)
            return (render(traces[i], statistics: stats), stats.trace)
        }
        for part in parts {
            out += "\n"
            out += part.text
        }
        if traces.count > 1 {
            out += "\n" + renderTotals(UsageTotals.combined(parts.map(\.totals)), traces: traces.count)
        }
        return out
    }

    /// The block after several traces: what they add up to, with one model table over all of them.
    static func renderTotals(_ t: UsageTotals, traces: Int) -> String {
        var lines = ["all \(TextFormat.plural(traces, "trace"))"]
        var facts = "  \(TextFormat.plural(t.spanCount, "span")) · \(TextFormat.plural(t.errorCount, "error"))"
        facts += usageFacts(t)
        lines.append(facts)
        lines += modelTable(t)
        return lines.joined(separator: "\n") + "\n"
    }

    /// ` · N LLM calls · tokens · cost` for a headline.
    static func usageFacts(_ t: UsageTotals) -> String {
        var facts = " · \(TextFormat.plural(t.llmCalls, "LLM call"))"
        if t.llmCalls > 0 {
            facts += " · \(TextFormat.grouped(t.totalTokens)) tokens (\(TextFormat.grouped(t.promptTokens)) in / \(TextFormat.grouped(t.completionTokens)) out)"
            facts += " · \(TextFormat.usd(t.costUSD))"
            if t.unpricedCalls > 0 { facts += " + \(t.unpricedCalls) unpriced" }
        }
        return facts
    }

    /// The table by model: calls, tokens and cost per row, failed calls counted at the end.
    static func modelTable(_ t: UsageTotals) -> [String] {
        guard !t.byModel.isEmpty else { return [] }
        var lines: [String] = []
        let nameWidth = min(36, max(5, t.byModel.map { TextFormat.safe($0.model).count }.max() ?? 5))
        func row(_ cells: [String]) -> String {
            "  " + TextFormat.pad(cells[0], nameWidth) + TextFormat.left(cells[1], 7) + TextFormat.left(cells[2], 10)
                + TextFormat.left(cells[3], 12) + TextFormat.left(cells[4], 10) + TextFormat.left(cells[5], 12)
        }
        lines.append(row(["model", "calls", "prompt", "completion", "total", "cost"]))
        for (model, u) in t.byModel {
            let cost = u.unpricedCalls == u.calls ? "unpriced" : TextFormat.usd(u.costUSD) + (u.unpricedCalls > 0 ? "+?" : "")
            var line = row([TextFormat.safe(model), String(u.calls), TextFormat.grouped(u.promptTokens),
                            TextFormat.grouped(u.completionTokens), TextFormat.grouped(u.totalTokens), cost])
            if u.failedCalls > 0 { line += "  (\(u.failedCalls) failed)" }
            lines.append(line)
        }
        return lines
    }

    /// Renders one trace.
    public static func render(_ trace: Trace, prices: PriceTable) -> String {
        render(trace, statistics: TraceStatistics(trace: trace, prices: prices))
    }

    /// Renders one trace from statistics already computed for it.
    static func render(_ trace: Trace, statistics stats: TraceStatistics) -> String {
        let s = TraceSummary(trace: trace, statistics: stats)
        let t = s.totals
        var lines: [String] = []
        let root = s.rootIndex.map { trace.spans[$0] }
        var head = "trace \(TextFormat.safe(s.traceID.description))  \(TextFormat.safe(s.rootName))"
        if let service = root?.service, !service.isEmpty { head += " (\(TextFormat.safe(service)))" }
        if s.startNanos > 0 && !s.timingEstimated { head += "  " + TextFormat.timestamp(s.startNanos) }
        lines.append(head)
        var facts = "  \(TextFormat.duration(s.durationNanos))"
        if s.timingEstimated { facts += " (estimated)" }
        facts += " · \(TextFormat.plural(t.spanCount, "span")) · \(TextFormat.plural(t.errorCount, "error"))"
        facts += usageFacts(t)
        lines.append(facts)
        lines += modelTable(t)

        if !s.criticalPath.isEmpty, s.durationNanos > 0 {
            // Time on the critical path per span, in order of first appearance.
            var order: [Int] = []
            var time: [Int: Int64] = [:]
            for seg in s.criticalPath {
                if time[seg.span] == nil { order.append(seg.span) }
                time[seg.span, default: 0] += seg.endNanos - seg.startNanos
            }
            lines.append("  critical path (\(TextFormat.plural(order.count, "span"))):")
            let shown = order.count <= pathRows ? order
                : Array(order.sorted { time[$0]! > time[$1]! }.prefix(pathRows)).sorted { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }
            for span in shown {
                let d = time[span]!
                let share = Double(d) / Double(s.durationNanos) * 100
                let sp = trace.spans[span]
                var line = "    " + TextFormat.left(TextFormat.duration(d), 10) + TextFormat.left(TextFormat.percent(share), 6)
                line += "  " + String(repeating: "  ", count: min(8, Int(trace.depths[span]))) + TextFormat.safe(sp.name)
                if sp.status.isError { line += "  [error]" }
                if trace.isLLM(span), let m = trace.llmCall(at: span)?.model { line += "  [\(TextFormat.safe(m))]" }
                lines.append(line)
            }
            if shown.count < order.count {
                lines.append("    … \(order.count - shown.count) shorter spans on the path")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
