/// The attribute conventions an LLM call was read from; a span may carry several.
public struct LLMConvention: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// OpenTelemetry GenAI semantic conventions (`gen_ai.*`).
    public static let genAI = LLMConvention(rawValue: 1)
    /// Arize OpenInference (`llm.*`, `input.value`, `output.value`).
    public static let openInference = LLMConvention(rawValue: 2)
    /// Traceloop OpenLLMetry (`gen_ai.prompt.N.*`, `llm.usage.*`).
    public static let openLLMetry = LLMConvention(rawValue: 4)
    /// The seed's tracer (`ai.*`, `ai_metrics`).
    public static let seed = LLMConvention(rawValue: 8)

    /// Short names of the conventions present, for display.
    public var names: [String] {
        var out: [String] = []
        if contains(.genAI) { out.append("GenAI") }
        if contains(.openInference) { out.append("OpenInference") }
        if contains(.openLLMetry) { out.append("OpenLLMetry") }
        if contains(.seed) { out.append("seed") }
        return out
    }
}

/// One part of a chat message.
public enum MessagePart: Hashable, Sendable {
    /// Plain text.
    case text(String)
    /// A request from the model to call a tool.
    case toolCall(id: String, name: String, arguments: String)
    /// The result of a tool call sent back to the model.
    case toolResult(id: String, content: String)
    /// Any other part (image, audio, reasoning, …), kept as type plus its text form.
    case other(type: String, content: String)

    /// The text a reader sees for this part.
    public var displayText: String {
        switch self {
        case .text(let t): return t
        case .toolCall(let id, let name, let args):
            return "→ tool call \(name)(\(args))" + (id.isEmpty ? "" : " [\(id)]")
        case .toolResult(let id, let content):
            return "← tool result" + (id.isEmpty ? "" : " [\(id)]") + ": " + content
        case .other(let type, let content): return "[\(type)] " + content
        }
    }
}

/// A chat message sent to or received from a model.
public struct LLMMessage: Hashable, Sendable {
    /// `system`, `user`, `assistant`, `tool`, …
    public var role: String
    /// Message content in order.
    public var parts: [MessagePart]
    /// Why generation stopped, for output messages that say so.
    public var finishReason: String?
    /// Tool or participant name, when given.
    public var name: String?

    /// Creates a message.
    public init(role: String, parts: [MessagePart], finishReason: String? = nil, name: String? = nil) {
        self.role = role
        self.parts = parts
        self.finishReason = finishReason
        self.name = name
    }

    /// A text-only message.
    public init(role: String, text: String, finishReason: String? = nil) {
        self.init(role: role, parts: [.text(text)], finishReason: finishReason)
    }

    /// All parts joined for display and search.
    public var text: String { parts.map(\.displayText).joined(separator: "\n") }
}

/// An LLM call normalised from whichever conventions its span used.
public struct LLMCall: Hashable, Sendable {
    /// Operation: `chat`, `text_completion`, `embeddings`, `execute_tool`, … (nil when unknown).
    public var operation: String?
    /// Provider or system: `openai`, `anthropic`, `gcp.vertex_ai`, …
    public var provider: String?
    /// The model asked for.
    public var requestModel: String?
    /// The model that answered (often a dated variant of the requested one).
    public var responseModel: String?
    /// Input (prompt) tokens.
    public var promptTokens: Int64?
    /// Output (completion) tokens.
    public var completionTokens: Int64?
    /// Total tokens, when recorded.
    public var recordedTotalTokens: Int64?
    /// Input tokens served from the provider's prompt cache. Part of `promptTokens`: the
    /// normaliser adds them in for sources that report them apart (Anthropic's raw usage).
    public var cacheReadTokens: Int64?
    /// Input tokens written to the provider's prompt cache (Anthropic's cache creation); part of `promptTokens`.
    public var cacheWriteTokens: Int64?
    /// Output tokens spent on reasoning (hidden thinking); part of `completionTokens`.
    public var reasoningTokens: Int64?
    /// Audio tokens in the input; part of `promptTokens`.
    public var audioInputTokens: Int64?
    /// Audio tokens in the output; part of `completionTokens`.
    public var audioOutputTokens: Int64?
    /// Cost in USD when the trace recorded one.
    public var recordedCostUSD: Double?
    /// Messages sent to the model.
    public var inputMessages: [LLMMessage]
    /// Messages the model produced.
    public var outputMessages: [LLMMessage]
    /// Request parameters under neutral names (`temperature`, `max_tokens`, `top_p`, …).
    public var parameters: [Attribute]
    /// Finish reasons, one per choice.
    public var finishReasons: [String]
    /// Provider's response id.
    public var responseID: String?
    /// Time to first token (streaming), when recorded.
    public var timeToFirstTokenNanos: Int64?
    /// Which conventions contributed.
    public var conventions: LLMConvention

    /// Creates a call; every field is optional.
    public init(operation: String? = nil, provider: String? = nil, requestModel: String? = nil,
                responseModel: String? = nil, promptTokens: Int64? = nil, completionTokens: Int64? = nil,
                recordedTotalTokens: Int64? = nil, recordedCostUSD: Double? = nil,
                inputMessages: [LLMMessage] = [], outputMessages: [LLMMessage] = [],
                parameters: [Attribute] = [], finishReasons: [String] = [], responseID: String? = nil,
                timeToFirstTokenNanos: Int64? = nil, conventions: LLMConvention = [],
                cacheReadTokens: Int64? = nil, cacheWriteTokens: Int64? = nil, reasoningTokens: Int64? = nil) {
        self.operation = operation
        self.provider = provider
        self.requestModel = requestModel
        self.responseModel = responseModel
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.recordedTotalTokens = recordedTotalTokens
        self.recordedCostUSD = recordedCostUSD
        self.inputMessages = inputMessages
        self.outputMessages = outputMessages
        self.parameters = parameters
        self.finishReasons = finishReasons
        self.responseID = responseID
        self.timeToFirstTokenNanos = timeToFirstTokenNanos
        self.conventions = conventions
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
    }

    /// Input tokens not served from or written to a cache: what the base input rate prices.
    public var uncachedPromptTokens: Int64 {
        max(0, (promptTokens ?? 0) &- (cacheReadTokens ?? 0) &- (cacheWriteTokens ?? 0))
    }

    /// The model to report: the response model when known, else the requested one.
    public var model: String? { responseModel ?? requestModel }

    /// Total tokens: recorded total, else prompt + completion.
    public var totalTokens: Int64 {
        if let t = recordedTotalTokens { return t }
        return (promptTokens ?? 0) &+ (completionTokens ?? 0)
    }
}
