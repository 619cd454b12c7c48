import Foundation
import Testing
import TraceModel
@testable import TraceAnalysis

/// Dollar amounts are compared to a tenth of a nano-dollar; the arithmetic is in Double.
func close(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) < 1e-10
}

@Suite struct PriceLookupTests {
    let table = PriceTable.standard

    @Test func seedPricesAreTheDefaults() {
        // Base rates are the seed's; the cached-input rate is OpenAI's (half the input rate for these).
        #expect(table.price(for: "gpt-4o") == ModelPrice(prefix: "gpt-4o", inputPerMillion: 2.50, outputPerMillion: 10.00,
                                                         cacheReadPerMillion: 1.25, cacheWritePerMillion: 2.50, source: "seed"))
        #expect(table.price(for: "gpt-4o-mini") == ModelPrice(prefix: "gpt-4o-mini", inputPerMillion: 0.15, outputPerMillion: 0.60,
                                                              cacheReadPerMillion: 0.075, cacheWritePerMillion: 0.15, source: "seed"))
        #expect(table.price(for: "o1-preview") == ModelPrice(prefix: "o1-preview", inputPerMillion: 15, outputPerMillion: 60,
                                                             cacheReadPerMillion: 7.5, cacheWritePerMillion: 15, source: "seed"))
    }

    @Test func datedVariantsPriceAsTheirFamily() {
        let cases: [(model: String, prefix: String)] = [
            ("gpt-4o-2024-08-06", "gpt-4o"),
            ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),      // the longer prefix, not gpt-4o
            ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),      // the one gpt-4o snapshot with its own price
            ("o1-preview-2024-09-12", "o1-preview"),
            ("o3-mini-2025-01-31", "o3-mini"),
            ("o3-2025-04-16", "o3"),
            ("gpt-4.1-2025-04-14", "gpt-4.1"),
            ("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
            ("gpt-4-0613", "gpt-4"),
            ("gpt-4-turbo-2024-04-09", "gpt-4-turbo"),
            ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
            ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
            ("claude-sonnet-4-20250514", "claude-sonnet-4"),
            ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
            ("claude-opus-4-1-20250805", "claude-opus-4-1"),
            ("claude-3-haiku-20240307", "claude-3-haiku"),
            ("gemini-1.5-pro-002", "gemini-1.5-pro"),
            ("gemini-2.5-flash-lite-preview-06-17", "gemini-2.5-flash-lite"),
            ("gemini-2.5-pro-preview-03-25", "gemini-2.5-pro"),
        ]
        for c in cases {
            #expect(table.price(for: c.model)?.prefix == c.prefix, "\(c.model)")
        }
        #expect(table.price(for: "gpt-4o-2024-05-13")?.inputPerMillion == 5)
        #expect(table.price(for: "claude-3-5-sonnet-20241022")?.outputPerMillion == 15)
    }

    @Test func caseAndProviderPrefixesAreNormalised() {
        let cases: [(model: String, prefix: String)] = [
            ("GPT-4o", "gpt-4o"),
            ("  gpt-4o-mini\n", "gpt-4o-mini"),
            ("openai/gpt-4o", "gpt-4o"),
            ("azure/gpt-4o-mini", "gpt-4o-mini"),
            ("openrouter/anthropic/claude-3-opus", "claude-3-opus"),
            ("models/gemini-1.5-pro", "gemini-1.5-pro"),
            ("projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash-001", "gemini-2.0-flash"),
            ("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku"),
            ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet"),
            ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"),   // Vertex AI model id
        ]
        for c in cases {
            #expect(table.price(for: c.model)?.prefix == c.prefix, "\(c.model)")
        }
    }

    @Test func unknownModelsAreUnpricedNeverGpt4o() {
        for model in ["llama-3.1-70b-instruct", "mistral-large-latest", "", "   ", "gpt-4o1", "gpt4o",
                      "claude-opus-4-7",                       // a newer minor version, not claude-opus-4
                      "gpt-4o-mini-x".replacingOccurrences(of: "gpt", with: "gtp"),
                      "ft:gpt-4o-mini-2024-07-18:acme::9xYz"] {  // fine-tunes cost more than their base
            #expect(table.price(for: model) == nil, "\(model)")
        }
    }

    @Test func boundariesKeepNeighbouringFamiliesApart() {
        #expect(table.price(for: "gpt-4")?.inputPerMillion == 30)
        #expect(table.price(for: "gpt-4-32k-0613")?.prefix == "gpt-4-32k")
        #expect(table.price(for: "gpt-4.5-preview")?.prefix == "gpt-4.5")
        #expect(table.price(for: "gpt-5.1-2025-11-13")?.prefix == "gpt-5.1")
        #expect(table.price(for: "gpt-5-mini-2025-08-07")?.prefix == "gpt-5-mini")
        #expect(table.price(for: "o1-mini")?.prefix == "o1-mini")
        #expect(table.price(for: "o1-2024-12-17")?.prefix == "o1")
    }

    @Test func everyGroupCitesASource() {
        for entry in table.entries {
            #expect(entry.source == "seed" || entry.source.contains("read 2026-11-26"), "\(entry.prefix)")
            #expect(entry.inputPerMillion > 0 && entry.outputPerMillion >= 0, "\(entry.prefix)")
        }
        #expect(table.entries.contains { $0.prefix.hasPrefix("claude-") })
        #expect(table.entries.contains { $0.prefix.hasPrefix("gemini-") })
    }

    @Test func laterEntriesReplaceEarlierOnes() {
        let t = PriceTable(entries: [
            ModelPrice(prefix: "m", inputPerMillion: 1, outputPerMillion: 1, source: "a"),
            ModelPrice(prefix: "M", inputPerMillion: 2, outputPerMillion: 2, source: "b"),
        ])
        #expect(t.entries.count == 1)
        #expect(t.price(for: "m-1000")?.source == "b")
    }
}

@Suite struct CallCostTests {
    let table = PriceTable.standard

    @Test func computedFromTokens() {
        // 1000 × $2.50/M + 500 × $10/M = $0.0025 + $0.005
        let call = LLMCall(requestModel: "gpt-4o", promptTokens: 1000, completionTokens: 500)
        let cost = call.cost(using: table)
        #expect(close(cost.usd, 0.0075))
        #expect(cost.source == .computed(table.price(for: "gpt-4o")!))
    }

    @Test func recordedCostWins() {
        let call = LLMCall(requestModel: "gpt-4o", promptTokens: 1000, completionTokens: 500, recordedCostUSD: 0.02)
        #expect(call.cost(using: table) == CallCost(usd: 0.02, source: .recorded))
        let garbage = LLMCall(requestModel: "gpt-4o", promptTokens: 1000, completionTokens: 500, recordedCostUSD: .nan)
        #expect(close(garbage.cost(using: table).usd, 0.0075))
    }

    @Test func unknownModelIsUnpricedWhereTheSeedChargedGpt4o() {
        // The seed's _calculate_cost falls back to (2.50, 10.00): $0.0075 for this call.
        let call = LLMCall(requestModel: "llama-3.1-8b", promptTokens: 1000, completionTokens: 500)
        #expect(call.cost(using: table) == .unpriced)
    }

    @Test func responseModelFirstThenRequestModel() {
        // gpt-4o-2024-05-13 is $5/$15: 1000 × 5/M + 500 × 15/M = $0.0125
        let dated = LLMCall(requestModel: "gpt-4o", responseModel: "gpt-4o-2024-05-13", promptTokens: 1000, completionTokens: 500)
        #expect(close(dated.cost(using: table).usd, 0.0125))
        // An alias the table does not know falls back to what was asked for: 1000 × 0.15/M + 500 × 0.6/M
        let alias = LLMCall(requestModel: "gpt-4o-mini", responseModel: "proxy-default", promptTokens: 1000, completionTokens: 500)
        #expect(close(alias.cost(using: table).usd, 0.00045))
    }

    @Test func failedCallWithOnlyARequestModelCostsNothing() {
        let call = LLMCall(requestModel: "claude-3-5-haiku-20241022")
        let cost = call.cost(using: table)
        #expect(cost.usd == 0)
        #expect(cost.source == .computed(table.price(for: "claude-3-5-haiku")!))
    }

    @Test func prefixedAndBedrockNamesPrice() {
        // claude-3-haiku $0.25/$1.25: 2000 × 0.25/M + 400 × 1.25/M = $0.0005 + $0.0005
        let bedrock = LLMCall(requestModel: "us.anthropic.claude-3-haiku-20240307-v1:0", promptTokens: 2000, completionTokens: 400)
        #expect(close(bedrock.cost(using: table).usd, 0.001))
        // gemini-1.5-flash $0.075/$0.30: 10000 × 0.075/M + 1000 × 0.3/M = $0.00075 + $0.0003
        let gemini = LLMCall(requestModel: "models/gemini-1.5-flash-002", promptTokens: 10000, completionTokens: 1000)
        #expect(close(gemini.cost(using: table).usd, 0.00105))
    }
}

@Suite struct PriceOverrideTests {
    @Test func overridesReplaceSamePrefixAndExtendTheTable() {
        let table = PriceTable.standard.merging([
            ModelPrice(prefix: "gpt-4o", inputPerMillion: 2, outputPerMillion: 8, source: "prices.json"),
            ModelPrice(prefix: "acme-llm", inputPerMillion: 1, outputPerMillion: 3, source: "acme contract 2026"),
            ModelPrice(prefix: "OpenAI/GPT-4o-mini", inputPerMillion: 0.1, outputPerMillion: 0.4, source: "team sheet"),
        ])
        #expect(table.price(for: "gpt-4o-2024-08-06") == ModelPrice(prefix: "gpt-4o", inputPerMillion: 2, outputPerMillion: 8, source: "prices.json"))
        #expect(table.price(for: "acme-llm-v2")?.source == "acme contract 2026")
        #expect(table.price(for: "gpt-4o-mini")?.source == "team sheet")
        #expect(table.entries.count == PriceTable.standard.entries.count + 1)
        // 1000 × 1/M + 1000 × 3/M
        #expect(close(LLMCall(requestModel: "ACME-LLM", promptTokens: 1000, completionTokens: 1000).cost(using: table).usd, 0.004))
    }

    @Test func emptyBaseMeansOnlyTheGivenPrices() {
        let table = PriceTable(entries: []).merging([ModelPrice(prefix: "local-llm", inputPerMillion: 0, outputPerMillion: 0, source: "f")])
        #expect(table.price(for: "gpt-4o") == nil)
        #expect(table.price(for: "local-llm")?.inputPerMillion == 0)
    }
}

@Suite struct CachedTokenPricingTests {
    @Test func cacheReadsAndWritesArePricedAtTheirOwnRates() {
        let price = ModelPrice(prefix: "m", inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 0.3,
                               cacheWritePerMillion: 3.75, source: "test")
        // 10,000 input of which 6,000 read and 1,000 written: 3,000 uncached.
        // 3,000 × 3 + 6,000 × 0.3 + 1,000 × 3.75 + 500 × 15 = 9,000 + 1,800 + 3,750 + 7,500 = 22,050 per M
        let call = LLMCall(requestModel: "m", promptTokens: 10_000, completionTokens: 500,
                           cacheReadTokens: 6_000, cacheWriteTokens: 1_000)
        #expect(close(call.cost(using: PriceTable(entries: [price])).usd, 0.02205))
    }

    @Test func withoutCacheRatesCachedInputCostsTheInputRate() {
        let table = PriceTable(entries: [ModelPrice(prefix: "m", inputPerMillion: 2, outputPerMillion: 8, source: "t")])
        let call = LLMCall(requestModel: "m", promptTokens: 1_000, completionTokens: 0, cacheReadTokens: 900)
        #expect(close(call.cost(using: table).usd, 0.002))
    }

    @Test func anthropicCacheRatesFollowTheBaseRate() throws {
        // Sonnet 4.5: $3 base input; reads 0.1× = $0.30, 5-minute writes 1.25× = $3.75.
        let price = try #require(PriceTable.standard.price(for: "claude-sonnet-4-5-20250929"))
        #expect(close(price.cacheReadPerMillion, 0.30) && close(price.cacheWritePerMillion, 3.75))
    }

    @Test func statisticsCountCachedAndReasoningTokensOnce() {
        let a = Span(traceID: TraceID("0af7651916cd43dd8448eb211c80319c"), spanID: SpanID("00f067aa0ba902b7"), name: "chat",
                     startNanos: 0, endNanos: 10)
        let b = Span(traceID: a.traceID, spanID: SpanID("00f067aa0ba902b8"), parentID: a.spanID, name: "chat", startNanos: 1, endNanos: 9)
        let calls: [LLMCall?] = [
            LLMCall(requestModel: "gpt-4o", promptTokens: 2_000, completionTokens: 300, cacheReadTokens: 1_500, reasoningTokens: 100),
            LLMCall(requestModel: "gpt-4o", promptTokens: 1_000, completionTokens: 50, cacheReadTokens: 200),
        ]
        let trace = Trace(id: a.traceID, spans: [a, b], llmCalls: calls)
        let t = TraceStatistics(trace: trace, prices: .standard).trace
        #expect(t.promptTokens == 3_000 && t.completionTokens == 350)
        #expect(t.cacheReadTokens == 1_700 && t.cacheWriteTokens == 0 && t.reasoningTokens == 100)
        // gpt-4o: $2.50 in, $1.25 cached, $10 out. Uncached 1,300 × 2.5 + 1,700 × 1.25 + 350 × 10
        // = 3,250 + 2,125 + 3,500 = 8,875 per M.
        #expect(close(t.costUSD, 0.008875))
        #expect(t.usage(of: "gpt-4o")?.cacheReadTokens == 1_700)
    }
}

@Suite struct PriceSourceTests {
    @Test func theSourceIsExplainedNotJustNamed() throws {
        let seed = try #require(PriceTable.standard.price(for: "gpt-4o-mini-2024-07-18"))
        #expect(seed.sourceDescription == "built-in table (seed defaults: the pricing example in tracing-frameworks-for-ai)")
        let anthropic = try #require(PriceTable.standard.price(for: "claude-3-5-haiku-20241022"))
        #expect(anthropic.sourceDescription.hasPrefix("built-in table (platform.claude.com/"))
        let mine = PriceTable.standard.merging([ModelPrice(prefix: "my-model", inputPerMillion: 1, outputPerMillion: 2, source: "prices.json")])
        #expect(mine.price(for: "my-model")?.sourceDescription == "price file (prices.json)")
    }
}
