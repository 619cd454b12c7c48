import TraceModel

/// A trace's one-screen summary; feeds `spanscope summary` (text and JSON).
public struct TraceSummary: Sendable {
    /// The trace id.
    public let traceID: TraceID
    /// The root span's name ("" for an empty trace).
    public let rootName: String
    /// Trace duration: latest end minus earliest start over all spans.
    public let durationNanos: Int64
    /// Counts, tokens, cost and the per-model breakdown over the whole trace.
    public let totals: UsageTotals
    /// Critical path of the root's subtree, in time order.
    public let criticalPath: [CriticalPathSegment]
    /// The root span's index, nil for an empty trace.
    public let rootIndex: Int?
    /// Earliest start over all spans (ns since epoch); critical-path times are relative to it in reports.
    public let startNanos: Int64
    /// True when the reader had to estimate some timings.
    public let timingEstimated: Bool

    /// Summarises `trace`, pricing its LLM calls with `prices`.
    public init(trace: Trace, prices: PriceTable) {
        self.init(trace: trace, statistics: TraceStatistics(trace: trace, prices: prices))
    }

    /// Summarises `trace` from statistics already computed for it.
    public init(trace: Trace, statistics: TraceStatistics) {
        self.traceID = trace.id
        self.rootName = trace.rootName
        self.durationNanos = trace.count == 0 ? 0 : trace.durationNanos
        self.totals = statistics.trace
        self.criticalPath = CriticalPath.compute(trace)
        self.rootIndex = trace.rootIndex
        self.startNanos = trace.count == 0 ? 0 : trace.startNanos
        self.timingEstimated = trace.timingEstimated
    }
}
