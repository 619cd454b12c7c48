import AITracing
import AITracingOpenAI
import OpenAIFake
import TraceAnalysis
import TraceFormats
import TraceModel
import Testing

func makeClient(_ fake: FakeOpenAIServer, capture: Bool = false, apiKey: String? = "sk-test",
                timeout: Double = 120) -> (TracedOpenAI, AITracer) {
    let tracer = AITracer(service: "agent-service", ids: IDGenerator(seed: 3))
    let client = TracedOpenAI(tracer: tracer, baseURL: fake.baseURL, apiKey: apiKey, timeout: timeout,
                              captureMessageContent: capture, environment: [:])
    return (client, tracer)
}

let question = ChatRequest(model: "gpt-4o", messages: [.system("You are terse."), .user("what is two plus two")],
                           temperature: 0.2, maxTokens: 64)

@Suite struct TracedOpenAITests {
    @Test func aCompletionIsOneLLMSpanWithSeedAndGenAIAttributes() async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5, apiKey: "sk-test")
        defer { Task { await fake.shutdown() } }
        let (client, tracer) = makeClient(fake)
        let answer = try await client.chatCompletion(question)
        #expect(answer.content == "Echo: what is two plus two")
        #expect(answer.model == "gpt-4o-fake-2026-01-01")
        #expect(answer.usage == ChatUsage(promptTokens: 8, completionTokens: 6, totalTokens: 14))
        #expect(answer.finishReason == "stop")
        let expectedCost = (8 * 2.5 + 6 * 10) / 1_000_000
        #expect(abs((answer.costUSD ?? 0) - expectedCost) < 1e-12)

        let spans = tracer.store.spans()
        #expect(spans.count == 1)
        let s = spans[0]
        #expect(s.name == "chat gpt-4o")
        #expect(s.kind == .client)
        let a = s.attributes
        #expect(a[key: "gen_ai.operation.name"] == "chat")
        #expect(a[key: "gen_ai.provider.name"] == "openai")
        #expect(a[key: "gen_ai.request.model"] == "gpt-4o")
        #expect(a[key: "gen_ai.request.temperature"] == .double(0.2))
        #expect(a[key: "gen_ai.request.max_tokens"] == .int(64))
        #expect(a[key: "gen_ai.response.model"] == "gpt-4o-fake-2026-01-01")
        #expect(a[key: "gen_ai.response.id"] == "chatcmpl-fake-1")
        #expect(a[key: "gen_ai.response.finish_reasons"] == .array(["stop"]))
        #expect(a[key: "gen_ai.usage.input_tokens"] == .int(8))
        #expect(a[key: "gen_ai.usage.output_tokens"] == .int(6))
        #expect(a[key: "ai.messages_count"] == .int(2))
        #expect(a[key: "ai.max_tokens"] == .int(64))
        #expect(a[key: "ai.temperature"] == .double(0.2))
        #expect(a[key: "ai.total_tokens"] == .int(14))
        #expect(a[key: "http.response.status_code"] == .int(200))
        #expect(s.events.map(\.name) == ["llm_call_start", "prompt", "response"])
        #expect(s.events[1].attributes[key: "user_length"] == .int(20))
        #expect(s.events[1].attributes[key: "system"] == nil)   // content is opt-in
        #expect(s.events[2].attributes[key: "finish_reason"] == "stop")
        #expect(a[key: "gen_ai.input.messages"] == nil)
        #expect(fake.requests.first?.header("traceparent") == nil)

        let call = try #require(tracer.trace(s.traceID).llmCall(at: 0))
        #expect(call.model == "gpt-4o-fake-2026-01-01")
        #expect(call.totalTokens == 14)
        #expect(abs((call.cost(using: .standard).usd ?? 0) - expectedCost) < 1e-12)
    }

    @Test func aStreamRecordsTimeToFirstTokenAndUsage() async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5)
        defer { Task { await fake.shutdown() } }
        let (client, tracer) = makeClient(fake, capture: true)
        let pieces = Pieces()
        let answer = try await client.streamChatCompletion(question) { pieces.add($0) }
        #expect(answer.content == "Echo: what is two plus two")
        #expect(pieces.all.count == 6)
        #expect(pieces.all.joined() == answer.content)
        #expect(answer.usage?.completionTokens == 6)
        let ttft = try #require(answer.timeToFirstTokenNanos)
        #expect(ttft > 0)
        #expect(fake.requests.first?.stream == true)
        #expect(fake.requests.first?.includeUsage == true)

        let s = try #require(tracer.store.spans().first)
        #expect(s.events.contains { $0.name == "gen_ai.first_token" })
        #expect(s.attributes[key: "gen_ai.response.time_to_first_chunk"] == .double(Double(ttft) / 1e9))
        let call = try #require(tracer.trace(s.traceID).llmCall(at: 0))
        #expect(call.timeToFirstTokenNanos == ttft)
        #expect(call.completionTokens == 6)
        // Captured content in the GenAI parts shape, read back by Spanscope's normaliser.
        #expect(call.inputMessages.map(\.role) == ["system", "user"])
        #expect(call.inputMessages.last?.text == "what is two plus two")
        #expect(call.outputMessages.first?.text == "Echo: what is two plus two")
        #expect(call.outputMessages.first?.finishReason == "stop")
        #expect(s.events.first { $0.name == "prompt" }?.attributes[key: "system"] == "You are terse.")
    }

    @Test func captureFollowsTheOTelEnvironmentVariable() async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5)
        defer { Task { await fake.shutdown() } }
        let tracer = AITracer(service: "s", ids: IDGenerator(seed: 4))
        let on = TracedOpenAI(tracer: tracer, baseURL: fake.baseURL,
                              environment: ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true", "OPENAI_API_KEY": "sk-env"])
        let off = TracedOpenAI(tracer: tracer, baseURL: fake.baseURL, environment: [:])
        #expect(on.captureMessageContent)
        #expect(!off.captureMessageContent)
        _ = try await on.chatCompletion(question)
        #expect(fake.requests.last?.header("Authorization") == "Bearer sk-env")
        _ = try await off.chatCompletion(question)
        #expect(fake.requests.last?.header("Authorization") == nil)
        let spans = tracer.store.spans()
        #expect(spans[0].attributes[key: "gen_ai.input.messages"]?.stringValue?.contains("\"parts\":[{\"content\":\"You are terse.\",\"type\":\"text\"}]") == true)
        #expect(spans[1].attributes[key: "gen_ai.input.messages"] == nil)
    }

    @Test(arguments: [
        (FakeOpenAIServer.Reply.status(429, message: "Rate limit reached", headers: [("Retry-After", "7")]),
         OpenAIError.rateLimited(message: "Rate limit reached", retryAfter: "7")),
        (.status(500, message: "The server had an error"), .serverError(status: 500, message: "The server had an error")),
        (.status(404, message: "model not found"), .httpError(status: 404, message: "model not found")),
    ])
    func httpErrorsThrowTypedErrorsAndLeaveAnErrorSpan(_ reply: FakeOpenAIServer.Reply, _ expected: OpenAIError) async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5) { _ in reply }
        defer { Task { await fake.shutdown() } }
        let (client, tracer) = makeClient(fake)
        await #expect(throws: expected) { _ = try await client.chatCompletion(question) }
        let s = try #require(tracer.store.spans().first)
        #expect(s.status.code == .error)
        #expect(s.status.message == expected.description)
        #expect(s.attributes[key: "http.response.status_code"] == .int(Int64(expected.statusCode!)))
        #expect(s.attributes[key: "error.type"] == .string(String(expected.statusCode!)))
        #expect(s.events.contains { $0.name == "exception" && $0.attributes[key: "exception.message"] == .string(expected.description) })
    }

    @Test func aWrongKeyIsUnauthorized() async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5, apiKey: "sk-right")
        defer { Task { await fake.shutdown() } }
        let (client, tracer) = makeClient(fake, apiKey: "sk-wrong")
        await #expect(throws: OpenAIError.unauthorized(message: "Incorrect API key provided")) {
            _ = try await client.chatCompletion(question)
        }
        #expect(tracer.store.spans().first?.status.code == .error)
    }

    @Test(arguments: ["{\"id\": 12, \"choices\": \"nope\"}", "<html>502 Bad Gateway</html>", ""])
    func badJSONIsAMalformedResponse(_ body: String) async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5) { _ in .raw(body) }
        defer { Task { await fake.shutdown() } }
        let (client, tracer) = makeClient(fake)
        do {
            _ = try await client.chatCompletion(question)
            Issue.record("expected an error")
        } catch {
            guard case .malformedResponse = error else { Issue.record("wrong error \(error)"); return }
        }
        let s = try #require(tracer.store.spans().first)
        #expect(s.status.code == .error)
        #expect(s.attributes[key: "error.type"] == "malformed_response")
    }

    @Test func aBrokenStreamIsAMalformedResponse() async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5) { _ in .raw("data: {not json}\n\n", contentType: "text/event-stream") }
        defer { Task { await fake.shutdown() } }
        let (client, _) = makeClient(fake)
        await #expect(throws: OpenAIError.self) { _ = try await client.streamChatCompletion(question) }
    }

    @Test func aSlowServerTimesOut() async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 5) { _ in .delayed(.seconds(5), then: .text("late")) }
        defer { Task { await fake.shutdown() } }
        let (client, tracer) = makeClient(fake, timeout: 1)
        await #expect(throws: OpenAIError.timeout(seconds: 1)) { _ = try await client.chatCompletion(question) }
        let s = try #require(tracer.store.spans().first)
        #expect(s.status.code == .error)
        #expect(s.attributes[key: "error.type"] == "timeout")
    }

    @Test func theFakeStopsAfterItsRequestLimit() async throws {
        let fake = try await FakeOpenAIServer.start(maxRequests: 1)
        defer { Task { await fake.shutdown() } }
        let (client, _) = makeClient(fake)
        _ = try await client.chatCompletion(question)
        await #expect(throws: OpenAIError.serverError(status: 503, message: "fake server request limit (1) reached")) {
            _ = try await client.chatCompletion(question)
        }
    }
}

final class Pieces: Sendable {
    private let store = Locked<[String]>([])
    func add(_ s: String) { store.withLock { $0.append(s) } }
    var all: [String] { store.withLock { $0 } }
}

