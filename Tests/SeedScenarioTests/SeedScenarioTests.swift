import AITracing
import LiveReceiver
import SeedScenario
import TraceAnalysis
import TraceFormats
import TraceModel
import Testing

@Suite struct SeedScenarioTests {
    @Test(arguments: TraceFile.Format.allCases)
    func theAgentAndToolServicesMakeOneTrace(_ format: TraceFile.Format) async throws {
        let path = "/tmp/seed-scenario-\(UInt32.random(in: 0...UInt32.max)).json"
        // The lifetime only guards against leaked servers; a busy two-core CI machine can take a while.
        let outcome = try await SeedScenario.run(writingTo: path, format: format, lifetime: .seconds(300))
        #expect(outcome.answer.hasPrefix("Echo: Tool result: Echo: Search: Echo:"))
        let doc = try TraceLoader.load(path: path)
        #expect(doc.traces.count == 1)
        let trace = doc.traces[0]
        #expect(trace.id.description == outcome.traceID.description)
        #expect(Set(trace.spans.map(\.service)) == ["agent-service", "tool-service"])
        #expect(trace.roots.count == 1)
        #expect(trace.rootName == "process_request")
        #expect(trace.flags.allSatisfy { !$0.contains(.orphan) })
        // The tool's server span is a child of the agent's client span, across the HTTP hop.
        let callTool = try #require(trace.spans.firstIndex { $0.name == "call_tool" })
        let executeTool = try #require(trace.spans.firstIndex { $0.name == "execute_tool" })
        #expect(trace.parent(of: executeTool) == callTool)
        #expect(trace.spans[executeTool].service == "tool-service")
        #expect(trace.spans[executeTool].attributes[key: "user.id"] == "u-42")   // baggage crossed too
        // Three model calls: plan and answer (agent), summary (tool), priced from the table.
        let summary = TraceSummary(trace: trace, prices: .standard)
        #expect(summary.totals.llmCalls == 3)
        #expect(summary.totals.unpricedCalls == 0)
        #expect(summary.totals.costUSD > 0)
        #expect(Set(summary.totals.modelsUsed) == ["gpt-4o-fake-2026-01-01", "gpt-4o-mini-fake-2026-01-01"])
        let toolLLM = try #require(trace.children(of: executeTool).first)
        #expect(trace.spans[Int(toolLLM)].name == "chat gpt-4o-mini")
        #expect(!summary.criticalPath.isEmpty)
    }
}

@Suite struct SeedScenarioExportTests {
    @Test func theTraceCanBeSentToSpanscopeListenInsteadOfAFile() async throws {
        let receiver = TraceReceiver(store: LiveStore(maxSpans: 1_000))
        let server = try await receiver.listen(host: "127.0.0.1", port: 0)
        let outcome = try await SeedScenario.run(sendingTo: server.baseURL, lifetime: .seconds(300))
        await server.shutdown()
        #expect(outcome.path == server.baseURL + "/v1/traces")
        let snap = try #require(receiver.store.snapshot())
        #expect(snap.traces.count == 1)
        let trace = snap.traces[0]
        #expect(trace.id.description == outcome.traceID.description)
        #expect(trace.count == outcome.spanCount)
        #expect(Set(trace.spans.map(\.service)) == ["agent-service", "tool-service"])
        #expect(trace.rootName == "process_request")
        #expect(TraceSummary(trace: trace, prices: .standard).totals.llmCalls == 3)
    }

    @Test func aReceiverThatIsNotThereIsAnError() async throws {
        let receiver = TraceReceiver(store: LiveStore(maxSpans: 10))
        let server = try await receiver.listen(host: "127.0.0.1", port: 0)
        let url = server.baseURL
        await server.shutdown()
        let error = await #expect(throws: SeedScenario.Failure.self) {
            _ = try await SeedScenario.run(sendingTo: url, lifetime: .seconds(300))
        }
        #expect(error?.description.contains("connection refused") == true)
    }
}
