import TerminalText
import TraceAnalysis
import TraceModel

/// What `spanscope sessions` prints: the session list, or one session as a conversation thread.
public enum SessionsText {
    /// Longest message text shown per line.
    static let messageLimit = 240

    /// One row per session, earliest first.
    public static func list(_ sessions: [SessionSummary]) -> String {
        let traceCount = sessions.reduce(0) { $0 + $1.traces.count }
        var out = "\(Format.plural(sessions.count, "session")) · \(Format.plural(traceCount, "trace"))\n"
        guard !sessions.isEmpty else {
            return out + "(no trace names a session: session.id, gen_ai.conversation.id, langfuse.session.id, "
                + "Traceloop's session_id; or pass --session-key)\n"
        }
        let ids = sessions.map { terminalSafe($0.id) }
        let width = min(40, max(7, ids.map(\.count).max() ?? 0))
        out += TextFormat.pad("session", width) + " traces errors  calls     tokens       cost     busy  started\n"
        for (s, id) in zip(sessions, ids) {
            let cost = s.llmCalls == 0 ? "" : Format.usd(s.costUSD) + (s.unpricedCalls > 0 ? "+?" : "")
            var line = TextFormat.pad(id, width)
            line += TextFormat.left(String(s.traces.count), 6) + " "
            line += TextFormat.left(String(s.failedTraces), 6) + " "
            line += TextFormat.left(String(s.llmCalls), 6) + " "
            line += TextFormat.left(Format.grouped(s.totalTokens), 10) + " "
            line += TextFormat.left(cost, 10) + " "
            line += TextFormat.left(Format.duration(s.busyNanos), 8) + "  "
            out += line + Format.timestamp(s.startNanos, millis: false) + "\n"
        }
        return out
    }

    /// The session's turns: each trace's question, tools, answer and totals.
    public static func thread(_ session: SessionSummary, turns: [ConversationTurn], traces: [Trace]) -> String {
        var out = "session \(terminalSafe(session.id)) · \(Format.plural(session.traces.count, "trace"))"
        out += " · \(Format.duration(session.busyNanos)) busy · \(Format.grouped(session.totalTokens)) tokens"
        out += " · \(Format.usd(session.costUSD))"
        if session.failedTraces > 0 { out += " · \(session.failedTraces) failed" }
        out += "\n"
        for (n, turn) in turns.enumerated() {
            let id = traces[turn.trace].id.description
            out += "\nturn \(n + 1)  \(Format.timestamp(turn.startNanos, millis: false))  trace \(terminalSafe(id))\n"
            out += "  \(Format.duration(turn.latencyNanos)) · \(Format.grouped(turn.totalTokens)) tokens"
            out += " · \(Format.usd(turn.costUSD))"
            if turn.errors > 0 { out += " · \(Format.plural(turn.errors, "error"))" }
            out += "\n"
            out += "  user:   " + line(turn.userMessage) + "\n"
            if !turn.tools.isEmpty { out += "  tools:  " + terminalSafe(turn.tools.joined(separator: ", ")) + "\n" }
            out += "  answer: " + line(turn.finalAnswer) + "\n"
            if let e = turn.firstError { out += "  error:  " + line(e) + "\n" }
        }
        return out
    }

    /// Message text on one line, cut to `messageLimit` characters, made safe.
    static func line(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "(not recorded)" }
        let flat = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" }).joined(separator: " ")
        let cut = flat.count > messageLimit ? String(flat.prefix(messageLimit - 1)) + "…" : flat
        return terminalSafe(cut)
    }
}

/// What `spanscope calls` prints: every LLM call, one row each.
public enum CallsText {
    /// The rows, in the order given; `total` (when more) says how many there were before a limit.
    public static func render(_ rows: [LLMCallRow], traces: [Trace], total: Int? = nil) -> String {
        var out = (total.map { $0 > rows.count ? "\(rows.count) of " : "" } ?? "") + "\(Format.plural(total ?? rows.count, "LLM call"))\n"
        guard !rows.isEmpty else { return out }
        let models = rows.map { terminalSafe($0.model) }
        let width = min(32, max(5, models.map(\.count).max() ?? 0))
        let finishWidth = min(14, max(6, rows.map { $0.finishReason.count }.max() ?? 0))
        func row(_ c: [String]) -> String {
            TextFormat.pad(c[0], 9) + TextFormat.pad(c[1], width) + TextFormat.left(c[2], 7) + " " + TextFormat.left(c[3], 6)
                + " " + TextFormat.left(c[4], 7) + " " + TextFormat.left(c[5], 10) + " " + TextFormat.left(c[6], 8) + " "
                + TextFormat.left(c[7], 8) + "  " + TextFormat.pad(c[8], finishWidth) + c[9]
        }
        out += row(["trace", "model", "in", "out", "cached", "cost", "latency", "ttft", "finish", "span"]) + "\n"
        for (r, model) in zip(rows, models) {
            out += row([String(traces[r.trace].id.description.prefix(8)), model,
                        r.promptTokens.map { Format.grouped($0) } ?? "–",
                        r.completionTokens.map { Format.grouped($0) } ?? "–",
                        r.cachedTokens.map { Format.grouped($0) } ?? "–",
                        r.costUSD.map(Format.usd) ?? "unpriced",
                        Format.duration(r.latencyNanos),
                        r.timeToFirstTokenNanos.map(Format.duration) ?? "–",
                        terminalSafe(r.finishReason.isEmpty ? "–" : r.finishReason),
                        terminalSafe(r.name) + (r.isError ? " (error)" : "")]) + "\n"
        }
        return out
    }
}

/// What `spanscope calls --format json` prints, a contract for scripts (new keys may be added,
/// none removed): `{"calls": N, "shown": M, "rows": [{"trace_id", "span_id", "name", "model",
/// "prompt_tokens", "completion_tokens", "cached_tokens", "total_tokens", "cost_usd",
/// "cost_recorded", "latency_ms", "ttft_ms", "finish_reason", "start", "error"}]}`; a token count,
/// cost or TTFT that was not recorded (or could not be priced) is null.
public enum CallsJSON {
    /// Encodes `rows` (in the order given); `total` is the count before any limit.
    public static func encode(_ rows: [LLMCallRow], traces: [Trace], total: Int? = nil) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.member("calls", total ?? rows.count)
        w.member("shown", rows.count)
        w.key("rows")
        w.beginArray()
        for r in rows {
            let trace = traces[r.trace]
            w.beginObject()
            w.member("trace_id", trace.id.description)
            w.member("span_id", trace.spans[r.span].spanID.description)
            w.member("name", r.name)
            w.member("model", r.model)
            for (name, value) in [("prompt_tokens", r.promptTokens), ("completion_tokens", r.completionTokens),
                                  ("cached_tokens", r.cachedTokens)] {
                w.key(name)
                if let value { w.int(value) } else { w.null() }
            }
            w.member("total_tokens", r.totalTokens)
            w.key("cost_usd")
            if let usd = r.costUSD { w.double(usd) } else { w.null() }
            w.member("cost_recorded", r.costRecorded)
            w.member("latency_ms", Double(r.latencyNanos) / 1e6)
            w.key("ttft_ms")
            if let t = r.timeToFirstTokenNanos { w.double(Double(t) / 1e6) } else { w.null() }
            w.member("finish_reason", r.finishReason)
            w.member("start", Format.timestamp(r.startNanos))
            w.member("error", r.isError)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.line()
    }
}
