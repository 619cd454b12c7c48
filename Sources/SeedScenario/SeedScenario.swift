import AITracing
import TraceModel
import AITracingOpenAI
import AITracingOTLP
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LocalHTTP
import OpenAIFake
import Synchronization

/// The seed's multi-service example, run for real: an agent service calls a tool service over
/// HTTP on 127.0.0.1, the trace context crosses in headers, both call an OpenAI-compatible
/// model server (an in-process fake, bounded in requests and time), and the result is one
/// trace with two services, written to a file `spanscope` opens.
public enum SeedScenario {
    /// What a run produced.
    public struct Outcome: Sendable {
        /// The one trace's id.
        public var traceID: TraceID
        /// The file written, or the OTLP/HTTP URL the spans were sent to.
        public var path: String
        /// Spans recorded.
        public var spanCount: Int
        /// The agent's final answer.
        public var answer: String
    }

    /// A failed step of the scenario, named.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed and why.
        public var description: String
    }

    /// Runs the scenario and writes the trace to `path` in `format`.
    ///
    /// - Parameter lifetime: the fake model server and the tool service stop after this.
    public static func run(writingTo path: String, format: TraceFile.Format = .otlpJSON,
                           question: String = "What is the weather in Paris tomorrow?",
                           lifetime: Duration = .seconds(60)) async throws -> Outcome {
        let store = SpanStore(limit: 10_000)
        let (traceID, answer) = try await record(into: store, question: question, lifetime: lifetime)
        try store.write(format, to: path)
        return Outcome(traceID: traceID, path: path, spanCount: store.count, answer: answer)
    }

    /// Runs the scenario and sends the trace to an OTLP/HTTP receiver (`spanscope listen`, a
    /// collector, Jaeger, Tempo, Phoenix) with AITracing's exporter, as an app would.
    public static func run(sendingTo endpoint: String, headers: [String: String] = [:],
                           question: String = "What is the weather in Paris tomorrow?",
                           lifetime: Duration = .seconds(60)) async throws -> Outcome {
        let store = SpanStore(limit: 10_000)
        let failure = Mutex<AITracingError?>(nil)
        let exporter = OTLPHTTPExporter(.init(endpoint: endpoint, headers: headers, maxAttempts: 3),
                                        onRejected: { e in failure.withLock { $0 = e } })
        let batching = BatchingExporter(store: store, exporter: exporter, onError: { e in failure.withLock { $0 = $0 ?? e } })
        let (traceID, answer) = try await record(into: store, question: question, lifetime: lifetime)
        let sent = await batching.shutdown()
        if let e = failure.withLock({ $0 }) { throw Failure(description: "sending the trace failed: \(e)") }
        guard sent else { throw Failure(description: "sending the trace to \(exporter.configuration.endpoint) failed") }
        return Outcome(traceID: traceID, path: exporter.configuration.endpoint, spanCount: store.count, answer: answer)
    }

    /// The scenario itself: records one two-service trace into `store`.
    static func record(into store: SpanStore, question: String, lifetime: Duration) async throws -> (TraceID, String) {
        let model = try await FakeOpenAIServer.start(maxRequests: 10, lifetime: lifetime, apiKey: "sk-local-fake")
        let agent = AITracer(service: "agent-service", store: store)
        let tool = AITracer(service: "tool-service", store: store)
        let agentLLM = TracedOpenAI(tracer: agent, baseURL: model.baseURL, apiKey: "sk-local-fake",
                                    captureMessageContent: true, environment: [:])
        let toolLLM = TracedOpenAI(tracer: tool, baseURL: model.baseURL, apiKey: "sk-local-fake",
                                   captureMessageContent: true, environment: [:])
        let toolService = try await startToolService(tracer: tool, llm: toolLLM)
        defer {
            Task {
                await toolService.shutdown()
                await model.shutdown()
            }
        }

        let (traceID, answer): (TraceID, String) = try await agent.withSpan(
            "process_request", kind: .server, attributes: [Attribute("user", "u-42")]
        ) { root in
            try await Baggage.with("user.id", "u-42") {
                let plan = try await agentLLM.chatCompletion(ChatRequest(
                    model: "gpt-4o", messages: [.system("You are a travel agent. Decide which tool to call."), .user(question)],
                    temperature: 0.2, maxTokens: 200))
                let toolResult = try await agent.withSpan("call_tool", kind: .client,
                                                          attributes: [Attribute("tool", "web_search")]) { _ in
                    var headers = ["Content-Type": "text/plain; charset=utf-8"]
                    agent.propagator.inject(into: &headers)
                    return try await post(toolService.baseURL + "/tools/web_search", headers: headers, body: plan.content)
                }
                let final = try await agentLLM.streamChatCompletion(ChatRequest(
                    model: "gpt-4o", messages: [.system("Answer the user from the tool result."), .user(question),
                                                .assistant(plan.content), .user("Tool result: " + toolResult)],
                    maxTokens: 300))
                return (root.context.traceID, final.content)
            }
        }
        return (traceID, answer)
    }

    /// The tool service: continues the caller's trace from the request headers, runs the tool
    /// (a model call of its own) and answers with the result.
    static func startToolService(tracer: AITracer, llm: TracedOpenAI) async throws -> LocalHTTPServer {
        try await LocalHTTPServer.start(maxBodyBytes: 64 << 10) { request in
            let remote = tracer.propagator.extract { request.headerValues($0) }
            return await remote.withCurrent {
                await tracer.withSpan("execute_tool", kind: .server,
                                      attributes: [Attribute("tool", .string(String(request.path.split(separator: "/").last ?? "")))]) { span in
                    if let user = Baggage.current["user.id"] { span.setAttribute("user.id", .string(user)) }
                    let query = String(decoding: request.body, as: UTF8.self)
                    do {
                        let summary = try await llm.chatCompletion(ChatRequest(
                            model: "gpt-4o-mini", messages: [.system("Summarise search results."), .user("Search: " + query)]))
                        return .text(summary.content)
                    } catch {
                        span.recordError(error)
                        return .text("tool failed: \(error)", status: 502)
                    }
                }
            }
        }
    }

    /// POSTs `body` and returns the response text; a non-2xx status is a failure.
    static func post(_ url: String, headers: [String: String], body: String) async throws -> String {
        guard let target = URL(string: url) else { throw Failure(description: "bad URL \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.timeoutInterval = 30
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = Data(body.utf8)
        let (status, text): (Int, String) = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: Failure(description: "POST \(url): \(error)"))
                    return
                }
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                continuation.resume(returning: (status, String(decoding: data ?? Data(), as: UTF8.self)))
            }.resume()
        }
        guard (200..<300).contains(status) else { throw Failure(description: "POST \(url): HTTP \(status): \(text)") }
        return text
    }
}
