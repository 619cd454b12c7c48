import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `summary` over several traces ends with what they add up to (issue 15, item 9). The expected
/// sums are taken from the per-trace entries of the same output, added up here with Foundation.
@Suite struct SummaryTotalsTests {
    let batch = "openllmetry-triage-batch.otlp.jsonl"

    @Test func jsonTotalsAreTheSumsOfTheTraces() throws {
        let doc = try TraceLoader.load(path: sampleDirectory + "/" + batch)
        let object = try JSONSerialization.jsonObject(with: Data(SummaryJSON.encode(doc, prices: .standard))) as! [String: Any]
        let traces = object["traces"] as! [[String: Any]]
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(traces.count > 1)
        #expect(totals["traces"] as? Int == traces.count)
        for key in ["span_count", "error_count", "llm_calls", "prompt_tokens", "completion_tokens", "total_tokens", "unpriced_calls"] {
            let sum = traces.reduce(0) { $0 + ($1[key] as! Int) }
            #expect(totals[key] as? Int == sum, "\(key)")
        }
        let cost = traces.reduce(0.0) { $0 + ($1["cost_usd"] as! Double) }
        #expect(near(totals["cost_usd"], cost, 1e-12))
        // One row per model over all traces, with the calls of every trace's row of that name.
        var calls: [String: Int] = [:]
        for t in traces {
            for (model, row) in t["by_model"] as! [String: [String: Any]] { calls[model, default: 0] += row["calls"] as! Int }
        }
        let rows = totals["by_model"] as! [String: [String: Any]]
        #expect(rows.mapValues { $0["calls"] as! Int } == calls)
    }

    @Test func textEndsWithATotalsBlockOnlyForSeveralTraces() throws {
        let several = SummaryText.render(try TraceLoader.load(path: sampleDirectory + "/" + batch), prices: .standard)
        let lines = several.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("all ") && $0.hasSuffix(" traces") })
        #expect(lines[start + 1].hasPrefix("  ") && lines[start + 1].contains(" spans · "))
        #expect(lines[start + 2].hasPrefix("  model "))

        let one = SummaryText.render(try TraceLoader.load(path: sampleDirectory + "/" + "rag-pipeline.otlp.json"), prices: .standard)
        #expect(!one.contains("\nall "))
        #expect(one.hasPrefix(sampleDirectory + "/" + "rag-pipeline.otlp.json: OTLP JSON, 1 trace\n"))
    }

    @Test func failedCallsAreCountedInTheirModelsRow() throws {
        // The batch's third trace: one gpt-4o-mini call that timed out without tokens.
        let doc = try TraceLoader.load(path: sampleDirectory + "/" + batch)
        let text = SummaryText.render(doc, prices: .standard)
        #expect(text.contains("(1 failed)"))
    }
}
