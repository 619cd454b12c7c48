import TraceAnalysis
import TraceModel
import TerminalText

/// The views across many traces: the stats table (`%`), sessions (`@`) and the ranked LLM calls
/// (`L`), each a stack of levels (a group's spans under the stats table, a session's thread under
/// the sessions). Every level is worked out once when it opens (a large table off the UI thread,
/// see `WorkbenchJob`, while a waiting level stands in for it); drawing only reads it.
public struct WorkbenchSession: Sendable {
    /// The levels opened so far; the last one is shown, Esc pops it (never empty).
    public internal(set) var levels: [WorkbenchLevel]
    /// The trace the workbench was opened from (nil: the trace list); the first Esc returns to it.
    let origin: TraceSession?
    /// Document positions of the traces covered; positions in the levels' tables index this.
    let positions: [Int]
    /// The ids of those traces, so a live update that moves traces does not open the wrong one.
    let ids: [TraceID]
    /// What is covered, for titles: "17 traces", "3 of 17 traces matching error", "trace 942cb17b".
    public let scope: String
    /// The first level's table being worked out again for live data, if it is.
    var refresh: WorkbenchRefresh? = nil

    /// The level shown.
    public var current: WorkbenchLevel { levels[levels.count - 1] }
}

/// One screen of the workbench.
public enum WorkbenchLevel: Sendable {
    /// Per-group counts, percentiles, tokens and cost.
    case stats(StatsLevel)
    /// The spans of one stats group across traces, slowest first.
    case members(MembersLevel)
    /// One row per session.
    case sessions(SessionsLevel)
    /// One session as a conversation, one block per turn.
    case thread(ThreadLevel)
    /// Every LLM call, sortable by each column.
    case calls(CallsLevel)
    /// A table being worked out (off the UI thread when large); its answer replaces this level.
    indirect case computing(ComputingLevel)

    /// The selected row.
    public var selected: Int {
        switch self {
        case .stats(let l): return l.selected
        case .members(let l): return l.selected
        case .sessions(let l): return l.selected
        case .thread(let l): return l.selected
        case .calls(let l): return l.selected
        case .computing(let l): return l.previous?.selected ?? 0
        }
    }

    /// The first row on screen (for the thread: the first turn).
    public var top: Int {
        switch self {
        case .stats(let l): return l.top
        case .members(let l): return l.top
        case .sessions(let l): return l.top
        case .thread(let l): return l.top
        case .calls(let l): return l.top
        case .computing(let l): return l.previous?.top ?? 0
        }
    }

    /// Rows (for the thread: turns).
    public var count: Int {
        switch self {
        case .stats(let l): return l.table.groups.count
        case .members(let l): return l.members.count
        case .sessions(let l): return l.sessions.count
        case .thread(let l): return l.turns.count
        case .calls(let l): return l.rows.count
        case .computing(let l): return l.previous?.count ?? 0
        }
    }

    /// The same level with `selected` and `top` set.
    func moved(selected: Int, top: Int) -> WorkbenchLevel {
        switch self {
        case .stats(var l): l.selected = selected; l.top = top; return .stats(l)
        case .members(var l): l.selected = selected; l.top = top; return .members(l)
        case .sessions(var l): l.selected = selected; l.top = top; return .sessions(l)
        case .thread(var l): l.selected = selected; l.top = top; return .thread(l)
        case .calls(var l): l.selected = selected; l.top = top; return .calls(l)
        // The table under a waiting level stays as it was until the answer replaces it.
        case .computing: return self
        }
    }
}

/// The stats table.
public struct StatsLevel: Sendable {
    /// The table, for the grouping it names.
    public var table: StatsTable
    /// Selected group.
    public var selected = 0
    /// First group on screen.
    public var top = 0
}

/// The spans of one group.
public struct MembersLevel: Sendable {
    /// What the group is keyed by.
    public let grouping: StatsGrouping
    /// The group's key.
    public let key: String
    /// Its entries, slowest first; `trace` is a position in `WorkbenchSession.positions`.
    public let members: [StatsMember]
    /// What each entry's row shows, when worked out with the table (a file read through its
    /// index, whose traces are not kept); nil: drawn from the traces in memory.
    let figures: [MemberFigures]?
    /// Selected entry.
    public var selected = 0
    /// First entry on screen.
    public var top = 0
}

extension MembersLevel {
    /// The spans `members` of the group `key` by `grouping`, drawn from the traces in memory.
    init(grouping: StatsGrouping, key: String, members: [StatsMember]) {
        self.init(grouping: grouping, key: key, members: members, figures: nil)
    }

    /// The same, with what each row shows worked out already (`figures[i]` for `members[i]`).
    init(grouping: StatsGrouping, key: String, members: [StatsMember], figures: [MemberFigures]?) {
        self.grouping = grouping
        self.key = key
        self.members = members
        self.figures = figures
    }
}

/// What one row of a group's spans shows: the span's (or, by name and session, its trace's
/// root's) name, the trace, the start, self time, tokens and cost.
struct MemberFigures: Sendable {
    /// The name column's text.
    let name: String
    /// The span's status is error.
    let isError: Bool
    /// The span is an LLM call.
    let isLLM: Bool
    /// The trace's id.
    let traceID: TraceID
    /// The span's start (ns since epoch).
    let startNanos: Int64
    /// The span's self time (nil for a whole trace, by session).
    let selfNanos: Int64?
    /// The span's tokens (the trace's, by session).
    let tokens: Int64
    /// The cost cell's text ("–" for a span that is not an LLM call).
    let cost: String
    /// The cost cell is muted (a span that is not an LLM call).
    let costMuted: Bool

    /// The row of `member` (in `trace`, with its `statistics`) grouped by `grouping`.
    init(_ member: StatsMember, trace: Trace, statistics stats: TraceStatistics, grouping: StatsGrouping) {
        let span = trace.spans[member.span]
        let byName = grouping == .name || grouping == .session
        let whole = grouping == .session
        let name = byName ? trace.rootName : span.name
        self.name = name.isEmpty ? "(unnamed)" : name
        isError = span.status.isError
        isLLM = trace.isLLM(member.span)
        traceID = trace.id
        startNanos = span.startNanos
        selfNanos = whole ? nil : stats.selfTimeNanos(of: member.span)
        tokens = whole ? stats.trace.totalTokens : (trace.llmCall(at: member.span)?.totalTokens ?? 0)
        costMuted = !whole && !isLLM
        if whole {
            cost = WorkbenchPainter.cost(stats.trace.costUSD, calls: stats.trace.llmCalls, unpriced: stats.trace.unpricedCalls)
        } else if isLLM {
            cost = stats.cost(ofSpan: member.span)?.usd.map(Format.usd) ?? "$?"
        } else {
            cost = "–"
        }
    }
}

/// The sessions list.
public struct SessionsLevel: Sendable {
    /// Sessions, earliest first; trace positions index `WorkbenchSession.positions`.
    public let sessions: [SessionSummary]
    /// Traces covered that name no session.
    public let withoutSession: Int
    /// Selected session.
    public var selected = 0
    /// First session on screen.
    public var top = 0
}

/// One session as a thread of turns.
public struct ThreadLevel: Sendable {
    /// The session.
    public let session: SessionSummary
    /// Its turns in time order; trace positions index `WorkbenchSession.positions`.
    public let turns: [ConversationTurn]
    /// Selected turn.
    public var selected = 0
    /// First turn on screen.
    public var top = 0

    /// Screen lines turn `i` takes: a heading, its figures, the user's message, tools (when
    /// any), the answer, the first error (when any), and a blank line.
    public func height(of i: Int) -> Int {
        let t = turns[i]
        return 5 + (t.tools.isEmpty ? 0 : 1) + (t.firstError == nil ? 0 : 1)
    }
}

/// The ranked LLM calls.
public struct CallsLevel: Sendable {
    /// The calls in the order shown; `trace` is a position in `WorkbenchSession.positions`.
    public private(set) var rows: [LLMCallRow]
    /// The calls in trace order, what every sort starts from (so equal values keep that order).
    let unsorted: [LLMCallRow]
    /// The sort column.
    public private(set) var sort: LLMCallColumn = .cost
    /// Largest (or Z) first.
    public private(set) var descending = true
    /// True when the calls are those of one trace (the trace column is left out).
    public let oneTrace: Bool
    /// Selected call.
    public var selected = 0
    /// First call on screen.
    public var top = 0

    /// The order `s` steps through the columns: what costs and takes time first.
    public static let columns: [LLMCallColumn] = [.cost, .latency, .tokens, .promptTokens, .completionTokens,
                                                   .cachedTokens, .timeToFirstToken, .model, .finishReason, .start]

    /// `rows` ranked by cost, costliest first.
    init(rows: [LLMCallRow], oneTrace: Bool) {
        unsorted = rows
        self.rows = LLMCallRanking.sorted(rows, by: .cost, descending: true)
        self.oneTrace = oneTrace
    }

    /// Sorts by `column` (numbers largest first, text A to Z, unless `descending` says otherwise),
    /// back at the top of the table.
    mutating func setSort(_ column: LLMCallColumn, descending down: Bool) {
        sort = column
        descending = down
        rows = LLMCallRanking.sorted(unsorted, by: column, descending: down)
        selected = 0
        top = 0
    }

    /// The next column of `columns`, in its first direction.
    mutating func cycleSort() {
        let i = CallsLevel.columns.firstIndex(of: sort) ?? 0
        let next = CallsLevel.columns[(i + 1) % CallsLevel.columns.count]
        setSort(next, descending: next.descendingFirst)
    }

    /// The same column the other way.
    mutating func reverse() { setSort(sort, descending: !descending) }
}

extension LLMCallColumn {
    /// Heading in the calls table.
    var title: String {
        switch self {
        case .start: return "start"
        case .model: return "model"
        case .promptTokens: return "in"
        case .completionTokens: return "out"
        case .cachedTokens: return "cached"
        case .tokens: return "tokens"
        case .cost: return "cost"
        case .latency: return "latency"
        case .timeToFirstToken: return "ttft"
        case .finishReason: return "finish"
        }
    }
}

extension StatsGrouping {
    /// The grouping after this one, for `b`.
    var next: StatsGrouping {
        let all = StatsGrouping.allCases
        return all[((all.firstIndex(of: self) ?? 0) + 1) % all.count]
    }
}

extension ExplorerState {
    /// The traces a workbench opened now covers: the open trace alone, else those the list shows
    /// (all, or the ones its filter matches), in document order. A trace decoded from a file read
    /// through its index is not in the document: its position is `WorkbenchSession.origin`'s.
    func workbenchScope() -> (positions: [Int], scope: String) {
        if let s = session {
            let i = document.traces.firstIndex(where: { $0.id == s.trace.id }) ?? WorkbenchSession.originPosition
            return ([i], "trace " + String(s.trace.id.description.prefix(8)))
        }
        let n = document.traces.count
        guard let matching = list.matching, !list.query.isEmpty else {
            return (Array(0..<n), Format.plural(n, "trace"))
        }
        let positions = (0..<n).filter { $0 < matching.count && matching[$0] }
        return (positions, "\(Format.grouped(Int64(positions.count))) of \(Format.plural(n, "trace")) matching \(list.query)")
    }

    /// Per-trace facts for the whole document (worked out once and kept with the list's filter).
    mutating func documentFacts() -> [TraceFacts] {
        if let f = list.facts, f.count == document.traces.count { return f }
        let f = TraceFacts.compute(document.traces, prices: prices, sessionKeys: sessionKeys)
        list.facts = f
        return f
    }

    /// Opens a workbench whose first level is `table` over what is shown: a waiting level at
    /// once, the table when its job answers (at once too when it is small).
    mutating func openWorkbench(_ table: WorkbenchJob.Table) -> Command? {
        let (positions, scope) = workbenchScope()
        let origin = session
        let traces = positions.map { i in i == WorkbenchSession.originPosition ? origin.map(\.trace) : document.traces[i] }
            .compactMap { $0 }
        let job = WorkbenchJob(ticket: nextWorkbenchTicket(), table: table, traces: traces,
                               facts: cachedFacts(positions), prices: prices, sessionKeys: sessionKeys)
        workbenchReturn = nil
        let waiting = ComputingLevel(ticket: job.ticket, table: table, traces: traces.count, spans: job.spanCount, previous: nil)
        view = .workbench(WorkbenchSession(levels: [.computing(waiting)], origin: origin, positions: positions,
                                           ids: traces.map(\.id), scope: scope))
        return start(job)
    }

    /// The document position of workbench position `p`, found again by id when a live update
    /// moved it (nil when the document no longer holds it, or never did: see `coveredTrace`).
    func documentIndex(_ w: WorkbenchSession, _ p: Int) -> Int? {
        guard p >= 0, p < w.positions.count else { return nil }
        let i = w.positions[p]
        if i >= 0, i < document.traces.count, document.traces[i].id == w.ids[p] { return i }
        return document.traces.firstIndex { $0.id == w.ids[p] }
    }

    /// Workbench position `p`'s trace and its statistics: from the document, else the trace the
    /// workbench was opened from (a trace decoded from an indexed file); nil when neither holds it.
    func coveredTrace(_ w: WorkbenchSession, _ p: Int) -> (trace: Trace, statistics: TraceStatistics)? {
        if let i = documentIndex(w, p) { return (document.traces[i], statistics[i]) }
        guard let origin = originCovering(w, p) else { return nil }
        return (origin.trace, origin.insight.statistics)
    }

    /// The trace `w` was opened from when it is workbench position `p` and the document does not hold it.
    func originCovering(_ w: WorkbenchSession, _ p: Int) -> TraceSession? {
        guard p >= 0, p < w.ids.count, let origin = w.origin, origin.trace.id == w.ids[p] else { return nil }
        return origin
    }

    /// The covered traces of `w`, as the document holds them now (left out when no longer held).
    func coveredTraces(_ w: WorkbenchSession) -> [Trace] {
        w.positions.indices.map { p in coveredTrace(w, p)?.trace ?? Trace(id: w.ids[p], spans: []) }
    }

    /// The facts of the covered traces of `w` when the list already worked them out for each
    /// (nil: a job works out those it needs).
    func cachedFacts(_ w: WorkbenchSession) -> [TraceFacts]? {
        guard let all = list.facts, all.count == document.traces.count else { return nil }
        var out: [TraceFacts] = []
        out.reserveCapacity(w.positions.count)
        for p in w.positions.indices {
            guard let i = documentIndex(w, p) else { return nil }
            out.append(all[i])
        }
        return out
    }
}

extension WorkbenchSession {
    /// The position standing for the trace the workbench was opened from when the document does
    /// not hold it (a trace decoded from a file read through its index).
    static let originPosition = -1
}
