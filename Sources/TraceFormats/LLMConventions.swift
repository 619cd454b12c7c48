import TraceModel

/// Maps every LLM attribute convention we know into `LLMCall`, from one table.
///
/// Sources for the names (see also Sources/TraceFormats/CONVENTIONS.md):
/// - OpenTelemetry GenAI semantic conventions, open-telemetry/semantic-conventions docs/gen-ai/
///   (both the current `gen_ai.provider.name`/`input_tokens` names and the older
///   `gen_ai.system`/`prompt_tokens` ones, which instrumentations still emit).
/// - OpenInference, Arize-ai/openinference spec/semantic_conventions.md.
/// - OpenLLMetry, traceloop/openllmetry packages/opentelemetry-semantic-conventions-ai.
/// - The seed's tracer (`ai.*` attributes, `ai_model`, `ai_metrics`, `prompt`/`response` events).
public enum LLMConventions {
    /// The fields a table row can fill.
    enum Field: Equatable {
        case operation, provider, requestModel, responseModel
        case promptTokens, completionTokens, totalTokens, cost
        case responseID, finishReasons
        case timeToFirstToken(scale: Int64)   // multiplier to nanoseconds
        case parameter(String)
        case inputMessages, outputMessages, systemInstructions
        case invocationParameters              // JSON object of parameters
        case inputValue, outputValue           // whole request/response bodies (OpenInference)
        case spanKindLLM                       // marks the span as an LLM call by kind alone
    }

    struct Rule {
        let key: String
        let field: Field
        let convention: LLMConvention
    }

    /// The table. For each field, earlier rows win over later ones.
    static let rules: [Rule] = [
        // Operation
        Rule(key: "gen_ai.operation.name", field: .operation, convention: .genAI),
        Rule(key: "llm.request.type", field: .operation, convention: .openLLMetry),
        // Provider / system
        Rule(key: "gen_ai.provider.name", field: .provider, convention: .genAI),
        Rule(key: "gen_ai.system", field: .provider, convention: .genAI),
        Rule(key: "llm.provider", field: .provider, convention: .openInference),
        Rule(key: "llm.system", field: .provider, convention: .openInference),
        Rule(key: "ai.model.provider", field: .provider, convention: .genAI),
        // Models
        Rule(key: "gen_ai.request.model", field: .requestModel, convention: .genAI),
        Rule(key: "llm.request.model", field: .requestModel, convention: .openLLMetry),
        Rule(key: "ai.model", field: .requestModel, convention: .seed),
        Rule(key: "ai_model", field: .requestModel, convention: .seed),
        Rule(key: "ai_metrics.model", field: .requestModel, convention: .seed),
        Rule(key: "ai.model.id", field: .requestModel, convention: .genAI),
        Rule(key: "gen_ai.response.model", field: .responseModel, convention: .genAI),
        Rule(key: "llm.response.model", field: .responseModel, convention: .openLLMetry),
        Rule(key: "llm.model_name", field: .responseModel, convention: .openInference),
        Rule(key: "ai.response.model", field: .responseModel, convention: .genAI),
        // Tokens
        Rule(key: "gen_ai.usage.input_tokens", field: .promptTokens, convention: .genAI),
        Rule(key: "gen_ai.usage.prompt_tokens", field: .promptTokens, convention: .openLLMetry),
        Rule(key: "llm.token_count.prompt", field: .promptTokens, convention: .openInference),
        Rule(key: "llm.usage.prompt_tokens", field: .promptTokens, convention: .openLLMetry),
        Rule(key: "ai.prompt_tokens", field: .promptTokens, convention: .seed),
        Rule(key: "ai.usage.promptTokens", field: .promptTokens, convention: .genAI),
        Rule(key: "ai.usage.inputTokens", field: .promptTokens, convention: .genAI),
        Rule(key: "gen_ai.usage.output_tokens", field: .completionTokens, convention: .genAI),
        Rule(key: "gen_ai.usage.completion_tokens", field: .completionTokens, convention: .openLLMetry),
        Rule(key: "llm.token_count.completion", field: .completionTokens, convention: .openInference),
        Rule(key: "llm.usage.completion_tokens", field: .completionTokens, convention: .openLLMetry),
        Rule(key: "ai.completion_tokens", field: .completionTokens, convention: .seed),
        Rule(key: "ai.usage.completionTokens", field: .completionTokens, convention: .genAI),
        Rule(key: "ai.usage.outputTokens", field: .completionTokens, convention: .genAI),
        Rule(key: "gen_ai.usage.total_tokens", field: .totalTokens, convention: .genAI),
        Rule(key: "llm.usage.total_tokens", field: .totalTokens, convention: .openLLMetry),
        Rule(key: "llm.token_count.total", field: .totalTokens, convention: .openInference),
        Rule(key: "ai.total_tokens", field: .totalTokens, convention: .seed),
        Rule(key: "ai_metrics.tokens", field: .totalTokens, convention: .seed),
        Rule(key: "ai.usage.totalTokens", field: .totalTokens, convention: .genAI),
        // Cost recorded by the instrumentation
        Rule(key: "gen_ai.usage.cost", field: .cost, convention: .genAI),
        Rule(key: "llm.cost.total", field: .cost, convention: .openInference),
        Rule(key: "ai.cost_usd", field: .cost, convention: .seed),
        Rule(key: "ai_metrics.cost", field: .cost, convention: .seed),
        // Response
        Rule(key: "gen_ai.response.id", field: .responseID, convention: .genAI),
        Rule(key: "ai.response.id", field: .responseID, convention: .genAI),
        Rule(key: "gen_ai.response.finish_reasons", field: .finishReasons, convention: .genAI),
        Rule(key: "llm.response.finish_reason", field: .finishReasons, convention: .openLLMetry),
        Rule(key: "ai.response.finishReason", field: .finishReasons, convention: .genAI),
        Rule(key: "gen_ai.response.time_to_first_chunk", field: .timeToFirstToken(scale: 1_000_000_000), convention: .genAI),
        Rule(key: "gen_ai.server.time_to_first_token", field: .timeToFirstToken(scale: 1_000_000_000), convention: .genAI),
        Rule(key: "llm.openai.time_to_first_token", field: .timeToFirstToken(scale: 1_000_000_000), convention: .openLLMetry),
        Rule(key: "ai.response.msToFirstChunk", field: .timeToFirstToken(scale: 1_000_000), convention: .genAI),
        Rule(key: "ai.time_to_first_token_ms", field: .timeToFirstToken(scale: 1_000_000), convention: .seed),
        // Parameters
        Rule(key: "gen_ai.request.temperature", field: .parameter("temperature"), convention: .genAI),
        Rule(key: "llm.request.temperature", field: .parameter("temperature"), convention: .openLLMetry),
        Rule(key: "ai.temperature", field: .parameter("temperature"), convention: .seed),
        Rule(key: "gen_ai.request.max_tokens", field: .parameter("max_tokens"), convention: .genAI),
        Rule(key: "llm.request.max_tokens", field: .parameter("max_tokens"), convention: .openLLMetry),
        Rule(key: "ai.max_tokens", field: .parameter("max_tokens"), convention: .seed),
        Rule(key: "gen_ai.request.top_p", field: .parameter("top_p"), convention: .genAI),
        Rule(key: "llm.top_p", field: .parameter("top_p"), convention: .openLLMetry),
        Rule(key: "gen_ai.request.top_k", field: .parameter("top_k"), convention: .genAI),
        Rule(key: "llm.top_k", field: .parameter("top_k"), convention: .openLLMetry),
        Rule(key: "gen_ai.request.frequency_penalty", field: .parameter("frequency_penalty"), convention: .genAI),
        Rule(key: "llm.frequency_penalty", field: .parameter("frequency_penalty"), convention: .openLLMetry),
        Rule(key: "gen_ai.request.presence_penalty", field: .parameter("presence_penalty"), convention: .genAI),
        Rule(key: "llm.presence_penalty", field: .parameter("presence_penalty"), convention: .openLLMetry),
        Rule(key: "gen_ai.request.stop_sequences", field: .parameter("stop"), convention: .genAI),
        Rule(key: "llm.chat.stop_sequences", field: .parameter("stop"), convention: .openLLMetry),
        Rule(key: "gen_ai.request.seed", field: .parameter("seed"), convention: .genAI),
        Rule(key: "gen_ai.request.choice.count", field: .parameter("n"), convention: .genAI),
        Rule(key: "gen_ai.request.encoding_formats", field: .parameter("encoding_formats"), convention: .genAI),
        Rule(key: "gen_ai.output.type", field: .parameter("output_type"), convention: .genAI),
        Rule(key: "llm.is_streaming", field: .parameter("stream"), convention: .openLLMetry),
        Rule(key: "gen_ai.request.stream", field: .parameter("stream"), convention: .genAI),
        Rule(key: "ai.messages_count", field: .parameter("messages_count"), convention: .seed),
        Rule(key: "llm.invocation_parameters", field: .invocationParameters, convention: .openInference),
        // Messages
        Rule(key: "gen_ai.input.messages", field: .inputMessages, convention: .genAI),
        Rule(key: "gen_ai.prompt", field: .inputMessages, convention: .genAI),
        Rule(key: "ai.prompt.messages", field: .inputMessages, convention: .genAI),
        Rule(key: "gen_ai.output.messages", field: .outputMessages, convention: .genAI),
        Rule(key: "gen_ai.completion", field: .outputMessages, convention: .genAI),
        Rule(key: "gen_ai.system_instructions", field: .systemInstructions, convention: .genAI),
        Rule(key: "input.value", field: .inputValue, convention: .openInference),
        Rule(key: "output.value", field: .outputValue, convention: .openInference),
        Rule(key: "ai.response.text", field: .outputValue, convention: .genAI),
        Rule(key: "openinference.span.kind", field: .spanKindLLM, convention: .openInference),
    ]

    /// Row lookup by key, with each row's rank (its position) for "earlier wins".
    static let byKey: [String: (rank: Int, rule: Rule)] = {
        var d: [String: (Int, Rule)] = [:]
        for (i, r) in rules.enumerated() where d[r.key] == nil { d[r.key] = (i, r) }
        return d
    }()

    /// Prefixes of flattened message attributes: `<prefix><index>.<rest>`.
    enum FlatFamily: CaseIterable {
        case openInferenceInput, openInferenceOutput, openLLMetryPrompt, openLLMetryCompletion

        var prefix: String {
            switch self {
            case .openInferenceInput: return "llm.input_messages."
            case .openInferenceOutput: return "llm.output_messages."
            case .openLLMetryPrompt: return "gen_ai.prompt."
            case .openLLMetryCompletion: return "gen_ai.completion."
            }
        }

        var convention: LLMConvention {
            switch self {
            case .openInferenceInput, .openInferenceOutput: return .openInference
            case .openLLMetryPrompt, .openLLMetryCompletion: return .openLLMetry
            }
        }

        var isInput: Bool { self == .openInferenceInput || self == .openLLMetryPrompt }
    }

    /// The LLM call a span records, or nil when it is not an LLM call.
    ///
    /// A span is an LLM call when it carries a model or token usage under any convention (a failed
    /// call with only a request model counts, with zero tokens), or is marked as an LLM span by
    /// OpenInference's span kind. Several conventions on one span make one call.
    public static func call(for span: Span) -> LLMCall? {
        var b = Builder()
        for a in span.attributes { b.take(a) }
        for e in span.events { b.take(event: e, spanStart: span.startNanos) }
        return b.finish()
    }

    /// Accumulates one span's fields; keeps the best-ranked source per field.
    struct Builder {
        var call = LLMCall()
        var ranks: [String: Int] = [:]
        var sawModelOrTokens = false
        var llmKind = false
        var inputValue: AttributeValue?
        var outputValue: AttributeValue?
        var systemInstructions: [LLMMessage] = []
        var flat: [FlatFamily: [Int: [(String, AttributeValue)]]] = [:]
        var eventInput: [LLMMessage] = []
        var eventOutput: [LLMMessage] = []
        var parameterKeys: Set<String> = []

        mutating func better(_ slot: String, _ rank: Int) -> Bool {
            if let r = ranks[slot], r <= rank { return false }
            ranks[slot] = rank
            return true
        }

        mutating func take(_ a: Attribute) {
            if let (rank, rule) = LLMConventions.byKey[a.key] {
                apply(rule, rank, a.value)
                return
            }
            // Flattened message families: only keys starting with a known prefix and a digit.
            guard a.key.utf8.count > 12 else { return }
            for family in FlatFamily.allCases where a.key.hasPrefix(family.prefix) {
                let rest = a.key.utf8.dropFirst(family.prefix.utf8.count)
                guard let dot = rest.firstIndex(of: UInt8(ascii: ".")),
                      let index = Int(String(decoding: rest[rest.startIndex..<dot], as: UTF8.self)),
                      index >= 0, index < 100_000 else { continue }
                let field = String(decoding: rest[rest.index(after: dot)...], as: UTF8.self)
                flat[family, default: [:]][index, default: []].append((field, a.value))
                call.conventions.insert(family.convention)
                return
            }
        }

        mutating func apply(_ rule: Rule, _ rank: Int, _ value: AttributeValue) {
            switch rule.field {
            case .operation:
                if let s = value.stringValue, !s.isEmpty, better("operation", rank) { call.operation = s }
            case .provider:
                if let s = value.stringValue, !s.isEmpty, better("provider", rank) { call.provider = s }
            case .requestModel:
                if let s = value.stringValue, !s.isEmpty, better("requestModel", rank) {
                    call.requestModel = s
                    sawModelOrTokens = true
                }
            case .responseModel:
                if let s = value.stringValue, !s.isEmpty, better("responseModel", rank) {
                    call.responseModel = s
                    sawModelOrTokens = true
                }
            case .promptTokens:
                if let v = value.intValue, v >= 0, better("prompt", rank) { call.promptTokens = v; sawModelOrTokens = true }
            case .completionTokens:
                if let v = value.intValue, v >= 0, better("completion", rank) { call.completionTokens = v; sawModelOrTokens = true }
            case .totalTokens:
                if let v = value.intValue, v >= 0, better("total", rank) { call.recordedTotalTokens = v; sawModelOrTokens = true }
            case .cost:
                if let v = value.doubleValue, v.isFinite, v >= 0, better("cost", rank) { call.recordedCostUSD = v }
            case .responseID:
                if let s = value.stringValue, better("responseID", rank) { call.responseID = s }
            case .finishReasons:
                if better("finish", rank) {
                    if let arr = value.arrayValue {
                        call.finishReasons = arr.compactMap(\.stringValue)
                    } else if let s = value.stringValue {
                        // Some SDKs store the list as JSON text.
                        if let parsed = JSONScanner.parse(s)?.array {
                            call.finishReasons = parsed.compactMap(\.string)
                        } else {
                            call.finishReasons = [s]
                        }
                    }
                }
            case .timeToFirstToken(let scale):
                if let d = value.doubleValue, d.isFinite, d >= 0, better("ttft", rank) {
                    call.timeToFirstTokenNanos = Int64(d * Double(scale))
                }
            case .parameter(let name):
                guard value != .empty else { return }
                if better("param." + name, rank) {
                    if let i = call.parameters.firstIndex(where: { $0.key == name }) {
                        call.parameters[i].value = value
                    } else {
                        call.parameters.append(Attribute(name, value))
                    }
                    parameterKeys.insert(name)
                }
            case .invocationParameters:
                // OpenInference keeps the whole request's parameters as one JSON object.
                guard let text = value.stringValue, case .object(let members)? = JSONScanner.parse(text) else { return }
                for (k, v) in members where !parameterKeys.contains(k) && k != "messages" {
                    if k == "model" {
                        // The model asked for; llm.model_name is the one that answered.
                        if let m = v.string, !m.isEmpty, better("requestModel", rank) { call.requestModel = m }
                        continue
                    }
                    call.parameters.append(Attribute(k, v.attributeValue))
                    parameterKeys.insert(k)
                }
            case .inputMessages:
                if better("input", rank) { call.inputMessages = MessageDecoder.messages(from: value) }
            case .outputMessages:
                if better("output", rank) { call.outputMessages = MessageDecoder.messages(from: value, defaultRole: "assistant") }
            case .systemInstructions:
                systemInstructions = MessageDecoder.systemInstructions(from: value)
            case .inputValue:
                inputValue = value
            case .outputValue:
                outputValue = value
            case .spanKindLLM:
                if let s = value.stringValue, s.uppercased() == "LLM" { llmKind = true }
                return
            }
            call.conventions.insert(rule.convention)
        }

        mutating func take(event e: SpanEvent, spanStart: Int64) {
            switch e.name {
            case "gen_ai.content.prompt":
                if let v = e.attributes[key: "gen_ai.prompt"], call.inputMessages.isEmpty {
                    eventInput += MessageDecoder.messages(from: v)
                }
            case "gen_ai.content.completion":
                if let v = e.attributes[key: "gen_ai.completion"], call.outputMessages.isEmpty {
                    eventOutput += MessageDecoder.messages(from: v, defaultRole: "assistant")
                }
            case "gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message":
                let role = e.attributes[key: "role"]?.stringValue
                    ?? String(e.name.dropFirst("gen_ai.".count).dropLast(".message".count))
                if let m = MessageDecoder.eventMessage(role: role, attributes: e.attributes) { eventInput.append(m) }
            case "gen_ai.choice":
                if let m = MessageDecoder.choiceMessage(attributes: e.attributes) {
                    eventOutput.append(m)
                    if let r = m.finishReason, !call.finishReasons.contains(r), ranks["finish"] == nil {
                        call.finishReasons.append(r)
                    }
                }
            case "gen_ai.client.inference.operation.details":
                for a in e.attributes { take(a) }
            case "llm_call_start":
                // The seed's start_llm_span records the requested model in this event.
                if let m = e.attributes[key: "model"]?.stringValue, better("requestModel", 1_000) {
                    call.requestModel = m
                    sawModelOrTokens = true
                    call.conventions.insert(.seed)
                }
            case "response":
                // The seed's TracedOpenAI response event.
                if let r = e.attributes[key: "finish_reason"]?.stringValue, call.finishReasons.isEmpty {
                    call.finishReasons = [r]
                }
            case "gen_ai.first_token", "first_token", "llm.first_token":
                if call.timeToFirstTokenNanos == nil, e.timeNanos >= spanStart {
                    call.timeToFirstTokenNanos = e.timeNanos - spanStart
                }
            default:
                break
            }
        }

        mutating func finish() -> LLMCall? {
            guard sawModelOrTokens || llmKind else { return nil }
            if call.inputMessages.isEmpty, let fam = flatMessages(input: true) { call.inputMessages = fam }
            if call.outputMessages.isEmpty, let fam = flatMessages(input: false) { call.outputMessages = fam }
            if call.inputMessages.isEmpty { call.inputMessages = eventInput }
            if call.outputMessages.isEmpty { call.outputMessages = eventOutput }
            if call.inputMessages.isEmpty, let v = inputValue {
                call.inputMessages = MessageDecoder.fromBody(v, defaultRole: "user", input: true)
            }
            if call.outputMessages.isEmpty, let v = outputValue {
                call.outputMessages = MessageDecoder.fromBody(v, defaultRole: "assistant", input: false)
            }
            if !systemInstructions.isEmpty, !call.inputMessages.contains(where: { $0.role == "system" }) {
                call.inputMessages.insert(contentsOf: systemInstructions, at: 0)
            }
            if call.finishReasons.isEmpty {
                call.finishReasons = call.outputMessages.compactMap(\.finishReason)
            }
            if llmKind { call.conventions.insert(.openInference) }
            return call
        }

        func flatMessages(input: Bool) -> [LLMMessage]? {
            for family in FlatFamily.allCases where family.isInput == input {
                guard let byIndex = flat[family], !byIndex.isEmpty else { continue }
                return byIndex.keys.sorted().map { MessageDecoder.flatMessage(byIndex[$0]!, defaultRole: input ? "user" : "assistant") }
            }
            return nil
        }
    }
}
