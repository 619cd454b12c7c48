import TestSupport
import Testing
import TraceAnalysis
import TraceModel
@testable import Explorer
import TerminalText

/// Key sequences through the key table and `update`, checking what a user would notice.
@Suite struct KeySequenceTests {
    func agent(_ width: Int = 120, _ height: Int = 40) -> ExplorerState {
        ExplorerState(document: TraceDocument(source: "agent.json", format: "test", traces: [Fixtures.agent()]),
                      size: Size(width: width, height: height))
    }

    @Test func arrowsAndVimKeysMoveTheSelection() {
        var s = agent()
        #expect(s.selectedName == "research_agent")
        s.press("jj")
        #expect(s.selectedName == "tools")
        s.press("<down><up>k")
        #expect(s.selectedName == "plan")
        s.press("G")
        #expect(s.selectedName == "format_answer")
        s.press("g")
        #expect(s.selectedName == "research_agent")
        s.press("<end><home>")
        #expect(s.selectedName == "research_agent")
    }

    @Test func collapseExpandAndParent() {
        var s = agent()
        s.press("jj<left>")
        #expect(s.rowNames == ["research_agent", "plan", "tools", "summarize", "format_answer"])
        #expect(render(s, size: s.size).text.contains("▸"))
        s.press("<right>")
        #expect(s.rowNames.count == 7)
        s.press("<right>")
        #expect(s.selectedName == "search_web")
        s.press("h")
        #expect(s.selectedName == "tools")
        s.press("<space>")
        #expect(s.rowNames.count == 5)
        s.press("<space>")
        #expect(s.rowNames.count == 7)
    }

    @Test func expandAllCollapseAllAndDepth() {
        var s = agent()
        s.press("C")
        #expect(s.rowNames == ["research_agent"])
        s.press("E")
        #expect(s.rowNames.count == 7)
        s.press("1")
        #expect(s.rowNames == ["research_agent", "plan", "tools", "summarize", "format_answer"])
        s.press("2")
        #expect(s.rowNames.count == 7)
    }

    @Test func selectionInsideACollapsedSubtreeMovesToTheVisibleAncestor() {
        var s = agent()
        s.press("jjj")
        #expect(s.selectedName == "search_web")
        s.press("C")
        #expect(s.selectedName == "research_agent")
    }

    @Test func pagingKeepsTheSelectionOnScreen() {
        let doc = TraceDocument(source: "chain", format: "test", traces: [Fixtures.chain(500)])
        var s = ExplorerState(document: doc, size: Size(width: 80, height: 24))
        s.press("<pgdn><pgdn>")
        let sess = s.session!
        #expect(sess.selectedRow == 42)
        #expect(sess.selectedRow >= sess.top && sess.selectedRow < sess.top + 21)
        s.press("G")
        #expect(s.session!.selectedRow == 499)
        #expect(s.session!.top == 500 - 21)
        let screen = render(s, size: s.size)
        #expect(screen.text.contains("level499"))
        s.press("<ctrl-u>")
        #expect(s.session!.selectedRow == 489)
    }

    @Test func searchNextPreviousAndHighlight() {
        var s = agent()
        s.press("/search_<enter>")
        // research_agent matches too ("re-search_agent"), and the search starts where the selection is.
        #expect(s.selectedName == "research_agent")
        #expect(s.message == "3 matches for “search_”")
        s.press("n")
        #expect(s.selectedName == "search_web")
        #expect(s.message == "match 2 of 3")
        s.press("nn")
        #expect(s.selectedName == "research_agent")
        s.press("N")
        #expect(s.selectedName == "search_docs")
        let screen = render(s, size: s.size)
        var highlighted = 0
        // Row 5 shows search_web (not selected now), so its match highlight is visible.
        for c in 0..<screen.width where screen[5, c].style.paper == .match { highlighted += 1 }
        #expect(highlighted == "search_web".count)
    }

    @Test func searchFindsMessageTextAndAttributes() {
        var s = agent()
        s.press("/capital of france<enter>")
        #expect(s.selectedName == "plan")
        s.press("/TimeoutError<enter>")
        #expect(s.selectedName == "search_docs")
        s.press("/nothing like this<enter>")
        #expect(s.message == "no match for “nothing like this”")
    }

    @Test func promptEditingAndCancel() {
        var s = agent()
        s.press("/plx<bs>an")
        #expect(s.prompt == "plan")
        #expect(render(s, size: s.size).text.contains("/plan▏"))
        s.press("<esc>")
        #expect(s.prompt == nil)
        #expect(s.session?.search == nil)
        // While typing, keys are text: q does not quit.
        s.press("/q")
        #expect(!s.quitting)
        #expect(s.prompt == "q")
    }

    @Test func filterShowsMatchesWithAncestorsAndEscClears() {
        var s = agent()
        s.press("/search_docs<enter>f")
        #expect(s.rowNames == ["research_agent", "tools", "search_docs"])
        #expect(render(s, size: s.size).text.contains("filter “search_docs” 1"))
        s.press("<esc>")
        #expect(s.rowNames.count == 7)
        #expect(s.session?.search == nil)
        // f without a search asks for one, then filters.
        s.press("fsummarize<enter>")
        #expect(s.rowNames == ["research_agent", "summarize"])
    }

    @Test func llmDetailOpensScrollsAndCloses() {
        var s = agent(80, 24)
        s.press("j<enter>")
        guard let doc = s.documentView else {
            Issue.record("no detail view")
            return
        }
        #expect(doc.kind == .span(1))
        let text = render(s, size: s.size).text
        #expect(text.contains("LLM call · chat · gpt-4o"))
        #expect(text.contains("1,200 prompt + 150 completion = 1,350 total"))
        #expect(text.contains("computed at gpt-4o"))
        #expect(text.contains("temperature 0.2 · max_tokens 512"))
        s.press("<pgdn>")
        #expect(s.documentView!.top == min(21, s.documentView!.lineCount - 22))
        #expect(s.documentView!.top > 0)
        s.press("G")
        let bottom = render(s, size: s.size).text
        #expect(bottom.contains("gen_ai.request.model"))
        s.press("<esc>")
        #expect(s.documentView == nil)
        #expect(s.selectedName == "plan")
    }

    @Test func detailOfAFailedToolShowsTheException() {
        var s = agent(100, 40)
        s.press("jjjjd")
        let text = render(s, size: s.size).text
        #expect(text.contains("status        ERROR: index unavailable"))
        #expect(text.contains("exception: TimeoutError: index unavailable"))
    }

    @Test func enterOnAPlainSpanToggles() {
        var s = agent()
        s.press("jj<enter>")
        #expect(s.documentView == nil)
        #expect(s.rowNames.count == 5)
    }

    @Test func jumpsToErrorsSlowestAndCostliest() {
        var s = agent()
        s.press("e")
        #expect(s.selectedName == "search_docs")
        #expect(s.message == "error 1 of 1")
    }

    /// Self times by hand (ms): search_web 1620, plan 1240, summarize 1190, search_docs 530,
    /// format_answer 100, research_agent 4210 − 4170 = 40, tools 1640 − 1620 = 20.
    /// Costs: summarize (claude-3-5-sonnet, 2400/380 at $3/$15 per M) $0.0129, plan (gpt-4o,
    /// 1200/150 at $2.50/$10) $0.0045.
    @Test func sAndDollarWalkRankedSpansAndBack() {
        var s = agent()
        s.press("s")
        #expect(s.selectedName == "search_web")
        #expect(s.message == "self time 1 of 7: 1.62s of 1.62s")
        s.press("s")
        #expect(s.selectedName == "plan")
        #expect(s.message?.hasPrefix("self time 2 of 7") == true)
        s.press("ss")
        #expect(s.selectedName == "search_docs")
        s.press("S")
        #expect(s.selectedName == "summarize")
        s.press("$")
        #expect(s.selectedName == "summarize")
        #expect(s.message == "cost 1 of 2: $0.013 · 2,780 tokens")
        s.press("$")
        #expect(s.selectedName == "plan")
        #expect(s.message?.hasPrefix("cost 2 of 2") == true)
        s.press("$")
        #expect(s.selectedName == "summarize")            // past the last: back to the first
        s.press("#")
        #expect(s.selectedName == "plan")
        s.press("s")                                       // another walk starts from its top
        #expect(s.selectedName == "search_web")
    }

    @Test func criticalPathJumpFollowsTheWaitInTimeOrder() {
        var s = agent()
        let path = s.session!.insight.criticalPath.map { s.session!.trace.spans[$0.span].name }
        var visited: [String] = []
        for _ in 0..<path.count {
            s.press("c")
            visited.append(s.selectedName!)
        }
        // Consecutive stretches of one span count once.
        var expected: [String] = []
        for name in path where expected.last != name { expected.append(name) }
        #expect(Array(visited.prefix(expected.count - 1)) == Array(expected.dropFirst()))
        #expect(path.contains("search_web"))
        #expect(!path.contains("search_docs"))
    }

    @Test func zoomAndPanStayInsideTheTrace() {
        var s = agent()
        let full = s.session!.fullWindow
        s.press("jjj+")
        let w1 = s.session!.window
        #expect(w1.width == full.width / 2)
        s.press("+")
        #expect(s.session!.window.width == full.width / 4)
        #expect(render(s, size: s.size).text.contains("zoom ×4.0"))
        for _ in 0..<20 { s.press(">") }
        #expect(s.session!.window.end == full.end)
        for _ in 0..<20 { s.press("<") }
        #expect(s.session!.window.start == full.start)
        s.press("-")
        #expect(s.session!.window.width == full.width / 2)
        s.press("0")
        #expect(s.session!.window == full)
    }

    @Test func exportIsACommandAndReportsWhereItWent() {
        var s = agent()
        let commands = s.press("jx")
        guard case .write(let name, let json)? = commands.first else {
            Issue.record("no write command")
            return
        }
        #expect(name == "spanscope-span-a000000000000002.json")
        #expect(json.contains("\"span_id\": \"a000000000000002\""))
        #expect(json.contains("\"request_model\": \"gpt-4o\""))
        #expect(json.contains("\"cost_source\": \"computed\""))
        let (next, _) = update(s, .wrote(path: "/tmp/x/" + name, error: nil))
        #expect(render(next, size: next.size).text.contains("exported to /tmp/x/spanscope-span-a000000000000002.json"))
        let (failed, _) = update(s, .wrote(path: name, error: "read-only file system"))
        #expect(failed.message == "export failed: read-only file system")
    }

    @Test func helpComesFromTheKeyTable() {
        var s = agent(100, 200)
        s.press("?")
        let text = render(s, size: s.size).text
        for b in KeyTable.bindings { #expect(text.contains(b.help), "help lacks “\(b.help)”") }
        s.press("?")
        #expect(s.documentView == nil)
    }

    @Test func quitFromEveryView() {
        var s = agent()
        #expect(s.press("q") == [.quit])
        var d = agent()
        d.press("d")
        #expect(d.press("q") == [.quit])
    }

    @Test func traceListOpensAndEscGoesBack() throws {
        var s = try state("openllmetry-triage-batch.otlp.jsonl")
        #expect(s.session == nil)
        #expect(s.keyContext == .traceList)
        s.press("j<enter>")
        #expect(s.session?.trace.id == s.document.traces[1].id)
        s.press("<esc>")
        #expect(s.session == nil)
        #expect(s.list.selected == 1)
        s.press("ss")   // sort by duration, then spans: numbers largest first
        #expect(s.list.sort == .spans && s.list.descending)
        s.press("r")
        #expect(!s.list.descending)
        // `t` (back to this list) is bound only in a trace: here it changes nothing.
        let before = render(s, size: s.size)
        #expect(s.press("t").isEmpty)
        #expect(render(s, size: s.size) == before)
    }

    @Test func resizeRelaysOutAndKeepsTheSelectionVisible() {
        var s = agent()
        s.press("G")
        _ = s.apply(.resize(Size(width: 40, height: 12)))
        let small = render(s, size: s.size)
        #expect(small.text.contains("format_answer"))
        #expect(small.text.contains(" Tree ") && small.text.contains("Waterfall"))
        _ = s.apply(.resize(Size(width: 120, height: 40)))
        #expect(render(s, size: s.size).text.contains("By model"))
    }

    @Test func anySizeRendersWithoutTrouble() {
        var s = agent()
        s.press("jd")
        for (w, h) in [(0, 0), (1, 1), (10, 3), (15, 4), (16, 4), (39, 11), (40, 12), (59, 20), (61, 20), (99, 30), (250, 80)] {
            let size = Size(width: w, height: h)
            var t = s
            _ = t.apply(.resize(size))
            let screen = render(t, size: size)
            #expect(screen.width == w && screen.height == h)
            t.press("<esc>")
            _ = render(t, size: size)
            t.press("<tab>?")
            _ = render(t, size: size)
        }
        #expect(render(s, size: Size(width: 10, height: 3)).text.contains("too small"))
    }

    @Test func noColorStillShowsCriticalPathAndErrorsByGlyph() {
        let s = agent()
        let text = render(s, size: s.size).text
        #expect(text.contains(Glyphs.criticalGutter))
        #expect(text.contains(Glyphs.criticalBar))
        #expect(text.contains(Glyphs.errorMark))
    }

    @Test func hostileStringsNeverReachTheScreenRaw() {
        let s = ExplorerState(document: TraceDocument(source: "h", format: "test", traces: [Fixtures.hostile()]),
                              size: Size(width: 120, height: 30))
        var views = [render(s, size: s.size)]
        var d = s
        for _ in 0..<9 {
            d.press("jd")
            views.append(render(d, size: d.size))
            d.press("<esc>")
        }
        for screen in views {
            for cell in screen.cells {
                for u in cell.text.unicodeScalars {
                    let v = u.value
                    let bad = v < 0x20 || (v >= 0x7F && v < 0xA0) || (v >= 0x202A && v <= 0x202E)
                        || (v >= 0x2066 && v <= 0x2069) || v == 0x200B
                    #expect(!bad, "raw U+\(String(v, radix: 16)) on screen")
                }
            }
        }
        #expect(views[0].text.contains("^[[31mred"))
    }

    @Test func wideCharactersKeepColumnsAligned() {
        let s = ExplorerState(document: TraceDocument(source: "h", format: "test", traces: [Fixtures.hostile()]),
                              size: Size(width: 100, height: 16))
        let screen = render(s, size: s.size)
        // The tree/waterfall separator sits in the same column on every body row.
        let column = (0..<screen.width).first { screen[2, $0].text == "│" }!
        for row in 1..<15 { #expect(screen[row, column].text == "│", "row \(row)") }
    }

    @Test func flaggedSpansAreMarked() {
        let s = ExplorerState(document: TraceDocument(source: "h", format: "test", traces: [Fixtures.hostile()]),
                              size: Size(width: 140, height: 20))
        let text = render(s, size: s.size).text
        #expect(text.contains("! orphan child"))
        #expect(text.contains("[orphan]"))
        #expect(text.contains("[cycle cut]"))
        #expect(text.contains("[duplicate id]"))
        #expect(text.contains("[ends before start]"))
        #expect(text.contains("[outside parent]"))
    }

    @Test func veryDeepTreesShowTheirDepthInsteadOfEveryGuide() async {
        // Seconds of work in a debug build: off the cooperative pool (TestSupport's `offPool`).
        let (opened, text) = await offPool { () -> (Int, String) in
            let doc = TraceDocument(source: "chain", format: "test", traces: [Fixtures.chain(100_000)])
            var s = ExplorerState(document: doc, size: Size(width: 100, height: 20))
            let opened = s.rowNames.count
            s.press("EG")
            return (opened, render(s, size: s.size).text)
        }
        // Big traces open three levels deep; E expands everything.
        #expect(opened == 4)
        #expect(text.contains("‹99999›"))
        #expect(text.contains("level99999"))
    }

    @Test func streamedCallWithoutTokenCountsSaysSo() {
        let call = LLMCall(operation: "chat", provider: "openai", requestModel: "gpt-4o-mini", conventions: .genAI)
        let trace = Fixtures.trace("s1", [Fixtures.SpanSpec(id: "s1", parent: nil, name: "openai.chat", start: 0, end: 900,
                                                            call: call)])
        var s = ExplorerState(document: TraceDocument(source: "s.json", format: "test", traces: [trace]),
                              size: Size(width: 100, height: 24))
        let row = render(s, size: s.size).text.split(separator: "\n")[2]
        #expect(row.contains("openai.chat") && row.contains(" ?        $0 "))
        s.press("d")
        let text = render(s, size: s.size).text
        #expect(text.contains("tokens        not recorded in the trace"))
        #expect(text.contains("without token counts this"))
    }

    @Test func partialFilesSayTheyAreBestEffort() {
        let s = ExplorerState(document: TraceDocument(source: "cut.json", format: "test", traces: [Fixtures.agent()]),
                              size: Size(width: 120, height: 30), problem: "cut.json:40:1: truncated: unexpected end")
        #expect(render(s, size: s.size).text.hasPrefix("! partial file research_agent"))
        var w = s
        w.press("w")
        #expect(render(w, size: w.size).text.contains("cut.json:40:1: truncated: unexpected end"))
    }
}
