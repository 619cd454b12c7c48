import TraceConventions
import TraceModel

/// What a store had to drop because it was full.
public struct DropReport: Hashable, Sendable, CustomStringConvertible {
    /// Spans dropped since the store was created.
    public var count: Int
    /// The store's limit at the time.
    public var limit: Int
    /// Dropped spans per trace, for the traces that lost most (at most 20, largest first).
    public var byTrace: [TraceCount]

    /// A trace and how many of its spans were dropped.
    public struct TraceCount: Hashable, Sendable {
        /// The trace.
        public var traceID: TraceID
        /// Its dropped spans.
        public var dropped: Int
    }

    /// One line for a log or a reader's warnings.
    public var description: String {
        guard count > 0 else { return "no spans dropped" }
        let traces = byTrace.prefix(3).map { "\($0.traceID): \($0.dropped)" }.joined(separator: ", ")
        return "dropped \(count) span\(count == 1 ? "" : "s") because the span store was full (limit \(limit) unexported spans)"
            + (traces.isEmpty ? "" : "; most from trace \(traces)")
    }
}

/// Holds ended spans in memory, bounded, safe to use from any number of tasks at once (one lock,
/// held only to append or copy out).
///
/// Spans stay until an exporter has written them and room is needed: when the store holds
/// `limit` spans it first forgets exported ones (oldest first); when every span it holds is
/// still unexported, new spans are dropped and counted (the seed's tracer kept every span
/// forever). Readers (`trace(_:)`, the whole-file writers) see every span still held.
public final class SpanStore: Sendable {
    /// The most spans held at once.
    public let limit: Int
    private let chunkSize: Int

    struct State {
        /// Spans in arrival order, in fixed-size chunks so exported ones can be forgotten a chunk
        /// at a time without moving the rest.
        var chunks: [[TraceModel.Span]] = []
        /// Sequence number of `chunks[0][0]`.
        var firstSeq = 0
        /// Spans held.
        var held = 0
        /// Sequence number the next span gets (= spans accepted so far).
        var nextSeq = 0
        /// Spans with a sequence number below this have been exported.
        var exportedSeq = 0
        var dropped = 0
        var droppedByTrace: [TraceID: Int] = [:]
        var signalEvery = 0
        var signal: (@Sendable () -> Void)?
    }

    private let state: Locked<State>

    /// Creates a store holding at most `limit` spans (at least 1).
    public init(limit: Int = 1_000_000) {
        self.limit = max(1, limit)
        chunkSize = max(1, min(4096, self.limit / 16))
        state = Locked(State())
    }

    /// Adds an ended span; returns false when it was dropped because the store is full.
    @discardableResult
    public func record(_ span: consuming TraceModel.Span) -> Bool {
        let traceID = span.traceID
        // Moved, not copied, into the store: saves a retain/release per reference field.
        var incoming: TraceModel.Span? = span
        let (accepted, notify): (Bool, (@Sendable () -> Void)?) = state.withLock { s in
            if s.held >= limit {
                evictExported(&s)
                if s.held >= limit {
                    s.dropped += 1
                    // Bounded: past 10,000 distinct traces only the total keeps counting.
                    if s.droppedByTrace.count < 10_000 || s.droppedByTrace[traceID] != nil {
                        s.droppedByTrace[traceID, default: 0] += 1
                    }
                    // The first drop wakes an exporter: room comes only from exporting.
                    return (false, s.dropped == 1 ? s.signal : nil)
                }
            }
            if s.chunks.isEmpty || s.chunks[s.chunks.count - 1].count == chunkSize {
                var chunk: [TraceModel.Span] = []
                chunk.reserveCapacity(chunkSize)
                chunk.append(incoming.take()!)
                s.chunks.append(chunk)
            } else {
                s.chunks[s.chunks.count - 1].append(incoming.take()!)
            }
            s.held += 1
            s.nextSeq += 1
            let pending = s.nextSeq - s.exportedSeq
            let wake = s.signalEvery > 0 && pending % s.signalEvery == 0
            return (true, wake ? s.signal : nil)
        }
        notify?()
        return accepted
    }

    private func evictExported(_ s: inout State) {
        while let first = s.chunks.first, s.firstSeq + first.count <= s.exportedSeq,
              // Keep the chunk being filled.
              s.chunks.count > 1 || first.count == chunkSize {
            s.chunks.removeFirst()
            s.firstSeq += first.count
            s.held -= first.count
        }
    }

    /// Spans held now.
    public var count: Int { state.withLock { $0.held } }

    /// Spans recorded and not yet exported.
    public var pendingCount: Int { state.withLock { $0.nextSeq - $0.exportedSeq } }

    /// What was dropped so far.
    public var dropReport: DropReport {
        state.withLock { s in
            let top = s.droppedByTrace.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.description < $1.key.description }
                .prefix(20).map { DropReport.TraceCount(traceID: $0.key, dropped: $0.value) }
            return DropReport(count: s.dropped, limit: limit, byTrace: Array(top))
        }
    }

    /// Every span held, in the order they ended.
    public func spans() -> [TraceModel.Span] {
        state.withLock { s in
            var out: [TraceModel.Span] = []
            out.reserveCapacity(s.held)
            for c in s.chunks { out += c }
            return out
        }
    }

    /// The spans of trace `id` held now.
    public func spans(inTrace id: TraceID) -> [TraceModel.Span] {
        state.withLock { s in
            var out: [TraceModel.Span] = []
            for c in s.chunks { for span in c where span.traceID == id { out.append(span) } }
            return out
        }
    }

    /// Trace `id` as a `Trace`, LLM calls normalised as when reading a file.
    public func trace(_ id: TraceID) -> Trace {
        Trace(id: id, spans: spans(inTrace: id), llmCall: LLMConventions.call(for:))
    }

    /// Every held span grouped into traces (ordered by start, as a reader orders a file's), LLM
    /// calls normalised by the same table, with a warning when spans were dropped.
    ///
    /// Grouped here rather than by the readers' `SpanCollector`, so that recording links no
    /// reader: the spans come from this process, with no file positions to report.
    public func document(source: String = "AITracing") -> TraceDocument {
        var order: [TraceID] = []
        var groups: [TraceID: [TraceModel.Span]] = [:]
        for var span in spans() {
            _ = span.clampTimes()
            if groups[span.traceID] == nil { order.append(span.traceID) }
            groups[span.traceID, default: []].append(span)
        }
        var traces = Parallel.map(order.count) { i in
            Trace(id: order[i], spans: groups[order[i]]!, llmCall: LLMConventions.summaryCall(for:),
                  llmDetails: LLMConventions.call(for:))
        }
        traces.sort { a, b in a.startNanos != b.startNanos ? a.startNanos < b.startNanos : a.count > b.count }
        let report = dropReport
        return TraceDocument(source: source, format: "AITracing (in memory)", traces: traces,
                             warnings: report.count > 0 ? [report.description] : [])
    }

    // MARK: Export bookkeeping

    /// Up to `max` unexported spans, oldest first, and the sequence number to pass to
    /// `markExported` once they are safely written.
    func pending(max: Int) -> (spans: [TraceModel.Span], upTo: Int) {
        state.withLock { s in
            var out: [TraceModel.Span] = []
            var seq = s.firstSeq
            for c in s.chunks {
                if seq + c.count <= s.exportedSeq {
                    seq += c.count
                    continue
                }
                let from = Swift.max(0, s.exportedSeq - seq)
                let take = Swift.min(c.count - from, max - out.count)
                out += c[from..<from + take]
                seq += c.count
                if out.count >= max { break }
            }
            return (out, s.exportedSeq + out.count)
        }
    }

    /// Marks every span up to sequence number `upTo` as exported, so it may be forgotten when
    /// room is needed.
    func markExported(upTo: Int) {
        state.withLock { s in s.exportedSeq = Swift.max(s.exportedSeq, Swift.min(upTo, s.nextSeq)) }
    }

    /// Calls `signal` whenever the number of unexported spans reaches a multiple of `every`, and
    /// on the first drop (a batching exporter flushes then).
    func onPending(every: Int, _ signal: @escaping @Sendable () -> Void) {
        state.withLock { s in
            s.signalEvery = Swift.max(1, every)
            s.signal = signal
        }
    }

    /// Wakes a waiting exporter now (`Tracer.forceFlush`).
    func requestFlush() {
        let signal = state.withLock { $0.signal }
        signal?()
    }
}
