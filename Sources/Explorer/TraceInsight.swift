import TraceAnalysis
import TraceModel

/// One trace with everything the views ask about it, computed once when the trace is opened so
/// that a keystroke never walks all spans.
public struct TraceInsight: Sendable {
    /// The trace.
    public let trace: Trace
    /// Totals, costs, self times, slowest span, errors.
    public let statistics: TraceStatistics
    /// The critical path of the root's subtree, in time order.
    public let criticalPath: [CriticalPathSegment]
    /// Total time on the critical path.
    public let criticalNanos: Int64
    /// Spans that have at least one critical segment.
    public let onCriticalPath: BitSet
    /// Spans the reader found starting or ending outside their parent (clock skew, usually).
    public let outsideParentSpans: Int
    /// The trace's services with their colours, most spans first.
    public let services: [ServiceShade]
    /// Each service's colour, empty when the trace has only one (it then keeps the plain look).
    let serviceInk: [String: Ink]

    /// Critical segments sorted by their span's depth-first position (then start), with
    /// prefix sums of durations, so that a subtree's share is two binary searches.
    private let segmentsInTreeOrder: [CriticalPathSegment]
    private let treeOrderPrefix: [Int64]
    /// For each span on the path, the index of its first segment in `criticalPath`.
    private let firstSegment: [Int32: Int32]

    /// Analyses `trace` with `statistics` computed for it.
    public init(trace: Trace, statistics: TraceStatistics) {
        self.trace = trace
        self.statistics = statistics
        outsideParentSpans = trace.flags.reduce(0) { $0 + ($1.contains(.outsideParent) ? 1 : 0) }
        let shades = ServiceColours.shades(of: trace)
        services = shades
        serviceInk = shades.count > 1 ? Dictionary(uniqueKeysWithValues: shades.map { ($0.name, $0.ink) }) : [:]
        let path = CriticalPath.compute(trace)
        criticalPath = path
        var onPath = BitSet(count: trace.count)
        var first: [Int32: Int32] = [:]
        var total: Int64 = 0
        for (i, seg) in path.enumerated() {
            onPath[seg.span] = true
            if first[Int32(seg.span)] == nil { first[Int32(seg.span)] = Int32(i) }
            total += seg.durationNanos
        }
        criticalNanos = total
        onCriticalPath = onPath
        firstSegment = first
        let sorted = path.sorted {
            let a = trace.preorderPosition[$0.span], b = trace.preorderPosition[$1.span]
            return a != b ? a < b : $0.startNanos < $1.startNanos
        }
        segmentsInTreeOrder = sorted
        var prefix = [Int64](repeating: 0, count: sorted.count + 1)
        for (i, s) in sorted.enumerated() { prefix[i + 1] = prefix[i] + s.durationNanos }
        treeOrderPrefix = prefix
    }

    /// Analyses `trace` with `prices`.
    public init(trace: Trace, prices: PriceTable) {
        self.init(trace: trace, statistics: TraceStatistics(trace: trace, prices: prices))
    }

    /// Critical-path segments of span `span` itself (its self time on the path), in time order.
    public func criticalSegments(of span: Int) -> ArraySlice<CriticalPathSegment> {
        guard onCriticalPath[span] else { return [] }
        let lo = lowerBound(trace.preorderPosition[span])
        let hi = lowerBound(trace.preorderPosition[span] + 1)
        return segmentsInTreeOrder[lo..<hi]
    }

    /// Time on the critical path spent in span `span` itself and in its whole subtree.
    public func criticalTime(of span: Int) -> (own: Int64, subtree: Int64) {
        let p = trace.preorderPosition[span]
        let ownLo = lowerBound(p), ownHi = lowerBound(p + 1)
        let subHi = lowerBound(p + trace.subtreeSizes[span])
        return (treeOrderPrefix[ownHi] - treeOrderPrefix[ownLo], treeOrderPrefix[subHi] - treeOrderPrefix[ownLo])
    }

    /// The index in `criticalPath` of the next stretch after the one at `cursor` (or, when the
    /// cursor is not on `span`, after `span`'s first stretch), skipping stretches of the same
    /// span and wrapping to the start; for a span off the path, the first stretch that starts
    /// at or after it.
    public func nextCriticalSegment(from span: Int, cursor: Int?) -> Int? {
        guard !criticalPath.isEmpty else { return nil }
        let current: Int
        if let c = cursor, c < criticalPath.count, criticalPath[c].span == span {
            current = c
        } else if let i = firstSegment[Int32(span)] {
            current = Int(i)
        } else {
            let start = trace.spans[span].startNanos
            return criticalPath.firstIndex { $0.startNanos >= start } ?? 0
        }
        var j = current + 1
        while j < criticalPath.count && criticalPath[j].span == span { j += 1 }
        return j < criticalPath.count ? j : 0
    }

    private func lowerBound(_ position: Int32) -> Int {
        let order = trace.preorderPosition
        return segmentsInTreeOrder.partitioningIndex { order[$0.span] >= position }
    }
}
