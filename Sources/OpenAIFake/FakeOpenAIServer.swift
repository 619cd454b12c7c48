import Foundation
import LocalHTTP
import TraceModel

/// A stand-in for an OpenAI-compatible chat completions server, on a free loopback port, for
/// tests and the example. It answers `POST /v1/chat/completions` as scripted, whole or as
/// server-sent events, and stops by itself after `maxRequests` requests or `lifetime`.
///
/// Token counts are words (whitespace-separated) in the messages and the reply: not a real
/// tokenizer, but deterministic, so tests can check the numbers.
public final class FakeOpenAIServer: Sendable {
    /// A request as the fake saw it.
    public struct Request: Sendable {
        /// The `model` field.
        public var model: String
        /// `(role, content)` of each message.
        public var messages: [(role: String, content: String)]
        /// True when `stream` was set.
        public var stream: Bool
        /// True when `stream_options.include_usage` was set.
        public var includeUsage: Bool
        /// All request headers.
        public var headers: [(name: String, value: String)]

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// How to answer one request.
    public indirect enum Reply: Sendable {
        /// A completion with this text (streamed word by word when the request asked for a stream).
        case text(String, model: String? = nil, finishReason: String = "stop")
        /// An error status with an OpenAI-style error body.
        case status(Int, message: String, headers: [(name: String, value: String)] = [])
        /// Status 200 with this body as it is (for malformed responses).
        case raw(String, contentType: String = "application/json")
        /// Waits, then answers with `then`.
        case delayed(Duration, then: Reply)
    }

    /// Picks the reply for a request.
    public typealias Script = @Sendable (Request) -> Reply

    /// The default script: "Echo: " and the last user message.
    public static let echo: Script = { request in
        .text("Echo: " + (request.messages.last { $0.role == "user" }?.content ?? ""))
    }

    private let server: LocalHTTPServer
    private let state: Locked<[Request]>
    private let stopper: Locked<Task<Void, Never>?>

    /// Requests served so far, in order.
    public var requests: [Request] { state.withLock { $0 } }

    /// `http://127.0.0.1:PORT/v1`, the base URL a client is given.
    public var baseURL: String { server.baseURL + "/v1" }

    private init(server: LocalHTTPServer) {
        self.server = server
        self.state = Locked([])
        self.stopper = Locked(nil)
    }

    /// Starts the fake on a free loopback port.
    ///
    /// - Parameters:
    ///   - maxRequests: requests answered; later ones get 503.
    ///   - lifetime: after this the server shuts itself down.
    ///   - apiKey: when set, requests without `Authorization: Bearer <apiKey>` get 401.
    ///   - streamDelay: pause between streamed chunks.
    public static func start(maxRequests: Int = 100, lifetime: Duration = .seconds(120), apiKey: String? = nil,
                             streamDelay: Duration = .milliseconds(2), script: @escaping Script = echo) async throws -> FakeOpenAIServer {
        let log = Counter()
        let server = try await LocalHTTPServer.start(maxBodyBytes: 1 << 20) { http in
            await answer(http, log: log, maxRequests: maxRequests, apiKey: apiKey, streamDelay: streamDelay, script: script)
        }
        let fake = FakeOpenAIServer(server: server)
        log.attach(fake)
        let stop = Task { [weak fake] in
            try? await Task.sleep(for: lifetime)
            await fake?.shutdown()
        }
        fake.stopper.withLock { $0 = stop }
        return fake
    }

    /// Stops the server.
    public func shutdown() async {
        stopper.withLock { $0?.cancel() }
        await server.shutdown()
    }

    fileprivate func note(_ r: Request) -> Int {
        state.withLock { $0.append(r); return $0.count }
    }

    private static func answer(_ http: HTTPRequest, log: Counter, maxRequests: Int, apiKey: String?,
                               streamDelay: Duration, script: Script) async -> HTTPResponse {
        guard http.method == "POST", http.path.hasSuffix("/chat/completions") else {
            return errorResponse(404, "no route for \(http.method) \(http.path)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(http.body)) as? [String: Any],
              let model = json["model"] as? String, let rawMessages = json["messages"] as? [[String: Any]] else {
            return errorResponse(400, "body is not a chat completions request")
        }
        let options = json["stream_options"] as? [String: Any]
        let request = Request(model: model,
                              messages: rawMessages.map { ($0["role"] as? String ?? "", $0["content"] as? String ?? "") },
                              stream: json["stream"] as? Bool ?? false,
                              includeUsage: options?["include_usage"] as? Bool ?? false,
                              headers: http.headers)
        let served = log.note(request)
        guard served <= maxRequests else { return errorResponse(503, "fake server request limit (\(maxRequests)) reached") }
        if let apiKey, http.header("Authorization") != "Bearer \(apiKey)" {
            return errorResponse(401, "Incorrect API key provided")
        }
        return await respond(script(request), to: request, streamDelay: streamDelay, id: "chatcmpl-fake-\(served)")
    }

    private static func respond(_ reply: Reply, to request: Request, streamDelay: Duration, id: String) async -> HTTPResponse {
        switch reply {
        case .delayed(let d, let then):
            try? await Task.sleep(for: d)
            return await respond(then, to: request, streamDelay: streamDelay, id: id)
        case .status(let code, let message, let headers):
            var r = errorResponse(code, message)
            r.headers += headers
            return r
        case .raw(let body, let type):
            return HTTPResponse.text(body, contentType: type)
        case .text(let text, let model, let finish):
            let answeredBy = model ?? request.model + "-fake-2026-01-01"
            let prompt = request.messages.reduce(0) { $0 + words($1.content) }
            let completion = words(text)
            let usage: [String: Int] = ["prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion]
            if !request.stream {
                let body: [String: Any] = [
                    "id": id, "object": "chat.completion", "model": answeredBy,
                    "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": finish]],
                    "usage": usage,
                ]
                return HTTPResponse.text(jsonText(body), contentType: "application/json")
            }
            let pieces = text.split(separator: " ", omittingEmptySubsequences: false).enumerated().map { i, w in i == 0 ? String(w) : " " + w }
            let includeUsage = request.includeUsage
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream { writer in
                func event(_ object: [String: Any]) async throws { try await writer.write("data: " + jsonText(object) + "\n\n") }
                for piece in pieces {
                    try await Task.sleep(for: streamDelay)
                    try await event(["id": id, "object": "chat.completion.chunk", "model": answeredBy,
                                     "choices": [["index": 0, "delta": ["content": piece]]]])
                }
                try await event(["id": id, "object": "chat.completion.chunk", "model": answeredBy,
                                 "choices": [["index": 0, "delta": [String: Any](), "finish_reason": finish]]])
                if includeUsage {
                    try await event(["id": id, "object": "chat.completion.chunk", "model": answeredBy,
                                     "choices": [[String: Any]](), "usage": usage])
                }
                try await writer.write("data: [DONE]\n\n")
            })
        }
    }

    static func errorResponse(_ status: Int, _ message: String) -> HTTPResponse {
        HTTPResponse.text(jsonText(["error": ["message": message, "type": "fake_error", "code": status]]),
                          status: status, contentType: "application/json")
    }

    static func words(_ s: String) -> Int { s.split(whereSeparator: \.isWhitespace).count }

    static func jsonText(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Forwards request notes to the server object once it exists (the handler starts first).
private final class Counter: Sendable {
    private let target = Locked<FakeOpenAIServer?>(nil)
    private let early = Locked(0)

    func attach(_ s: FakeOpenAIServer) { target.withLock { $0 = s } }

    func note(_ r: FakeOpenAIServer.Request) -> Int {
        if let s = target.withLock({ $0 }) { return s.note(r) }
        return early.withLock { $0 += 1; return $0 }
    }
}
