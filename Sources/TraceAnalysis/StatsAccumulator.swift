import TraceModel

/// `TraceStats.groups` fed a batch of traces at a time, so that a file too large to hold can be
/// read trace by trace: memory is the groups (two durations per entry), not the traces.
///
/// Batches must come in the order the whole list would have: the table is then the one
/// `TraceStats.groups` gives for all the traces at once, double for double (percentiles need
/// every value, so each group keeps its entries' durations; sums run in the same order).
public struct StatsAccumulator: Sendable {
    /// What the rows are grouped by.
    public let grouping: StatsGrouping
    private let query: TraceQuery?
    private let prices: PriceTable
    private let sessionKeys: SessionKeys
    private var merged: [String: TraceStats.Partial] = [:]
    private var selected = 0

    /// An empty table grouped `by`, over the traces that will match `query`.
    public init(by grouping: StatsGrouping, where query: TraceQuery? = nil, prices: PriceTable = .standard,
                sessionKeys: SessionKeys = .standard) {
        self.grouping = grouping
        self.query = query
        self.prices = prices
        self.sessionKeys = sessionKeys
    }

    /// Adds the next traces (on all cores); they need not be kept afterwards.
    public mutating func add(_ traces: [Trace]) { add(traces, facts: nil) }

    /// Adds the next traces, taking each one's session id from `sessions` (parallel to `traces`)
    /// rather than from its spans: for traces built without attributes, whose sessions an index
    /// found while scanning.
    public mutating func add(_ traces: [Trace], sessions: [String?]) {
        precondition(sessions.count == traces.count, "one session per trace")
        guard grouping == .session || !(query?.isEmpty ?? true) else { return add(traces, facts: nil) }
        let facts = TraceFacts.compute(traces, prices: prices, sessionKeys: sessionKeys)
        add(traces, facts: facts.indices.map { facts[$0].replacingSession(sessions[$0]) })
    }

    /// Adds the next traces with their facts when already worked out.
    public mutating func add(_ traces: [Trace], facts known: [TraceFacts]?) {
        let (chosen, facts) = TraceStats.select(traces, query: query, facts: known, grouping: grouping, prices: prices,
                                                sessionKeys: sessionKeys)
        let grouping = self.grouping, prices = self.prices
        let partials: [[String: TraceStats.Partial]] = Parallel.map(chosen.count) { j in
            let t = chosen[j]
            return TraceStats.partial(traces[t], facts: facts?[t], by: grouping, prices: prices)
        }
        for part in partials {
            for (key, p) in part {
                if var into = merged.removeValue(forKey: key) {
                    into.absorb(p)
                    merged[key] = into
                } else {
                    merged[key] = p
                }
            }
        }
        selected += chosen.count
    }

    /// The table of every trace added so far, ordered as `TraceStats.groups` orders it.
    public func table() -> StatsTable {
        let grouping = self.grouping
        // Groups are finished on all cores: selection is most of the work left.
        let finished = Array(merged)
        var groups: [StatsGroup] = Parallel.map(finished.count) { g in
            finished[g].value.group(key: finished[g].key, withSelf: grouping != .session)
        }
        groups.sort { a, b in
            if grouping == .model, a.costUSD != b.costUSD { return a.costUSD > b.costUSD }
            if a.totalNanos != b.totalNanos { return a.totalNanos > b.totalNanos }
            return a.key < b.key
        }
        return StatsTable(grouping: grouping, traces: selected, groups: groups)
    }
}
