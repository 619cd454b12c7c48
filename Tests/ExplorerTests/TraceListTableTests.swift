import Testing
import TraceAnalysis
import TraceModel
@testable import Explorer

/// Issue 13 item 3 and issue 15 item 2: the trace list as a table to work in — a totals row,
/// model and session columns, numeric columns sorted largest first, values never cut, and the
/// file of each trace in the status bar.
@Suite struct TraceListTableTests {
    static let monday = "/runs/monday.jsonl"
    static let tuesday = "/runs/tuesday.jsonl"
    static let longSession = "sess-7f3a9c2e-41b8-4d0f-9e11-2a6c5b8d0f43"

    typealias Spec = Fixtures.SpanSpec

    static func session(_ id: String) -> [Attribute] { [Attribute("session.id", .string(id))] }

    /// Five runs over two files (times in ms from the fixtures' epoch, costs recorded in the trace):
    ///
    /// | trace | root           | session     | ms    | spans | errors | calls | tokens | cost          |
    /// | 1     | support_chat   | long        | 1200  | 3     | 0      | 1     | 1,200  | $0.000041     |
    /// | 2     | support_chat   | long        | 300   | 2     | 0      | 1     | 600    | $0.0123       |
    /// | 3     | research_agent | sess-0b12   | 9000  | 5     | 1      | 3     | 5,920  | $1.75 + 1 unpriced |
    /// | 4     | nightly_batch… | –           | 2500  | 1     | 0      | 0     | 0      | –             |
    /// | 5     | support_chat   | long        | 800   | 2     | 1      | 1     | 450    | $0.00009      |
    static func runs() -> TraceDocument {
        let t1 = Fixtures.trace("00000000000000000000000000000001", [
            Spec(id: "1000000000000001", parent: nil, name: "support_chat", start: 0, end: 1200,
                 attributes: session(longSession)),
            Spec(id: "1000000000000002", parent: "1000000000000001", name: "chat gpt-4o-mini", start: 10, end: 900,
                 call: Fixtures.chat("gpt-4o-mini", prompt: 1000, completion: 200, cost: 0.000041)),
            Spec(id: "1000000000000003", parent: "1000000000000001", name: "lookup_order", service: "tools",
                 start: 900, end: 1190),
        ])
        let t2 = Fixtures.trace("00000000000000000000000000000002", [
            Spec(id: "2000000000000001", parent: nil, name: "support_chat", start: 5000, end: 5300,
                 attributes: session(longSession)),
            Spec(id: "2000000000000002", parent: "2000000000000001", name: "chat gpt-4o", start: 5010, end: 5290,
                 call: Fixtures.chat("gpt-4o", prompt: 500, completion: 100, cost: 0.0123)),
        ])
        let t3 = Fixtures.trace("00000000000000000000000000000003", [
            Spec(id: "3000000000000001", parent: nil, name: "research_agent", start: 10000, end: 19000,
                 attributes: session("sess-0b12")),
            Spec(id: "3000000000000002", parent: "3000000000000001", name: "plan", start: 10010, end: 12000,
                 call: Fixtures.chat("gpt-4o", prompt: 2000, completion: 300, cost: 1.5)),
            Spec(id: "3000000000000003", parent: "3000000000000001", name: "search_docs", service: "tools",
                 start: 12000, end: 13000, status: SpanStatus(.error, message: "index unavailable")),
            Spec(id: "3000000000000004", parent: "3000000000000001", name: "answer", start: 13000, end: 18000,
                 call: Fixtures.chat("claude-3-5-sonnet-20241022", prompt: 3000, completion: 500,
                                     provider: "anthropic", cost: 0.25)),
            Spec(id: "3000000000000005", parent: "3000000000000001", name: "summarise", start: 18000, end: 18990,
                 call: Fixtures.chat("acme-local-llm", prompt: 100, completion: 20, provider: "acme")),
        ])
        let t4 = Fixtures.trace("00000000000000000000000000000004", [
            Spec(id: "4000000000000001", parent: nil, name: "nightly_batch_reindex_every_customer_knowledge_base",
                 service: "batch", start: 30000, end: 32500),
        ])
        let t5 = Fixtures.trace("00000000000000000000000000000005", [
            Spec(id: "5000000000000001", parent: nil, name: "support_chat", start: 40000, end: 40800,
                 status: SpanStatus(.error, message: "customer hung up"), attributes: session(longSession)),
            Spec(id: "5000000000000002", parent: "5000000000000001", name: "chat gpt-4o-mini", start: 40010, end: 40700,
                 call: Fixtures.chat("gpt-4o-mini", prompt: 400, completion: 50, cost: 0.00009)),
        ])
        let traces = [t1, t2, t3, t4, t5]
        var sources: [TraceID: [String]] = [:]
        for t in traces { sources[t.id] = [monday] }
        sources[t3.id] = [tuesday]
        sources[t5.id] = [monday, tuesday]
        return TraceDocument(source: "2 files", format: "test", traces: traces, traceSources: sources)
    }

    static func runsState(_ width: Int, _ height: Int) -> ExplorerState {
        ExplorerState(document: runs(), size: Size(width: width, height: height))
    }

    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40), Size(width: 40, height: 12)]

    func lines(_ s: ExplorerState) -> [String] {
        render(s, size: s.size).text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: Screens

    @Test("the table at 80×24, 120×40 and 40×12, unfiltered and filtered by `error`")
    func screens() {
        for size in Self.sizes {
            var s = Self.runsState(size.width, size.height)
            Golden.check(render(s, size: size), "list-table-\(size.width)x\(size.height)")
            s.press("/error<enter>")
            Golden.check(render(s, size: size), "list-table-error-\(size.width)x\(size.height)")
        }
        var sorted = Self.runsState(120, 40)
        sorted.press("ssssss")   // duration, spans, errors, calls, tokens, cost
        #expect(sorted.list.sort == .cost && sorted.list.descending)
        Golden.check(render(sorted, size: sorted.size), "list-table-cost-120x40")
    }

    // MARK: Totals

    @Test("the totals row adds up what is shown, with p50/p95 by linear interpolation")
    func totals() {
        var s = Self.runsState(180, 40)   // wide enough for every column
        let t = s.list.totals
        #expect(t.traces == 5)
        #expect(t.spans == 3 + 2 + 5 + 1 + 2)
        #expect(t.errors == 2)
        #expect(t.llmCalls == 6)
        #expect(t.tokens == 1_200 + 600 + 5_920 + 0 + 450)
        #expect(abs(t.costUSD - (0.000041 + 0.0123 + 1.75 + 0.00009)) < 1e-12)
        #expect(t.unpriced == 1)
        // Durations 300, 800, 1200, 2500, 9000 ms. numpy linear: index (n−1)·p.
        // p50: index 2 → 1200 ms. p95: index 3.8 → 2500 + 0.8 × (9000 − 2500) = 7700 ms.
        #expect(t.p50Nanos == 1_200_000_000)
        #expect(abs(t.p95Nanos! - 7_700_000_000) < 1e-3)
        let row = lines(s)[2]
        #expect(row.hasPrefix(" 5 traces  p50 1.20s  p95 7.70s"))
        // spans, errors, calls, tokens (8,170), cost ($1.762431 and one unpriced call), in their columns.
        #expect(row.split(separator: " ").suffix(5) == ["13", "2", "6", "8.2k", "$1.76+?"])

        // Filtered to the two runs with errors: 800 and 9000 ms.
        // p50: index 0.5 → 4900 ms; p95: index 0.95 → 800 + 0.95 × 8200 = 8590 ms.
        s.press("/error<enter>")
        let f = s.list.totals
        #expect(f.traces == 2 && f.spans == 7 && f.errors == 2 && f.llmCalls == 4 && f.tokens == 5_920 + 450)
        #expect(abs(f.p50Nanos! - 4_900_000_000) < 1e-3)
        #expect(abs(f.p95Nanos! - 8_590_000_000) < 1e-3)
        #expect(lines(s)[2].hasPrefix(" 2 traces  p50 4.90s  p95 8.59s"))
        s.press("<esc>")
        #expect(s.list.totals.traces == 5)
    }

    @Test("totals follow live data as it arrives")
    func liveTotals() {
        var s = ExplorerState(document: TraceDocument(source: "listen", format: "live", traces: []),
                              size: Size(width: 100, height: 16), live: LiveStatus(address: "http://127.0.0.1:4318"))
        var source = FakeLiveSource()
        source.receive("t1", [Spec(id: "r", name: "run", start: 0, end: 100)])
        s = update(s, source.update).0
        #expect(s.list.totals.traces == 1 && s.list.totals.p50Nanos == 100_000_000)
        source.receive("t2", [Spec(id: "r", name: "run", start: 200, end: 500),
                              Spec(id: "c", parent: "r", name: "chat", start: 210, end: 400,
                                   call: Fixtures.chat("gpt-4o", prompt: 100, completion: 10, cost: 0.5))])
        s = update(s, source.update).0
        // 100 and 300 ms: p50 200 ms; p95 100 + 0.95 × 200 = 290 ms.
        #expect(s.list.totals.traces == 2 && s.list.totals.spans == 3 && s.list.totals.llmCalls == 1)
        #expect(s.list.totals.p95Nanos == 290_000_000)
        #expect(lines(s)[2].hasPrefix(" 2 traces  p50 200ms  p95 290ms"))
        #expect(lines(s)[2].contains("$0.50"))
    }

    // MARK: Columns

    @Test("model and session columns: the costliest model and how many more; ids cut in the middle")
    func modelAndSessionColumns() {
        let s = Self.runsState(120, 40)
        let entry = s.list.entries[2]
        #expect(entry.models == ["gpt-4o", "claude-3-5-sonnet-20241022", "acme-local-llm"])
        #expect(entry.sessionID == "sess-0b12")
        let text = lines(s)
        #expect(text[1].contains("model") && text[1].contains("session"))
        let research = text.first { $0.contains("research_agent") }!
        #expect(research.contains("gpt-4o +2"))
        #expect(research.contains("sess-0b12"))
        let chat = text.first { $0.contains("support_chat") }!
        // The long session id keeps both ends.
        #expect(chat.contains("sess-7f3a…5b8d0f43"))
        // Without models or sessions the columns are not there.
        let plain = ExplorerState(document: TraceDocument(source: "x", format: "test", traces: [Fixtures.chain(3), Fixtures.chain(4)]),
                                  size: Size(width: 120, height: 20))
        let header = lines(plain)[1]
        #expect(!header.contains("model") && !header.contains("session"))
    }

    @Test("numbers are never cut: every shown number appears whole at 80×24, 120×40 and 40×12")
    func numbersWhole() throws {
        for size in Self.sizes {
            let s = Self.runsState(size.width, size.height)
            let table = TraceListTable(measure: s.list.measure, width: size.width)
            let text = lines(s)
            for (p, i) in s.list.order.enumerated() {
                let line = text[3 + p]
                for c in table.columns where !c.column.isText {
                    let cell = c.column.cell(s.list.entries[i], wideStart: table.wideStart).text
                    let start = line.index(line.startIndex, offsetBy: c.range.upperBound - cell.count)
                    #expect(line[start...].hasPrefix(cell), "\(size) \(c.column): \(line)")
                }
            }
            #expect(!text.joined().contains("$0.0000…"))
            // Each layout keeps duration and cost; the narrowest drops whole columns instead of cutting.
            let shown = Set(table.columns.map(\.column))
            #expect(shown.isSuperset(of: [.name, .duration, .cost]))
            if size.width == 40 { #expect(!shown.contains(.start) && !shown.contains(.session)) }
            if size.width == 120 { #expect(shown.isSuperset(of: [.model, .session, .start, .calls, .tokens, .errors])) }
        }
        // The smallest cost the format writes fits whole even when the terminal is wide.
        let tiny = Self.runsState(180, 20)
        #expect(lines(tiny).contains { $0.hasSuffix("$0.000041") })
    }

    // MARK: Sorting

    @Test("s sorts numbers largest first, r reverses, S goes back; every sort goes to the top row")
    func sortDirectionAndJumpToTop() {
        var s = Self.runsState(80, 24)
        #expect(s.list.sort == .start && !s.list.descending)
        s.press("jjj")
        #expect(s.list.selected == 3)
        s.press("s")
        #expect(s.list.sort == .duration && s.list.descending)
        #expect(s.list.selected == 0 && s.list.top == 0)
        #expect(s.list.order.map { s.list.entries[$0].durationNanos / 1_000_000 } == [9000, 2500, 1200, 800, 300])
        #expect(s.message == "sorted by duration, longest first (r reverses)")
        s.press("jj")
        s.press("r")
        #expect(s.list.sort == .duration && !s.list.descending && s.list.selected == 0)
        #expect(s.list.order.map { s.list.entries[$0].durationNanos / 1_000_000 } == [300, 800, 1200, 2500, 9000])
        s.press("S")
        #expect(s.list.sort == .start && s.list.descending)   // latest first
        #expect(s.list.order == [4, 3, 2, 1, 0])
        s.press("ssssssss")   // …, cost, name, then model
        #expect(s.list.sort == .model && !s.list.descending)
        s.press("s")
        #expect(s.list.sort == .session && !s.list.descending)
        // Sorted by session, a conversation's runs are together.
        let sessions: [String] = s.list.order.map { s.list.entries[$0].sessionID ?? "" }
        let long = Self.longSession
        #expect(sessions == ["", "sess-0b12", long, long, long])
        // The status bar says the sort column and direction.
        s.press("j")
        #expect(lines(s)[23].hasPrefix(" by session ↑"))
    }

    @Test("after a sort a long list scrolls back to its first row")
    func sortScrollsToTop() {
        var traces: [Trace] = []
        for i in 0..<60 {
            let start = Double(i * 100)
            let end: Double = start + 10 + Double(i)
            let id = String(repeating: "0", count: 30) + String(format: "%02d", i + 1)
            traces.append(Fixtures.trace(id, [Spec(id: "0000000000000001", parent: nil, name: "run \(i)", start: start, end: end)]))
        }
        var s = ExplorerState(document: TraceDocument(source: "many", format: "test", traces: traces),
                              size: Size(width: 80, height: 24))
        s.press("G")
        #expect(s.list.selected == 59 && s.list.top > 0)
        s.press("s")
        #expect(s.list.selected == 0 && s.list.top == 0)
        // Longest first: run 59 (69 ms) at the top of the screen, selected.
        #expect(lines(s)[3].contains("run 59"))
    }

    @Test("models and sessions are skipped by s when no trace has them")
    func sortSkipsAbsentColumns() throws {
        var s = try state("openllmetry-triage-batch.otlp.jsonl", 120, 40)
        s.press("sssssss")   // duration … cost, name
        #expect(s.list.sort == .name)
        s.press("s")
        #expect(s.list.sort == .model)   // its calls name models
        s.press("s")
        #expect(s.list.sort == .start)   // no session
    }

    @Test("a click on a heading sorts by it; a second click reverses")
    func headingClicks() {
        var s = Self.runsState(120, 40)
        let table = TraceListTable(measure: s.list.measure, width: 120)
        let cost = table.columns.first { $0.column == .cost }!
        s.press("jj")
        _ = s.apply(.mouse(MouseEvent(.click, row: 1, column: cost.range.lowerBound)))
        #expect(s.list.sort == .cost && s.list.descending && s.list.selected == 0)
        _ = s.apply(.mouse(MouseEvent(.click, row: 1, column: cost.range.upperBound - 1)))
        #expect(s.list.sort == .cost && !s.list.descending)
    }

    // MARK: Files

    @Test("several files: the status bar names the selected trace's file, in the list and in the trace")
    func sourceFileInStatusBar() throws {
        var s = Self.runsState(120, 40)
        #expect(s.list.severalFiles)
        #expect(lines(s)[39].hasPrefix(" by start ↑ · monday.jsonl"))
        #expect(lines(s)[39].contains("m mark  c compare"))   // the sort leaves the key hints their room
        s.press("jj")
        #expect(lines(s)[39].hasPrefix(" by start ↑ · tuesday.jsonl"))
        s.press("jj")
        #expect(lines(s)[39].hasPrefix(" by start ↑ · monday.jsonl + tuesday.jsonl"))
        s.press("kk<enter>")
        #expect(lines(s)[39].hasPrefix(" tuesday.jsonl · trace 00000000"))
        // One file: its name, as before.
        let one = try state("openllmetry-triage-batch.otlp.jsonl", 120, 40)
        #expect(!one.list.severalFiles)
        #expect(lines(one)[39].hasPrefix(" by start ↑ · openllmetry-triage-batch.otlp.jsonl"))
    }

    // MARK: Keys (issue 15, "also untested")

    @Test("in the list, t is unbound, w shows the warnings and q quits, as KeyTable says")
    func tWAndQInTheList() throws {
        #expect(KeyTable.action(for: .character("t"), in: .traceList) == nil)
        #expect(KeyTable.action(for: .character("w"), in: .traceList) == .warnings)
        #expect(KeyTable.action(for: .character("q"), in: .traceList) == .quit)

        var doc = Self.runs()
        doc.warnings = ["line 7: skipped a span without an id"]
        var s = ExplorerState(document: doc, size: Size(width: 80, height: 24))
        let before = render(s, size: s.size)
        #expect(s.press("t").isEmpty)
        #expect(render(s, size: s.size) == before)
        #expect(s.keyContext == .traceList && s.message == nil)

        s.press("w")
        #expect(s.documentView?.kind == .warnings)
        #expect(render(s, size: s.size).text.contains("line 7: skipped a span without an id"))
        s.press("<esc>")
        #expect(s.documentView == nil && s.keyContext == .traceList)

        // `t` in a trace comes back here, on the trace that was open.
        s.press("jj<enter>")
        #expect(s.session?.trace.rootName == "research_agent")
        s.press("t")
        #expect(s.session == nil && s.list.selected == 2)

        #expect(s.press("q") == [.quit])
        #expect(s.quitting)
    }
}
