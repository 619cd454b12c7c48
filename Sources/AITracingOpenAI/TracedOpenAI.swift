import AITracing
import TraceModel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TraceAnalysis

/// A traced client for OpenAI-compatible chat completions (OpenAI, llama.cpp, vLLM, Ollama, …):
/// the Swift form of the seed's `TracedOpenAI`.
///
/// Every call is one LLM span (kind client, named `chat <model>`) recording the seed's
/// attributes and events (`ai.messages_count`, `ai.max_tokens`, `ai.temperature`, `prompt`,
/// `response`, the `ai.*` usage) and the OpenTelemetry GenAI ones
/// (opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/, read 2026-11-26):
/// `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`,
/// `gen_ai.request.temperature`, `gen_ai.request.max_tokens`, `gen_ai.response.model`,
/// `gen_ai.response.id`, `gen_ai.response.finish_reasons`, `gen_ai.usage.input_tokens`,
/// `gen_ai.usage.output_tokens`, `server.address`, `server.port`, and `error.type` on failure.
/// Streams add `gen_ai.response.time_to_first_chunk` and a `gen_ai.first_token` event.
///
/// Message text is recorded only when asked for (the option, or
/// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` as OTel's instrumentations read it),
/// as `gen_ai.input.messages` / `gen_ai.output.messages` JSON in the GenAI parts shape.
public final class TracedOpenAI: Sendable {
    /// The tracer that records the calls.
    public let tracer: AITracer
    /// Base URL up to and including `/v1`.
    public let baseURL: URL
    /// Value of `gen_ai.provider.name`.
    public let provider: String
    /// True when message text is recorded on spans.
    public let captureMessageContent: Bool
    /// Seconds without a response before the call fails with `.timeout` (FoundationNetworking on
    /// Linux counts whole seconds: values below 1 time out at once).
    public let timeout: TimeInterval
    /// True when the current trace context is sent in `traceparent` (and the seed's headers).
    public let propagateContext: Bool
    private let apiKey: String?

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - baseURL: default `OPENAI_BASE_URL` from the environment, else `https://api.openai.com/v1`.
    ///   - apiKey: default `OPENAI_API_KEY`; without one no `Authorization` header is sent (local servers).
    ///   - captureMessageContent: default from `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`.
    ///   - propagateContext: send trace headers to the server (off by default: a third-party API
    ///     has no use for them).
    public init(tracer: AITracer, baseURL: String? = nil, apiKey: String? = nil, provider: String = "openai",
                timeout: TimeInterval = 60, captureMessageContent: Bool? = nil, propagateContext: Bool = false,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.tracer = tracer
        let base = baseURL ?? environment["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1"
        self.baseURL = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base) ?? URL(string: "https://api.openai.com/v1")!
        let key = apiKey ?? environment["OPENAI_API_KEY"]
        self.apiKey = (key?.isEmpty ?? true) ? nil : key
        self.provider = provider
        self.timeout = timeout
        self.captureMessageContent = captureMessageContent
            ?? (environment["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"]?.lowercased() == "true")
        self.propagateContext = propagateContext
    }

    /// Sends a chat completion and waits for the whole answer.
    public func chatCompletion(_ request: ChatRequest) async throws(OpenAIError) -> ChatCompletion {
        try await traced(request, stream: false, onDelta: { _ in })
    }

    /// Sends a streaming chat completion (server-sent events with usage included), calling
    /// `onDelta` with each piece of text as it arrives, and returns the assembled answer.
    public func streamChatCompletion(_ request: ChatRequest,
                                     onDelta: @escaping @Sendable (String) -> Void = { _ in }) async throws(OpenAIError) -> ChatCompletion {
        try await traced(request, stream: true, onDelta: onDelta)
    }

    private func traced(_ request: ChatRequest, stream: Bool, onDelta: @escaping @Sendable (String) -> Void) async throws(OpenAIError) -> ChatCompletion {
        do {
            return try await tracer.withLLMSpan(model: request.model, provider: provider,
                                                attributes: requestAttributes(request)) { span in
                try await self.perform(request, stream: stream, span: span, onDelta: onDelta)
            }
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw .transport(String(describing: error))
        }
    }

    private func requestAttributes(_ request: ChatRequest) -> [Attribute] {
        var a: [Attribute] = [Attribute("ai.messages_count", .int(Int64(request.messages.count)))]
        if let t = request.temperature {
            a.append(Attribute("ai.temperature", .double(t)))
            a.append(Attribute("gen_ai.request.temperature", .double(t)))
        }
        if let m = request.maxTokens {
            a.append(Attribute("ai.max_tokens", .int(Int64(m))))
            a.append(Attribute("gen_ai.request.max_tokens", .int(Int64(m))))
        }
        if let p = request.topP { a.append(Attribute("gen_ai.request.top_p", .double(p))) }
        if let host = baseURL.host {
            a.append(Attribute("server.address", .string(host)))
            a.append(Attribute("server.port", .int(Int64(baseURL.port ?? (baseURL.scheme == "https" ? 443 : 80)))))
        }
        if captureMessageContent {
            let input = request.messages.map { GenAIMessage(role: $0.role, text: $0.content, finishReason: nil) }
            a.append(Attribute("gen_ai.input.messages", .string(GenAIMessage.json(input))))
        }
        return a
    }

    private func perform(_ request: ChatRequest, stream: Bool, span: AISpan,
                         onDelta: @escaping @Sendable (String) -> Void) async throws(OpenAIError) -> ChatCompletion {
        // The seed's prompt event: the start of the system message and the last user message's length.
        var prompt: [Attribute] = []
        if captureMessageContent, let system = request.messages.first(where: { $0.role == "system" }) {
            prompt.append(Attribute("system", .string(String(system.content.prefix(100)))))
        }
        let userLength = request.messages.last(where: { $0.role == "user" })?.content.count ?? 0
        prompt.append(Attribute("user_length", .int(Int64(userLength))))
        span.addEvent("prompt", attributes: prompt)

        let urlRequest = try makeURLRequest(request, stream: stream)
        let started = nowNanos()
        do throws(OpenAIError) {
            var parser = ResponseParser(stream: stream)
            var firstTokenNanos: Int64?
            do {
                for try await event in HTTPTransport.send(urlRequest, timeout: timeout) {
                    switch event {
                    case .head(let status, let headers):
                        parser.status = status
                        parser.headers = headers
                        span.setAttribute("http.response.status_code", .int(Int64(status)))
                    case .body(let data):
                        for delta in try parser.feed(data) where !delta.isEmpty {
                            if firstTokenNanos == nil {
                                let now = nowNanos()
                                firstTokenNanos = now - started
                                span.addEvent("gen_ai.first_token", at: now)
                            }
                            onDelta(delta)
                        }
                    }
                }
            } catch let e as OpenAIError {
                throw e
            } catch let e as URLError where e.code == .timedOut {
                throw .timeout(seconds: timeout)
            } catch {
                throw .transport(String(describing: error))
            }
            var completion = try parser.finish()
            completion.timeToFirstTokenNanos = stream ? firstTokenNanos : nil
            completion.costUSD = completion.usage.flatMap {
                cost(responseModel: completion.model, requestModel: request.model, usage: $0)
            }
            record(completion, request: request, span: span)
            return completion
        } catch {
            span.setAttribute("error.type", .string(error.errorType))
            throw error
        }
    }

    private func makeURLRequest(_ request: ChatRequest, stream: Bool) throws(OpenAIError) -> URLRequest {
        var r = URLRequest(url: baseURL.appendingPathComponent("chat/completions"))
        r.httpMethod = "POST"
        r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if stream { r.setValue("text/event-stream", forHTTPHeaderField: "Accept") }
        if let apiKey { r.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        if propagateContext {
            var headers: [String: String] = [:]
            tracer.propagator.inject(into: &headers)
            for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        }
        let body = RequestBody(model: request.model, messages: request.messages, temperature: request.temperature,
                               max_tokens: request.maxTokens, top_p: request.topP, stream: stream ? true : nil,
                               stream_options: stream ? .init(include_usage: true) : nil)
        do {
            r.httpBody = try JSONEncoder().encode(body)
        } catch {
            throw .transport("cannot encode the request: \(error)")
        }
        return r
    }

    private func record(_ completion: ChatCompletion, request: ChatRequest, span: AISpan) {
        if !completion.model.isEmpty { span.setAttribute("gen_ai.response.model", .string(completion.model)) }
        if !completion.id.isEmpty { span.setAttribute("gen_ai.response.id", .string(completion.id)) }
        if let reason = completion.finishReason {
            span.setAttribute("gen_ai.response.finish_reasons", .array([.string(reason)]))
        }
        if let ttft = completion.timeToFirstTokenNanos {
            span.setAttribute("gen_ai.response.time_to_first_chunk", .double(Double(ttft) / 1e9))
        }
        if let usage = completion.usage {
            span.setAIMetrics(model: completion.model.isEmpty ? request.model : completion.model,
                              promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
                              cost: completion.costUSD)
        }
        span.addEvent("response", attributes: [
            Attribute("finish_reason", .string(completion.finishReason ?? "")),
            Attribute("response_length", .int(Int64(completion.content.count))),
        ])
        if captureMessageContent {
            let out = [GenAIMessage(role: "assistant", text: completion.content, finishReason: completion.finishReason)]
            span.setAttribute("gen_ai.output.messages", .string(GenAIMessage.json(out)))
        }
    }

    /// Cost of `usage` at the tracer's prices: the model that answered first, else the one asked for.
    func cost(responseModel: String, requestModel: String, usage: ChatUsage) -> Double? {
        let price = tracer.prices.price(for: responseModel) ?? tracer.prices.price(for: requestModel)
        return price?.cost(input: Int64(usage.promptTokens), output: Int64(usage.completionTokens))
    }

    /// Parses a response body, whole or as server-sent events, and maps error statuses.
    struct ResponseParser {
        let stream: Bool
        var status = 0
        var headers: [String: String] = [:]
        var raw = Data()
        var pending = Data()
        var id = "", model = "", content = "", finishReason: String?
        var usage: ChatUsage?
        var sawDone = false
        var sawChunk = false

        init(stream: Bool) { self.stream = stream }

        /// Largest body (or unfinished event line) accepted: a server that sends more is broken.
        static let maxBodyBytes = 64 << 20

        var isSuccess: Bool { (200..<300).contains(status) }

        /// Takes body bytes; returns the content deltas they completed (streams only).
        mutating func feed(_ data: Data) throws(OpenAIError) -> [String] {
            guard stream, isSuccess else {
                raw.append(data)
                if raw.count > ResponseParser.maxBodyBytes {
                    throw .malformedResponse("body larger than \(ResponseParser.maxBodyBytes >> 20) MB")
                }
                return []
            }
            pending.append(data)
            if pending.count > ResponseParser.maxBodyBytes {
                throw .malformedResponse("event line longer than \(ResponseParser.maxBodyBytes >> 20) MB")
            }
            var deltas: [String] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                var line = pending[pending.startIndex..<newline]
                pending = pending[pending.index(after: newline)...]
                if line.last == 0x0D { line = line.dropLast() }
                // SSE: only `data:` lines matter here; comments (`:`) and blank separators are skipped.
                guard line.starts(with: Array("data:".utf8)) else { continue }
                var payload = line.dropFirst(5)
                if payload.first == 0x20 { payload = payload.dropFirst() }
                if payload.elementsEqual("[DONE]".utf8) {
                    sawDone = true
                    continue
                }
                if let d = try chunk(Data(payload)) { deltas.append(d) }
            }
            return deltas
        }

        mutating func chunk(_ payload: Data) throws(OpenAIError) -> String? {
            let c: StreamChunk
            do {
                c = try JSONDecoder().decode(StreamChunk.self, from: payload)
            } catch {
                throw .malformedResponse("stream chunk is not a chat completion chunk: \(ResponseParser.snippet(payload))")
            }
            sawChunk = true
            if let v = c.id, !v.isEmpty { id = v }
            if let v = c.model, !v.isEmpty { model = v }
            if let u = c.usage { usage = ChatUsage(promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens) }
            guard let choice = c.choices?.first else { return nil }
            if let r = choice.finish_reason { finishReason = r }
            if let text = choice.delta?.content {
                content += text
                return text
            }
            return nil
        }

        func finish() throws(OpenAIError) -> ChatCompletion {
            guard isSuccess else { throw ResponseParser.error(status: status, body: raw, headers: headers) }
            if stream {
                guard sawChunk else { throw .malformedResponse("the event stream held no chat completion chunks") }
                return ChatCompletion(id: id, model: model, content: content, finishReason: finishReason, usage: usage)
            }
            let body: CompletionBody
            do {
                body = try JSONDecoder().decode(CompletionBody.self, from: raw)
            } catch {
                throw .malformedResponse("body is not a chat completion: \(ResponseParser.snippet(raw))")
            }
            let choice = body.choices.first
            let usage = body.usage.map {
                ChatUsage(promptTokens: $0.prompt_tokens, completionTokens: $0.completion_tokens,
                          totalTokens: $0.total_tokens ?? $0.prompt_tokens + $0.completion_tokens)
            }
            return ChatCompletion(id: body.id ?? "", model: body.model ?? "", content: choice?.message?.content ?? "",
                                  finishReason: choice?.finish_reason, usage: usage)
        }

        static func error(status: Int, body: Data, headers: [String: String]) -> OpenAIError {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: body))?.error.message ?? snippet(body)
            switch status {
            case 401: return .unauthorized(message: message)
            case 429: return .rateLimited(message: message, retryAfter: headers["retry-after"])
            case 500...599: return .serverError(status: status, message: message)
            case 0: return .transport("no HTTP response")
            default: return .httpError(status: status, message: message)
            }
        }

        /// The start of a body for an error message, control characters removed.
        static func snippet(_ data: Data) -> String {
            let text = String(decoding: data.prefix(300), as: UTF8.self)
            let clean = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            return clean.isEmpty ? "(empty body)" : clean + (data.count > 300 ? "…" : "")
        }
    }
}

// MARK: Wire shapes (OpenAI chat completions API: platform.openai.com/docs/api-reference/chat)

struct RequestBody: Encodable {
    struct StreamOptions: Encodable { var include_usage: Bool }
    var model: String
    var messages: [ChatMessage]
    var temperature: Double?
    var max_tokens: Int?
    var top_p: Double?
    var stream: Bool?
    var stream_options: StreamOptions?
}

struct UsageBody: Decodable {
    var prompt_tokens: Int
    var completion_tokens: Int
    var total_tokens: Int?
}

struct CompletionBody: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable { var content: String? }
        var message: Message?
        var finish_reason: String?
    }
    var id: String?
    var model: String?
    var choices: [Choice]
    var usage: UsageBody?
}

struct StreamChunk: Decodable {
    struct Choice: Decodable {
        struct Delta: Decodable { var content: String? }
        var delta: Delta?
        var finish_reason: String?
    }
    var id: String?
    var model: String?
    var choices: [Choice]?
    var usage: UsageBody?
}

struct ErrorBody: Decodable {
    struct Detail: Decodable { var message: String }
    var error: Detail
}

/// A message in the GenAI "parts" shape that `gen_ai.input.messages` and `gen_ai.output.messages`
/// hold (semconv gen-ai input/output messages JSON schema): role, parts of type `text` with
/// `content`, and `finish_reason` on output messages.
struct GenAIMessage: Encodable {
    struct Part: Encodable {
        var type = "text"
        var content: String
    }
    var role: String
    var parts: [Part]
    var finish_reason: String?

    init(role: String, text: String, finishReason: String?) {
        self.role = role
        parts = [Part(content: text)]
        finish_reason = finishReason
    }

    static func json(_ messages: [GenAIMessage]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(messages) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}
