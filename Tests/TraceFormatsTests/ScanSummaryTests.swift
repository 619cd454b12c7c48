import Synthetic
import TestSupport
import Testing
import TraceConventions
import TraceModel
@testable import TraceFormats

/// The index scan's LLM summary (attributes matched to table rows once per key, fed to the
/// convention builder by row) against the general path (`LLMConventions.summaryCall(for:)` on a
/// span holding the attributes a summary load keeps), over every row of the convention table.
@Suite struct ScanSummaryTests {
    typealias Random = SplitMix64

    /// Values a trace may put under any LLM key: right and wrong types, numbers as strings,
    /// numbers past Int64 and past the plausible range, JSON inside strings, MLflow's quoting.
    static let hostileValues: [AttributeValue] = [
        .int(120), .int(0), .int(-5), .int(Int64.max), .int(1_000_000_000_001),
        .string("120"), .string("-7"), .string("99999999999999999999999"), .string("1e3"), .string("abc"), .string(""),
        .string("gpt-4o"), .string("LLM"), .string("llm"), .string("EMBEDDING"), .string("\"LLM\""), .string("\"gpt-4o\""),
        .string("chat.completions"), .string("openai.chat"), .string("langchain"),
        .string("ai.generateText"), .string("ai.generateText.doGenerate"), .string("ai.toolCall"),
        .string(#"{"input":10,"output":5,"total":15,"cache_read":3,"reasoning_tokens":2}"#),
        .string(#"{"input_tokens":"12","output_tokens":-1}"#), .string(#"{"total":0.25}"#), .string(#"{"total_cost":"0.5"}"#),
        .string(#"["stop","length"]"#), .string(#"{"model":"gpt-4o-mini","temperature":0.2,"messages":[]}"#),
        .string("{not json"), .string("0.0"),
        .double(0.5), .double(0), .double(-1), .double(.nan), .double(.infinity), .double(1e300), .double(1234.0),
        .bool(true), .bool(false), .empty, .bytes([1, 2, 3]),
        .array([.string("stop")]), .array([.int(1), .string("length")]),
        .kvlist([Attribute("total", .double(1.5))]),
    ]

    /// Keys a summary does not read, which the scan must drop as a summary load does.
    static let otherKeys = ["gen_ai.request.temperature", "gen_ai.input.messages", "http.route", "llm.input_messages.0.message.role",
                            "ai.settings.maxTokens", "input.value"]

    /// Equal calls, NaN parameters included (a NaN is not `==` to itself, but is the same value here).
    static func same(_ a: LLMCall?, _ b: LLMCall?) -> Bool { String(describing: a) == String(describing: b) }

    /// The general path's answer for these attributes, filtered as a summary load filters them.
    static func general(_ attributes: [Attribute], start: Int64) -> LLMCall? {
        let kept = attributes.filter { a in
            var key = a.key
            return key.withUTF8 { LLMConventions.isSummaryKey($0) }
        }
        let span = Span(traceID: TraceID(.bits64(1)), spanID: SpanID(.bits64(2)), name: "", startNanos: start,
                        endNanos: start + 10, attributes: kept)
        return LLMConventions.summaryCall(for: span)
    }

    /// The scan's answer: each key matched through the scan's memo, values fed by row.
    static func scan(_ attributes: [Attribute], start: Int64, memo: SummaryKeyMemo) -> LLMCall? {
        var rows: [(row: Int32, value: AttributeValue)] = []
        for a in attributes {
            var key = a.key
            if let row = key.withUTF8({ memo.keptRow($0) }) { rows.append((Int32(row), a.value)) }
        }
        return rows.isEmpty ? nil : LLMConventions.summaryCall(spanStart: start, rows: rows)
    }

    @Test func everyTableRowWithEveryHostileValueGivesTheGeneralPathsCall() {
        let memo = SummaryKeyMemo()
        var wrong: [String] = []
        var calls = 0
        for rule in LLMConventions.rules {
            for value in ScanSummaryTests.hostileValues {
                // Alone, and beside a model so that detail and cost rows count too.
                for attributes in [[Attribute(rule.key, value)],
                                   [Attribute("gen_ai.request.model", .string("m")), Attribute(rule.key, value)]] {
                    let expected = ScanSummaryTests.general(attributes, start: 1_000)
                    if expected != nil { calls += 1 }
                    if !ScanSummaryTests.same(ScanSummaryTests.scan(attributes, start: 1_000, memo: memo), expected) {
                        wrong.append("\(rule.key)=\(value)")
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        // The comparison means something only if many of these are calls.
        #expect(calls > LLMConventions.rules.count * ScanSummaryTests.hostileValues.count / 2)
    }

    @Test func mixedConventionsInAnyOrderGiveTheGeneralPathsCall() {
        let memo = SummaryKeyMemo()
        var r = Random(seed: 23)
        let keys = LLMConventions.rules.map(\.key) + ScanSummaryTests.otherKeys
        var wrong: [String] = []
        for _ in 0..<3000 {
            var attributes: [Attribute] = []
            for _ in 0..<(1 + r.below(8)) {
                let value = ScanSummaryTests.hostileValues[r.below(ScanSummaryTests.hostileValues.count)]
                attributes.append(Attribute(keys[r.below(keys.count)], value))
            }
            let start = Int64(r.below(1_000_000))
            if !ScanSummaryTests.same(ScanSummaryTests.scan(attributes, start: start, memo: memo),
                                      ScanSummaryTests.general(attributes, start: start)) {
                wrong.append("\(attributes)")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(3))")
    }

    /// Raw OTLP JSON values as collectors and SDKs write them, wrong types and all.
    static let rawValues = [
        #"{"intValue":"120"}"#, #"{"intValue":120}"#, #"{"intValue":"99999999999999999999999"}"#, #"{"intValue":"-3"}"#,
        #"{"intValue":"12x"}"#, #"{"intValue":"000000000000000120"}"#, #"{"intValue":"123456789012345678"}"#,
        #"{"intValue":"9223372036854775807"}"#, #"{"intValue":""}"#, #"{"intValue":"1 2"}"#, #"{"stringValue":""}"#,
        #"{"stringValue":"\#(String(repeating: "long-model-name-", count: 4))"}"#, #"{"intValue":1.5}"#, #"{"stringValue":"120"}"#, #"{"stringValue":"gpt-4o"}"#,
        #"{"stringValue":"\"LLM\""}"#, #"{"stringValue":"LLM"}"#, #"{"stringValue":"g\u0070t-4o"}"#,
        #"{"stringValue":"{\"input\":7,\"output\":2,\"total\":9}"}"#, #"{"stringValue":"{\"total\":0.25}"}"#,
        #"{"doubleValue":0.0125}"#, #"{"doubleValue":"0.5"}"#, #"{"doubleValue":"NaN"}"#, #"{"doubleValue":1e400}"#,
        #"{"boolValue":true}"#, #"{"arrayValue":{"values":[{"stringValue":"stop"}]}}"#,
        #"{"stringValue":null,"intValue":"42"}"#, #"{}"#, #"null"#, #""bare""#, #"77"#, #"{"kvlistValue":{"values":[]}}"#,
    ]

    static func hex(_ n: Int, _ width: Int) -> String {
        let digits = String(n, radix: 16)
        return String(repeating: "0", count: width - digits.count) + digits
    }

    @Test func anIndexedFileOfHostileLLMSpansHasTheSummaryLoadsCalls() throws {
        var r = Random(seed: 31)
        let keys = LLMConventions.rules.map(\.key) + ScanSummaryTests.otherKeys
        var lines: [String] = []
        for line in 0..<40 {
            var spans: [String] = []
            for s in 0..<25 {
                var attributes: [String] = []
                for _ in 0..<(1 + r.below(6)) {
                    let value = ScanSummaryTests.rawValues[r.below(ScanSummaryTests.rawValues.count)]
                    // Now and then the value comes before its key.
                    let key = keys[r.below(keys.count)]
                    attributes.append(r.below(5) == 0 ? #"{"value":\#(value),"key":"\#(key)"}"# : #"{"key":"\#(key)","value":\#(value)}"#)
                }
                let trace = ScanSummaryTests.hex(line % 7 + 1, 32)
                let id = ScanSummaryTests.hex(line * 100 + s + 1, 16)
                spans.append(otlpSpan(id, name: "s", start: Int64(1_000 + s), end: Int64(2_000 + s), trace: trace,
                                      attributes: attributes.joined(separator: ",")))
            }
            lines.append(String(otlp(spans).filter { $0 != "\n" }))
        }
        let path = temporaryDirectory() + "/hostile-llm.jsonl"
        try writeFile(path, Array((lines.joined(separator: "\n") + "\n").utf8))
        let summary = try TraceLoader.load(paths: [path], detail: .summary)
        #expect(summary.traces.reduce(0) { $0 + $1.llmCalls.count } > 200, "most spans are LLM calls")
        for parts in [1, 3] {
            let index = try TraceIndexer.index(path: path, parts: parts)
            #expect(index.traces.map(\.id) == summary.traces.map(\.id))
            var wrong: [String] = []
            for (entry, trace) in zip(index.traces, summary.traces) {
                for (a, b) in zip(entry.llmCalls, trace.llmCalls) where !ScanSummaryTests.same(a, b) { wrong.append("\(a)\n\(b)") }
                if entry.llmCalls.count != trace.llmCalls.count { wrong.append("\(entry.id): \(entry.llmCalls.count) calls, not \(trace.llmCalls.count)") }
            }
            #expect(wrong.isEmpty, "\(wrong.prefix(2))")
        }
    }

    /// Plain values read directly reach the call whatever their order; a tool span with only
    /// its operation is no call.
    @Test func plainValuesReachTheCallInAnyOrder() throws {
        let llm = [kv("gen_ai.operation.name", string: "chat"), kv("gen_ai.provider.name", string: "openai"),
                   kv("gen_ai.request.model", string: "gpt-4o"), kv("gen_ai.usage.input_tokens", int: 11)].joined(separator: ",")
        let tool = kv("gen_ai.operation.name", string: "execute_tool")
        let line = otlp([otlpSpan("00000000000000a1", attributes: tool), otlpSpan("00000000000000a2", parent: "00000000000000a1", attributes: llm)])
        let path = temporaryDirectory() + "/late-values.jsonl"
        try writeFile(path, Array((String(line.filter { $0 != "\n" }) + "\n").utf8))
        let index = try TraceIndexer.index(path: path, parts: 1)
        let calls = index.traces.flatMap(\.llmCalls)
        #expect(calls.count == 1)
        #expect(calls.first?.operation == "chat" && calls.first?.provider == "openai")
        #expect(calls.first?.requestModel == "gpt-4o" && calls.first?.promptTokens == 11)
    }
}
