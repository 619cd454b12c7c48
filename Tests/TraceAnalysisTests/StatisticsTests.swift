import Testing
import TraceModel
@testable import TraceAnalysis

/// Builds small traces span by span; times are units after `Timeline.epoch`.
struct TraceBuilder {
    private(set) var spans: [Span] = []
    private var calls: [String: LLMCall] = [:]

    mutating func add(_ name: String, parent: String?, _ start: Int64, _ end: Int64, error: String? = nil,
                      call: LLMCall? = nil, attributes: [Attribute] = [], events: [SpanEvent] = [], service: String = "agent-service") {
        spans.append(Span(
            traceID: TraceID("trace-1"), spanID: SpanID(.text(name)), parentID: parent.map { SpanID(.text($0)) },
            name: name, service: service, startNanos: Timeline.epoch + start, endNanos: Timeline.epoch + end,
            status: error.map { SpanStatus(.error, message: $0) } ?? .ok, attributes: attributes, events: events))
        if let call { calls[name] = call }
    }

    var trace: Trace {
        let calls = self.calls
        return Trace(id: TraceID("trace-1"), spans: spans, llmCall: { calls[$0.name] })
    }
}

/// The agent trace the statistics tests count by hand:
///
/// ```
/// agent        :====================            0-20
///   plan       : ====                           1-5   LLM gpt-4o → gpt-4o-2024-08-06, 1000 in / 200 out
///   search     :     ====                       5-9   error "timeout"
///     retry    :      ==                        6-8   LLM claude-3-5-haiku-20241022, 2000 / 100
///   answer     :         =========              9-18  LLM gpt-4o-mini, 3000 / 400, recorded $0.01
///   local      :          ==                   10-12  LLM llama-3.1-8b, 500 / 50 (no price)
///   failed     :                  =            18-19  LLM gpt-4o-mini requested, no tokens, error
/// orphan       :                         ===== 25-30  parent not in the file, error
/// ```
enum AgentTrace {
    static let trace: Trace = {
        var b = TraceBuilder()
        b.add("agent", parent: nil, 0, 20)
        b.add("plan", parent: "agent", 1, 5, call: LLMCall(
            requestModel: "gpt-4o", responseModel: "gpt-4o-2024-08-06", promptTokens: 1000, completionTokens: 200))
        b.add("search", parent: "agent", 5, 9, error: "timeout")
        b.add("retry", parent: "search", 6, 8, call: LLMCall(
            requestModel: "claude-3-5-haiku-20241022", promptTokens: 2000, completionTokens: 100))
        b.add("answer", parent: "agent", 9, 18, call: LLMCall(
            requestModel: "gpt-4o-mini", promptTokens: 3000, completionTokens: 400, recordedCostUSD: 0.01))
        b.add("local", parent: "agent", 10, 12, call: LLMCall(
            requestModel: "llama-3.1-8b", promptTokens: 500, completionTokens: 50))
        b.add("failed", parent: "agent", 18, 19, error: "rate limited", call: LLMCall(requestModel: "gpt-4o-mini"))
        b.add("orphan", parent: "gone", 25, 30, error: "lost parent")
        return b.trace
    }()

    static func index(_ name: String) -> Int { trace.spans.firstIndex { $0.name == name }! }
}

@Suite struct StatisticsTests {
    let trace = AgentTrace.trace
    let stats = TraceStatistics(trace: AgentTrace.trace, prices: .standard)
    func i(_ name: String) -> Int { AgentTrace.index(name) }

    @Test func traceTotals() {
        let t = stats.trace
        #expect(t.spanCount == 8)
        #expect(t.errorCount == 3)
        #expect(t.llmCalls == 5)
        #expect(t.promptTokens == 6500)        // 1000 + 2000 + 3000 + 500 + 0
        #expect(t.completionTokens == 750)     // 200 + 100 + 400 + 50
        #expect(t.totalTokens == 7250)
        // plan 1000×2.5/M + 200×10/M = 0.0045; retry 2000×0.8/M + 100×4/M = 0.002;
        // answer recorded 0.01; failed 0; local unpriced.
        #expect(close(t.costUSD, 0.0165))
        #expect(t.unpricedCalls == 1)
        #expect(t.recordedCostCalls == 1)
        #expect(t.durationNanos == 30)         // latest end (orphan, 30) − earliest start (agent, 0)
    }

    @Test func byModelUsesResponseThenRequestModelSortedByCost() {
        let byModel = stats.trace.byModel
        #expect(byModel.map(\.model) == ["gpt-4o-mini", "gpt-4o-2024-08-06", "claude-3-5-haiku-20241022", "llama-3.1-8b"])
        let mini = byModel[0].usage
        #expect(mini.calls == 2)               // the failed call with only a request model counts
        #expect(mini.promptTokens == 3000 && mini.completionTokens == 400 && mini.totalTokens == 3400)
        #expect(close(mini.costUSD, 0.01))
        #expect(close(byModel[1].usage.costUSD, 0.0045))
        #expect(byModel[1].usage.totalTokens == 1200)
        #expect(close(byModel[2].usage.costUSD, 0.002))
        #expect(byModel[3].usage == ModelUsage(calls: 1, promptTokens: 500, completionTokens: 50, totalTokens: 550,
                                               costUSD: 0, unpricedCalls: 1))
        #expect(stats.trace.usage(of: "llama-3.1-8b")?.unpricedCalls == 1)
    }

    @Test func subtreeTotals() {
        let root = stats.subtree(of: i("agent"))
        #expect(root.spanCount == 7 && root.errorCount == 2 && root.llmCalls == 5)
        #expect(close(root.costUSD, 0.0165))
        #expect(root.durationNanos == 20)

        let search = stats.subtree(of: i("search"))
        #expect(search.spanCount == 2 && search.errorCount == 1 && search.llmCalls == 1)
        #expect(search.promptTokens == 2000 && search.completionTokens == 100 && search.totalTokens == 2100)
        #expect(close(search.costUSD, 0.002))
        #expect(search.modelsUsed == ["claude-3-5-haiku-20241022"])
        #expect(search.startNanos == Timeline.epoch + 5 && search.durationNanos == 4)

        let orphan = stats.subtree(of: i("orphan"))
        #expect(orphan == UsageTotals(spanCount: 1, errorCount: 1, startNanos: Timeline.epoch + 25, endNanos: Timeline.epoch + 30))
    }

    @Test func perSpanCosts() {
        #expect(stats.cost(ofSpan: i("agent")) == nil)
        #expect(stats.cost(ofSpan: i("plan"))?.source == .computed(PriceTable.standard.price(for: "gpt-4o")!))
        #expect(close(stats.cost(ofSpan: i("plan"))?.usd, 0.0045))
        #expect(stats.cost(ofSpan: i("answer")) == CallCost(usd: 0.01, source: .recorded))
        #expect(stats.cost(ofSpan: i("local")) == .unpriced)
        #expect(stats.cost(ofSpan: i("failed"))?.usd == 0)
        #expect(stats.llmSpanCosts.map(\.span) == ["plan", "retry", "answer", "local", "failed"].map(i))
    }

    @Test func notableSpans() {
        #expect(stats.slowestSpan == i("agent"))
        #expect(stats.costliestLLMSpan == i("answer"))
        #expect(stats.errorSpans == [i("search"), i("failed"), i("orphan")])
    }

    @Test func selfTime() {
        #expect(stats.selfTimeNanos(of: i("agent")) == 2)   // 20 − union of children [1, 19]
        #expect(stats.selfTimeNanos(of: i("search")) == 2)  // 4 − retry's 2
        #expect(stats.selfTimeNanos(of: i("answer")) == 9)

        // Overlapping children count once; a child outliving its parent counts only inside it.
        let t = Timeline("""
        p   :==========
          a : ====
          b :   ====
          c :        =====
        """)
        let s = TraceStatistics(trace: t.trace, prices: .standard)
        #expect(s.selfTimeNanos(of: t.index("p")) == 2)      // 10 − ([1, 7] + [8, 10])
        #expect(s.selfTimeNanos(of: t.index("c")) == 5)
    }

    @Test func callsWithoutAModelAndTracesWithoutCalls() {
        var b = TraceBuilder()
        b.add("root", parent: nil, 0, 10)
        b.add("mystery", parent: "root", 1, 2, call: LLMCall(promptTokens: 10, completionTokens: 5))
        let s = TraceStatistics(trace: b.trace, prices: .standard)
        #expect(s.trace.modelsUsed == ["(unknown model)"])
        #expect(s.trace.unpricedCalls == 1)
        #expect(s.costliestLLMSpan == nil)

        let empty = TraceStatistics(trace: Trace(id: TraceID("none"), spans: []), prices: .standard)
        #expect(empty.trace == UsageTotals())
        #expect(empty.slowestSpan == nil && empty.costliestLLMSpan == nil && empty.errorSpans.isEmpty)
    }

    @Test func pricesFromAUserTableChangeTheTotals() {
        let mine = PriceTable.standard.merging([ModelPrice(prefix: "llama-3.1", inputPerMillion: 0.2, outputPerMillion: 0.2, source: "test")])
        let s = TraceStatistics(trace: trace, prices: mine)
        #expect(s.trace.unpricedCalls == 0)
        #expect(close(s.trace.costUSD, 0.0165 + 550 * 0.2 / 1_000_000))
    }
}

@Suite struct TraceSummaryTests {
    @Test func summarisesTheAgentTrace() {
        let trace = AgentTrace.trace
        let summary = TraceSummary(trace: trace, prices: .standard)
        #expect(summary.traceID == TraceID("trace-1"))
        #expect(summary.rootName == "agent")
        #expect(summary.rootIndex == AgentTrace.index("agent"))
        #expect(summary.durationNanos == 30)
        #expect(summary.startNanos == Timeline.epoch)
        #expect(summary.totals == TraceStatistics(trace: trace, prices: .standard).trace)
        let path = summary.criticalPath.map {
            "\(trace.spans[$0.span].name) \($0.startNanos - Timeline.epoch)-\($0.endNanos - Timeline.epoch)"
        }
        // `local` (10-12) runs beside `answer` and finishes first, so it is not waited on.
        #expect(path == ["agent 0-1", "plan 1-5", "search 5-6", "retry 6-8", "search 8-9",
                         "answer 9-18", "failed 18-19", "agent 19-20"])
    }
}
