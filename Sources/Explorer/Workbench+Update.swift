import TraceAnalysis
import TraceModel
import TerminalText

/// The workbench's reducer: opening its views, moving, sorting, regrouping, going a level
/// deeper with Enter and back with Esc, and opening a trace at a span.
extension ExplorerState {
    /// `%`, `@` and `L` from the trace list or a trace: opens that view over what is shown.
    mutating func openWorkbenchView(_ action: Action) {
        let prices = self.prices, sessionKeys = self.sessionKeys
        switch action {
        case .openStats:
            openWorkbench({ traces, _, _ in
                .stats(ExplorerState.statsLevel(traces, facts: nil, by: .name, prices: prices))
            }, needsFacts: false)
        case .openSessions:
            openWorkbench({ traces, facts, _ in
                .sessions(ExplorerState.sessionsLevel(traces, facts: facts ?? TraceFacts.compute(traces, prices: prices, sessionKeys: sessionKeys)))
            }, needsFacts: true)
        case .openCalls:
            openWorkbench({ traces, _, oneTrace in
                .calls(CallsLevel(rows: LLMCallRanking.rows(traces, prices: prices), oneTrace: oneTrace))
            }, needsFacts: false)
        default:
            break
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
    mutating func refreshWorkbench() {
        guard case .workbench(let w) = view, w.levels.count == 1 else { return }
        var positions: [Int]
        var scope = w.scope
        if let origin = w.origin {
            guard let i = document.traces.firstIndex(where: { $0.id == origin.trace.id }) else { return }
            positions = [i]
        } else {
            (positions, scope) = workbenchScope()
        }
        let traces = positions.map { document.traces[$0] }
        let level: WorkbenchLevel
        switch w.current {
        case .stats(let old):
            let by = old.table.grouping
            let facts: [TraceFacts]? = by == .session ? documentFacts().pick(positions) : nil
            var new = ExplorerState.statsLevel(traces, facts: facts, by: by, prices: prices)
            let key = old.table.groups.indices.contains(old.selected) ? old.table.groups[old.selected].key : nil
            new.selected = new.table.groups.firstIndex { $0.key == key } ?? old.selected
            new.top = old.top
            level = .stats(new)
        case .sessions(let old):
            var new = ExplorerState.sessionsLevel(traces, facts: documentFacts().pick(positions))
            let id = old.sessions.indices.contains(old.selected) ? old.sessions[old.selected].id : nil
            new.selected = new.sessions.firstIndex { $0.id == id } ?? old.selected
            new.top = old.top
            level = .sessions(new)
        case .calls(let old):
            var new = CallsLevel(rows: LLMCallRanking.rows(traces, prices: prices), oneTrace: old.oneTrace)
            new.setSort(old.sort, descending: old.descending)
            new.selected = old.selected
            new.top = old.top
            level = .calls(new)
        case .members, .thread:
            return
        }
        view = .workbench(WorkbenchSession(levels: [clamped(level, height: workbenchRows)], origin: w.origin,
                                           positions: positions, ids: positions.map { document.traces[$0].id },
                                           scope: scope))
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
        switch action {
        case .back:
            if w.levels.count > 1 {
                w.levels.removeLast()
                break
            }
            leaveWorkbench(w)
            return nil
        case .traceList:
            if hasTraceList {
                view = .list
                clampList()
                return nil
            }
            message = "this file holds one trace"
        case .cycleGrouping:
            guard case .stats(let l) = level else {
                message = "b groups the stats table (%)"
                break
            }
            let by = l.table.grouping.next
            let traces = coveredTraces(w)
            let facts = by == .session ? coveredFacts(w, traces) : nil
            w.levels[w.levels.count - 1] = .stats(ExplorerState.statsLevel(traces, facts: facts, by: by, prices: prices))
            message = "stats by \(by.rawValue)"
        case .cycleSort, .reverseSort:
            guard case .calls(var l) = level else {
                message = "s and r sort the LLM calls (L)"
                break
            }
            if action == .cycleSort { l.cycleSort() } else { l.reverse() }
            w.levels[w.levels.count - 1] = .calls(l)
            message = "sorted by \(l.sort.title) \(l.descending ? "↓" : "↑")"
        case .activate:
            if enterInWorkbench(&w) { return nil }
        default:
            break
        }
        if let selected { w.levels[w.levels.count - 1] = level.moved(selected: selected, top: level.top) }
        w.levels[w.levels.count - 1] = clamped(w.current, height: h)
        view = .workbench(w)
        return nil
    }

    /// Rows of a workbench table.
    var workbenchRows: Int { max(1, layout.listBody.height) }

    /// The workbench shown, nil when another view is.
    public var workbench: WorkbenchSession? {
        if case .workbench(let w) = view { return w }
        return nil
    }

    /// Back from the workbench's first level: to the trace it was opened from, else to the list.
    private mutating func leaveWorkbench(_ w: WorkbenchSession) {
        if var s = w.origin {
            s.keepSelectionVisible(height: traceRows(s), center: false)
            view = .trace(s)
        } else {
            view = .list
            clampList()
        }
    }

    /// Enter: a group's spans, a session's thread, or the trace at the selected span. True when
    /// the workbench was left for a trace (the state's view is already set).
    private mutating func enterInWorkbench(_ w: inout WorkbenchSession) -> Bool {
        let level = w.current
        let p = level.selected
        guard p < level.count else { return false }
        switch level {
        case .stats(let l):
            let group = l.table.groups[p]
            let traces = coveredTraces(w)
            let facts = l.table.grouping == .session ? coveredFacts(w, traces) : nil
            let members = TraceStats.members(traces, by: l.table.grouping, key: group.key, facts: facts, prices: prices)
            w.levels.append(.members(MembersLevel(grouping: l.table.grouping, key: group.key, members: members)))
        case .sessions(let l):
            let session = l.sessions[p]
            let traces = coveredTraces(w)
            let facts = coveredFacts(w, traces)
            w.levels.append(.thread(ThreadLevel(session: session, turns: Sessions.thread(session, traces: traces, facts: facts))))
        case .members(let l):
            let m = l.members[p]
            return openFromWorkbench(w, position: m.trace, span: m.span, details: false)
        case .thread(let l):
            let turn = l.turns[p]
            return openFromWorkbench(w, position: turn.trace, span: nil, details: false)
        case .calls(let l):
            let r = l.rows[p]
            return openFromWorkbench(w, position: r.trace, span: r.span, details: true)
        }
        return false
    }

    /// Opens the trace at workbench position `position`, with `span` selected (and its details
    /// shown when `details`); Esc in that trace comes back to `w`.
    private mutating func openFromWorkbench(_ w: WorkbenchSession, position: Int, span: Int?, details: Bool) -> Bool {
        guard let i = documentIndex(w, position) else {
            message = "that trace is no longer held (evicted by the span limit)"
            return false
        }
        openTrace(i)
        guard var s = session else { return false }
        if let span, span < s.trace.count {
            s.select(span)
            s.keepSelectionVisible(height: traceRows(s), center: true)
            view = .trace(s)
            if details { overlay = .document(detailDocument(s)) }
        }
        workbenchReturn = w
        return true
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
        if case .thread = w.current { return nil }
        let p = w.current.top + (e.row - body.top)
        guard p < w.current.count else { return nil }
        var moved = w
        moved.levels[moved.levels.count - 1] = w.current.moved(selected: p, top: w.current.top)
        view = .workbench(moved)
        return e.kind == .doubleClick ? applyWorkbench(moved, .activate) : nil
    }
}

extension Array {
    /// The elements at `positions`, in that order.
    fileprivate func pick(_ positions: [Int]) -> [Element] { positions.map { self[$0] } }
}
