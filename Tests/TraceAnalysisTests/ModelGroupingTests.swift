import Testing
import TraceModel
@testable import TraceAnalysis

/// The model table groups calls the way a reader thinks of them (issue 15, item 6):
///
/// ```
/// chat      :==========   0-10
///   first   : ==          1-3   gpt-4o-mini → gpt-4o-mini-2024-07-18, 100 in / 20 out
///   retry   :    ==       4-6   gpt-4o-mini requested, failed, no tokens
///   second  :       ==    7-9   gpt-4o-mini → gpt-4o-mini-2024-07-18, 200 in / 30 out
///   other   :        =    8-9   gpt-4o requested, failed (gpt-4o never answered here)
/// ```
@Suite struct ModelGroupingTests {
    let timeline = Timeline("""
        chat      :==========
          first   : ==
          retry   :    ==
          second  :       ==
          other   :        =
        """, calls: [
            "first": LLMCall(requestModel: "gpt-4o-mini", responseModel: "gpt-4o-mini-2024-07-18",
                             promptTokens: 100, completionTokens: 20),
            "retry": LLMCall(requestModel: "gpt-4o-mini"),
            "second": LLMCall(requestModel: "gpt-4o-mini", responseModel: "gpt-4o-mini-2024-07-18",
                              promptTokens: 200, completionTokens: 30),
            "other": LLMCall(requestModel: "gpt-4o"),
        ], errors: ["retry", "other"])

    @Test func aFailedCallJoinsTheDatedRowItsRequestModelAnsweredAs() {
        let stats = TraceStatistics(trace: timeline.trace, prices: .standard)
        let rows = stats.trace.byModel
        // Before: gpt-4o-mini-2024-07-18 (2 calls), gpt-4o-mini (1 call, 0 tokens), gpt-4o.
        #expect(rows.map(\.model) == ["gpt-4o-mini-2024-07-18", "gpt-4o"])
        let mini = rows[0].usage
        #expect(mini.calls == 3 && mini.failedCalls == 1)
        #expect(mini.promptTokens == 300 && mini.completionTokens == 50 && mini.totalTokens == 350)
        // 300 × $0.15/M + 50 × $0.60/M = $0.000045 + $0.00003
        #expect(close(mini.costUSD, 0.000075))
        #expect(rows[1].usage == ModelUsage(calls: 1, failedCalls: 1))
    }

    @Test func aSubtreeGroupsLikeTheWholeTrace() {
        let stats = TraceStatistics(trace: timeline.trace, prices: .standard)
        let retry = stats.subtree(of: timeline.index("retry"))
        #expect(retry.byModel.map(\.model) == ["gpt-4o-mini-2024-07-18"])
        #expect(retry.byModel[0].usage.failedCalls == 1)
    }

    @Test func withoutAnAnswerToTheSameRequestADatedResponseModelIsUsed() {
        // `a` recorded only the model that answered; `b` failed before any answer.
        let t = Timeline("""
            a :==
            b :  ==
            c :    ==
            """, calls: [
                "a": LLMCall(responseModel: "gpt-4o-2024-08-06", promptTokens: 10, completionTokens: 1),
                "b": LLMCall(requestModel: "gpt-4o"),
                "c": LLMCall(responseModel: "gpt-4o-mini-2024-07-18", promptTokens: 10, completionTokens: 1),
            ], errors: ["b"])
        let rows = TraceStatistics(trace: t.trace, prices: .standard).trace.byModel
        #expect(Set(rows.map(\.model)) == ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"])
        #expect(rows.first { $0.model == "gpt-4o-2024-08-06" }?.usage.calls == 2)
    }

    @Test func datedVariants() {
        #expect(ModelGrouping.isDatedVariant("gpt-4o-2024-08-06", of: "gpt-4o"))
        #expect(ModelGrouping.isDatedVariant("claude-3-5-haiku-20241022", of: "claude-3-5-haiku"))
        #expect(!ModelGrouping.isDatedVariant("gpt-4o-mini-2024-07-18", of: "gpt-4o"))
        #expect(!ModelGrouping.isDatedVariant("gpt-4o", of: "gpt-4o"))
        #expect(!ModelGrouping.isDatedVariant("gpt-4o--", of: "gpt-4o"))
    }

    @Test func callsWithoutAnyModelShareOneRow() {
        let names = ModelGrouping.names([LLMCall(promptTokens: 1), LLMCall(), LLMCall(requestModel: "x")])
        #expect(names == ["(unknown model)", "(unknown model)", "x"])
    }

    @Test func totalsOfSeveralTracesAddUpAndMergeRowsByName() {
        let one = UsageTotals(spanCount: 3, errorCount: 1, llmCalls: 2, promptTokens: 10, completionTokens: 5,
                              totalTokens: 15, costUSD: 0.5, unpricedCalls: 1,
                              byModel: [("a", ModelUsage(calls: 1, promptTokens: 10, costUSD: 0.5)),
                                        ("b", ModelUsage(calls: 1, completionTokens: 5, unpricedCalls: 1, failedCalls: 1))],
                              recordedCostCalls: 1, startNanos: 100, endNanos: 200)
        let two = UsageTotals(spanCount: 2, llmCalls: 1, promptTokens: 7, totalTokens: 7, costUSD: 1.25,
                              byModel: [("a", ModelUsage(calls: 1, promptTokens: 7, costUSD: 1.25))],
                              startNanos: 50, endNanos: 150)
        let empty = UsageTotals()
        let all = UsageTotals.combined([one, empty, two])
        #expect(all.spanCount == 5 && all.errorCount == 1 && all.llmCalls == 3)
        #expect(all.promptTokens == 17 && all.completionTokens == 5 && all.totalTokens == 22)
        #expect(all.costUSD == 1.75 && all.unpricedCalls == 1 && all.recordedCostCalls == 1)
        #expect(all.startNanos == 50 && all.endNanos == 200)   // the empty trace does not pull the start to 0
        #expect(all.byModel.map(\.model) == ["a", "b"])
        #expect(all.usage(of: "a") == ModelUsage(calls: 2, promptTokens: 17, costUSD: 1.75))
        #expect(all.usage(of: "b")?.failedCalls == 1)
    }
}
