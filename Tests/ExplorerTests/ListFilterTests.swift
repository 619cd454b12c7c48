import Testing
import TraceModel
@testable import Explorer

/// `/` in the trace list filters it by the query language.
struct ListFilterTests {
    func three() -> ExplorerState {
        let doc = TraceDocument(source: "runs", format: "test",
                                traces: [Fixtures.agent(), Fixtures.hostile(), Fixtures.chain(10)])
        return ExplorerState(document: doc, size: Size(width: 120, height: 30))
    }

    func shownRoots(_ s: ExplorerState) -> [String] {
        s.list.order.map { s.list.entries[$0].rootName }
    }

    @Test("a query keeps the matching traces; Enter opens one; Esc shows all again")
    func filters() {
        var s = three()
        s.press("/model~claude<enter>")
        #expect(shownRoots(s) == ["research_agent"])
        #expect(s.message == "1 of 3 traces match")
        #expect(render(s, size: s.size).text.hasPrefix("runs  1 of 3 traces match model~claude"))
        s.press("/<bs><bs><bs><bs><bs><bs>gpt<enter>")
        #expect(s.list.query == "model~gpt")
        #expect(s.list.order.count == 2)                 // gpt-4o (agent) and gpt-4o-mini (hostile)
        s.press("<esc>")
        #expect(s.list.order.count == 3 && s.message == "filter cleared")
        s.press("/-model~claude<enter><enter>")
        #expect(s.session != nil && s.selectedName != "research_agent")
    }

    @Test("a bad query says where it is wrong and leaves the list as it was")
    func badQuery() {
        var s = three()
        s.press("/error<enter>")
        let before = s.list.order
        s.press("/<bs><bs><bs><bs><bs>duration>x<enter>")
        #expect(s.message == "query column 10 \"x\": not a duration; write it like 500ms, 2s, 1.5m or 1h")
        #expect(s.list.order == before && s.list.query == "error")
    }
}
