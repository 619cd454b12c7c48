import TraceModel

/// Jaeger-style clock-skew adjustment: shifts spans recorded on another host so that a child
/// does not start before, or end after, its parent.
///
/// The algorithm is Jaeger's clock-skew adjuster (jaegertracing/jaeger, model/adjuster/clockskew.go,
/// read 2026-11-26), written anew over our flat tree index:
/// - Walk the tree from the roots. A span on the same host as its parent keeps the shift its
///   parent got (one clock, one error); a span on another host, or with no host known, gets a
///   shift of its own, computed against its parent's already shifted times.
/// - A child longer than its parent was async or outlived a timed-out parent: only a start before
///   the parent's is corrected (moved to the parent's start).
/// - A child that already fits inside its parent is not moved.
/// - Otherwise the child is centred in its parent: the network latency is taken to be split
///   evenly between request and response, so `parentStart + (parentDuration − childDuration) / 2`
///   becomes the child's start.
/// Durations never change; only starts (and with them ends and event times) move.
///
/// The host of a span is the first of the resource attributes `host.id`, `host.name`, `host.ip`,
/// `ip` (Jaeger's process tag), `service.instance.id`, else its service name, else unknown.
public enum ClockSkew {
    /// Adjusted times of one trace, one entry per span.
    public struct Adjustment: Sendable, Equatable {
        /// Start of each span after adjustment (ns since epoch).
        public var startNanos: [Int64]
        /// End of each span after adjustment.
        public var endNanos: [Int64]
        /// How far each span was moved (positive: later).
        public var shiftNanos: [Int64]

        /// Spans that moved.
        public var adjustedSpans: Set<Int> {
            var out = Set<Int>()
            for (i, d) in shiftNanos.enumerated() where d != 0 { out.insert(i) }
            return out
        }
    }

    /// Works out the adjustment for `trace` (pure; no recursion, one pass in depth-first order).
    public static func adjust(_ trace: Trace) -> Adjustment {
        let n = trace.count
        var start = [Int64](repeating: 0, count: n)
        var end = [Int64](repeating: 0, count: n)
        var shift = [Int64](repeating: 0, count: n)
        let hosts: [String?] = trace.spans.map(host(of:))
        // Depth-first order visits a parent before its children, so its shifted times are known.
        for node in trace.preorder {
            let i = Int(node)
            let span = trace.spans[i]
            var newStart = span.startNanos
            if let p = trace.parent(of: i) {
                if let h = hosts[i], h == hosts[p] {
                    newStart = clampedAdd(span.startNanos, shift[p])
                } else {
                    newStart = adjustedStart(childStart: span.startNanos, childDuration: span.durationNanos,
                                             parentStart: start[p], parentDuration: trace.spans[p].durationNanos)
                }
            }
            shift[i] = clampedSubtract(newStart, span.startNanos)
            start[i] = newStart
            // A span that ends before it starts keeps its (broken) end relative to its start.
            end[i] = clampedAdd(newStart, clampedSubtract(span.endNanos, span.startNanos))
        }
        return Adjustment(startNanos: start, endNanos: end, shiftNanos: shift)
    }

    /// Where a child starts once checked against its (already adjusted) parent.
    static func adjustedStart(childStart: Int64, childDuration: Int64, parentStart: Int64, parentDuration: Int64) -> Int64 {
        if childDuration > parentDuration {
            return max(childStart, parentStart)
        }
        let childEnd = clampedAdd(childStart, childDuration)
        let parentEnd = clampedAdd(parentStart, parentDuration)
        if childStart >= parentStart && childEnd <= parentEnd { return childStart }
        return clampedAdd(parentStart, (parentDuration - childDuration) / 2)
    }

    /// The span's host, for deciding whether it shares its parent's clock.
    static func host(of span: Span) -> String? {
        let resource = span.origin.resource
        for key in ["host.id", "host.name", "host.ip", "ip", "service.instance.id"] {
            if let v = resource[key: key] {
                let text = v.displayText
                if !text.isEmpty { return key + "=" + text }
            }
        }
        return span.service.isEmpty ? nil : "service=" + span.service
    }

    // Hostile files hold times near the ends of Int64; shifts saturate instead of trapping.
    private static func clampedAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? Int64.max : Int64.min) : r
    }

    private static func clampedSubtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.subtractingReportingOverflow(b)
        return o ? (b < 0 ? Int64.max : Int64.min) : r
    }
}
