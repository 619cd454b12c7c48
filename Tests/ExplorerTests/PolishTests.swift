import Foundation
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Explorer
import TerminalText

extension ExplorerState {
    /// Sends a click (or double click) at a screen cell through `update`.
    @discardableResult
    mutating func click(row: Int, column: Int, double: Bool = false) -> Command? {
        let (next, c) = update(self, .mouse(MouseEvent(double ? .doubleClick : .click, row: row, column: column)))
        self = next
        return c
    }

    /// The screen row showing `text`, if any.
    func row(showing text: String) -> Int? {
        render(self, size: size).text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains(text) }
    }
}

/// Issue 15, item 10: clicks select what lies under them (the layout the screen was drawn with).
@Suite struct MouseTests {
    @Test func clickSelectsATreeRowAndDoubleClickOpensIt() throws {
        for (w, h) in [(80, 24), (120, 40)] {
            var s = try state("agent-parallel-tools.otlp.jsonl", w, h)
            let y = try #require(s.row(showing: "execute_tool get_weather"))
            s.click(row: y, column: 10)
            #expect(s.selectedName == "execute_tool get_weather")
            #expect(s.documentView == nil)
            let chat = try #require(s.row(showing: "5-sonnet "))
            s.click(row: chat, column: 10, double: true)
            #expect(s.selectedName == "chat claude-3-5-sonnet")
            #expect(s.documentView?.title.hasPrefix("LLM call") == true)
            // A click on the document does nothing; Esc goes back.
            s.click(row: 5, column: 5)
            #expect(s.documentView != nil)
        }
    }

    @Test func clickOnAWaterfallBarSelectsThatSpan() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 120, 40)
        let y = try #require(s.row(showing: "execute_tool search_hotels"))
        let waterfall = try #require(s.layout.waterfallBody)
        s.click(row: y, column: waterfall.columns.lowerBound + 2)
        #expect(s.selectedName == "execute_tool search_hotels")
        // Below the last row and on the headings: nothing changes.
        s.click(row: 38, column: waterfall.columns.lowerBound + 2)
        s.click(row: 1, column: waterfall.columns.lowerBound + 2)
        #expect(s.selectedName == "execute_tool search_hotels")
    }

    @Test func clickOnATabSwitchesPaneAt40x12() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 40, 12)
        #expect(s.session?.pane == .tree)
        s.click(row: 1, column: 9)     // " Waterfall " starts at column 7
        #expect(s.session?.pane == .waterfall)
        s.click(row: 1, column: 20)    // " Totals " starts at column 19
        #expect(s.session?.pane == .panel)
        #expect(render(s, size: s.size).text.contains("Trace"))
        s.click(row: 1, column: 2)
        #expect(s.session?.pane == .tree)
        // In the waterfall alone, a click on a bar's row selects its span.
        s.click(row: 1, column: 9)
        let y = try #require(s.row(showing: "run_tools"))
        s.click(row: y, column: 30)
        #expect(s.selectedName == "run_tools")
    }

    @Test func clickSelectsAndDoubleClickOpensATraceInTheList() throws {
        var s = try state("openllmetry-triage-batch.otlp.jsonl", 80, 24)
        #expect(s.session == nil)
        // Rows 0–2: title, headings, totals; traces from row 3.
        s.click(row: 5, column: 3)
        #expect(s.list.selected == 2)
        #expect(s.session == nil)
        s.click(row: 4, column: 3, double: true)
        #expect(s.session?.trace.id == s.document.traces[s.list.order[1]].id)
    }
}

/// Issue 15, item 11: exports of a subtree and of the whole trace, and `y`.
@Suite struct ExportAndCopyTests {
    @Test func subtreeAndWholeTraceExportAsOTLPThatReadsBack() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 120, 40)
        s.press("jj")   // run_tools
        guard case .write(let name, let contents)? = s.press("X").first else {
            Issue.record("X asked for no file")
            return
        }
        #expect(name.hasPrefix("spanscope-subtree-") && name.hasSuffix(".otlp.json"))
        let subtree = try TraceLoader.decode(Array(contents.utf8), source: name)
        #expect(subtree.traces.count == 1)
        #expect(subtree.traces[0].count == 11)   // run_tools, 3 tool calls and the 7 spans under them
        #expect(subtree.traces[0].rootName == "run_tools")

        guard case .write(let traceName, let all)? = s.press("<x>").first else {
            Issue.record("Ctrl-X asked for no file")
            return
        }
        #expect(traceName == "spanscope-trace-\(s.session!.trace.id.description).otlp.json")
        let whole = try TraceLoader.decode(Array(all.utf8), source: traceName)
        #expect(whole.traces[0].count == 14)
        #expect(whole.traces[0].llmCalls.count == 2)
    }

    @Test func yCopiesTheSpanIdTheTraceIdOrTheTopParagraph() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 80, 24)
        s.press("j")
        let span = s.session!.trace.spans[s.session!.selected].spanID.description
        #expect(s.press("y") == [.copy(text: span, what: "span id")])
        s.press("<enter>")
        let top = try #require(s.documentView?.topBlock)
        #expect(top.label.isEmpty)   // the heading
        #expect(s.press("y") == [.copy(text: top.text, what: "the top paragraph")])
        // Scrolled to a labelled field, `y` copies its value.
        for _ in 0..<40 where s.documentView?.topBlock?.label.trimmed.isEmpty ?? true { s.press("j") }
        let field = try #require(s.documentView?.topBlock)
        #expect(!field.label.trimmed.isEmpty)
        #expect(s.press("y") == [.copy(text: field.text, what: "“\(field.label.trimmed)”")])
        _ = update(s, .copied(what: "span id", error: nil))
        var answered = s
        _ = answered.apply(.copied(what: "span id", error: nil))
        #expect(render(answered, size: answered.size).text.contains("copied span id to the clipboard"))
        _ = answered.apply(.copied(what: "span id", error: "clipboard copies are off"))
        #expect(render(answered, size: answered.size).text.contains("not copied: clipboard copies are off"))

        var list = try state("openllmetry-triage-batch.otlp.jsonl", 80, 24)
        let id = list.document.traces[list.list.order[0]].id.description
        #expect(list.press("y") == [.copy(text: id, what: "trace id")])
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}

/// Issue 15, items 5 and 8: wording that says things once and plainly, and the `a` hint.
@Suite struct WordingTests {
    typealias S = Fixtures.SpanSpec

    func skewed(_ width: Int = 120, _ height: Int = 40) -> ExplorerState {
        let trace = Fixtures.trace("skew", [
            S(id: "root", parent: nil, name: "root", start: 0, end: 100),
            S(id: "skew", parent: "root", name: "skewed", service: "remote", start: -20, end: 30),
        ])
        return ExplorerState(document: TraceDocument(source: "skew.json", format: "test", traces: [trace]),
                             size: Size(width: width, height: height))
    }

    func statusBar(_ s: ExplorerState) -> String {
        String(render(s, size: s.size).text.split(separator: "\n", omittingEmptySubsequences: false).last ?? "")
    }

    @Test func spansOutsideTheirParentHintAtAInTheStatusBar() {
        for (w, h) in [(80, 24), (120, 40), (40, 12)] {
            var s = skewed(w, h)
            #expect(statusBar(s).contains(w >= 80 ? "a 1 span outside parent: adjust" : "a skew"), "\(w)x\(h): \(statusBar(s))")
            #expect(statusBar(s).contains("? help"))
            s.press("a")
            #expect(!statusBar(s).contains("outside parent"))
        }
        // A trace without such spans does not mention it.
        let clean = try? state("agent-parallel-tools.otlp.jsonl", 120, 40)
        #expect(clean.map { !statusBar($0).contains("outside parent") } == true)
    }

    @Test func clockSkewMessageDoesNotRepeatTheBadge() {
        var s = skewed()
        s.press("a")
        let bar = statusBar(s)
        #expect(bar.contains("clock skew adjusted · 1 span moved inside their parents"), "\(bar)")
        #expect(bar.components(separatedBy: "clock skew adjusted").count == 2)
    }

    @Test func criticalPathShareReadsAsASentence() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 120, 40)
        s.press("jd")   // the first chat call: a leaf, all its path time is its own
        let text = render(s, size: s.size).text
        #expect(text.contains("of the trace's critical path runs in this span"), "\(text)")
        #expect(!text.contains("of the path in this subtree"))
        s.press("<esc>gd")   // the root: under it all of the path, in itself a little
        let root = render(s, size: s.size).text
        #expect(root.contains("100% of the trace's critical path runs under this span,"))
    }

    @Test func thePriceSourceIsExplained() throws {
        var s = try state("rag-pipeline.otlp.json", 120, 40)
        s.press("$d")
        let text = render(s, size: s.size).text
        #expect(text.contains("price: built-in table (seed defaults"), "\(text)")
        #expect(!text.contains("(seed)"))
    }
}

/// Issue 15, item 1: at 80×24 and 40×12 the header keeps its numbers whole, names are cut in the
/// middle so models stay tell-apart, and counts are formatted one way.
@Suite struct CuttingTests {
    @Test func theHeaderNeverCutsANumber() throws {
        for (w, h) in [(80, 24), (120, 40), (40, 12)] {
            let s = try state("agent-parallel-tools.otlp.jsonl", w, h)
            let header = String(render(s, size: s.size).text.split(separator: "\n").first ?? "")
            #expect(header.contains("$0.016"), "\(w)x\(h): \(header)")
            #expect(header.contains("9.41s"))
            #expect(!header.contains("$…"))
        }
    }

    @Test func namesAreCutInTheMiddle() {
        #expect(MiddleCut.fit("claude-3-5-sonnet-20241022", width: 19) == "claude-3-…-20241022")
        #expect(MiddleCut.fit("gpt-4o-mini", width: 20) == "gpt-4o-mini")
        #expect(MiddleCut.fit("gpt-4o-mini-2024-07-18", width: 9) == "gpt-…7-18")
        #expect(MiddleCut.fit("abc", width: 1) == "…")
        // Wide characters count two cells; the result never passes the width.
        #expect(CellWidth.of(MiddleCut.fit("模型名称很长很长的名字", width: 9)) <= 9)
        // Control characters arrive escaped, never raw.
        #expect(!MiddleCut.fit("evil\u{1B}[2Jname-that-is-long", width: 10).unicodeScalars.contains("\u{1B}"))
    }

    @Test func countsAreFormattedOneWay() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 120, 40)
        s.press("e")
        #expect(s.message == "error 1 of 5")
    }
}
