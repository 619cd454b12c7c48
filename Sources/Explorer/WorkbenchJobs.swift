import TraceAnalysis
import TraceModel
import TerminalText

/// A workbench table to work out off the UI thread (`Command.computeWorkbench`): what it is and
/// the traces it covers. Over a million spans a table takes a noticeable moment, so the key that
/// asks for it opens a waiting level at once and the table arrives later as
/// `Action.workbenchComputed`; the ticket tells a current answer from one for a level no longer shown.
///
/// Compared and hashed by ticket, like `RemoteAnswer`: the traces are too many to compare.
public struct WorkbenchJob: Hashable, Sendable {
    /// The table asked for.
    public enum Table: Hashable, Sendable {
        /// The stats table grouped by this.
        case stats(StatsGrouping)
        /// The sessions list.
        case sessions
        /// The ranked LLM calls (`oneTrace`: the calls of the trace the view was opened from).
        case calls(oneTrace: Bool)
        /// The spans of one stats group across the traces.
        case members(StatsGrouping, key: String)
        /// One session read as a thread of turns (only its traces are read).
        case thread(SessionSummary)

        /// What the waiting line calls it: "stats by name", "sessions", "LLM calls", "spans of chat".
        var title: String {
            switch self {
            case .stats(let by): return "stats by \(by.rawValue)"
            case .sessions: return "sessions"
            case .calls: return "LLM calls"
            case .members(_, let key): return "spans of \(key.isEmpty ? "(empty)" : key)"
            case .thread(let session): return "the thread of \(session.id)"
            }
        }
    }

    /// Tells this job's answer apart from answers to jobs given up since.
    public let ticket: Int
    /// What to work out.
    public let table: Table
    /// The covered traces, in the order the workbench's positions give.
    let traces: [Trace]
    /// Their facts when the list already worked them out (the job works them out when a table needs them).
    let facts: [TraceFacts]?
    /// Prices for computed costs.
    let prices: PriceTable
    /// The attributes that name a trace's session (`--session-key` first).
    let sessionKeys: SessionKeys
    /// Spans over all the covered traces (what decides whether the job is worth a thread).
    public let spanCount: Int
    /// The ticket of the job this one replaces (`b` while waiting): the runner stops that one.
    public internal(set) var replaces: Int?
    /// Set by `stop()`; shared by the copies of the job (the runner's and the command's).
    private let stopFlag = Locked(false)

    init(ticket: Int, table: Table, traces: [Trace], facts: [TraceFacts]?, prices: PriceTable, sessionKeys: SessionKeys) {
        self.ticket = ticket
        self.table = table
        self.traces = traces
        self.facts = facts
        self.prices = prices
        self.sessionKeys = sessionKeys
        if case .thread(let session) = table {
            // Only the session's traces are read.
            spanCount = session.traces.reduce(0) { $0 + ($1 < traces.count ? traces[$1].count : 0) }
        } else {
            spanCount = traces.reduce(0) { $0 + $1.count }
        }
    }

    /// Works the table out (seconds of CPU for millions of spans in a debug build: the runner
    /// calls this off its thread; small jobs run inline in `update`). The traces are taken a
    /// chunk at a time (`chunkSpans`), and once `stop()` was called the job ends at the next
    /// chunk with `.stopped`, which nothing shows.
    public func run() -> WorkbenchAnswer { run(chunkSpans: WorkbenchJob.chunkSpans) }

    /// `run()` with chunks of about `chunkSpans` spans; `looked` is called each time the job
    /// looks whether it was stopped (tests stop it there).
    func run(chunkSpans: Int, looked: () -> Void = {}) -> WorkbenchAnswer {
        let traces = self.traces, prices = self.prices, keys = self.sessionKeys
        let chunks = WorkbenchJob.chunks(traces, spans: chunkSpans)
        var isStopped: Bool {
            looked()
            return self.isStopped
        }
        let stopped = WorkbenchAnswer(ticket: ticket, outcome: .stopped)
        /// The facts of every trace, a chunk at a time (nil: stopped).
        func facts() -> [TraceFacts]? {
            if let known = self.facts { return known }
            var out: [TraceFacts] = []
            out.reserveCapacity(traces.count)
            for r in chunks {
                guard !isStopped else { return nil }
                out += TraceFacts.compute(Array(traces[r]), prices: prices, sessionKeys: keys)
            }
            return out
        }
        let level: WorkbenchLevel
        switch table {
        case .stats(let by):
            let known = by == .session ? facts() : nil
            if by == .session && known == nil { return stopped }
            var table = StatsAccumulator(by: by, prices: prices, sessionKeys: keys)
            for r in chunks {
                guard !isStopped else { return stopped }
                table.add(Array(traces[r]), facts: known.map { Array($0[r]) })
            }
            level = .stats(StatsLevel(table: table.table()))
        case .sessions:
            guard let facts = facts() else { return stopped }
            level = .sessions(ExplorerState.sessionsLevel(traces, facts: facts))
        case .calls(let oneTrace):
            var rows: [LLMCallRow] = []
            for r in chunks {
                guard !isStopped else { return stopped }
                for var row in LLMCallRanking.rows(Array(traces[r]), prices: prices) {
                    row.trace += r.lowerBound
                    rows.append(row)
                }
            }
            // Ranking them is the last stretch: not begun for a job already stopped.
            guard !isStopped else { return stopped }
            level = .calls(CallsLevel(rows: rows, oneTrace: oneTrace))
        case .members(let by, let key):
            let known = by == .session ? facts() : nil
            if by == .session && known == nil { return stopped }
            var members: [StatsMember] = []
            for r in chunks {
                guard !isStopped else { return stopped }
                for var m in TraceStats.members(Array(traces[r]), by: by, key: key, facts: known.map { Array($0[r]) },
                                                prices: prices, sessionKeys: keys) {
                    m.trace += r.lowerBound
                    members.append(m)
                }
            }
            guard !isStopped else { return stopped }
            members.sort(by: WorkbenchJob.slowestFirst)
            level = .members(MembersLevel(grouping: by, key: key, members: members))
        case .thread(let session):
            let known = self.facts
            var turns: [ConversationTurn] = []
            for t in session.traces {
                guard !isStopped else { return stopped }
                turns.append(Sessions.turn(traces[t], position: t,
                                           facts: known?[t] ?? TraceFacts(trace: traces[t], prices: prices, sessionKeys: keys)))
            }
            level = .thread(ThreadLevel(session: session, turns: turns))
        }
        return WorkbenchAnswer(ticket: ticket, outcome: .level(level))
    }

    /// Spans a chunk of a job holds before it looks whether it was stopped (a few milliseconds
    /// of work in a release build).
    static let chunkSpans = 20_000

    /// `traces` cut into runs of whole traces of about `spans` spans each (one trace per run when
    /// a trace is larger).
    static func chunks(_ traces: [Trace], spans: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0, held = 0
        for (i, t) in traces.enumerated() {
            held += t.count
            if held >= spans {
                out.append(start..<(i + 1))
                start = i + 1
                held = 0
            }
        }
        if start < traces.count { out.append(start..<traces.count) }
        return out
    }

    /// The order of a group's spans `TraceStats.members` gives: slowest first, then trace, then span.
    static func slowestFirst(_ a: StatsMember, _ b: StatsMember) -> Bool {
        if a.durationNanos != b.durationNanos { return a.durationNanos > b.durationNanos }
        return a.trace != b.trace ? a.trace < b.trace : a.span < b.span
    }

    /// Asks the job to stop at its next chunk (Esc, or the user left); its answer is then `.stopped`.
    public func stop() { stopFlag.withLock { $0 = true } }

    /// True once `stop()` was called.
    public var isStopped: Bool { stopFlag.withLock { $0 } }

    /// Equal when the tickets are.
    public static func == (a: WorkbenchJob, b: WorkbenchJob) -> Bool { a.ticket == b.ticket }

    /// Hashes the ticket.
    public func hash(into hasher: inout Hasher) { hasher.combine(ticket) }
}

/// The answer to `Command.computeWorkbench` or `Command.indexStats`, as `Action.workbenchComputed` brings it.
///
/// Compared and hashed by ticket: one job has one answer.
public struct WorkbenchAnswer: Hashable, Sendable {
    /// What came back.
    public enum Outcome: Sendable {
        /// The level worked out.
        case level(WorkbenchLevel)
        /// Why there is no table: one line (a file read through its index that changed, say).
        case failed(String)
        /// The job was stopped before it finished (nobody waits for its table).
        case stopped
    }

    /// The job's ticket.
    public let ticket: Int
    /// What came back.
    public let outcome: Outcome

    /// An answer to the job with `ticket`.
    init(ticket: Int, outcome: Outcome) {
        self.ticket = ticket
        self.outcome = outcome
    }

    /// The stats table of a file read through its index (`Command.indexStats`).
    public init(ticket: Int, stats: StatsTable) {
        self.init(ticket: ticket, outcome: .level(.stats(StatsLevel(table: stats))))
    }

    /// Why the stats of a file read through its index could not be worked out.
    public init(ticket: Int, error: String) {
        self.init(ticket: ticket, outcome: .failed(error))
    }

    /// Equal when the tickets are.
    public static func == (a: WorkbenchAnswer, b: WorkbenchAnswer) -> Bool { a.ticket == b.ticket }

    /// Hashes the ticket.
    public func hash(into hasher: inout Hasher) { hasher.combine(ticket) }
}

/// A level whose table is being worked out: what the waiting line says, and what Esc goes back to.
public struct ComputingLevel: Sendable {
    /// The job's ticket; only its answer fills this level.
    public let ticket: Int
    /// The table asked for.
    public let table: WorkbenchJob.Table
    /// Traces and spans covered, for the waiting line.
    public let traces: Int
    /// Spans covered (nil for a file read through its index, whose spans are not counted).
    public let spans: Int?
    /// The table shown until the answer comes (the stats by the previous grouping while `b`
    /// regroups); Esc goes back to it.
    public let previous: WorkbenchLevel?
    /// Set when live data changed what the level covers while it was worked out: once the
    /// answer is in, the table is worked out again (one job in flight per level).
    var again = false
    /// How far a job over an index got: traces read of all the index holds.
    public internal(set) var progress: (read: Int, total: Int)?

    /// "computing stats by name over 1,000 traces (1,000,000 spans)…", and how far it got when known.
    public var line: String {
        "computing \(table.title) over \(Format.plural(traces, "trace"))"
            + (spans.map { " (\(Format.plural($0, "span")))" } ?? "") + "…" + progressText
    }

    /// The waiting line without the span count, for narrow terminals.
    public var shortLine: String { "computing \(table.title) over \(Format.plural(traces, "trace"))…" + progressText }

    private var progressText: String {
        progress.map { " " + Format.percent(Double($0.read), of: Double($0.total)) + " read" } ?? ""
    }
}

/// A table of the workbench being worked out again for live data, while the old one stays on screen.
struct WorkbenchRefresh: Sendable {
    /// The job's ticket.
    let ticket: Int
    /// What the new table covers (replacing the session's when it arrives).
    let positions: [Int]
    let ids: [TraceID]
    let scope: String
    /// Live data changed again meanwhile: work it out once more when this answer is in.
    var again = false
}

extension ExplorerState {
    /// Below this many spans a table is worked out inside `update` (faster than a frame), above
    /// it by the runner off the UI thread. Both go through `applyWorkbenchAnswer`; tests set it
    /// to 0 to take the runner's path.
    static let inlineWorkbenchSpans = 50_000

    /// A new ticket for a workbench job.
    mutating func nextWorkbenchTicket() -> Int {
        workbenchTicket += 1
        return workbenchTicket
    }

    /// Runs `job` now when it is small (its answer applied at once), else asks the runner to.
    mutating func start(_ job: WorkbenchJob) -> Command? {
        if job.spanCount <= workbenchInlineSpans { return applyWorkbenchAnswer(job.run()) }
        return .computeWorkbench(job)
    }

    /// The facts of the traces at `positions` when the list already worked them out (nil: the
    /// job works out those it needs, off the UI thread).
    func cachedFacts(_ positions: [Int]) -> [TraceFacts]? {
        guard let all = list.facts, all.count == document.traces.count,
              positions.allSatisfy({ $0 >= 0 && $0 < all.count }) else { return nil }
        return positions.map { all[$0] }
    }

    /// Notes how far the job of the waiting level on screen got (other tickets' news is dropped).
    mutating func applyWorkbenchProgress(ticket: Int, read: Int, total: Int) {
        guard case .workbench(var w) = view, case .computing(var c) = w.current, c.ticket == ticket else { return }
        c.progress = (read, total)
        w.levels[w.levels.count - 1] = .computing(c)
        view = .workbench(w)
    }

    /// The command that stops the job of `level`, when it is a waiting level: the index job of a
    /// file read through its index, else the job over traces in memory.
    func stopCommand(_ level: WorkbenchLevel, _ w: WorkbenchSession) -> Command? {
        guard case .computing(let c) = level else { return nil }
        return indexed != nil && w.origin == nil ? .stopIndexStats(ticket: c.ticket) : .stopWorkbench(ticket: c.ticket)
    }

    /// Takes in a worked-out table: it fills its waiting level, or replaces a table live data
    /// made stale, when that level is still on screen; any other answer is dropped (the user
    /// left, regrouped again, or a newer job replaced it).
    mutating func applyWorkbenchAnswer(_ answer: WorkbenchAnswer) -> Command? {
        guard case .workbench(var w) = view else { return nil }
        let h = workbenchRows
        if case .stopped = answer.outcome { return nil }
        if case .computing(let c) = w.current, c.ticket == answer.ticket {
            switch answer.outcome {
            case .stopped:
                return nil
            case .level(let level):
                w.levels[w.levels.count - 1] = clamped(level, height: h)
            case .failed(let error):
                message = error
                if let previous = c.previous {
                    w.levels[w.levels.count - 1] = previous
                } else if w.levels.count > 1 {
                    w.levels.removeLast()
                } else {
                    leaveWorkbench(w)
                    return nil
                }
            }
            view = .workbench(w)
            return c.again ? refreshWorkbench() : nil
        }
        guard let r = w.refresh, r.ticket == answer.ticket, w.levels.count == 1 else { return nil }
        w.refresh = nil
        guard case .level(let fresh) = answer.outcome else {
            view = .workbench(w)
            return nil
        }
        let level = carried(w.current, to: fresh)
        w = WorkbenchSession(levels: [clamped(level, height: h)], origin: w.origin, positions: r.positions,
                             ids: r.ids, scope: r.scope)
        view = .workbench(w)
        return r.again ? refreshWorkbench() : nil
    }

    /// `fresh`, a table worked out again, with the grouping's selection, the sort and the
    /// scroll of `old` carried over.
    func carried(_ old: WorkbenchLevel, to fresh: WorkbenchLevel) -> WorkbenchLevel {
        switch (old, fresh) {
        case (.stats(let o), .stats(var n)):
            let key = o.table.groups.indices.contains(o.selected) ? o.table.groups[o.selected].key : nil
            n.selected = n.table.groups.firstIndex { $0.key == key } ?? o.selected
            n.top = o.top
            return .stats(n)
        case (.sessions(let o), .sessions(var n)):
            let id = o.sessions.indices.contains(o.selected) ? o.sessions[o.selected].id : nil
            n.selected = n.sessions.firstIndex { $0.id == id } ?? o.selected
            n.top = o.top
            return .sessions(n)
        case (.calls(let o), .calls(var n)):
            n.setSort(o.sort, descending: o.descending)
            n.selected = o.selected
            n.top = o.top
            return .calls(n)
        default:
            return fresh
        }
    }
}

extension WorkbenchSession {
    /// The same session showing `level` in place of its current one (for drawing a table under a waiting level).
    func withCurrent(_ level: WorkbenchLevel) -> WorkbenchSession {
        var w = self
        w.levels[w.levels.count - 1] = level
        return w
    }
}
