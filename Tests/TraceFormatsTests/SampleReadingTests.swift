import Testing
import TraceModel
@testable import TraceFormats

@Suite struct SampleReadingTests {
    @Test func ragPipelineUsesCurrentGenAINames() throws {
        let doc = try sample("rag-pipeline.otlp.json")
        #expect(doc.format == "OTLP JSON")
        #expect(doc.traces.count == 1)
        let t = doc.traces[0]
        #expect(t.count == 6)
        #expect(t.rootName == "POST /v1/ask")
        #expect(t.durationNanos == 2_841_700_000)
        #expect(t.spans.allSatisfy { $0.service == "rag-api" })
        #expect(t.spans[t.rootIndex!].kind == .server)

        let chat = try #require(index(t, "chat gpt-4o-mini"))
        let call = try #require(t.llmCallDetails(at: chat))
        #expect(call.provider == "openai")
        #expect(call.operation == "chat")
        #expect(call.requestModel == "gpt-4o-mini")
        #expect(call.responseModel == "gpt-4o-mini-2024-07-18")
        #expect(call.promptTokens == 187 && call.completionTokens == 62 && call.totalTokens == 249)
        #expect(call.finishReasons == ["stop"])
        #expect(call.inputMessages.map(\.role) == ["system", "user"])
        #expect(call.inputMessages[1].text.hasPrefix("Context:\n[1] Annual plans"))
        #expect(call.outputMessages.count == 1)
        #expect(call.outputMessages[0].finishReason == "stop")
        #expect(call.parameters[key: "temperature"] == .double(0.2))
        #expect(call.parameters[key: "max_tokens"] == .int(400))
        #expect(call.conventions == .genAI)

        let emb = try #require(index(t, "embeddings text-embedding-3-small"))
        #expect(t.llmCallDetails(at: emb)?.promptTokens == 15)
        #expect(t.llmCalls.count == 2)
        // The pipeline's parent is the HTTP root, and the chat call sits under the pipeline.
        let pipe = try #require(index(t, "rag.pipeline"))
        #expect(t.parent(of: chat) == pipe)
        #expect(t.parent(of: pipe) == t.rootIndex)
        #expect(t.depths[chat] == 2)
    }

    @Test func collectorJSONLinesJoinServicesIntoOneTree() throws {
        let doc = try sample("agent-parallel-tools.otlp.jsonl")
        #expect(doc.format == "OTLP JSON Lines")
        #expect(doc.traces.count == 1)
        let t = doc.traces[0]
        #expect(t.count == 14)
        #expect(Set(t.spans.map(\.service)) == ["travel-agent", "tool-service"])
        #expect(t.spans.filter { $0.status.isError }.count == 5)
        #expect(t.llmCalls.count == 2)
        #expect(t.llmCalls.map(\.promptTokens) == [1342, 1893])
        #expect(t.llmCalls.map(\.completionTokens) == [218, 171])
        // Tool-service spans (second line) hang under the agent's client spans (first line).
        let client = try #require(index(t, "execute_tool search_hotels"))
        let server = try #require(index(t, "POST /tools/search_hotels"))
        #expect(t.parent(of: server) == client)
        #expect(t.children(of: server).count == 3)
        #expect(t.flags.allSatisfy { $0.isEmpty })
        // Parallel tool calls are children of run_tools, ordered by start.
        let tools = try #require(index(t, "run_tools"))
        #expect(t.children(of: tools).map { t.spans[Int($0)].name } ==
                ["execute_tool search_flights", "execute_tool search_hotels", "execute_tool get_weather"])
        let firstLLM = try #require(index(t, "chat claude-3-5-sonnet"))
        let first = try #require(t.llmCallDetails(at: firstLLM))
        #expect(first.provider == "anthropic")
        #expect(first.inputMessages.map(\.role) == ["system", "user"])
        #expect(first.outputMessages.first?.parts.count == 3)
        if case .toolCall(let id, let name, _) = first.outputMessages.first?.parts.first {
            #expect(id == "toolu_01" && name == "search_flights")
        } else {
            Issue.record("expected a tool call part")
        }
        let status = t.spans[server].status
        #expect(status.message.hasPrefix("TimeoutError"))
        #expect(t.spans[server].events.first?.name == "exception")
    }

    @Test func openInferenceFlattenedMessagesAndInvocationParameters() throws {
        let doc = try sample("openinference-incident-qa.otlp.json")
        let t = try #require(doc.traces.first)
        #expect(t.count == 4)
        #expect(t.llmCalls.count == 1)   // CHAIN and RETRIEVER spans are not LLM calls
        let llmSpan = try #require(index(t, "ChatOpenAI"))
        let call = try #require(t.llmCallDetails(at: llmSpan))
        #expect(call.model == "gpt-4o-2024-08-06")
        #expect(call.requestModel == "gpt-4o")
        #expect(call.provider == "openai")
        #expect(call.promptTokens == 164 && call.completionTokens == 83 && call.recordedTotalTokens == 247)
        #expect(call.inputMessages.map(\.role) == ["system", "user"])
        #expect(call.inputMessages[1].text == "Summarise the main risks mentioned in the Q3 incident reports.")
        #expect(call.outputMessages.first?.text.hasPrefix("The Q3 incidents point to three risks") == true)
        #expect(call.parameters[key: "temperature"]?.doubleValue == 0)
        #expect(call.parameters[key: "max_tokens"] == .int(512))
        #expect(call.parameters[key: "model"] == nil)
        #expect(call.conventions == .openInference)
    }

    @Test func openLLMetryBatchHasThreeTracesAndAFailedCall() throws {
        let doc = try sample("openllmetry-triage-batch.otlp.jsonl")
        #expect(doc.traces.count == 3)
        #expect(doc.traces.map(\.count) == [2, 2, 2])
        let calls = doc.traces.flatMap { t in (0..<t.count).compactMap { t.llmCallDetails(at: $0) } }
        #expect(calls.map(\.model) == ["gpt-4o-mini", "llama-3.1-8b-instruct", "gpt-4o-mini"])
        #expect(calls.map(\.totalTokens) == [82, 90, 0])
        #expect(calls[0].inputMessages.map(\.role) == ["system", "user"])
        #expect(calls[0].outputMessages.first?.finishReason == "stop")
        #expect(calls[0].conventions.contains(.openLLMetry))
        #expect(calls[1].provider == "vllm")
        let failed = doc.traces[2]
        #expect(failed.spans.contains { $0.status.isError && $0.status.message.contains("APITimeoutError") })
    }

    @Test func seedShapeIsPlacedFromEventsAndMarkedEstimated() throws {
        let doc = try sample("seed-agent-tool.json")
        #expect(doc.format == "seed JSON")
        let t = try #require(doc.traces.first)
        #expect(t.count == 8)
        #expect(t.timingEstimated)
        #expect(t.id.description == "a426fe09-6e9e-4f5a-8c4c-9e2fd8bf1fa2")
        #expect(Set(t.spans.map(\.service)) == ["agent-service", "tool-service"])
        #expect(t.llmCalls.count == 2)
        #expect(t.llmCalls[0].requestModel == "gpt-4o")
        #expect(t.llmCalls[0].promptTokens == 812 && t.llmCalls[0].completionTokens == 164)
        #expect(t.llmCalls[0].recordedCostUSD == 0.00367)
        #expect(t.llmCalls[0].conventions == .seed)
        #expect(t.llmCalls[1].parameters[key: "max_tokens"] == .int(400))
        #expect(t.llmCalls[1].finishReasons == ["stop"])
        let failed = try #require(t.spans.firstIndex { $0.status.isError })
        #expect(t.spans[failed].status.message == "HTTPError: 403 Client Error: Forbidden for url: https://acme.example/pricing")
        // LLM spans start at their llm_call_start event; the fetch that failed ends at its exception.
        let llm = try #require(index(t, "chat_completion"))
        #expect(t.spans[llm].startNanos == t.spans[llm].events[0].timeNanos)
        #expect(t.flags[llm].contains(.estimatedTiming))
        #expect(abs(t.spans[failed].endNanos - t.spans[failed].events[0].timeNanos) < 1_000_000)
        // call_tool_service has no events: it follows the first LLM call under the root.
        let call = try #require(index(t, "call_tool_service"))
        #expect(t.spans[call].startNanos == t.spans[llm].endNanos)
        let tool = try #require(index(t, "execute_tool"))
        #expect(t.parent(of: tool) == call)
        #expect(t.spans[tool].service == "tool-service")
    }
}
