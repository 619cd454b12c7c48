import Testing
import TraceFormats
import TraceModel
@testable import Explorer

/// The bundled agent before and after its prompt change, in one explorer (as `spanscope A B` opens them).
func beforeAndAfter(_ width: Int, _ height: Int) throws -> ExplorerState {
    let dir = Samples.directory
    var doc = try TraceLoader.load(paths: [dir.appendingPathComponent("agent-parallel-tools.otlp.jsonl").path,
                                           dir.appendingPathComponent("agent-parallel-tools-after.otlp.jsonl").path])
    doc.source = "agent-before-after"
    return ExplorerState(document: doc, size: Size(width: width, height: height))
}

@Suite struct CompareTests {
    /// Marks the "before" run (A) and compares it with the "after" run (B).
    func compared(_ width: Int, _ height: Int) throws -> ExplorerState {
        var s = try beforeAndAfter(width, height)
        let first = s.document.traces[s.list.entries[s.list.order[0]].index].id.description
        // The list is by start time; both runs start together, so pick A by its id.
        if first != "942cb17b52518ec7bbfd2bd7c40ae1d8" { s.press("j") }
        s.press("m")
        s.press(first == "942cb17b52518ec7bbfd2bd7c40ae1d8" ? "jc" : "kc")
        return s
    }

    @Test func markThenCompareAtEverySize() throws {
        for size in ScreenGoldenTests.sizes {
            let s = try compared(size.width, size.height)
            let c = try #require(s.comparison)
            #expect(c.diff.a.id.description == "942cb17b52518ec7bbfd2bd7c40ae1d8")
            #expect(s.keyContext == .compare)
            Golden.check(render(s, size: size), "compare-\(size.width)x\(size.height)")
        }
    }

    @Test func markedTraceIsShownInTheList() throws {
        var s = try beforeAndAfter(120, 40)
        s.press("m")
        Golden.check(render(s, size: s.size), "compare-marked-list-120x40")
        s.press("m")
        #expect(s.list.marked == nil)
        #expect(s.message == "unmarked")
        s.press("c")
        #expect(s.comparison == nil)
        #expect(s.message == "mark a trace with m first, then press c on another")
    }

    @Test func nextDifferenceAndTheLLMCallDiff() throws {
        var s = try compared(80, 24)
        s.press("n")
        // The first step that differs after the root is the first chat call (prompt and answer changed).
        let c = try #require(s.comparison)
        #expect(c.diff.name(of: c.selectedStep!) == "chat claude-3-5-sonnet")
        s.press("<enter>")
        let doc = try #require(s.documentView)
        #expect(doc.kind == .comparison(c.selectedStep!))
        Golden.check(render(s, size: s.size), "compare-llm-80x24")
        s.press("<pgdn>")
        Golden.check(render(s, size: s.size), "compare-llm-80x24-page2")
        s.press("<esc>")
        #expect(s.documentView == nil && s.comparison != nil)
        s.press("<esc>")
        #expect(s.comparison == nil && s.keyContext == .traceList)
    }

    @Test func sortByDeltas() throws {
        var s = try compared(120, 40)
        s.press("s")
        let c = try #require(s.comparison)
        #expect(c.sort == .time)
        // Largest increase first: the added third LLM round (+2.90 s) after the root (+2.95 s).
        #expect(c.order.prefix(2).map { c.diff.name(of: $0) } == ["invoke_agent travel_planner", "chat claude-3-5-sonnet"])
        #expect(c.diff.steps[c.order[1]].status == .added)
        Golden.check(render(s, size: s.size), "compare-sorted-time-120x40")
        s.press("ss")
        #expect(s.comparison?.sort == .tokens)
        s.press("r")
        // Smallest first: the two changed calls used fewer tokens.
        let r = try #require(s.comparison)
        #expect(r.delta(r.order[0], .tokens) == -78)
        s.press("s")
        #expect(s.comparison?.sort == .tree)
        #expect(s.comparison?.order == Array(r.diff.steps.indices))
    }
}
