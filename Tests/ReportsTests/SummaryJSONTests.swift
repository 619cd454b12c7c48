import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// The summary JSON of a sample, parsed back with Foundation (an independent reader).
func summary(_ name: String) throws -> [[String: Any]] {
    let doc = try TraceLoader.load(path: sampleDirectory + "/" + name)
    let bytes = SummaryJSON.encode(doc, prices: .standard)
    let object = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
    return object["traces"] as! [[String: Any]]
}

func near(_ a: Any?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a = a as? Double ?? (a as? Int).map(Double.init) else { return false }
    return abs(a - b) <= tolerance
}

/// Expected numbers are worked out by hand from the sample files and the price table
/// (gpt-4o-mini $0.15/$0.60, text-embedding-3-small $0.02/$0, claude-3-5-sonnet $3/$15,
/// gpt-4o $2.50/$10 per million input/output tokens).
@Suite struct SummaryJSONTests {
    @Test func contractKeysArePresent() throws {
        let t = try summary("rag-pipeline.otlp.json")[0]
        for key in ["trace_id", "root", "span_count", "duration_ms", "error_count", "llm_calls", "prompt_tokens",
                    "completion_tokens", "total_tokens", "cost_usd", "unpriced_calls", "by_model", "critical_path"] {
            #expect(t[key] != nil, "missing \(key)")
        }
        let model = (t["by_model"] as! [String: [String: Any]])["gpt-4o-mini-2024-07-18"]!
        for key in ["calls", "prompt_tokens", "completion_tokens", "total_tokens", "cost_usd"] {
            #expect(model[key] != nil, "missing by_model.\(key)")
        }
        let segment = (t["critical_path"] as! [[String: Any]])[0]
        for key in ["span_id", "name", "start_ms", "end_ms"] { #expect(segment[key] != nil) }
    }

    @Test func ragPipeline() throws {
        let t = try summary("rag-pipeline.otlp.json")[0]
        #expect(t["root"] as? String == "POST /v1/ask")
        #expect(t["span_count"] as? Int == 6)
        #expect(near(t["duration_ms"], 2841.7, 1e-6))
        #expect(t["error_count"] as? Int == 0)
        #expect(t["llm_calls"] as? Int == 2)
        #expect(t["prompt_tokens"] as? Int == 202)      // 15 + 187
        #expect(t["completion_tokens"] as? Int == 62)
        #expect(t["total_tokens"] as? Int == 264)
        // 15 × 0.02/M + 187 × 0.15/M + 62 × 0.60/M = 0.0000003 + 0.00002805 + 0.0000372
        #expect(near(t["cost_usd"], 0.00006555))
        #expect(t["unpriced_calls"] as? Int == 0)
        let byModel = t["by_model"] as! [String: [String: Any]]
        #expect(Set(byModel.keys) == ["gpt-4o-mini-2024-07-18", "text-embedding-3-small"])
        #expect(near(byModel["gpt-4o-mini-2024-07-18"]?["cost_usd"], 0.00006525))
        // The HTTP root waits on the pipeline, which waits on each step in turn:
        // root 0–3.1, pipeline 3.1–4.0, embeddings 4.0–212.6, pipeline, qdrant 214.0–297.3,
        // pipeline, rerank 298.0–355.8, pipeline, chat 356.5–2830.2, pipeline 2830.2–2838.9, root.
        let path = t["critical_path"] as! [[String: Any]]
        #expect(path.map { $0["name"] as! String } == [
            "POST /v1/ask", "rag.pipeline", "embeddings text-embedding-3-small", "rag.pipeline",
            "qdrant.search policies", "rag.pipeline", "rerank", "rag.pipeline", "chat gpt-4o-mini",
            "rag.pipeline", "POST /v1/ask"])
        #expect(near(path[8]["start_ms"], 356.5, 1e-6) && near(path[8]["end_ms"], 2830.2, 1e-6))
        #expect(near(path.last?["end_ms"], 2841.7, 1e-6))
    }

    @Test func agentWithParallelToolsAndFailures() throws {
        let t = try summary("agent-parallel-tools.otlp.jsonl")[0]
        #expect(t["root"] as? String == "invoke_agent travel_planner")
        #expect(t["span_count"] as? Int == 14)
        #expect(t["error_count"] as? Int == 5)
        #expect(t["llm_calls"] as? Int == 2)
        #expect(t["prompt_tokens"] as? Int == 3235)     // 1342 + 1893
        #expect(t["completion_tokens"] as? Int == 389)  // 218 + 171
        #expect(t["total_tokens"] as? Int == 3624)
        // (1342 × 3 + 218 × 15 + 1893 × 3 + 171 × 15) / 1M = 0.007296 + 0.008244
        #expect(near(t["cost_usd"], 0.01554))
        #expect(near(t["duration_ms"], 9412.5, 1e-6))
        // The slowest parallel tool (the failing hotel search) is on the critical path, the others are not.
        let names = (t["critical_path"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(names.contains("execute_tool search_hotels"))
        #expect(!names.contains("execute_tool search_flights"))
        #expect(!names.contains("execute_tool get_weather"))
        #expect(names.filter { $0 == "GET hotels-provider /availability" }.count == 3)
    }

    @Test func openInference() throws {
        let t = try summary("openinference-incident-qa.otlp.json")[0]
        #expect(t["span_count"] as? Int == 4)
        #expect(t["llm_calls"] as? Int == 1)
        #expect(t["total_tokens"] as? Int == 247)
        // gpt-4o-2024-08-06 prices as gpt-4o: 164 × 2.5/M + 83 × 10/M
        #expect(near(t["cost_usd"], 0.00124))
        #expect((t["by_model"] as! [String: Any]).keys.first == "gpt-4o-2024-08-06")
    }

    @Test func openLLMetryBatchWithUnpricedAndFailedCalls() throws {
        let traces = try summary("openllmetry-triage-batch.otlp.jsonl")
        #expect(traces.count == 3)
        #expect(near(traces[0]["cost_usd"], 0.0000231))  // 58 × 0.15/M + 24 × 0.60/M
        #expect(traces[1]["unpriced_calls"] as? Int == 1) // llama-3.1-8b-instruct on vLLM
        #expect(near(traces[1]["cost_usd"], 0))
        #expect(traces[1]["total_tokens"] as? Int == 90)
        #expect(traces[2]["llm_calls"] as? Int == 1)      // the timed-out call still counts
        #expect(traces[2]["total_tokens"] as? Int == 0)
        #expect(traces[2]["error_count"] as? Int == 1)
        #expect(traces[2]["unpriced_calls"] as? Int == 0)
    }

    @Test func seedShapeUsesRecordedCosts() throws {
        let t = try summary("seed-agent-tool.json")[0]
        #expect(t["trace_id"] as? String == "a426fe09-6e9e-4f5a-8c4c-9e2fd8bf1fa2")
        #expect(t["root"] as? String == "process_request")
        #expect(t["span_count"] as? Int == 8)
        #expect(t["error_count"] as? Int == 1)
        #expect(t["prompt_tokens"] as? Int == 2746)
        #expect(t["completion_tokens"] as? Int == 451)
        // Recorded by the seed's tracer: 0.00367 + 0.0004623
        #expect(near(t["cost_usd"], 0.0041323))
        #expect(t["recorded_cost_calls"] as? Int == 2)
        #expect(t["timing_estimated"] as? Bool == true)
        #expect(Set((t["by_model"] as! [String: Any]).keys) == ["gpt-4o", "gpt-4o-mini"])
    }
}

@Suite struct SummaryDetailTests {
    /// Reading only what a summary needs must not change a single number of the summary.
    @Test(arguments: ["rag-pipeline.otlp.json", "agent-parallel-tools.otlp.jsonl", "openinference-incident-qa.otlp.json",
                      "openllmetry-triage-batch.otlp.jsonl", "seed-agent-tool.json"])
    func summaryDetailGivesTheSameSummary(_ name: String) throws {
        let full = try TraceLoader.load(paths: [sampleDirectory + "/" + name], detail: .full)
        let lean = try TraceLoader.load(paths: [sampleDirectory + "/" + name], detail: .summary)
        #expect(SummaryJSON.encode(full, prices: .standard) == SummaryJSON.encode(lean, prices: .standard))
        if name.contains("otlp") {
            // And it really is leaner: message texts are not kept.
            let fullAttributes = full.traces.flatMap(\.spans).reduce(0) { $0 + $1.attributes.count }
            let leanAttributes = lean.traces.flatMap(\.spans).reduce(0) { $0 + $1.attributes.count }
            #expect(leanAttributes < fullAttributes)
        }
    }
}
