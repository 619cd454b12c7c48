import AITracing
import Instrumentation
import TraceModel
import Testing
import Tracing

/// Code written against swift-distributed-tracing only, as a library would be.
func libraryOperation() async throws -> String {
    try await Tracing.withSpan("library.fetch", ofKind: .client) { span in
        try await Task.sleep(for: .milliseconds(1))
        span.attributes["http.request.method"] = "GET"
        span.attributes["http.response.status_code"] = 200
        span.addEvent("retrying")
        return "done"
    }
}

func failingLibraryOperation() throws {
    try Tracing.withSpan("library.parse") { _ in throw TestError() }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier.first { $0.key.lowercased() == key.lowercased() }?.value
    }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

@Suite struct DistributedTracingTests {
    @Test func libraryWithSpanCallsRecordIntoOurStoreUnderOurSpan() async throws {
        let tracer = makeTracer()
        let result = try await withTracer(tracer) { () async throws -> String in
            try await tracer.withSpan("agent") { _ in
                let value = try await libraryOperation()
                #expect(throws: TestError.self) { try failingLibraryOperation() }
                return value
            }
        }
        #expect(result == "done")
        let spans = tracer.store.spans()
        let agent = try #require(span(spans, "agent"))
        let fetch = try #require(span(spans, "library.fetch"))
        #expect(fetch.parentID == agent.spanID)
        #expect(fetch.traceID == agent.traceID)
        #expect(fetch.kind == .client)
        #expect(fetch.attributes[key: "http.request.method"] == .string("GET"))
        #expect(fetch.attributes[key: "http.response.status_code"] == .int(200))
        #expect(fetch.events.map(\.name) == ["retrying"])
        let parse = try #require(span(spans, "library.parse"))
        #expect(parse.status.code == .error)
        #expect(parse.events.contains { $0.name == "exception" && $0.attributes[key: "exception.message"] == .string("tool exploded") })
    }

    @Test func ourSpansNestUnderLibrarySpansToo() async throws {
        let tracer = makeTracer()
        await tracer.withSpan("outer") { _ in
            await tracer.withSpan("library.handler", ofKind: .server) { (lib: DistributedSpan) in
                await tracer.withSpan("ours.inside") { inner in
                    #expect(inner.parentID == lib.span.context.spanID)
                    await Task.yield()
                    tracer.withSpan("ours.deeper") { deeper in
                        #expect(deeper.parentID == inner.context.spanID)
                        #expect(SpanContext.current == deeper.context)
                    }
                }
            }
        }
        let t = tracer.trace(tracer.store.spans()[0].traceID)
        #expect(t.count == 4)
        #expect(t.roots.count == 1)
        #expect(t.depths.max() == 3)
    }

    @Test func instrumentInjectAndExtractCarryTheContext() throws {
        let tracer = makeTracer()
        var carrier: [String: String] = [:]
        let sent: SpanContext = tracer.withSpan("client") { s in
            Baggage.with("tenant", "acme") {
                tracer.inject(InstrumentationContext.current ?? .topLevel, into: &carrier, using: DictionaryInjector())
            }
            return s.context
        }
        #expect(carrier["traceparent"] == "00-\(sent.traceID)-\(sent.spanID)-01")
        #expect(carrier["baggage"] == "tenant=acme")
        var received = InstrumentationContext.topLevel
        tracer.extract(carrier, into: &received, using: DictionaryExtractor())
        let server = makeTracer("server", seed: 5)
        let unrelated = server.startSpan("handler", kind: .server, parent: .some(nil))
        unrelated.end()
        #expect(server.store.spans()[0].parentID == nil)
        // Spans started through the Tracer API with the extracted context continue the trace.
        let child = tracer.startSpan("from-extracted", context: received, ofKind: .server)
        child.end()
        let recorded = try #require(span(tracer.store.spans(), "from-extracted"))
        #expect(recorded.parentID == sent.spanID)
        #expect(recorded.traceID == sent.traceID)
        #expect(recorded.kind == .server)
    }
}
