import TraceModel

/// One stretch of the critical path: span `span` is what the trace waits on from start to end.
public struct CriticalPathSegment: Hashable, Sendable {
    /// Span index in the `Trace`.
    public let span: Int
    /// Start of the stretch, absolute nanoseconds since the epoch.
    public let startNanos: Int64
    /// End of the stretch, absolute nanoseconds since the epoch.
    public let endNanos: Int64

    /// Creates a segment.
    public init(span: Int, startNanos: Int64, endNanos: Int64) {
        self.span = span
        self.startNanos = startNanos
        self.endNanos = endNanos
    }

    /// Length of the stretch in nanoseconds.
    public var durationNanos: Int64 { endNanos &- startNanos }
}

/// The critical path: the chain of work the end of a span actually waited on.
///
/// This follows Jaeger UI's algorithm (jaegertracing/jaeger-ui,
/// packages/jaeger-ui/src/components/TracePage/CriticalPath/index.ts `computeCriticalPath`,
/// utils/findLastFinishingChildSpan.ts and utils/sanitizeOverFlowingChildren.ts, read 2026-11-26):
///
/// 1. Children are first fitted into their parent: a child that starts before or ends after
///    its parent is clipped to the parent's (already clipped) interval; a child wholly outside
///    it — starting at or after the parent's end, or ending at or before its start — is left
///    off together with its whole subtree.
/// 2. Starting at a span's end, walk backwards: pick the child that finishes last at or before
///    the current point ("last finishing child"). The time between that child's end and the
///    current point is the parent's own (self) time. Descend into the child the same way; when
///    it is done, continue in the parent from the child's start.
/// 3. When no child is left before the current point, the rest down to the span's start is
///    self time, and the walk returns to the parent.
///
/// Two deliberate differences from Jaeger UI:
/// - A child that ends exactly where the current point is counts as finishing before it
///   (Jaeger compares with `<`, so of two back-to-back sequential children it skips the first
///   and shows its time as the parent's self time).
/// - Adjacent stretches of the same span are merged into one segment.
/// Jaeger drops FOLLOWS_FROM children (getChildOfSpans.ts); OTLP has no such reference type,
/// so asynchronous children are ordinary children here.
///
/// The walk is iterative (an explicit stack of frames) and each span's children are sorted by
/// clipped end once, when the walk first enters the span, so a subtree of n spans costs
/// O(n log n) time and O(n) memory, whatever its depth or fan-out.
public enum CriticalPath {
    /// Jaeger-UI critical path of the subtree under `root` (default: `trace.rootIndex`), segments in time order.
    ///
    /// The segments tile the root's interval exactly: they never overlap and, end to end, cover
    /// the root from its start to its end. An empty or zero-length root gives no segments.
    public static func compute(_ trace: Trace, root: Int? = nil) -> [CriticalPathSegment] {
        guard let root = root ?? trace.rootIndex, root >= 0, root < trace.count else { return [] }
        let members = trace.subtree(of: root)
        let base = Int(trace.preorderPosition[root])
        let count = members.count

        // Clipped interval of every subtree member, addressed by its offset in the subtree's
        // preorder range; preorder visits parents first, so clipping cascades downwards.
        var lo = [Int64](repeating: 0, count: count)
        var hi = [Int64](repeating: 0, count: count)
        var kept = [Bool](repeating: false, count: count)
        for (k, node) in members.enumerated() {
            let span = trace.spans[Int(node)]
            let start = span.startNanos
            let end = max(span.endNanos, span.startNanos)
            if k == 0 {
                lo[0] = start; hi[0] = end; kept[0] = true
                continue
            }
            let p = Int(trace.preorderPosition[Int(trace.parents[Int(node)])]) - base
            guard kept[p] else { continue }
            let ps = lo[p], pe = hi[p]
            let overlaps = start >= ps ? start < pe : end > ps
            guard overlaps else { continue }
            lo[k] = max(start, ps)
            hi[k] = min(end, pe)
            kept[k] = true
        }

        // Children of the spans on the walk, each group sorted by clipped end; groups are
        // stacked like the frames that own them and popped with them.
        var sortedChildren: [Int32] = []
        var frames: [Frame] = []
        var reversed: [CriticalPathSegment] = []

        func enter(_ k: Int32) -> Frame {
            let groupStart = sortedChildren.count
            for child in trace.children(of: Int(members[base + Int(k)])) {
                let ck = Int(trace.preorderPosition[Int(child)]) - base
                if kept[ck] { sortedChildren.append(Int32(ck)) }
            }
            // Ascending by end; among equal ends the earliest start sorts last so it is taken first.
            sortedChildren[groupStart...].sort { a, b in
                let ha = hi[Int(a)], hb = hi[Int(b)]
                if ha != hb { return ha < hb }
                let la = lo[Int(a)], lb = lo[Int(b)]
                if la != lb { return la > lb }
                return a > b
            }
            return Frame(member: k, groupStart: groupStart, next: sortedChildren.count, point: hi[Int(k)])
        }

        func emit(_ k: Int32, from: Int64, to: Int64) {
            guard from < to else { return }
            let span = Int(members[base + Int(k)])
            // Walking backwards, a stretch that continues the previous one ends where it started.
            if let last = reversed.last, last.span == span, last.startNanos == to {
                reversed[reversed.count - 1] = CriticalPathSegment(span: span, startNanos: from, endNanos: last.endNanos)
            } else {
                reversed.append(CriticalPathSegment(span: span, startNanos: from, endNanos: to))
            }
        }

        frames.append(enter(0))
        while var frame = frames.popLast() {
            var pick: Int32 = -1
            // The current point only moves backwards, so a child that ends after it never
            // qualifies again and the cursor never moves up.
            while frame.next > frame.groupStart {
                frame.next -= 1
                let candidate = sortedChildren[frame.next]
                if hi[Int(candidate)] <= frame.point {
                    pick = candidate
                    break
                }
            }
            if pick >= 0 {
                emit(frame.member, from: hi[Int(pick)], to: frame.point)
                frame.point = lo[Int(pick)]
                frames.append(frame)
                frames.append(enter(pick))
            } else {
                emit(frame.member, from: lo[Int(frame.member)], to: frame.point)
                sortedChildren.removeLast(sortedChildren.count - frame.groupStart)
            }
        }
        return reversed.reversed()
    }

    /// One span being walked: where its children sit in the shared buffer and how far back the walk has come.
    private struct Frame {
        var member: Int32
        var groupStart: Int
        var next: Int
        var point: Int64
    }
}
