import TraceModel
@testable import TraceAnalysis

/// Builds the traces the query, stats and session tests reason about; times in milliseconds
/// after `Timeline.epoch`.
struct RunBuilder {
    let id: String
    private(set) var spans: [Span] = []
    private var calls: [String: LLMCall] = [:]

    init(_ id: String) { self.id = id }

    mutating func add(_ name: String, parent: String? = nil, ms start: Int64, _ end: Int64, service: String = "api",
                      error: String? = nil, call: LLMCall? = nil, attributes: [Attribute] = []) {
        spans.append(Span(
            traceID: TraceID(.text(id)), spanID: SpanID(.text(name)), parentID: parent.map { SpanID(.text($0)) },
            name: name, service: service, startNanos: Timeline.epoch + start * 1_000_000,
            endNanos: Timeline.epoch + end * 1_000_000,
            status: error.map { SpanStatus(.error, message: $0) } ?? .ok, attributes: attributes))
        if let call { calls[name] = call }
    }

    var trace: Trace {
        let calls = self.calls
        return Trace(id: TraceID(.text(id)), spans: spans, llmCall: { calls[$0.name] })
    }
}

/// Three runs of an agent, each property chosen so every query field separates them:
///
/// ```
/// a1  agent run (api)    0–2000 ms   chat: gpt-4o → gpt-4o-2024-08-06, 1000/200 tokens, $0.05
///                                    tool search: error "timeout"; user.id=42 (int),
///                                    http.route=/v1/chat, session.id=s1
/// b2  agent run (worker) 0–500 ms    chat: claude-3-5-haiku, 100/10 tokens, $0.001
///                                    user.id="7" (string), gen_ai.conversation.id=s2
/// c3  batch job (worker) 0–10000 ms  no LLM call; http.status_code=503, input.value "refund my order"
/// ```
enum ThreeRuns {
    static let traces: [Trace] = {
        var a = RunBuilder("a1")
        a.add("agent run", ms: 0, 2000, attributes: [Attribute("session.id", "s1"), Attribute("http.route", "/v1/chat")])
        a.add("chat", parent: "agent run", ms: 100, 1100,
              call: LLMCall(requestModel: "gpt-4o", responseModel: "gpt-4o-2024-08-06", promptTokens: 1000,
                            completionTokens: 200, recordedCostUSD: 0.05),
              attributes: [Attribute("user.id", .int(42))])
        a.add("tool search", parent: "agent run", ms: 1100, 1900, error: "timeout")
        var b = RunBuilder("b2")
        b.add("agent run", ms: 0, 500, service: "worker",
              attributes: [Attribute("gen_ai.conversation.id", "s2"), Attribute("user.id", "7")])
        b.add("chat", parent: "agent run", ms: 50, 450, service: "worker",
              call: LLMCall(requestModel: "claude-3-5-haiku", promptTokens: 100, completionTokens: 10, recordedCostUSD: 0.001))
        var c = RunBuilder("c3")
        c.add("batch job", ms: 0, 10_000, service: "worker",
              attributes: [Attribute("http.status_code", .int(503)), Attribute("input.value", "refund my order")])
        return [a.trace, b.trace, c.trace]
    }()

    static let facts = TraceFacts.compute(traces, prices: .standard)

    /// The ids of the runs `query` matches, in order, joined by spaces.
    static func matching(_ query: String) throws -> String {
        let q = try TraceQuery(query)
        return q.filter(traces, facts: facts).map { traces[$0].id.description }.joined(separator: " ")
    }
}
