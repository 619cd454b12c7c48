import TraceAnalysis
import TraceModel

/// What `spanscope sessions` prints: the session list, or one session as a conversation thread.
public enum SessionsText {
    /// Longest message text shown per line.
    static let messageLimit = 240

    /// One row per session, earliest first.
    public static func list(_ sessions: [SessionSummary]) -> String {
        let traceCount = sessions.reduce(0) { $0 + $1.traces.count }
        var out = "\(TextFormat.plural(sessions.count, "session")) · \(TextFormat.plural(traceCount, "trace"))\n"
        guard !sessions.isEmpty else {
            return out + "(no trace names a session: session.id, gen_ai.conversation.id, langfuse.session.id, "
                + "Traceloop's session_id; or pass --session-key)\n"
        }
        let ids = sessions.map { TextFormat.safe($0.id) }
        let width = min(40, max(7, ids.map(\.count).max() ?? 0))
        out += TextFormat.pad("session", width) + " traces errors  calls     tokens       cost     busy  started\n"
        for (s, id) in zip(sessions, ids) {
            out += TextFormat.pad(id, width) + TextFormat.left(String(s.traces.count), 6) + " "
                + TextFormat.left(String(s.failedTraces), 6) + " " + TextFormat.left(String(s.llmCalls), 6) + " "
                + TextFormat.left(TextFormat.grouped(s.totalTokens), 10) + " "
                + TextFormat.left(s.llmCalls == 0 ? "" : TextFormat.usd(s.costUSD) + (s.unpricedCalls > 0 ? "+?" : ""), 10) + " "
                + TextFormat.left(TextFormat.duration(s.busyNanos), 8) + "  " + TextFormat.timestamp(s.startNanos) + "\n"
        }
        return out
    }

    /// The session's turns: each trace's question, tools, answer and totals.
    public static func thread(_ session: SessionSummary, turns: [ConversationTurn], traces: [Trace]) -> String {
        var out = "session \(TextFormat.safe(session.id)) · \(TextFormat.plural(session.traces.count, "trace"))"
            + " · \(TextFormat.duration(session.busyNanos)) busy · \(TextFormat.grouped(session.totalTokens)) tokens"
            + " · \(TextFormat.usd(session.costUSD))" + (session.failedTraces > 0 ? " · \(session.failedTraces) failed" : "") + "\n"
        for (n, turn) in turns.enumerated() {
            let id = traces[turn.trace].id.description
            out += "\nturn \(n + 1)  \(TextFormat.timestamp(turn.startNanos))  trace \(TextFormat.safe(id))\n"
            out += "  \(TextFormat.duration(turn.latencyNanos)) · \(TextFormat.grouped(turn.totalTokens)) tokens"
                + " · \(TextFormat.usd(turn.costUSD))" + (turn.errors > 0 ? " · \(TextFormat.plural(turn.errors, "error"))" : "") + "\n"
            out += "  user:   " + line(turn.userMessage) + "\n"
            if !turn.tools.isEmpty { out += "  tools:  " + TextFormat.safe(turn.tools.joined(separator: ", ")) + "\n" }
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
        return TextFormat.safe(cut)
    }
}

/// What `spanscope calls` prints: every LLM call, one row each.
public enum CallsText {
    /// The rows, in the order given; `total` (when more) says how many there were before a limit.
    public static func render(_ rows: [LLMCallRow], traces: [Trace], total: Int? = nil) -> String {
        var out = (total.map { $0 > rows.count ? "\(rows.count) of " : "" } ?? "") + "\(TextFormat.plural(total ?? rows.count, "LLM call"))\n"
        guard !rows.isEmpty else { return out }
        let models = rows.map { TextFormat.safe($0.model) }
        let width = min(32, max(5, models.map(\.count).max() ?? 0))
        let finishWidth = min(14, max(6, rows.map { $0.finishReason.count }.max() ?? 0))
        func row(_ c: [String]) -> String {
            TextFormat.pad(c[0], 9) + TextFormat.pad(c[1], width) + TextFormat.left(c[2], 7) + " " + TextFormat.left(c[3], 6)
                + " " + TextFormat.left(c[4], 10) + " " + TextFormat.left(c[5], 8) + " " + TextFormat.left(c[6], 8) + "  "
                + TextFormat.pad(c[7], finishWidth) + c[8]
        }
        out += row(["trace", "model", "in", "out", "cost", "latency", "ttft", "finish", "span"]) + "\n"
        for (r, model) in zip(rows, models) {
            out += row([String(traces[r.trace].id.description.prefix(8)), model,
                        r.promptTokens.map { TextFormat.grouped($0) } ?? "–",
                        r.completionTokens.map { TextFormat.grouped($0) } ?? "–",
                        r.costUSD.map(TextFormat.usd) ?? "unpriced",
                        TextFormat.duration(r.latencyNanos),
                        r.timeToFirstTokenNanos.map(TextFormat.duration) ?? "–",
                        TextFormat.safe(r.finishReason.isEmpty ? "–" : r.finishReason),
                        TextFormat.safe(r.name) + (r.isError ? " (error)" : "")]) + "\n"
        }
        return out
    }
}
