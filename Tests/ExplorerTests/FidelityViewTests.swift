import Foundation
import Testing
import TraceFormats
import TraceModel
@testable import Explorer

/// What issue 12 added to the views, on real files from Jaeger UI and Jaeger (see
/// Tests/TraceFormatsTests/Fixtures/README.md): FOLLOWS_FROM on rows and in details, Jaeger
/// warnings in details and under `w`, cached tokens in the LLM call view and side panel.
@Suite struct FidelityViewTests {
    func open(_ name: String) throws -> ExplorerState {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TraceFormatsTests/Fixtures/" + name).path
        var doc = try TraceLoader.load(path: path)
        doc.source = name
        var s = ExplorerState(document: doc, size: Size(width: 120, height: 40))
        s.press("E")
        return s
    }

    func select(_ s: inout ExplorerState, _ id: String) throws {
        var session = try #require(s.session)
        session.select(try #require(session.trace.index(of: SpanID(id))))
        s.view = .trace(session)
    }

    @Test func followsFromIsShownOnTheRowAndInDetails() throws {
        var s = try open("jaeger-ui-tracegraph-test-trace.json")
        let rows = render(s, size: s.size).text.split(separator: "\n").filter { $0.contains("(follows from)") }
        #expect(rows.count == 1 && rows[0].contains("op3"))
        try select(&s, "span-7")
        s.press("d")
        #expect(render(s, size: s.size).text.contains("span-6  (FOLLOWS_FROM: the parent does not wait for it)"))
    }

    @Test func jaegerWarningsInDetailsAndUnderW() throws {
        var s = try open("jaeger-ui-01-warnings.json")
        try select(&s, "4")
        s.press("d")
        #expect(render(s, size: s.size).text.contains("warnings      some span warning"))
        var w = try open("jaeger-ui-01-warnings.json")
        // Wide enough that the warning, after the fixture's absolute path, stays on one line
        // wherever the test bundle lives.
        _ = w.apply(.resize(Size(width: 400, height: 40)))
        w.press("w")
        let text = render(w, size: w.size).text
        // One per Jaeger warning: the trace's and two spans'.
        #expect(text.contains("Reader warnings (3)") && text.contains("some trace warning"))
    }

    @Test func cachedTokensInTheLLMCallViewAndSidePanel() throws {
        var s = try open("jaeger-ui-genai-test-trace.json")
        // The side panel sums the trace: 4 × 920 + 460 cached reads.
        #expect(render(s, size: s.size).text.contains("4.1k read · 0 write"))
        try select(&s, "0000000000000005")
        s.press("d")
        let text = render(s, size: s.size).text
        #expect(text.contains("1,840 prompt (920 cache read) + 260 completion = 2,100 total"))
    }
}
