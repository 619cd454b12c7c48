import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `stats --by session` carries cached prompt tokens like the other groupings, from a full load
/// and through the index alike. The file, written out here as OTLP JSON Lines:
///
/// ```
/// t1  conv-A (app.conversation)  0–1000 ms   gpt-4o  1000 in (400 cached) / 100 out
/// t2  conv-A                     2000–2500   gpt-4o   500 in (100 cached) /  50 out
/// t3  conv-B                     3000–3200   gpt-4o   300 in              /  30 out
/// t4  (no conversation)          4000–4100   gpt-4o   999 in (999 cached) /   9 out
/// ```
/// By hand: conv-A has 2 traces, 1500 prompt / 150 completion tokens, 400 + 100 = 500 cached;
/// conv-B has 300 / 30 and no call that records a cache read, so no cached figure (null).
@Suite struct SessionCachedStatsTests {
    static func line(_ n: Int, conversation: String?, start ms: Int64, end: Int64, prompt: Int, completion: Int,
                     cached: Int?) -> String {
        let trace = String(format: "%032x", n), root = String(format: "%016x", n * 16), chat = String(format: "%016x", n * 16 + 1)
        let base: Int64 = 1_700_000_000_000_000_000
        func ns(_ ms: Int64) -> String { "\"\(base + ms * 1_000_000)\"" }
        func int(_ key: String, _ v: Int) -> String { "{\"key\":\"\(key)\",\"value\":{\"intValue\":\"\(v)\"}}" }
        func str(_ key: String, _ v: String) -> String { "{\"key\":\"\(key)\",\"value\":{\"stringValue\":\"\(v)\"}}" }
        let rootAttributes = conversation.map { [str("app.conversation", $0)] } ?? []
        var chatAttributes = [str("gen_ai.operation.name", "chat"), str("gen_ai.request.model", "gpt-4o"),
                              int("gen_ai.usage.input_tokens", prompt), int("gen_ai.usage.output_tokens", completion)]
        if let cached { chatAttributes.append(int("gen_ai.usage.cache_read.input_tokens", cached)) }
        return """
        {"resourceSpans":[{"resource":{"attributes":[\(str("service.name", "app"))]},"scopeSpans":[{"spans":[\
        {"traceId":"\(trace)","spanId":"\(root)","name":"turn","startTimeUnixNano":\(ns(ms)),"endTimeUnixNano":\(ns(end)),\
        "attributes":[\(rootAttributes.joined(separator: ","))]},\
        {"traceId":"\(trace)","spanId":"\(chat)","parentSpanId":"\(root)","name":"chat gpt-4o",\
        "startTimeUnixNano":\(ns(ms + 10)),"endTimeUnixNano":\(ns(end - 10)),"attributes":[\(chatAttributes.joined(separator: ","))]}\
        ]}]}]}
        """
    }

    static func file() throws -> String {
        let path = temporaryPath("sessions-cached.jsonl")
        let lines = [
            line(1, conversation: "conv-A", start: 0, end: 1000, prompt: 1000, completion: 100, cached: 400),
            line(2, conversation: "conv-A", start: 2000, end: 2500, prompt: 500, completion: 50, cached: 100),
            line(3, conversation: "conv-B", start: 3000, end: 3200, prompt: 300, completion: 30, cached: nil),
            line(4, conversation: nil, start: 4000, end: 4100, prompt: 999, completion: 9, cached: 999),
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func sessionGroupsCountCachedTokensAndTheIndexGivesTheSameBytes() throws {
        let path = try SessionCachedStatsTests.file()
        let keys = SessionKeys.preferring("app.conversation")
        let full = try TraceLoader.load(paths: [path], detail: .full)
        #expect(full.traces.count == 4)
        let table = TraceStats.groups(full.traces, by: .session, sessionKeys: keys)
        #expect(table.groups.map(\.key) == ["conv-A", "conv-B"])
        #expect(table.groups.map(\.count) == [2, 1])
        #expect(table.groups.map(\.promptTokens) == [1500, 300])
        #expect(table.groups.map(\.completionTokens) == [150, 30])
        #expect(table.groups.map(\.cachedTokens) == [500, nil])

        let json = try JSONSerialization.jsonObject(with: Data(StatsJSON.encode(table))) as! [String: Any]
        let groups = json["groups"] as! [[String: Any]]
        #expect(groups[0]["cached_tokens"] as? Int == 500)
        #expect(groups[1]["cached_tokens"] is NSNull)
        let text = StatsText.render(table)
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains("cached") })
        #expect(lines.contains { $0.hasPrefix("conv-A") && $0.contains(" 500 ") })

        // Through the index, batch by batch (one trace a batch at 1 byte): the same bytes.
        let store = try LazyTraceStore(path: path)
        for batchBytes in [IndexedSummary.batchBytes, 1] {
            let indexed = try IndexedStats.table(store, by: .session, sessionKeys: keys, detail: .full, batchBytes: batchBytes)
            #expect(StatsJSON.encode(indexed) == StatsJSON.encode(table))
            #expect(StatsText.render(indexed) == text)
        }

        // Without a recorded cache read anywhere in the groups, text has no cached column.
        let conversationB = TraceStats.groups(full.traces, by: .session, where: try TraceQuery("session=conv-B"),
                                              sessionKeys: keys)
        #expect(conversationB.groups.map(\.cachedTokens) == [nil])
        #expect(!StatsText.render(conversationB).contains("cached"))
    }
}
