import Foundation
import Testing
import TraceFormats
import TraceModel
@testable import Explorer
import TerminalText

/// Issue 15 (remaining items): the side panel scrolls, search reaches into details, long
/// attribute keys stay whole, reasoning tokens and retrieved documents show in details, services
/// have colours and a legend, and the page and back keys work where they were untested.
@Suite struct DetailsPolishTests {
    /// Three models (one of them reasoning), three services: the panel overflows at 80×24.
    static func threeModels() -> Trace {
        typealias S = Fixtures.SpanSpec
        let o1 = LLMCall(operation: "chat", provider: "openai", requestModel: "o1-2024-12-17",
                         responseModel: "o1-2024-12-17", promptTokens: 1_200, completionTokens: 364,
                         conventions: .genAI, cacheReadTokens: 1_024, reasoningTokens: 64)
        return Fixtures.trace("5bf92f3577b34da6a3ce929d0e0e4736", [
            S(id: "b000000000000001", parent: nil, name: "support_agent", service: "gateway", start: 0, end: 5_000),
            S(id: "b000000000000002", parent: "b000000000000001", name: "classify", start: 10, end: 400,
              call: Fixtures.chat("gpt-4o-mini-2024-07-18", prompt: 300, completion: 20)),
            S(id: "b000000000000003", parent: "b000000000000001", name: "lookup", service: "kb-search",
              start: 410, end: 900),
            S(id: "b000000000000004", parent: "b000000000000001", name: "plan", start: 910, end: 3_000, call: o1),
            S(id: "b000000000000005", parent: "b000000000000001", name: "answer", start: 3_010, end: 4_990,
              call: Fixtures.chat("claude-3-5-sonnet-20241022", prompt: 2_000, completion: 400, provider: "anthropic")),
        ])
    }

    func open(_ trace: Trace, _ w: Int, _ h: Int) -> ExplorerState {
        let doc = TraceDocument(source: "three-models.json", format: "test", traces: [trace])
        return ExplorerState(document: doc, size: Size(width: w, height: h))
    }

    func lines(_ s: ExplorerState) -> [Substring] {
        render(s, size: s.size).text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    // MARK: Item 1: the side panel scrolls

    @Test func totalsTabScrollsInsteadOfMovingTheHiddenSelectionAt40x12() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 40, 12)
        s.press("<tab><tab>")
        #expect(s.session?.pane == .panel)
        #expect(render(s, size: s.size).text.contains("↓"))
        #expect(!render(s, size: s.size).text.contains("By model"))
        let before = s.selectedName
        s.press("jjjjjjjjjjjj")
        #expect(s.selectedName == before)
        #expect(render(s, size: s.size).text.contains("By model"))
        Golden.check(render(s, size: s.size), "panel-scrolled-40x12")
        s.press("g")
        #expect(s.session?.panelTop == 0)
        // Back on the tree, j moves the selection again.
        s.press("<tab>j")
        #expect(s.selectedName != before)
    }

    @Test func tabFocusesThePanelAt80x24AndTheThirdModelComesIntoView() {
        var s = open(Self.threeModels(), 80, 24)
        s.press("p")
        let text = render(s, size: s.size).text
        #expect(text.contains("↓") && text.contains("more · Tab"))
        #expect(!text.contains("claude-3-5"))
        s.press("<tab>")
        #expect(s.session?.pane == .panel)
        s.press("G")
        Golden.check(render(s, size: s.size), "panel-three-models-80x24")
        #expect(s.selectedName == "support_agent")
        // Hiding the panel gives the keys back to the tree.
        s.press("pj")
        #expect(s.selectedName == "classify")
    }

    @Test func panelFitsAt120x40WithTheServiceLegend() {
        let s = open(Self.threeModels(), 120, 40)
        let text = render(s, size: s.size).text
        #expect(!text.contains("↓"))
        Golden.check(render(s, size: s.size), "panel-three-models-120x40")
    }

    // MARK: Item 2: search in details

    @Test func searchIsHighlightedAndScrolledToInTheCallView() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 80, 24)
        s.press("/TP 537<enter>")
        #expect(s.session?.search?.matches.isEmpty == false)
        // The tree marks matching spans; the second LLM call's output mentions the flight.
        s.press("G<enter>")
        let doc = try #require(s.documentView)
        #expect(doc.matchLines.count >= 2)
        #expect(doc.top > 0)
        let screen = render(s, size: s.size)
        Golden.check(screen, "detail-search-80x24")
        #expect(highlighted(screen).contains("TP 537"))
        // n goes on to the next line with a match, N back.
        let first = doc.top
        s.press("n")
        #expect(try #require(s.documentView).top > first)
        #expect(s.message?.hasPrefix("match line 2 of") == true)
        s.press("N")
        #expect(try #require(s.documentView).top == first)
    }

    @Test func detailsWithoutASearchSayWhereSearchIs() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 80, 24)
        s.press("d")
        #expect(highlighted(render(s, size: s.size)).isEmpty)
        s.press("n")
        #expect(s.message == "no search: / in the trace view searches")
    }

    /// The text under the match paper, run by run.
    func highlighted(_ screen: Screen) -> String {
        var out = ""
        for y in 0..<screen.height {
            for x in 0..<screen.width where screen[y, x].style.paper == .match { out += screen[y, x].text }
        }
        return out
    }

    // MARK: Item 3: long attribute keys stay distinct

    @Test func longAttributeKeysAreShownWholeOnTheirOwnLines() {
        typealias S = Fixtures.SpanSpec
        let keys = (2...4).map { "llm.input_messages.\($0).message.tool_calls.0.tool_call.function.arguments" }
        let t = Fixtures.trace("6bf92f3577b34da6a3ce929d0e0e4736", [
            S(id: "c000000000000001", parent: nil, name: "agent", start: 0, end: 10,
              attributes: keys.map { Attribute($0, "{}") }),
        ])
        for (w, h) in [(80, 24), (40, 12), (120, 40)] {
            var s = open(t, w, h)
            s.press("dG")
            let text = render(s, size: s.size).text.replacingOccurrences(of: "\n", with: "")
            for k in keys {
                // Wrapped at the screen edge, the key still reads whole once the lines are joined.
                #expect(text.replacingOccurrences(of: " ", with: "").contains(k), "\(k) at \(w)×\(h)")
            }
            if w == 80 { Golden.check(render(s, size: s.size), "detail-long-keys-80x24") }
        }
    }

    // MARK: Item 4: reasoning and cached tokens on the tokens line

    @Test func reasoningAndCachedTokensAreOnTheTokensLine() throws {
        var s = open(Self.threeModels(), 120, 40)
        s.press("jjj")
        #expect(s.selectedName == "plan")
        s.press("d")
        #expect(render(s, size: s.size).text.contains(
            "1,200 prompt (1,024 cache read) + 364 completion (64 reasoning) = 1,564 total"))
    }

    // MARK: Item 5: retrieved documents

    @Test func retrievedDocumentsAreListedWithIdScoreAndContent() throws {
        var s = try state("openinference-incident-qa.otlp.json", 120, 40)
        s.press("E")
        while s.selectedName != "VectorStoreRetriever" {
            let before = s.selectedName
            s.press("j")
            try #require(s.selectedName != before)
        }
        s.press("d")
        let screen = render(s, size: s.size)
        #expect(screen.text.contains("Retrieved documents (3)"))
        #expect(screen.text.contains("INC-4411: database failover took 14 minutes"))
        Golden.check(screen, "detail-retrieved-120x40")
    }

    // MARK: Item 6: service colours and legend

    @Test func servicesGetStableDistinctColours() {
        let t = Self.threeModels()
        let shades = ServiceColours.shades(of: t)
        #expect(shades.map(\.name) == ["agent", "gateway", "kb-search"])
        #expect(Set(shades.map(\.ink)).count == 3)
        // The same name gets the same slot in another trace.
        let other = Fixtures.trace("7bf92f3577b34da6a3ce929d0e0e4736", [
            Fixtures.SpanSpec(id: "d000000000000001", parent: nil, name: "x", service: "kb-search", start: 0, end: 1),
        ])
        let alone = ServiceColours.shades(of: other)
        #expect(alone.first?.ink == Ink.services[Int(ServiceColours.hash("kb-search") % 6)])
        // FNV-1a of "a" (from the FNV reference test vectors).
        #expect(ServiceColours.hash("a") == 0xaf63dc4c8601ec8c)
    }

    @Test func oneServiceKeepsThePlainLookAndNoLegend() throws {
        var s = try state("openllmetry-triage-batch.otlp.jsonl", 120, 40)
        s.press("<enter>")
        #expect(s.session?.insight.services.count == 1)
        let screen = render(s, size: s.size)
        #expect(!screen.text.contains(" Services"))
        #expect(!screen.rendering.contains("ink=service"))
    }

    @Test func multiServiceTraceColoursNamesAndBars() {
        let s = open(Self.threeModels(), 120, 40)
        let screen = render(s, size: s.size)
        let legend = screen.rendering.split(separator: "\n").filter { $0.contains("ink=service") }
        #expect(legend.count >= 3)
        #expect(screen.text.contains("■ agent") && screen.text.contains("■ kb-search"))
    }

    // MARK: Item 7: keys without a test before

    @Test func pageKeysInTheTreeAndInDetails() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 80, 10)
        s.press("E")
        let rows = s.rowNames
        s.press("<f>")
        let h = s.traceRows(try #require(s.session))
        #expect(s.selectedName == rows[h])
        s.press("<b>")
        #expect(s.selectedName == rows[0])
        s.press("<d>")
        #expect(s.selectedName == rows[h / 2])
        s.press("<pgup>")
        #expect(s.selectedName == rows[0])
        s.press("<pgdn><u>")
        #expect(s.selectedName == rows[h - h / 2])

        s.press("gd")
        let page = s.documentHeight - 1
        s.press("<f>")
        let doc = try #require(s.documentView)
        #expect(doc.lineCount > 2 * s.documentHeight)
        #expect(doc.top == min(page, doc.maxTop(height: s.documentHeight)))
        s.press("<b>")
        #expect(s.documentView?.top == 0)
        s.press("<d>")
        #expect(s.documentView?.top == min(s.documentHeight / 2, doc.maxTop(height: s.documentHeight)))
        s.press("<pgup>")
        #expect(s.documentView?.top == 0)
    }

    @Test func backspaceLeftAndHLeaveDetails() throws {
        for key in ["<bs>", "<left>", "h", "<esc>"] {
            var s = try state("agent-parallel-tools.otlp.jsonl", 80, 24)
            s.press("d")
            #expect(s.documentView != nil)
            s.press(key)
            #expect(s.documentView == nil, "\(key)")
            #expect(s.session != nil)
        }
    }

    @Test func xInDetailsExportsTheSpanShown() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 80, 24)
        s.press("jd")
        let commands = s.press("x")
        guard case .write(let name, let contents)? = commands.first else {
            Issue.record("x in details wrote nothing")
            return
        }
        #expect(name.contains("span"))
        #expect(contents.contains("\"name\": \"chat claude-3-5-sonnet\"") || contents.contains("chat claude-3-5-sonnet"))
        // Help has nothing to export.
        s.press("<esc>?x")
        #expect(s.message == "nothing to export here")
    }
}
