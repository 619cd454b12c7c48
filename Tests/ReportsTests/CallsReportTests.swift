import Foundation
import Testing
import TraceAnalysis
import TraceModel
@testable import Reports

/// One trace with two calls, built by hand: a cached one (1000 in, 800 of them read from the
/// prompt cache, 50 out, $0.002 recorded, TTFT 250 ms) and one with nothing but a model.
private let trace: Trace = {
    let id = TraceID(.text("ca11ed"))
    let spans = [
        Span(traceID: id, spanID: SpanID(.text("root")), parentID: nil, name: "agent", service: "app",
             startNanos: 0, endNanos: 3_000_000_000),
        Span(traceID: id, spanID: SpanID(.text("c1")), parentID: SpanID(.text("root")), name: "chat cached",
             service: "app", startNanos: 1_000_000, endNanos: 1_201_000_000),
        Span(traceID: id, spanID: SpanID(.text("c2")), parentID: SpanID(.text("root")), name: "chat bare",
             service: "app", startNanos: 1_300_000_000, endNanos: 1_400_000_000),
    ]
    let calls: [String: LLMCall] = [
        "chat cached": LLMCall(requestModel: "claude-3-5-sonnet", promptTokens: 1000, completionTokens: 50,
                               recordedCostUSD: 0.002, finishReasons: ["end_turn"], timeToFirstTokenNanos: 250_000_000,
                               cacheReadTokens: 800),
        "chat bare": LLMCall(requestModel: "no-such-model"),
    ]
    return Trace(id: id, spans: spans) { calls[$0.name] }
}()

@Suite struct CallsReportTests {
    @Test func textHasACachedColumn() {
        let rows = LLMCallRanking.rows([trace])
        let lines = CallsText.render(rows, traces: [trace]).split(separator: "\n").map(String.init)
        #expect(lines[0] == "2 LLM calls")
        #expect(lines[1].contains(" cached "))
        // in 1,000 · out 50 · cached 800, then the cost; the bare call has dashes.
        #expect(lines[2].range(of: #"1,000 +50 +800 +\$0\.0020"#, options: .regularExpression) != nil, "\(lines[2])")
        #expect(lines[3].range(of: #"– +– +– +unpriced"#, options: .regularExpression) != nil, "\(lines[3])")
    }

    @Test func jsonCarriesCachedTokensAndNullsForWhatWasNotRecorded() throws {
        let rows = LLMCallRanking.sorted(LLMCallRanking.rows([trace]), by: .cachedTokens, descending: true)
        let object = try JSONSerialization.jsonObject(with: Data(CallsJSON.encode(rows, traces: [trace], total: 5)))
            as! [String: Any]
        #expect(object["calls"] as? Int == 5 && object["shown"] as? Int == 2)
        let r = object["rows"] as! [[String: Any]]
        #expect(r[0]["span_id"] as? String == SpanID(.text("c1")).description)
        #expect(r[0]["cached_tokens"] as? Int == 800 && r[0]["prompt_tokens"] as? Int == 1000)
        #expect(r[0]["total_tokens"] as? Int == 1050)
        #expect(r[0]["cost_usd"] as? Double == 0.002 && r[0]["cost_recorded"] as? Bool == true)
        #expect(r[0]["latency_ms"] as? Double == 1200 && r[0]["ttft_ms"] as? Double == 250)
        #expect(r[0]["finish_reason"] as? String == "end_turn")
        for key in ["cached_tokens", "prompt_tokens", "completion_tokens", "cost_usd", "ttft_ms"] {
            #expect(r[1][key] is NSNull, "\(key) should be null")
        }
    }
}
