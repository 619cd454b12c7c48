import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// The session id the index scan records per trace, against the rule a full load applies.
@Suite struct IndexSessionTests {
    static let traces = (root: String(repeating: "1", count: 32), child: String(repeating: "2", count: 32),
                         resource: String(repeating: "3", count: 32), differ: String(repeating: "4", count: 32),
                         custom: String(repeating: "5", count: 32), rank: String(repeating: "6", count: 32),
                         none: String(repeating: "7", count: 32))

    /// One trace per convention and placement; the child-only trace's keyed span sits far from
    /// its root, after padding lines, so the scan meets it in another part and window.
    static func file() -> String {
        let t = traces
        func span(_ trace: String, _ id: String, parent: String = "", start: Int64, _ attributes: [String] = []) -> String {
            otlpSpan(id, parent: parent, name: "s\(id.suffix(2))", start: start, end: start + 100, trace: trace,
                     attributes: attributes.joined(separator: ","))
        }
        var lines: [String] = []
        lines.append(otlp([
            // The root's own value wins over a child's.
            span(t.root, "1000000000000001", start: 10, [kv("session.id", string: "root-s")]),
            span(t.root, "1000000000000002", parent: "1000000000000001", start: 20, [kv("gen_ai.conversation.id", string: "child-c")]),
            // Only a child far away carries one (Traceloop's association property).
            span(t.child, "2000000000000001", start: 30),
            // Spans that disagree under a root without one: the earlier child in tree order (by
            // start) wins, though it comes second in the file.
            span(t.differ, "4000000000000001", start: 50),
            span(t.differ, "4000000000000002", parent: "4000000000000001", start: 200, [kv("langfuse.session.id", string: "later")]),
            span(t.differ, "4000000000000003", parent: "4000000000000001", start: 100, [kv("langfuse.session.id", string: "earlier")]),
            // Two keys on one span: the better-ranked one wins whatever their order.
            span(t.rank, "6000000000000001", start: 70, [kv("conversation_id", string: "low"), kv("session.id", string: "high")]),
            // A user's key on the root, a standard key on a child.
            span(t.custom, "5000000000000001", start: 60, [kv("app.thread_id", string: "thread-9")]),
            span(t.custom, "5000000000000002", parent: "5000000000000001", start: 61, [kv("session.id", int: 42)]),
            span(t.none, "7000000000000001", start: 80, [kv("user.id", string: "u")]),
        ]))
        // The root's resource names the session; a child's own value loses to it.
        lines.append("""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},\
        {"key":"gen_ai.conversation.id","value":{"stringValue":"res-s"}}]},"scopeSpans":[{"spans":[\
        \(span(t.resource, "3000000000000001", start: 40)),\
        \(span(t.resource, "3000000000000002", parent: "3000000000000001", start: 41, [kv("session.id", string: "child-own")]))]}]}]}
        """)
        for i in 0..<20 {
            lines.append(otlp([span(t.none, "70000000000001\(10 + i)", parent: "7000000000000001", start: 81,
                                    [kv("note", string: String(repeating: "pad \(i) ", count: 200))])]))
        }
        lines.append(otlp([span(t.child, "2000000000000002", parent: "2000000000000001", start: 31,
                                [kv("traceloop.association.properties.session_id", string: "far-child")])]))
        return lines.map { String($0.filter { $0 != "\n" }) }.joined(separator: "\n") + "\n"
    }

    func write() throws -> String {
        let path = temporaryDirectory() + "/sessions.jsonl"
        try writeFile(path, Array(IndexSessionTests.file().utf8))
        return path
    }

    @Test func eachConventionAndPlacementGivesTheSessionWorkedOutByHand() throws {
        let path = try write()
        let t = IndexSessionTests.traces
        let expected = [t.root: "root-s", t.child: "far-child", t.resource: "res-s", t.differ: "earlier",
                        t.rank: "high", t.custom: "42"]
        for parts in [1, 2, 3] {
            let index = try TraceIndexer.index(path: path, parts: parts, window: 1024)
            let found = Dictionary(uniqueKeysWithValues: index.traces.map { ($0.id.description, $0.sessionID) })
            for (id, session) in expected { #expect(found[id] == session, "trace \(id.prefix(2)) on \(parts) parts") }
            #expect(found[t.none] == .some(nil))
        }
        let custom = try TraceIndexer.index(path: path, parts: 2, window: 1024,
                                            sessionKeys: SessionConventions.keys(preferring: "app.thread_id"))
        #expect(custom.traces.first { $0.id.description == t.custom }?.sessionID == "thread-9")
        #expect(custom.traces.first { $0.id.description == t.root }?.sessionID == "root-s")
    }

    @Test func theIndexAgreesWithAFullLoadUnderStandardAndCustomKeys() throws {
        let path = try write()
        let full = try TraceLoader.load(path: path)
        for keys in [SessionConventions.standardKeys, SessionConventions.keys(preferring: "app.thread_id"),
                     SessionConventions.keys(preferring: "langfuse.session.id")] {
            for parts in [1, 2] {
                let index = try TraceIndexer.index(path: path, parts: parts, window: 2048, sessionKeys: keys)
                #expect(index.traces.map(\.id) == full.traces.map(\.id))
                #expect(index.traces.map(\.sessionID) == full.traces.map { $0.sessionID(keys: keys) }, "keys \(keys[0])")
            }
        }
    }

    @Test func generatedAndSampleFilesAgreeWithAFullLoad() throws {
        for name in ["agent-parallel-tools.otlp.jsonl", "openllmetry-triage-batch.otlp.jsonl"] {
            let path = sampleDirectory + "/" + name
            let full = try TraceLoader.load(path: path)
            let index = try TraceIndexer.index(path: path, parts: 2, window: 4096)
            #expect(index.traces.map(\.sessionID) == full.traces.map { $0.sessionID(keys: SessionConventions.standardKeys) })
        }
    }
}
