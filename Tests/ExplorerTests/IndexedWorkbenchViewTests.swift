import Foundation
import Synthetic
import Testing
import TerminalText
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceWriters
@testable import Explorer

/// `@`, `L`, a stats group's spans and a session's thread on a file read through its index:
/// the same screens as the same file loaded whole, with and without a `/` filter and a
/// `--session-key`; the index jobs stop on Esc and their late answers are dropped.
@Suite struct IndexedWorkbenchViewTests {
    static let size = Size(width: 120, height: 30)

    /// Twelve generated agent runs. Nine roots name a session (`session.id`, three sessions),
    /// six an `app.conversation` too (two threads), so the sessions differ with the key.
    static func writeFile(_ path: String) throws {
        let generator = TraceGenerator(spans: 480, traces: 12, seed: 7)
        var w = JSONWriter(reserving: 1 << 16)
        var bytes: [UInt8] = []
        for t in 0..<generator.traceCount {
            var spans = generator.spans(ofTrace: t)
            if t % 4 != 3 { spans[0].attributes.append(Attribute("session.id", .string("conv-\(t % 3)"))) }
            if t % 2 == 0 { spans[0].attributes.append(Attribute("app.conversation", .string("thread-\(t % 4)"))) }
            OTLPJSONWriter.request(spans, into: &w)
            bytes += w.drain()
            bytes.append(0x0A)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The same file loaded whole, and read through its index (the scan's last batch taken in),
    /// with the store that reads its traces.
    struct Pair {
        var whole: ExplorerState
        var indexed: ExplorerState
        let store: LazyTraceStore
        let keys: SessionKeys
    }

    static func pair(_ path: String, key: String?) throws -> Pair {
        let keys = SessionKeys.preferring(key)
        var document = try TraceLoader.load(path: path)
        document.format = "OTLP JSON Lines"
        let whole = ExplorerState(document: document, size: size, sessionKeys: keys)
        let store = try LazyTraceStore(path: path, sessionKeys: keys.keys)
        var indexed = ExplorerState(indexing: path, totalBytes: 1_000, size: size, sessionKeys: keys)
        let rows = store.index.traces.map { e in
            IndexedRow(id: e.id, rootService: e.rootService,
                       facts: TraceFacts(rootName: e.rootName, rootService: e.rootService, startNanos: e.startNanos,
                                         durationNanos: e.durationNanos, spanCount: e.spanCount, errorCount: e.errorCount,
                                         calls: e.llmCalls, prices: .standard, sessionID: e.sessionID))
        }
        _ = indexed.apply(.indexProgress(IndexBatch(sequence: 1, rows: rows, bytesRead: 1_000, totalBytes: 1_000, done: true,
                                                    format: "OTLP JSON Lines")))
        return Pair(whole: whole, indexed: indexed, store: store, keys: keys)
    }

    /// Performs what the CLI performs for an indexed file: stats over the list's filter, the
    /// index jobs, and traces read one at a time; every answer goes back through `update`.
    static func perform(_ command: Command?, _ s: inout ExplorerState, _ store: LazyTraceStore, keys: SessionKeys) throws {
        guard let command else { return }
        let answer: Action?
        switch command {
        case .indexStats(let ticket, let by, let text):
            let query = text.isEmpty ? nil : try TraceQuery(text)
            let traces = try (0..<store.count).map { try store.trace(at: $0) }
            answer = .workbenchComputed(WorkbenchAnswer(ticket: ticket, stats: TraceStats.groups(traces, by: by, where: query,
                                                                                                 sessionKeys: keys)))
        case .indexTable(let job):
            answer = job.run(read: { try $0.map { try store.trace(at: $0) } }, keepGoing: { _, _ in true }).map(Action.workbenchComputed)
        case .decodeTrace(let id):
            let i = try #require(store.index.traces.firstIndex { $0.id == id })
            answer = .traceDecoded(DecodedTrace(id: id, trace: try store.trace(at: i), prices: .standard))
        default:
            answer = nil
        }
        if let answer { try perform(s.apply(answer), &s, store, keys: keys) }
    }

    /// Presses `text` on both sides (the indexed side's commands performed) and expects the
    /// same screen, whole: text and style legend.
    static func same(_ p: inout Pair, _ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for k in keys(text) {
            if let a = p.whole.action(for: k) { _ = p.whole.apply(a) }
            if let a = p.indexed.action(for: k) { try perform(p.indexed.apply(a), &p.indexed, p.store, keys: p.keys) }
        }
        let a = render(p.whole, size: size).rendering, b = render(p.indexed, size: size).rendering
        #expect(a == b, "\(what): loaded whole\n\(a)\nread through the index\n\(b)", sourceLocation: sourceLocation)
    }

    /// Filters both lists by `query` (the lists themselves are `IndexedOpenTests`' business).
    static func filter(_ p: inout Pair, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        p.whole.press("/\(query)<enter>")
        p.indexed.press("/\(query)<enter>")
        #expect(p.indexed.list.order.count == p.whole.list.order.count, sourceLocation: sourceLocation)
        #expect(p.indexed.list.order.count < p.indexed.list.entries.count, "the filter leaves some out", sourceLocation: sourceLocation)
    }

    /// Presses `text` on both sides, which should leave both at the list.
    static func back(_ p: inout Pair, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        p.whole.press(text)
        p.indexed.press(text)
        #expect(p.whole.keyContext == .traceList && p.indexed.keyContext == .traceList, sourceLocation: sourceLocation)
    }

    static func withFile(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spanscope-iwb-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("runs.jsonl").path
        try writeFile(path)
        try body(path)
    }

    /// The list's model column names the same models in the same order (costliest first) as a
    /// whole load's, not the index's request and response models in file order.
    @Test func theListNamesTheSameModelsAsAWholeLoad() throws {
        try IndexedWorkbenchViewTests.withFile { path in
            let p = try IndexedWorkbenchViewTests.pair(path, key: nil)
            let whole = Dictionary(uniqueKeysWithValues: p.whole.list.entries.map { ($0.id, $0.models) })
            let indexed = Dictionary(uniqueKeysWithValues: p.indexed.list.entries.map { ($0.id, $0.models) })
            #expect(indexed == whole)
            #expect(whole.values.contains { $0.count > 1 }, "a trace with more than one model row")
        }
    }

    @Test(arguments: [nil, "app.conversation"], ["", "llm_calls>=6"])
    func sessionsAndTheirThreadsLookTheSame(key: String?, filter: String) throws {
        try IndexedWorkbenchViewTests.withFile { path in
            var p = try IndexedWorkbenchViewTests.pair(path, key: key)
            if !filter.isEmpty { try IndexedWorkbenchViewTests.filter(&p, filter) }
            try IndexedWorkbenchViewTests.same(&p, "@", "sessions")
            guard case .sessions(let l)? = p.indexed.workbench?.current else { Issue.record("no sessions"); return }
            #expect(!l.sessions.isEmpty)
            // Worked out by hand from writeFile: conv-0..2 by session.id; thread-0 and thread-2 by the key.
            let expected = key == nil ? ["conv-0", "conv-1", "conv-2"] : ["thread-0", "thread-2", "conv-1", "conv-0", "conv-2"]
            #expect(Set(l.sessions.map(\.id)).isSubset(of: Set(expected)))
            try IndexedWorkbenchViewTests.same(&p, "<enter>", "the first session's thread")
            try IndexedWorkbenchViewTests.same(&p, "<down><enter>", "its second turn's trace")
            try IndexedWorkbenchViewTests.same(&p, "<esc>", "back in the thread")
            try IndexedWorkbenchViewTests.same(&p, "<esc>G<enter>", "the last session's thread")
            try IndexedWorkbenchViewTests.back(&p, "<esc><esc>")
        }
    }

    @Test(arguments: [nil, "app.conversation"], ["", "llm_calls>=6"])
    func rankedCallsLookTheSameAndOpenAtTheCall(key: String?, filter: String) throws {
        try IndexedWorkbenchViewTests.withFile { path in
            var p = try IndexedWorkbenchViewTests.pair(path, key: key)
            if !filter.isEmpty { try IndexedWorkbenchViewTests.filter(&p, filter) }
            try IndexedWorkbenchViewTests.same(&p, "L", "LLM calls")
            guard case .calls(let l)? = p.indexed.workbench?.current else { Issue.record("no calls"); return }
            #expect(l.rows.count > 4)
            try IndexedWorkbenchViewTests.same(&p, "s", "sorted by latency")
            try IndexedWorkbenchViewTests.same(&p, "<down><down><enter>", "the third call's trace with its details")
            #expect(p.indexed.overlay != nil && p.indexed.session != nil)
            try IndexedWorkbenchViewTests.same(&p, "<esc><esc>", "back at the calls")
            try IndexedWorkbenchViewTests.back(&p, "<esc>")
        }
    }

    @Test(arguments: [nil, "app.conversation"], ["", "llm_calls>=6"])
    func aStatsGroupsSpansLookTheSameAndOpenAtTheSpan(key: String?, filter: String) throws {
        try IndexedWorkbenchViewTests.withFile { path in
            var p = try IndexedWorkbenchViewTests.pair(path, key: key)
            if !filter.isEmpty { try IndexedWorkbenchViewTests.filter(&p, filter) }
            try IndexedWorkbenchViewTests.same(&p, "%", "stats by name")
            try IndexedWorkbenchViewTests.same(&p, "<down><enter>", "the second group's spans")
            guard case .members(let l)? = p.indexed.workbench?.current else { Issue.record("no spans"); return }
            #expect(!l.members.isEmpty)
            try IndexedWorkbenchViewTests.same(&p, "<down><enter>", "the second span in its trace")
            try IndexedWorkbenchViewTests.same(&p, "<esc>", "back at the spans")
            try IndexedWorkbenchViewTests.same(&p, "<esc>bb<enter>", "a tool's calls")
            try IndexedWorkbenchViewTests.same(&p, "<esc>bb", "stats by session")
            guard case .stats(let bySession)? = p.indexed.workbench?.current else { Issue.record("no stats by session"); return }
            #expect(bySession.table.groups.contains { $0.key == (key == nil ? "conv-1" : "thread-2") })
            try IndexedWorkbenchViewTests.same(&p, "<enter>", "a session's traces")
            try IndexedWorkbenchViewTests.same(&p, "<enter>", "its slowest trace")
        }
    }

    @Test func escStopsAnIndexJobAndItsLateAnswerIsDropped() throws {
        try IndexedWorkbenchViewTests.withFile { path in
            var p = try IndexedWorkbenchViewTests.pair(path, key: nil)
            var s = p.indexed
            guard case .indexTable(let job)? = s.apply(.openCalls) else { Issue.record("no index job"); return }
            #expect(render(s, size: IndexedWorkbenchViewTests.size).text.contains(" computing LLM calls over 12 traces…\n"))
            _ = s.apply(.workbenchProgress(ticket: job.ticket, read: 3, total: 12))
            #expect(render(s, size: IndexedWorkbenchViewTests.size).text.contains(" computing LLM calls over 12 traces… 25% read"))
            // Esc asks the CLI to stop the job; it stops before the next trace and answers nothing.
            #expect(s.apply(.back) == .stopIndexStats(ticket: job.ticket))
            #expect(s.workbench == nil && s.message == "stopped computing LLM calls")
            // Stopped after its first batch: no trace past that batch is read.
            var stopped = false, reads = 0
            let answer = job.run(read: { reads += $0.count; return try $0.map { try p.store.trace(at: $0) } }, keepGoing: { read, _ in
                if read > 0 { stopped = true }
                return !stopped
            })
            #expect(answer == nil && reads == min(12, IndexJob.batchTraces))
            // An answer that comes after the user left changes nothing.
            let late = try #require(job.run(read: { try $0.map { try p.store.trace(at: $0) } }, keepGoing: { _, _ in true }))
            let before = render(s, size: IndexedWorkbenchViewTests.size).rendering
            #expect(s.apply(.workbenchComputed(late)) == nil)
            #expect(s.workbench == nil && render(s, size: IndexedWorkbenchViewTests.size).rendering == before)
            // Leaving a session's thread while it is read drops its answer too; the sessions stay.
            _ = s.apply(.openSessions)
            guard case .indexTable(let thread)? = s.apply(.activate) else { Issue.record("no thread job"); return }
            #expect(s.apply(.back) == .stopIndexStats(ticket: thread.ticket))
            let turns = try #require(thread.run(read: { try $0.map { try p.store.trace(at: $0) } }, keepGoing: { _, _ in true }))
            _ = s.apply(.workbenchComputed(turns))
            guard case .sessions? = s.workbench?.current else { Issue.record("the sessions are gone"); return }
            p.indexed = s
        }
    }

    @Test func aTraceAskedForFromTheWorkbenchIsNotOpenedOnceTheUserLeft() throws {
        try IndexedWorkbenchViewTests.withFile { path in
            let p = try IndexedWorkbenchViewTests.pair(path, key: nil)
            var s = p.indexed
            try IndexedWorkbenchViewTests.perform(s.apply(.openCalls), &s, p.store, keys: p.keys)
            guard case .decodeTrace(let id)? = s.apply(.activate) else { Issue.record("no trace asked for"); return }
            _ = s.apply(.back)
            #expect(s.workbench == nil)
            let i = try #require(p.store.index.traces.firstIndex { $0.id == id })
            _ = s.apply(.traceDecoded(DecodedTrace(id: id, trace: try p.store.trace(at: i), prices: .standard)))
            #expect(s.session == nil && s.keyContext == .traceList)
        }
    }

    @Test func aFileChangedUnderTheIndexEndsTheJobInOneLine() throws {
        try IndexedWorkbenchViewTests.withFile { path in
            let p = try IndexedWorkbenchViewTests.pair(path, key: nil)
            var s = p.indexed
            guard case .indexTable(let job)? = s.apply(.openCalls) else { Issue.record("no index job"); return }
            // Rewritten shorter after it was indexed: the reader's error, on one line, and back to the list.
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: path))
            let answer = try #require(job.run(read: { try $0.map { try p.store.trace(at: $0) } }, keepGoing: { _, _ in true }))
            _ = s.apply(.workbenchComputed(answer))
            #expect(s.workbench == nil)
            #expect(s.message?.hasPrefix("LLM calls: ") == true && s.message?.contains("\n") == false)
        }
    }
}
