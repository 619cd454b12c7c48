import Testing
import TraceModel
@testable import TraceFormats

/// Cached, reasoning and audio tokens from each convention, counted once (issue 12).
@Suite struct TokenDetailTests {
    func call(_ attributes: [String]) throws -> LLMCall {
        let doc = try decode(otlp([otlpSpan("00f067aa0ba902b7", name: "chat", attributes: attributes.joined(separator: ","))]))
        return try #require(doc.traces.first?.llmCallDetails(at: 0))
    }

    @Test func genAISemanticConventions() throws {
        // Registry: cache read/creation and reasoning are parts of input_tokens / output_tokens.
        let c = try call([kv("gen_ai.request.model", string: "gpt-5"), kv("gen_ai.usage.input_tokens", int: 1_000),
                          kv("gen_ai.usage.cache_read.input_tokens", int: 800), kv("gen_ai.usage.cache_creation.input_tokens", int: 100),
                          kv("gen_ai.usage.output_tokens", int: 200), kv("gen_ai.usage.reasoning.output_tokens", int: 50)])
        #expect(c.promptTokens == 1_000 && c.cacheReadTokens == 800 && c.cacheWriteTokens == 100)
        #expect(c.completionTokens == 200 && c.reasoningTokens == 50)
        #expect(c.uncachedPromptTokens == 100 && c.totalTokens == 1_200)
    }

    @Test func openLLMetryNames() throws {
        // OpenLLMetry's Anthropic instrumentation adds cache reads and writes into the input.
        let c = try call([kv("gen_ai.request.model", string: "claude-sonnet-4-5"), kv("gen_ai.usage.prompt_tokens", int: 1_200),
                          kv("gen_ai.usage.cache_read_input_tokens", int: 1_000), kv("gen_ai.usage.cache_creation_input_tokens", int: 150),
                          kv("gen_ai.usage.completion_tokens", int: 80), kv("llm.usage.reasoning_tokens", int: 30)])
        #expect(c.promptTokens == 1_200 && c.cacheReadTokens == 1_000 && c.cacheWriteTokens == 150)
        #expect(c.completionTokens == 80 && c.reasoningTokens == 30)
    }

    @Test func anthropicRawUsageCopiedAsIsIsAddedUp() throws {
        // Anthropic's input_tokens excludes cached ones: 12 + 5,000 + 300 tokens were sent.
        let c = try call([kv("gen_ai.request.model", string: "claude-sonnet-4-5"), kv("gen_ai.usage.input_tokens", int: 12),
                          kv("gen_ai.usage.cache_read.input_tokens", int: 5_000), kv("gen_ai.usage.cache_creation.input_tokens", int: 300),
                          kv("gen_ai.usage.output_tokens", int: 40)])
        #expect(c.promptTokens == 5_312 && c.uncachedPromptTokens == 12)
    }

    @Test func openInferenceDetails() throws {
        let c = try call([kv("openinference.span.kind", string: "LLM"), kv("llm.model_name", string: "gpt-4o"),
                          kv("llm.token_count.prompt", int: 500), kv("llm.token_count.prompt_details.cache_read", int: 400),
                          kv("llm.token_count.prompt_details.cache_write", int: 0), kv("llm.token_count.prompt_details.audio", int: 20),
                          kv("llm.token_count.completion", int: 100), kv("llm.token_count.completion_details.reasoning", int: 60),
                          kv("llm.token_count.completion_details.audio", int: 5)])
        #expect(c.promptTokens == 500 && c.cacheReadTokens == 400 && c.cacheWriteTokens == 0 && c.audioInputTokens == 20)
        #expect(c.completionTokens == 100 && c.reasoningTokens == 60 && c.audioOutputTokens == 5)
    }

    @Test func reasoningReportedApartFromOutputIsAddedUp() throws {
        // Gemini counts thoughts apart from candidates: 10 visible + 40 thinking were produced.
        let c = try call([kv("gen_ai.request.model", string: "gemini-2.5-pro"), kv("gen_ai.usage.input_tokens", int: 5),
                          kv("gen_ai.usage.output_tokens", int: 10), kv("gen_ai.usage.reasoning.output_tokens", int: 40)])
        #expect(c.completionTokens == 50 && c.reasoningTokens == 40)
    }

    @Test func wrongTypesAndAbsurdValuesAreIgnored() throws {
        let c = try call([kv("gen_ai.request.model", string: "m"), kv("gen_ai.usage.input_tokens", int: 10),
                          kv("gen_ai.usage.cache_read.input_tokens", string: "lots"),
                          kv("llm.token_count.completion_details.reasoning", int: -5)])
        #expect(c.promptTokens == 10 && c.cacheReadTokens == nil && c.reasoningTokens == nil)
    }
}
