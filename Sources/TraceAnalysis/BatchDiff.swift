import TraceModel

/// One group (a span name or a model) over a set of runs.
public struct BatchGroup: Hashable, Sendable {
    /// Spans (or LLM calls) in the group.
    public var count: Int
    /// Runs that have at least one.
    public var runs: Int
    /// Entries with error status.
    public var errors: Int
    /// Median duration, ns (linear interpolation, numpy's default).
    public var p50Nanos: Double
    /// 95th percentile duration, ns.
    public var p95Nanos: Double
    /// LLM calls among the entries.
    public var llmCalls: Int
    /// Total tokens over those calls.
    public var totalTokens: Int64
    /// USD over the calls that have a price.
    public var costUSD: Double

    /// Errors over entries (0 when empty).
    public var errorRate: Double { count == 0 ? 0 : Double(errors) / Double(count) }
}

/// Two sets of runs (before and after a change) compared group by group, as `stats` groups them:
/// `spanscope diff --by name|model A.jsonl B.jsonl`.
///
/// Per-run figures (tokens, cost) divide by the number of runs in the set, so sets of different
/// sizes compare fairly. The groups are `spanscope stats`' own (`TraceStats.groups`), so both
/// commands show the same numbers for the same runs.
public struct BatchDiff: Sendable {
    /// What the groups are.
    public enum Key: String, Sendable {
        /// Spans by name.
        case spanName = "name"
        /// LLM calls by model (response model, else request model).
        case model
    }

    /// One row: a group in A, B or both.
    public struct Row: Sendable {
        /// The span name or model.
        public var key: String
        /// The group in A, nil when only B has it.
        public var a: BatchGroup?
        /// The group in B, nil when only A has it.
        public var b: BatchGroup?
    }

    /// The grouping.
    public let key: Key
    /// Runs (traces) in A.
    public let runsA: Int
    /// Runs in B.
    public let runsB: Int
    /// Rows, by the two sets' total time in the group, descending, then key.
    public let rows: [Row]
    /// The mean run of A: totals divided by the number of runs (zero for an empty set).
    public let meanA: RunTotals
    /// The mean run of B.
    public let meanB: RunTotals

    /// Groups `a` and `b` by `key` (the `stats` groups, `TraceStats.groups`), pricing calls with `prices`.
    public init(a: [Trace], b: [Trace], by key: Key, prices: PriceTable) {
        let grouping = key.grouping
        var sumsA = RunSums(), sumsB = RunSums()
        sumsA.add(a, prices: prices)
        sumsB.add(b, prices: prices)
        self.init(a: TraceStats.groups(a, by: grouping, prices: prices), b: TraceStats.groups(b, by: grouping, prices: prices),
                  meanA: sumsA.mean, meanB: sumsB.mean, by: key)
    }

    /// Compares two stats tables already grouped by `key.grouping` (for sets of runs read a
    /// batch at a time), with their runs' means.
    public init(a tableA: StatsTable, b tableB: StatsTable, meanA: RunTotals, meanB: RunTotals, by key: Key) {
        self.key = key
        runsA = tableA.traces
        runsB = tableB.traces
        var groupsA: [String: StatsGroup] = [:], groupsB: [String: StatsGroup] = [:]
        for g in tableA.groups { groupsA[g.key] = g }
        for g in tableB.groups { groupsB[g.key] = g }
        rows = Set(groupsA.keys).union(groupsB.keys).map { k in
            Row(key: k, a: groupsA[k].map(BatchGroup.init), b: groupsB[k].map(BatchGroup.init))
        }.sorted { x, y in
            let tx = (groupsA[x.key]?.totalNanos ?? 0) &+ (groupsB[x.key]?.totalNanos ?? 0)
            let ty = (groupsA[y.key]?.totalNanos ?? 0) &+ (groupsB[y.key]?.totalNanos ?? 0)
            return tx != ty ? tx > ty : x.key < y.key
        }
        self.meanA = meanA
        self.meanB = meanB
    }

    /// The `p` quantile as `stats` computes it (numpy's default linear interpolation); 0 for no values.
    public static func percentile(_ sorted: [Int64], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : TraceStats.percentile(sorted, p)
    }

}

extension BatchDiff.Key {
    /// The `stats` grouping of this key.
    public var grouping: StatsGrouping { self == .spanName ? .name : .model }
}

/// Sums of runs' totals, added a batch of runs at a time, for `BatchDiff`'s mean run.
public struct RunSums: Sendable {
    private var cost = 0.0, duration = 0.0, calls = 0.0, tokens = 0.0, errors = 0.0
    private var runs = 0

    /// No runs yet.
    public init() {}

    /// Adds the next runs (their totals worked out on all cores, summed in order).
    public mutating func add(_ traces: [Trace], prices: PriceTable) {
        let totals = Parallel.map(traces.count) { RunTotals(TraceSummary(trace: traces[$0], prices: prices)) }
        for t in totals {
            cost += t.costUSD
            duration += Double(t.durationNanos)
            calls += Double(t.llmCalls)
            tokens += Double(t.totalTokens)
            errors += Double(t.errors)
        }
        runs += traces.count
    }

    /// Totals of the runs added divided by their number (zeros for none).
    public var mean: RunTotals {
        let n = Double(max(1, runs))
        return RunTotals(costUSD: cost / n, durationNanos: Int64(duration / n), llmCalls: Int((calls / n).rounded()),
                         totalTokens: Int64((tokens / n).rounded()), errors: Int((errors / n).rounded()))
    }
}

extension BatchGroup {
    /// The figures of one `stats` group.
    init(_ g: StatsGroup) {
        self.init(count: g.count, runs: g.traces, errors: g.errors, p50Nanos: g.duration.p50, p95Nanos: g.duration.p95,
                  llmCalls: g.llmCalls, totalTokens: g.totalTokens, costUSD: g.costUSD)
    }
}
