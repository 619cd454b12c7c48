import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `spanscope sessions` read through a file's index: the same list and threads as a full load.
///
/// The file (OTLP JSON Lines), one line per entry unless said:
/// ```
/// line 1      trace f1 root "ask"   session.id conv-far   t = 1 s
/// lines 2–41  trace n (2…41) root   session.id conv-(n % 3), every 5th app.thread thread-(n % 2)
///             instead; every 4th has a gpt-4o call (1000 in / 200 out), every 7th fails
/// line 42     trace 42, its session only on its resource (gen_ai.conversation.id conv-res)
/// line 43     trace 43, no root session; two children name conv-1 then conv-2 (the first in
///             tree order wins, which only the spans tell)
/// line 44     trace f2 root "follow-up" session.id conv-far   t = 60 s
/// line 45     trace f1's child "search", failed, with a gpt-4o call (500 in / 50 out)
/// ```
/// By hand: conv-far has 2 traces (f1 and f2), 1 failed (f1, from its last line), 1 call,
/// 550 tokens.
@Suite struct IndexedSessionsTests {
    static let base: Int64 = 1_700_000_000_000_000_000

    static func kv(_ key: String, _ value: String) -> String { "{\"key\":\"\(key)\",\"value\":{\"stringValue\":\"\(value)\"}}" }
    static func int(_ key: String, _ value: Int) -> String { "{\"key\":\"\(key)\",\"value\":{\"intValue\":\"\(value)\"}}" }

    static func span(trace: Int, span: Int, parent: Int? = nil, name: String, startMs: Int64, endMs: Int64,
                     attributes: [String] = [], error: Bool = false) -> String {
        var s = "{\"traceId\":\"\(String(format: "%032x", trace))\",\"spanId\":\"\(String(format: "%016x", span))\","
        if let parent { s += "\"parentSpanId\":\"\(String(format: "%016x", parent))\"," }
        s += "\"name\":\"\(name)\",\"startTimeUnixNano\":\"\(base + startMs * 1_000_000)\",\"endTimeUnixNano\":\"\(base + endMs * 1_000_000)\","
        if error { s += "\"status\":{\"code\":2,\"message\":\"\(name) failed\"}," }
        return s + "\"attributes\":[\(attributes.joined(separator: ","))]}"
    }

    static func line(_ spans: [String], resource: [String] = []) -> String {
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[\((["\(kv("service.name", "agent"))"] + resource).joined(separator: ","))]},"
            + "\"scopeSpans\":[{\"scope\":{\"name\":\"test\"},\"spans\":[\(spans.joined(separator: ","))]}]}]}"
    }

    static func call(_ prompt: Int, _ completion: Int) -> [String] {
        [kv("gen_ai.operation.name", "chat"), kv("gen_ai.request.model", "gpt-4o"),
         int("gen_ai.usage.input_tokens", prompt), int("gen_ai.usage.output_tokens", completion),
         kv("input.value", "question \(prompt)")]
    }

    static func file() throws -> String {
        var lines = [line([span(trace: 0xF1, span: 1, name: "ask", startMs: 1_000, endMs: 9_000,
                                attributes: [kv("session.id", "conv-far"), kv("input.value", "where is it?")])])]
        for n in 2...41 {
            let key = n % 5 == 0 ? kv("app.thread", "thread-\(n % 2)") : kv("session.id", "conv-\(n % 3)")
            var spans = [span(trace: n, span: n * 10, name: "turn", startMs: Int64(n) * 1_000, endMs: Int64(n) * 1_000 + 400,
                              attributes: [key], error: n % 7 == 0)]
            if n % 4 == 0 {
                spans.append(span(trace: n, span: n * 10 + 1, parent: n * 10, name: "chat", startMs: Int64(n) * 1_000 + 10,
                                  endMs: Int64(n) * 1_000 + 300, attributes: call(1_000, 200)))
            }
            lines.append(line(spans))
        }
        lines.append(line([span(trace: 42, span: 420, name: "resourceful", startMs: 42_000, endMs: 42_500)],
                          resource: [kv("gen_ai.conversation.id", "conv-res")]))
        lines.append(line([span(trace: 43, span: 430, name: "split", startMs: 43_000, endMs: 43_900),
                           span(trace: 43, span: 431, parent: 430, name: "a", startMs: 43_100, endMs: 43_200,
                                attributes: [kv("session.id", "conv-1")]),
                           span(trace: 43, span: 432, parent: 430, name: "b", startMs: 43_050, endMs: 43_300,
                                attributes: [kv("session.id", "conv-2")])]))
        lines.append(line([span(trace: 0xF2, span: 2, name: "follow-up", startMs: 60_000, endMs: 61_000,
                                attributes: [kv("session.id", "conv-far")])]))
        lines.append(line([span(trace: 0xF1, span: 3, parent: 1, name: "search", startMs: 2_000, endMs: 8_000,
                                attributes: call(500, 50), error: true)]))
        let path = temporaryPath("indexed-sessions.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The list and every thread from a full load, and from the index on `parts` cores with
    /// small windows and batches of a few traces.
    func expectSameAsFullLoad(_ path: String, keys: SessionKeys, query: String? = nil, parts: Int,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let query = try query.map { try TraceQuery($0) }
        let loaded = try TraceLoader.load(path: path)
        let allFacts = TraceFacts.compute(loaded.traces, prices: .standard, sessionKeys: keys)
        let traces = query.map { q in q.filter(loaded.traces, facts: allFacts).map { loaded.traces[$0] } } ?? loaded.traces
        let facts = TraceFacts.compute(traces, prices: .standard, sessionKeys: keys)
        let sessions = Sessions.list(traces, facts: facts)

        let store = try LazyTraceStore(index: TraceIndexer.index(path: path, parts: parts, window: 2048, sessionKeys: keys.keys))
        let indexed = try IndexedSessions.list(store, prices: .standard, where: query, sessionKeys: keys, batchBytes: 600)
        let text = SessionsText.list(sessions)
        #expect(SessionsText.list(indexed.sessions) == text, sourceLocation: sourceLocation)
        #expect(indexed.sessions.map(\.id) == sessions.map(\.id), sourceLocation: sourceLocation)
        for (s, t) in zip(sessions, indexed.sessions) {
            let whole = SessionsText.thread(s, turns: Sessions.thread(s, traces: traces, facts: facts), traces: traces)
            let read = try IndexedSessions.thread(store, session: t, positions: indexed.positions, prices: .standard,
                                                  sessionKeys: keys, batchBytes: 600)
            #expect(read == whole, "thread of \(s.id)", sourceLocation: sourceLocation)
        }
        return text
    }

    @Test func theListAndEveryThreadMatchAFullLoadOnOneTwoAndThreeCores() throws {
        let path = try IndexedSessionsTests.file()
        for parts in 1...3 {
            let text = try expectSameAsFullLoad(path, keys: .standard, parts: parts)
            // Worked out by hand (see the file above): conv-far, its two traces far apart.
            let far = try #require(text.split(separator: "\n").first { $0.hasPrefix("conv-far") })
            let columns = far.split(separator: " ", omittingEmptySubsequences: true)
            #expect(columns[1] == "2" && columns[2] == "1" && columns[3] == "1" && columns[4] == "550", "\(far)")
            #expect(text.contains("conv-res"))
            #expect(!text.contains("thread-"), "app.thread is not a standard key")
        }
    }

    @Test func aUsersSessionKeyAndAQueryGiveTheSameAsAFullLoad() throws {
        let path = try IndexedSessionsTests.file()
        let text = try expectSameAsFullLoad(path, keys: .preferring("app.thread"), parts: 2)
        #expect(text.contains("thread-0") && text.contains("thread-1"))
        for query in ["error", "llm_calls>0", "session=conv-far"] {
            _ = try expectSameAsFullLoad(path, keys: .standard, query: query, parts: 2)
        }
    }

    @Test func theFarSessionsThreadHoldsTheLastLinesError() throws {
        let path = try IndexedSessionsTests.file()
        let store = try LazyTraceStore(index: TraceIndexer.index(path: path, parts: 2, window: 2048))
        let indexed = try IndexedSessions.list(store, prices: .standard)
        let far = try #require(indexed.sessions.first { $0.id == "conv-far" })
        let thread = try IndexedSessions.thread(store, session: far, positions: indexed.positions, prices: .standard)
        #expect(thread.hasPrefix("session conv-far · 2 traces"))
        #expect(thread.contains("turn 2"))
        #expect(thread.contains("  error:  search failed"))
        #expect(thread.contains("  user:   where is it?"))
    }
}
