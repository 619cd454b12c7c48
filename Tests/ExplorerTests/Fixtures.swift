import TraceModel

/// Traces built in code, shaped like the samples: times in milliseconds from a fixed epoch.
enum Fixtures {
    static let epoch: Int64 = 1_714_564_800_000_000_000  // 2024-05-01 12:00:00Z

    struct SpanSpec {
        var id: String
        var parent: String?
        var name: String
        var service = "agent"
        var start: Double
        var end: Double
        var status: SpanStatus = .ok
        var attributes: [Attribute] = []
        var events: [SpanEvent] = []
        var call: LLMCall? = nil
    }

    static func ms(_ v: Double) -> Int64 { epoch + Int64(v * 1_000_000) }

    static func trace(_ id: String, _ specs: [SpanSpec]) -> Trace {
        let tid = TraceID(id)
        var calls: [String: LLMCall] = [:]
        let spans = specs.map { s -> Span in
            if let c = s.call { calls[s.id] = c }
            return Span(traceID: tid, spanID: SpanID(s.id), parentID: s.parent.map(SpanID.init), name: s.name,
                        service: s.service, startNanos: ms(s.start), endNanos: ms(s.end), status: s.status,
                        attributes: s.attributes, events: s.events)
        }
        return Trace(id: tid, spans: spans) { span in calls[span.spanID.description] }
    }

    static func chat(_ model: String, prompt: Int64, completion: Int64, provider: String = "openai",
                     input: [LLMMessage] = [], output: [LLMMessage] = [], cost: Double? = nil) -> LLMCall {
        LLMCall(operation: "chat", provider: provider, requestModel: model, responseModel: model,
                promptTokens: prompt, completionTokens: completion, recordedCostUSD: cost,
                inputMessages: input, outputMessages: output,
                parameters: [Attribute("temperature", 0.2), Attribute("max_tokens", 512)],
                finishReasons: ["stop"], conventions: .genAI)
    }

    /// An agent run: an LLM plans, two tools run in parallel (one fails), a second LLM answers.
    static func agent() -> Trace {
        trace("4bf92f3577b34da6a3ce929d0e0e4736", [
            SpanSpec(id: "a000000000000001", parent: nil, name: "research_agent", start: 0, end: 4210),
            SpanSpec(id: "a000000000000002", parent: "a000000000000001", name: "plan", start: 10, end: 1250,
                     attributes: [Attribute("gen_ai.request.model", "gpt-4o")],
                     call: chat("gpt-4o", prompt: 1200, completion: 150,
                                input: [LLMMessage(role: "system", text: "You are a research agent."),
                                        LLMMessage(role: "user", text: "What is the capital of France, and its population?")],
                                output: [LLMMessage(role: "assistant", text: "Search the web and the docs.",
                                                    finishReason: "stop")])),
            SpanSpec(id: "a000000000000003", parent: "a000000000000001", name: "tools", start: 1260, end: 2900),
            SpanSpec(id: "a000000000000004", parent: "a000000000000003", name: "search_web", service: "tools",
                     start: 1270, end: 2890, attributes: [Attribute("tool.name", "web")]),
            SpanSpec(id: "a000000000000005", parent: "a000000000000003", name: "search_docs", service: "tools",
                     start: 1270, end: 1800, status: SpanStatus(.error, message: "index unavailable"),
                     events: [SpanEvent(timeNanos: ms(1799), name: "exception",
                                        attributes: [Attribute("exception.type", "TimeoutError"),
                                                     Attribute("exception.message", "index unavailable")])]),
            SpanSpec(id: "a000000000000006", parent: "a000000000000001", name: "summarize", start: 2910, end: 4100,
                     call: chat("claude-3-5-sonnet", prompt: 2400, completion: 380, provider: "anthropic",
                                output: [LLMMessage(role: "assistant", text: "Paris; about 2.1 million people.",
                                                    finishReason: "end_turn")])),
            SpanSpec(id: "a000000000000007", parent: "a000000000000001", name: "format_answer", start: 4100, end: 4200),
        ])
    }

    /// Names full of escape sequences, bidi overrides, wide and combining characters, and spans
    /// the tree builder flags: an orphan, a cycle, a duplicate id, an inverted span, a skewed child.
    static func hostile() -> Trace {
        trace("h0000000000000000000000000000001", [
            SpanSpec(id: "h1", parent: nil, name: "root \u{1B}[31mred\u{1B}[0m \u{1B}]0;owned\u{07}", start: 0, end: 1000),
            SpanSpec(id: "h2", parent: "h1", name: "clip \u{1B}]52;c;ZXZpbA==\u{07} board", start: 10, end: 300),
            SpanSpec(id: "h3", parent: "h1", name: "bidi \u{202E}txet\u{202C} zero\u{200B}width", start: 20, end: 200),
            SpanSpec(id: "h4", parent: "h1", name: "中文名 😀 e\u{301}tude", service: "サービス", start: 300, end: 900,
                     call: chat("gpt-4o-mini", prompt: 12, completion: 3)),
            SpanSpec(id: "h5", parent: "missing", name: "orphan child", start: 100, end: 150),
            SpanSpec(id: "h6", parent: "h7", name: "cycle a", start: 400, end: 500),
            SpanSpec(id: "h7", parent: "h6", name: "cycle b", start: 410, end: 490),
            SpanSpec(id: "h2", parent: "h1", name: "duplicate id", start: 500, end: 600),
            SpanSpec(id: "h8", parent: "h1", name: "ends before start", start: 700, end: 650),
            SpanSpec(id: "h9", parent: "h3", name: "outlives parent \u{9B}2J", start: 150, end: 1000),
        ])
    }

    /// A chain of `depth` spans, each the only child of the one before.
    static func chain(_ depth: Int) -> Trace {
        var specs: [SpanSpec] = []
        for i in 0..<depth {
            specs.append(SpanSpec(id: "c\(i)", parent: i == 0 ? nil : "c\(i - 1)", name: "level\(i)",
                                  start: Double(i), end: Double(2 * depth - i)))
        }
        return trace("chain", specs)
    }
}
