import Testing
import TraceModel
@testable import TraceAnalysis

/// A million spans in a chain and a million siblings: no recursion, nothing quadratic.
/// A time limit turns an accidental O(n²) into a failure rather than a hang.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ScaleTests {
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

    @Test func millionDeepChainCriticalPath() {
        let path = CriticalPath.compute(Self.chain)
        // Down the right-hand edges (n − 1), the innermost span whole, back up the left edges (n − 1).
        #expect(path.count == 2 * Self.n - 1)
        #expect(path.first == CriticalPathSegment(span: 0, startNanos: 0, endNanos: 1))
        #expect(path[Self.n - 1] == CriticalPathSegment(span: Self.n - 1, startNanos: Int64(Self.n - 1), endNanos: Int64(Self.n + 1)))
        #expect(path.last == CriticalPathSegment(span: 0, startNanos: Int64(2 * Self.n - 1), endNanos: Int64(2 * Self.n)))
        #expect(zip(path, path.dropFirst()).allSatisfy { $0.endNanos == $1.startNanos })
    }

    @Test func millionDeepChainStatisticsAndSearch() {
        let stats = TraceStatistics(trace: Self.chain, prices: .standard)
        #expect(stats.trace.spanCount == Self.n)
        #expect(stats.subtree(of: Self.n / 2).spanCount == Self.n / 2)
        // Span k runs from k to 2n − k, and its subtree lies inside it: 2n − 2k.
        #expect(stats.subtree(of: Self.n / 2).durationNanos == Int64(2 * Self.n - 2 * (Self.n / 2)))
        #expect(stats.selfTimeNanos(of: 0) == 2 && stats.selfTimeNanos(of: Self.n - 1) == 2)
        #expect(stats.slowestSpan == 0)
        #expect(SpanQuery("STEP").matchingSpans(in: Self.chain).count == Self.n)
    }

    @Test func millionSiblingsCriticalPath() {
        let path = CriticalPath.compute(Self.siblings)
        // Every child in turn, with no gap for the root to own.
        #expect(path.count == Self.n)
        #expect(path.allSatisfy { Self.siblings.spans[$0.span].name == "item" && $0.durationNanos == 1 })
        #expect(path.first?.startNanos == 0 && path.last?.endNanos == Int64(Self.n))
        #expect(zip(path, path.dropFirst()).allSatisfy { $0.endNanos == $1.startNanos })
    }

    @Test func millionSiblingsStatistics() {
        let stats = TraceStatistics(trace: Self.siblings, prices: .standard)
        let root = Self.siblings.rootIndex!
        #expect(stats.selfTimeNanos(of: root) == 0)
        let totals = stats.subtree(of: root)
        #expect(totals.spanCount == Self.n + 1 && totals.llmCalls == 1)
        #expect(close(totals.costUSD, 0.00075))   // 1000 × 0.15/M + 1000 × 0.60/M
        #expect(stats.costliestLLMSpan.map { Self.siblings.spans[$0].startNanos } == Int64(Self.n / 2))
    }
}
