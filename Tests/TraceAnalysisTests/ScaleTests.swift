import TestSupport
import Testing
import TraceModel
@testable import TraceAnalysis

/// A million spans in a chain and a million siblings: no recursion, nothing quadratic.
/// A time limit turns an accidental O(n²) into a failure rather than a hang.
///
/// The work (building the traces, analysing them, checking every segment) runs on a thread of
/// its own: on Swift's cooperative pool (one thread per core, two here) seconds of synchronous
/// work starve the async tests running beside it. Only the small checks run on the test's task.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ScaleTests {
    static let n = 1_000_000

    /// Span i runs from i to 2n − i and is the child of span i − 1: each span wraps the next.
    static let chain: Trace = {
        let id = TraceID("chain")
        var spans: [Span] = []
        spans.reserveCapacity(n)
        for i in 0..<n {
            spans.append(Span(traceID: id, spanID: SpanID(.bits64(UInt64(i + 1))),
                              parentID: i == 0 ? nil : SpanID(.bits64(UInt64(i))), name: "step",
                              startNanos: Int64(i), endNanos: Int64(2 * n - i)))
        }
        return Trace(id: id, spans: spans)
    }()

    /// A root from 0 to n with n back-to-back children of one unit each, listed last to first.
    static let siblings: Trace = {
        let id = TraceID("siblings")
        var spans = [Span(traceID: id, spanID: SpanID(.bits64(1)), name: "root", startNanos: 0, endNanos: Int64(n))]
        spans.reserveCapacity(n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            spans.append(Span(traceID: id, spanID: SpanID(.bits64(UInt64(i + 2))), parentID: SpanID(.bits64(1)),
                              name: "item", startNanos: Int64(i), endNanos: Int64(i + 1)))
        }
        return Trace(id: id, spans: spans, llmCall: { span in
            span.startNanos == Int64(n / 2) ? LLMCall(requestModel: "gpt-4o-mini", promptTokens: 1000, completionTokens: 1000) : nil
        })
    }()

    @Test func millionDeepChainCriticalPath() async {
        let (count, first, middle, last, contiguous) = await offPool {
            let path = CriticalPath.compute(Self.chain)
            return (path.count, path.first, path[Self.n - 1], path.last,
                    zip(path, path.dropFirst()).allSatisfy { $0.endNanos == $1.startNanos })
        }
        // Down the right-hand edges (n − 1), the innermost span whole, back up the left edges (n − 1).
        #expect(count == 2 * Self.n - 1)
        #expect(first == CriticalPathSegment(span: 0, startNanos: 0, endNanos: 1))
        #expect(middle == CriticalPathSegment(span: Self.n - 1, startNanos: Int64(Self.n - 1), endNanos: Int64(Self.n + 1)))
        #expect(last == CriticalPathSegment(span: 0, startNanos: Int64(2 * Self.n - 1), endNanos: Int64(2 * Self.n)))
        #expect(contiguous)
    }

    @Test func millionDeepChainStatisticsAndSearch() async {
        let (spanCount, half, selfTimes, slowest, matches) = await offPool {
            let stats = TraceStatistics(trace: Self.chain, prices: .standard)
            let half = stats.subtree(of: Self.n / 2)
            return (stats.trace.spanCount, (half.spanCount, half.durationNanos),
                    (stats.selfTimeNanos(of: 0), stats.selfTimeNanos(of: Self.n - 1)), stats.slowestSpan,
                    SpanQuery("STEP").matchingSpans(in: Self.chain).count)
        }
        #expect(spanCount == Self.n)
        #expect(half.0 == Self.n / 2)
        // Span k runs from k to 2n − k, and its subtree lies inside it: 2n − 2k.
        #expect(half.1 == Int64(2 * Self.n - 2 * (Self.n / 2)))
        #expect(selfTimes.0 == 2 && selfTimes.1 == 2)
        #expect(slowest == 0)
        #expect(matches == Self.n)
    }

    @Test func millionSiblingsCriticalPath() async {
        let (count, allItems, first, last, contiguous) = await offPool {
            let path = CriticalPath.compute(Self.siblings)
            return (path.count, path.allSatisfy { Self.siblings.spans[$0.span].name == "item" && $0.durationNanos == 1 },
                    path.first?.startNanos, path.last?.endNanos,
                    zip(path, path.dropFirst()).allSatisfy { $0.endNanos == $1.startNanos })
        }
        // Every child in turn, with no gap for the root to own.
        #expect(count == Self.n)
        #expect(allItems)
        #expect(first == 0 && last == Int64(Self.n))
        #expect(contiguous)
    }

    @Test func millionSiblingsStatistics() async {
        let (rootSelf, spanCount, calls, cost, costliestStart) = await offPool {
            let stats = TraceStatistics(trace: Self.siblings, prices: .standard)
            let root = Self.siblings.rootIndex!
            let totals = stats.subtree(of: root)
            return (stats.selfTimeNanos(of: root), totals.spanCount, totals.llmCalls, totals.costUSD,
                    stats.costliestLLMSpan.map { Self.siblings.spans[$0].startNanos })
        }
        #expect(rootSelf == 0)
        #expect(spanCount == Self.n + 1 && calls == 1)
        #expect(close(cost, 0.00075))   // 1000 × 0.15/M + 1000 × 0.60/M
        #expect(costliestStart == Int64(Self.n / 2))
    }
}
