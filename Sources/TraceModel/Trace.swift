/// Marks on a span that the tree builder found something wrong or unusual with its data.
public struct SpanFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Names a parent that is not in the trace; shown as a root.
    public static let orphan = SpanFlags(rawValue: 1 << 0)
    /// Its parent chain looped back to itself (or it named itself as parent); the loop was cut here.
    public static let cycleBroken = SpanFlags(rawValue: 1 << 1)
    /// Another span earlier in the file has the same id; children attach to the first.
    public static let duplicateID = SpanFlags(rawValue: 1 << 2)
    /// Ends before it starts; its duration is shown as zero.
    public static let endBeforeStart = SpanFlags(rawValue: 1 << 3)
    /// Starts before or ends after its parent (clock skew between services, or async work).
    public static let outsideParent = SpanFlags(rawValue: 1 << 4)
    /// Its start/end were estimated because the file had no timestamps for it.
    public static let estimatedTiming = SpanFlags(rawValue: 1 << 5)
    /// Ends exactly when it starts (an instant, or a span whose end was never recorded).
    public static let zeroLength = SpanFlags(rawValue: 1 << 6)
    /// Its times were shifted by a clock-skew adjustment (see `Trace.replacingTimes`).
    public static let clockAdjusted = SpanFlags(rawValue: 1 << 7)

    /// Flags that say the data is broken or suspicious, as opposed to merely notable.
    public static let problems: SpanFlags = [.orphan, .cycleBroken, .duplicateID, .endBeforeStart, .outsideParent]

    /// Short words for each flag set, for markers and details.
    public var names: [String] {
        var out: [String] = []
        if contains(.orphan) { out.append("orphan") }
        if contains(.cycleBroken) { out.append("cycle cut") }
        if contains(.duplicateID) { out.append("duplicate id") }
        if contains(.endBeforeStart) { out.append("ends before start") }
        if contains(.outsideParent) { out.append("outside parent") }
        if contains(.estimatedTiming) { out.append("estimated timing") }
        if contains(.zeroLength) { out.append("zero length") }
        if contains(.clockAdjusted) { out.append("clock adjusted") }
        return out
    }
}

/// One trace: its spans plus a tree index built once.
///
/// Spans are addressed by their integer index in `spans`. The tree is stored in compact
/// arrays (parent per span, children as one flat list with offsets, a depth-first order), so
/// walking it needs neither recursion nor per-node allocations.
public struct Trace: Sendable {
    /// The trace id (shared by all its spans).
    public let id: TraceID
    /// Spans in file order.
    public let spans: [Span]
    /// True when some or all timings were estimated rather than read.
    public let timingEstimated: Bool
    /// Earliest start over all spans (ns since epoch).
    public let startNanos: Int64
    /// Latest end over all spans (ns since epoch).
    public let endNanos: Int64
    /// Root spans (no parent in the tree), ordered by start time.
    public let roots: [Int32]
    /// The trace's root: the earliest span without a parent id, else the earliest root.
    public let rootIndex: Int?
    /// Parent index per span, -1 for roots.
    public let parents: [Int32]
    /// Depth per span (roots are 0).
    public let depths: [Int32]
    /// Flags per span.
    public let flags: [SpanFlags]
    /// Spans in depth-first order (roots by start time, children by start time).
    public let preorder: [Int32]
    /// Position of each span in `preorder`.
    public let preorderPosition: [Int32]
    /// Number of spans in each span's subtree, itself included.
    public let subtreeSizes: [Int32]
    /// LLM calls, one per LLM span, in span order.
    public let llmCalls: [LLMCall]

    private let llmDetails: (@Sendable (Span) -> LLMCall?)?
    private let retrievalDecoder: (@Sendable (Span) -> [RetrievalDocument])?
    private let estimatedSpans: Set<Int>
    private let childOffsets: [Int32]
    private let childList: [Int32]
    private let llmSlots: [Int32]
    private let lookup: [SpanID: Int32]

    /// Builds the index for `spans`, which must all belong to trace `id`.
    ///
    /// - Parameters:
    ///   - llmCall: the convention normaliser; called once per span. It may leave messages out:
    ///     the index keeps what lists, totals and search need.
    ///   - llmDetails: the full normaliser (messages included), called on demand by
    ///     `llmCallDetails(at:)`; defaults to the index's calls.
    ///   - retrievalDocuments: the retrieved-documents decoder, called on demand by
    ///     `retrievalDocuments(at:)`; without one no span has documents.
    public init(id: TraceID, spans: [Span], timingEstimated: Bool = false,
                estimatedSpans: Set<Int> = [], llmCall: (Span) -> LLMCall? = { _ in nil },
                llmDetails: (@Sendable (Span) -> LLMCall?)? = nil,
                retrievalDocuments: (@Sendable (Span) -> [RetrievalDocument])? = nil) {
        self.init(id: id, spans: spans, timingEstimated: timingEstimated, estimatedSpans: estimatedSpans,
                  llmCalls: spans.map(llmCall), llmDetails: llmDetails, retrievalDocuments: retrievalDocuments)
    }

    /// Builds the index with LLM calls already worked out, one entry per span (nil: not a call).
    public init(id: TraceID, spans: [Span], timingEstimated: Bool = false, estimatedSpans: Set<Int> = [],
                llmCalls perSpan: [LLMCall?], llmDetails: (@Sendable (Span) -> LLMCall?)? = nil,
                retrievalDocuments: (@Sendable (Span) -> [RetrievalDocument])? = nil) {
        self.init(id: id, spans: spans, timingEstimated: timingEstimated, estimatedSpans: estimatedSpans,
                  llmCalls: perSpan, llmDetails: llmDetails, retrievalDocuments: retrievalDocuments, adjusted: [])
    }

    private init(id: TraceID, spans: [Span], timingEstimated: Bool, estimatedSpans: Set<Int>,
                 llmCalls perSpan: [LLMCall?], llmDetails: (@Sendable (Span) -> LLMCall?)?,
                 retrievalDocuments: (@Sendable (Span) -> [RetrievalDocument])?, adjusted: Set<Int>) {
        precondition(perSpan.count == spans.count, "one LLM entry per span")
        self.id = id
        self.llmDetails = llmDetails
        self.retrievalDecoder = retrievalDocuments
        self.spans = spans
        self.timingEstimated = timingEstimated
        self.estimatedSpans = estimatedSpans
        let n = spans.count
        var flags = [SpanFlags](repeating: [], count: n)
        for i in estimatedSpans where i < n { flags[i].insert(.estimatedTiming) }
        for i in adjusted where i < n { flags[i].insert(.clockAdjusted) }

        // Id lookup: the first span with an id wins; later ones are flagged. A B3 shared span's
        // server half reuses its client's id (Zipkin `shared: true`): it becomes the client's
        // child and takes the id's children, as Zipkin's own tree builder (SpanNode) does.
        var lookup = [SpanID: Int32](minimumCapacity: n)
        var sharedParent: [Int: Int32] = [:]
        // Touched only when ids collide: the client half of each shared id, and server halves
        // waiting for theirs (several servers may share one client's id: a broadcast).
        var clientOf: [SpanID: Int32] = [:]
        var waiting: [SpanID: [Int]] = [:]
        for i in 0..<n {
            let id = spans[i].spanID
            guard let earlier = lookup.updateValue(Int32(i), forKey: id) else { continue }
            let e = Int(earlier)
            let iShared = Trace.isSharedServerHalf(spans[i]), eShared = Trace.isSharedServerHalf(spans[e])
            lookup[id] = earlier
            if iShared {
                if let client = clientOf[id] {
                    sharedParent[i] = client
                } else if !eShared {
                    // The earlier span is the client half: the server takes the id's children.
                    clientOf[id] = earlier
                    sharedParent[i] = earlier
                    lookup[id] = Int32(i)
                } else {
                    if waiting[id] == nil { waiting[id] = [e] }
                    waiting[id]!.append(i)
                }
            } else if eShared, clientOf[id] == nil {
                clientOf[id] = Int32(i)
                for server in waiting.removeValue(forKey: id) ?? [e] { sharedParent[server] = Int32(i) }
            } else {
                flags[i].insert(.duplicateID)
            }
        }
        // Server halves that never met a client half are copies of one another.
        for (_, servers) in waiting { for server in servers.dropFirst() { flags[server].insert(.duplicateID) } }

        var parents = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            if !sharedParent.isEmpty, let client = sharedParent[i] {
                parents[i] = client
                continue
            }
            guard let pid = spans[i].parentID, !pid.raw.isZero else { continue }
            if let p = lookup[pid] {
                if Int(p) == i { flags[i].insert(.cycleBroken) } else { parents[i] = p }
            } else {
                flags[i].insert(.orphan)
            }
        }
        Trace.breakCycles(&parents, &flags, spans)

        // Children in compact form, each list sorted by (start, index).
        var counts = [Int32](repeating: 0, count: n + 1)
        for p in parents where p >= 0 { counts[Int(p) + 1] += 1 }
        for i in 0..<n { counts[i + 1] += counts[i] }
        var fill = counts
        var childList = [Int32](repeating: 0, count: max(0, Int(counts[n])))
        for i in 0..<n where parents[i] >= 0 {
            let p = Int(parents[i])
            childList[Int(fill[p])] = Int32(i)
            fill[p] += 1
        }
        let byStart: (Int32, Int32) -> Bool = { a, b in
            let sa = spans[Int(a)].startNanos, sb = spans[Int(b)].startNanos
            return sa != sb ? sa < sb : a < b
        }
        for p in 0..<n where counts[p + 1] - counts[p] > 1 {
            childList[Int(counts[p])..<Int(counts[p + 1])].sort(by: byStart)
        }
        var roots: [Int32] = []
        for i in 0..<n where parents[i] < 0 { roots.append(Int32(i)) }
        roots.sort(by: byStart)

        // Depth-first order with an explicit stack: a million-deep chain must not recurse.
        var preorder = [Int32]()
        preorder.reserveCapacity(n)
        var depths = [Int32](repeating: 0, count: n)
        var stack: [Int32] = roots.reversed()
        while let node = stack.popLast() {
            preorder.append(node)
            let i = Int(node)
            let d = parents[i] >= 0 ? depths[Int(parents[i])] + 1 : 0
            depths[i] = d
            var c = Int(counts[i + 1]) - 1
            while c >= Int(counts[i]) {
                stack.append(childList[c])
                c -= 1
            }
        }
        var position = [Int32](repeating: 0, count: n)
        for (pos, node) in preorder.enumerated() { position[Int(node)] = Int32(pos) }
        var sizes = [Int32](repeating: 1, count: n)
        for node in preorder.reversed() where parents[Int(node)] >= 0 {
            sizes[Int(parents[Int(node)])] += sizes[Int(node)]
        }

        var start = Int64.max, end = Int64.min
        for i in 0..<n {
            let s = spans[i]
            start = min(start, s.startNanos)
            end = max(end, max(s.endNanos, s.startNanos))
            if s.endNanos < s.startNanos { flags[i].insert(.endBeforeStart) }
            if s.endNanos == s.startNanos && !flags[i].contains(.estimatedTiming) { flags[i].insert(.zeroLength) }
            // Estimated times are guesses; calling them skew would only add noise.
            if parents[i] >= 0, !flags[i].contains(.estimatedTiming), !flags[Int(parents[i])].contains(.estimatedTiming) {
                let p = spans[Int(parents[i])]
                if s.startNanos < p.startNanos || max(s.endNanos, s.startNanos) > max(p.endNanos, p.startNanos) {
                    flags[i].insert(.outsideParent)
                }
            }
        }
        if n == 0 { start = 0; end = 0 }

        var rootIndex: Int? = nil
        for r in roots where spans[Int(r)].parentID == nil || spans[Int(r)].parentID!.raw.isZero {
            rootIndex = Int(r)
            break
        }
        if rootIndex == nil, let first = roots.first { rootIndex = Int(first) }

        var calls: [LLMCall] = []
        var slots = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            if let call = perSpan[i] {
                slots[i] = Int32(calls.count)
                calls.append(call)
            }
        }

        self.startNanos = start
        self.endNanos = end
        self.roots = roots
        self.rootIndex = rootIndex
        self.parents = parents
        self.depths = depths
        self.flags = flags
        self.preorder = preorder
        self.preorderPosition = position
        self.subtreeSizes = sizes
        self.llmCalls = calls
        self.childOffsets = counts
        self.childList = childList
        self.llmSlots = slots
        self.lookup = lookup
    }

    /// The attribute a reader sets on the server half of a B3 shared span (Zipkin `shared: true`).
    public static let sharedSpanKey = "zipkin.shared"

    /// True for the server half of a shared span: a server span marked with `sharedSpanKey`.
    static func isSharedServerHalf(_ span: Span) -> Bool {
        span.kind == .server && span.attributes.contains { $0.key == sharedSpanKey && $0.value == .bool(true) }
    }

    /// Cuts every parent loop at its earliest-starting member, which becomes a root flagged `cycleBroken`.
    private static func breakCycles(_ parents: inout [Int32], _ flags: inout [SpanFlags], _ spans: [Span]) {
        let n = parents.count
        // 0 = unseen, 1 = known to reach a root, k >= 2 = on the walk numbered k.
        var mark = [Int32](repeating: 0, count: n)
        var walk: Int32 = 2
        var path: [Int32] = []
        for startNode in 0..<n where mark[startNode] == 0 {
            path.removeAll(keepingCapacity: true)
            var v = Int32(startNode)
            while v >= 0 && mark[Int(v)] == 0 {
                mark[Int(v)] = walk
                path.append(v)
                v = parents[Int(v)]
            }
            if v >= 0 && mark[Int(v)] == walk {
                // The walk met itself: v is on a loop. Find the loop's earliest member and cut there.
                var cut = v
                var u = parents[Int(v)]
                while u != v {
                    let su = spans[Int(u)].startNanos, sc = spans[Int(cut)].startNanos
                    if su < sc || (su == sc && u < cut) { cut = u }
                    u = parents[Int(u)]
                }
                parents[Int(cut)] = -1
                flags[Int(cut)].insert(.cycleBroken)
            }
            for node in path { mark[Int(node)] = 1 }
            walk = walk == Int32.max ? 2 : walk + 1
        }
    }

    /// The same trace with each span's start and end replaced (events move with their span's
    /// start), for a view with adjusted clocks. The tree keeps its shape; child order, flags and
    /// the trace's bounds follow the new times, and spans in `adjusted` are flagged `clockAdjusted`.
    public func replacingTimes(start: [Int64], end: [Int64], adjusted: Set<Int>) -> Trace {
        precondition(start.count == spans.count && end.count == spans.count, "one time per span")
        var moved = spans
        for i in moved.indices where start[i] != spans[i].startNanos || end[i] != spans[i].endNanos {
            let shift = start[i] &- spans[i].startNanos
            moved[i].startNanos = start[i]
            moved[i].endNanos = end[i]
            for e in moved[i].events.indices { moved[i].events[e].timeNanos = moved[i].events[e].timeNanos &+ shift }
        }
        var perSpan = [LLMCall?](repeating: nil, count: spans.count)
        for i in 0..<spans.count { perSpan[i] = llmCall(at: i) }
        return Trace(id: id, spans: moved, timingEstimated: timingEstimated, estimatedSpans: estimatedSpans,
                     llmCalls: perSpan, llmDetails: llmDetails, retrievalDocuments: retrievalDecoder, adjusted: adjusted)
    }

    /// Number of spans.
    public var count: Int { spans.count }

    /// Children of span `i`, ordered by start time.
    public func children(of i: Int) -> ArraySlice<Int32> {
        childList[Int(childOffsets[i])..<Int(childOffsets[i + 1])]
    }

    /// The parent index of span `i`, or nil for a root.
    public func parent(of i: Int) -> Int? {
        let p = parents[i]
        return p >= 0 ? Int(p) : nil
    }

    /// The index of the (first) span with this id.
    public func index(of id: SpanID) -> Int? {
        lookup[id].map(Int.init)
    }

    /// The LLM call recorded on span `i`, if it is one.
    public func llmCall(at i: Int) -> LLMCall? {
        let s = llmSlots[i]
        return s >= 0 ? llmCalls[Int(s)] : nil
    }

    /// The LLM call on span `i` with everything the trace holds about it, messages included
    /// (decoded now: message lists can be large, so the index does not keep them).
    public func llmCallDetails(at i: Int) -> LLMCall? {
        guard isLLM(i) else { return nil }
        return llmDetails.map { $0(spans[i]) } ?? llmCall(at: i)
    }

    /// The documents span `i` says it retrieved (or reranked), in order; decoded now, like messages.
    public func retrievalDocuments(at i: Int) -> [RetrievalDocument] {
        retrievalDecoder?(spans[i]) ?? []
    }

    /// True when span `i` is an LLM call.
    public func isLLM(_ i: Int) -> Bool { llmSlots[i] >= 0 }

    /// Indices of span `i` and all its descendants, in depth-first order.
    public func subtree(of i: Int) -> ArraySlice<Int32> {
        let p = Int(preorderPosition[i])
        return preorder[p..<p + Int(subtreeSizes[i])]
    }

    /// Trace duration: latest end minus earliest start.
    public var durationNanos: Int64 { endNanos &- startNanos }

    /// The root span's name, or "" for an empty trace.
    public var rootName: String { rootIndex.map { spans[$0].name } ?? "" }

    /// The path of span names from a root down to span `i`.
    public func ancestry(of i: Int) -> [Int] {
        var path: [Int] = [i]
        var v = parents[i]
        while v >= 0 {
            path.append(Int(v))
            v = parents[Int(v)]
        }
        return path.reversed()
    }
}

/// Everything read from one source: its traces and what the reader had to say about it.
public struct TraceDocument: Sendable {
    /// Where the traces came from (a path, `-` for stdin, or a label).
    public var source: String
    /// The format that was read, such as `OTLP JSON` or `seed JSON`.
    public var format: String
    /// Traces, ordered by start time.
    public var traces: [Trace]
    /// Warnings about input that was skipped or repaired, one line each.
    public var warnings: [String]
    /// Number of spans that could not be read and were skipped.
    public var skippedSpans: Int
    /// Lines (requests) of other signals skipped in mixed files, by signal (`logs`, `metrics`, …).
    public var skippedLines: [String: Int]
    /// Exact copies of a span (same trace, id and content, as exporter retries send) that were kept once.
    public var duplicatesMerged: Int
    /// The files each trace's spans came from, in the order they were read (empty when not recorded).
    public var traceSources: [TraceID: [String]]

    /// Creates a document.
    public init(source: String, format: String, traces: [Trace], warnings: [String] = [], skippedSpans: Int = 0,
                traceSources: [TraceID: [String]] = [:], skippedLines: [String: Int] = [:], duplicatesMerged: Int = 0) {
        self.source = source
        self.format = format
        self.traces = traces
        self.warnings = warnings
        self.skippedSpans = skippedSpans
        self.skippedLines = skippedLines
        self.duplicatesMerged = duplicatesMerged
        self.traceSources = traceSources
    }

    /// The files trace `id` was read from; the document's source when none were recorded.
    public func sources(of id: TraceID) -> [String] {
        traceSources[id] ?? [source]
    }

    /// Total spans over all traces.
    public var spanCount: Int { traces.reduce(0) { $0 + $1.count } }
}
