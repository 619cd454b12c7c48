import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

func fixture(_ name: String) throws -> TraceDocument {
    try TraceLoader.load(path: fixtureDirectory + name)
}

@Suite struct RealWorldFormatTests {
    @Test func pythonZipkinExporterOutput() throws {
        let doc = try fixture("python-otel-zipkin.json")
        #expect(doc.format == "Zipkin JSON")
        let t = try #require(doc.traces.first)
        #expect(t.count == 3)
        #expect(t.rootName == "handle_ticket")
        #expect(t.spans[t.rootIndex!].kind == .server)
        #expect(t.spans.allSatisfy { $0.service == "support-bot" })
        let chat = try #require(index(t, "chat gpt-4o-mini"))
        #expect(t.parent(of: chat) == t.rootIndex)
        let call = try #require(t.llmCallDetails(at: chat))
        // Zipkin tags are strings: numbers and the finish-reason list arrive as text.
        #expect(call.promptTokens == 412 && call.completionTokens == 57)
        #expect(call.finishReasons == ["stop"])
        #expect(call.responseModel == "gpt-4o-mini-2024-07-18")
        #expect(call.parameters[key: "temperature"]?.doubleValue == 0.2)
        #expect(call.inputMessages.first?.text == "My invoice shows two charges for November.")
        #expect(t.durationNanos > 0)
        let tool = try #require(index(t, "execute_tool refund_payment"))
        #expect(t.spans[tool].status == SpanStatus(.error, message: "TimeoutError: payments API did not answer within 2 s"))
        let exception = try #require(t.spans[tool].events.first)
        #expect(exception.name == "exception")
        #expect(exception.attributes[key: "exception.type"] == .string("TimeoutError"))
        #expect(t.spans[tool].origin.scopeName == "support_bot.agent")
    }

    @Test func zipkinSharedSpansAndListOfTraces() throws {
        let text = """
        [[{"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"get /api","timestamp":1700000000000000,"duration":5000,
           "kind":"CLIENT","localEndpoint":{"serviceName":"frontend"},"remoteEndpoint":{"serviceName":"backend"}},
          {"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"get /api","timestamp":1700000000001000,"duration":3000,
           "kind":"SERVER","shared":true,"localEndpoint":{"serviceName":"backend"},"tags":{"error":"true"}}]]
        """
        let t = try #require(try decode(text).traces.first)
        #expect(t.count == 2)
        let server = try #require(t.spans.firstIndex { $0.kind == .server })
        #expect(t.parent(of: server) == t.spans.firstIndex { $0.kind == .client })
        #expect(t.spans[server].status.isError)
        #expect(t.spans[server].service == "backend")
        #expect(t.flags.allSatisfy { !$0.contains(.duplicateID) })
        #expect(t.spans[t.spans.firstIndex { $0.kind == .client }!].attributes[key: "peer.service"] == .string("backend"))
    }

    @Test func jaegerQueryAPIJSON() throws {
        let doc = try fixture("jaeger-agent-trace.json")
        #expect(doc.format == "Jaeger JSON")
        let t = try #require(doc.traces.first)
        let original = try sample("agent-parallel-tools.otlp.jsonl").traces[0]
        #expect(t.count == original.count)
        #expect(t.rootName == original.rootName)
        #expect(Set(t.spans.map(\.service)) == ["travel-agent", "tool-service"])
        #expect(t.spans.filter(\.status.isError).count == 5)
        #expect(t.llmCalls.map(\.totalTokens) == original.llmCalls.map(\.totalTokens))
        let server = try #require(index(t, "POST /tools/search_hotels"))
        #expect(t.spans[server].kind == .server)
        #expect(t.spans[server].events.first?.name == "exception")
        #expect(t.spans[server].status.message.hasPrefix("TimeoutError"))
        #expect(t.parent(of: server) == index(t, "execute_tool search_hotels"))
        // Microsecond times: the same start, durations equal to the microsecond.
        #expect(t.startNanos == original.startNanos)
        #expect(t.spans[server].origin.resource[key: "telemetry.sdk.language"] == .string("python"))
    }

    @Test func jaegerFollowsFromAndExtraReferencesBecomeLinks() throws {
        let text = """
        {"traceID":"a1","spans":[
          {"traceID":"a1","spanID":"01","operationName":"root","references":[],"startTime":10,"duration":100,"processID":"p1","tags":[]},
          {"traceID":"a1","spanID":"02","operationName":"async","references":[{"refType":"FOLLOWS_FROM","traceID":"a1","spanID":"01"},
             {"refType":"FOLLOWS_FROM","traceID":"zz","spanID":"99"}],"startTime":50,"duration":500,"processID":"p1",
           "tags":[{"key":"error","type":"bool","value":true},{"key":"retries","type":"int64","value":"3"}],
           "logs":[{"timestamp":60,"fields":[{"key":"event","type":"string","value":"error"},{"key":"message","type":"string","value":"queue full"}]}]}],
         "processes":{"p1":{"serviceName":"worker","tags":[{"key":"hostname","type":"string","value":"w-1"}]}}}
        """
        let t = try #require(try decode(text).traces.first)
        let child = try #require(index(t, "async"))
        #expect(t.parent(of: child) == index(t, "root"))
        #expect(t.spans[child].links.count == 1)
        #expect(t.spans[child].status == SpanStatus(.error, message: "queue full"))
        #expect(t.spans[child].attributes[key: "retries"] == .int(3))
        #expect(t.spans[child].service == "worker")
    }

    @Test func openLLMetryStreamingWithBase64IdsAndEnumNames() throws {
        let t = try #require(try fixture("openllmetry-openai-0.26.4-stream.json").traces.first)
        #expect(t.count == 1)
        let s = t.spans[0]
        #expect(s.kind == .client && s.status.code == .ok)
        #expect(s.spanID.description == "0f69feaecfced498")
        let call = try #require(t.llmCallDetails(at: 0))
        #expect(call.provider == "openai")
        #expect(call.operation == "chat")
        #expect(call.model == "gpt-4o-mini-2024-07-18")
        #expect(call.promptTokens == nil && call.totalTokens == 0)   // streaming span without usage
        #expect(call.inputMessages.map(\.role) == ["system", "user"])
        #expect(call.outputMessages.first?.text == "Hey there! 😊 What’s on your mind? 💬✨")
        #expect(call.finishReasons == ["stop"])
        #expect(call.parameters[key: "stream"] == .bool(true))
        // First chunk event − span start.
        #expect(call.timeToFirstTokenNanos == Int64(1_722_866_604_464_076_000 - 1_722_866_602_559_872_000))
    }

    @Test func openInferencePythonStreaming() throws {
        let t = try #require(try fixture("openinference-openai-0.1.12-stream.json").traces.first)
        let call = try #require(t.llmCallDetails(at: 0))
        #expect(call.conventions.contains(.openInference))
        #expect(call.requestModel == "gpt-4o-mini" && call.responseModel == "gpt-4o-mini-2024-07-18")
        #expect(call.inputMessages.map(\.text) == ["You are a helpful assistant that only reply in short tweet-like responses, using lots of emojis.", "hi"])
        #expect(call.outputMessages.first?.text == "Hey there! 😊👋 What’s up? 🌟")
        #expect(call.parameters[key: "stream"] == .bool(true))
        #expect(call.timeToFirstTokenNanos == Int64(1_722_809_514_030_552_000 - 1_722_809_513_563_529_000))
        #expect(call.operation == "chat")
    }

    @Test func openLLMetryLangChainDoesNotTakeTheFrameworkForTheProvider() throws {
        let t = try #require(try fixture("openllmetry-langchain-0.40.6.json").traces.first)
        #expect(t.count == 2)
        #expect(t.llmCalls.count == 1)                   // the workflow span is not an LLM call
        let llmSpan = try #require(index(t, "ChatOpenAI.chat"))
        let call = try #require(t.llmCallDetails(at: llmSpan))
        #expect(call.provider == nil)                    // "Langchain" names the framework
        #expect(call.model == "gpt-3.5-turbo-0125")
        #expect(call.promptTokens == 39 && call.completionTokens == 7 && call.totalTokens == 46)
        #expect(call.outputMessages.first?.text == "The capital of France is Paris.")
        let child = try #require(index(t, "ChatOpenAI.chat"))
        #expect(t.parent(of: child) == index(t, "RunnableSequence.workflow"))
    }
}
