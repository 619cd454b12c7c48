import Testing
import TraceModel
@testable import Explorer

/// Whole screens compared with the stored ones in Screens/ (text, then a style grid and legend).
@Suite struct ScreenGoldenTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40), Size(width: 40, height: 12)]

    @Test(arguments: Samples.all)
    func sampleOpensAtEverySize(_ sample: String) throws {
        for size in Self.sizes {
            let s = try state(sample, size.width, size.height)
            let stem = sample.split(separator: ".").first!
            Golden.check(render(s, size: size), "\(stem)-\(size.width)x\(size.height)")
        }
    }

    @Test func llmCallDetails() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 80, 24)
        s.press("j<enter>")
        #expect(s.documentView != nil)
        Golden.check(render(s, size: s.size), "detail-llm-80x24")
        s.press("<pgdn>")
        Golden.check(render(s, size: s.size), "detail-llm-80x24-page2")
    }

    @Test func llmCallDetailsNarrow() throws {
        var s = try state("rag-pipeline.otlp.json", 40, 12)
        s.press("$")
        s.press("d")
        Golden.check(render(s, size: s.size), "detail-llm-40x12")
    }

    @Test func helpScreen() throws {
        var s = try state("rag-pipeline.otlp.json", 80, 24)
        s.press("?")
        Golden.check(render(s, size: s.size), "help-80x24")
    }

    @Test func traceListAndSort() throws {
        var s = try state("openllmetry-triage-batch.otlp.jsonl", 120, 40)
        Golden.check(render(s, size: s.size), "tracelist-120x40")
        s.press("sss")
        Golden.check(render(s, size: s.size), "tracelist-sorted-errors-120x40")
        let narrow = try state("openllmetry-triage-batch.otlp.jsonl", 40, 12)
        Golden.check(render(narrow, size: narrow.size), "tracelist-40x12")
    }

    @Test func searchFilterAndZoom() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 120, 40)
        s.press("/hotel<enter>")
        Golden.check(render(s, size: s.size), "search-hotel-120x40")
        s.press("f")
        Golden.check(render(s, size: s.size), "filter-hotel-120x40")
        s.press("<esc>++")
        Golden.check(render(s, size: s.size), "zoom-x4-120x40")
    }

    @Test func mediumWidthPanelOverlay() throws {
        var s = try state("rag-pipeline.otlp.json", 80, 24)
        s.press("p")
        Golden.check(render(s, size: s.size), "panel-overlay-80x24")
    }

    @Test func narrowPanes() throws {
        var s = try state("agent-parallel-tools.otlp.jsonl", 40, 12)
        s.press("<tab>")
        Golden.check(render(s, size: s.size), "pane-waterfall-40x12")
        s.press("<tab>")
        Golden.check(render(s, size: s.size), "pane-panel-40x12")
    }

    @Test func hostileAndBrokenTrace() {
        let s = ExplorerState(document: TraceDocument(source: "hostile.json", format: "test", traces: [Fixtures.hostile()]),
                              size: Size(width: 100, height: 16))
        Golden.check(render(s, size: s.size), "hostile-100x16")
    }
}
