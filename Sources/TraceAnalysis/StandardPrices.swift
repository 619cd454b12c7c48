/// The built-in price table, USD per million input / output tokens, standard (non-batch,
/// uncached, short-context) rates.
///
/// Cached input is priced at its own rates (below); batch, audio/image and long-context
/// (> 200k / 272k prompt) rates are not modelled: a call is priced at its model's base rate. Every group says where its numbers
/// come from and when they were read; a user price file (read by TraceFormats' `PriceFileReader`, merged with `PriceTable.merging`)
/// overrides any of them.
enum StandardPrices {
    static let seed = "seed"

    // OpenAI: openai.com/api/pricing (platform.openai.com/docs/pricing), as transcribed in
    // github.com/simonw/llm-prices data/openai.json (commit 0838d1a) and cross-checked with
    // deploybase.ai/articles/openai-pricing ("data from OpenAI pricing page, March 2026");
    // read 2026-11-26. o3 is the post-June-2025 price ($2/$8, as deploybase and
    // aumiqx.com/ai-tools/openai-api-pricing-gpt4-costs-guide-2026 list it), which llm-prices
    // still shows at its launch price. gpt-3.5-turbo as aimodelcalc.pages.dev/guides/openai-api-pricing
    // quotes platform.openai.com/docs/pricing (May 2026). The legacy rows (gpt-4 $30/$60,
    // gpt-4-32k $60/$120, gpt-4-turbo and its previews $10/$30, gpt-4o-2024-05-13 $5/$15, the
    // realtime previews) come from OpenAI's legacy price list as quoted by hexdocs.pm/langchainex
    // (GPT-4 8K/32K) and by public price tables found through code search; they are the least
    // certain rows here.
    static let openAI = "openai.com/api/pricing via simonw/llm-prices, read 2026-11-26"

    // Anthropic: platform.claude.com/docs/en/about-claude/pricing ("Model pricing" table,
    // Base Input Tokens / Output Tokens), same table as docs.anthropic.com/en/docs/about-claude/pricing;
    // read 2026-11-26. Model ids as the Claude API names them (dated ids match by prefix).
    // Claude 3 Sonnet (retired) at its launch price, as the Bedrock price table in LangChain's
    // bedrock_anthropic_callback lists it.
    static let anthropic = "platform.claude.com/docs/en/about-claude/pricing, read 2026-11-26"

    // Google: ai.google.dev/gemini-api/docs/pricing (paid tier, prompts up to 200k tokens; 1.5
    // models up to 128k), as transcribed in simonw/llm-prices data/google.json (commit 014a62d)
    // and morphllm.com/gemini-api-pricing ("all rates from Google's pricing page"); read 2026-11-26.
    static let google = "ai.google.dev/gemini-api/docs/pricing via simonw/llm-prices, read 2026-11-26"

    // Cached input. OpenAI and Google: the `input_cached` column of simonw/llm-prices
    // data/openai.json and data/google.json (commit 723ef0b, read 2026-12-02), transcribed from
    // the providers' pricing pages; neither charges extra to write the cache (OpenAI: "no
    // additional fees", platform.openai.com/docs/guides/prompt-caching), so writes cost the
    // input rate. Models whose cached rate that table does not give are priced at the input rate.
    static let cachedInput: [String: Double] = [
        "gpt-4.5": 37.5, "gpt-4o": 1.25, "gpt-4o-mini": 0.075, "o1-preview": 7.5, "o1-mini": 0.55,
        "o3-mini": 0.55, "gpt-4.1": 0.5, "gpt-4.1-mini": 0.1, "gpt-4.1-nano": 0.025, "o3": 0.5, "o4-mini": 0.275,
        "gpt-5": 0.125, "gpt-5-mini": 0.025, "gpt-5-nano": 0.005, "gpt-5.1": 0.125, "gpt-5.2": 0.175, "gpt-5.4": 0.25,
        "gemini-2.5-pro": 0.125, "gemini-2.5-flash": 0.03, "gemini-2.5-flash-lite": 0.01,
        "gemini-3.1-flash-lite": 0.025, "gemini-3.5-flash": 0.15,
    ]

    // Anthropic bills cache reads at 0.1× and 5-minute cache writes at 1.25× the base input rate
    // (platform.claude.com/docs/en/about-claude/pricing, "Prompt caching" multipliers; read
    // 2026-12-02). 1-hour writes (2×) cannot be told apart in traces and are priced as 5-minute ones.
    static let anthropicCacheRead = 0.1, anthropicCacheWrite = 1.25

    /// The entries with their cache rates filled in from the notes above.
    static let entries: [ModelPrice] = baseEntries.map { e in
        if e.source == anthropic {
            return ModelPrice(prefix: e.prefix, inputPerMillion: e.inputPerMillion, outputPerMillion: e.outputPerMillion,
                              cacheReadPerMillion: e.inputPerMillion * anthropicCacheRead,
                              cacheWritePerMillion: e.inputPerMillion * anthropicCacheWrite, source: e.source)
        }
        guard let cached = cachedInput[e.prefix] else { return e }
        return ModelPrice(prefix: e.prefix, inputPerMillion: e.inputPerMillion, outputPerMillion: e.outputPerMillion,
                          cacheReadPerMillion: cached, cacheWritePerMillion: e.inputPerMillion,
                          source: e.source)
    }

    static let baseEntries: [ModelPrice] = {
        func p(_ prefix: String, _ input: Double, _ output: Double, _ source: String) -> ModelPrice {
            ModelPrice(prefix: prefix, inputPerMillion: input, outputPerMillion: output, source: source)
        }
        return [
            // The seed's `_calculate_cost` table (tracing-frameworks-for-ai, TracedOpenAI).
            p("gpt-4o", 2.50, 10.00, seed),
            p("gpt-4o-mini", 0.15, 0.60, seed),
            p("o1-preview", 15.00, 60.00, seed),

            // OpenAI
            p("gpt-4o-2024-05-13", 5.00, 15.00, openAI),
            p("chatgpt-4o-latest", 5.00, 15.00, openAI),
            p("gpt-4o-realtime-preview", 5.00, 20.00, openAI),
            p("gpt-4o-mini-realtime-preview", 0.60, 2.40, openAI),
            p("gpt-4.1", 2.00, 8.00, openAI),
            p("gpt-4.1-mini", 0.40, 1.60, openAI),
            p("gpt-4.1-nano", 0.10, 0.40, openAI),
            p("gpt-4.5", 75.00, 150.00, openAI),
            p("gpt-5", 1.25, 10.00, openAI),
            p("gpt-5-mini", 0.25, 2.00, openAI),
            p("gpt-5-nano", 0.05, 0.40, openAI),
            p("gpt-5-pro", 15.00, 120.00, openAI),
            p("gpt-5.1", 1.25, 10.00, openAI),
            p("gpt-5.2", 1.75, 14.00, openAI),
            p("gpt-5.4", 2.50, 15.00, openAI),
            p("o1", 15.00, 60.00, openAI),
            p("o1-mini", 1.10, 4.40, openAI),
            p("o1-pro", 150.00, 600.00, openAI),
            p("o3", 2.00, 8.00, openAI),
            p("o3-mini", 1.10, 4.40, openAI),
            p("o3-pro", 20.00, 80.00, openAI),
            p("o4-mini", 1.10, 4.40, openAI),
            p("gpt-4-turbo", 10.00, 30.00, openAI),
            p("gpt-4-1106-preview", 10.00, 30.00, openAI),
            p("gpt-4-0125-preview", 10.00, 30.00, openAI),
            p("gpt-4-vision-preview", 10.00, 30.00, openAI),
            p("gpt-4", 30.00, 60.00, openAI),
            p("gpt-4-32k", 60.00, 120.00, openAI),
            p("gpt-3.5-turbo", 0.50, 1.50, openAI),
            p("text-embedding-3-small", 0.02, 0, openAI),
            p("text-embedding-3-large", 0.13, 0, openAI),
            p("text-embedding-ada-002", 0.10, 0, openAI),

            // Anthropic
            p("claude-opus-4-6", 5.00, 25.00, anthropic),
            p("claude-opus-4-5", 5.00, 25.00, anthropic),
            p("claude-opus-4-1", 15.00, 75.00, anthropic),
            p("claude-opus-4-0", 15.00, 75.00, anthropic),
            p("claude-opus-4", 15.00, 75.00, anthropic),
            p("claude-sonnet-4-6", 3.00, 15.00, anthropic),
            p("claude-sonnet-4-5", 3.00, 15.00, anthropic),
            p("claude-sonnet-4-0", 3.00, 15.00, anthropic),
            p("claude-sonnet-4", 3.00, 15.00, anthropic),
            p("claude-haiku-4-5", 1.00, 5.00, anthropic),
            p("claude-3-7-sonnet", 3.00, 15.00, anthropic),
            p("claude-3-5-sonnet", 3.00, 15.00, anthropic),
            p("claude-3-5-haiku", 0.80, 4.00, anthropic),
            p("claude-3-opus", 15.00, 75.00, anthropic),
            p("claude-3-sonnet", 3.00, 15.00, anthropic),
            p("claude-3-haiku", 0.25, 1.25, anthropic),

            // Google Gemini
            p("gemini-3.5-flash", 1.50, 9.00, google),
            p("gemini-3.1-pro", 2.00, 12.00, google),
            p("gemini-3.1-flash-lite", 0.25, 1.50, google),
            p("gemini-3-pro", 2.00, 12.00, google),
            p("gemini-3-flash", 0.50, 3.00, google),
            p("gemini-2.5-pro", 1.25, 10.00, google),
            p("gemini-2.5-flash", 0.30, 2.50, google),
            p("gemini-2.5-flash-lite", 0.10, 0.40, google),
            p("gemini-2.0-flash", 0.10, 0.40, google),
            p("gemini-2.0-flash-lite", 0.075, 0.30, google),
            p("gemini-1.5-pro", 1.25, 5.00, google),
            p("gemini-1.5-flash", 0.075, 0.30, google),
            p("gemini-1.5-flash-8b", 0.0375, 0.15, google),
        ]
    }()
}
