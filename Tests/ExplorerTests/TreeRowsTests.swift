import TestSupport
import Testing
import TraceModel
@testable import Explorer

@Suite struct TreeRowsTests {
    let trace = Fixtures.agent()

    func names(_ rows: TreeRows) -> [String] { rows.rows.map { trace.spans[Int($0)].name } }
    func index(_ name: String) -> Int { trace.spans.firstIndex { $0.name == name }! }

    @Test func startsFullyExpandedInDepthFirstOrder() {
        let rows = TreeRows(trace: trace)
        #expect(names(rows) == ["research_agent", "plan", "tools", "search_web", "search_docs", "summarize",
                                "format_answer"])
    }

    @Test func collapseHidesAndExpandRestoresDescendants() {
        var rows = TreeRows(trace: trace)
        rows.collapse(index("tools"), in: trace)
        #expect(names(rows) == ["research_agent", "plan", "tools", "summarize", "format_answer"])
        rows.collapse(index("research_agent"), in: trace)
        #expect(names(rows) == ["research_agent"])
        rows.expand(index("research_agent"), in: trace)
        // "tools" keeps its own collapsed state.
        #expect(names(rows) == ["research_agent", "plan", "tools", "summarize", "format_answer"])
        rows.expand(index("tools"), in: trace)
        #expect(rows.count == 7)
    }

    @Test func depthCollapseShowsThatManyLevels() {
        var rows = TreeRows(trace: trace)
        rows.collapse(toDepth: 1, in: trace)
        #expect(names(rows) == ["research_agent", "plan", "tools", "summarize", "format_answer"])
        rows.collapseAll(in: trace)
        #expect(names(rows) == ["research_agent"])
        rows.expandAll(in: trace)
        #expect(rows.count == 7)
    }

    @Test func revealExpandsCollapsedAncestors() {
        var rows = TreeRows(trace: trace)
        rows.collapseAll(in: trace)
        let shown = rows.reveal(index("search_docs"), in: trace)
        #expect(shown)
        #expect(names(rows) == ["research_agent", "plan", "tools", "search_web", "search_docs", "summarize",
                                "format_answer"])
    }

    @Test func filterShowsMatchesAndAncestorsOnly() {
        var rows = TreeRows(trace: trace)
        rows.collapseAll(in: trace)
        rows.setFilter([index("search_docs")], in: trace)
        #expect(names(rows) == ["research_agent", "tools", "search_docs"])
        #expect(!rows.hasLaterShownSibling(index("tools"), in: trace))
        #expect(rows.hasShownChildren(index("tools"), in: trace))
        #expect(!rows.hasShownChildren(index("search_docs"), in: trace))
        rows.setFilter(nil, in: trace)
        #expect(names(rows) == ["research_agent", "plan", "tools", "search_web", "search_docs", "summarize",
                                "format_answer"])
    }

    @Test func deepChainNeedsNoRecursion() async {
        // Seconds in a debug build: off the cooperative pool (TestSupport's `offPool`).
        let (all, collapsed, shown, revealed) = await offPool { () -> (Int, Int, Bool, Int) in
            let deep = Fixtures.chain(200_000)
            var rows = TreeRows(trace: deep)
            let all = rows.count
            rows.collapse(0, in: deep)
            let collapsed = rows.count
            rows.collapseAll(in: deep)
            let shown = rows.reveal(199_999, in: deep)
            return (all, collapsed, shown, rows.count)
        }
        #expect(all == 200_000)
        #expect(collapsed == 1)
        #expect(shown)
        #expect(revealed == 200_000)
    }
}
