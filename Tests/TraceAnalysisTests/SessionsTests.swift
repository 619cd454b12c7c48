import Testing
import TraceModel
@testable import TraceAnalysis

struct SessionsTests {
    /// A one-span trace carrying `attributes` on its root (or, with `onChild`, on a child).
    private func run(_ id: String, _ attributes: [Attribute], onChild: Bool = false, start: Int64 = 0) -> Trace {
        var b = RunBuilder(id)
        b.add("root", ms: start, start + 100, attributes: onChild ? [] : attributes)
        b.add("child", parent: "root", ms: start + 10, start + 20, attributes: onChild ? attributes : [])
        return b.trace
    }

    @Test("each convention names the session", arguments: [
        "session.id",                                       // OpenInference
        "gen_ai.conversation.id",                           // OTel GenAI
        "langfuse.session.id",                              // Langfuse
        "traceloop.association.properties.session_id",      // Traceloop (prefixed)
        "traceloop.association.properties.conversation_id",
        "session_id",                                       // Traceloop, standard properties set unprefixed
        "conversation_id",
    ])
    func conventions(key: String) {
        #expect(SessionKeys.standard.sessionID(of: run("t", [Attribute(key, "conv-1")])) == "conv-1")
        #expect(SessionKeys.standard.sessionID(of: run("t", [Attribute(key, "conv-2")], onChild: true)) == "conv-2")
    }

    @Test("a user's key is tried first; without one an unknown key names nothing")
    func customKey() {
        let t = run("t", [Attribute("app.thread", "th-9"), Attribute("session.id", "s-1")])
        #expect(SessionKeys.standard.sessionID(of: t) == "s-1")
        #expect(SessionKeys.preferring("app.thread").sessionID(of: t) == "th-9")
        #expect(SessionKeys.standard.sessionID(of: run("u", [Attribute("app.thread", "th-9")])) == nil)
    }

    @Test("the root's own keys win over a child's, and earlier conventions over later ones")
    func precedence() {
        var b = RunBuilder("t")
        b.add("root", ms: 0, 100, attributes: [Attribute("langfuse.session.id", "lf"), Attribute("session.id", "oi")])
        b.add("child", parent: "root", ms: 10, 20, attributes: [Attribute("gen_ai.conversation.id", "child")])
        #expect(SessionKeys.standard.sessionID(of: b.trace) == "oi")
    }

    @Test("sessions list traces in time order with totals")
    func list() {
        let traces = [run("late", [Attribute("session.id", "A")], start: 5000),
                      run("none", []),
                      run("early", [Attribute("session.id", "A")], start: 1000),
                      run("b", [Attribute("session.id", "B")], start: 3000)]
        let facts = TraceFacts.compute(traces, prices: .standard)
        let sessions = Sessions.list(traces, facts: facts)
        #expect(sessions.map(\.id) == ["A", "B"])
        #expect(sessions[0].traces == [2, 0])
        #expect(sessions[0].spanCount == 4)
        #expect(sessions[0].busyNanos == 200_000_000)
        #expect(sessions[0].durationNanos == 4_100_000_000)      // 1000 ms to 5100 ms
    }

    @Test("a conversation reads as turns: question, answer, tools, tokens, cost, latency, errors")
    func thread() throws {
        // Turn 1 says what the user asked on its root (OpenInference input.value / output.value).
        var one = RunBuilder("one")
        one.add("agent", ms: 0, 3000, attributes: [Attribute("session.id", "S"), Attribute("input.value", "Weather in Oslo?"),
                                                     Attribute("output.value", "Sunny, 21 °C.")])
        one.add("chat", parent: "agent", ms: 100, 900,
                call: LLMCall(requestModel: "gpt-4o", promptTokens: 100, completionTokens: 20, recordedCostUSD: 0.002))
        one.add("get_weather", parent: "agent", ms: 1000, 2000, attributes: [Attribute("gen_ai.tool.name", "get_weather")])
        one.add("lookup_city", parent: "agent", ms: 950, 990, attributes: [Attribute("tool.name", "geocode")])
        // Turn 2 only has the messages of its LLM calls; its tool failed.
        var two = RunBuilder("two")
        two.add("agent", ms: 10_000, 11_000, attributes: [Attribute("session.id", "S")])
        two.add("chat 1", parent: "agent", ms: 10_100, 10_300, call: LLMCall(
            requestModel: "gpt-4o", promptTokens: 50, completionTokens: 5, recordedCostUSD: 0.001,
            inputMessages: [LLMMessage(role: "system", text: "Be brief."), LLMMessage(role: "user", text: "And tomorrow?")],
            outputMessages: [LLMMessage(role: "assistant", parts: [.toolCall(id: "1", name: "get_weather", arguments: "{}")])]))
        two.add("get_weather", parent: "agent", ms: 10_300, 10_400, error: "provider down",
                attributes: [Attribute("gen_ai.tool.name", "get_weather")])
        two.add("chat 2", parent: "agent", ms: 10_400, 10_900, call: LLMCall(
            requestModel: "gpt-4o", promptTokens: 60, completionTokens: 8, recordedCostUSD: 0.001,
            outputMessages: [LLMMessage(role: "assistant", text: "I could not reach the forecast.")]))
        let traces = [two.trace, one.trace]
        let facts = TraceFacts.compute(traces, prices: .standard)
        let session = try #require(Sessions.list(traces, facts: facts).first)
        let turns = Sessions.thread(session, traces: traces, facts: facts)
        #expect(turns.map(\.trace) == [1, 0])
        #expect(turns[0].userMessage == "Weather in Oslo?")
        #expect(turns[0].finalAnswer == "Sunny, 21 °C.")
        #expect(turns[0].tools == ["geocode", "get_weather"])
        #expect(turns[0].totalTokens == 120 && abs(turns[0].costUSD - 0.002) < 1e-12)
        #expect(turns[0].latencyNanos == 3_000_000_000 && turns[0].errors == 0 && turns[0].firstError == nil)
        #expect(turns[1].userMessage == "And tomorrow?")
        #expect(turns[1].finalAnswer == "I could not reach the forecast.")
        #expect(turns[1].tools == ["get_weather"])
        #expect(turns[1].totalTokens == 123 && turns[1].errors == 1 && turns[1].firstError == "provider down")
    }
}
