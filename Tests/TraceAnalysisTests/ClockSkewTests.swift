import Testing
import TraceModel
@testable import TraceAnalysis

/// Jaeger's clock-skew adjustment, on cases drawn as timelines (times in timeline units).
@Suite struct ClockSkewTests {
    /// Start–end of each span after adjustment, as `name start-end`.
    func adjusted(_ t: Timeline) -> String {
        let a = ClockSkew.adjust(t.trace)
        return (0..<t.trace.count).map { i in
            "\(t.name(i)) \(a.startNanos[i] - Timeline.epoch)-\(a.endNanos[i] - Timeline.epoch)"
        }.joined(separator: ", ")
    }

    @Test func childStartingBeforeItsParentIsCentredInIt() {
        // The server's clock runs 3 units behind the client's: its span seems to start first.
        let t = Timeline("""
        client  :   ========
          server: ====
        """)
        #expect(adjusted(t) == "client 3-11, server 5-9")
        #expect(ClockSkew.adjust(t.trace).adjustedSpans == [t.index("server")])
    }

    @Test func childEndingAfterItsParentIsCentredToo() {
        let t = Timeline("""
        client  :========
          server:      ====
        """)
        #expect(adjusted(t) == "client 0-8, server 2-6")
    }

    @Test func childLongerThanItsParentOnlyLosesAnEarlyStart() {
        // Async work or a parent that timed out: the child may end later, but not start earlier.
        let t = Timeline("""
        parent   :  ===
          async  :=========
          later  :     =======
        """)
        #expect(adjusted(t) == "parent 2-5, async 2-11, later 5-12")
    }

    @Test func childInsideItsParentStaysWhereItIs() {
        let t = Timeline("""
        root   :==========
          a    : ===
            b  :  =
          c    :      |
        """)
        #expect(adjusted(t) == "root 0-10, a 1-4, b 2-3, c 6-6")
        #expect(ClockSkew.adjust(t.trace).adjustedSpans.isEmpty)
    }

    @Test func grandchildrenMoveWithTheirShiftedParent() {
        // b is checked against a's adjusted times, so it moves along with a.
        let t = Timeline("""
        root   :     ======
          a    :  ====
            b  :   ==
        """)
        #expect(adjusted(t) == "root 5-11, a 6-10, b 7-9")
    }

    @Test func spansOnTheSameHostShareTheirParentsShift() {
        // The api service's clock is 100 units behind: both its spans move by the same amount,
        // even the inner one that would fit its (unshifted) parent on its own. The db span is on a
        // host of its own: it is checked against its shifted parent and centred in it.
        let e = Timeline.epoch
        func span(_ id: UInt64, _ parent: UInt64?, _ service: String, _ s: Int64, _ d: Int64) -> Span {
            Span(traceID: TraceID("t"), spanID: SpanID(.bits64(id)), parentID: parent.map { SpanID(.bits64($0)) },
                 name: "s\(id)", service: service, startNanos: e + s, endNanos: e + s + d)
        }
        let trace = Trace(id: TraceID("t"), spans: [
            span(1, nil, "web", 200, 100),
            span(2, 1, "api", 120, 60),
            span(3, 2, "api", 130, 10),
            span(4, 3, "db", 135, 5),
        ])
        let a = ClockSkew.adjust(trace)
        #expect(a.shiftNanos == [0, 100, 100, 97])
        #expect(a.startNanos.map { $0 - e } == [200, 220, 230, 232])
        // The adjusted trace no longer has children outside their parents, and says what moved.
        let moved = trace.replacingTimes(start: a.startNanos, end: a.endNanos, adjusted: a.adjustedSpans)
        #expect(trace.flags[1].contains(.outsideParent))
        #expect(!moved.flags.contains { $0.contains(.outsideParent) })
        #expect(moved.flags[1].contains(.clockAdjusted) && !moved.flags[0].contains(.clockAdjusted))
        #expect(moved.spans[1].durationNanos == trace.spans[1].durationNanos)
    }

    @Test func timesAtTheEndsOfTheRangeSaturateInsteadOfTrapping() {
        let spans = [
            Span(traceID: TraceID("t"), spanID: SpanID("a"), parentID: nil, name: "a",
                 startNanos: Int64.max - 10, endNanos: Int64.max),
            Span(traceID: TraceID("t"), spanID: SpanID("b"), parentID: SpanID("a"), name: "b",
                 startNanos: Int64.min, endNanos: Int64.min + 5),
        ]
        let a = ClockSkew.adjust(Trace(id: TraceID("t"), spans: spans))
        #expect(a.startNanos[1] <= Int64.max && a.startNanos[1] >= Int64.max - 10)
    }

    @Test func aDeepChainIsAdjustedWithoutRecursion() {
        // Every child starts one unit before its parent: each is moved inside it. (The million-deep
        // chain goes through the whole pipeline, this included, in PipelineScaleTests.)
        let n = 100_000
        let tid = TraceID(.bits128(high: 1, low: 1))
        var spans: [Span] = []
        spans.reserveCapacity(n)
        for i in 0..<n {
            spans.append(Span(traceID: tid, spanID: SpanID(.bits64(UInt64(i + 1))),
                              parentID: i == 0 ? nil : SpanID(.bits64(UInt64(i))), name: "s",
                              startNanos: Int64(3 * n - i), endNanos: Int64(3 * n - i) + Int64(2 * (n - i))))
        }
        let a = ClockSkew.adjust(Trace(id: tid, spans: spans))
        #expect(a.startNanos[n - 1] > a.startNanos[n - 2])
        #expect(a.endNanos[n - 1] <= a.endNanos[n - 2])
    }
}
