import Testing
import TraceModel
@testable import TraceAnalysis

@Suite struct SpanQueryTests {
    /// ```
    /// handle_request  (service gateway, http.route=/v1/answer, http.status_code=502)
    ///   chat gpt-4o   (LLM: "What is the capital of France?" → "Paris.", tool call lookup_city)
    ///   fetch_docs    (error "Upstream TIMEOUT", event "retry" {attempt: 2, reason: "connection reset"})
    ///   résumé        (attribute lang = "Français", nested kvlist {filters: {region: "eu-west"}})
    /// ```
    static let trace: Trace = {
        var b = TraceBuilder()
        b.add("handle_request", parent: nil, 0, 100, attributes: [
            Attribute("http.route", "/v1/answer"), Attribute("http.status_code", 502),
        ], service: "gateway")
        b.add("chat gpt-4o", parent: "handle_request", 5, 60, call: LLMCall(
            operation: "chat", provider: "openai", requestModel: "gpt-4o", responseModel: "gpt-4o-2024-08-06",
            inputMessages: [LLMMessage(role: "user", text: "What is the capital of France?")],
            outputMessages: [LLMMessage(role: "assistant", parts: [
                .text("Paris."), .toolCall(id: "call_9", name: "lookup_city", arguments: #"{"name":"Paris"}"#),
            ])],
            finishReasons: ["tool_calls"]))
        b.add("fetch_docs", parent: "handle_request", 60, 90, error: "Upstream TIMEOUT", events: [
            SpanEvent(timeNanos: Timeline.epoch + 70, name: "retry",
                      attributes: [Attribute("attempt", 2), Attribute("reason", "connection reset")]),
        ])
        b.add("résumé", parent: "handle_request", 90, 95, attributes: [
            Attribute("lang", "Français"),
            Attribute("query", .kvlist([Attribute("filters", .kvlist([Attribute("region", "eu-west")]))])),
            Attribute("scores", .array([0.5, 0.25])),
        ])
        return b.trace
    }()

    func names(_ text: String) -> [String] {
        SpanQuery(text).matchingSpans(in: Self.trace).map { Self.trace.spans[$0].name }
    }

    @Test func searchesEveryField() {
        #expect(names("HANDLE") == ["handle_request"])                    // span name, any case
        #expect(names("Gateway") == ["handle_request"])                   // service
        #expect(names("status_code") == ["handle_request"])               // attribute key
        #expect(names("/v1/ans") == ["handle_request"])                   // string value
        #expect(names("502") == ["handle_request"])                       // integer value, as displayed
        #expect(names("timeout") == ["fetch_docs"])                       // status message
        #expect(names("connection RESET") == ["fetch_docs"])              // event attribute
        #expect(names("retry") == ["fetch_docs"])                         // event name
        #expect(names("capital of france") == ["chat gpt-4o"])            // input message
        #expect(names("paris") == ["chat gpt-4o"])                        // output text and tool arguments
        #expect(names("lookup_city") == ["chat gpt-4o"])                  // tool call name
        #expect(names("2024-08-06") == ["chat gpt-4o"])                   // response model
        #expect(names("OpenAI") == ["chat gpt-4o"])                       // provider
        #expect(names("eu-west") == ["résumé"])                           // nested kvlist value
        #expect(names("filters") == ["résumé"])                           // nested kvlist key
        #expect(names("0.25") == ["résumé"])                              // array element
    }

    @Test func nonASCIIQueriesFoldCaseToo() {
        #expect(names("RÉSUMÉ") == ["résumé"])
        #expect(names("français") == ["résumé"])
        #expect(names("ÇAIS") == ["résumé"])
    }

    @Test func resultsComeInTreeOrderAndEmptyMatchesAll() {
        #expect(names("a") == ["handle_request", "chat gpt-4o", "fetch_docs", "résumé"])
        #expect(names("") == ["handle_request", "chat gpt-4o", "fetch_docs", "résumé"])
        #expect(SpanQuery("").isEmpty)
        #expect(names("no such text anywhere").isEmpty)
        #expect(names("gpt-5").isEmpty)
    }

    @Test func stringMatching() {
        let q = SpanQuery("needle")
        #expect(q.matches("a NeEdLe in a haystack"))
        #expect(q.matches("needle"))
        #expect(!q.matches("needl"))
        #expect(!q.matches(""))
        #expect(!q.matches("ñeedle"))
        // A long value with the match at the very end, and one with many near misses.
        #expect(q.matches(String(repeating: "x", count: 1_000_000) + "NEEDLE"))
        #expect(!q.matches(String(repeating: "needl", count: 200_000)))
        // Bytes of multi-byte characters never fold into ASCII letters.
        #expect(!SpanQuery("a").matches("ÀÁÂ"))
        #expect(SpanQuery("ß").matches("Straße"))
    }
}
