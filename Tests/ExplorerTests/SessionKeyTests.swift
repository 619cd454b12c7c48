import Testing
import TraceAnalysis
import TraceModel
@testable import Explorer

/// Three runs of an app that names its conversation in its own attribute, `app.conversation`,
/// and nothing the standard conventions know (`session.id`, `gen_ai.conversation.id`, …):
///
/// ```
/// r1  0–1000 ms        turn  app.conversation=conv-A  input "hello"  → "hi there"
/// r2  5000–7000 ms     turn  app.conversation=conv-A  input "again?" → "yes"   (on a child span)
/// r3  2000–2500 ms     turn  app.conversation=conv-B  input "other"  → "ok"
/// r4  9000–9100 ms     cron  (no conversation)
/// ```
enum CustomSessions {
    static let key = "app.conversation"

    static func turn(_ id: String, start: Double, end: Double, conversation: String, input: String, output: String,
                     onChild: Bool = false) -> Trace {
        let talk = [Attribute("input.value", .string(input)), Attribute("output.value", .string(output))]
        let tag = [Attribute(key, .string(conversation))]
        return Fixtures.trace(id, [
            .init(id: id + "01", parent: nil, name: "turn", service: "app", start: start, end: end,
                  attributes: talk + (onChild ? [] : tag)),
            .init(id: id + "02", parent: id + "01", name: "lookup", service: "app", start: start + 10, end: end - 10,
                  attributes: onChild ? tag : []),
        ])
    }

    static let traces: [Trace] = [
        turn("c0ffee0100000000", start: 0, end: 1000, conversation: "conv-A", input: "hello", output: "hi there"),
        turn("c0ffee0200000000", start: 5000, end: 7000, conversation: "conv-A", input: "again?", output: "yes",
             onChild: true),
        turn("c0ffee0300000000", start: 2000, end: 2500, conversation: "conv-B", input: "other", output: "ok"),
        Fixtures.trace("c0ffee0400000000", [.init(id: "d1", parent: nil, name: "cron", service: "app", start: 9000, end: 9100)]),
    ]

    static var document: TraceDocument { TraceDocument(source: "custom.json", format: "test", traces: traces) }

    /// The explorer on the file, with `--session-key app.conversation` or without it.
    static func state(keyed: Bool, _ width: Int = 80, _ height: Int = 24) -> ExplorerState {
        ExplorerState(document: document, size: Size(width: width, height: height),
                      sessionKeys: keyed ? .preferring(key) : .standard)
    }
}

@Suite struct SessionKeyTests {
    func shownIDs(_ s: ExplorerState) -> [String] {
        s.list.order.map { String(s.list.entries[$0].id.description.prefix(8)) }
    }

    @Test func withTheKeyTheSessionsViewGroupsTheTracesAndTheThreadReadsThem() {
        var s = CustomSessions.state(keyed: true)
        s.press("@")
        guard case .sessions(let l)? = s.workbench?.current else { Issue.record("no sessions view"); return }
        // Earliest first: conv-A starts at 0 ms, conv-B at 2000 ms; the cron run has no conversation.
        #expect(l.sessions.map(\.id) == ["conv-A", "conv-B"])
        #expect(l.sessions.map { $0.traces.count } == [2, 1])
        #expect(l.withoutSession == 1)
        Golden.check(render(s, size: s.size), "session-key-sessions-80x24")
        s.press("<enter>")
        guard case .thread(let t)? = s.workbench?.current else { Issue.record("no thread"); return }
        #expect(t.turns.map(\.userMessage) == ["hello", "again?"])
        #expect(t.turns.map(\.finalAnswer) == ["hi there", "yes"])
    }

    @Test func withoutTheKeyTheTracesAreUngrouped() {
        var s = CustomSessions.state(keyed: false)
        #expect(s.list.entries.allSatisfy { $0.sessionID == nil })
        #expect(s.list.measure[.session] == 0)       // no session column
        s.press("/session=conv-A<enter>")
        #expect(s.list.order.isEmpty)
        s.press("<esc>@")
        guard case .sessions(let l)? = s.workbench?.current else { Issue.record("no sessions view"); return }
        #expect(l.sessions.isEmpty && l.withoutSession == 4)
        s.press("<esc>%bbbb")
        guard case .stats(let st)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(st.table.grouping == .session && st.table.groups.isEmpty)
    }

    @Test func withTheKeyTheListShowsTheSessionColumnAndSessionFilters() {
        var s = CustomSessions.state(keyed: true)
        #expect(s.list.entries.map(\.sessionID) == ["conv-A", "conv-A", "conv-B", nil])
        Golden.check(render(s, size: s.size), "session-key-list-80x24")
        s.press("/session=conv-A<enter>")
        #expect(shownIDs(s) == ["c0ffee01", "c0ffee02"])
        s.press("/<bs><bs><bs><bs><bs><bs><bs><bs><bs><bs><bs><bs><bs><bs>-session=conv-*<enter>")
        #expect(s.list.query == "-session=conv-*")
        #expect(shownIDs(s) == ["c0ffee04"])
    }

    @Test func statsBySessionUseTheKey() {
        var s = CustomSessions.state(keyed: true)
        s.press("%bbbb")
        guard case .stats(let st)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(st.table.grouping == .session)
        // conv-A: 1000 ms + 2000 ms of traces; conv-B: 500 ms. Ordered by total time.
        #expect(st.table.groups.map(\.key) == ["conv-A", "conv-B"])
        #expect(st.table.groups.map(\.count) == [2, 1])
        #expect(st.table.groups.map(\.totalNanos) == [3_000_000_000, 500_000_000])
        s.press("<enter>")
        guard case .members(let m)? = s.workbench?.current else { Issue.record("no members"); return }
        // Slowest first: r2 (2 s), then r1 (1 s).
        #expect(m.members.map(\.durationNanos) == [2_000_000_000, 1_000_000_000])
    }

    @Test func liveDataHonoursTheKeyInTheListTheFilterAndTheSessions() {
        var s = ExplorerState(document: TraceDocument(source: "listen 127.0.0.1:4318", format: "live", traces: []),
                              size: Size(width: 80, height: 24), live: LiveStatus(address: "http://127.0.0.1:4318"),
                              sessionKeys: .preferring(CustomSessions.key))
        func arrive(_ traces: [Trace], revision: UInt64) {
            let doc = TraceDocument(source: "listen 127.0.0.1:4318", format: "live", traces: traces)
            let (next, _) = update(s, .documentUpdated(LiveUpdate(revision: revision, document: doc,
                                                                   traceRevisions: traces.indices.map { UInt64($0) + 1 },
                                                                   status: LiveStatus(address: "http://127.0.0.1:4318"))))
            s = next
        }
        arrive(Array(CustomSessions.traces.prefix(2)), revision: 1)
        s.press("/session=conv-A<enter>")
        #expect(shownIDs(s) == ["c0ffee01", "c0ffee02"])
        // A later trace of another conversation arrives: the filter is worked out for it with the key.
        arrive(CustomSessions.traces, revision: 2)
        #expect(shownIDs(s) == ["c0ffee01", "c0ffee02"])
        #expect(s.list.entries.map(\.sessionID) == ["conv-A", "conv-A", "conv-B", nil])
        s.press("<esc>@")
        guard case .sessions(let l)? = s.workbench?.current else { Issue.record("no sessions view"); return }
        #expect(l.sessions.map(\.id) == ["conv-A", "conv-B"])
    }
}

/// The list's title with a filter on: "N of M match Q", whole, whatever the width.
@Suite struct FilteredTitleTests {
    func liveWithSix(_ width: Int, _ height: Int) -> ExplorerState {
        var source = FakeLiveSource()
        for i in 1...6 {
            let id = "fa11\(i)000000000000"
            source.receive(id, [Spec(id: "s\(i)", parent: nil, name: i % 2 == 0 ? "checkout" : "browse",
                                     start: Double(i * 100), end: Double(i * 100 + 50),
                                     status: i % 3 == 0 ? SpanStatus(.error, message: "boom") : .ok)])
        }
        var s = ExplorerState(document: TraceDocument(source: "listen 127.0.0.1:4318", format: "live", traces: []),
                              size: Size(width: width, height: height), live: source.status)
        s = update(s, source.update).0
        return s
    }

    @Test func liveTitleSaysHowManyOfHowManyMatchAt80x24And40x12() {
        for (w, h) in [(80, 24), (40, 12)] {
            var s = liveWithSix(w, h)
            s.press("/name=checkout<enter>")
            #expect(s.list.order.count == 3)
            let screen = render(s, size: s.size)
            #expect(screen.text.split(separator: "\n")[0].contains("3 of 6"))
            Golden.check(screen, "list-live-filtered-\(w)x\(h)")
        }
    }

    @Test func aLongNameAndQueryAreCutAndTheCountStays() {
        let traces = CustomSessions.traces
        let doc = TraceDocument(source: "a-very-long-file-name-for-a-narrow-terminal.otlp.json", format: "test", traces: traces)
        var s = ExplorerState(document: doc, size: Size(width: 40, height: 12))
        // A pasted escape in the query reaches the title only as visible text.
        s.press("/name=turn -name=cron-with-a-long-tail-\u{1B}[31m<enter>")
        #expect(s.list.order.count == 3)
        let screen = render(s, size: s.size)
        let title = String(screen.text.split(separator: "\n")[0])
        #expect(title.contains("  3 of 4 match "))
        Golden.check(screen, "list-filtered-long-40x12")
        // Wide enough for the whole query: the escape shows as visible text, never as a control.
        let wide = String(render(s, size: Size(width: 120, height: 12)).text.split(separator: "\n")[0])
        #expect(wide.hasSuffix("3 of 4 traces match name=turn -name=cron-with-a-long-tail-^[[31m"))
        #expect(!wide.unicodeScalars.contains { $0.value < 0x20 })
    }
}

/// Stats by session in the explorer carry cached prompt tokens: support-42's first turn read
/// 600 from the cache, its second records none, so 600 (by hand).
@Suite struct SessionCachedTokensTests {
    @Test func statsBySessionShowCachedTokens() throws {
        var s = try workbenchState()
        s.press("%bbbb")
        guard case .stats(let st)? = s.workbench?.current else { Issue.record("no stats"); return }
        let support = st.table.groups.first { $0.key == "support-42" }
        #expect(support?.cachedTokens == 600)
        let screen = render(s, size: s.size)
        #expect(screen.text.split(separator: "\n")[1].contains("cached"))
        Golden.check(screen, "workbench-stats-session-120x40")
    }
}
