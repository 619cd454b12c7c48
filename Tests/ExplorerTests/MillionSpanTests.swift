import Testing
import TraceAnalysis
import TraceModel
import TraceFormats
@testable import Explorer

/// A million-deep chain and a million siblings through everything after the parser: collector
/// (grouping, LLM normalisation, tree index), analysis, the explorer's state, keys and screens.
/// Spans are built in memory (parsing a million from JSON is left to the e2e script and the
/// benchmarks; in a debug build it would dominate the test run). The time limit turns an
/// accidental O(n²) or a recursion into a failure instead of a hang or a crash.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MillionSpanTests {
    static let n = 1_000_000
    static let tid = TraceID(.bits128(high: 0xABC, low: 0xDEF))

    static func document(_ spans: [Span]) -> TraceDocument {
        var collector = SpanCollector()
        for s in spans { collector.add(s) }
        return collector.document(source: "million.json")
    }

    /// Span i is the child of span i − 1 and runs from i to 2n − i µs; every tenth one is on
    /// another service whose clock runs 3 µs ahead, so it seems to start before its parent.
    static func chain() -> [Span] {
        var spans: [Span] = []
        spans.reserveCapacity(n)
        for i in 0..<n {
            let skew: Int64 = i % 10 == 5 ? -3_000 : 0
            spans.append(Span(traceID: tid, spanID: SpanID(.bits64(UInt64(i + 1))),
                              parentID: i == 0 ? nil : SpanID(.bits64(UInt64(i))), name: "step",
                              service: i % 10 == 5 ? "remote" : "local",
                              startNanos: 1_000_000_000 + Int64(i) * 1_000 + skew,
                              endNanos: 1_000_000_000 + Int64(2 * n - i) * 1_000 + skew))
        }
        return spans
    }

    /// A root with n back-to-back children listed last to first; one child is an LLM call.
    static func siblings() -> [Span] {
        var spans = [Span(traceID: tid, spanID: SpanID(.bits64(1)), name: "root", startNanos: 0, endNanos: Int64(n) * 10)]
        spans.reserveCapacity(n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var attributes: [Attribute] = []
            if i == n / 2 {
                attributes = [Attribute("gen_ai.request.model", .string("gpt-4o-mini")),
                              Attribute("gen_ai.usage.input_tokens", .int(1000)),
                              Attribute("gen_ai.usage.output_tokens", .int(1000))]
            }
            spans.append(Span(traceID: tid, spanID: SpanID(.bits64(UInt64(i + 2))), parentID: SpanID(.bits64(1)),
                              name: i == n / 2 ? "chat" : "item", startNanos: Int64(i) * 10, endNanos: Int64(i) * 10 + 10,
                              attributes: attributes))
        }
        return spans
    }

    @Test func millionDeepChainThroughTheExplorer() throws {
        let doc = Self.document(Self.chain())
        #expect(doc.spanCount == Self.n && doc.traces.count == 1)
        let trace = doc.traces[0]
        #expect(trace.depths.max() == Int32(Self.n - 1))
        // The shifted span starts before its parent, and its own child then ends after it.
        #expect(trace.flags.filter { $0.contains(.outsideParent) }.count == 2 * Self.n / 10)
        var s = ExplorerState(document: doc, size: Size(width: 100, height: 30))
        // Opens a few levels deep; E shows all million rows, G goes to the bottom.
        #expect(s.rowNames.count == 4)
        s.press("EG")
        var text = render(s, size: s.size).text
        #expect(text.contains("‹999999›"))
        #expect(s.session?.selected == Self.n - 1)
        s.press("g")
        s.press("c")
        #expect(s.message?.hasPrefix("critical path 2/") == true)
        s.press("s/step<enter>n")
        #expect(s.message == "match 2 of 1000000")
        s.press("++>>-0")
        s.press("a")
        #expect(s.message?.hasPrefix("clock skew adjusted: ") == true && (s.session?.adjustedSpans ?? 0) >= Self.n / 10)
        #expect(s.session?.trace.flags.allSatisfy { !$0.contains(.outsideParent) } == true)
        text = render(s, size: s.size).text
        #expect(text.split(separator: "\n").last?.contains("clock skew adjusted") == true)
        s.press("G")
        s.press("d")
        #expect(render(s, size: s.size).text.contains("span id       00000000000f4240"))
        s.press("<esc>aC3")
        #expect(s.rowNames.count == 4)
        _ = render(s, size: s.size)
    }

    @Test func millionSiblingsThroughTheExplorer() throws {
        let doc = Self.document(Self.siblings())
        let trace = doc.traces[0]
        #expect(trace.count == Self.n + 1 && trace.roots.count == 1 && trace.llmCalls.count == 1)
        var s = ExplorerState(document: doc, size: Size(width: 120, height: 40))
        s.press("G")
        #expect(s.session?.selectedRow == Self.n)
        // Children are ordered by start, though listed last to first.
        let rows = try #require(s.session?.rows.rows)
        #expect(trace.spans[Int(rows[1])].startNanos == 0)
        s.press("$")
        #expect(s.selectedName == "chat")
        s.press("<enter>")
        #expect(render(s, size: s.size).text.contains("gpt-4o-mini"))
        s.press("<esc>c")
        #expect(s.message?.hasPrefix("critical path") == true)
        s.press("/item<enter>f")
        #expect(s.session?.rows.count == Self.n)
        s.press("a")
        #expect(s.message == "clock skew adjusted: no span needed moving")
        s.press("<esc>hl")
        _ = render(s, size: Size(width: 40, height: 12))
        _ = render(s, size: Size(width: 200, height: 60))
    }
}
