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
/// sizes compare fairly. Groups are computed here; the "workbench" branch's `TraceStats.groups`
/// computes the same table for `stats`, and the two are meant to become one.
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

    /// Groups `a` and `b` by `key`, pricing calls with `prices`.
    public init(a: [Trace], b: [Trace], by key: Key, prices: PriceTable) {
        self.key = key
        runsA = a.count
        runsB = b.count
        let (groupsA, timeA, meanA) = BatchDiff.groups(a, by: key, prices: prices)
        let (groupsB, timeB, meanB) = BatchDiff.groups(b, by: key, prices: prices)
        self.meanA = meanA
        self.meanB = meanB
        let keys = Set(groupsA.keys).union(groupsB.keys)
        rows = keys.map { Row(key: $0, a: groupsA[$0], b: groupsB[$0]) }.sorted { x, y in
            let tx = (timeA[x.key] ?? 0) &+ (timeB[x.key] ?? 0), ty = (timeA[y.key] ?? 0) &+ (timeB[y.key] ?? 0)
            return tx != ty ? tx > ty : x.key < y.key
        }
    }

    /// The `p` quantile (0…1) of ascending `sorted`: linear interpolation between the closest
    /// ranks at index (n−1)·p, numpy's default `method="linear"` (numpy.percentile docs).
    public static func percentile(_ sorted: [Int64], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        let x = Double(sorted[lo]), y = Double(sorted[hi])
        return x + (h - Double(lo)) * (y - x)
    }

    static func groups(_ traces: [Trace], by key: Key, prices: PriceTable)
        -> ([String: BatchGroup], [String: Int64], RunTotals) {
        var durations: [String: [Int64]] = [:]
        var groups: [String: BatchGroup] = [:]
        var lastRun: [String: Int] = [:]
        var cache: [String: ModelPrice?] = [:]
        var sum = RunTotals()
        for (r, trace) in traces.enumerated() {
            sum.durationNanos = sum.durationNanos &+ (trace.count == 0 ? 0 : trace.durationNanos)
            for i in 0..<trace.count {
                let span = trace.spans[i]
                let call = trace.llmCall(at: i)
                if span.status.isError { sum.errors += 1 }
                var cost: Double? = nil
                if let call {
                    cost = TraceStatistics.cost(of: call, prices: prices, cache: &cache).usd
                    sum.llmCalls += 1
                    sum.totalTokens = ModelUsage.sum(sum.totalTokens, call.totalTokens)
                    sum.costUSD += cost ?? 0
                }
                let name: String
                switch key {
                case .spanName: name = span.name
                case .model:
                    guard let call else { continue }
                    name = UsageTotals.modelName(of: call)
                }
                durations[name, default: []].append(span.durationNanos)
                var g = groups[name] ?? BatchGroup(count: 0, runs: 0, errors: 0, p50Nanos: 0, p95Nanos: 0, llmCalls: 0,
                                                   totalTokens: 0, costUSD: 0)
                g.count += 1
                if lastRun[name] != r { g.runs += 1; lastRun[name] = r }
                if span.status.isError { g.errors += 1 }
                if let call {
                    g.llmCalls += 1
                    g.totalTokens = ModelUsage.sum(g.totalTokens, call.totalTokens)
                    g.costUSD += cost ?? 0
                }
                groups[name] = g
            }
        }
        var time: [String: Int64] = [:]
        for (name, list) in durations {
            let sorted = list.sorted()
            groups[name]!.p50Nanos = percentile(sorted, 0.50)
            groups[name]!.p95Nanos = percentile(sorted, 0.95)
            time[name] = sorted.reduce(0) { $0 &+ $1 }
        }
        let n = Double(max(1, traces.count))
        let mean = RunTotals(costUSD: sum.costUSD / n, durationNanos: Int64(Double(sum.durationNanos) / n),
                             llmCalls: Int((Double(sum.llmCalls) / n).rounded()), totalTokens: Int64((Double(sum.totalTokens) / n).rounded()),
                             errors: Int((Double(sum.errors) / n).rounded()))
        return (groups, time, mean)
    }
}
