import TraceAnalysis
import TerminalText
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
        out += header(source: document.source, format: document.format, traceCount: traces.count)
        // Traces are independent: render them on all cores, then join in order.
        for text in Parallel.map(traces.count, { render(traces[$0], prices: prices) }) {
            out += "\n"
            out += text
        }
        return out
    }

    /// The first line: source, format and number of traces (for a summary written in batches).
    public static func header(source: String, format: String, traceCount: Int) -> String {
        "\(terminalSafe(source)): \(format), \(traceCount) trace\(traceCount == 1 ? "" : "s")\n"
    }

    /// Renders one trace.
    public static func render(_ trace: Trace, prices: PriceTable) -> String {
        let stats = TraceStatistics(trace: trace, prices: prices)
        let s = TraceSummary(trace: trace, statistics: stats)
        let t = s.totals
        var lines: [String] = []
        let root = s.rootIndex.map { trace.spans[$0] }
        var head = "trace \(terminalSafe(s.traceID.description))  \(terminalSafe(s.rootName))"
        if let service = root?.service, !service.isEmpty { head += " (\(terminalSafe(service)))" }
        if s.startNanos > 0 && !s.timingEstimated { head += "  " + Format.timestamp(s.startNanos, millis: false) }
        lines.append(head)
        var facts = "  \(Format.duration(s.durationNanos))"
        if s.timingEstimated { facts += " (estimated)" }
        facts += " · \(Format.plural(t.spanCount, "span")) · \(Format.plural(t.errorCount, "error"))"
        facts += " · \(Format.plural(t.llmCalls, "LLM call"))"
        if t.llmCalls > 0 {
            facts += " · \(Format.grouped(t.totalTokens)) tokens (\(Format.grouped(t.promptTokens)) in / \(Format.grouped(t.completionTokens)) out)"
            facts += " · \(Format.usd(t.costUSD))"
            if t.unpricedCalls > 0 { facts += " + \(t.unpricedCalls) unpriced" }
        }
        lines.append(facts)

        if !t.byModel.isEmpty {
            let nameWidth = min(36, max(5, t.byModel.map { CellWidth.of(terminalSafe($0.model)) }.max() ?? 5))
            func row(_ cells: [String]) -> String {
                "  " + TextFormat.pad(cells[0], nameWidth) + TextFormat.left(cells[1], 7) + TextFormat.left(cells[2], 10)
                    + TextFormat.left(cells[3], 12) + TextFormat.left(cells[4], 10) + TextFormat.left(cells[5], 12)
            }
            lines.append(row(["model", "calls", "prompt", "completion", "total", "cost"]))
            for (model, u) in t.byModel {
                let cost = u.unpricedCalls == u.calls ? "unpriced" : Format.usd(u.costUSD) + (u.unpricedCalls > 0 ? "+?" : "")
                lines.append(row([terminalSafe(model), String(u.calls), Format.grouped(u.promptTokens),
                                  Format.grouped(u.completionTokens), Format.grouped(u.totalTokens), cost]))
            }
        }

        if !s.criticalPath.isEmpty, s.durationNanos > 0 {
            // Time on the critical path per span, in order of first appearance.
            var order: [Int] = []
            var time: [Int: Int64] = [:]
            for seg in s.criticalPath {
                if time[seg.span] == nil { order.append(seg.span) }
                time[seg.span, default: 0] += seg.endNanos - seg.startNanos
            }
            lines.append("  critical path (\(Format.plural(order.count, "span"))):")
            let shown = order.count <= pathRows ? order
                : Array(order.sorted { time[$0]! > time[$1]! }.prefix(pathRows)).sorted { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }
            for span in shown {
                let d = time[span]!
                let share = Double(d) / Double(s.durationNanos) * 100
                let sp = trace.spans[span]
                var line = "    " + TextFormat.left(Format.duration(d), 10) + TextFormat.left(Format.percent(share), 6)
                line += "  " + String(repeating: "  ", count: min(8, Int(trace.depths[span]))) + terminalSafe(sp.name)
                if sp.status.isError { line += "  [error]" }
                if trace.isLLM(span), let m = trace.llmCall(at: span)?.model { line += "  [\(terminalSafe(m))]" }
                lines.append(line)
            }
            if shown.count < order.count {
                lines.append("    … \(order.count - shown.count) shorter spans on the path")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
