import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `spanscope check`'s report: only what was found, a JSON form with every key, and the exit status.
@Suite struct CheckReportTests {
    func file(_ name: String) throws -> CheckReport.File {
        CheckReport.File(path: name, document: try TraceLoader.load(path: fixtureDirectory + name))
    }

    @Test func textNamesOnlyTheFlagsFoundWithCounts() throws {
        let report = CheckReport(files: [try file("jaeger-ui-01-warnings.json"), try file("otel-demo-collector-mixed.jsonl")])
        #expect(report.text() == """
            jaeger-ui-01-warnings.json: Jaeger JSON, 1 trace, 5 spans, 0 LLM calls; flagged: 1 duplicate id
            otel-demo-collector-mixed.jsonl: OTLP JSON Lines, 5 traces, 11 spans, 0 LLM calls; flagged: 6 orphan; skipped lines: 4 logs, 5 metrics

            """)
        #expect(report.exitStatus(strict: false) == 0)
        #expect(report.exitStatus(strict: true) == 1)
    }

    @Test func jsonHasEveryKeyWithZerosWhenNothingWasFound() throws {
        let report = CheckReport(files: [try file("zipkin-lens-yelp.json"), CheckReport.File(path: "gone.json", error: "gone.json: no such file")])
        let object = try JSONSerialization.jsonObject(with: Data(report.json())) as! [String: Any]
        let files = object["files"] as! [[String: Any]]
        #expect(files.count == 2)
        for f in files {
            for key in ["path", "format", "traces", "spans", "skipped_spans", "duplicates_merged", "skipped_lines", "flags"] {
                #expect(f[key] != nil, "\(key)")
            }
            let flags = f["flags"] as! [String: Int]
            #expect(Set(flags.keys) == ["orphan", "cycle", "duplicate_id", "ends_before_start", "zero_length", "outside_parent"])
        }
        #expect(files[0]["spans"] as? Int == 16 && files[0]["format"] as? String == "Zipkin JSON")
        #expect((files[0]["flags"] as! [String: Int]).values.allSatisfy { $0 == 0 })
        #expect(files[1]["error"] as? String == "gone.json: no such file" && files[1]["spans"] as? Int == 0)
        // An unreadable file fails the check, strict or not.
        #expect(report.exitStatus(strict: false) == 1)
    }

    @Test func skippedLinesAndDuplicatesAreReported() throws {
        let mixed = try file("otel-demo-collector-mixed.jsonl")
        let dup = try file("jaeger-ui-otlp2jaeger-in-duplicate.json")
        let object = try JSONSerialization.jsonObject(with: Data(CheckReport(files: [mixed, dup]).json())) as! [String: Any]
        let files = object["files"] as! [[String: Any]]
        #expect(files[0]["skipped_lines"] as? [String: Int] == ["logs": 4, "metrics": 5])
        #expect(files[1]["duplicates_merged"] as? Int == 1)
        #expect(CheckReport(files: [dup]).text().contains("1 exact duplicate kept once"))
    }

    @Test func skippedSpansFailTheCheck() throws {
        let doc = try TraceLoader.decode(Array(#"[{"traceId":"463ac35c9f6413ad","timestamp":1}]"#.utf8), source: "z.json")
        let report = CheckReport(files: [CheckReport.File(path: "z.json", document: doc)])
        #expect(doc.skippedSpans == 1 && report.exitStatus(strict: false) == 1)
        #expect(report.text().contains("1 span skipped"))
    }
}

@Suite struct SummaryTokenKeysTests {
    @Test func cachedAndReasoningTokensPerTraceAndPerModel() throws {
        let doc = try TraceLoader.load(path: fixtureDirectory + "jaeger-ui-genai-test-trace.json")
        let object = try JSONSerialization.jsonObject(with: Data(SummaryJSON.encode(doc, prices: .standard))) as! [String: Any]
        let trace = (object["traces"] as! [[String: Any]])[0]
        #expect(trace["cache_read_tokens"] as? Int == 4_140)
        #expect(trace["cache_write_tokens"] as? Int == 0 && trace["reasoning_tokens"] as? Int == 0)
        // Existing keys keep their meaning: prompt tokens still count the cached ones.
        #expect(trace["prompt_tokens"] as? Int == 8_280)
        let byModel = trace["by_model"] as! [String: [String: Any]]
        #expect(byModel.values.reduce(0) { $0 + ($1["cache_read_tokens"] as! Int) } == 4_140)
        #expect(SummaryText.render(doc, prices: .standard).contains("of input: 4,140 cache read"))
    }
}
