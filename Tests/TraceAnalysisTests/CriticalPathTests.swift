import Synthetic
import Testing
import TraceModel
@testable import TraceAnalysis

/// Critical-path cases drawn as timelines. Expected paths read left to right in time.
@Suite struct CriticalPathTests {
    @Test func sequentialChildrenBackToBackAreAllOnThePath() {
        let t = Timeline("""
        root :==========
          a  :===
          b  :   ====
        """)
        // Jaeger UI compares with `<`, so it would skip `a` (it ends exactly where `b` starts) and
        // show 0-3 as root self time; the parent really waited on `a` there.
        #expect(t.criticalPath() == "a 0-3, b 3-7, root 7-10")
    }

    @Test func gapsBetweenSequentialChildrenAreParentSelfTime() {
        let t = Timeline("""
        root :==========
          a  : ==
          b  :     ===
        """)
        #expect(t.criticalPath() == "root 0-1, a 1-3, root 3-5, b 5-8, root 8-10")
    }

    @Test func parallelChildrenOnlyTheLastFinishingOneCounts() {
        let t = Timeline("""
        root :==========
          a  : ======
          b  : ====
          c  :   ===
        """)
        #expect(t.criticalPath() == "root 0-1, a 1-7, root 7-10")
    }

    @Test func overlappingChildThatEndsAfterTheLaterStartIsLeftOff() {
        // Jaeger UI's test2: X 1-101 with A 10-50 and C 20-60 gives X, C, X.
        let t = Timeline("""
        root :==========
          a  : ====
          c  :   =====
        """)
        #expect(t.criticalPath() == "root 0-3, c 3-8, root 8-10")
    }

    @Test func descendsIntoGrandchildren() {
        let t = Timeline("""
        root    :============
          fetch :=====
            dns : =
            get :   ==
          parse :     ======
            lex :      ===
        """)
        #expect(t.criticalPath() == "fetch 0-1, dns 1-2, fetch 2-3, get 3-5, parse 5-6, lex 6-9, parse 9-11, root 11-12")
    }

    @Test func childOutlivingItsParentIsClippedAndSoAreItsChildren() {
        let t = Timeline("""
        root   :========
          a    :  ========
            a1 :      ====
        """)
        #expect(t.criticalPath() == "root 0-2, a 2-6, a1 6-8")
    }

    @Test func childStartingBeforeItsParentIsClipped() {
        let t = Timeline("""
        root :   ======
          a  :=====
        """)
        #expect(t.criticalPath() == "a 3-5, root 5-9")
    }

    @Test func childrenWhollyOutsideTheParentAreLeftOffWithTheirSubtrees() {
        let t = Timeline("""
        root    :=====
          late  :       ===
            sub :       ==
          b     : ==
        """)
        #expect(t.criticalPath() == "root 0-1, b 1-3, root 3-5")

        // Touching the parent's edges counts as outside (Jaeger's sanitizeOverFlowingChildren).
        let touching = Timeline("""
        root     :  ====
          before :==
          after  :      ==
        """)
        #expect(touching.criticalPath() == "root 2-6")
    }

    @Test func zeroLengthSpans() {
        let inside = Timeline("""
        root :======
          z  :   |
        """)
        #expect(inside.criticalPath() == "root 0-6")

        let between = Timeline("""
        root :======
          a  :===
          z  :   |
          b  :   ===
        """)
        #expect(between.criticalPath() == "a 0-3, b 3-6")

        let zeroRoot = Timeline("""
        root :   |
          z  :   |
        """)
        #expect(zeroRoot.criticalPath() == "")
    }

    @Test func subtreeOfAChosenRoot() {
        let t = Timeline("""
        root    :============
          fetch :=====
            dns : =
            get :   ==
          parse :     ======
        """)
        #expect(t.criticalPath(root: "fetch") == "fetch 0-1, dns 1-2, fetch 2-3, get 3-5")
        #expect(CriticalPath.compute(t.trace, root: 99).isEmpty)
        #expect(CriticalPath.compute(Trace(id: TraceID("empty"), spans: [])).isEmpty)
    }

    /// The seed's `get_critical_path` takes the longest child at each level. Here retrieval
    /// runs longest, but generation finishes last: the request waits on generation.
    @Test func seedsLongestChildAnswerDiffersFromTheCriticalPath() {
        let t = Timeline("""
        handle_request :==========
          retrieve     :=======
          generate     :     =====
        """)
        let seed = Self.seedLongestChildPath(t.trace).map(t.name)
        #expect(seed == ["handle_request", "retrieve"])
        #expect(t.criticalPath() == "handle_request 0-5, generate 5-10")
        let onPath = Set(CriticalPath.compute(t.trace).map { t.name($0.span) })
        #expect(!onPath.contains("retrieve"))

        // Sequential steps: the seed keeps one of them; every step is on the path.
        let steps = Timeline("""
        agent     :==========
          plan    :====
          act     :    ===
          reflect :       ===
        """)
        #expect(Self.seedLongestChildPath(steps.trace).map(steps.name) == ["agent", "plan"])
        #expect(steps.criticalPath() == "plan 0-4, act 4-7, reflect 7-10")
    }

    /// Randomised traces: the fast walk agrees with a direct, quadratic reading of Jaeger's
    /// rules, and its segments always tile the root exactly.
    @Test func agreesWithAStraightforwardReferenceOnRandomTraces() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let trace = Self.randomTrace(&rng, spans: 1 + Int(rng.next() % 40))
            let fast = CriticalPath.compute(trace)
            #expect(fast == Self.reference(trace))
            let root = trace.spans[trace.rootIndex!]
            if root.endNanos > root.startNanos {
                #expect(fast.first?.startNanos == root.startNanos)
                #expect(fast.last?.endNanos == root.endNanos)
            }
            for (x, y) in zip(fast, fast.dropFirst()) {
                #expect(x.endNanos == y.startNanos)
                #expect(x.startNanos < x.endNanos)
            }
        }
    }

    // MARK: - helpers

    /// The seed's algorithm, written as a loop: from the root, repeatedly take the child with
    /// the longest duration (the first one on ties, like Python's `max`).
    static func seedLongestChildPath(_ trace: Trace) -> [Int] {
        var path = [trace.rootIndex!]
        while true {
            var best: Int? = nil
            for c in trace.children(of: path.last!) {
                let i = Int(c)
                if best == nil || trace.spans[i].durationNanos > trace.spans[best!].durationNanos { best = i }
            }
            guard let next = best else { return path }
            path.append(next)
        }
    }

    /// Jaeger's rules applied literally: clip, then at each step scan all children for the one
    /// that ends last at or before the current point (ties: earliest start, then earliest in
    /// depth-first order). Quadratic, iterative, no sorting.
    static func reference(_ trace: Trace) -> [CriticalPathSegment] {
        let n = trace.count
        var lo = [Int64](repeating: 0, count: n), hi = lo
        var kept = [Bool](repeating: false, count: n)
        let root = trace.rootIndex!
        for node in trace.subtree(of: root) {
            let i = Int(node)
            let s = trace.spans[i].startNanos, e = max(trace.spans[i].endNanos, s)
            if i == root { lo[i] = s; hi[i] = e; kept[i] = true; continue }
            let p = Int(trace.parents[i])
            guard kept[p] else { continue }
            let inside = s >= lo[p] ? s < hi[p] : e > lo[p]
            guard inside else { continue }
            lo[i] = max(s, lo[p]); hi[i] = min(e, hi[p]); kept[i] = true
        }
        var used = [Bool](repeating: false, count: n)
        var out: [CriticalPathSegment] = []
        func add(_ span: Int, _ from: Int64, _ to: Int64) {
            guard from < to else { return }
            if let last = out.last, last.span == span, last.startNanos == to {
                out[out.count - 1] = CriticalPathSegment(span: span, startNanos: from, endNanos: last.endNanos)
            } else {
                out.append(CriticalPathSegment(span: span, startNanos: from, endNanos: to))
            }
        }
        var stack: [(span: Int, point: Int64)] = [(root, hi[root])]
        while var top = stack.popLast() {
            var best: Int? = nil
            for c in trace.children(of: top.span) {
                let i = Int(c)
                guard kept[i], !used[i], hi[i] <= top.point else { continue }
                if let b = best {
                    if hi[i] > hi[b] || (hi[i] == hi[b] && (lo[i] < lo[b]
                        || (lo[i] == lo[b] && trace.preorderPosition[i] < trace.preorderPosition[b]))) {
                        best = i
                    }
                } else {
                    best = i
                }
            }
            if let b = best {
                used[b] = true
                add(top.span, hi[b], top.point)
                top.point = lo[b]
                stack.append(top)
                stack.append((b, hi[b]))
            } else {
                add(top.span, lo[top.span], top.point)
            }
        }
        return out.reversed()
    }

    /// A random tree with coarse times, so ties, touching edges, zero lengths and children
    /// outside their parents all happen often.
    static func randomTrace(_ rng: inout SplitMix64, spans count: Int) -> Trace {
        var spans: [Span] = []
        for i in 0..<count {
            let start = Int64(rng.next() % 12)
            let length = Int64(rng.next() % 7)
            let parent: SpanID? = i == 0 ? nil : SpanID(.text("s\(rng.next() % UInt64(i))"))
            spans.append(Span(traceID: TraceID("r"), spanID: SpanID(.text("s\(i)")), parentID: parent,
                              name: "s\(i)", startNanos: start, endNanos: start + length))
        }
        return Trace(id: TraceID("r"), spans: spans)
    }
}
