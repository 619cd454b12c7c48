import TraceAnalysis
import TraceModel
import TerminalText

/// The workbench's reducer: opening its views, moving, sorting, regrouping, going a level
/// deeper with Enter and back with Esc, and opening a trace at a span.
extension ExplorerState {
    /// `%`, `@` and `L` from the trace list or a trace: opens that view over what is shown.
    mutating func openWorkbenchView(_ action: Action) -> Command? {
        if indexed != nil, session == nil { return openIndexedWorkbench(action) }
        switch action {
        case .openStats: return openWorkbench(.stats(.name))
        case .openSessions: return openWorkbench(.sessions)
        case .openCalls: return openWorkbench(.calls(oneTrace: session != nil))
        default: return nil
        }
    }

    /// The sessions of `traces` (with their `facts`), and how many traces belong to none.
    static func sessionsLevel(_ traces: [Trace], facts: [TraceFacts]) -> SessionsLevel {
        let sessions = Sessions.list(traces, facts: facts)
        let named = sessions.reduce(0) { $0 + $1.traces.count }
        return SessionsLevel(sessions: sessions, withoutSession: traces.count - named)
    }

    /// Live data under an open workbench table: the table is worked out again over what it
    /// covers now (the list's filter, or the trace it was opened from), keeping its grouping, its
    /// sort and the selected group, session or row. A group's spans or a session's thread, once
    /// opened, stay as they were: their rows point into the table they came from.
    ///
    /// One job per level is in flight: while one runs, newer data only marks it to run once more
    /// when it answers, so a burst of updates costs two tables, not one per update.
    mutating func refreshWorkbench() -> Command? {
        guard case .workbench(var w) = view, w.levels.count == 1 else { return nil }
        if case .computing(var c) = w.current {
            c.again = true
            w.levels[0] = .computing(c)
            view = .workbench(w)
            return nil
        }
        if var r = w.refresh {
            r.again = true
            w.refresh = r
            view = .workbench(w)
            return nil
        }
        let table: WorkbenchJob.Table
        switch w.current {
        case .stats(let l): table = .stats(l.table.grouping)
        case .sessions: table = .sessions
        case .calls(let l): table = .calls(oneTrace: l.oneTrace)
        case .members, .thread, .computing: return nil
        }
        var positions: [Int]
        var scope = w.scope
        if let origin = w.origin {
            guard let i = document.traces.firstIndex(where: { $0.id == origin.trace.id }) else { return nil }
            positions = [i]
        } else {
            (positions, scope) = workbenchScope()
        }
        let traces = positions.map { document.traces[$0] }
        let job = WorkbenchJob(ticket: nextWorkbenchTicket(), table: table, traces: traces,
                               facts: cachedFacts(positions), prices: prices, sessionKeys: sessionKeys)
        w.refresh = WorkbenchRefresh(ticket: job.ticket, positions: positions, ids: traces.map(\.id), scope: scope)
        view = .workbench(w)
        return start(job)
    }

    /// A key in the workbench.
    mutating func applyWorkbench(_ current: WorkbenchSession, _ action: Action) -> Command? {
        var w = current
        // Placeholder while `w` is edited, so its arrays are not copied on every key.
        view = .list
        let h = workbenchRows
        let level = w.current
        let row = level.selected
        let selected = action.movedRow(from: row, last: level.count - 1, page: h)
        var command: Command?
        switch action {
        case .back:
            if case .computing(let c) = level {
                message = "stopped computing \(c.table.title)"
                command = stopCommand(level, w)
                if let previous = c.previous {
                    w.levels[w.levels.count - 1] = previous
                    // Live data came while waiting: the table gone back to follows it (the
                    // job that replaces the stopped one stops it).
                    if c.again, case .stopWorkbench? = command {
                        view = .workbench(w)
                        guard case .computeWorkbench(var job)? = refreshWorkbench() else { return command }
                        job.replaces = c.ticket
                        return .computeWorkbench(job)
                    }
                    break
                }
            }
            if w.levels.count > 1 {
                w.levels.removeLast()
                break
            }
            leaveWorkbench(w)
            return command
        case .traceList:
            if hasTraceList {
                view = .list
                clampList()
                return stopCommand(level, w)
            }
            message = "this file holds one trace"
        case .cycleGrouping:
            let shown: WorkbenchLevel?
            let by: StatsGrouping
            if case .stats(let l) = level {
                shown = level
                by = l.table.grouping.next
            } else if case .computing(let c) = level, case .stats(let g) = c.table {
                // Regrouping again before the answer: the waiting level's job is given up.
                shown = c.previous
                by = g.next
            } else {
                message = "b groups the stats table (%)"
                break
            }
            // A refresh for the old grouping is no longer wanted, but what it covers is the newest:
            // the new grouping covers that (a stats table points at no trace, so nothing shown breaks).
            if let r = w.refresh {
                w = WorkbenchSession(levels: w.levels, origin: w.origin, positions: r.positions, ids: r.ids, scope: r.scope)
            }
            view = .workbench(w)
            return regroup(by: by, showing: shown)
        case .cycleSort, .reverseSort:
            guard case .calls(var l) = level else {
                message = "s and r sort the LLM calls (L)"
                break
            }
            if action == .cycleSort { l.cycleSort() } else { l.reverse() }
            w.levels[w.levels.count - 1] = .calls(l)
            message = "sorted by \(l.sort.title) \(l.descending ? "↓" : "↑")"
        case .activate:
            switch enterInWorkbench(&w) {
            case .left: return nil
            case .stay: break
            case .computing(let job):
                view = .workbench(w)
                return start(job)
            case .command(let c):
                view = .workbench(w)
                return c
            }
        default:
            break
        }
        if let selected { w.levels[w.levels.count - 1] = level.moved(selected: selected, top: level.top) }
        w.levels[w.levels.count - 1] = clamped(w.current, height: h)
        view = .workbench(w)
        return command
    }

    /// `b`: the stats table by `by` in place of the one shown, `shown` staying on screen (under
    /// the waiting line) until the new one comes.
    private mutating func regroup(by: StatsGrouping, showing shown: WorkbenchLevel?) -> Command? {
        guard case .workbench(var w) = view else { return nil }
        message = "stats by \(by.rawValue)"
        let ticket = nextWorkbenchTicket()
        if indexed != nil, w.origin == nil {
            w.levels[w.levels.count - 1] = .computing(ComputingLevel(ticket: ticket, table: .stats(by), traces: list.order.count,
                                                                      spans: nil, previous: shown))
            view = .workbench(w)
            return .indexStats(ticket: ticket, by: by, query: list.query)
        }
        var job = WorkbenchJob(ticket: ticket, table: .stats(by), traces: coveredTraces(w), facts: cachedFacts(w), prices: prices,
                               sessionKeys: sessionKeys)
        var waiting = ComputingLevel(ticket: ticket, table: .stats(by), traces: w.positions.count, spans: job.spanCount,
                                     previous: shown)
        // Live data that came while the job given up ran is not covered by this one either; the
        // runner stops that job.
        if case .computing(let replaced) = w.current {
            waiting.again = replaced.again
            job.replaces = replaced.ticket
        }
        w.levels[w.levels.count - 1] = .computing(waiting)
        view = .workbench(w)
        return start(job)
    }

    /// Rows of a workbench table.
    var workbenchRows: Int { max(1, layout.listBody.height) }

    /// The workbench shown, nil when another view is.
    public var workbench: WorkbenchSession? {
        if case .workbench(let w) = view { return w }
        return nil
    }

    /// Back from the workbench's first level: to the trace it was opened from, else to the list.
    mutating func leaveWorkbench(_ w: WorkbenchSession) {
        if var s = w.origin {
            s.keepSelectionVisible(height: traceRows(s), center: false)
            view = .trace(s)
        } else {
            view = .list
            clampList()
        }
    }

    /// What Enter in the workbench did.
    private enum Entered {
        /// Nothing to open (an empty table), or a level opened at once.
        case stay
        /// The workbench was left for a trace (the state's view is already set).
        case left
        /// A waiting level was pushed for this job.
        case computing(WorkbenchJob)
        /// The file read through its index is read for this (a table, or the trace to open).
        case command(Command)
    }

    /// Enter: a group's spans (worked out by a job, off the UI thread when large), a session's
    /// thread, or the trace at the selected span.
    private mutating func enterInWorkbench(_ w: inout WorkbenchSession) -> Entered {
        let level = w.current
        let p = level.selected
        guard p < level.count else { return .stay }
        switch level {
        case .stats(let l):
            let group = l.table.groups[p]
            let table = WorkbenchJob.Table.members(l.table.grouping, key: group.key)
            if indexed != nil, w.origin == nil {
                return .command(indexedLevel(table, &w, subset: nil, ticket: nextWorkbenchTicket()))
            }
            let job = WorkbenchJob(ticket: nextWorkbenchTicket(), table: table, traces: coveredTraces(w),
                                   facts: cachedFacts(w), prices: prices, sessionKeys: sessionKeys)
            w.levels.append(.computing(ComputingLevel(ticket: job.ticket, table: table, traces: w.positions.count,
                                                      spans: job.spanCount, previous: nil)))
            return .computing(job)
        case .sessions(let l):
            // Only the session's traces are read (facts from the list's when it has them).
            let session = l.sessions[p]
            let table = WorkbenchJob.Table.thread(session)
            if indexed != nil, w.origin == nil {
                return .command(indexedLevel(table, &w, subset: session.traces, ticket: nextWorkbenchTicket()))
            }
            let job = WorkbenchJob(ticket: nextWorkbenchTicket(), table: table, traces: coveredTraces(w),
                                   facts: cachedFacts(w), prices: prices, sessionKeys: sessionKeys)
            w.levels.append(.computing(ComputingLevel(ticket: job.ticket, table: table, traces: session.traces.count,
                                                      spans: job.spanCount, previous: nil)))
            return .computing(job)
        case .members(let l):
            let m = l.members[p]
            return openFromWorkbench(w, position: m.trace, span: m.span, details: false)
        case .thread(let l):
            let turn = l.turns[p]
            return openFromWorkbench(w, position: turn.trace, span: nil, details: false)
        case .calls(let l):
            let r = l.rows[p]
            return openFromWorkbench(w, position: r.trace, span: r.span, details: true)
        case .computing:
            break
        }
        return .stay
    }

    /// Opens the trace at workbench position `position`, with `span` selected (and its details
    /// shown when `details`); Esc in that trace comes back to `w`. A trace of a file read through
    /// its index is read from the file first (it opens when the answer comes).
    private mutating func openFromWorkbench(_ w: WorkbenchSession, position: Int, span: Int?, details: Bool) -> Entered {
        if let i = documentIndex(w, position) {
            openTrace(i)
        } else if let origin = originCovering(w, position) {
            open(origin.insight)
        } else if indexed != nil {
            return requestFromWorkbench(w, position: position, span: span, details: details).map(Entered.command) ?? .stay
        } else {
            message = "that trace is no longer held (evicted by the span limit)"
            return .stay
        }
        guard session != nil else { return .stay }
        showOpened(span: span, details: details, back: w)
        return .left
    }

    /// `level` with its selection inside its rows and on screen for `height` rows (for the
    /// thread, whose turns take several lines each, the selected turn wholly on screen when it fits).
    func clamped(_ level: WorkbenchLevel, height h: Int) -> WorkbenchLevel {
        let n = level.count
        let selected = min(max(0, level.selected), max(0, n - 1))
        var top = level.top
        if case .thread(let l) = level {
            if selected < top { top = selected }
            var lines = (top...max(top, selected)).reduce(0) { $0 + (($1 < n) ? l.height(of: $1) : 0) }
            while top < selected && lines > h {
                lines -= l.height(of: top)
                top += 1
            }
            top = min(max(0, top), max(0, n - 1))
            return level.moved(selected: selected, top: top)
        }
        if selected < top { top = selected }
        if selected >= top + h { top = selected - h + 1 }
        top = min(max(0, top), max(0, n - h))
        return level.moved(selected: selected, top: top)
    }

    /// A click on a table row selects it, a double click opens it (as Enter); the thread's turns
    /// are several lines each and are chosen with the keys.
    mutating func clickInWorkbench(_ w: WorkbenchSession, _ e: MouseEvent) -> Command? {
        let body = layout.listBody
        guard body.rows.contains(e.row) else { return nil }
        switch w.current {
        case .thread, .computing: return nil
        default: break
        }
        let p = w.current.top + (e.row - body.top)
        guard p < w.current.count else { return nil }
        var moved = w
        moved.levels[moved.levels.count - 1] = w.current.moved(selected: p, top: w.current.top)
        view = .workbench(moved)
        return e.kind == .doubleClick ? applyWorkbench(moved, .activate) : nil
    }
}

