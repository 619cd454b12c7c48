#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// Maps every LLM attribute convention we know into `LLMCall`, from one table.
///
/// The names and their precedence come from the conventions' own sources, collected with
/// pointers in Sources/TraceConventions/CONVENTIONS.md: OpenTelemetry GenAI semantic conventions
/// (current and deprecated names), OpenInference, OpenLLMetry, Vercel AI SDK, Langfuse, MLflow,
/// Logfire, LangSmith, OpenLIT, and the seed's tracer (`ai.*`, `ai_model`, `ai_metrics`).
public enum LLMConventions {
    /// What a table row fills.
    package enum Field: Equatable {
        case operation, provider, requestModel, responseModel
        case promptTokens, completionTokens, totalTokens, cost
        case tokenDetail(TokenDetail)
        case responseID, finishReasons
        case timeToFirstToken(nanosPerUnit: Double)
        case parameter(String)
        case inputMessages, outputMessages, systemInstructions
        case outputToolCalls                  // a JSON list of tool calls (Vercel)
        case invocationParameters             // a JSON object of request parameters
        case inputValue, outputValue          // whole request/response bodies or plain text
        case openInferenceKind                // LLM / EMBEDDING / CHAIN …
        case vercelOperation                  // ai.operationId
        case frameworkKind                    // langsmith.span.kind, langfuse.observation.type, mlflow.spanType
        case usageJSON                        // {"input","output","total"} or {"input_tokens",…}
        case costJSON                         // {"total"} or {"total_cost"}
        case costPart                         // llm.cost.prompt / llm.cost.completion, summed
    }

    /// Parts of the input and output token counts.
    package enum TokenDetail: Equatable {
        case cacheRead, cacheWrite, reasoning, audioInput, audioOutput
    }

    /// How the raw value is wrapped before the field reads it.
    package enum Encoding: Equatable {
        case plain
        /// MLflow `json.dumps`es every attribute, so strings arrive as `"\"LLM\""`.
        case jsonQuoted
    }

    package struct Rule {
        package let key: String
        package let field: Field
        package let convention: LLMConvention
        package var encoding: Encoding = .plain
    }

    package static func r(_ key: String, _ field: Field, _ c: LLMConvention, _ e: Encoding = .plain) -> Rule {
        Rule(key: key, field: field, convention: c, encoding: e)
    }

    /// The table. Per field, earlier rows win over later ones (see CONVENTIONS.md §0.2).
    package static let rules: [Rule] = [
        // Operation
        r("gen_ai.operation.name", .operation, .genAI),
        r("llm.request.type", .operation, .openLLMetry),
        r("openinference.span.kind", .openInferenceKind, .openInference),
        r("ai.operationId", .vercelOperation, .genAI),
        r("langsmith.span.kind", .frameworkKind, .genAI),
        r("langfuse.observation.type", .frameworkKind, .genAI),
        r("mlflow.spanType", .frameworkKind, .genAI, .jsonQuoted),
        // Provider
        r("gen_ai.provider.name", .provider, .genAI),
        r("gen_ai.system", .provider, .genAI),
        r("llm.provider", .provider, .openInference),
        r("llm.system", .provider, .openInference),
        r("ai.model.provider", .provider, .genAI),
        r("mlflow.llm.provider", .provider, .genAI, .jsonQuoted),
        r("langsmith.metadata.ls_provider", .provider, .genAI),
        // Models
        r("gen_ai.request.model", .requestModel, .genAI),
        r("llm.request.model_name", .requestModel, .openInference),
        r("llm.request.model", .requestModel, .openLLMetry),
        r("ai.model.id", .requestModel, .genAI),
        r("langfuse.observation.model.name", .requestModel, .genAI),
        r("mlflow.llm.model", .requestModel, .genAI, .jsonQuoted),
        r("langsmith.metadata.ls_model_name", .requestModel, .genAI),
        r("embedding.model_name", .requestModel, .openInference),
        r("ai.model", .requestModel, .seed),
        r("ai_model", .requestModel, .seed),
        r("ai_metrics.model", .requestModel, .seed),
        r("gen_ai.response.model", .responseModel, .genAI),
        r("llm.response.model_name", .responseModel, .openInference),
        r("llm.model_name", .responseModel, .openInference),
        r("llm.response.model", .responseModel, .openLLMetry),
        r("ai.response.model", .responseModel, .genAI),
        // Tokens
        r("gen_ai.usage.input_tokens", .promptTokens, .genAI),
        r("gen_ai.usage.prompt_tokens", .promptTokens, .openLLMetry),
        r("llm.token_count.prompt", .promptTokens, .openInference),
        r("llm.usage.prompt_tokens", .promptTokens, .openLLMetry),
        r("ai.usage.inputTokens", .promptTokens, .genAI),
        r("ai.usage.promptTokens", .promptTokens, .genAI),
        r("ai.prompt_tokens", .promptTokens, .seed),
        r("gen_ai.usage.output_tokens", .completionTokens, .genAI),
        r("gen_ai.usage.completion_tokens", .completionTokens, .openLLMetry),
        r("llm.token_count.completion", .completionTokens, .openInference),
        r("llm.usage.completion_tokens", .completionTokens, .openLLMetry),
        r("ai.usage.outputTokens", .completionTokens, .genAI),
        r("ai.usage.completionTokens", .completionTokens, .genAI),
        r("ai.completion_tokens", .completionTokens, .seed),
        r("gen_ai.usage.total_tokens", .totalTokens, .genAI),
        r("llm.usage.total_tokens", .totalTokens, .openLLMetry),
        r("llm.token_count.total", .totalTokens, .openInference),
        r("ai.usage.totalTokens", .totalTokens, .genAI),
        r("ai.usage.tokens", .totalTokens, .genAI),
        r("ai.total_tokens", .totalTokens, .seed),
        r("ai_metrics.tokens", .totalTokens, .seed),
        // Token details. GenAI semconv: cache read/creation are part of input_tokens, reasoning
        // part of output_tokens (model/gen-ai registry); OpenInference's prompt_details and
        // completion_details likewise (spec/semantic_conventions.md); OpenLLMetry's Anthropic
        // instrumentation adds cache reads and writes into input (see CONVENTIONS.md §0.4).
        r("gen_ai.usage.cache_read.input_tokens", .tokenDetail(.cacheRead), .genAI),
        r("gen_ai.usage.cache_read_input_tokens", .tokenDetail(.cacheRead), .openLLMetry),
        r("llm.token_count.prompt_details.cache_read", .tokenDetail(.cacheRead), .openInference),
        r("ai.usage.cachedInputTokens", .tokenDetail(.cacheRead), .genAI),
        r("gen_ai.usage.cache_creation.input_tokens", .tokenDetail(.cacheWrite), .genAI),
        r("gen_ai.usage.cache_creation_input_tokens", .tokenDetail(.cacheWrite), .openLLMetry),
        r("llm.token_count.prompt_details.cache_write", .tokenDetail(.cacheWrite), .openInference),
        r("gen_ai.usage.reasoning.output_tokens", .tokenDetail(.reasoning), .genAI),
        r("gen_ai.usage.reasoning_tokens", .tokenDetail(.reasoning), .openLLMetry),
        r("llm.usage.reasoning_tokens", .tokenDetail(.reasoning), .openLLMetry),
        r("llm.token_count.completion_details.reasoning", .tokenDetail(.reasoning), .openInference),
        r("ai.usage.reasoningTokens", .tokenDetail(.reasoning), .genAI),
        r("llm.token_count.prompt_details.audio", .tokenDetail(.audioInput), .openInference),
        r("llm.token_count.completion_details.audio", .tokenDetail(.audioOutput), .openInference),
        r("langfuse.observation.usage_details", .usageJSON, .genAI),
        r("mlflow.chat.tokenUsage", .usageJSON, .genAI),
        // Cost recorded by the instrumentation (OTel GenAI itself defines none)
        r("llm.cost.total", .cost, .openInference),
        r("operation.cost", .cost, .genAI),
        r("gen_ai.usage.cost", .cost, .genAI),
        r("langfuse.observation.cost_details", .costJSON, .genAI),
        r("mlflow.llm.cost", .costJSON, .genAI),
        r("ai.cost_usd", .cost, .seed),
        r("ai_metrics.cost", .cost, .seed),
        r("llm.cost.prompt", .costPart, .openInference),
        r("llm.cost.completion", .costPart, .openInference),
        // Response
        r("gen_ai.response.id", .responseID, .genAI),
        r("ai.response.id", .responseID, .genAI),
        r("gen_ai.response.finish_reasons", .finishReasons, .genAI),
        r("llm.finish_reason", .finishReasons, .openInference),
        r("gen_ai.response.finish_reason", .finishReasons, .openLLMetry),
        r("llm.response.finish_reason", .finishReasons, .openLLMetry),
        r("ai.response.finishReason", .finishReasons, .genAI),
        r("ai.finishReason", .finishReasons, .genAI),
        r("gen_ai.response.time_to_first_chunk", .timeToFirstToken(nanosPerUnit: 1e9), .genAI),
        r("gen_ai.server.time_to_first_token", .timeToFirstToken(nanosPerUnit: 1e9), .genAI),
        r("ai.response.msToFirstChunk", .timeToFirstToken(nanosPerUnit: 1e6), .genAI),
        r("ai.stream.msToFirstChunk", .timeToFirstToken(nanosPerUnit: 1e6), .genAI),
        r("ai.time_to_first_token_ms", .timeToFirstToken(nanosPerUnit: 1e6), .seed),
        // Parameters (gen_ai.request.* and ai.settings.* are also taken by prefix below)
        r("llm.frequency_penalty", .parameter("frequency_penalty"), .openLLMetry),
        r("llm.presence_penalty", .parameter("presence_penalty"), .openLLMetry),
        r("llm.top_k", .parameter("top_k"), .openLLMetry),
        r("llm.top_p", .parameter("top_p"), .openLLMetry),
        r("llm.chat.stop_sequences", .parameter("stop_sequences"), .openLLMetry),
        r("llm.is_streaming", .parameter("stream"), .openLLMetry),
        r("gen_ai.is_streaming", .parameter("stream"), .openLLMetry),
        r("llm.user", .parameter("user"), .openLLMetry),
        r("gen_ai.user", .parameter("user"), .openLLMetry),
        r("gen_ai.output.type", .parameter("output_type"), .genAI),
        r("ai.temperature", .parameter("temperature"), .seed),
        r("ai.max_tokens", .parameter("max_tokens"), .seed),
        r("ai.messages_count", .parameter("messages_count"), .seed),
        r("llm.invocation_parameters", .invocationParameters, .openInference),
        r("langfuse.observation.model.parameters", .invocationParameters, .genAI),
        // Messages
        r("gen_ai.input.messages", .inputMessages, .genAI),
        r("ai.prompt.messages", .inputMessages, .genAI),
        r("ai.prompt", .inputMessages, .genAI),
        r("gen_ai.prompt", .inputMessages, .genAI),
        r("langfuse.observation.input", .inputMessages, .genAI),
        r("mlflow.spanInputs", .inputMessages, .genAI),
        r("request_data", .inputMessages, .genAI),
        r("gen_ai.output.messages", .outputMessages, .genAI),
        r("gen_ai.completion", .outputMessages, .genAI),
        r("ai.response.text", .outputMessages, .genAI),
        r("ai.result.text", .outputMessages, .genAI),
        r("langfuse.observation.output", .outputMessages, .genAI),
        r("mlflow.spanOutputs", .outputMessages, .genAI),
        r("response_data", .outputMessages, .genAI),
        r("ai.response.toolCalls", .outputToolCalls, .genAI),
        r("ai.result.toolCalls", .outputToolCalls, .genAI),
        r("gen_ai.system_instructions", .systemInstructions, .genAI),
        r("input.value", .inputValue, .openInference),
        r("output.value", .outputValue, .openInference),
    ]

    /// Row lookup by key, with each row's rank (its position) for "earlier wins".
    package static let byKey = KeyTable(rules.map(\.key))

    /// An open-addressing table from key bytes to the first row with that key.
    ///
    /// Every attribute of every span passes through here, so it hashes the UTF-8 bytes in place
    /// (FNV-1a) instead of going through `Dictionary<String, …>` and its SipHash.
    package struct KeyTable: Sendable {
        private let slots: [Int32]      // row index, -1 = empty
        private let hashes: [UInt64]
        private let keys: [[UInt8]]
        private let mask: Int

        package init(_ names: [String]) {
            var size = 16
            while size < names.count * 4 { size <<= 1 }
            var slots = [Int32](repeating: -1, count: size)
            var hashes = [UInt64](repeating: 0, count: size)
            let keys = names.map { Array($0.utf8) }
            for (row, key) in keys.enumerated() {
                let h = key.withUnsafeBufferPointer { StringInterner.hash($0) }
                var i = Int(truncatingIfNeeded: h) & (size - 1)
                var duplicate = false
                while slots[i] >= 0 {
                    if keys[Int(slots[i])] == key { duplicate = true; break }
                    i = (i + 1) & (size - 1)
                }
                if !duplicate {
                    slots[i] = Int32(row)
                    hashes[i] = h
                }
            }
            self.slots = slots
            self.hashes = hashes
            self.keys = keys
            self.mask = size - 1
        }

        /// The row for `key`, or nil.
        @inline(__always)
        package func row(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
            let h = StringInterner.hash(key)
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] >= 0 {
                if hashes[i] == h {
                    let row = Int(slots[i])
                    if keys[row].count == key.count, keys[row].withUnsafeBufferPointer({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) {
                        return row
                    }
                }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    /// True when `key` starts with `prefix` (bytes).
    @inline(__always)
    package static func hasPrefix(_ key: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        key.count >= prefix.utf8CodeUnitCount && memcmp(key.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// Values of `gen_ai.system` that name a framework rather than a model provider (LangChain
    /// instrumentations put them there).
    package static let frameworkNames: Set<String> = ["langchain", "llamaindex", "llama_index", "crewai", "haystack"]

    /// Vercel AI SDK operations that wrap the actual model calls (their `.doGenerate`/`.doStream`
    /// children); their usage sums the children's, so they must not count as calls themselves.
    package static let vercelWrappers: Set<String> = [
        "ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject", "ai.embed", "ai.embedMany",
    ]

    /// Prefixes of flattened message attributes: `<prefix><index>.<rest>`.
    package enum FlatFamily: CaseIterable {
        case openInferenceInput, openInferenceOutput, openLLMetryPrompt, openLLMetryCompletion

        package var prefix: String {
            switch self {
            case .openInferenceInput: return "llm.input_messages."
            case .openInferenceOutput: return "llm.output_messages."
            case .openLLMetryPrompt: return "gen_ai.prompt."
            case .openLLMetryCompletion: return "gen_ai.completion."
            }
        }

        package var convention: LLMConvention {
            switch self {
            case .openInferenceInput, .openInferenceOutput: return .openInference
            case .openLLMetryPrompt, .openLLMetryCompletion: return .openLLMetry
            }
        }

        package var isInput: Bool { self == .openInferenceInput || self == .openLLMetryPrompt }
    }

    /// The LLM call a span records, or nil when it is not an LLM call.
    ///
    /// A span is an LLM call when it carries a model or token usage under any convention (a failed
    /// call with only a request model counts, with zero tokens), or when OpenInference marks it as
    /// an LLM span. Several conventions on one span make one call. Framework wrappers that only sum
    /// their children (Vercel `ai.generateText`) are not calls.
    public static func call(for span: Span) -> LLMCall? {
        normalise(span, messages: true)
    }

    /// The same call without its messages: what indexes, totals and lists need. Decoding message
    /// lists (JSON inside attributes) is most of the normaliser's cost on big traces, so the index
    /// uses this and the detail view asks for `call(for:)`.
    public static func summaryCall(for span: Span) -> LLMCall? {
        normalise(span, messages: false)
    }

    package static func normalise(_ span: Span, messages: Bool) -> LLMCall? {
        // Most spans in big traces are not LLM calls: without a model, token or LLM-kind key
        // (or the seed's llm_call_start event) there is nothing to build.
        guard span.attributes.contains(where: isTrigger) || span.events.contains(where: { $0.name == "llm_call_start" }) else {
            return nil
        }
        var b = Builder(spanStart: span.startNanos, decodeMessages: messages)
        for a in span.attributes { b.take(a) }
        for e in span.events { b.take(event: e) }
        return b.finish()
    }

    /// The summary call of a span whose kept attributes are already matched to their table rows
    /// (the index scan matches each distinct key once per file): the same answer as
    /// `summaryCall(for:)` on a span with these attributes in this order and no events, without
    /// interning keys, building the span or hashing each key again.
    package static func summaryCall(spanStart: Int64, rows: [(row: Int32, value: AttributeValue)]) -> LLMCall? {
        let triggers = triggerRows
        guard rows.contains(where: { triggers[Int($0.row)] }) else { return nil }
        var b = Builder(spanStart: spanStart, decodeMessages: false)
        for r in rows { b.take(row: Int(r.row), r.value) }
        return b.finish()
    }

    /// The table row of a key a summary reads, or nil (see `isSummaryKey`).
    package static func summaryRow(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = key.first, mayMatter(first), let row = byKey.row(key), summaryRows[row] else { return nil }
        return row
    }

    /// Rows whose presence can make a span an LLM call.
    package static let triggerRows: [Bool] = rules.map { rule in
        switch rule.field {
        case .requestModel, .responseModel, .promptTokens, .completionTokens, .totalTokens, .usageJSON, .openInferenceKind:
            return true
        default:
            return false
        }
    }

    /// Rows a summary needs: everything but message contents.
    package static let summaryRows: [Bool] = rules.map { rule in
        switch rule.field {
        case .inputMessages, .outputMessages, .outputToolCalls, .systemInstructions, .inputValue, .outputValue:
            return false
        default:
            return true
        }
    }

    /// True for attribute keys a summary reads (`TraceLoader.Detail.summary` keeps only these).
    @Sendable static package func isSummaryKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        summaryRow(key) != nil
    }

    /// True when this attribute alone could make its span an LLM call.
    @inline(__always)
    package static func isTrigger(_ a: Attribute) -> Bool {
        guard let first = a.key.utf8.first, mayMatter(first) else { return false }
        var key = a.key
        return key.withUTF8 { k in byKey.row(k).map { triggerRows[$0] } ?? false }
    }

    /// True when a key starting with this byte could belong to some LLM convention.
    @inline(__always)
    package static func mayMatter(_ first: UInt8) -> Bool {
        switch first {
        case UInt8(ascii: "g"), UInt8(ascii: "l"), UInt8(ascii: "a"), UInt8(ascii: "o"),
             UInt8(ascii: "i"), UInt8(ascii: "m"), UInt8(ascii: "e"), UInt8(ascii: "r"):
            return true
        default:
            return false
        }
    }

    /// Accumulates one span's fields; keeps the best-ranked source per field.
    package struct Builder {
        package let spanStart: Int64
        /// When false, message lists are left out (see `summaryCall(for:)`).
        package let decodeMessages: Bool
        package var call = LLMCall()
        /// Best (lowest) rank seen per field, so earlier table rows win whatever the attribute order.
        package var ranks = SIMD32<Int32>(repeating: Int32.max)
        /// Best rank per entry of `call.parameters`.
        package var parameterRanks: [Int32] = []
        package var sawModelOrTokens = false
        package var markedLLM = false
        package var wrapper = false
        package var costParts: Double = 0
        package var hasCostParts = false
        package var inputValue: AttributeValue?
        package var outputValue: AttributeValue?
        package var systemInstructions: [LLMMessage] = []
        package var outputToolCalls: [MessagePart] = []
        package var flat: [FlatFamily: [Int: [(String, AttributeValue)]]] = [:]
        package var eventInput: [LLMMessage] = []
        package var eventOutput: [LLMMessage] = []
        package var firstChunkNanos: Int64?

        package enum Slot: Int {
            case operation, provider, requestModel, responseModel, prompt, completion, total, cost
            case responseID, finish, ttft, input, output
            case cacheRead, cacheWrite, reasoning, audioInput, audioOutput
        }

        package mutating func better(_ slot: Slot, _ rank: Int) -> Bool {
            let r = Int32(clamping: rank)
            guard r < ranks[slot.rawValue] else { return false }
            ranks[slot.rawValue] = r
            return true
        }

        package mutating func take(_ a: Attribute) {
            var key = a.key
            key.withUTF8 { take(a, bytes: $0) }
        }

        package mutating func take(_ a: Attribute, bytes k: UnsafeBufferPointer<UInt8>) {
            guard let first = k.first, LLMConventions.mayMatter(first) else { return }
            if let row = LLMConventions.byKey.row(k) {
                take(row: row, a.value)
                return
            }
            guard k.count > 10 else { return }
            if LLMConventions.hasPrefix(k, "gen_ai.request.") || LLMConventions.hasPrefix(k, "ai.settings.") {
                // The name after the second dot: gen_ai.request.<name>, ai.settings.<name>.
                guard let first = k.firstIndex(of: UInt8(ascii: ".")),
                      let second = k[(first + 1)...].firstIndex(of: UInt8(ascii: ".")) else { return }
                let name = String(decoding: UnsafeBufferPointer(rebasing: k[(second + 1)...]), as: UTF8.self)
                guard name != "model", !name.isEmpty else { return }
                setParameter(name, a.value, rank: 50)
                call.conventions.insert(.genAI)
                return
            }
            guard decodeMessages else { return }
            // Flattened message families: only keys with a numeric index after the prefix.
            let family: FlatFamily
            if LLMConventions.hasPrefix(k, "llm.input_messages.") { family = .openInferenceInput }
            else if LLMConventions.hasPrefix(k, "llm.output_messages.") { family = .openInferenceOutput }
            else if LLMConventions.hasPrefix(k, "gen_ai.prompt.") { family = .openLLMetryPrompt }
            else if LLMConventions.hasPrefix(k, "gen_ai.completion.") { family = .openLLMetryCompletion }
            else { return }
            let rest = a.key.utf8.dropFirst(family.prefix.utf8.count)
            guard let dot = rest.firstIndex(of: UInt8(ascii: ".")),
                  let index = Int(String(decoding: rest[rest.startIndex..<dot], as: UTF8.self)),
                  index >= 0, index < 100_000 else { return }
            let field = String(decoding: rest[rest.index(after: dot)...], as: UTF8.self)
            flat[family, default: [:]][index, default: []].append((field, a.value))
            call.conventions.insert(family.convention)
        }

        /// Takes the value of an attribute whose key is table row `row`.
        package mutating func take(row: Int, _ raw: AttributeValue) {
            let rule = LLMConventions.rules[row]
            var value = raw
            if rule.encoding == .jsonQuoted, let s = value.stringValue, let inner = JSONScanner.parse(s) {
                value = inner.attributeValue
            }
            apply(rule, row, value)
        }

        package mutating func setParameter(_ name: String, _ value: AttributeValue, rank: Int) {
            guard value != .empty else { return }
            let key = LLMConventions.parameterName(name)
            let r = Int32(clamping: rank)
            if let i = call.parameters.firstIndex(where: { $0.key == key }) {
                guard r < parameterRanks[i] else { return }
                call.parameters[i].value = value
                parameterRanks[i] = r
            } else {
                call.parameters.append(Attribute(key, value))
                parameterRanks.append(r)
            }
        }

        package mutating func apply(_ rule: Rule, _ rank: Int, _ value: AttributeValue) {
            switch rule.field {
            case .inputMessages, .outputMessages, .outputToolCalls, .systemInstructions, .inputValue, .outputValue:
                guard decodeMessages else {
                    call.conventions.insert(rule.convention)
                    return
                }
            default:
                break
            }
            switch rule.field {
            case .operation:
                guard let s = value.stringValue, !s.isEmpty, better(.operation, rank) else { return }
                call.operation = s == "chat.completions" ? "chat" : s
            case .openInferenceKind:
                guard let s = value.stringValue?.uppercased() else { return }
                if s == "LLM" { markedLLM = true }
                let op: String? = s == "LLM" ? "chat" : s == "EMBEDDING" ? "embeddings" : nil
                if let op, better(.operation, rank) { call.operation = op }
            case .vercelOperation:
                guard let s = value.stringValue else { return }
                if LLMConventions.vercelWrappers.contains(s) { wrapper = true }
                let op: String? = s.contains(".doGenerate") || s.contains(".doStream") ? "chat"
                    : s.contains(".doEmbed") ? "embeddings" : s == "ai.toolCall" ? "execute_tool" : nil
                if let op, better(.operation, rank) { call.operation = op }
            case .frameworkKind:
                guard let s = value.stringValue?.lowercased() else { return }
                let op: String? = ["llm", "generation", "chat_model"].contains(s) ? "chat"
                    : s == "embedding" ? "embeddings" : s == "tool" ? "execute_tool" : nil
                if let op, better(.operation, rank) { call.operation = op }
            case .provider:
                guard var s = value.stringValue?.lowercased(), !s.isEmpty else { return }
                if LLMConventions.frameworkNames.contains(s) { return }
                // Vercel writes "<provider>.<api>", e.g. "openai.chat".
                if rule.key == "ai.model.provider", let dot = s.firstIndex(of: ".") { s = String(s[..<dot]) }
                if better(.provider, rank) { call.provider = s }
            case .requestModel:
                if let s = value.stringValue, !s.isEmpty, better(.requestModel, rank) {
                    call.requestModel = s
                    sawModelOrTokens = true
                }
            case .responseModel:
                if let s = value.stringValue, !s.isEmpty, better(.responseModel, rank) {
                    call.responseModel = s
                    sawModelOrTokens = true
                }
            case .promptTokens:
                if let v = value.intValue, plausibleTokens.contains(v), better(.prompt, rank) { call.promptTokens = v; sawModelOrTokens = true }
            case .completionTokens:
                if let v = value.intValue, plausibleTokens.contains(v), better(.completion, rank) { call.completionTokens = v; sawModelOrTokens = true }
            case .totalTokens:
                if let v = value.intValue, plausibleTokens.contains(v), better(.total, rank) { call.recordedTotalTokens = v; sawModelOrTokens = true }
            case .tokenDetail(let detail):
                guard let v = value.intValue, plausibleTokens.contains(v) else { return }
                switch detail {
                case .cacheRead: if better(.cacheRead, rank) { call.cacheReadTokens = v }
                case .cacheWrite: if better(.cacheWrite, rank) { call.cacheWriteTokens = v }
                case .reasoning: if better(.reasoning, rank) { call.reasoningTokens = v }
                case .audioInput: if better(.audioInput, rank) { call.audioInputTokens = v }
                case .audioOutput: if better(.audioOutput, rank) { call.audioOutputTokens = v }
                }
            case .usageJSON:
                guard let s = value.stringValue, case .object? = JSONScanner.parse(s) else { return }
                let json = JSONScanner.parse(s)!
                func number(_ keys: [String]) -> Int64? {
                    for k in keys { if let v = json[k]?.attributeValue.intValue, plausibleTokens.contains(v) { return v } }
                    return nil
                }
                if let v = number(["input", "input_tokens", "prompt_tokens"]), better(.prompt, rank) { call.promptTokens = v; sawModelOrTokens = true }
                if let v = number(["output", "output_tokens", "completion_tokens"]), better(.completion, rank) { call.completionTokens = v; sawModelOrTokens = true }
                if let v = number(["total", "total_tokens"]), better(.total, rank) { call.recordedTotalTokens = v; sawModelOrTokens = true }
                if let v = number(["cache_read_input_tokens", "input_cached_tokens", "cache_read"]), better(.cacheRead, rank) { call.cacheReadTokens = v }
                if let v = number(["cache_creation_input_tokens", "cache_write"]), better(.cacheWrite, rank) { call.cacheWriteTokens = v }
                if let v = number(["reasoning_tokens", "output_reasoning_tokens"]), better(.reasoning, rank) { call.reasoningTokens = v }
            case .cost:
                // The seed's set_ai_metrics writes cost_usd=0.0 when no cost was passed: not a record.
                if rule.convention == .seed, value.doubleValue == 0 { return }
                if let v = value.doubleValue, plausibleCost.contains(v), better(.cost, rank) { call.recordedCostUSD = v }
            case .costJSON:
                guard let s = value.stringValue, let json = JSONScanner.parse(s) else { return }
                if let v = (json["total"] ?? json["total_cost"])?.attributeValue.doubleValue, plausibleCost.contains(v),
                   better(.cost, rank) { call.recordedCostUSD = v }
            case .costPart:
                if let v = value.doubleValue, plausibleCost.contains(v) { costParts += v; hasCostParts = true }
            case .responseID:
                if let s = value.stringValue, better(.responseID, rank) { call.responseID = s }
            case .finishReasons:
                guard better(.finish, rank) else { return }
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
            case .timeToFirstToken(let nanosPerUnit):
                if let d = value.doubleValue, d.isFinite, d >= 0, d < 1e7, better(.ttft, rank) {
                    call.timeToFirstTokenNanos = Int64((d * nanosPerUnit).rounded())
                }
            case .parameter(let name):
                setParameter(name, value, rank: rank)
            case .invocationParameters:
                // One JSON object holding the whole request's parameters.
                guard let text = value.stringValue, case .object(let members)? = JSONScanner.parse(text) else { return }
                for (k, v) in members where k != "messages" && k != "input" && k != "tools" {
                    if k == "model" {
                        // The model asked for; llm.model_name is the one that answered.
                        if let m = v.string, !m.isEmpty, better(.requestModel, rank) { call.requestModel = m }
                        continue
                    }
                    setParameter(k, v.attributeValue, rank: rank)
                }
            case .inputMessages:
                let messages = MessageDecoder.messages(from: value)
                if !messages.isEmpty, better(.input, rank) { call.inputMessages = messages }
            case .outputMessages:
                let messages = MessageDecoder.messages(from: value, defaultRole: "assistant")
                if !messages.isEmpty, better(.output, rank) { call.outputMessages = messages }
            case .outputToolCalls:
                guard let s = value.stringValue, let list = JSONScanner.parse(s)?.array else { return }
                outputToolCalls = list.compactMap { json in
                    .toolCall(id: json["toolCallId"]?.string ?? json["id"]?.string ?? "",
                              name: json["toolName"]?.string ?? json["name"]?.string ?? "",
                              arguments: (json["args"] ?? json["input"] ?? json["arguments"])?.text ?? "")
                }
            case .systemInstructions:
                systemInstructions = MessageDecoder.systemInstructions(from: value)
            case .inputValue:
                inputValue = value
            case .outputValue:
                outputValue = value
            }
            call.conventions.insert(rule.convention)
        }

        package mutating func take(event e: SpanEvent) {
            switch e.name {
            case "gen_ai.content.prompt":
                if decodeMessages, let v = e.attributes[key: "gen_ai.prompt"] { eventInput += MessageDecoder.messages(from: v) }
            case "gen_ai.content.completion":
                if decodeMessages, let v = e.attributes[key: "gen_ai.completion"] {
                    eventOutput += MessageDecoder.messages(from: v, defaultRole: "assistant")
                }
            case "gen_ai.choice":
                if decodeMessages, let m = MessageDecoder.choiceMessage(attributes: e.attributes) { eventOutput.append(m) }
            case "gen_ai.client.inference.operation.details":
                for a in e.attributes { take(a) }
            case "llm_call_start":
                // The seed's start_llm_span records the requested model in this event.
                if let m = e.attributes[key: "model"]?.stringValue, !m.isEmpty, better(.requestModel, 1_000) {
                    call.requestModel = m
                    sawModelOrTokens = true
                    call.conventions.insert(.seed)
                }
            case "response":
                // The seed's TracedOpenAI response event.
                if let r = e.attributes[key: "finish_reason"]?.stringValue, better(.finish, 1_000) {
                    call.finishReasons = [r]
                }
            case "First Token Stream Event", "llm.content.completion.chunk", "gen_ai.completion.chunk",
                 "ai.stream.firstChunk", "gen_ai.first_token", "first_token":
                // OpenInference, OpenLLMetry (one per chunk: `llm.content.completion.chunk` in
                // opentelemetry-semantic-conventions-ai, `gen_ai.completion.chunk` in its GenAI-named
                // forks such as AgentOps' semconv) and Vercel mark the first streamed chunk.
                if e.timeNanos >= spanStart, firstChunkNanos.map({ e.timeNanos < $0 }) ?? true {
                    firstChunkNanos = e.timeNanos
                }
            default:
                if decodeMessages, e.name.hasPrefix("gen_ai."), e.name.hasSuffix(".message") {
                    // gen_ai.{system,user,assistant,tool,developer}.message
                    let role = e.attributes[key: "role"]?.stringValue
                        ?? String(e.name.dropFirst("gen_ai.".count).dropLast(".message".count))
                    if let m = MessageDecoder.eventMessage(role: role, attributes: e.attributes) { eventInput.append(m) }
                } else if e.name.hasPrefix("mlflow.chunk.item."), e.timeNanos >= spanStart,
                          firstChunkNanos.map({ e.timeNanos < $0 }) ?? true {
                    firstChunkNanos = e.timeNanos
                }
            }
        }

        package mutating func finish() -> LLMCall? {
            guard (sawModelOrTokens || markedLLM) && !wrapper else { return nil }
            if call.recordedCostUSD == nil, hasCostParts { call.recordedCostUSD = costParts }
            // Every convention read here counts cached tokens inside the input and reasoning inside
            // the output. A source that reports them apart (Anthropic's raw usage, copied as is by
            // some instrumentations) shows it when the parts outgrow the whole: then add them in,
            // so that no token is counted twice and none is lost.
            let cached = (call.cacheReadTokens ?? 0).addingReportingOverflow(call.cacheWriteTokens ?? 0).partialValue
            if let p = call.promptTokens, cached > p { call.promptTokens = p.addingReportingOverflow(cached).partialValue }
            if let c = call.completionTokens, let r = call.reasoningTokens, r > c {
                call.completionTokens = c.addingReportingOverflow(r).partialValue
            }
            if call.timeToFirstTokenNanos == nil, let first = firstChunkNanos {
                call.timeToFirstTokenNanos = first - spanStart
            }
            if call.inputMessages.isEmpty, let fam = flatMessages(input: true) { call.inputMessages = fam }
            if call.outputMessages.isEmpty, let fam = flatMessages(input: false) { call.outputMessages = fam }
            if call.inputMessages.isEmpty { call.inputMessages = eventInput }
            if call.outputMessages.isEmpty { call.outputMessages = eventOutput }
            if call.inputMessages.isEmpty, let v = inputValue {
                call.inputMessages = MessageDecoder.fromBody(v, defaultRole: "user")
            }
            if call.outputMessages.isEmpty, let v = outputValue {
                call.outputMessages = MessageDecoder.fromBody(v, defaultRole: "assistant")
            }
            if !outputToolCalls.isEmpty {
                if call.outputMessages.isEmpty {
                    call.outputMessages = [LLMMessage(role: "assistant", parts: outputToolCalls)]
                } else {
                    call.outputMessages[call.outputMessages.count - 1].parts += outputToolCalls
                }
            }
            if !systemInstructions.isEmpty, !call.inputMessages.contains(where: { $0.role == "system" }) {
                call.inputMessages.insert(contentsOf: systemInstructions, at: 0)
            }
            if call.finishReasons.isEmpty {
                call.finishReasons = call.outputMessages.compactMap(\.finishReason)
            }
            if markedLLM { call.conventions.insert(.openInference) }
            return call
        }

        package func flatMessages(input: Bool) -> [LLMMessage]? {
            for family in FlatFamily.allCases where family.isInput == input {
                guard let byIndex = flat[family], !byIndex.isEmpty else { continue }
                return byIndex.keys.sorted().map {
                    MessageDecoder.flatMessage(byIndex[$0]!, defaultRole: input ? "user" : "assistant")
                }
            }
            return nil
        }
    }

    /// Neutral parameter names, so the same setting reads the same under every convention.
    package static func parameterName(_ raw: String) -> String {
        switch raw {
        case "maxTokens", "maxOutputTokens", "max_output_tokens", "max_completion_tokens", "maxCompletionTokens": return "max_tokens"
        case "topP": return "top_p"
        case "topK": return "top_k"
        case "frequencyPenalty": return "frequency_penalty"
        case "presencePenalty": return "presence_penalty"
        case "stop", "stopSequences": return "stop_sequences"
        case "choice.count": return "n"
        case "maxRetries": return "max_retries"
        case "is_stream": return "stream"
        default: return raw
        }
    }
}

/// Token counts a call can have; anything else (negative, or beyond a trillion) is a broken
/// value, left out like a missing one rather than summed into totals that overflow or go negative.
package let plausibleTokens: ClosedRange<Int64> = 0...1_000_000_000_000
/// Recorded costs in USD a call can have; NaN, infinities, negatives and amounts beyond a
/// billion dollars are broken values and left out (the raw attribute still shows in the details).
package let plausibleCost: ClosedRange<Double> = 0...1_000_000_000
