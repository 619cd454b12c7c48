import TraceAnalysis
import TraceModel
import TerminalText

/// What a backend search found, for the trace list: whole traces (Jaeger's FindTraces answers
/// with every span) and traces known only by a summary (Tempo's search, Phoenix's root spans),
/// which Enter fetches.
public struct RemoteListing: Sendable {
    /// The whole traces found, with the source's name, format and warnings.
    public var document: TraceDocument
    /// The traces known only by their summary.
    public var hits: [TraceSearchHit]

    /// Creates a listing.
    public init(document: TraceDocument, hits: [TraceSearchHit] = []) {
        self.document = document
        self.hits = hits
    }
}

/// A fetch or search the explorer asked for and has not had the answer to.
public struct RemoteRequest: Hashable, Sendable {
    /// What is being fetched.
    public enum Kind: Hashable, Sendable {
        /// One whole trace.
        case trace(TraceID)
        /// The search again, for a fresh list.
        case search
    }

    /// Tells answers apart: an answer whose ticket is not the pending one was cancelled or replaced.
    public var ticket: Int
    /// What is being fetched.
    public var kind: Kind
}

/// The answer to `Command.fetchTrace` or `Command.search`, as the runner brings it back.
///
/// Compared and hashed by ticket: one request has one answer.
public struct RemoteAnswer: Hashable, Sendable {
    /// What came back.
    public enum Outcome: Sendable {
        /// The whole trace.
        case trace(Trace)
        /// A fresh search result.
        case listing(RemoteListing)
        /// Why there is nothing: one line, the backend's error.
        case failed(String)
    }

    /// The request's ticket.
    public var ticket: Int
    /// What came back.
    public var outcome: Outcome

    /// Creates an answer.
    public init(ticket: Int, outcome: Outcome) {
        self.ticket = ticket
        self.outcome = outcome
    }

    /// Equal when the tickets are.
    public static func == (a: RemoteAnswer, b: RemoteAnswer) -> Bool { a.ticket == b.ticket }

    /// Hashes the ticket.
    public func hash(into hasher: inout Hasher) { hasher.combine(ticket) }
}

/// A trace list that is a backend's search result: which of its traces are only summaries, and
/// the fetch or search under way. The list shows a summary as a trace of its root alone until
/// Enter brings the whole trace, which then stays (a fresh search keeps it while its span count
/// is unchanged).
public struct RemoteBrowse: Sendable {
    /// The backend address, for messages.
    public var address: String
    /// The traces of the list known only by their summary.
    public internal(set) var summaries: [TraceID: TraceSearchHit] = [:]
    /// The request waiting for its answer, if any.
    public internal(set) var pending: RemoteRequest?
    /// The last ticket given out.
    var lastTicket = 0

    /// Starts with nothing pending.
    public init(address: String) {
        self.address = address
    }

    /// A new request of `kind`, now pending.
    mutating func start(_ kind: RemoteRequest.Kind) -> RemoteRequest {
        lastTicket += 1
        let request = RemoteRequest(ticket: lastTicket, kind: kind)
        pending = request
        return request
    }

    /// The status-bar line while a request is pending.
    var statusLine: String? {
        switch pending?.kind {
        case .trace(let id)?: return "fetching trace \(id.description.prefix(16))… (Esc cancels)"
        case .search?: return "searching \(address)… (Esc cancels)"
        case nil: return nil
        }
    }
}

extension ExplorerState {
    /// Opens a backend's search result as the trace list, newest first (never a trace directly,
    /// even when the search found one: `R` must stay one Esc away).
    public init(listing: RemoteListing, address: String, prices: PriceTable = .standard, size: Size,
                sessionKeys: SessionKeys = .standard) {
        let (document, summaries) = ExplorerState.listDocument(listing, keeping: nil)
        self.init(document: document, prices: prices, size: size, sessionKeys: sessionKeys)
        var browse = RemoteBrowse(address: address)
        browse.summaries = summaries
        remote = browse
        markSummaries()
        view = .list
        // Newest first: what a search is usually for.
        list.descending = true
        list.refresh()
        list.selected = 0
        list.top = 0
    }

    /// The document a listing shows: its whole traces, then one root-only trace per summary (a
    /// trace fetched before, still as large as the summary says, is kept in its place).
    static func listDocument(_ listing: RemoteListing, keeping old: (document: TraceDocument, summaries: [TraceID: TraceSearchHit])?)
        -> (TraceDocument, [TraceID: TraceSearchHit]) {
        var document = listing.document
        var fetched: [TraceID: Trace] = [:]
        if let old {
            for t in old.document.traces where old.summaries[t.id] == nil { fetched[t.id] = t }
        }
        var have = Set(document.traces.map(\.id))
        var summaries: [TraceID: TraceSearchHit] = [:]
        for hit in listing.hits where !have.contains(hit.id) {
            have.insert(hit.id)
            if let t = fetched[hit.id], hit.spanCount.map({ $0 == t.count }) ?? true {
                document.traces.append(t)
            } else {
                document.traces.append(rootOnly(hit))
                summaries[hit.id] = hit
            }
        }
        return (document, summaries)
    }

    /// A stand-in trace for a summary: its root alone, with the summary's name, service and times.
    static func rootOnly(_ hit: TraceSearchHit) -> Trace {
        let root = Span(traceID: hit.id, spanID: SpanID("0000000000000001"), name: hit.rootName, service: hit.service,
                        startNanos: hit.startNanos, endNanos: hit.startNanos &+ hit.durationNanos,
                        status: (hit.errorCount ?? 0) > 0 ? SpanStatus(.error) : .unset)
        return Trace(id: hit.id, spans: [root])
    }

    /// List entries of summaries show the summary's counts: spans 0 (drawn as unknown) unless the
    /// backend counted them.
    mutating func markSummaries() {
        guard let summaries = remote?.summaries, !summaries.isEmpty else { return }
        for (i, t) in document.traces.enumerated() {
            guard let hit = summaries[t.id], i < list.entries.count else { continue }
            list.entries[i].spans = hit.spanCount ?? 0
            list.entries[i].errors = hit.errorCount ?? list.entries[i].errors
        }
    }

    /// Enter on trace `i` of the list: when only its summary is here, the fetch to ask for
    /// (`handled` true; no command while that fetch is already under way); otherwise not handled,
    /// and the caller opens the trace.
    mutating func fetchIfSummary(_ i: Int) -> (handled: Bool, command: Command?) {
        guard var browse = remote, i < document.traces.count else { return (false, nil) }
        let id = document.traces[i].id
        guard browse.summaries[id] != nil else { return (false, nil) }
        if browse.pending?.kind == .trace(id) { return (true, nil) }
        let request = browse.start(.trace(id))
        remote = browse
        return (true, .fetchTrace(ticket: request.ticket, id: id))
    }

    /// `R`: the search again, when the list is a backend's.
    mutating func refreshSearch() -> Command? {
        guard var browse = remote else {
            message = "R searches a backend again; this list is from a file"
            return nil
        }
        if browse.pending?.kind == .search { return nil }
        let request = browse.start(.search)
        remote = browse
        return .search(ticket: request.ticket)
    }

    /// Esc while a request is pending: its answer will be ignored (a fetched trace is still kept).
    mutating func cancelRemote() -> Bool {
        guard var browse = remote, let pending = browse.pending else { return false }
        browse.pending = nil
        remote = browse
        message = pending.kind == .search ? "search cancelled" : "fetch cancelled"
        return true
    }

    /// Takes in an answer from the runner.
    mutating func applyRemoteAnswer(_ answer: RemoteAnswer) {
        guard var browse = remote else { return }
        let current = browse.pending?.ticket == answer.ticket
        if current { browse.pending = nil }
        remote = browse
        switch answer.outcome {
        case .failed(let why):
            guard current else { return }
            message = terminalSafe(why)
        case .trace(let trace):
            guard browse.summaries[trace.id] != nil, let i = document.traces.firstIndex(where: { $0.id == trace.id }) else {
                return
            }
            replaceTrace(i, with: trace)
            guard current else { return }
            if case .list = view, overlay == nil {
                openTrace(i)
            } else {
                message = "trace \(trace.id.description.prefix(16)) fetched"
            }
        case .listing(let listing):
            guard current else { return }
            applyListing(listing)
        }
    }

    /// Puts the whole trace in place of its summary.
    private mutating func replaceTrace(_ i: Int, with trace: Trace) {
        remote?.summaries[trace.id] = nil
        document.traces[i] = trace
        let stats = TraceStatistics(trace: trace, prices: prices)
        statistics[i] = stats
        list.entries[i] = ExplorerState.listEntries(
            TraceDocument(source: document.source, format: document.format, traces: [trace]), [stats],
            sessionKeys: sessionKeys)[0]
        list.entries[i].index = i
        refreshListOrder()
    }

    /// A fresh search result: the list follows it, the selected trace stays selected (by id).
    private mutating func applyListing(_ listing: RemoteListing) {
        guard let browse = remote else { return }
        let selectedID = list.selected < list.order.count ? document.traces[list.order[list.selected]].id : nil
        let offset = list.selected - list.top
        let (next, summaries) = ExplorerState.listDocument(listing, keeping: (document, browse.summaries))
        let prices = self.prices
        statistics = Parallel.map(next.traces.count) { TraceStatistics(trace: next.traces[$0], prices: prices) }
        document = next
        remote?.summaries = summaries
        list.entries = ExplorerState.listEntries(document, statistics, sessionKeys: sessionKeys)
        markSummaries()
        refreshListOrder()
        if let id = selectedID, let i = document.traces.firstIndex(where: { $0.id == id }), let p = list.order.firstIndex(of: i) {
            list.selected = p
            list.top = p - offset
        }
        clampList()
        let n = document.traces.count
        message = "\(Format.plural(n, "trace")) found" + (list.query.isEmpty ? "" : " (\(list.order.count) match the filter)")
    }

    /// Filter and order again after traces changed, keeping the selected entry.
    private mutating func refreshListOrder() {
        list.facts = nil
        let keep = list.selected < list.order.count ? list.order[list.selected] : nil
        if !list.query.isEmpty {
            let saved = message
            filterList(list.query)
            message = saved
        }
        list.refresh()
        if let keep, let p = list.order.firstIndex(of: keep) { list.selected = p }
        clampList()
    }
}
