import TraceModel

/// A small, fast, seedable random number generator (SplitMix64), so generated traces are the
/// same for the same seed on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Makes realistic synthetic agent traces for benchmarks and stress tests (never committed).
///
/// Each trace is an agent run: an HTTP entry span, then steps of LLM calls (GenAI attributes
/// with message text of realistic length), parallel tool calls that cross into a tool service
/// (client span → server span → database or HTTP span), retrievals with an embeddings call, and
/// a few errors with exception events. Services, models and timings vary with the seed.
public struct TraceGenerator {
    /// Total spans to produce (split evenly over the traces).
    public var spanCount: Int
    /// Number of traces.
    public var traceCount: Int
    /// Seed for every random choice.
    public var seed: UInt64

    /// Creates a generator.
    public init(spans: Int, traces: Int = 1, seed: UInt64 = 1) {
        self.spanCount = max(1, spans)
        self.traceCount = max(1, min(traces, spans))
        self.seed = seed
    }

    static let models: [(name: String, response: String, provider: String)] = [
        ("gpt-4o", "gpt-4o-2024-08-06", "openai"),
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022", "anthropic"),
        ("claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022", "anthropic"),
        ("gemini-1.5-flash", "gemini-1.5-flash-002", "gcp.gemini"),
        ("llama-3.1-70b-instruct", "llama-3.1-70b-instruct", "vllm"),
    ]
    static let tools = ["search_web", "fetch_page", "query_orders", "lookup_customer", "get_weather",
                        "run_sql", "send_email", "search_flights", "read_file", "calculator"]
    static let words = ("the customer order refund policy shipping delayed invoice account password reset "
        + "flight hotel weather forecast database query result summary report incident latency error "
        + "timeout retry payment subscription annual plan cancel upgrade support ticket priority agent "
        + "tool call context document section answer question please explain why how when which cost "
        + "token budget model response stream chunk embedding vector search rank score relevant source").split(separator: " ").map(String.init)

    /// The spans of trace number `t` (0-based), parents before children.
    public func spans(ofTrace t: Int) -> [Span] {
        let rng = SplitMix64(seed: seed &+ UInt64(t) &* 0x9E37_79B9)
        let target = spanCount / traceCount + (t < spanCount % traceCount ? 1 : 0)
        var b = Builder(rng: rng, target: target, traceIndex: t)
        b.run()
        return b.spans
    }

    /// Calls `body` with each trace's spans in turn (so a huge file never holds all traces at once).
    public func forEachTrace(_ body: ([Span]) throws -> Void) rethrows {
        for t in 0..<traceCount { try body(spans(ofTrace: t)) }
    }

    struct Builder {
        var rng: SplitMix64
        let target: Int
        let traceIndex: Int
        var spans: [Span] = []
        var traceID = TraceID(.bits128(high: 0, low: 0))
        let agent = SpanOrigin(resource: [Attribute("service.name", "agent-service"),
                                          Attribute("telemetry.sdk.language", "python"),
                                          Attribute("deployment.environment", "prod")],
                               scopeName: "opentelemetry.instrumentation.openai_v2", scopeVersion: "2.1b0")
        let app = SpanOrigin(resource: [Attribute("service.name", "agent-service"),
                                        Attribute("telemetry.sdk.language", "python"),
                                        Attribute("deployment.environment", "prod")],
                             scopeName: "support_agent", scopeVersion: "3.4.1")
        let toolsOrigin = SpanOrigin(resource: [Attribute("service.name", "tool-service"),
                                                Attribute("telemetry.sdk.language", "go")],
                                     scopeName: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
        let retrieval = SpanOrigin(resource: [Attribute("service.name", "retrieval-service"),
                                              Attribute("telemetry.sdk.language", "python")],
                                   scopeName: "opentelemetry.instrumentation.fastapi")

        init(rng: SplitMix64, target: Int, traceIndex: Int) {
            self.rng = rng
            self.target = target
            self.traceIndex = traceIndex
        }

        mutating func random(_ n: Int) -> Int { Int(rng.next() % UInt64(max(1, n))) }
        mutating func chance(_ percent: Int) -> Bool { random(100) < percent }
        mutating func millis(_ lo: Int, _ hi: Int) -> Int64 { Int64(lo + random(hi - lo + 1)) * 1_000_000 + Int64(random(1_000_000)) }

        mutating func text(_ words: Int) -> String {
            var out = ""
            out.reserveCapacity(words * 7)
            for i in 0..<words {
                if i > 0 { out += (i % 14 == 0) ? ". " : " " }
                out += TraceGenerator.words[random(TraceGenerator.words.count)]
            }
            return out + "."
        }

        mutating func newID() -> SpanID { SpanID(.bits64(rng.next() | 1)) }

        var remaining: Int { target - spans.count }

        @discardableResult
        mutating func add(_ name: String, parent: SpanID?, origin: SpanOrigin, kind: SpanKind, start: Int64, end: Int64,
                          attributes: [Attribute] = [], events: [SpanEvent] = [], status: SpanStatus = .unset) -> SpanID {
            let id = newID()
            let service = origin.resource[key: "service.name"]?.stringValue ?? ""
            spans.append(Span(traceID: traceID, spanID: id, parentID: parent, name: name, service: service, kind: kind,
                              startNanos: start, endNanos: end, status: status, attributes: attributes,
                              events: events, origin: origin))
            return id
        }

        mutating func run() {
            traceID = TraceID(.bits128(high: rng.next(), low: rng.next()))
            // Traces start a few seconds apart from 2026-11-25 09:00 UTC.
            let t0: Int64 = 1_795_597_200_000_000_000 + Int64(traceIndex) * 3_000_000_000 + Int64(random(1_000_000_000))
            let rootIndex = spans.count
            let root = add("invoke_agent support_agent", parent: nil, origin: app, kind: .server, start: t0, end: t0,
                           attributes: [Attribute("gen_ai.operation.name", "invoke_agent"),
                                        Attribute("gen_ai.agent.name", "support_agent"),
                                        Attribute("http.request.method", "POST"),
                                        Attribute("http.route", "/v1/agent/run"),
                                        Attribute("user.id", .string("u-\(10_000 + random(90_000))"))])
            var clock = t0 + millis(1, 5)
            var step = 0
            while remaining > 0 {
                step += 1
                let stepID = add("agent.step \(step)", parent: root, origin: app, kind: .internal, start: clock, end: clock,
                                 attributes: [Attribute("agent.step", .int(Int64(step)))])
                let stepIndex = spans.count - 1
                clock += millis(0, 2)
                if remaining > 0 { clock = llmCall(parent: stepID, at: clock) }
                if remaining > 2, chance(35) { clock = retrieve(parent: stepID, at: clock) }
                if remaining > 3 {
                    // Parallel tool calls: all start together; the step waits for the slowest.
                    let fanOut = 1 + random(min(4, max(1, remaining / 3)))
                    var latest = clock
                    for _ in 0..<fanOut where remaining > 0 {
                        latest = max(latest, toolCall(parent: stepID, at: clock + millis(0, 3)))
                    }
                    clock = latest + millis(0, 2)
                }
                spans[stepIndex].endNanos = clock
                clock += millis(0, 3)
            }
            spans[rootIndex].endNanos = clock + millis(1, 4)
        }

        mutating func llmCall(parent: SpanID, at start: Int64) -> Int64 {
            let m = TraceGenerator.models[random(TraceGenerator.models.count)]
            let prompt = Int64(200 + random(6_000))
            let completion = Int64(20 + random(900))
            let end = start + millis(300, 4_000)
            let failed = chance(2)
            var attributes: [Attribute] = [
                Attribute("gen_ai.operation.name", "chat"),
                Attribute("gen_ai.provider.name", .string(m.provider)),
                Attribute("gen_ai.request.model", .string(m.name)),
                Attribute("gen_ai.request.temperature", .double(Double(random(10)) / 10)),
                Attribute("gen_ai.request.max_tokens", .int(1024)),
                Attribute("server.address", "api.example-llm.com"),
            ]
            var events: [SpanEvent] = []
            var status = SpanStatus.unset
            if failed {
                status = SpanStatus(.error, message: "RateLimitError: 429 Too Many Requests")
                attributes.append(Attribute("error.type", "RateLimitError"))
                events.append(SpanEvent(timeNanos: end, name: "exception",
                                        attributes: [Attribute("exception.type", "RateLimitError"),
                                                     Attribute("exception.message", "429 Too Many Requests: rate limit reached for requests")]))
            } else {
                let system = text(25 + random(60))
                let user = text(30 + random(250))
                let answer = text(20 + random(200))
                attributes += [
                    Attribute("gen_ai.response.model", .string(m.response)),
                    Attribute("gen_ai.response.id", .string("chatcmpl-\(rng.next() % 1_000_000_000_000)")),
                    Attribute("gen_ai.response.finish_reasons", .array([chance(30) ? "tool_calls" : "stop"])),
                    Attribute("gen_ai.usage.input_tokens", .int(prompt)),
                    Attribute("gen_ai.usage.output_tokens", .int(completion)),
                    Attribute("gen_ai.input.messages", .string(
                        #"[{"role":"system","parts":[{"type":"text","content":"\#(system)"}]},{"role":"user","parts":[{"type":"text","content":"\#(user)"}]}]"#)),
                    Attribute("gen_ai.output.messages", .string(
                        #"[{"role":"assistant","parts":[{"type":"text","content":"\#(answer)"}],"finish_reason":"stop"}]"#)),
                ]
            }
            add("chat \(m.name)", parent: parent, origin: agent, kind: .client, start: start, end: end,
                attributes: attributes, events: events, status: status)
            return end
        }

        mutating func retrieve(parent: SpanID, at start: Int64) -> Int64 {
            let end = start + millis(40, 400)
            let r = add("POST /retrieve", parent: parent, origin: retrieval, kind: .server, start: start, end: end,
                        attributes: [Attribute("http.request.method", "POST"), Attribute("http.route", "/retrieve"),
                                     Attribute("http.response.status_code", .int(200))])
            let embedEnd = start + (end - start) / 3
            if remaining > 0 {
                add("embeddings text-embedding-3-small", parent: r, origin: retrieval, kind: .client,
                    start: start + millis(0, 2), end: embedEnd,
                    attributes: [Attribute("gen_ai.operation.name", "embeddings"),
                                 Attribute("gen_ai.provider.name", "openai"),
                                 Attribute("gen_ai.request.model", "text-embedding-3-small"),
                                 Attribute("gen_ai.usage.input_tokens", .int(Int64(8 + random(60))))])
            }
            if remaining > 0 {
                add("qdrant.search documents", parent: r, origin: retrieval, kind: .client, start: embedEnd, end: end - millis(0, 3),
                    attributes: [Attribute("db.system.name", "qdrant"), Attribute("db.operation.name", "search"),
                                 Attribute("db.query.limit", .int(8))])
            }
            return end
        }

        mutating func toolCall(parent: SpanID, at start: Int64) -> Int64 {
            let tool = TraceGenerator.tools[random(TraceGenerator.tools.count)]
            let failed = chance(4)
            let end = start + millis(20, failed ? 3_000 : 1_500)
            let client = add("execute_tool \(tool)", parent: parent, origin: app, kind: .client, start: start, end: end,
                             attributes: [Attribute("gen_ai.operation.name", "execute_tool"),
                                          Attribute("gen_ai.tool.name", .string(tool)),
                                          Attribute("gen_ai.tool.call.id", .string("call_\(rng.next() % 1_000_000_000)"))],
                             status: failed ? SpanStatus(.error, message: "tool \(tool) failed") : .unset)
            guard remaining > 0 else { return end }
            let serverStart = start + millis(1, 8)
            let serverEnd = end - millis(1, 5)
            let server = add("POST /tools/\(tool)", parent: client, origin: toolsOrigin, kind: .server,
                             start: serverStart, end: max(serverStart, serverEnd),
                             attributes: [Attribute("http.request.method", "POST"),
                                          Attribute("http.route", .string("/tools/\(tool)")),
                                          Attribute("http.response.status_code", .int(failed ? 500 : 200))],
                             events: failed ? [SpanEvent(timeNanos: serverEnd, name: "exception", attributes: [
                                 Attribute("exception.type", "UpstreamError"),
                                 Attribute("exception.message", .string("upstream for \(tool) returned 503 after 3 retries")),
                             ])] : [],
                             status: failed ? SpanStatus(.error, message: "UpstreamError: upstream returned 503") : .unset)
            if remaining > 0 {
                let dbStart = serverStart + millis(0, 3)
                add(chance(50) ? "SELECT orders" : "GET upstream /v2/\(tool)", parent: server, origin: toolsOrigin, kind: .client,
                    start: dbStart, end: max(dbStart, serverEnd - millis(0, 2)),
                    attributes: [Attribute("db.system.name", "postgresql"),
                                 Attribute("db.query.text", .string("SELECT id, status, total FROM orders WHERE customer_id = $1 LIMIT \(10 + random(90))"))])
            }
            return end
        }
    }
}
