import TestSupport
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
///
/// The work runs on a thread of its own, not on Swift's cooperative pool: that pool has one
/// thread per core (two here), and twenty seconds of synchronous work on it starved the async
/// HTTP tests running beside it into their 30-second timeouts. Checks are collected there and
/// asserted back on the test's task.
@Suite(.serialized, .timeLimit(.minutes(10))) struct MillionSpanTests {
    /// Outcomes of checks made off the test's task: (passed, what was checked).
    final class Checks: @unchecked Sendable {
        var results: [(Bool, String)] = []
        func callAsFunction(_ ok: Bool, _ what: String) { results.append((ok, what)) }
    }

    /// Runs `body` on a thread of its own (TestSupport's `offPool`) and asserts what it checked.
    static func offPool(_ body: @escaping @Sendable (Checks) -> Void) async {
        let checks = Checks()
        await TestSupport.offPool { body(checks) }
        for (ok, what) in checks.results { #expect(ok, "\(what)") }
    }

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

    @Test func millionDeepChainThroughTheExplorer() async {
        await Self.offPool { check in
            let doc = Self.document(Self.chain())
            check(doc.spanCount == Self.n && doc.traces.count == 1, "one trace of a million spans")
            let trace = doc.traces[0]
            check(trace.depths.max() == Int32(Self.n - 1), "a million levels deep")
            // The shifted span starts before its parent, and its own child then ends after it.
            check(trace.flags.filter { $0.contains(.outsideParent) }.count == 2 * Self.n / 10, "skew flagged")
            var s = ExplorerState(document: doc, size: Size(width: 100, height: 30))
            // Opens a few levels deep; E shows all million rows, G goes to the bottom.
            check(s.rowNames.count == 4, "opens three levels deep")
            s.press("EG")
            var text = render(s, size: s.size).text
            check(text.contains("‹999999›"), "depth shown instead of guides")
            check(s.session?.selected == Self.n - 1, "G selects the deepest span")
            s.press("g")
            s.press("c")
            check(s.message?.hasPrefix("critical path 2/") == true, "c walks the critical path: \(s.message ?? "")")
            s.press("s")
            check(s.message?.hasPrefix("self time 1 of 1,000,000") == true, "s walks spans by self time: \(s.message ?? "")")
            s.press("g/step<enter>n")
            check(s.message == "match 2 of 1,000,000", "search: \(s.message ?? "")")
            s.press("++>>-0")
            s.press("a")
            check(s.message?.hasSuffix(" moved inside their parents; a: back to recorded times") == true && (s.session?.adjustedSpans ?? 0) >= Self.n / 10,
                  "skew adjusted: \(s.message ?? "")")
            check(s.session?.trace.flags.allSatisfy { !$0.contains(.outsideParent) } == true, "no span outside its parent")
            text = render(s, size: s.size).text
            check(text.split(separator: "\n").last?.contains("clock skew adjusted") == true, "status bar says so")
            s.press("G")
            s.press("d")
            check(render(s, size: s.size).text.contains("span id       00000000000f4240"), "details of the deepest span")
            s.press("<esc>aC3")
            check(s.rowNames.count == 4, "3 shows three levels again")
            _ = render(s, size: s.size)
        }
    }

    @Test func millionSiblingsThroughTheExplorer() async {
        await Self.offPool { check in
            let doc = Self.document(Self.siblings())
            let trace = doc.traces[0]
            check(trace.count == Self.n + 1 && trace.roots.count == 1 && trace.llmCalls.count == 1, "one root, one call")
            var s = ExplorerState(document: doc, size: Size(width: 120, height: 40))
            s.press("G")
            check(s.session?.selectedRow == Self.n, "G goes to the last sibling")
            // Children are ordered by start, though listed last to first.
            let first = s.session.map { Int($0.rows.rows[1]) } ?? 0
            check(trace.spans[first].startNanos == 0, "siblings in start order")
            s.press("$")
            check(s.selectedName == "chat", "$ finds the one priced call")
            s.press("<enter>")
            check(render(s, size: s.size).text.contains("gpt-4o-mini"), "Enter opens the call")
            s.press("<esc>c")
            check(s.message?.hasPrefix("critical path") == true, "critical path")
            s.press("/item<enter>f")
            check(s.session?.rows.count == Self.n, "the filter shows every match and the root")
            s.press("a")
            check(s.message == "no span needed moving; a: back to recorded times", "nothing to adjust: \(s.message ?? "")")
            s.press("<esc>hl")
            _ = render(s, size: Size(width: 40, height: 12))
            _ = render(s, size: Size(width: 200, height: 60))
        }
    }
}
