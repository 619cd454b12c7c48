import TraceAnalysis
import TraceModel
import TerminalText

/// A workbench table over a file read through its index (`Command.indexTable`): the LLM calls, a
/// stats group's spans or a session's thread, worked out by reading the traces it covers from
/// the file one at a time, since only the open trace is kept in memory. The CLI runs it on a
/// thread of its own with the lazy store's reader; the rows come out as the same analysis of
/// the same traces loaded whole gives them, so the screens are the same.
///
/// Compared and hashed by ticket, like `WorkbenchJob`.
public struct IndexJob: Hashable, Sendable {
    /// Tells this job's answer apart from answers to jobs given up since.
    public let ticket: Int
    /// What to work out: `.calls`, `.members` or `.thread` (the stats table and the sessions
    /// come from `Command.indexStats` and from the index itself).
    public let table: WorkbenchJob.Table
    /// Index positions of the traces the workbench covers, one per workbench position.
    let positions: [Int]
    /// The workbench positions whose traces are read (a session's turns), nil for all of them.
    let subset: [Int]?
    /// Prices for computed costs.
    let prices: PriceTable
    /// The attributes that name a trace's session (`--session-key` first).
    let sessionKeys: SessionKeys

    /// Traces the job reads.
    public var count: Int { subset?.count ?? positions.count }

    /// Traces read at a time: a few per core, so both cores decode and little is held at once.
    public static let batchTraces = 2 * Parallel.cores

    /// Works the table out, reading the traces at index positions `is` with `read(is)` a batch
    /// at a time (blocking: off the UI thread; the reader may decode a batch on all cores).
    /// Before each batch `keepGoing(read so far, count)` tells how far it got; when it says false
    /// the job stops there and answers nothing (nil). A trace that cannot be read (the file
    /// changed) ends the job with a one-line answer saying so.
    public func run(read: ([Int]) throws -> [Trace], keepGoing: (_ read: Int, _ total: Int) -> Bool) -> WorkbenchAnswer? {
        let wanted = subset ?? Array(positions.indices)
        var calls: [LLMCallRow] = []
        var members: [(member: StatsMember, figures: MemberFigures)] = []
        var turns: [ConversationTurn] = []
        for start in stride(from: 0, to: wanted.count, by: IndexJob.batchTraces) {
            guard keepGoing(start, wanted.count) else { return nil }
            let batch = Array(wanted[start..<min(wanted.count, start + IndexJob.batchTraces)])
            let traces: [Trace]
            do {
                traces = try read(batch.map { positions[$0] })
            } catch {
                return WorkbenchAnswer(ticket: ticket, outcome: .failed("\(table.title): \(error)"))
            }
            for (p, trace) in zip(batch, traces) { take(trace, at: p, &calls, &members, &turns) }
        }
        guard keepGoing(wanted.count, wanted.count) else { return nil }
        guard keepGoing(wanted.count, wanted.count) else { return nil }
        let level: WorkbenchLevel
        switch table {
        case .calls(let oneTrace):
            level = .calls(CallsLevel(rows: calls, oneTrace: oneTrace))
        case .members(let by, let key):
            // The order `TraceStats.members` gives over all the traces at once: slowest first,
            // then trace, then span.
            members.sort { WorkbenchJob.slowestFirst($0.member, $1.member) }
            level = .members(MembersLevel(grouping: by, key: key, members: members.map(\.member),
                                          figures: members.map(\.figures)))
        case .thread(let session):
            level = .thread(ThreadLevel(session: session, turns: turns))
        case .stats, .sessions:
            return WorkbenchAnswer(ticket: ticket, outcome: .failed("\(table.title) are not read trace by trace"))
        }
        return WorkbenchAnswer(ticket: ticket, outcome: .level(level))
    }

    /// Takes in the rows of `trace`, at workbench position `p`.
    private func take(_ trace: Trace, at p: Int, _ calls: inout [LLMCallRow],
                      _ members: inout [(member: StatsMember, figures: MemberFigures)], _ turns: inout [ConversationTurn]) {
        switch table {
        case .calls:
            for var row in LLMCallRanking.rows([trace], prices: prices) {
                row.trace = p
                calls.append(row)
            }
        case .members(let by, let key):
            let facts = by == .session ? [TraceFacts(trace: trace, prices: prices, sessionKeys: sessionKeys)] : nil
            let found = TraceStats.members([trace], by: by, key: key, facts: facts, prices: prices, sessionKeys: sessionKeys)
            guard !found.isEmpty else { return }
            let statistics = TraceStatistics(trace: trace, prices: prices)
            for m in found {
                var at = m
                at.trace = p
                members.append((at, MemberFigures(m, trace: trace, statistics: statistics, grouping: by)))
            }
        case .thread:
            turns.append(Sessions.turn(trace, position: p, facts: TraceFacts(trace: trace, prices: prices, sessionKeys: sessionKeys)))
        case .stats, .sessions:
            break
        }
    }

    /// Equal when the tickets are.
    public static func == (a: IndexJob, b: IndexJob) -> Bool { a.ticket == b.ticket }

    /// Hashes the ticket.
    public func hash(into hasher: inout Hasher) { hasher.combine(ticket) }
}

/// A trace of an indexed file asked for from the workbench: where to open it once decoded.
public struct WorkbenchTarget: Hashable, Sendable {
    /// The span to select (nil: the root, as a session's turn opens).
    public var span: Int?
    /// Show the span's details (an LLM call opened from the ranked calls).
    public var details: Bool
}

extension ExplorerState {
    /// The list entries (index positions) a workbench over an indexed file covers: those the
    /// list shows, in index order (what a full load's document order is), and the scope line.
    func indexedScope() -> (positions: [Int], scope: String) {
        let n = list.entries.count
        guard let matching = list.matching, !list.query.isEmpty else {
            return (Array(0..<n), Format.plural(n, "trace"))
        }
        let positions = (0..<n).filter { $0 < matching.count && matching[$0] }
        return (positions, "\(Format.grouped(Int64(positions.count))) of \(Format.plural(n, "trace")) matching \(list.query)")
    }

    /// `%`, `@` and `L` on the list of a file read through its index, over the traces the list
    /// shows: stats a batch at a time (`Command.indexStats`), sessions from the index at once
    /// (it holds every figure a session's row shows), the LLM calls by reading the traces
    /// (`Command.indexTable`).
    mutating func openIndexedWorkbench(_ action: Action) -> Command? {
        let what = action == .openStats ? "stats" : action == .openSessions ? "sessions" : "LLM calls"
        guard let source = indexed, source.done, source.failure == nil else {
            message = indexed?.failure.map { "cannot work out \(what): \($0)" }
                ?? "still reading the file: \(what) open once the scan is done"
            return nil
        }
        let (positions, scope) = indexedScope()
        let ids = positions.map { list.entries[$0].id }
        workbenchReturn = nil
        func waiting(_ table: WorkbenchJob.Table, ticket: Int) -> WorkbenchSession {
            WorkbenchSession(levels: [.computing(ComputingLevel(ticket: ticket, table: table, traces: positions.count,
                                                                spans: nil, previous: nil))],
                             origin: nil, positions: positions, ids: ids, scope: scope)
        }
        switch action {
        case .openStats:
            let ticket = nextWorkbenchTicket()
            view = .workbench(waiting(.stats(.name), ticket: ticket))
            return .indexStats(ticket: ticket, by: .name, query: list.query)
        case .openSessions:
            // The list keeps a facts entry per row of an indexed file (`applyIndexBatch`).
            let all = list.facts ?? []
            let facts = positions.compactMap { $0 < all.count ? all[$0] : nil }
            let level = ExplorerState.sessionsLevel(facts: facts)
            view = .workbench(WorkbenchSession(levels: [clamped(.sessions(level), height: workbenchRows)], origin: nil,
                                               positions: positions, ids: ids, scope: scope))
            return nil
        case .openCalls:
            let job = IndexJob(ticket: nextWorkbenchTicket(), table: .calls(oneTrace: false), positions: positions, subset: nil,
                               prices: prices, sessionKeys: sessionKeys)
            view = .workbench(waiting(job.table, ticket: job.ticket))
            return .indexTable(job)
        default:
            return nil
        }
    }

    /// Pushes a waiting level for `table` over `w`'s traces (only those of `subset` read) and
    /// returns the command that reads them from the file.
    func indexedLevel(_ table: WorkbenchJob.Table, _ w: inout WorkbenchSession, subset: [Int]?, ticket: Int) -> Command {
        let job = IndexJob(ticket: ticket, table: table, positions: w.positions, subset: subset, prices: prices,
                           sessionKeys: sessionKeys)
        w.levels.append(.computing(ComputingLevel(ticket: ticket, table: table, traces: job.count, spans: nil, previous: nil)))
        return .indexTable(job)
    }

    /// Asks for the trace at workbench position `position` of an indexed file to be read, to
    /// open at `span` once it is (nil, with a message, when there is no such trace).
    mutating func requestFromWorkbench(_ w: WorkbenchSession, position: Int, span: Int?, details: Bool) -> Command? {
        guard var source = indexed, position >= 0, position < w.ids.count else {
            message = "that trace is no longer held (evicted by the span limit)"
            return nil
        }
        if let failure = source.failure {
            message = "cannot open traces: \(failure)"
            return nil
        }
        source.opening = w.ids[position]
        source.target = WorkbenchTarget(span: span, details: details)
        indexed = source
        return .decodeTrace(w.ids[position])
    }

    /// Opens a trace decoded for the workbench `w` on screen, at `target`; Esc in it comes back to `w`.
    mutating func openDecoded(_ insight: TraceInsight, at target: WorkbenchTarget, from w: WorkbenchSession) {
        open(insight)
        if let p = list.order.firstIndex(where: { list.entries[$0].id == insight.trace.id }) { list.selected = p }
        showOpened(span: target.span, details: target.details, back: w)
    }

    /// The open trace with `span` selected (and its details shown when `details`), Esc going back to `back`.
    mutating func showOpened(span: Int?, details: Bool, back: WorkbenchSession) {
        guard var s = session else { return }
        if let span, span < s.trace.count {
            s.select(span)
            s.keepSelectionVisible(height: traceRows(s), center: true)
            view = .trace(s)
            if details { overlay = .document(detailDocument(s)) }
        }
        // A job for the first level still under way answers nothing once the workbench is left.
        var w = back
        w.refresh = nil
        workbenchReturn = w
    }

    /// The sessions of traces with these `facts`, and how many belong to none.
    static func sessionsLevel(facts: [TraceFacts]) -> SessionsLevel {
        let sessions = Sessions.list(facts: facts)
        let named = sessions.reduce(0) { $0 + $1.traces.count }
        return SessionsLevel(sessions: sessions, withoutSession: facts.count - named)
    }
}
