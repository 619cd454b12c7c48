#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// Exports a store's spans in batches: when `maxBatchSize` spans are waiting, when `maxDelay`
/// has passed, on `flush()`, and a last time on `shutdown()`.
///
/// A failed export (read-only folder, full disk) is reported once through `onError` and the
/// spans stay in the store, to be retried at the next flush; after a success, a new failure is
/// reported again. Spans beyond the store's limit are dropped and counted (`store.dropReport`),
/// never queued without bound. A store feeds one batching exporter: it keeps a single
/// "exported up to here" mark.
public actor BatchingExporter {
    /// The store whose spans are exported.
    public nonisolated let store: SpanStore
    /// Spans per export call, and the backlog that triggers one.
    public nonisolated let maxBatchSize: Int
    /// Longest time a span waits before an export is attempted.
    public nonisolated let maxDelay: Duration

    private let exporter: any SpanExporter
    private let onError: @Sendable (AITracingError) -> Void
    private let continuation: AsyncStream<Void>.Continuation
    private let runner: Task<Void, Never>
    private let target = FlushTarget()
    private var inFlight: Task<Bool, Never>?
    private var failing = false
    private var stopped = false

    /// The last export failure, nil after a later success.
    public private(set) var lastError: AITracingError?
    /// Spans exported so far.
    public private(set) var exportedSpans = 0
    /// Export calls that failed so far.
    public private(set) var failedExports = 0

    /// Starts exporting `store`'s spans to `exporter`.
    ///
    /// - Parameter onError: told about the first failure of a run of failures; by default a
    ///   line on standard error.
    public init(store: SpanStore, exporter: some SpanExporter, maxBatchSize: Int = 512,
                maxDelay: Duration = .seconds(1),
                onError: @escaping @Sendable (AITracingError) -> Void = BatchingExporter.printToStandardError) {
        self.store = store
        self.exporter = exporter
        self.maxBatchSize = max(1, maxBatchSize)
        self.maxDelay = maxDelay
        self.onError = onError
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.continuation = continuation
        store.onPending(every: self.maxBatchSize) { continuation.yield() }
        runner = Task { [target, maxDelay] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: maxDelay) } catch { return }
                        continuation.yield()
                    }
                }
                for await _ in signals {
                    _ = await target.flush()
                }
                group.cancelAll()
            }
        }
        target.set { [weak self] in await self?.flush() ?? true }
    }

    /// Exports every waiting span now; false when an export failed (the spans are kept).
    @discardableResult
    public func flush() async -> Bool {
        // One drain at a time: a second caller waits for the first, then drains what is left,
        // so no span is handed to the exporter twice.
        let previous = inFlight
        let task = Task<Bool, Never> {
            _ = await previous?.value
            return await self.drain()
        }
        inFlight = task
        return await task.value
    }

    private func drain() async -> Bool {
        while true {
            let (batch, upTo) = store.pending(max: maxBatchSize)
            if batch.isEmpty { return true }
            do {
                try await exporter.export(batch)
                store.markExported(upTo: upTo)
                exportedSpans += batch.count
                failing = false
                lastError = nil
            } catch {
                failedExports += 1
                let kept = store.pendingCount
                let described = AITracingError(error.kind, subject: error.subject,
                                                reason: error.reason + "; \(kept) span\(kept == 1 ? "" : "s") kept in memory, to be retried")
                lastError = described
                if !failing {
                    failing = true
                    onError(described)
                }
                return false
            }
        }
    }

    /// Stops the timer, exports what is waiting, and returns whether everything was written.
    @discardableResult
    public func shutdown() async -> Bool {
        if !stopped {
            stopped = true
            continuation.finish()
            runner.cancel()
            await runner.value
        }
        return await flush()
    }

    /// The default error report: one line on standard error.
    public static let printToStandardError: @Sendable (AITracingError) -> Void = { error in
        let line = Array("AITracing: export failed: \(error)\n".utf8)
        line.withUnsafeBytes { raw in _ = write(2, raw.baseAddress, raw.count) }
    }
}

/// Lets the exporter's background task call back into the actor without holding it alive.
private final class FlushTarget: Sendable {
    private let action = Locked<(@Sendable () async -> Bool)?>(nil)

    func set(_ flush: @escaping @Sendable () async -> Bool) {
        action.withLock { $0 = flush }
    }

    func flush() async -> Bool {
        guard let f = action.withLock({ $0 }) else { return true }
        return await f()
    }
}
