import TestSupport
import Testing
import TraceAnalysis
import TraceModel
@testable import Explorer

/// Broken and hostile traces: each problem the index finds is shown on its row, not hidden.
@Suite struct BrokenTraceTests {
    typealias S = Fixtures.SpanSpec

    /// One trace with every kind of damage, opened fully expanded at 120×40.
    func broken() -> ExplorerState {
        let trace = Fixtures.trace("broken", [
            S(id: "root", parent: nil, name: "root", start: 0, end: 100),
            S(id: "a", parent: "b", name: "loop-a", start: 10, end: 20),
            S(id: "b", parent: "a", name: "loop-b", start: 12, end: 18),
            S(id: "self", parent: "self", name: "self-parent", start: 30, end: 40),
            S(id: "lost", parent: "gone", name: "orphan", start: 40, end: 50),
            S(id: "dup", parent: "root", name: "first-dup", start: 5, end: 6),
            S(id: "dup", parent: "root", name: "second-dup", start: 7, end: 8),
            S(id: "back", parent: "root", name: "backwards", start: 60, end: 55),
            S(id: "instant", parent: "root", name: "instant", start: 70, end: 70),
            S(id: "skew", parent: "root", name: "skewed", service: "remote", start: -20, end: 30),
        ])
        var s = ExplorerState(document: TraceDocument(source: "broken.json", format: "test", traces: [trace]),
                              size: Size(width: 120, height: 40))
        s.press("E")
        return s
    }

    func row(_ screen: Screen, _ name: String) -> String? {
        screen.text.split(separator: "\n").first { $0.contains(name + " ") || $0.hasSuffix(name) }.map(String.init)
    }

    @Test func everyKindOfDamageIsMarkedOnItsRow() throws {
        let s = broken()
        let screen = render(s, size: s.size)
        let expected: [(String, String)] = [
            ("loop-a", "[cycle cut]"), ("self-parent", "[cycle cut]"), ("orphan", "[orphan]"),
            ("second-dup", "[duplicate id]"), ("backwards", "[ends before start]"), ("instant", "[zero length]"),
            ("skewed", "[outside parent]"),
        ]
        for (name, mark) in expected {
            let line = try #require(row(screen, name), "no row for \(name)\n\(screen.text)")
            #expect(line.contains(mark), "\(name) lacks \(mark): \(line)")
        }
        // Problems get the ! mark in front of the name; a zero-length span only its bracket.
        #expect(try #require(row(screen, "orphan")).contains("! orphan"))
        #expect(try #require(row(screen, "skewed")).contains("! skewed"))
        #expect(!(try #require(row(screen, "instant")).contains("! instant")))
        // The loop's other member hangs under the cut one; nothing is lost.
        #expect(s.session?.rows.count == 10)
        // A span that ends before it starts shows "?" as its duration, not a negative one.
        #expect(try #require(row(screen, "backwards")).contains("     ?"))
    }

    @Test func detailsNameTheMarks() throws {
        var s = broken()
        let session = try #require(s.session)
        let i = try #require(session.trace.spans.firstIndex { $0.name == "skewed" })
        s.press("/skewed<enter>")
        #expect(s.session?.selected == i)
        s.press("d")
        let text = render(s, size: s.size).text
        #expect(text.contains("marked        outside parent"))
    }

    @Test func clockSkewAdjustmentIsAnOptionTheStatusBarAnnounces() throws {
        var s = broken()
        var screen = render(s, size: s.size)
        #expect(!screen.text.contains("clock skew adjusted"))
        s.press("a")
        screen = render(s, size: s.size)
        let lines = screen.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last?.contains("clock skew adjusted") == true, "status bar: \(lines.last ?? "")")
        let skewed = try #require(row(screen, "skewed"))
        #expect(skewed.contains("[clock adjusted]") && !skewed.contains("outside parent"), "\(skewed)")
        let session = try #require(s.session)
        let i = try #require(session.trace.spans.firstIndex { $0.name == "skewed" })
        let root = try #require(session.trace.spans.firstIndex { $0.name == "root" })
        // Centred in its parent: (100 − 50) / 2 = 25 ms after the root starts.
        #expect(session.trace.spans[i].startNanos - session.trace.spans[root].startNanos == 25_000_000)
        #expect(session.recorded?.trace.spans[i].startNanos == Fixtures.ms(-20))
        // Opening another view and coming back keeps it; a again shows the recorded times.
        s.press("?")
        s.press("<esc>")
        #expect(s.session?.clockSkewAdjusted == true)
        s.press("a")
        screen = render(s, size: s.size)
        #expect(!screen.text.contains("clock skew adjusted"))
        #expect(try #require(row(screen, "skewed")).contains("[outside parent]"))
        #expect(s.session?.trace.spans[i].startNanos == Fixtures.ms(-20))
    }

    @Test func adjustmentKeepsTheSearchAndTheFilter() throws {
        var s = broken()
        s.press("/instant<enter>f")
        #expect(s.session?.filtering == true)
        s.press("a")
        let session = try #require(s.session)
        #expect(session.filtering && session.search?.matches.count == 1)
        #expect(s.rowNames == ["root", "instant"])
    }

    @Test func hugeAttributeIsCutInRowsAndPagedInDetails() async throws {
        // A 10 MB value: the tree row shows what fits, the details page through it. Seconds of
        // work in a debug build, so it runs off the cooperative pool (TestSupport's `offPool`).
        let (first, lineCount, pagedTop, end, clipped) = await offPool { () -> (String?, Int?, Int?, String, String) in
            let big = String(repeating: "0123456789abcdef", count: (10 << 20) / 16)
            let trace = Fixtures.trace("big", [
                S(id: "root", parent: nil, name: big, start: 0, end: 100,
                  attributes: [Attribute("payload", .string(big))]),
            ])
            var s = ExplorerState(document: TraceDocument(source: "big.json", format: "test", traces: [trace]),
                                  size: Size(width: 80, height: 24))
            let first = render(s, size: s.size).text.split(separator: "\n").dropFirst(2).first.map(String.init)
            s.press("d")
            let lineCount = s.documentView?.lineCount
            s.press("<pgdn><pgdn>")
            let pagedTop = s.documentView?.top
            s.press("G")
            // Past Detail.maxTextBytes the rest is counted and left to the export.
            let huge = String(repeating: "x", count: Detail.maxTextBytes + 5)
            return (first, lineCount, pagedTop, render(s, size: s.size).text, Detail.clip(huge))
        }
        let row = try #require(first)
        #expect(row.contains("0123456789abcdef") && row.contains("…"))
        // Wrapped into lines to page through, all ten megabytes of it.
        #expect(try #require(lineCount) > (10 << 20) / 80)
        #expect(try #require(pagedTop) > 0)
        #expect(end.contains("0123456789abcdef") && !end.contains("more bytes"))
        #expect(clipped.hasSuffix("[… 5 more bytes; export with x to see all]"))
    }
}
