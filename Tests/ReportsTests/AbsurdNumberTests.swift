import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports
import TerminalText

/// Review findings in the reports: absurd numbers from a trace or a price file crashed
/// `spanscope summary` (Int64 of an infinite cost) or summed into negative token totals.
@Suite struct AbsurdNumberTests {
    func document(_ attributes: [String]) throws -> TraceDocument {
        let spans = attributes.enumerated().map { i, a in
            #"{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"000000000000000\#(i + 1)","name":"chat","#
                + #""startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000","attributes":["#
                + #"{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},"# + a + "]}"
        }
        let text = #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + spans.joined(separator: ",") + "]}]}]}"
        return try TraceLoader.decode(Array(text.utf8), source: "absurd.json")
    }

    @Test func tokenCountsNearInt64MaxAreLeftOutNotSummedNegative() throws {
        let huge = #"{"key":"gen_ai.usage.input_tokens","value":{"intValue":"9000000000000000000"}}"#
        let doc = try document([huge, huge, #"{"key":"gen_ai.usage.input_tokens","value":{"intValue":"-5"}}"#])
        let text = SummaryText.render(doc, prices: .standard)
        #expect(!text.contains(" -") && !text.contains("(-"), "\(text)")
        let stats = TraceStatistics(trace: doc.traces[0], prices: .standard)
        #expect(stats.trace.promptTokens == 0 && stats.trace.llmCalls == 3)
    }

    @Test func recordedCostsBeyondReasonAreLeftOut() throws {
        let cost = #"{"key":"gen_ai.usage.cost","value":{"doubleValue":1e308}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}}"#
        let doc = try document([cost, cost])
        let stats = TraceStatistics(trace: doc.traces[0], prices: .standard)
        // Priced from the table instead: 2 × 1000 × $2.50 per million.
        #expect(abs(stats.trace.costUSD - 0.005) < 1e-12)
        #expect(SummaryText.render(doc, prices: .standard).contains("$0.0050"))
    }

    @Test func anInfiniteCostFromAPriceFileIsShownAsUnknown() throws {
        let doc = try document([#"{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}}"#])
        let prices = PriceTable(entries: [ModelPrice(prefix: "gpt-4o", inputPerMillion: 1e308, outputPerMillion: 1e308,
                                                     source: "test")])
        let text = SummaryText.render(doc, prices: prices)
        #expect(text.contains("$?"))
        #expect(Format.fixed(.infinity, digits: 2) == "∞" && Format.fixed(.nan, digits: 2) == "NaN")
        #expect(Format.fixed(1e30, digits: 2) == "1e+30")
        #expect(Format.percent(.nan) == "–")
        let json = String(decoding: SummaryJSON.encode(doc, prices: prices), as: UTF8.self)
        #expect(json.contains(#""cost_usd":null"#))
    }
}
