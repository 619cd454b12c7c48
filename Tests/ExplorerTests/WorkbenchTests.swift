import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Explorer

/// Two turns of a support conversation (OpenInference `session.id` "support-42"), built by hand:
///
/// ```
/// turn 1  0–1500 ms     chat_turn  input "Where is my order 1234?" → output "It ships tomorrow."
///           100–1400 ms   chat gpt-4.1-mini   800 in (600 cached) / 40 out, TTFT 300 ms, $0.0003 recorded
/// turn 2  60000–63000   chat_turn  input "Can you check again?" → output "Sorry, try again later."
///           60100–61100   lookup_order (tool, error "order service timeout")
///           61200–62900   chat gpt-4.1-mini   1200 in / 90 out, $0.0005 recorded, finish "length"
/// ```
enum SupportSession {
    static func call(prompt: Int64, completion: Int64, cached: Int64?, cost: Double, finish: String,
                     ttft: Int64?) -> LLMCall {
        LLMCall(operation: "chat", provider: "openai", requestModel: "gpt-4.1-mini", responseModel: "gpt-4.1-mini",
                promptTokens: prompt, completionTokens: completion, recordedCostUSD: cost, finishReasons: [finish],
                timeToFirstTokenNanos: ttft, conventions: .genAI, cacheReadTokens: cached)
    }

    static let traces: [Trace] = [
        Fixtures.trace("5e5510a1000000000000000000000001", [
            .init(id: "b000000000000001", parent: nil, name: "chat_turn", service: "support", start: 0, end: 1500,
                  attributes: [Attribute("session.id", "support-42"), Attribute("input.value", "Where is my order 1234?"),
                               Attribute("output.value", "It ships tomorrow.")]),
            .init(id: "b000000000000002", parent: "b000000000000001", name: "chat gpt-4.1-mini", service: "support",
                  start: 100, end: 1400,
                  call: call(prompt: 800, completion: 40, cached: 600, cost: 0.0003, finish: "stop", ttft: 300_000_000)),
        ]),
        Fixtures.trace("5e5510a2000000000000000000000002", [
            .init(id: "c000000000000001", parent: nil, name: "chat_turn", service: "support", start: 60_000, end: 63_000,
                  attributes: [Attribute("session.id", "support-42"), Attribute("input.value", "Can you check again?"),
                               Attribute("output.value", "Sorry, try again later.")]),
            .init(id: "c000000000000002", parent: "c000000000000001", name: "lookup_order", service: "orders",
                  start: 60_100, end: 61_100, status: SpanStatus(.error, message: "order service timeout"),
                  attributes: [Attribute("gen_ai.operation.name", "execute_tool"), Attribute("gen_ai.tool.name", "lookup_order")]),
            .init(id: "c000000000000003", parent: "c000000000000001", name: "chat gpt-4.1-mini", service: "support",
                  start: 61_200, end: 62_900,
                  call: call(prompt: 1200, completion: 90, cached: nil, cost: 0.0005, finish: "length", ttft: nil)),
        ]),
    ]
}

/// The bundled samples (one of which is a two-turn conversation) plus the support session:
/// what `spanscope SampleTraces/ support.json` would open.
func workbenchState(_ width: Int = 120, _ height: Int = 40) throws -> ExplorerState {
    var traces: [Trace] = []
    for name in ["agent-parallel-tools.otlp.jsonl", "agent-parallel-tools-after.otlp.jsonl", "rag-pipeline.otlp.json",
                 "openinference-incident-qa.otlp.json"] {
        traces += try Samples.load(name).traces
    }
    traces += SupportSession.traces
    let doc = TraceDocument(source: "workbench", format: "otlp", traces: traces)
    return ExplorerState(document: doc, size: Size(width: width, height: height))
}

@Suite struct WorkbenchTests {
    // MARK: Screens

    @Test func statsAtEverySize() throws {
        for size in ScreenGoldenTests.sizes {
            var s = try workbenchState(size.width, size.height)
            s.press("%")
            #expect(s.keyContext == .workbench)
            Golden.check(render(s, size: size), "workbench-stats-\(size.width)x\(size.height)")
        }
    }

    @Test func sessionsAndThreadAtEverySize() throws {
        for size in ScreenGoldenTests.sizes {
            var s = try workbenchState(size.width, size.height)
            s.press("@")
            Golden.check(render(s, size: size), "workbench-sessions-\(size.width)x\(size.height)")
            s.press("<enter>")
            Golden.check(render(s, size: size), "workbench-thread-\(size.width)x\(size.height)")
        }
    }

    @Test func callsAtEverySize() throws {
        for size in ScreenGoldenTests.sizes {
            var s = try workbenchState(size.width, size.height)
            s.press("L")
            Golden.check(render(s, size: size), "workbench-calls-\(size.width)x\(size.height)")
        }
    }

    @Test func groupSpansScreen() throws {
        var s = try workbenchState()
        s.press("%bb")
        Golden.check(render(s, size: s.size), "workbench-stats-tool-120x40")
        s.press("<enter>")
        Golden.check(render(s, size: s.size), "workbench-members-tool-120x40")
    }

    // MARK: Stats

    @Test func statsCycleTheGroupingAndListAGroupsSpansSlowestFirst() throws {
        var s = try workbenchState()
        s.press("%")
        guard case .stats(let byName)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(byName.table.grouping == .name)
        #expect(byName.table.traces == s.document.traces.count)
        var seen: [StatsGrouping] = []
        for _ in 0..<5 {
            s.press("b")
            if case .stats(let l)? = s.workbench?.current { seen.append(l.table.grouping) }
        }
        #expect(seen == [.model, .tool, .service, .session, .name])
        #expect(s.message == "stats by name")

        // By model: gpt-4.1-mini is only in the support session: 2 calls, $0.0003 + $0.0005.
        s.press("b")
        guard case .stats(let byModel)? = s.workbench?.current else { Issue.record("no stats"); return }
        let mini = try #require(byModel.table.groups.firstIndex { $0.key == "gpt-4.1-mini" })
        #expect(byModel.table.groups[mini].count == 2)
        #expect(abs(byModel.table.groups[mini].costUSD - 0.0008) < 1e-12)
        for _ in 0..<mini { s.press("j") }
        s.press("<enter>")
        guard case .members(let m)? = s.workbench?.current else { Issue.record("no members"); return }
        #expect(m.key == "gpt-4.1-mini" && m.members.count == 2)
        // 1.7 s (turn 2) before 1.3 s (turn 1).
        #expect(m.members.map(\.durationNanos) == [1_700_000_000, 1_300_000_000])
        #expect(s.workbench?.levels.count == 2)

        // Enter opens the slowest call in its trace, selected; Esc comes back one level at a time.
        s.press("<enter>")
        let opened = try #require(s.session)
        #expect(opened.trace.id.description == "5e5510a2000000000000000000000002")
        #expect(opened.trace.spans[opened.selected].spanID.description == "c000000000000003")
        s.press("<esc>")
        if case .members? = s.workbench?.current {} else { Issue.record("Esc did not return to the group's spans") }
        s.press("<bs>")
        if case .stats(let l)? = s.workbench?.current { #expect(l.table.grouping == .model && l.selected == mini) }
        else { Issue.record("Backspace did not return to the stats") }
        s.press("<esc>")
        #expect(s.keyContext == .traceList && s.workbench == nil)
    }

    @Test func statsFollowTheListFilter() throws {
        var s = try workbenchState()
        s.press("/error<enter>")
        let shown = s.list.order.count
        #expect(shown > 0 && shown < s.document.traces.count)
        s.press("%")
        guard case .stats(let l)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(l.table.traces == shown)
        #expect(s.workbench?.scope == "\(shown) of \(s.document.traces.count) traces matching error")
    }

    @Test func statsFromATraceCoverThatTraceAndEscReturnsToIt() throws {
        var s = try workbenchState()
        s.press("<enter>jj")
        let before = try #require(s.session)
        s.press("%")
        guard case .stats(let l)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(l.table.traces == 1)
        // By name, the counts add up to the trace's spans.
        #expect(l.table.groups.reduce(0) { $0 + $1.count } == before.trace.count)
        #expect(s.workbench?.scope == "trace " + String(before.trace.id.description.prefix(8)))
        s.press("<esc>")
        let after = try #require(s.session)
        #expect(after.trace.id == before.trace.id && after.selected == before.selected)
    }

    // MARK: Sessions

    @Test func sessionsListThreadAndOpenATurn() throws {
        var s = try workbenchState()
        s.press("@")
        guard case .sessions(let l)? = s.workbench?.current else { Issue.record("no sessions"); return }
        // Earliest first: the support session ran in 2024, the samples' conversation later.
        #expect(l.sessions.map(\.id) == ["support-42", "conv-7f3a91", "sess-5521"])
        let support = l.sessions[0]
        #expect(support.traces.count == 2 && support.failedTraces == 1)
        #expect(support.totalTokens == 800 + 40 + 1200 + 90)
        // Busy time: 1.5 s + 3 s; the range runs from the first start to the last end (63 s).
        #expect(support.busyNanos == 4_500_000_000 && support.durationNanos == 63_000_000_000)
        s.press("<enter>")
        guard case .thread(let t)? = s.workbench?.current else { Issue.record("no thread"); return }
        #expect(t.turns.map(\.userMessage) == ["Where is my order 1234?", "Can you check again?"])
        #expect(t.turns.map(\.finalAnswer) == ["It ships tomorrow.", "Sorry, try again later."])
        #expect(t.turns[1].tools == ["lookup_order"] && t.turns[1].errors == 1)
        s.press("j<enter>")
        #expect(s.session?.trace.id.description == "5e5510a2000000000000000000000002")
        s.press("<esc>")
        if case .thread(let back)? = s.workbench?.current { #expect(back.selected == 1) }
        else { Issue.record("Esc did not return to the thread") }
        s.press("<esc><esc>")
        #expect(s.keyContext == .traceList)
    }

    @Test func thread40x12ScrollsWholeTurnsIntoView() throws {
        var s = try workbenchState(40, 12)
        s.press("@<enter>j")
        guard case .thread(let t)? = s.workbench?.current else { Issue.record("no thread"); return }
        // Turn 1 takes 5 lines + a blank, turn 2 7 lines: 9 body rows cannot hold both.
        #expect(t.selected == 1 && t.top == 1)
        Golden.check(render(s, size: s.size), "workbench-thread-turn2-40x12")
    }

    // MARK: LLM calls

    @Test func callsSortByEveryColumnAndOpenTheCall() throws {
        var s = try workbenchState()
        s.press("L")
        guard case .calls(let first)? = s.workbench?.current else { Issue.record("no calls"); return }
        // Every LLM span of every trace, counted another way.
        let llmSpans = s.document.traces.reduce(0) { n, t in n + (0..<t.count).filter { t.isLLM($0) }.count }
        #expect(first.rows.count == llmSpans)
        #expect(first.sort == .cost && first.descending)
        let costs = first.rows.compactMap(\.costUSD)
        #expect(costs == costs.sorted(by: >))
        s.press("s")
        guard case .calls(let byLatency)? = s.workbench?.current else { Issue.record("no calls"); return }
        #expect(byLatency.sort == .latency && byLatency.descending && byLatency.selected == 0)
        #expect(byLatency.rows.map(\.latencyNanos) == byLatency.rows.map(\.latencyNanos).sorted(by: >))
        s.press("r")
        guard case .calls(let up)? = s.workbench?.current else { Issue.record("no calls"); return }
        #expect(!up.descending && up.rows.map(\.latencyNanos) == up.rows.map(\.latencyNanos).sorted())
        s.press("ssss")
        guard case .calls(let cached)? = s.workbench?.current else { Issue.record("no calls"); return }
        #expect(cached.sort == .cachedTokens)
        // The only call with cached tokens comes first; calls without a count go last.
        #expect(cached.rows.first?.cachedTokens == 600)
        Golden.check(render(s, size: s.size), "workbench-calls-cached-120x40")
        var sorts: [LLMCallColumn] = []
        for _ in 0..<CallsLevel.columns.count {
            s.press("s")
            if case .calls(let l)? = s.workbench?.current { sorts.append(l.sort) }
        }
        #expect(Set(sorts) == Set(CallsLevel.columns) && sorts.last == .cachedTokens)

        s.press("gj<enter>")
        // Enter opened the call: the second row's span, selected, its details shown.
        let opened = try #require(s.session)
        #expect(s.documentView?.kind == .span(opened.selected))
        #expect(opened.trace.llmCall(at: opened.selected) != nil)
        s.press("<esc>")
        #expect(s.documentView == nil && s.session != nil)
        s.press("<esc>")
        #expect(s.keyContext == .workbench)
    }

    @Test func callsFromATraceAreThatTracesOnly() throws {
        var s = try workbenchState()
        // The support session's second turn, wherever the list puts it.
        let p = try #require(s.list.order.firstIndex(of: s.document.traces.count - 1))
        for _ in 0..<p { s.press("j") }
        s.press("<enter>L")
        guard case .calls(let l)? = s.workbench?.current else { Issue.record("no calls"); return }
        #expect(l.oneTrace && l.rows.count == 1)
        #expect(l.rows.first?.cachedTokens == nil && l.rows.first?.finishReason == "length")
        #expect(s.workbench?.scope == "trace 5e5510a2")
        Golden.check(render(s, size: s.size), "workbench-calls-one-trace-120x40")
        s.press("<esc>")
        #expect(s.keyContext == .trace && s.session?.trace.id.description == "5e5510a2000000000000000000000002")
    }

    @Test func emptyViewsSaySo() throws {
        var s = ExplorerState(document: TraceDocument(source: "a.json", format: "t", traces: [Fixtures.agent(), Fixtures.chain(3)]),
                              size: Size(width: 80, height: 24))
        s.press("@")
        if case .sessions(let l)? = s.workbench?.current { #expect(l.sessions.isEmpty && l.withoutSession == 2) }
        else { Issue.record("no sessions view") }
        Golden.check(render(s, size: s.size), "workbench-sessions-none-80x24")
        // One trace opens directly: L covers it, Esc goes back to it.
        var one = ExplorerState(document: TraceDocument(source: "a.json", format: "t", traces: [Fixtures.chain(3)]),
                                size: Size(width: 80, height: 24))
        one.press("L")
        #expect(one.workbench?.current.count == 0 && one.keyContext == .workbench)
        #expect(render(one, size: one.size).text.contains(" no LLM calls here"))
        one.press("<esc>")
        #expect(one.keyContext == .trace)
        one.press("%<enter><enter>")
        #expect(one.keyContext == .trace)
        one.press("<esc><esc><esc>")
        #expect(one.keyContext == .trace && !one.hasTraceList)
    }

    @Test func clickSelectsARowAndDoubleClickOpensIt() throws {
        var s = try workbenchState()
        s.press("%")
        // Body rows start at screen row 2: row 4 is the third group.
        s = update(s, .mouse(MouseEvent(.click, row: 4, column: 10))).0
        guard case .stats(let l)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(l.selected == 2)
        let key = l.table.groups[2].key
        s = update(s, .mouse(MouseEvent(.doubleClick, row: 4, column: 10))).0
        if case .members(let m)? = s.workbench?.current { #expect(m.key == key) }
        else { Issue.record("double click did not list the group's spans") }
        // Clicks on the headings do nothing.
        let before = s.workbench?.current.selected
        s = update(s, .mouse(MouseEvent(.click, row: 1, column: 10))).0
        #expect(s.workbench?.current.selected == before)
    }

    @Test func workbenchKeysAreInTheTable() {
        #expect(KeyTable.action(for: .character("%"), in: .traceList) == .openStats)
        #expect(KeyTable.action(for: .character("%"), in: .trace) == .openStats)
        #expect(KeyTable.action(for: .character("@"), in: .traceList) == .openSessions)
        #expect(KeyTable.action(for: .character("L"), in: .trace) == .openCalls)
        #expect(KeyTable.action(for: .backspace, in: .workbench) == .back)
        #expect(KeyTable.action(for: .character("b"), in: .workbench) == .cycleGrouping)
    }
}
