import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `stats` over the OpenLLMetry sample (three runs of one workflow), read back with Foundation.
///
/// By hand from the file: workflow durations 473.0, 952.4 and 30052.0 ms, each 40 ms longer than
/// its one `openai.chat` child. p95 = 952.4 + 0.9 × (30052 − 952.4) = 27142.04 ms and
/// p99 = 952.4 + 0.98 × 29099.6 = 29470.008 ms (rank (n−1)·p = 1.9 and 1.98). Cost: the one
/// gpt-4o-mini call with tokens, 58 in / 24 out at $0.15 / $0.60 per million = $0.0000231; the
/// llama call is unpriced; the timed-out call has no tokens.
@Suite struct StatsReportTests {
    func table(_ by: StatsGrouping, where query: String? = nil) throws -> [String: Any] {
        let doc = try TraceLoader.load(path: sampleDirectory + "/" + "openllmetry-triage-batch.otlp.jsonl")
        let stats = TraceStats.groups(doc.traces, by: by, where: try query.map { try TraceQuery($0) })
        return try JSONSerialization.jsonObject(with: Data(StatsJSON.encode(stats))) as! [String: Any]
    }

    @Test("the JSON shape and its numbers, by name")
    func byName() throws {
        let json = try table(.name)
        #expect(json["traces"] as? Int == 3)
        #expect(json["by"] as? String == "name")
        let groups = json["groups"] as! [[String: Any]]
        #expect(groups.map { $0["key"] as! String } == ["triage_ticket.workflow", "openai.chat"])
        let wf = groups[0], chat = groups[1]
        for key in ["key", "count", "traces", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms", "self_p50_ms",
                    "prompt_tokens", "completion_tokens", "cost_usd"] {
            #expect(wf[key] != nil, "missing \(key)")
        }
        #expect(wf["count"] as? Int == 3 && wf["traces"] as? Int == 3 && wf["errors"] as? Int == 0)
        #expect(near(wf["p50_ms"], 952.4, 1e-6) && near(wf["p95_ms"], 27142.04, 1e-6))
        #expect(near(wf["p99_ms"], 29470.008, 1e-6) && near(wf["max_ms"], 30052, 1e-6))
        #expect(near(wf["self_p50_ms"], 40, 1e-6))
        #expect(chat["errors"] as? Int == 1)
        #expect(chat["prompt_tokens"] as? Int == 119 && chat["completion_tokens"] as? Int == 53)
        #expect(near(chat["cost_usd"], 0.0000231, 1e-12))
        #expect(chat["unpriced_calls"] as? Int == 1)
    }

    /// Two gpt-4o calls read 1,024 and 200 prompt tokens from the cache (1,224 by hand); the
    /// claude call records none, so its group has no cached figure rather than a zero.
    @Test("cached prompt tokens per group, in the JSON and as a text column only when recorded")
    func cachedTokens() throws {
        let id = TraceID("cached")
        var spans: [Span] = []
        for i in 0..<3 {
            let start = Int64(i) * 1_000_000
            let spanID = SpanID(.bits64(UInt64(i + 1)))
            spans.append(Span(traceID: id, spanID: spanID, name: "chat", startNanos: start, endNanos: start + 1_000_000))
        }
        let calls: [LLMCall] = [
            LLMCall(requestModel: "gpt-4o", promptTokens: 2_000, completionTokens: 10, cacheReadTokens: 1_024),
            LLMCall(requestModel: "gpt-4o", promptTokens: 500, completionTokens: 10, cacheReadTokens: 200),
            LLMCall(requestModel: "claude-3-5-sonnet", promptTokens: 100, completionTokens: 10),
        ]
        let trace = Trace(id: id, spans: spans, llmCall: { (span: Span) -> LLMCall? in
            let i = Int(span.startNanos / 1_000_000)
            return calls[i]
        })
        let table = TraceStats.groups([trace], by: .model)
        let json = try JSONSerialization.jsonObject(with: Data(StatsJSON.encode(table))) as! [String: Any]
        let groups = json["groups"] as! [[String: Any]]
        let gpt = groups.first { ($0["key"] as? String) == "gpt-4o" }
        let claude = groups.first { ($0["key"] as? String) == "claude-3-5-sonnet" }
        let gptCached = gpt?["cached_tokens"] as? Int
        let claudeCached: Any? = claude?["cached_tokens"]
        #expect(gptCached == 1_224)
        #expect(claudeCached is NSNull)
        let text = StatsText.render(table)
        #expect(text.split(separator: "\n")[1].contains("cached"))
        #expect(text.contains(" 1.2k "))
        // Without any cached figure the column is left out.
        let uncached = Trace(id: id, spans: spans, llmCall: { (_: Span) -> LLMCall? in calls[2] })
        let plain = StatsText.render(TraceStats.groups([uncached], by: .model))
        #expect(!plain.contains("cached"))
    }

    @Test("--where narrows the traces; sessions have no self time")
    func whereAndSession() throws {
        let json = try table(.model, where: "-error")
        #expect(json["traces"] as? Int == 2)
        let groups = json["groups"] as! [[String: Any]]
        #expect(groups.map { $0["key"] as! String } == ["gpt-4o-mini", "llama-3.1-8b-instruct"])
        let doc = try TraceLoader.load(path: sampleDirectory + "/" + "openinference-incident-qa.otlp.json")
        let sessions = TraceStats.groups(doc.traces, by: .session)
        let object = try JSONSerialization.jsonObject(with: Data(StatsJSON.encode(sessions))) as! [String: Any]
        let row = (object["groups"] as! [[String: Any]])[0]
        #expect(row["key"] as? String == "sess-5521")
        #expect(row["self_p50_ms"] is NSNull)
    }

    /// gpt-4o-mini calls: 912.4 and 30012 ms, so p50 = 15462.2 ms, p95 = 912.4 + 0.95 × 29099.6 =
    /// 28557.02 ms, p99 = 29721.0 ms.
    @Test("the text table: a heading, one row per group, costs in full")
    func text() throws {
        let doc = try TraceLoader.load(path: sampleDirectory + "/" + "openllmetry-triage-batch.otlp.jsonl")
        let text = StatsText.render(TraceStats.groups(doc.traces, by: .model), query: "")
        #expect(text == """
            stats by model · 3 traces · 2 groups
            model                   count traces errors      p50      p95      p99      max self p50 tokens in/out       cost
            gpt-4o-mini                 2      2      1    15.5s    28.6s    29.7s    30.0s    15.5s         58/24  $0.000023
            llama-3.1-8b-instruct       1      1      0    433ms    433ms    433ms    433ms    433ms         61/29   unpriced

            """)
    }
}
