#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Explorer
import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel

/// The explorer's side of a large file read through its index: the scan runs on a thread of its
/// own, a second thread turns what it found so far into list rows a few times a second, and the
/// explorer's loop takes the latest batch (`poll`). Traces are decoded one at a time from the
/// lazy store (`decode`, called off the UI thread); before the scan is done, from what it has
/// found of the trace so far.
final class IndexFeed: Sendable {
    /// Batches per second while the scan runs.
    static let batchesPerSecond = 4

    private let path: String
    let prices: PriceTable
    private let progress = IndexProgress()
    private struct Shared: Sendable {
        var pending: IndexBatch?
        var sequence = 0
        var store: LazyTraceStore?
        var positions: [TraceID: Int] = [:]
        var finished = false
        var failure: String?
        var index: TraceIndex?
    }
    private let shared = Locked(Shared())

    /// The keys the scan names sessions by.
    private let sessionKeys: SessionKeys

    init(path: String, prices: PriceTable, sessionKeys: SessionKeys = .standard) {
        self.path = path
        self.prices = prices
        self.sessionKeys = sessionKeys
    }

    /// A feed over a file already indexed (`spanscope FILE --trace ID`): no scan, no batches;
    /// traces are decoded from `store`.
    init(store: LazyTraceStore, prices: PriceTable) {
        path = store.index.source
        self.prices = prices
        sessionKeys = .standard
        var positions: [TraceID: Int] = [:]
        positions.reserveCapacity(store.count)
        for (i, t) in store.index.traces.enumerated() { positions[t.id] = i }
        shared.withLock {
            $0.store = store
            $0.positions = positions
            $0.index = store.index
            $0.finished = true
        }
    }

    /// The last batch of a finished index: every row, in index order.
    func finalBatch(_ index: TraceIndex) -> IndexBatch {
        IndexBatch(sequence: 0, rows: rows(of: index), bytesRead: index.bytes, totalBytes: index.bytes, done: true,
                   format: index.format, warnings: index.warnings, skippedSpans: index.skippedSpans)
    }

    /// Starts the scan and the batching thread.
    func start() {
        let scan = Thread { [self] in
            do {
                let index = try TraceIndexer.index(path: path, progress: progress, sessionKeys: sessionKeys.keys)
                let store = try LazyTraceStore(index: index)
                var positions: [TraceID: Int] = [:]
                positions.reserveCapacity(index.traces.count)
                for (i, t) in index.traces.enumerated() { positions[t.id] = i }
                shared.withLock {
                    $0.store = store
                    $0.positions = positions
                    $0.index = index
                    $0.finished = true
                }
            } catch {
                shared.withLock {
                    $0.failure = String(describing: error)
                    $0.finished = true
                }
            }
        }
        scan.stackSize = 8 << 20
        scan.start()
        Thread { [self] in feed() }.start()
    }

    /// Turns the scan's partial results into batches until the scan ends, then sends the last one.
    /// Partial batches keep each trace at the row it first had and name the rows new or grown, so
    /// the list merges them in rather than sorting every row again.
    private func feed() {
        var found = IndexedRowSet()
        while true {
            let (finished, index, failure) = shared.withLock { ($0.finished, $0.index, $0.failure) }
            if finished {
                let all = index.map { self.rows(of: $0, reusing: found) } ?? found.rows
                let total = Int64(progress.totalBytes)
                let batch = IndexBatch(sequence: 0, rows: all, bytesRead: failure == nil ? total : Int64(progress.bytesScanned),
                                       totalBytes: total, done: true, failure: failure, format: index?.format,
                                       warnings: index?.warnings ?? [], skippedSpans: index?.skippedSpans ?? 0)
                publish(batch)
                return
            }
            if let partial = progress.partialTraces() {
                let changed = found.take(count: partial.count, id: { partial[$0].id }, spans: { partial[$0].spanCount },
                                         row: { self.row(partial[$0]) })
                publish(IndexBatch(sequence: 0, rows: found.rows, changed: changed, bytesRead: Int64(progress.bytesScanned),
                                   totalBytes: Int64(progress.totalBytes)))
            } else if progress.totalBytes > 0 {
                publish(IndexBatch(sequence: 0, rows: found.rows, changed: [], bytesRead: Int64(progress.bytesScanned),
                                   totalBytes: Int64(progress.totalBytes)))
            }
            usleep(UInt32(1_000_000 / IndexFeed.batchesPerSecond))
        }
    }

    /// Leaves `batch` for the explorer's loop; a batch it has not taken yet is replaced, its
    /// changed rows carried into the new one.
    private func publish(_ batch: IndexBatch) {
        shared.withLock {
            $0.sequence += 1
            var b = batch
            b.sequence = $0.sequence
            if let untaken = $0.pending, let before = untaken.changed, let now = b.changed {
                b.changed = Array(Set(before).union(now))
            } else if $0.pending != nil {
                b.changed = nil
            }
            $0.pending = b
        }
    }

    /// A list row for every trace of a finished index, worked out on all cores; a row the scan's
    /// partial batches already made is kept when the trace is as it was then. The explorer's full
    /// list waits for these, and pricing every trace's calls again took a fifth of the CPU of a
    /// one-core open of a 2.1 GB file.
    func rows(of index: TraceIndex, reusing found: IndexedRowSet = IndexedRowSet()) -> [IndexedRow] {
        Parallel.map(index.traces.count) { i in
            let e = index.traces[i]
            if let old = found.row(for: e.id), IndexFeed.unchanged(old, e) { return old }
            return row(e)
        }
    }

    /// True when `row` was made from `e` as it is now: its calls grow only with its spans, and
    /// every other input of the row is compared.
    static func unchanged(_ row: IndexedRow, _ e: TraceIndexEntry) -> Bool {
        let f = row.facts
        return f.spanCount == e.spanCount && f.llmCalls == e.llmCalls.count && f.errorCount == e.errorCount
            && f.startNanos == e.startNanos && f.durationNanos == e.durationNanos && f.rootName == e.rootName
            && row.rootService == e.rootService && f.sessionID == e.sessionID
    }

    /// A list row for an index entry.
    func row(_ e: TraceIndexEntry) -> IndexedRow {
        IndexedRow(id: e.id, rootService: e.rootService,
                   facts: TraceFacts(rootName: e.rootName, rootService: e.rootService, startNanos: e.startNanos,
                                     durationNanos: e.durationNanos, spanCount: e.spanCount, errorCount: e.errorCount,
                                     calls: e.llmCalls, prices: prices, sessionID: e.sessionID))
    }

    /// The newest batch not yet taken, as the action that brings it (called by the explorer's loop).
    func poll() -> Action? {
        shared.withLock { state in
            defer { state.pending = nil }
            return state.pending.map(Action.indexProgress)
        }
    }

    /// Reads trace `id` from the file (blocking; the explorer calls it off its thread). While the
    /// scan runs, reads the spans it has found of the trace so far, marked partial.
    func decode(_ id: TraceID) -> DecodedTrace {
        let (store, position, finished) = shared.withLock { ($0.store, $0.positions[id], $0.finished) }
        if !finished {
            guard let partial = progress.partialIndex(of: id, source: path) else {
                return DecodedTrace(id: id, error: "trace \(id) is not in the part of the file read so far")
            }
            do {
                return DecodedTrace(id: id, trace: try LazyTraceStore(index: partial).trace(at: 0), prices: prices,
                                    partialSpans: partial.traces[0].spanCount)
            } catch {
                return DecodedTrace(id: id, error: String(describing: error))
            }
        }
        guard let store, let position else { return DecodedTrace(id: id, error: "trace \(id) is not in the index") }
        do {
            return DecodedTrace(id: id, trace: try store.trace(at: position), prices: prices)
        } catch {
            return DecodedTrace(id: id, error: String(describing: error))
        }
    }

    /// The store once the scan is done (nil before, or when it failed).
    var store: LazyTraceStore? { shared.withLock { $0.store } }

    /// Size of `path` in bytes (0 when it cannot be read).
    static func size(of path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
