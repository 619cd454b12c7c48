import TraceAnalysis
import TraceModel
import TerminalText

/// The explorer's one way to change: a new state for an action, and maybe a side effect for
/// the runner to perform. Pure: the same state and action give the same result.
public func update(_ state: ExplorerState, _ action: Action) -> (ExplorerState, Command?) {
    var next = state
    let command = next.apply(action)
    return (next, command)
}

extension ExplorerState {
    /// The geometry at the current size with the trace view showing `pane`.
    func layout(pane: Pane) -> Layout { Layout(size: size, panelShown: panelShown, pane: pane) }

    /// The geometry at the current size.
    var layout: Layout { layout(pane: session?.pane ?? .tree) }

    /// Rows the open trace scrolls by (those of the tree, or of the waterfall alone when narrow).
    func traceRows(_ s: TraceSession) -> Int { max(1, layout(pane: s.pane).traceBody.height) }

    /// Rows of the trace list, or of the open trace when there is one.
    var bodyHeight: Int { session.map(traceRows) ?? max(1, layout.traceListBody.height) }

    /// Rows of a document's text.
    var documentHeight: Int { max(1, layout.documentBody.height) }

    /// Applies `action` in place (what `update` does on a copy); returns the side effect, if any.
    public mutating func apply(_ action: Action) -> Command? {
        switch action {
        case .resize, .wrote, .copied, .documentUpdated, .remoteAnswered, .indexProgress, .traceDecoded, .workbenchComputed,
             .workbenchProgress: break
        default: message = nil
        }
        switch action {
        case .resize(let newSize):
            resize(newSize)
            return nil
        case .wrote(let path, let error):
            message = error.map { "export failed: \($0)" } ?? "exported to \(path)"
            return nil
        case .copied(let what, let error):
            message = error.map { "not copied: \($0)" } ?? "copied \(what) to the clipboard"
            return nil
        case .mouse(let event):
            return click(event)
        case .documentUpdated(let update):
            applyLiveUpdate(update)
            return refreshWorkbench()
        case .workbenchComputed(let answer):
            return applyWorkbenchAnswer(answer)
        case .workbenchProgress(let ticket, let read, let total):
            applyWorkbenchProgress(ticket: ticket, read: read, total: total)
            return nil
        case .indexProgress(let batch):
            return applyIndexBatch(batch)
        case .traceDecoded(let answer):
            applyDecoded(answer)
            return nil
        case .remoteAnswered(let answer):
            applyRemoteAnswer(answer)
            return nil
        case .quit:
            quitting = true
            return .quit
        default:
            break
        }
        // The overlay takes the keys first, then the view under it (the order `keyContext` gives).
        switch overlay {
        case .prompt(let p)?:
            applyPrompt(p, action)
            return nil
        case .document(let doc)?:
            if showHelpOrWarnings(action) { return nil }
            return applyDocument(doc, action)
        case nil:
            if showHelpOrWarnings(action) { return nil }
        }
        switch view {
        case .list:
            return applyList(action)
        case .trace:
            return applyTrace(action)
        case .compare(let c):
            applyCompare(c, action)
            return nil
        case .workbench(let w):
            return applyWorkbench(w, action)
        }
    }

    private mutating func resize(_ newSize: Size) {
        size = newSize
        if case .document(var doc)? = overlay {
            doc.wrap(width: newSize.width)
            overlay = .document(doc)
        }
        clampDocument()
        if session != nil { keepSelectionVisible(center: false) }
        clampList()
    }

    /// Help (`?`, which closes help when it is open) and the reader's warnings (`w`), the same from every view.
    private mutating func showHelpOrWarnings(_ action: Action) -> Bool {
        switch action {
        case .help:
            overlay = documentView?.kind == .help ? nil : .document(Help.document(width: size.width))
        case .warnings:
            overlay = .document(Help.warnings(document, problem: problem, width: size.width))
        default:
            return false
        }
        return true
    }

    // MARK: Documents

    private mutating func applyDocument(_ current: DocumentView, _ action: Action) -> Command? {
        var doc = current
        let h = documentHeight
        switch action {
        case .up: doc.top -= 1
        case .down: doc.top += 1
        case .pageUp: doc.top -= max(1, h - 1)
        case .pageDown: doc.top += max(1, h - 1)
        case .halfPageUp: doc.top -= max(1, h / 2)
        case .halfPageDown: doc.top += max(1, h / 2)
        case .top: doc.top = 0
        case .bottom: doc.top = doc.maxTop(height: h)
        case .back:
            overlay = nil
            return nil
        case .export:
            if case .span(let span) = doc.kind, let s = session { return exportCommand(span, s) }
            message = "nothing to export here"
            return nil
        case .copy:
            return copyCommand(doc)
        case .nextMatch, .previousMatch:
            if let (i, n) = doc.stepMatch(forward: action == .nextMatch, height: h) {
                message = "match line \(Format.grouped(Int64(i + 1))) of \(Format.grouped(Int64(n)))"
            } else {
                message = doc.search == nil ? "no search: / in the trace view searches" : "no match here"
            }
        default:
            return nil
        }
        doc.top = min(max(0, doc.top), doc.maxTop(height: h))
        overlay = .document(doc)
        return nil
    }

    private mutating func clampDocument() {
        guard var doc = documentView else { return }
        doc.top = min(max(0, doc.top), doc.maxTop(height: documentHeight))
        overlay = .document(doc)
    }

    private func exportCommand(_ span: Int, _ s: TraceSession) -> Command {
        .write(fileName: Export.fileName(for: span, in: s.trace), contents: Export.json(for: span, in: s.insight))
    }

    /// The paragraph at the top of a document (a labelled field gives its value, named by its label).
    private mutating func copyCommand(_ doc: DocumentView) -> Command? {
        guard let block = doc.topBlock, !block.text.isEmpty else {
            message = "nothing to copy here: scroll the paragraph to copy to the top"
            return nil
        }
        let label = String(block.label.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        return .copy(text: block.text, what: label.isEmpty ? "the top paragraph" : "“\(label)”")
    }

    // MARK: The search prompt

    private mutating func applyPrompt(_ current: PromptState, _ action: Action) {
        var p = current
        switch action {
        case .type(let t):
            if p.text.count < 200 { p.text += t }
            overlay = .prompt(p)
        case .deleteBackward:
            if !p.text.isEmpty { p.text.removeLast() }
            overlay = .prompt(p)
        case .cancel:
            overlay = nil
        case .submit:
            overlay = nil
            guard var s = takeSession() else {
                filterList(p.text)
                return
            }
            message = s.search(p.text, filter: p.filters, height: traceRows(s))
            view = .trace(s)
        default:
            break
        }
    }

    /// Moves the session out of the state, so that the caller holds the only reference to its
    /// row arrays and edits them in place instead of copying them on every keystroke.
    private mutating func takeSession() -> TraceSession? {
        guard case .trace(let s) = view else { return nil }
        view = .list
        return s
    }

    // MARK: The trace view

    /// What a trace reducer did: whether to center the selection, leave for the list, or run a command.
    private struct Step {
        var center = false
        var leave = false
        var command: Command?
    }

    private mutating func applyTrace(_ action: Action) -> Command? {
        guard var s = takeSession() else { return nil }
        if panelFocused(s), scrollPanel(action, &s) {
            view = .trace(s)
            return nil
        }
        let step = moveInTrace(action, &s) ?? applyTree(action, &s) ?? applyTime(action, &s)
            ?? walk(action, &s) ?? applySearch(action, &s) ?? applyPanes(action, &s) ?? Step()
        if step.leave { return step.command }
        s.keepSelectionVisible(height: traceRows(s), center: step.center)
        view = .trace(s)
        return step.command
    }

    /// Line and page movement.
    private func moveInTrace(_ action: Action, _ s: inout TraceSession) -> Step? {
        guard let row = action.movedRow(from: s.selectedRow, last: s.rows.count - 1, page: traceRows(s)) else { return nil }
        s.moveSelection(toRow: row)
        return Step()
    }

    /// Expanding and collapsing the tree, and opening a span.
    private mutating func applyTree(_ action: Action, _ s: inout TraceSession) -> Step? {
        let trace = s.trace
        var step = Step()
        switch action {
        case .collapseOrParent:
            if s.rows.hasShownChildren(s.selected, in: trace) && s.rows.isExpanded(s.selected) {
                s.rows.collapse(s.selected, in: trace)
            } else if let p = trace.parent(of: s.selected) {
                s.select(p)
                step.center = true
            }
        case .expandOrChild:
            if s.rows.hasShownChildren(s.selected, in: trace) {
                if s.rows.isExpanded(s.selected) {
                    s.moveSelection(toRow: s.selectedRow + 1)
                } else {
                    s.rows.expand(s.selected, in: trace)
                }
            }
        case .toggle:
            s.toggleSelected()
        case .activate:
            if trace.isLLM(s.selected) {
                overlay = .document(detailDocument(s))
            } else {
                s.toggleSelected()
            }
        case .openDetail:
            overlay = .document(detailDocument(s))
        case .export:
            step.command = exportCommand(s.selected, s)
        case .exportSubtree:
            step.command = .write(fileName: Export.subtreeFileName(for: s.selected, in: trace),
                                  contents: Export.otlp(trace.subtree(of: s.selected).map(Int.init), of: trace))
        case .exportTrace:
            step.command = .write(fileName: Export.traceFileName(for: trace),
                                  contents: Export.otlp(Array(0..<trace.count), of: trace))
        case .copy:
            step.command = .copy(text: trace.spans[s.selected].spanID.description, what: "span id")
        case .expandAll:
            s.rows.expandAll(in: trace)
        case .collapseAll:
            s.rows.collapseAll(in: trace)
        case .collapseToDepth(let d):
            s.rows.collapse(toDepth: d, in: trace)
            message = "showing \(d) level\(d == 1 ? "" : "s") below the root"
        default:
            return nil
        }
        return step
    }

    /// Zoom and pan of the waterfall, and the clock-skew adjustment of its times.
    private mutating func applyTime(_ action: Action, _ s: inout TraceSession) -> Step? {
        switch action {
        case .zoomIn:
            let span = s.trace.spans[s.selected]
            let width = max(1_000, s.window.width / 2)
            let mid = span.startNanos / 2 + max(span.endNanos, span.startNanos) / 2
            s.setWindow(start: mid - width / 2, width: width)
        case .zoomOut:
            let width = s.window.width > Int64.max / 4 ? s.window.width : s.window.width * 2
            s.setWindow(start: s.window.start + s.window.width / 2 - width / 2, width: width)
        case .zoomReset:
            s.window = s.fullWindow
        case .panLeft, .panRight:
            let shift = max(1, s.window.width / 4)
            s.setWindow(start: action == .panLeft ? s.window.start - shift : s.window.start + shift, width: s.window.width)
        case .toggleClockSkew:
            clockSkewAdjustment.toggle()
            s.setClockSkewAdjusted(clockSkewAdjustment, prices: prices, height: traceRows(s))
            if clockSkewAdjustment {
                // The status bar's badge already says "clock skew adjusted": the message says what changed.
                message = s.adjustedSpans == 0
                    ? "no span needed moving; a: back to recorded times"
                    : "\(Format.plural(s.adjustedSpans, "span")) moved inside their parents; a: back to recorded times"
            } else {
                message = "recorded times shown (clock skew not adjusted)"
            }
        default:
            return nil
        }
        return Step()
    }

    /// Walking from span to span: the critical path, matches, errors, the slowest and costliest spans.
    private mutating func walk(_ action: Action, _ s: inout TraceSession) -> Step? {
        let trace = s.trace
        let position = trace.preorderPosition[s.selected]
        switch action {
        case .nextCritical:
            guard let i = s.insight.nextCriticalSegment(from: s.selected, cursor: s.criticalCursor) else {
                message = "no critical path in this trace"
                return Step()
            }
            let seg = s.insight.criticalPath[i]
            s.select(seg.span)
            s.criticalCursor = i
            message = "critical path \(Format.grouped(Int64(i + 1)))/\(Format.grouped(Int64(s.insight.criticalPath.count))): "
                + Format.duration(seg.durationNanos) + " at +" + Format.duration(seg.startNanos - trace.startNanos)
        case .nextMatch, .previousMatch:
            guard let matches = s.search?.matches,
                  let i = s.step(in: matches, from: position, including: false, forward: action == .nextMatch) else {
                message = "no search yet: press / to search"
                return Step()
            }
            s.select(matches[i])
            message = "match \(Format.grouped(Int64(i + 1))) of \(Format.grouped(Int64(matches.count)))"
        case .nextError:
            let errors = s.insight.statistics.errorSpans
            guard let i = s.step(in: errors, from: position, including: false, forward: true) else {
                message = "no errors in this trace"
                return Step()
            }
            s.select(errors[i])
            message = "error \(Format.grouped(Int64(i + 1))) of \(Format.grouped(Int64(errors.count)))"
        case .slowest, .slowestBack, .costliest, .costliestBack:
            let kind: SpanWalk.Kind = action == .slowest || action == .slowestBack ? .selfTime : .cost
            let forward = action == .slowest || action == .costliest
            var w: SpanWalk
            if let current = s.walk, current.kind == kind {
                w = current
                let n = w.order.count
                w.position = ((w.position + (forward ? 1 : -1)) % n + n) % n
            } else {
                // Ranked once when the walk starts; later presses only step.
                let order = kind == .selfTime ? LLMCallRanking.spansBySelfTime(trace)
                    : LLMCallRanking.callsByCost(trace, prices: prices)
                guard !order.isEmpty else {
                    message = kind == .cost ? "no LLM calls in this trace" : "no spans in this trace"
                    return Step()
                }
                w = SpanWalk(kind: kind, order: order, position: forward ? 0 : order.count - 1)
            }
            s.walk = w
            let i = w.order[w.position]
            s.select(i)
            let place = "\(Format.grouped(Int64(w.position + 1))) of \(Format.grouped(Int64(w.order.count)))"
            if kind == .selfTime {
                message = "self time \(place): " + Format.duration(s.insight.statistics.selfTimeNanos(of: i))
                    + " of " + Format.duration(trace.spans[i].durationNanos)
            } else {
                let cost = s.insight.statistics.cost(ofSpan: i)?.usd
                message = "cost \(place): " + (cost.map(Format.usd) ?? "unpriced")
                    + (trace.llmCall(at: i).map { " · " + Format.grouped($0.totalTokens) + " tokens" } ?? "")
            }
        default:
            return nil
        }
        return Step(center: true)
    }

    /// Starting a search, filtering by it, and clearing it (or going back to the list) with Esc.
    private mutating func applySearch(_ action: Action, _ s: inout TraceSession) -> Step? {
        switch action {
        case .startSearch:
            overlay = .prompt(PromptState(filters: false))
        case .toggleFilter:
            if s.filtering {
                s.filtering = false
                s.rows.setFilter(nil, in: s.trace)
                message = "filter off"
            } else if let search = s.search, !search.matches.isEmpty {
                s.filtering = true
                s.rows.setFilter(search.matches, in: s.trace)
                message = "showing \(Format.grouped(Int64(search.matches.count))) match\(search.matches.count == 1 ? "" : "es") and their ancestors"
            } else {
                overlay = .prompt(PromptState(filters: true))
            }
        case .back:
            if s.search != nil || s.filtering {
                _ = s.search("", filter: false, height: traceRows(s))
                message = "search cleared"
            } else if let w = workbenchReturn {
                // Opened from stats, a session or the LLM calls: back there.
                workbenchReturn = nil
                view = .workbench(w)
                return Step(leave: true)
            } else if hasTraceList {
                return Step(leave: true)
            }
        default:
            return nil
        }
        return Step()
    }

    /// Panes on narrow terminals, the side panel, and going back to the trace list.
    private mutating func applyPanes(_ action: Action, _ s: inout TraceSession) -> Step? {
        switch action {
        case .togglePanel:
            if layout(pane: s.pane).mode == .narrow {
                s.pane = s.pane == .panel ? .tree : .panel
            } else {
                panelPreference = !panelShown
                if !panelShown { s.pane = .tree }
            }
        case .nextPane:
            if layout(pane: s.pane).mode == .narrow {
                s.pane = Pane(rawValue: (s.pane.rawValue + 1) % Pane.allCases.count) ?? .tree
            } else if panelShown {
                // Side by side, Tab moves the focus (what the line keys move) between tree and panel.
                s.pane = s.pane == .panel ? .tree : .panel
                message = s.pane == .panel ? "side panel: ↑/↓ and pages scroll it; Tab: back to the tree"
                    : "tree: ↑/↓ move the selection"
            } else {
                message = "every pane is already shown; p toggles the side panel"
            }
        case .traceList:
            if hasTraceList {
                workbenchReturn = nil
                return Step(leave: true)
            }
            message = "this file holds one trace"
        case .openStats, .openCalls:
            view = .trace(s)
            return Step(leave: true, command: openWorkbenchView(action))
        default:
            return nil
        }
        return Step()
    }

    /// Scrolls the open trace so that the selection is on screen.
    mutating func keepSelectionVisible(center: Bool) {
        guard var s = takeSession() else { return }
        s.keepSelectionVisible(height: traceRows(s), center: center)
        view = .trace(s)
    }

    // MARK: The mouse

    /// What a click does depends on what lies under it (the same `Layout` the screen was drawn
    /// with): a row of the tree, the waterfall or the list selects it, a double click opens it
    /// (details of the span, or the trace), a pane tab switches to that pane. Clicks elsewhere,
    /// and on documents, do nothing.
    private mutating func click(_ e: MouseEvent) -> Command? {
        guard overlay == nil else { return nil }
        let layout = self.layout
        guard !layout.tooSmall else { return nil }
        switch view {
        case .list:
            if e.row == 1, e.kind == .click { return clickListHeading(column: e.column) }
            let body = layout.traceListBody
            guard body.rows.contains(e.row) else { return nil }
            let p = list.top + (e.row - body.top)
            guard p < list.order.count else { return nil }
            list.selected = p
            clampList()
            return e.kind == .doubleClick ? openEntry(list.order[p]) : nil
        case .trace:
            guard var s = takeSession() else { return nil }
            defer { view = .trace(s) }
            if layout.mode == .narrow && e.row == 1 {
                if let tab = Layout.tabs.first(where: { $0.columns.contains(e.column) }) { s.pane = tab.pane }
                return nil
            }
            // Rows of the tree or of the waterfall (bars are drawn on their span's row).
            let hit = [layout.treeBody, layout.waterfallBody].compactMap { $0 }.first {
                $0.rows.contains(e.row) && $0.columns.contains(e.column)
            }
            guard let body = hit else { return nil }
            let r = s.top + (e.row - body.top)
            guard r < s.rows.count else { return nil }
            s.moveSelection(toRow: r)
            s.keepSelectionVisible(height: traceRows(s), center: false)
            if e.kind == .doubleClick {
                overlay = .document(detailDocument(s))
            }
            return nil
        case .compare:
            return nil
        case .workbench(let w):
            return clickInWorkbench(w, e)
        }
    }

    // MARK: The comparison

    private mutating func applyCompare(_ current: CompareSession, _ action: Action) {
        var c = current
        // Placeholder view while `c` is edited, so its arrays are not copied on every key.
        view = .list
        let h = max(1, layout.listBody.height)
        switch action {
        case .up, .down, .pageUp, .pageDown, .halfPageUp, .halfPageDown, .top, .bottom:
            c.selected = action.movedRow(from: c.selected, last: c.order.count - 1, page: h) ?? c.selected
        case .cycleSort:
            c.cycleSort()
            message = "sorted by \(c.sort.title)"
        case .reverseSort:
            c.reverse()
        case .nextMatch:
            if !c.nextDifference() { message = "no differences: the two traces agree step by step" }
        case .activate:
            if let step = c.selectedStep { overlay = .document(c.stepDocument(step, width: size.width)) }
        case .back:
            clampList()
            return
        default:
            break
        }
        c.clamp(height: h)
        view = .compare(c)
    }

    /// Opens the comparison of the marked trace with the selected one.
    private mutating func compareWithMarked() {
        guard list.selected < list.order.count else { return }
        let b = list.entries[list.order[list.selected]].index
        guard indexed == nil else {
            message = "comparing needs both traces in memory: open the file with --index never to compare"
            return
        }
        guard let id = list.marked, let a = document.traces.firstIndex(where: { $0.id == id }) else {
            message = "mark a trace with m first, then press c on another"
            return
        }
        if let summaries = remote?.summaries, summaries[document.traces[a].id] != nil || summaries[document.traces[b].id] != nil {
            message = "only a summary of that trace is here: open it with Enter first, then compare"
            return
        }
        var c = CompareSession(document: document, a: a, b: b, statisticsA: statistics[a], statisticsB: statistics[b])
        c.clamp(height: max(1, layout.listBody.height))
        view = .compare(c)
        if a == b { message = "comparing the trace with itself" }
    }

    // MARK: The trace list

    private mutating func applyList(_ action: Action) -> Command? {
        let h = bodyHeight
        var command: Command?
        switch action {
        case .up, .down, .pageUp, .pageDown, .halfPageUp, .halfPageDown, .top, .bottom:
            list.selected = action.movedRow(from: list.selected, last: list.order.count - 1, page: h) ?? list.selected
        case .openTrace:
            if list.selected < list.order.count { command = openEntry(list.order[list.selected]) }
        case .refresh:
            command = refreshSearch()
        case .cycleSort, .cycleSortBack:
            let next = list.nextSort(forward: action == .cycleSort)
            sortList(by: next, descending: next.descendingFirst)
        case .reverseSort:
            sortList(by: list.sort, descending: !list.descending)
        case .copy:
            if list.selected < list.order.count {
                command = .copy(text: list.entries[list.order[list.selected]].id.description, what: "trace id")
            }
        case .startSearch:
            overlay = .prompt(PromptState(text: list.query, filters: true))
        case .back:
            if cancelRemote() { break }
            if indexed?.opening != nil {
                indexed?.opening = nil
                message = "stopped waiting for the trace"
            } else if !list.query.isEmpty {
                filterList("")
                message = "filter cleared"
            }
        case .markTrace:
            guard list.selected < list.order.count else { break }
            let id = list.entries[list.order[list.selected]].id
            list.marked = list.marked == id ? nil : id
            message = list.marked == nil ? "unmarked" : "marked as A: press c on another trace to compare"
        case .compareWithMarked:
            compareWithMarked()
            if case .compare = view { return nil }
        case .openStats, .openSessions, .openCalls:
            return openWorkbenchView(action)
        default:
            break
        }
        clampList()
        return command
    }

    /// Opens entry `i` of the list: at once when the traces are in memory, else by asking for it
    /// to be decoded from the file.
    private mutating func openEntry(_ i: Int) -> Command? {
        if indexed != nil { return requestOpen(i) }
        let fetch = fetchIfSummary(i)
        if fetch.handled { return fetch.command }
        openTrace(i)
        return nil
    }

    /// Sorts the list by `sort` and goes to its top row: after a sort the first row is the one wanted.
    mutating func sortList(by sort: TraceSort, descending: Bool) {
        list.sort = sort
        list.descending = descending
        list.resort()
        list.selected = 0
        list.top = 0
        message = "sorted by \(sort.title), \(sort.directionWords(descending: descending)) (r reverses)"
    }

    /// Works out the shown rows, their totals and widths again, keeping the selected trace selected.
    mutating func refreshList() {
        let keep = list.selected < list.order.count ? list.order[list.selected] : 0
        list.refresh()
        list.selected = list.order.firstIndex(of: keep) ?? 0
    }

    /// Shows only the traces `text` matches (all of them for ""); a bad query leaves the list
    /// as it was and says what is wrong in the status bar.
    mutating func filterList(_ text: String) {
        let query: TraceQuery
        do {
            query = try TraceQuery(text)
        } catch {
            message = error.description
            return
        }
        if indexed != nil, !query.isEmpty {
            guard filterIndexed(query) else { return }
            list.query = text
        } else if query.isEmpty {
            list.query = ""
            list.matching = nil
        } else {
            list.query = text
            let facts = documentFacts()
            var flags = [Bool](repeating: false, count: list.entries.count)
            for i in query.filter(document.traces, facts: facts) where i < flags.count { flags[i] = true }
            list.matching = flags
            message = "\(flags.filter { $0 }.count) of \(flags.count) traces match"
        }
        refreshList()
        list.top = 0
    }

    mutating func clampList() {
        let n = list.order.count
        list.selected = min(max(0, list.selected), max(0, n - 1))
        let h = bodyHeight
        if list.selected < list.top { list.top = list.selected }
        if list.selected >= list.top + h { list.top = list.selected - h + 1 }
        list.top = min(max(0, list.top), max(0, n - h))
    }
}
