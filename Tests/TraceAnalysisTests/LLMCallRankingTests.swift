import Testing
import TraceModel
@testable import TraceAnalysis

struct LLMCallRankingTests {
    /// ```
    /// root   :==========  0–100
    ///   a    :==          0–20   gpt-4o, 100/10, $0.03, ttft 5 ms, stop
    ///   b    :  =====     20–70  claude, 300/30, $0.01, length
    ///   c    :       ==   70–90  llama (unpriced), 50/5
    ///   d    :         =  90–95  plain span
    /// ```
    /// Self times: root 100 − 95 = 5; a 20, b 50, c 20, d 5.
    static let trace: Trace = {
        var b = RunBuilder("t")
        b.add("root", ms: 0, 100)
        b.add("a", parent: "root", ms: 0, 20, call: LLMCall(
            requestModel: "gpt-4o", promptTokens: 100, completionTokens: 10, recordedCostUSD: 0.03,
            finishReasons: ["stop"], timeToFirstTokenNanos: 5_000_000))
        b.add("b", parent: "root", ms: 20, 70, call: LLMCall(
            requestModel: "claude", promptTokens: 300, completionTokens: 30, recordedCostUSD: 0.01, finishReasons: ["length"]))
        b.add("c", parent: "root", ms: 70, 90, call: LLMCall(requestModel: "llama-local", promptTokens: 50, completionTokens: 5))
        b.add("d", parent: "root", ms: 90, 95)
        return b.trace
    }()

    @Test("rows carry model, tokens, cost, latency, time to first token and finish reason")
    func rows() {
        let rows = LLMCallRanking.rows([Self.trace])
        #expect(rows.map(\.name) == ["a", "b", "c"])
        #expect(rows[0].model == "gpt-4o" && rows[0].promptTokens == 100 && rows[0].completionTokens == 10)
        #expect(rows[0].costUSD == 0.03 && rows[0].costRecorded && rows[0].timeToFirstTokenNanos == 5_000_000)
        #expect(rows[0].finishReason == "stop" && rows[0].latencyNanos == 20_000_000)
        #expect(rows[2].costUSD == nil)
    }

    @Test("sorting by each column; missing values go last either way")
    func sorting() {
        let rows = LLMCallRanking.rows([Self.trace])
        func names(_ c: LLMCallColumn, _ desc: Bool) -> String {
            LLMCallRanking.sorted(rows, by: c, descending: desc).map(\.name).joined()
        }
        #expect(names(.cost, true) == "abc")
        #expect(names(.cost, false) == "bac")
        #expect(names(.latency, true) == "bac")
        #expect(names(.promptTokens, true) == "bac")
        #expect(names(.completionTokens, false) == "cab")
        #expect(names(.tokens, true) == "bac")
        #expect(names(.timeToFirstToken, true) == "abc")
        #expect(names(.model, false) == "bac")          // claude, gpt-4o, llama-local
        #expect(names(.finishReason, false) == "bac")   // length, stop, then none
        #expect(names(.start, false) == "abc")
        #expect(LLMCallColumn.cost.descendingFirst && !LLMCallColumn.model.descendingFirst)
    }

    @Test("walk orders: calls costliest first, spans by self time slowest first")
    func walks() {
        let t = Self.trace
        #expect(LLMCallRanking.callsByCost(t).map { t.spans[$0].name } == ["a", "b", "c"])
        // b 50, a 20, c 20 (a first in tree order), root 5, d 5.
        #expect(LLMCallRanking.spansBySelfTime(t).map { t.spans[$0].name } == ["b", "a", "c", "root", "d"])
    }
}
