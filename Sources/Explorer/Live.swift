import TraceAnalysis
import TraceModel
import TerminalText

/// What a live source reports besides its traces, for the title bar.
public struct LiveStatus: Hashable, Sendable {
    /// Where spans arrive, such as `http://127.0.0.1:4318`.
    public var address: String
    /// Spans accepted so far.
    public var acceptedSpans: Int
    /// Spans rejected inside otherwise good requests.
    public var rejectedSpans: Int
    /// Requests refused as a whole (bad data, wrong type, too large).
    public var failedRequests: Int
    /// Traces let go to stay under the span limit.
    public var evictedTraces: Int
    /// Spans in those traces.
    public var evictedSpans: Int
    /// Spans of a trace that alone outgrew the limit, left out of the view.
    public var droppedSpans: Int
    /// The file every accepted request is appended to, when saving.
    public var savePath: String?
    /// Something the user must keep in mind, shown beside the address (such as an address open to the network).
    public var warning: String?

    /// Creates a status.
    public init(address: String, acceptedSpans: Int = 0, rejectedSpans: Int = 0, failedRequests: Int = 0,
                evictedTraces: Int = 0, evictedSpans: Int = 0, droppedSpans: Int = 0, savePath: String? = nil,
                warning: String? = nil) {
        self.address = address
        self.acceptedSpans = acceptedSpans
        self.rejectedSpans = rejectedSpans
        self.failedRequests = failedRequests
        self.evictedTraces = evictedTraces
        self.evictedSpans = evictedSpans
        self.droppedSpans = droppedSpans
        self.savePath = savePath
        self.warning = warning
    }
}

/// A newer version of a live document, as `Action.documentUpdated` brings it.
///
/// Compared and hashed by `revision` alone: two updates from one source with the same revision
/// hold the same document, and documents themselves are too large to compare.
public struct LiveUpdate: Hashable, Sendable {
    /// The source's revision; higher is newer.
    public var revision: UInt64
    /// All traces the source holds now.
    public var document: TraceDocument
    /// Per trace of `document`: the source's revision at which it last changed (a trace whose
    /// number did not move is unchanged, so what was worked out for it is kept).
    public var traceRevisions: [UInt64]
    /// Counters for the title bar.
    public var status: LiveStatus

    /// Creates an update; `traceRevisions` has one entry per trace of `document`.
    public init(revision: UInt64, document: TraceDocument, traceRevisions: [UInt64], status: LiveStatus) {
        precondition(traceRevisions.count == document.traces.count, "one revision per trace")
        self.revision = revision
        self.document = document
        self.traceRevisions = traceRevisions
        self.status = status
    }

    /// Equal when the revisions are.
    public static func == (a: LiveUpdate, b: LiveUpdate) -> Bool { a.revision == b.revision }

    /// Hashes the revision.
    public func hash(into hasher: inout Hasher) { hasher.combine(revision) }
}

extension ExplorerState {
    /// Takes in a newer version of the document. Work is per changed trace (statistics, and the
    /// open trace's rows when it grew) plus one pass over the list; the trace list keeps its
    /// selected trace and its place on screen, the open trace its selection, expanded spans,
    /// search, filter and zoom.
    mutating func applyLiveUpdate(_ update: LiveUpdate) {
        let old = document
        let oldRevisions = traceRevisions
        var oldIndex: [TraceID: Int] = [:]
        oldIndex.reserveCapacity(old.traces.count)
        for (i, t) in old.traces.enumerated() { oldIndex[t.id] = i }
        func unchanged(_ newIndex: Int) -> Int? {
            guard let j = oldIndex[update.document.traces[newIndex].id], j < oldRevisions.count,
                  oldRevisions[j] == update.traceRevisions[newIndex] else { return nil }
            return j
        }

        // Statistics of the traces that changed, on all cores; the others keep theirs.
        let traces = update.document.traces
        let kept = traces.indices.map(unchanged)
        let changed = traces.indices.filter { kept[$0] == nil }
        let prices = self.prices
        let fresh = Parallel.map(changed.count) { TraceStatistics(trace: traces[changed[$0]], prices: prices) }
        var stats: [TraceStatistics] = []
        stats.reserveCapacity(traces.count)
        var next = 0
        for i in traces.indices {
            if let j = kept[i] {
                stats.append(statistics[j])
            } else {
                stats.append(fresh[next])
                next += 1
            }
        }

        // The list: the same trace stays selected at the same height on screen.
        let selectedID = list.selected < list.order.count ? old.traces[list.entries[list.order[list.selected]].index].id : nil
        let offset = list.selected - list.top
        document = update.document
        statistics = stats
        traceRevisions = update.traceRevisions
        live = update.status
        let oldEntries = list.entries
        list.entries = ExplorerState.listEntries(document, stats, kept: kept.map { $0.flatMap { oldEntries.indices.contains($0) ? oldEntries[$0] : nil } },
                                                 sessionKeys: sessionKeys)
        refilter(kept: kept)
        list.refresh()
        if let id = selectedID, let i = document.traces.firstIndex(where: { $0.id == id }),
           let p = list.order.firstIndex(of: i) {
            list.selected = p
            list.top = p - offset
        }
        clampList()

        // The open trace.
        guard let s = session else { return }
        guard let i = document.traces.firstIndex(where: { $0.id == s.trace.id }) else {
            if oldIndex[s.trace.id] != nil {
                message = "this trace was evicted (span limit); it stays open until you leave it"
            }
            return
        }
        if unchanged(i) != nil { return }
        let insight = TraceInsight(trace: document.traces[i], statistics: stats[i])
        let height = traceRows(s)
        view = .list
        let moved = s.carried(to: insight, height: height)
        view = .trace(moved)
        if let doc = documentView, case .span(let span) = doc.kind, let j = s.counterpart(of: span, in: moved.trace) {
            var detail = Detail.document(for: j, in: insight, width: size.width)
            if let text = doc.search?.text { detail.highlight(text, height: documentHeight) }
            detail.top = min(doc.top, detail.maxTop(height: documentHeight))
            overlay = .document(detail)
        }
    }
}

extension ExplorerState {
    /// The list's filter over a new version of the document: facts and match flags of unchanged
    /// traces (`kept[i]`: the trace's index before) carry over, changed and new traces are worked
    /// out on all cores, so an update costs what changed, not the whole list (a bare word reads
    /// every span of the traces it tests).
    mutating func refilter(kept: [Int?]) {
        let oldFacts = list.facts, oldMatching = list.matching
        list.facts = nil
        list.matching = nil
        guard !list.query.isEmpty, let query = try? TraceQuery(list.query) else { return }
        let traces = document.traces
        let prices = self.prices, sessionKeys = self.sessionKeys
        func reusable(_ i: Int) -> Int? {
            guard let j = kept[i], let oldFacts, let oldMatching, j < oldFacts.count, j < oldMatching.count else { return nil }
            return j
        }
        let fresh: [(TraceFacts, Bool)?] = Parallel.map(traces.count) { i in
            if reusable(i) != nil { return nil }
            let f = TraceFacts(trace: traces[i], prices: prices, sessionKeys: sessionKeys)
            return (f, query.matches(traces[i], facts: f))
        }
        var facts: [TraceFacts] = []
        var matching: [Bool] = []
        facts.reserveCapacity(traces.count)
        matching.reserveCapacity(traces.count)
        for i in traces.indices {
            if let (f, hit) = fresh[i] {
                facts.append(f)
                matching.append(hit)
            } else if let j = reusable(i), let oldFacts, let oldMatching {
                facts.append(oldFacts[j])
                matching.append(oldMatching[j])
            }
        }
        list.facts = facts
        list.matching = matching
    }
}

extension TraceSession {
    /// The index in `newer` (a later version of this trace) of span `i` of this one.
    func counterpart(of i: Int, in newer: Trace) -> Int? {
        let id = trace.spans[i].spanID
        // Live sources only append, so the index usually stays.
        if i < newer.count && newer.spans[i].spanID == id { return i }
        return newer.index(of: id)
    }

    /// This session moved onto `insight`, a later version of its trace: collapsed spans stay
    /// collapsed (new ones open), the selection stays on its span at the same height on screen,
    /// and the search, filter and zoom carry over. O(spans) once per update, not per key.
    func carried(to insight: TraceInsight, height: Int) -> TraceSession {
        let newer = insight.trace
        var expanded = BitSet(count: newer.count, value: true)
        for i in 0..<trace.count where !rows.isExpanded(i) {
            if let j = counterpart(of: i, in: newer) { expanded[j] = false }
        }
        var next = TraceSession(insight: insight, rows: TreeRows(trace: newer, expanded: expanded))
        next.pane = pane
        if let text = search?.text {
            let matches = SpanQuery(text).matchingSpans(in: newer)
            var bits = BitSet(count: newer.count)
            for m in matches { bits[m] = true }
            next.search = SearchState(text: text, matches: matches, isMatch: bits)
            if filtering && !matches.isEmpty {
                next.filtering = true
                next.rows.setFilter(matches, in: newer)
            }
        }
        let full = fullWindow
        if window != full {
            next.setWindow(start: window.start, width: window.width)
        }
        let oldRow = rows.row(of: selected, in: trace) ?? top
        next.selected = counterpart(of: selected, in: newer) ?? next.selected
        if let row = next.rows.row(of: next.selected, in: newer) {
            next.top = min(max(0, row - (oldRow - top)), max(0, next.rows.count - height))
        }
        next.keepSelectionVisible(height: height, center: false)
        return next
    }
}
