import TraceModel

/// A session (conversation): the traces that carry one session id, with totals.
public struct SessionSummary: Hashable, Sendable {
    /// The session id.
    public var id: String
    /// Positions of its traces in the list given, in time order.
    public var traces: [Int]
    /// Earliest trace start (ns since epoch).
    public var startNanos: Int64
    /// Latest trace end (ns since epoch).
    public var endNanos: Int64
    /// Sum of the traces' durations (time the app spent working, gaps between turns left out).
    public var busyNanos: Int64
    /// Spans over the traces.
    public var spanCount: Int
    /// Error spans over the traces.
    public var errorCount: Int
    /// Traces with at least one error span.
    public var failedTraces: Int
    /// LLM calls over the traces.
    public var llmCalls: Int
    /// Total tokens over the traces.
    public var totalTokens: Int64
    /// USD over the priced calls.
    public var costUSD: Double
    /// Calls nothing could price.
    public var unpricedCalls: Int

    /// Last end minus first start.
    public var durationNanos: Int64 { endNanos &- startNanos }
}

/// One turn of a conversation: one trace, read as a user's question and the app's answer.
public struct ConversationTurn: Hashable, Sendable {
    /// Position of the trace in the list given.
    public var trace: Int
    /// The trace's start (ns since epoch).
    public var startNanos: Int64
    /// What the user said: the root's input, else the last user message of the first LLM call.
    public var userMessage: String?
    /// What the app answered: the root's output, else the last LLM call's output text.
    public var finalAnswer: String?
    /// Tools called, in time order (a tool called twice is listed twice).
    public var tools: [String]
    /// Total tokens.
    public var totalTokens: Int64
    /// USD over the priced calls.
    public var costUSD: Double
    /// The trace's duration.
    public var latencyNanos: Int64
    /// Error spans.
    public var errors: Int
    /// The first error's status message (or span name when it has none).
    public var firstError: String?
}

/// Sessions: traces grouped by conversation, and each conversation read as a thread.
public enum Sessions {
    /// Every session among `traces`, earliest first; traces without a session id are left out.
    public static func list(_ traces: [Trace], facts: [TraceFacts]) -> [SessionSummary] {
        precondition(traces.count == facts.count, "one facts entry per trace")
        return list(facts: facts)
    }

    /// Every session among traces with these `facts` (all a session's row needs, so an index of a
    /// file without the spans gives the same list), earliest first; positions index `facts`.
    public static func list(facts: [TraceFacts]) -> [SessionSummary] {
        var slots: [String: Int] = [:]
        var out: [SessionSummary] = []
        let order = facts.indices.sorted { a, b in
            facts[a].startNanos != facts[b].startNanos ? facts[a].startNanos < facts[b].startNanos : a < b
        }
        for t in order {
            let f = facts[t]
            guard let id = f.sessionID else { continue }
            let end = f.startNanos &+ f.durationNanos
            if let slot = slots[id] {
                out[slot].traces.append(t)
                out[slot].endNanos = max(out[slot].endNanos, end)
                out[slot].busyNanos = ModelUsage.sum(out[slot].busyNanos, f.durationNanos)
                out[slot].spanCount += f.spanCount
                out[slot].errorCount += f.errorCount
                out[slot].failedTraces += f.errorCount > 0 ? 1 : 0
                out[slot].llmCalls += f.llmCalls
                out[slot].totalTokens = ModelUsage.sum(out[slot].totalTokens, f.totalTokens)
                out[slot].costUSD += f.costUSD
                out[slot].unpricedCalls += f.unpricedCalls
            } else {
                slots[id] = out.count
                out.append(SessionSummary(id: id, traces: [t], startNanos: f.startNanos, endNanos: end,
                                          busyNanos: f.durationNanos, spanCount: f.spanCount, errorCount: f.errorCount,
                                          failedTraces: f.errorCount > 0 ? 1 : 0, llmCalls: f.llmCalls,
                                          totalTokens: f.totalTokens, costUSD: f.costUSD, unpricedCalls: f.unpricedCalls))
            }
        }
        return out
    }

    /// The conversation of `session` as turns, one per trace, in time order.
    public static func thread(_ session: SessionSummary, traces: [Trace], facts: [TraceFacts]) -> [ConversationTurn] {
        session.traces.map { turn(traces[$0], position: $0, facts: facts[$0]) }
    }

    /// One trace read as a turn.
    public static func turn(_ trace: Trace, position: Int, facts: TraceFacts) -> ConversationTurn {
        var tools: [(start: Int64, name: String)] = []
        var firstError: String? = nil
        for node in trace.preorder {
            let i = Int(node)
            if let tool = SpanRole.toolName(trace, span: i) { tools.append((trace.spans[i].startNanos, tool)) }
            if firstError == nil, trace.spans[i].status.isError {
                let m = trace.spans[i].status.message
                firstError = m.isEmpty ? trace.spans[i].name : m
            }
        }
        tools.sort { $0.start < $1.start }
        // LLM calls in time order: the first one holds the question, the last one the answer.
        let calls = (0..<trace.count).filter { trace.isLLM($0) && trace.llmCall(at: $0)?.operation != "execute_tool" }
            .sorted { trace.spans[$0].startNanos < trace.spans[$1].startNanos }
        var user: String? = nil, answer: String? = nil
        if let root = trace.rootIndex {
            user = rootText(trace.spans[root], keys: inputKeys)
            answer = rootText(trace.spans[root], keys: outputKeys)
        }
        if user == nil, let first = calls.first, let call = trace.llmCallDetails(at: first) {
            user = call.inputMessages.last { $0.role == "user" }.map(text)
        }
        if answer == nil, let last = calls.last(where: { c in
            (trace.llmCallDetails(at: c)?.outputMessages.contains { !text($0).isEmpty }) ?? false
        }), let call = trace.llmCallDetails(at: last) {
            answer = call.outputMessages.map(text).filter { !$0.isEmpty }.joined(separator: "\n")
        }
        return ConversationTurn(trace: position, startNanos: facts.startNanos, userMessage: user, finalAnswer: answer,
                                tools: tools.map(\.name), totalTokens: facts.totalTokens, costUSD: facts.costUSD,
                                latencyNanos: facts.durationNanos, errors: facts.errorCount, firstError: firstError)
    }

    /// Root-span attributes that hold the user's input: OpenInference `input.value`, Traceloop
    /// `traceloop.entity.input`, Langfuse `langfuse.trace.input` / `langfuse.observation.input`.
    static let inputKeys = ["input.value", "langfuse.trace.input", "langfuse.observation.input", "traceloop.entity.input"]
    /// The matching output attributes.
    static let outputKeys = ["output.value", "langfuse.trace.output", "langfuse.observation.output", "traceloop.entity.output"]

    static func rootText(_ span: Span, keys: [String]) -> String? {
        for key in keys {
            if let v = span.attributes[key: key]?.displayText, !v.isEmpty { return v }
        }
        return nil
    }

    /// A message's text parts (tool calls and results left out: they are listed as tools).
    static func text(_ m: LLMMessage) -> String {
        m.parts.compactMap { part -> String? in
            if case .text(let t) = part { return t }
            return nil
        }.joined(separator: "\n")
    }
}
