import AITracing
import TraceFormats
import Testing

/// The README's "Record your own traces" snippet, line for line (only the file path differs),
/// so a change that breaks it breaks this test.
func readmeSnippet(path: String) async {
    let store = SpanStore(limit: 100_000)                      // bounded; says what it dropped
    let tracer = AITracer(service: "agent-service", store: store)
    let exporter = BatchingExporter(store: store, exporter: OTLPJSONLinesFileExporter(path: path))

    tracer.withSpan("process_request") { _ in
        tracer.withLLMSpan(model: "gpt-4o") { llm in
            // … call the model, then record its usage (priced from Spanscope's table) …
            llm.setAIMetrics(model: "gpt-4o", promptTokens: 812, completionTokens: 164)
        }
        var headers: [String: String] = [:]
        tracer.propagator.inject(into: &headers)               // traceparent, baggage, X-Trace-ID, …
    }
    await exporter.shutdown()                                  // then: spanscope summary spans.jsonl
}

@Suite struct ReadmeSnippetTests {
    @Test func theReadmeSnippetWritesATraceSpanscopeReads() async throws {
        let path = temporaryPath("spans.jsonl")
        await readmeSnippet(path: path)
        let doc = try TraceLoader.load(path: path)
        #expect(doc.traces.count == 1)
        #expect(doc.traces[0].count == 2)
        #expect(doc.traces[0].llmCalls.first?.totalTokens == 976)
    }
}
