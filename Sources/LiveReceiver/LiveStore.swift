import TraceFormats
import TraceModel

/// What a receiver has taken in and let go of so far.
public struct ReceiverCounters: Sendable, Equatable {
    /// Requests answered with success (2xx).
    public var requests = 0
    /// Requests refused (4xx or 5xx).
    public var failedRequests = 0
    /// Spans accepted.
    public var acceptedSpans = 0
    /// Spans rejected inside otherwise good requests (reported back as partial success).
    public var rejectedSpans = 0
    /// Whole traces let go to stay under the span limit.
    public var evictedTraces = 0
    /// Spans in those traces.
    public var evictedSpans = 0
    /// Spans of one trace that alone outgrew the span limit, left out of the view (still saved).
    public var droppedSpans = 0
    /// Traces held now.
    public var heldTraces = 0
    /// Spans held now.
    public var heldSpans = 0

    /// Creates zero counters.
    public init() {}
}

/// The received traces at one moment, ready for a viewer.
public struct LiveSnapshot: Sendable {
    /// Increases with every change to the store; equal revisions mean equal contents.
    public let revision: UInt64
    /// The traces, ordered by start time (ties: first received first).
    public let traces: [Trace]
    /// For each trace, the store revision at which it last changed: a viewer can keep what it
    /// worked out for a trace while this number stays the same.
    public let traceRevisions: [UInt64]
    /// Counters at the time of the snapshot.
    public let counters: ReceiverCounters
    /// The latest problems (refused requests, rejected spans), oldest first, at most `LiveStore.problemLimit`.
    public let problems: [String]
}

/// The traces a receiver holds: spans grouped by trace, bounded by a span limit, safe to use
/// from request handlers on many threads and from a viewer at the same time.
///
/// When the limit is passed, whole traces are let go, the one that received a span longest ago
/// first, so a trace that is still growing stays. Spans within a trace are only ever appended,
/// so span indices in a snapshot's traces stay valid in later snapshots of the same trace.
public final class LiveStore: Sendable {
    /// Problems kept for the warnings view.
    public static let problemLimit = 100

    /// Most spans held at once.
    public let maxSpans: Int

    private struct Entry {
        var spans: [Span]
        /// Store revision of the last change.
        var revision: UInt64
        /// When it was created (orders traces that start at the same time).
        let created: UInt64
        /// The indexed trace, when built at `builtRevision`.
        var built: Trace?
        var builtRevision: UInt64 = 0
    }

    private struct State {
        var entries: [TraceID: Entry] = [:]
        /// (revision of a change, trace) in change order; stale pairs are skipped when popped.
        var touches: [(stamp: UInt64, trace: TraceID)] = []
        var touchHead = 0
        var revision: UInt64 = 0
        var counters = ReceiverCounters()
        var problems: [String] = []
    }

    private let state = Locked(State())

    /// A store holding at most `maxSpans` spans (at least 1).
    public init(maxSpans: Int) {
        self.maxSpans = max(1, maxSpans)
    }

    /// The current counters.
    public var counters: ReceiverCounters { state.withLock { $0.counters } }

    /// The current revision (0 before anything was received).
    public var revision: UInt64 { state.withLock { $0.revision } }

    /// Adds the spans of one accepted request (grouped by trace) and counts its rejected spans,
    /// evicting old traces when over the limit.
    public func add(_ groups: [(trace: TraceID, spans: [Span])], rejected: Int = 0, problem: String = "") {
        let limit = maxSpans
        state.withLock { s in
            s.counters.requests += 1
            s.counters.rejectedSpans += rejected
            if !problem.isEmpty { LiveStore.note(problem, in: &s) }
            s.revision += 1
            let stamp = s.revision
            // Appended spans per touched trace, to take back if the request alone is over the limit.
            var added: [(trace: TraceID, count: Int)] = []
            for g in groups where !g.spans.isEmpty {
                if s.entries[g.trace] != nil {
                    s.entries[g.trace]!.spans.append(contentsOf: g.spans)
                    s.entries[g.trace]!.revision = stamp
                } else {
                    s.entries[g.trace] = Entry(spans: g.spans, revision: stamp, created: stamp)
                    s.counters.heldTraces += 1
                }
                s.touches.append((stamp, g.trace))
                s.counters.heldSpans += g.spans.count
                s.counters.acceptedSpans += g.spans.count
                added.append((g.trace, g.spans.count))
            }
            // Least recently changed first; this request's traces carry the newest stamp, so
            // reaching one means every older trace is gone.
            while s.counters.heldSpans > limit, s.touchHead < s.touches.count {
                let (t, id) = s.touches[s.touchHead]
                guard let e = s.entries[id], e.revision == t else {
                    s.touchHead += 1
                    continue
                }
                if t == stamp { break }
                s.touchHead += 1
                s.entries[id] = nil
                s.counters.heldTraces -= 1
                s.counters.heldSpans -= e.spans.count
                s.counters.evictedTraces += 1
                s.counters.evictedSpans += e.spans.count
            }
            // Still over: this request alone holds too much. Its newest spans stay out of view.
            var i = added.count - 1
            while s.counters.heldSpans > limit, i >= 0 {
                let (id, count) = added[i]
                let drop = min(count, s.counters.heldSpans - limit)
                s.entries[id]!.spans.removeLast(drop)
                s.counters.heldSpans -= drop
                s.counters.droppedSpans += drop
                if s.entries[id]!.spans.isEmpty {
                    s.entries[id] = nil
                    s.counters.heldTraces -= 1
                }
                i -= 1
            }
            LiveStore.compactTouches(&s)
        }
    }

    /// Counts a refused request and remembers why.
    public func refused(_ problem: String) {
        state.withLock { s in
            s.counters.failedRequests += 1
            LiveStore.note(problem, in: &s)
        }
    }

    private static func note(_ problem: String, in s: inout State) {
        s.problems.append(String(problem.prefix(500)))
        if s.problems.count > problemLimit { s.problems.removeFirst(s.problems.count - problemLimit) }
        // A new problem is a change a viewer should see.
        s.revision += 1
    }

    /// Drops popped and stale touches once they outnumber the live ones, so the list stays
    /// proportional to the traces held (amortised constant work per change).
    private static func compactTouches(_ s: inout State) {
        let live = s.touches.count - s.touchHead
        guard live > 2 * s.entries.count + 64 || s.touchHead > 4096 else { return }
        var kept: [(stamp: UInt64, trace: TraceID)] = []
        kept.reserveCapacity(s.entries.count)
        for i in s.touchHead..<s.touches.count {
            let (t, id) = s.touches[i]
            if s.entries[id]?.revision == t { kept.append((t, id)) }
        }
        s.touches = kept
        s.touchHead = 0
    }

    /// The traces now, or nil when nothing changed since `revision`.
    ///
    /// Only traces that changed since they were last built are indexed again, outside the lock,
    /// so receiving goes on while a viewer takes a snapshot.
    public func snapshot(after revision: UInt64? = nil) -> LiveSnapshot? {
        var ready: [(trace: Trace, revision: UInt64, created: UInt64)] = []
        var stale: [(id: TraceID, spans: [Span], revision: UInt64, created: UInt64)] = []
        let taken: (UInt64, ReceiverCounters, [String])? = state.withLock { s in
            if let r = revision, r == s.revision { return nil }
            for (id, e) in s.entries {
                if let t = e.built, e.builtRevision == e.revision {
                    ready.append((t, e.revision, e.created))
                } else {
                    stale.append((id, e.spans, e.revision, e.created))
                }
            }
            return (s.revision, s.counters, s.problems)
        }
        guard let (current, counters, problems) = taken else { return nil }
        if !stale.isEmpty {
            var collector = SpanCollector()
            for t in stale { for span in t.spans { collector.add(span) } }
            var byID: [TraceID: Trace] = [:]
            for t in collector.document(source: "live").traces { byID[t.id] = t }
            state.withLock { s in
                for t in stale {
                    guard let built = byID[t.id], s.entries[t.id]?.revision == t.revision else { continue }
                    s.entries[t.id]!.built = built
                    s.entries[t.id]!.builtRevision = t.revision
                    // Share the trace's span array: one copy in memory until the next append.
                    s.entries[t.id]!.spans = built.spans
                }
            }
            for t in stale {
                if let built = byID[t.id] { ready.append((built, t.revision, t.created)) }
            }
        }
        ready.sort { a, b in
            a.trace.startNanos != b.trace.startNanos ? a.trace.startNanos < b.trace.startNanos : a.created < b.created
        }
        return LiveSnapshot(revision: current, traces: ready.map(\.trace), traceRevisions: ready.map(\.revision),
                            counters: counters, problems: problems)
    }
}
