import AITracing
import TraceAnalysis
import TraceModel
import Testing

@Suite struct TracerTests {
    @Test func nestedSpansShareTraceAndNameTheirParent() throws {
        let tracer = makeTracer()
        tracer.withSpan("root") { root in
            tracer.withSpan("child") { child in
                #expect(child.context.traceID == root.context.traceID)
                #expect(child.parentID == root.context.spanID)
                tracer.withSpan("grandchild") { g in
                    #expect(g.parentID == child.context.spanID)
                }
            }
        }
        let spans = tracer.store.spans()
        #expect(spans.map(\.name) == ["grandchild", "child", "root"])
        #expect(span(spans, "root")?.parentID == nil)
        #expect(SpanContext.current == nil)
        let trace = tracer.trace(spans[0].traceID)
        #expect(trace.count == 3)
        #expect(trace.rootName == "root")
        #expect(trace.depths[trace.index(of: spans[0].spanID)!] == 2)
    }

    @Test func idsAreW3CSizedNonZeroAndReproducibleFromASeed() {
        let a = IDGenerator(seed: 7), b = IDGenerator(seed: 7)
        var seen = Set<UInt64>()
        for _ in 0..<10_000 {
            let x = a.next()
            #expect(x == b.next())
            #expect(x != 0)
            seen.insert(x)
        }
        #expect(seen.count == 10_000)
        let tracer = makeTracer(seed: 9)
        tracer.withSpan("s") { _ in }
        let s = tracer.store.spans()[0]
        #expect(s.traceID.description.count == 32)
        #expect(s.spanID.description.count == 16)
        guard case .bits128 = s.traceID.raw, case .bits64 = s.spanID.raw else {
            Issue.record("ids are not 16 and 8 bytes")
            return
        }
        let again = makeTracer(seed: 9)
        again.withSpan("s") { _ in }
        #expect(again.store.spans()[0].spanID == s.spanID)
    }

    @Test func asyncChildTasksInheritTheSpanAsParent() async throws {
        let tracer = makeTracer()
        try await tracer.withSpan("root") { root in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<4 {
                    group.addTask {
                        await tracer.withSpan("worker-\(i)") { w in
                            #expect(w.parentID == root.context.spanID)
                            try? await Task.sleep(for: .milliseconds(1))
                            tracer.withSpan("step") { step in
                                #expect(step.parentID == w.context.spanID)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let detached = await Task.detached { SpanContext.current }.value
            #expect(detached == nil)
        }
        let spans = tracer.store.spans()
        #expect(spans.count == 9)
        let trace = tracer.trace(spans[0].traceID)
        #expect(trace.roots.count == 1)
        #expect(trace.flags.allSatisfy { !$0.contains(.orphan) })
    }

    @Test func concurrentRequestsDoNotSeeEachOthersContext() async {
        let tracer = makeTracer()
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<16 {
                group.addTask {
                    await tracer.withSpan("request-\(i)") { request in
                        for _ in 0..<20 {
                            await Task.yield()
                            #expect(SpanContext.current == request.context)
                            tracer.withSpan("inner") { inner in
                                #expect(inner.context.traceID == request.context.traceID)
                                #expect(inner.parentID == request.context.spanID)
                            }
                        }
                    }
                }
            }
        }
        let doc = tracer.store.document()
        #expect(doc.traces.count == 16)
        #expect(doc.traces.allSatisfy { $0.count == 21 && $0.roots.count == 1 })
    }

    @Test func aThrownErrorMarksTheSpanAndIsRethrown() throws {
        let tracer = makeTracer()
        #expect(throws: TestError.self) {
            try tracer.withSpan("root") { _ in
                try tracer.withSpan("tool") { _ in throw TestError() }
            }
        }
        let spans = tracer.store.spans()
        let tool = try #require(span(spans, "tool"))
        #expect(tool.status.code == .error)
        #expect(tool.status.message == "tool exploded")
        let event = try #require(tool.events.first { $0.name == "exception" })
        #expect(event.attributes[key: "exception.type"]?.stringValue?.hasSuffix("TestError") == true)
        #expect(event.attributes[key: "exception.message"] == .string("tool exploded"))
        #expect(event.attributes[key: "type"] == .string("TestError"))
        #expect(event.attributes[key: "message"] == .string("tool exploded"))
        // The error passed through the root too, as in the seed.
        #expect(span(spans, "root")?.status.code == .error)
    }

    @Test func asyncErrorsAreRecordedAndRethrown() async throws {
        let tracer = makeTracer()
        await #expect(throws: TestError.self) {
            try await tracer.withSpan("async") { _ in
                try await Task.sleep(for: .milliseconds(1))
                throw TestError()
            }
        }
        let s = try #require(tracer.store.spans().first)
        #expect(s.status.code == .error)
        #expect(s.events.contains { $0.name == "exception" })
    }

    @Test func llmSpanRecordsSeedAndGenAIAttributesAndIsPricedByTheTable() throws {
        let tracer = makeTracer()
        tracer.withSpan("agent") { _ in
            tracer.withLLMSpan(model: "gpt-4o") { llm in
                llm.setAIMetrics(model: "gpt-4o", promptTokens: 812, completionTokens: 164)
            }
        }
        let spans = tracer.store.spans()
        let llm = try #require(span(spans, "chat gpt-4o"))
        #expect(llm.kind == .client)
        let a = llm.attributes
        #expect(a[key: "ai.model"] == .string("gpt-4o"))
        #expect(a[key: "ai.prompt_tokens"] == .int(812))
        #expect(a[key: "ai.completion_tokens"] == .int(164))
        #expect(a[key: "ai.total_tokens"] == .int(976))
        #expect(a[key: "gen_ai.request.model"] == .string("gpt-4o"))
        #expect(a[key: "gen_ai.operation.name"] == .string("chat"))
        #expect(a[key: "gen_ai.usage.input_tokens"] == .int(812))
        #expect(a[key: "gen_ai.usage.output_tokens"] == .int(164))
        // gpt-4o at the seed's $2.50 / $10 per million tokens.
        let expected = (812 * 2.5 + 164 * 10) / 1_000_000
        #expect(abs((a[key: "ai.cost_usd"]?.doubleValue ?? 0) - expected) < 1e-12)
        #expect(llm.events.first?.name == "llm_call_start")

        let summary = tracer.aiSummary(llm.traceID)
        #expect(summary.totals.llmCalls == 1)
        #expect(summary.totals.totalTokens == 976)
        #expect(abs(summary.totals.costUSD - expected) < 1e-12)
        #expect(summary.totals.modelsUsed == ["gpt-4o"])
        let path = tracer.criticalPath(llm.traceID)
        #expect(path.segments.contains { path.trace.spans[$0.span].name == "chat gpt-4o" } || llm.durationNanos == 0)
    }

    @Test func unknownModelsAreLeftUnpricedNotPricedAsGpt4o() throws {
        let tracer = makeTracer()
        tracer.withLLMSpan(model: "my-local-llama") { llm in
            llm.setAIMetrics(model: "my-local-llama", promptTokens: 1000, completionTokens: 1000)
        }
        let s = try #require(tracer.store.spans().first)
        #expect(s.attributes[key: "ai.cost_usd"] == nil)
        let summary = tracer.aiSummary(s.traceID)
        #expect(summary.totals.unpricedCalls == 1)
        #expect(summary.totals.costUSD == 0)
    }

    @Test func anExplicitCostWins() throws {
        let tracer = makeTracer()
        tracer.withLLMSpan(model: "gpt-4o") { $0.setAIMetrics(model: "gpt-4o", promptTokens: 10, completionTokens: 10, cost: 0.5) }
        let s = try #require(tracer.store.spans().first)
        #expect(s.attributes[key: "ai.cost_usd"] == .double(0.5))
        #expect(tracer.aiSummary(s.traceID).totals.costUSD == 0.5)
    }

    @Test func endedSpansIgnoreLaterChangesAndEndOnce() throws {
        let tracer = makeTracer()
        let s = tracer.startSpan("manual")
        s.setAttribute("k", "v")
        s.end()
        s.setAttribute("late", "x")
        s.end()
        let spans = tracer.store.spans()
        #expect(spans.count == 1)
        #expect(spans[0].attributes[key: "late"] == nil)
        #expect(spans[0].attributes[key: "k"] == .string("v"))
    }

    @Test func twoServicesSharingAStoreMakeOneTrace() throws {
        let store = SpanStore()
        let agent = AITracer(service: "agent-service", store: store, ids: IDGenerator(seed: 1))
        let tool = AITracer(service: "tool-service", store: store, ids: IDGenerator(seed: 2))
        agent.withSpan("process_request") { _ in
            tool.withSpan("execute_tool") { _ in }
        }
        let doc = store.document()
        #expect(doc.traces.count == 1)
        #expect(Set(doc.traces[0].spans.map(\.service)) == ["agent-service", "tool-service"])
    }
}
