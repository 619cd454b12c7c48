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
/// explorer's loop takes the latest batch (`poll`). Once the scan is done, traces are decoded
/// one at a time from the lazy store (`decode`, called off the UI thread).
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

    init(path: String, prices: PriceTable) {
        self.path = path
        self.prices = prices
    }

    /// Starts the scan and the batching thread.
    func start() {
        let scan = Thread { [self] in
            do {
                let index = try TraceIndexer.index(path: path, progress: progress)
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
    private func feed() {
        var last: [IndexedRow] = []
        while true {
            let (finished, index, failure) = shared.withLock { ($0.finished, $0.index, $0.failure) }
            if finished {
                let rows = index.map { $0.traces.map(row) } ?? last
                let total = Int64(progress.totalBytes)
                let batch = IndexBatch(sequence: 0, rows: rows, bytesRead: failure == nil ? total : Int64(progress.bytesScanned),
                                       totalBytes: total, done: true, failure: failure, format: index?.format,
                                       warnings: index?.warnings ?? [], skippedSpans: index?.skippedSpans ?? 0)
                publish(batch)
                return
            }
            if let partial = progress.partialTraces() {
                last = partial.map(row)
                publish(IndexBatch(sequence: 0, rows: last, bytesRead: Int64(progress.bytesScanned),
                                   totalBytes: Int64(progress.totalBytes)))
            } else if progress.totalBytes > 0 {
                publish(IndexBatch(sequence: 0, rows: last, bytesRead: Int64(progress.bytesScanned),
                                   totalBytes: Int64(progress.totalBytes)))
            }
            usleep(UInt32(1_000_000 / IndexFeed.batchesPerSecond))
        }
    }

    private func publish(_ batch: IndexBatch) {
        shared.withLock {
            $0.sequence += 1
            var b = batch
            b.sequence = $0.sequence
            $0.pending = b
        }
    }

    private func row(_ e: TraceIndexEntry) -> IndexedRow {
        IndexedRow(id: e.id, rootService: e.rootService,
                   facts: TraceFacts(rootName: e.rootName, rootService: e.rootService, startNanos: e.startNanos,
                                     durationNanos: e.durationNanos, spanCount: e.spanCount, errorCount: e.errorCount,
                                     calls: e.llmCalls, prices: prices))
    }

    /// The newest batch not yet taken, as the action that brings it (called by the explorer's loop).
    func poll() -> Action? {
        shared.withLock { state in
            defer { state.pending = nil }
            return state.pending.map(Action.indexProgress)
        }
    }

    /// Reads trace `id` from the file (blocking; the explorer calls it off its thread).
    func decode(_ id: TraceID) -> DecodedTrace {
        let (store, position) = shared.withLock { ($0.store, $0.positions[id]) }
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
