import TerminalText
import TraceAnalysis
import TraceFormats
import TraceModel

/// The machine-readable table that `spanscope stats --format json` prints.
///
/// The keys are a contract for scripts (issue #13); new keys may be added, none removed:
/// `{"by", "traces": N, "groups": [{"key", "count", "traces", "errors", "p50_ms", "p95_ms",
/// "p99_ms", "max_ms", "self_p50_ms", "self_p95_ms", "self_p99_ms", "self_max_ms", "total_ms",
/// "llm_calls", "prompt_tokens", "completion_tokens", "total_tokens", "cost_usd",
/// "unpriced_calls"}]}`. Percentiles interpolate linearly between closest ranks (numpy's
/// default); the self-time keys are null for `--by session`, whose entries are whole traces.
public enum StatsJSON {
    /// Encodes `table`.
    public static func encode(_ table: StatsTable, indent: Int = 0) -> [UInt8] {
        var w = JSONWriter(indent: indent)
        w.beginObject()
        w.member("by", table.grouping.rawValue)
        w.member("traces", table.traces)
        w.key("groups")
        w.beginArray()
        for g in table.groups {
            w.beginObject()
            w.member("key", g.key)
            w.member("count", g.count)
            w.member("traces", g.traces)
            w.member("errors", g.errors)
            w.member("p50_ms", ms(g.duration.p50))
            w.member("p95_ms", ms(g.duration.p95))
            w.member("p99_ms", ms(g.duration.p99))
            w.member("max_ms", ms(g.duration.max))
            for (name, value) in [("self_p50_ms", g.selfTime?.p50), ("self_p95_ms", g.selfTime?.p95),
                                  ("self_p99_ms", g.selfTime?.p99), ("self_max_ms", g.selfTime?.max)] {
                w.key(name)
                if let value { w.double(ms(value)) } else { w.null() }
            }
            w.member("total_ms", ms(Double(g.totalNanos)))
            w.member("llm_calls", g.llmCalls)
            w.member("prompt_tokens", g.promptTokens)
            w.member("completion_tokens", g.completionTokens)
            w.key("cached_tokens")
            if let c = g.cachedTokens { w.int(c) } else { w.null() }
            w.member("total_tokens", g.totalTokens)
            w.member("cost_usd", g.costUSD)
            w.member("unpriced_calls", g.unpricedCalls)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.line()
    }

    static func ms(_ nanos: Double) -> Double { nanos / 1e6 }
}

/// The table `spanscope stats` prints: one row per group.
public enum StatsText {
    /// Renders `table`; `query` (when not empty) is named in the heading.
    public static func render(_ table: StatsTable, query: String = "") -> String {
        let g = table.grouping
        var out = "stats by \(g.rawValue) · \(Format.plural(table.traces, "trace"))"
        if !query.isEmpty { out += " matching \(terminalSafe(query))" }
        out += " · \(Format.plural(table.groups.count, "group"))\n"
        guard !table.groups.isEmpty else { return out + "(nothing to group)\n" }
        let keys = table.groups.map { terminalSafe($0.key) }
        let keyWidth = min(40, max(g.rawValue.count, keys.map(\.count).max() ?? 0))
        let anyTokens = table.groups.contains { $0.llmCalls > 0 }
        // Shown only when some call records cached prompt tokens: most traces never do.
        let anyCached = table.groups.contains { $0.cachedTokens != nil }
        func row(_ cells: [String]) -> String {
            var line = TextFormat.pad(cells[0], keyWidth)
            // Each cell keeps a space before it, however wide its value.
            let widths = [6, 6, 6, 8, 8, 8, 8, 8]
            for (cell, width) in zip(cells[1...], widths) { line += " " + TextFormat.left(cell, width) }
            if anyTokens { line += " " + TextFormat.left(cells[9], 13) }
            if anyCached { line += " " + TextFormat.left(cells[11], 8) }
            if anyTokens { line += " " + TextFormat.left(cells[10], 10) }
            return line.replacingTrailingSpaces()
        }
        out += row([g.rawValue, "count", "traces", "errors", "p50", "p95", "p99", "max", g == .session ? "" : "self p50",
                    "tokens in/out", "cost", "cached"]) + "\n"
        for (group, key) in zip(table.groups, keys) {
            let tokens = group.llmCalls == 0 ? "" : "\(Format.compact(group.promptTokens))/\(Format.compact(group.completionTokens))"
            let cost = group.llmCalls == 0 ? ""
                : group.unpricedCalls == group.llmCalls ? "unpriced"
                : Format.usd(group.costUSD) + (group.unpricedCalls > 0 ? "+?" : "")
            out += row([key, Format.grouped(Int64(group.count)), Format.grouped(Int64(group.traces)),
                        Format.grouped(Int64(group.errors)), duration(group.duration.p50), duration(group.duration.p95),
                        duration(group.duration.p99), duration(group.duration.max),
                        group.selfTime.map { duration($0.p50) } ?? "", tokens, cost,
                        group.cachedTokens.map(Format.compact) ?? ""]) + "\n"
        }
        return out
    }

    /// A percentile (which may fall between two whole nanoseconds) as a short duration.
    static func duration(_ nanos: Double) -> String {
        Format.duration(Int64(nanos.rounded()))
    }
}

extension String {
    /// The string without trailing spaces (table rows end at their last cell).
    func replacingTrailingSpaces() -> String {
        var s = self[...]
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
