import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope stats` over a `LazyTraceStore`: the table `TraceStats.groups` gives for a full
/// load, built a batch of traces at a time so that memory holds the index, one batch and the
/// groups' durations, never the whole file.
public enum IndexedStats {
    /// The stats table of every trace in the store (in index order, which is a full load's).
    ///
    /// - Parameter detail: how much of each span to decode: `.full` when the query or the
    ///   grouping reads attributes (sessions, tools), else `.summary`; a store with span
    ///   skeletons answers `.summary` from them, and sessions from its index.
    public static func table(_ store: LazyTraceStore, by grouping: StatsGrouping, where query: TraceQuery? = nil,
                             prices: PriceTable = .standard, sessionKeys: SessionKeys = .standard,
                             detail: TraceLoader.Detail, batchBytes: Int64 = IndexedSummary.batchBytes) throws -> StatsTable {
        var accumulator = StatsAccumulator(by: grouping, where: query, prices: prices, sessionKeys: sessionKeys)
        var read = 0
        try IndexedSummary.forEachBatch(store, batchBytes: batchBytes, detail: detail) { batch in
            add(batch, from: store, at: read, detail: detail, to: &accumulator)
            read += batch.count
        }
        return accumulator.table()
    }

    /// Adds a batch of the store's traces, the first at position `first`. Traces built from span
    /// skeletons carry no attributes, so their sessions come from the index, which found them by
    /// the same rule while scanning (the store must be indexed with the same session keys).
    static func add(_ batch: [Trace], from store: LazyTraceStore, at first: Int, detail: TraceLoader.Detail,
                    to accumulator: inout StatsAccumulator) {
        if detail == .summary && store.hasSkeletons {
            let entries = store.index.traces
            accumulator.add(batch, sessions: (first..<first + batch.count).map { entries[$0].sessionID })
        } else {
            accumulator.add(batch)
        }
    }

    /// `table`, telling `onBatch` after each batch how many of the store's traces were read;
    /// nil when `onBatch` answers false (the explorer no longer wants the table: it stops there).
    public static func table(_ store: LazyTraceStore, by grouping: StatsGrouping, where query: TraceQuery? = nil,
                             prices: PriceTable = .standard, sessionKeys: SessionKeys = .standard,
                             detail: TraceLoader.Detail, batchBytes: Int64 = IndexedSummary.batchBytes,
                             onBatch: (_ read: Int, _ total: Int) -> Bool) throws -> StatsTable? {
        struct Stopped: Error {}
        var accumulator = StatsAccumulator(by: grouping, where: query, prices: prices, sessionKeys: sessionKeys)
        var read = 0
        do {
            try IndexedSummary.forEachBatch(store, batchBytes: batchBytes, detail: detail) { batch in
                add(batch, from: store, at: read, detail: detail, to: &accumulator)
                read += batch.count
                if !onBatch(read, store.count) { throw Stopped() }
            }
        } catch is Stopped {
            return nil
        }
        return accumulator.table()
    }
}

extension IndexedStats {
    /// One side of `diff --by` over a store: its stats table grouped by `key` and its mean run,
    /// in one pass a batch at a time (`BatchDiff(a:b:meanA:meanB:by:)` compares two of these).
    public static func diffSide(_ store: LazyTraceStore, by key: BatchDiff.Key, prices: PriceTable = .standard,
                                batchBytes: Int64 = IndexedSummary.batchBytes) throws -> (table: StatsTable, mean: RunTotals) {
        var accumulator = StatsAccumulator(by: key.grouping, prices: prices)
        var sums = RunSums()
        try IndexedSummary.forEachBatch(store, batchBytes: batchBytes, detail: .summary) { batch in
            accumulator.add(batch)
            sums.add(batch, prices: prices)
        }
        return (accumulator.table(), sums.mean)
    }
}
