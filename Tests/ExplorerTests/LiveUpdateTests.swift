import Testing
import TraceAnalysis
import TraceModel
@testable import Explorer

/// A live source in miniature: spans arrive, each change gets a revision, every update is the
/// whole document (as `spanscope listen` sends it).
struct FakeLiveSource {
    var spans: [String: [Fixtures.SpanSpec]] = [:]
    var revisions: [String: UInt64] = [:]
    var order: [String] = []
    var revision: UInt64 = 0
    var status = LiveStatus(address: "http://127.0.0.1:4318")

    mutating func receive(_ trace: String, _ specs: [Fixtures.SpanSpec]) {
        revision += 1
        if spans[trace] == nil { order.append(trace) }
        spans[trace, default: []] += specs
        revisions[trace] = revision
        status.acceptedSpans += specs.count
    }

    mutating func evict(_ trace: String) {
        revision += 1
        status.evictedTraces += 1
        status.evictedSpans += spans[trace]?.count ?? 0
        spans[trace] = nil
        revisions[trace] = nil
        order.removeAll { $0 == trace }
    }

    var update: Action {
        let built = order.map { (Fixtures.trace($0, spans[$0]!), revisions[$0]!) }
            .sorted { $0.0.startNanos < $1.0.startNanos }
        let doc = TraceDocument(source: "listen 127.0.0.1:4318", format: "live", traces: built.map(\.0))
        return .documentUpdated(LiveUpdate(revision: revision, document: doc, traceRevisions: built.map(\.1), status: status))
    }
}

typealias Spec = Fixtures.SpanSpec

@Suite struct LiveUpdateTests {
    func live(_ width: Int = 100, _ height: Int = 16) -> ExplorerState {
        ExplorerState(document: TraceDocument(source: "listen 127.0.0.1:4318", format: "live", traces: []),
                      size: Size(width: width, height: height), live: LiveStatus(address: "http://127.0.0.1:4318"))
    }

    /// Applies an action through the pure `update`.
    func apply(_ s: inout ExplorerState, _ a: Action) {
        let (next, command) = update(s, a)
        #expect(command == nil)
        s = next
    }

    @Test func anEmptyLiveListSaysWhereToSendSpansAndTheFirstTraceDoesNotTakeOver() {
        var s = live()
        let screen = render(s, size: s.size).text
        #expect(screen.contains("● live http://127.0.0.1:4318  0 traces · 0 spans"))
        #expect(screen.contains("waiting for spans on http://127.0.0.1:4318"))
        #expect(screen.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"))
        var source = FakeLiveSource()
        source.receive("t1", [Spec(id: "a", name: "first", start: 0, end: 10)])
        apply(&s, source.update)
        #expect(s.session == nil)
        #expect(s.hasTraceList)
        #expect(render(s, size: s.size).text.contains("first"))
        // One trace, and it still opens with Enter and goes back with Esc.
        s.press("<enter>")
        #expect(s.selectedName == "first")
        s.press("<esc>")
        #expect(s.session == nil)
    }

    @Test func newTracesAppearAndTheSelectedTraceStaysPut() {
        var s = live(100, 9)   // five list rows under the totals row
        var source = FakeLiveSource()
        for i in 0..<8 { source.receive("t\(i)", [Spec(id: "r", name: "run \(i)", start: Double(i * 10), end: Double(i * 10 + 5))]) }
        apply(&s, source.update)
        s.press("jjjjjj")   // run 6, scrolled: rows show run 2 … run 6
        #expect(s.list.selected == 6 && s.list.top == 2)
        source.receive("t8", [Spec(id: "r", name: "run 8", start: 200, end: 201)])
        apply(&s, source.update)
        #expect(s.list.entries.count == 9)
        #expect(s.list.selected == 6 && s.list.top == 2)
        // A trace that starts earlier than all others sorts in above: the selection keeps its
        // trace and its row on screen, the rows above it move.
        source.receive("early", [Spec(id: "r", name: "early run", start: -50, end: -40)])
        apply(&s, source.update)
        #expect(s.list.entries[s.list.order[s.list.selected]].rootName == "run 6")
        #expect(s.list.selected - s.list.top == 4)
        // Sorted by spans, descending: growth moves a trace, the selection follows it.
        s.press("ss")
        let selected = s.list.entries[s.list.order[s.list.selected]].rootName
        source.receive("t3", [Spec(id: "c1", parent: "r", name: "child", start: 31, end: 32),
                              Spec(id: "c2", parent: "r", name: "child", start: 32, end: 33)])
        apply(&s, source.update)
        #expect(s.list.entries[s.list.order[s.list.selected]].rootName == selected)
        #expect(s.list.entries[s.list.order[0]].rootName == "run 3")
    }

    @Test func anOpenTraceGrowsUnderTheSelection() throws {
        var s = live(100, 12)   // nine tree rows
        var source = FakeLiveSource()
        source.receive("t", [
            Spec(id: "root", name: "agent", start: 0, end: 100),
            Spec(id: "a", parent: "root", name: "plan", start: 1, end: 10),
            Spec(id: "a1", parent: "a", name: "plan.llm", start: 2, end: 9),
            Spec(id: "b", parent: "root", name: "tools", start: 20, end: 60),
        ])
        apply(&s, source.update)
        s.press("<enter>")
        s.press("j<left>jj")   // collapse "plan", select "tools"
        #expect(s.rowNames == ["agent", "plan", "tools"])
        #expect(s.selectedName == "tools")
        let screenRow = try #require(s.session.map { $0.selectedRow - $0.top })

        // More spans: one under the collapsed "plan", two under "tools", one before "tools".
        source.receive("t", [
            Spec(id: "a2", parent: "a", name: "plan.retry", start: 5, end: 8),
            Spec(id: "b1", parent: "b", name: "search", start: 21, end: 30),
            Spec(id: "b2", parent: "b", name: "fetch", start: 31, end: 40),
            Spec(id: "x", parent: "root", name: "guard", start: 12, end: 15),
        ])
        apply(&s, source.update)
        #expect(s.session?.trace.count == 8)
        #expect(s.selectedName == "tools")
        #expect(s.rowNames == ["agent", "plan", "guard", "tools", "search", "fetch"])
        // Everything fits: no scrolling, the root stays in view.
        #expect(s.session?.top == 0 && screenRow == 2)
        // The title counts the new spans.
        #expect(render(s, size: s.size).text.contains("8 spans"))
        #expect(render(s, size: s.size).text.contains("● live"))
        // Keys go on from where the selection is.
        s.press("j")
        #expect(s.selectedName == "search")
    }

    @Test func aScrolledSelectionKeepsItsRowOnScreen() {
        var s = live(100, 12)   // nine tree rows
        var source = FakeLiveSource()
        var specs = [Spec(id: "root", name: "agent", start: 0, end: 1_000)]
        for i in 0..<30 { specs.append(Spec(id: "s\(i)", parent: "root", name: "step \(i)", start: Double(10 + i * 10), end: Double(15 + i * 10))) }
        source.receive("t", specs)
        apply(&s, source.update)
        s.press("<enter>")
        s.press(String(repeating: "j", count: 20))
        #expect(s.selectedName == "step 19")
        let before = s.session!
        #expect(before.top == 12 && before.selectedRow == 20)
        // Two spans that start before the selection push it down the tree; it stays on screen row 8.
        source.receive("t", [Spec(id: "early", parent: "root", name: "warmup", start: 1, end: 2),
                             Spec(id: "mid", parent: "root", name: "retry", start: 101, end: 102)])
        apply(&s, source.update)
        #expect(s.selectedName == "step 19")
        #expect(s.session?.selectedRow == 22 && s.session?.top == 14)
        // A span after the selection changes nothing on screen.
        source.receive("t", [Spec(id: "late", parent: "root", name: "done", start: 900, end: 901)])
        apply(&s, source.update)
        #expect(s.session?.selectedRow == 22 && s.session?.top == 14)
    }

    @Test func aRootThatArrivesLastGathersItsChildren() {
        var s = live()
        var source = FakeLiveSource()
        // Exporters send spans as they end: children first.
        source.receive("t", [Spec(id: "c1", parent: "root", name: "llm", start: 1, end: 5),
                             Spec(id: "c2", parent: "root", name: "tool", start: 6, end: 9)])
        apply(&s, source.update)
        s.press("<enter>j")
        #expect(s.selectedName == "tool")
        #expect(s.session?.trace.roots.count == 2)
        source.receive("t", [Spec(id: "root", name: "agent", start: 0, end: 10)])
        apply(&s, source.update)
        #expect(s.selectedName == "tool")
        #expect(s.rowNames == ["agent", "llm", "tool"])
        #expect(s.session?.trace.rootName == "agent")
    }

    @Test func searchFilterAndZoomCarryOver() {
        var s = live(120, 20)
        var source = FakeLiveSource()
        source.receive("t", [Spec(id: "root", name: "agent", start: 0, end: 100),
                             Spec(id: "t1", parent: "root", name: "tool search", start: 10, end: 20),
                             Spec(id: "p", parent: "root", name: "plan", start: 30, end: 40)])
        apply(&s, source.update)
        s.press("<enter>")
        s.press("ftool<enter>")
        #expect(s.session?.filtering == true)
        #expect(s.rowNames == ["agent", "tool search"])
        s.press("+")
        let window = s.session?.window
        source.receive("t", [Spec(id: "t2", parent: "root", name: "tool fetch", start: 50, end: 60),
                             Spec(id: "q", parent: "root", name: "answer", start: 70, end: 80)])
        apply(&s, source.update)
        #expect(s.rowNames == ["agent", "tool search", "tool fetch"])
        #expect(s.session?.search?.matches.count == 2)
        #expect(s.session?.window == window)
        #expect(s.selectedName == "tool search")
    }

    @Test func anUnchangedTraceKeepsWhatWasWorkedOut() {
        var s = live()
        var source = FakeLiveSource()
        source.receive("t1", [Spec(id: "r", name: "one", start: 0, end: 1)])
        source.receive("t2", [Spec(id: "r", name: "two", start: 5, end: 6)])
        apply(&s, source.update)
        // The source claims t1 did not change (same revision) while sending a failed span for
        // it: its statistics (error count) are the ones worked out before, so they were not
        // computed again; t2 really changed and is counted afresh.
        var lying = source
        lying.spans["t1"]! += [Spec(id: "x", parent: "r", name: "extra", start: 0, end: 1, status: SpanStatus(.error))]
        lying.receive("t2", [Spec(id: "y", parent: "r", name: "more", start: 5, end: 6, status: SpanStatus(.error))])
        apply(&s, lying.update)
        let errors = Dictionary(uniqueKeysWithValues: s.list.entries.map { ($0.rootName, $0.errors) })
        #expect(errors["one"] == 0)
        #expect(errors["two"] == 1)
    }

    @Test func anActiveFilterFollowsLiveData() {
        var s = live(120, 16)
        var source = FakeLiveSource()
        source.receive("t1", [Spec(id: "r", name: "checkout", start: 0, end: 10)])
        source.receive("t2", [Spec(id: "r", name: "search", start: 20, end: 30,
                                   attributes: [Attribute("note", "Refund requested")])])
        apply(&s, source.update)
        s.press("/refund<enter>")
        #expect(s.list.order.map { s.list.entries[$0].rootName } == ["search"])
        // A new trace that matches appears; one that does not stays hidden; a trace that grows a
        // matching span (in message text only) joins the list; the status bar is left alone.
        s.press("j")
        let message = s.message
        source.receive("t3", [Spec(id: "r", name: "support", start: 40, end: 50,
                                   call: Fixtures.chat("gpt-4o", prompt: 1, completion: 1,
                                                       input: [LLMMessage(role: "user", text: "I want a REFUND")]))])
        source.receive("t4", [Spec(id: "r", name: "browse", start: 60, end: 70)])
        source.receive("t1", [Spec(id: "e", parent: "r", name: "email", start: 2, end: 3,
                                   events: [SpanEvent(timeNanos: Fixtures.ms(2), name: "refund.sent")])])
        apply(&s, source.update)
        #expect(s.list.order.map { s.list.entries[$0].rootName } == ["checkout", "search", "support"])
        #expect(s.message == message)
        // The facts kept for the filter are those of the traces now held, kept or worked out again.
        let fresh = TraceFacts.compute(s.document.traces, prices: s.prices)
        #expect(s.list.facts?.map(\.spanCount) == fresh.map(\.spanCount))
        #expect(s.list.facts?.map(\.rootName) == ["checkout", "search", "support", "browse"])
        // An evicted trace leaves the filtered list; a cleared filter shows every trace again.
        source.evict("t2")
        apply(&s, source.update)
        #expect(s.list.order.map { s.list.entries[$0].rootName } == ["checkout", "support"])
        s.press("<esc>")
        source.receive("t5", [Spec(id: "r", name: "late", start: 80, end: 90)])
        apply(&s, source.update)
        #expect(s.list.order.count == 4)
    }

    @Test func statsOverLiveTracesMatchAFreshComputation() {
        var s = live()
        var source = FakeLiveSource()
        source.receive("t1", [Spec(id: "r", name: "agent", start: 0, end: 100),
                              Spec(id: "c", parent: "r", name: "chat", start: 10, end: 50,
                                   call: Fixtures.chat("gpt-4o", prompt: 100, completion: 20))])
        apply(&s, source.update)
        #expect(TraceStats.groups(s.document.traces, by: .model).groups.map(\.count) == [1])
        source.receive("t1", [Spec(id: "c2", parent: "r", name: "chat", start: 60, end: 90,
                                   call: Fixtures.chat("gpt-4o", prompt: 50, completion: 5))])
        source.receive("t2", [Spec(id: "r", name: "agent", start: 200, end: 230,
                                   call: Fixtures.chat("claude-sonnet-4", prompt: 10, completion: 1))])
        apply(&s, source.update)
        // Worked out by hand: gpt-4o has two calls (40 ms and 30 ms, 150 + 25 tokens), the
        // claude call came with the new trace.
        let table = TraceStats.groups(s.document.traces, by: .model)
        let rows = Dictionary(uniqueKeysWithValues: table.groups.map { ($0.key, $0) })
        #expect(table.traces == 2)
        #expect(rows["gpt-4o"]?.count == 2 && rows["gpt-4o"]?.promptTokens == 150 && rows["gpt-4o"]?.completionTokens == 25)
        #expect(rows["gpt-4o"]?.duration.max == 40_000_000 && rows["gpt-4o"]?.totalNanos == 70_000_000)
        #expect(rows["claude-sonnet-4"]?.count == 1)
    }

    @Test func openWorkbenchTablesFollowLiveData() {
        var s = live(120, 20)
        var source = FakeLiveSource()
        source.receive("t1", [Spec(id: "r", name: "agent", start: 0, end: 100),
                              Spec(id: "c", parent: "r", name: "chat", start: 10, end: 50,
                                   call: Fixtures.chat("gpt-4o", prompt: 100, completion: 20))])
        apply(&s, source.update)
        // Stats by name, the selection on "chat" (second row: agent 100 ms is slower).
        s.press("%")
        s.press("j")
        guard case .stats(let before)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(before.table.groups.map(\.key) == ["agent", "chat"])
        #expect(before.table.groups[before.selected].key == "chat")
        // A second trace with a slower "chat" and a new "plan": counts grow, the selection stays on "chat".
        source.receive("t2", [Spec(id: "r", name: "plan", start: 200, end: 210),
                              Spec(id: "c", parent: "r", name: "chat", start: 200, end: 209,
                                   call: Fixtures.chat("gpt-4o", prompt: 10, completion: 2))])
        apply(&s, source.update)
        guard case .stats(let after)? = s.workbench?.current else { Issue.record("stats left"); return }
        #expect(after.table.traces == 2)
        let chat = after.table.groups.first { $0.key == "chat" }
        #expect(chat?.count == 2)
        #expect(chat?.traces == 2)
        #expect(after.table.groups[after.selected].key == "chat")
        #expect(s.workbench?.scope == "2 traces")
        // The ranked calls keep their sort (latency, slowest first) as a call arrives.
        s.press("<esc>")
        s.press("L")
        s.press("s")
        guard case .calls(let calls)? = s.workbench?.current else { Issue.record("no calls"); return }
        #expect(calls.sort == .latency)
        #expect(calls.rows.count == 2)
        source.receive("t2", [Spec(id: "c2", parent: "r", name: "chat", start: 201, end: 208,
                                   call: Fixtures.chat("gpt-4o-mini", prompt: 5, completion: 1))])
        apply(&s, source.update)
        guard case .calls(let more)? = s.workbench?.current else { Issue.record("calls left"); return }
        #expect(more.sort == .latency)
        #expect(more.rows.count == 3)
        // 40 ms, 9 ms, 7 ms: worked out from the spans above.
        #expect(more.rows.map(\.latencyNanos) == [40_000_000, 9_000_000, 7_000_000])
    }

    @Test func anEvictedOpenTraceStaysOpenUntilLeft() {
        var s = live()
        var source = FakeLiveSource()
        source.receive("old", [Spec(id: "r", name: "old run", start: 0, end: 1)])
        source.receive("new", [Spec(id: "r", name: "new run", start: 5, end: 6)])
        apply(&s, source.update)
        s.press("<enter>")
        #expect(s.selectedName == "old run")
        source.evict("old")
        apply(&s, source.update)
        #expect(s.selectedName == "old run")
        #expect(s.message == "this trace was evicted (span limit); it stays open until you leave it")
        s.press("<esc>")
        #expect(s.session == nil)
        #expect(s.list.entries.map(\.rootName) == ["new run"])
        #expect(render(s, size: s.size).text.contains("1 evicted"))
    }

    @Test func anOpenDetailFollowsItsSpan() {
        var s = live()
        var source = FakeLiveSource()
        source.receive("t", [Spec(id: "r", name: "agent", start: 0, end: 10),
                             Spec(id: "c", parent: "r", name: "chat", start: 1, end: 5,
                                  call: Fixtures.chat("gpt-4o-mini", prompt: 10, completion: 5))])
        apply(&s, source.update)
        s.press("<enter>j<enter>")
        #expect(s.documentView?.kind == .span(1))
        source.receive("t", [Spec(id: "d", parent: "r", name: "tool", start: 6, end: 9)])
        apply(&s, source.update)
        #expect(s.documentView?.kind == .span(1))
        #expect(s.documentView?.title == "LLM call · chat · gpt-4o-mini")
        s.press("<esc>")
        #expect(s.rowNames == ["agent", "chat", "tool"])
    }

    @Test func theListTitleCountsWhatWasLetGoAndRefused() {
        var s = live(140, 10)
        var source = FakeLiveSource()
        source.receive("t", [Spec(id: "r", name: "run", start: 0, end: 1)])
        source.status.evictedTraces = 3
        source.status.rejectedSpans = 2
        source.status.failedRequests = 1
        apply(&s, source.update)
        let title = render(s, size: s.size).text.split(separator: "\n")[0]
        #expect(title.hasPrefix("● live http://127.0.0.1:4318  1 trace · 1 span · 3 evicted · 3 refused (w)"))
        source.status.address = "http://0.0.0.0:4318"
        source.status.warning = "(open to the network, no authentication)"
        source.receive("t", [Spec(id: "c", parent: "r", name: "child", start: 0, end: 1)])
        apply(&s, source.update)
        #expect(render(s, size: s.size).text.hasPrefix("● live http://0.0.0.0:4318 (open to the network, no authentication)  1 trace · 2 spans"))
    }
}
