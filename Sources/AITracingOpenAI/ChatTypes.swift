/// One chat message.
public struct ChatMessage: Hashable, Sendable, Codable {
    /// `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    /// A user message.
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    /// An assistant message.
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }
}

/// A chat completions request (the parameters this client sends and records).
public struct ChatRequest: Hashable, Sendable {
    /// The model asked for.
    public var model: String
    /// The conversation.
    public var messages: [ChatMessage]
    /// Sampling temperature, when set.
    public var temperature: Double?
    /// Most tokens to generate, when set.
    public var maxTokens: Int?
    /// Nucleus sampling, when set.
    public var topP: Double?

    /// Creates a request.
    public init(model: String, messages: [ChatMessage], temperature: Double? = nil, maxTokens: Int? = nil, topP: Double? = nil) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.topP = topP
    }
}

/// Token usage the server reported.
public struct ChatUsage: Hashable, Sendable {
    /// Input tokens.
    public var promptTokens: Int
    /// Output tokens.
    public var completionTokens: Int
    /// Their sum as reported.
    public var totalTokens: Int

    /// Creates usage figures.
    public init(promptTokens: Int, completionTokens: Int, totalTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
    }
}

/// The answer to a chat completions request.
public struct ChatCompletion: Hashable, Sendable {
    /// The provider's response id.
    public var id: String
    /// The model that answered.
    public var model: String
    /// The first choice's text.
    public var content: String
    /// Why generation stopped (`stop`, `length`, …), when said.
    public var finishReason: String?
    /// Usage, when reported (streams report it only with `stream_options.include_usage`).
    public var usage: ChatUsage?
    /// Cost in USD from the price table, nil when the model is unpriced or usage unknown.
    public var costUSD: Double?
    /// For streams: nanoseconds from sending the request to the first content chunk.
    public var timeToFirstTokenNanos: Int64?
}

/// A failed chat completion. The call's span is left with status ERROR and this error's text.
public enum OpenAIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 401: the API key is missing or wrong.
    case unauthorized(message: String)
    /// 429: too many requests or quota exhausted; `retryAfter` is the header's value, if sent.
    case rateLimited(message: String, retryAfter: String?)
    /// 5xx: the server failed.
    case serverError(status: Int, message: String)
    /// Any other non-2xx status.
    case httpError(status: Int, message: String)
    /// No answer within the timeout.
    case timeout(seconds: Double)
    /// The body was not the JSON (or SSE) a chat completions endpoint returns.
    case malformedResponse(String)
    /// The request could not be sent or the connection broke.
    case transport(String)

    /// The HTTP status code, for errors that have one.
    public var statusCode: Int? {
        switch self {
        case .unauthorized: return 401
        case .rateLimited: return 429
        case .serverError(let s, _), .httpError(let s, _): return s
        default: return nil
        }
    }

    /// The GenAI `error.type` value: the status code, or a short name.
    public var errorType: String {
        if let code = statusCode { return String(code) }
        switch self {
        case .timeout: return "timeout"
        case .malformedResponse: return "malformed_response"
        default: return "transport_error"
        }
    }

    /// One line saying what failed.
    public var description: String {
        switch self {
        case .unauthorized(let m): return "HTTP 401 unauthorized: \(m)"
        case .rateLimited(let m, let after): return "HTTP 429 rate limited: \(m)" + (after.map { " (retry after \($0))" } ?? "")
        case .serverError(let s, let m): return "HTTP \(s) server error: \(m)"
        case .httpError(let s, let m): return "HTTP \(s): \(m)"
        case .timeout(let s): return "no response within \(s) s"
        case .malformedResponse(let m): return "malformed response: \(m)"
        case .transport(let m): return "request failed: \(m)"
        }
    }
}
