import TraceModel

/// Where consecutive spans of one trace sit in the file: from the first span's `{` to the last
/// one's `}` (commas between them included), inside one `spans` array.
struct SpanRun: Sendable {
    var start: Int64
    var end: Int64
    /// Index into `TraceIndex.contexts`.
    var context: Int32
    /// Spans in the run.
    var spans: Int32
}

/// The resource and scope that surround a `spans` array, as byte ranges, so a trace read again
/// from the file gets the same service and origin as in a full load.
struct SpanContext: Sendable {
    var resource: Range<Int64>?
    var scope: Range<Int64>?
    /// The resource's `service.name`.
    var service: String = ""
    /// The resource's session id (`SessionConventions.best` over its attributes).
    var session: String?
}

/// One trace as the scan saw it: what a trace list shows, without its spans.
public struct TraceIndexEntry: Sendable {
    /// The trace id.
    public let id: TraceID
    /// The root span's name: the earliest span without a parent (else the earliest span).
    public internal(set) var rootName: String = ""
    /// The root span's service.
    public internal(set) var rootService: String = ""
    /// Earliest start over its spans (ns since epoch).
    public internal(set) var startNanos: Int64 = .max
    /// Latest end over its spans (ns since epoch).
    public internal(set) var endNanos: Int64 = .min
    /// Spans read.
    public internal(set) var spanCount = 0
    /// Spans whose status is error.
    public internal(set) var errorCount = 0
    /// Its LLM calls without messages, as the full load's index holds them (for tokens and cost).
    public internal(set) var llmCalls: [LLMCall] = []
    /// True when a span without a parent was found (else `rootName` is the earliest span's,
    /// which a full load may replace by an orphan's).
    public internal(set) var hasParentlessRoot = false

    var runs: [SpanRun] = []
    var rootStart: Int64 = .max
    var rootContext: Int32 = -1
    /// The root candidate's own session value, and its resource's (set with `rootService`).
    var rootSession: String?
    var rootResourceSession: String?
    /// The session value of the first span in the file that has one, and whether another span
    /// has a different one (then only the spans' tree order, which a full load has, decides).
    var anySession: String?
    var sessionsDiffer = false
    /// The session found by reading the trace's spans, for traces the scan alone cannot decide.
    var resolvedSession: String?

    /// The session (conversation) id, by the rule `Trace.sessionID(keys:)` follows on a full load
    /// with the keys the index was made with: the root span's, else its resource's, else the
    /// first span's in tree order that has one.
    public var sessionID: String? {
        if needsSpansForSession { return resolvedSession }
        return rootSession ?? rootResourceSession ?? anySession
    }

    /// True when the scan alone cannot tell the session as a full load would: spans disagree and
    /// the root has none, or the trace has no parentless root (a full load may pick an orphan).
    var needsSpansForSession: Bool {
        guard anySession != nil || rootResourceSession != nil else { return false }
        if !hasParentlessRoot { return true }
        return rootSession == nil && rootResourceSession == nil && sessionsDiffer
    }

    init(id: TraceID) { self.id = id }

    /// Latest end minus earliest start.
    public var durationNanos: Int64 { spanCount == 0 ? 0 : endNanos &- startNanos }

    /// Bytes of the file its spans take up.
    public var spanBytes: Int64 { runs.reduce(0) { $0 + ($1.end - $1.start) } }

    /// Takes a better root candidate: parentless beats orphan, then the earlier start (the
    /// earlier in the file on a tie, which the current candidate is).
    mutating func offerRoot(name: @autoclosure () -> String, start: Int64, parentless: Bool, context: Int32, session: String?) {
        if parentless == hasParentlessRoot {
            guard start < rootStart else { return }
        } else if !parentless {
            return
        }
        hasParentlessRoot = parentless
        rootStart = start
        rootName = name()
        rootContext = context
        rootSession = session
    }

    /// Counts a span's session value (nil: it has none) towards the any-span rule.
    mutating func offerSession(_ session: String?) {
        guard let session else { return }
        if let seen = anySession {
            if seen != session { sessionsDiffer = true }
        } else {
            anySession = session
        }
    }

    /// Takes the root's service and resource session from the context table its part made.
    mutating func resolveRootContext(_ contexts: [SpanContext]) {
        guard rootContext >= 0, Int(rootContext) < contexts.count else { return }
        rootService = contexts[Int(rootContext)].service
        rootResourceSession = contexts[Int(rootContext)].session
    }

    /// Adds what another part of the file held for the same trace (which comes after this one).
    mutating func absorb(_ other: TraceIndexEntry, contextBase: Int32) {
        let takeRoot = other.hasParentlessRoot == hasParentlessRoot ? other.rootStart < rootStart : other.hasParentlessRoot
        if takeRoot {
            hasParentlessRoot = other.hasParentlessRoot
            rootStart = other.rootStart
            rootName = other.rootName
            rootService = other.rootService
            rootSession = other.rootSession
            rootResourceSession = other.rootResourceSession
        }
        offerSession(other.anySession)
        if other.sessionsDiffer { sessionsDiffer = true }
        startNanos = min(startNanos, other.startNanos)
        endNanos = max(endNanos, other.endNanos)
        spanCount += other.spanCount
        errorCount += other.errorCount
        llmCalls.append(contentsOf: other.llmCalls)
        runs.reserveCapacity(runs.count + other.runs.count)
        for var r in other.runs {
            r.context += contextBase
            runs.append(r)
        }
    }
}

/// Size, time and inode of a file when it was indexed, to tell whether it changed since.
struct FileIdentity: Sendable, Equatable {
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanos: Int
    var inode: UInt64
}

/// Every trace of an OTLP JSON Lines file, found by one fast pass that keeps per-trace totals
/// and the byte ranges of its spans rather than the spans (see `TraceIndexer`).
public struct TraceIndex: Sendable {
    /// The file.
    public let source: String
    /// `OTLP JSON Lines`, or `OTLP JSON` for a file that holds one request.
    public let format: String
    /// Traces ordered as a full load orders them: by start, then larger first, then file order.
    public let traces: [TraceIndexEntry]
    /// Spans that could not be used, with file positions.
    public let warnings: [String]
    /// Spans skipped (no trace id, no span id or no start time).
    public let skippedSpans: Int
    /// Bytes indexed.
    public let bytes: Int64
    let contexts: [SpanContext]
    let identity: FileIdentity
    /// Lines (request objects) of other OTLP signals, by signal (`logs`, `metrics`, `profiles`),
    /// as a full load counts them in `TraceDocument.skippedLines`.
    public internal(set) var skippedLines: [String: Int] = [:]

    /// The warnings a full load of the file gives once it also knows how many exact duplicate
    /// spans decoding the traces kept once (the scan cannot tell): that warning goes where a
    /// full load puts it, before the one about other signals' lines.
    public func warnings(duplicatesMerged: Int) -> [String] {
        guard duplicatesMerged > 0 else { return warnings }
        var out = warnings
        out.insert(SpanCollector.duplicatesWarning(duplicatesMerged), at: skippedLines.isEmpty ? out.count : out.count - 1)
        return out
    }
    /// Every span's skeleton, when the index was made with `skeletons: true` (for summaries).
    public internal(set) var skeletons: SpanSkeletons? = nil

    /// Spans over all traces.
    public var spanCount: Int { traces.reduce(0) { $0 + $1.spanCount } }
}

/// What one core found in its part of the file.
struct PartIndex {
    var slots: [TraceID: Int32] = [:]
    var entries: [TraceIndexEntry] = []
    var contexts: [SpanContext] = []
    /// Warnings with lines counted from the part's start.
    var warnings: [(line: Int, column: Int, message: String)] = []
    var skipped = 0
    var clamped = 0
    /// Lines of other signals, by signal.
    var skippedLines: [String: Int] = [:]
    /// Line breaks passed.
    var lines = 0
    var requests = 0
    var failure: (line: Int, column: Int, offset: Int64, message: String)?
    /// The spans' skeletons, when asked for (see `SpanSkeletons`).
    var skeletons: SkeletonPart?
}
