import Synthetic
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// Keys written with JSON escapes (`"\u0067en_ai.usage.input_tokens"`): a full load decodes them,
/// so the index scan must too, or a hostile file gives index totals that differ from a load's.
@Suite struct IndexEscapedKeyTests {
    /// Span and attribute keys of an LLM span, each written plainly or with escapes.
    /// (`hiddenTrace`: the trace id's key starts with an escape, which the full reader, and so the
    /// scan, does not take for `traceId`: the span is skipped.)
    static func line(escaped: Bool, trace: String, span: Int, hiddenTrace: Bool = false) -> String {
        func k(_ plain: String, _ written: String) -> String { escaped ? written : plain }
        let id = ScanSummaryTests.hex(span + 1, 16)
        let attributes = [
            #"{"key":"\#(k("gen_ai.operation.name", #"gen_ai.operation.n\u0061me"#))","value":{"stringValue":"chat"}}"#,
            #"{"key":"\#(k("gen_ai.request.model", #"gen_ai.request.mod\u0065l"#))","value":{"stringValue":"gpt-4o"}}"#,
            #"{"key":"\#(k("gen_ai.usage.input_tokens", #"\u0067en_ai.usage.input_tokens"#))","value":{"intValue":"\#(100 + span)"}}"#,
            #"{"\#(k("key", #"k\u0065y"#))":"gen_ai.usage.output_tokens","\#(k("value", #"v\u0061lue"#))":{"intValue":"\#(7 * span + 1)"}}"#,
            #"{"key":"\#(k("session.id", #"session\u002eid"#))","value":{"stringValue":"conv-\#(span % 2)"}}"#,
            #"{"key":"\#(k("http.route", #"http\/route"#))","value":{"stringValue":"[{\"role\":\"user\",\"content\":\"hi\"}]"}}"#,
            #"{"key":"gen_ai.response.model","value":{"\#(k("stringValue", #"string\u0056alue"#))":"gpt-4o-2024"}}"#,
        ].joined(separator: ",")
        let parent = span == 0 ? "" : ScanSummaryTests.hex(1, 16)
        return #"{"\#(hiddenTrace ? #"\u0074raceId"# : k("traceId", #"trace\u0049d"#))":"\#(trace)","spanId":"\#(id)","\#(k("parentSpanId", #"parentSpan\u0049d"#))":"\#(parent)","#
            + #""\#(k("name", #"na\u006de"#))":"chat \#(span)","\#(k("startTimeUnixNano", #"start\u0054imeUnixNano"#))":"\#(1_000 + span)","#
            + #""endTimeUnixNano":"\#(2_000 + span)","\#(k("attributes", #"attr\u0069butes"#))":[\#(attributes)],"#
            + #""\#(k("status", #"st\u0061tus"#))":{"code":\#(span % 3 == 0 ? 2 : 1)}}"#
    }

    static func file(escaped: Bool) -> String {
        var lines: [String] = []
        for t in 0..<4 {
            let trace = ScanSummaryTests.hex(t + 1, 32)
            let spans = (0..<6).map { line(escaped: escaped, trace: trace, span: $0, hiddenTrace: escaped && t == 3) }.joined(separator: ",")
            let spansKey = escaped ? #"spa\u006es"# : "spans"
            lines.append(#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"#
                         + #""scopeSpans":[{"scope":{"name":"t"},"\#(spansKey)":[\#(spans)]}]}]}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func escapedKeysGiveTheIndexTotalsOfAFullLoad() throws {
        let path = temporaryDirectory() + "/escaped-keys.jsonl"
        try writeFile(path, Array(IndexEscapedKeyTests.file(escaped: true).utf8))
        try TraceIndexTests().expectMatchesFullLoad(path, parts: 2, window: 4096)
        // And the same totals as the same file written without escapes, worked out by hand:
        // 4 traces of 6 spans, every span an LLM call of (100 + s) + (7s + 1) tokens.
        let index = try TraceIndexer.index(path: path, parts: 1)
        let plainPath = temporaryDirectory() + "/plain-keys.jsonl"
        try writeFile(plainPath, Array(IndexEscapedKeyTests.file(escaped: false).utf8))
        let plain = try TraceIndexer.index(path: plainPath, parts: 1)
        // Per trace: (100 + 101 + … + 105) + (1 + 8 + … + 36) = 615 + 111 = 726. The escaped
        // file's fourth trace is skipped (its trace ids are under `\u0074raceId`).
        #expect(index.skippedSpans == 6 && plain.skippedSpans == 0)
        for (i, traces) in [(index, 3), (plain, 4)] {
            #expect(i.traces.count == traces && i.spanCount == 6 * traces)
            #expect(i.traces.flatMap(\.llmCalls).count == 6 * traces)
            #expect(i.traces.flatMap(\.llmCalls).reduce(Int64(0)) { $0 + ($1.promptTokens ?? 0) + ($1.completionTokens ?? 0) } == 726 * Int64(traces))
            #expect(i.traces.map(\.errorCount) == Array(repeating: 2, count: traces))
            #expect(i.traces.map(\.rootName) == Array(repeating: "chat 0", count: traces))
            #expect(i.traces.map(\.sessionID) == Array(repeating: "conv-0", count: traces))
            #expect(i.traces.flatMap(\.llmCalls).allSatisfy { $0.requestModel == "gpt-4o" && $0.responseModel == "gpt-4o-2024" })
        }
    }
}
