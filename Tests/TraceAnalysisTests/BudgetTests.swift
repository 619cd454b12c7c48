import Testing
import TraceModel
@testable import TraceAnalysis

@Suite struct BudgetTests {
    let run = RunTotals(costUSD: 0.05, durationNanos: 12_000_000_000, llmCalls: 6, totalTokens: 9_000, errors: 1)

    @Test func limitsAreBrokenOnlyAboveTheirValue() {
        let limits = BudgetLimits([.cost: 0.04, .duration: 12e9, .llmCalls: 5, .tokens: 10_000, .errors: 0])
        // Duration equals its limit (allowed); tokens are under; cost, calls and errors are over.
        #expect(limits.breaches(run) == [
            BudgetBreach(metric: .cost, limit: 0.04, actual: 0.05),
            BudgetBreach(metric: .llmCalls, limit: 5, actual: 6),
            BudgetBreach(metric: .errors, limit: 0, actual: 1),
        ])
        #expect(abs(limits.breaches(run)[0].excess - 0.01) < 1e-12)
        #expect(BudgetLimits().breaches(run).isEmpty)
    }

    @Test func flagsAndRootLimitsCombineTheStricterWinning() throws {
        let set = try BudgetSet(entries: [
            (root: nil, limits: [(metric: "cost", value: "0.10"), (metric: "errors", value: "0")]),
            (root: "travel_planner", limits: [(metric: "cost", value: "0.03"), (metric: "duration", value: "30s")]),
            (root: "triage", limits: [(metric: "llm_calls", value: "2")]),
        ], source: "budget.json")
        #expect(set.limits(root: "travel_planner") == BudgetLimits([.cost: 0.03, .errors: 0, .duration: 30e9]))
        #expect(set.limits(root: "other") == BudgetLimits([.cost: 0.10, .errors: 0]))
        #expect(set.breaches(root: "travel_planner", totals: run).map(\.metric) == [.cost, .errors])
        #expect(set.breaches(root: "triage", totals: run).map(\.metric) == [.llmCalls, .errors])
        #expect(set.breaches(root: "other", totals: run).map(\.metric) == [.errors])
        // A bare number for a duration is milliseconds.
        let ms = try BudgetSet(entries: [(root: nil, limits: [(metric: "duration", value: "1500")])], source: "b.json")
        #expect(ms.all == BudgetLimits([.duration: 1.5e9]))
    }

    @Test func badLimitsNameTheFileAndTheLimit() {
        #expect(throws: TraceAnalysisError("b.json: root 'x' max_cost: 'lots' is not an amount in USD, like 0.05")) {
            try BudgetSet(entries: [(root: "x", limits: [(metric: "cost", value: "lots")])], source: "b.json")
        }
        #expect(throws: TraceAnalysisError("--max-errors: '-1' is not a whole number of errors")) {
            try BudgetMetric.errors.parseValue("-1", what: "--max-errors")
        }
        #expect(throws: TraceAnalysisError("--max-duration: 'soon' is not a duration, like 250ms, 1.5s or 2m")) {
            try BudgetMetric.duration.parseValue("soon", what: "--max-duration")
        }
        #expect((try? BudgetMetric.cost.parseValue("$0.25", what: "--max-cost")) == 0.25)
        #expect((try? BudgetMetric.duration.parseValue("2m", what: "x")) == 120e9)
    }

    @Test func regressionLimits() throws {
        let limits = try RegressionLimit.parseList("cost+10%,duration+20%,llm_calls+1,errors+0,tokens+500")
        #expect(limits == [
            RegressionLimit(metric: .cost, relative: 0.10), RegressionLimit(metric: .duration, relative: 0.20),
            RegressionLimit(metric: .llmCalls, absolute: 1), RegressionLimit(metric: .errors, absolute: 0),
            RegressionLimit(metric: .tokens, absolute: 500),
        ])
        let a = RunTotals(costUSD: 0.040, durationNanos: 10_000_000_000, llmCalls: 4, totalTokens: 8_000, errors: 0)
        // cost +25% (over 10%), duration +20% exactly (allowed), calls +2 (over 1), errors +1 (over 0), tokens +1000 (over 500).
        let b = RunTotals(costUSD: 0.050, durationNanos: 12_000_000_000, llmCalls: 6, totalTokens: 9_000, errors: 1)
        let found = RegressionLimit.breaches(limits, a: a, b: b)
        #expect(found.map(\.metric) == [.cost, .llmCalls, .errors, .tokens])
        #expect(abs(found[0].limit - 0.044) < 1e-12)
        #expect(found[0].baseline == 0.040)
        #expect(found[1] == BudgetBreach(metric: .llmCalls, limit: 5, actual: 6, baseline: 4))
        // B no worse than A: nothing breaks.
        #expect(RegressionLimit.breaches(limits, a: b, b: a).isEmpty)
        #expect(throws: TraceAnalysisError.self) { try RegressionLimit.parseList("speed+10%") }
        #expect(throws: TraceAnalysisError.self) { try RegressionLimit.parseList("cost") }
        #expect(throws: TraceAnalysisError.self) { try RegressionLimit.parseList("") }
    }
}

@Suite struct BatchDiffTests {
    /// Runs of one root with `llm` children of the given durations (ms), each a gpt-4o call of 100/10 tokens.
    func runs(_ durations: [[Int64]], errorsAt: Set<Int> = []) -> [Trace] {
        var k = 0
        return durations.enumerated().map { r, list in
            var spans = [Span(traceID: TraceID("t\(r)"), spanID: SpanID("root"), name: "agent",
                              startNanos: Run.epoch, endNanos: Run.epoch + 1_000_000_000)]
            var calls: [LLMCall?] = [nil]
            for (i, d) in list.enumerated() {
                spans.append(Span(traceID: TraceID("t\(r)"), spanID: SpanID("c\(i)"), parentID: SpanID("root"), name: "llm",
                                  startNanos: Run.epoch, endNanos: Run.epoch + d * 1_000_000,
                                  status: errorsAt.contains(k) ? SpanStatus(.error) : .ok))
                calls.append(LLMCall(requestModel: "gpt-4o", promptTokens: 100, completionTokens: 10))
                k += 1
            }
            return Trace(id: TraceID("t\(r)"), spans: spans, llmCalls: calls)
        }
    }

    @Test func percentilesAgainstPythonStatistics() {
        // Expected values from Python: statistics.quantiles(d, n=100, method="inclusive")[49] and [94],
        // which is numpy.percentile's default linear method, computed outside this code.
        let a = runs([[12, 5, 7, 30, 9], [11, 8, 100, 6, 10]])
        let b = runs([[3, 1], [2]], errorsAt: [0])
        let d = BatchDiff(a: a, b: b, by: .spanName, prices: .standard)
        let llm = d.rows.first { $0.key == "llm" }!
        #expect(llm.a!.p50Nanos == 9.5e6)
        #expect(abs(llm.a!.p95Nanos - 68.5e6) < 1e-3)
        #expect(llm.b!.p50Nanos == 2.0e6)
        #expect(abs(llm.b!.p95Nanos - 2.9e6) < 1e-3)
        #expect(llm.a!.count == 10 && llm.b!.count == 3)
        #expect(llm.b!.errors == 1 && abs(llm.b!.errorRate - 1.0 / 3) < 1e-12)
        // 10 calls × 110 tokens over 2 runs; gpt-4o 100 × 2.5/M + 10 × 10/M = $0.00035 per call.
        #expect(llm.a!.totalTokens == 1_100)
        #expect(abs(llm.a!.costUSD - 0.0035) < 1e-12)
        #expect(d.meanA.llmCalls == 5 && d.meanB.llmCalls == 2)
        #expect(d.meanA.totalTokens == 550)
        // The root: one per run, 1 s each.
        let root = d.rows.first { $0.key == "agent" }!
        #expect(root.a!.p95Nanos == 1e9 && root.b!.runs == 2)
    }

    @Test func byModelAndGroupsOnOneSideOnly() {
        let a = runs([[10]])
        var b = runs([[10]])
        let extra = Span(traceID: TraceID("x"), spanID: SpanID("x"), name: "rerank", startNanos: Run.epoch, endNanos: Run.epoch + 5)
        b.append(Trace(id: TraceID("x"), spans: [extra]))
        let byName = BatchDiff(a: a, b: b, by: .spanName, prices: .standard)
        let rerank = byName.rows.first { $0.key == "rerank" }!
        #expect(rerank.a == nil && rerank.b?.count == 1)
        let byModel = BatchDiff(a: a, b: b, by: .model, prices: .standard)
        #expect(byModel.rows.map(\.key) == ["gpt-4o"])
        #expect(BatchDiff.percentile([], 0.5) == 0)
    }
}
