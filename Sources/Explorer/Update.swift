import TraceAnalysis
import TraceModel

/// The explorer's one way to change: a new state for an action, and maybe a side effect for
/// the runner to perform. Pure: the same state and action give the same result.
public func update(_ state: ExplorerState, _ action: Action) -> (ExplorerState, Command?) {
    var next = state
    let command = next.apply(action)
    return (next, command)
}

extension ExplorerState {
    /// Rows available to the tree, list or document body at the current size (one less for
    /// the narrow waterfall pane, whose axis takes the first body row).
    var bodyHeight: Int {
        let narrowWaterfall = session?.pane == .waterfall && size.width < Layout.narrowWidth
        return max(1, size.height - 3 - (narrowWaterfall ? 1 : 0))
    }
    var documentHeight: Int { max(1, size.height - 2) }

    /// Applies `action` in place (what `update` does on a copy); returns the side effect, if any.
    public mutating func apply(_ action: Action) -> Command? {
        switch action {
        case .resize, .wrote, .documentUpdated: break
        default: message = nil
        }
        switch action {
        case .resize(let newSize):
            size = newSize
            overlay?.wrap(width: newSize.width)
            clampOverlay()
            if session != nil { keepSelectionVisible(center: false) }
            clampList()
            return nil
        case .wrote(let path, let error):
            message = error.map { "export failed: \($0)" } ?? "exported to \(path)"
            return nil
        case .documentUpdated(let update):
            applyLiveUpdate(update)
            return nil
        case .quit:
            quitting = true
            return .quit
        default:
            break
        }
        if prompt != nil { return applyPrompt(action) }
        if overlay != nil { return applyDocument(action) }
        if session != nil { return applyTrace(action) }
        return applyList(action)
    }

    // MARK: Documents

    private mutating func applyDocument(_ action: Action) -> Command? {
        guard var doc = overlay else { return nil }
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
        case .help:
            if doc.kind == .help {
                overlay = nil
            } else {
                overlay = Help.document(width: size.width)
            }
            return nil
        case .export:
            if case .span(let span) = doc.kind, let s = session {
                return .write(fileName: Export.fileName(for: span, in: s.trace), contents: Export.json(for: span, in: s.insight))
            }
            message = "nothing to export here"
            return nil
        default:
            return nil
        }
        doc.top = min(max(0, doc.top), doc.maxTop(height: h))
        overlay = doc
        return nil
    }

    private mutating func clampOverlay() {
        guard var doc = overlay else { return }
        doc.top = min(max(0, doc.top), doc.maxTop(height: documentHeight))
        overlay = doc
    }

    // MARK: The search prompt

    private mutating func applyPrompt(_ action: Action) -> Command? {
        guard var text = prompt else { return nil }
        switch action {
        case .type(let t):
            if text.count < 200 { text += t }
            prompt = text
        case .deleteBackward:
            if !text.isEmpty { text.removeLast() }
            prompt = text
        case .cancel:
            prompt = nil
        case .submit:
            prompt = nil
            runSearch(text, filter: promptFilters)
        default:
            break
        }
        return nil
    }

    private mutating func runSearch(_ text: String, filter: Bool) {
        guard var s = takeSession() else { return }
        message = s.search(text, filter: filter, height: bodyHeight)
        session = s
    }

    /// Moves the session out of the state, so that the caller holds the only reference to its
    /// row arrays and edits them in place instead of copying them on every keystroke.
    private mutating func takeSession() -> TraceSession? {
        let s = session
        session = nil
        return s
    }

    // MARK: The trace view

    private mutating func applyTrace(_ action: Action) -> Command? {
        guard var s = takeSession() else { return nil }
        var leave = false
        defer { if !leave { session = s } }
        let trace = s.trace
        let row = s.selectedRow
        let h = bodyHeight
        var center = false
        switch action {
        case .up: s.moveSelection(toRow: row - 1)
        case .down: s.moveSelection(toRow: row + 1)
        case .pageUp: s.moveSelection(toRow: row - h)
        case .pageDown: s.moveSelection(toRow: row + h)
        case .halfPageUp: s.moveSelection(toRow: row - h / 2)
        case .halfPageDown: s.moveSelection(toRow: row + h / 2)
        case .top: s.moveSelection(toRow: 0)
        case .bottom: s.moveSelection(toRow: s.rows.count - 1)

        case .collapseOrParent:
            if s.rows.hasShownChildren(s.selected, in: trace) && s.rows.isExpanded(s.selected) {
                s.rows.collapse(s.selected, in: trace)
            } else if let p = trace.parent(of: s.selected) {
                s.select(p)
                center = true
            }
        case .expandOrChild:
            if s.rows.hasShownChildren(s.selected, in: trace) {
                if s.rows.isExpanded(s.selected) {
                    s.moveSelection(toRow: row + 1)
                } else {
                    s.rows.expand(s.selected, in: trace)
                }
            }
        case .toggle:
            s.toggleSelected()
        case .activate:
            if trace.isLLM(s.selected) {
                overlay = Detail.document(for: s.selected, in: s.insight, width: size.width)
            } else {
                s.toggleSelected()
            }
        case .expandAll:
            s.rows.expandAll(in: trace)
        case .collapseAll:
            s.rows.collapseAll(in: trace)
        case .collapseToDepth(let d):
            s.rows.collapse(toDepth: d, in: trace)
            message = "showing \(d) level\(d == 1 ? "" : "s") below the root"

        case .zoomIn:
            let span = trace.spans[s.selected]
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
        case .nextCritical:
            if let i = s.insight.nextCriticalSegment(from: s.selected, cursor: s.criticalCursor) {
                let seg = s.insight.criticalPath[i]
                s.select(seg.span)
                s.criticalCursor = i
                center = true
                message = "critical path \(i + 1)/\(s.insight.criticalPath.count): "
                    + Format.duration(seg.durationNanos) + " at +" + Format.duration(seg.startNanos - trace.startNanos)
            } else {
                message = "no critical path in this trace"
            }

        case .toggleClockSkew:
            clockSkewAdjustment.toggle()
            s.setClockSkewAdjusted(clockSkewAdjustment, prices: prices, height: h)
            if clockSkewAdjustment {
                message = s.adjustedSpans == 0
                    ? "clock skew adjusted: no span needed moving"
                    : "clock skew adjusted: \(Format.grouped(Int64(s.adjustedSpans))) span\(s.adjustedSpans == 1 ? "" : "s") moved inside their parents; a: back to recorded times"
            } else {
                message = "recorded times shown (clock skew not adjusted)"
            }
        case .togglePanel:
            if Layout(size: size, panelShown: panelShown, pane: s.pane).mode == .narrow {
                s.pane = s.pane == .panel ? .tree : .panel
            } else {
                panelPreference = !panelShown
            }
        case .nextPane:
            if Layout(size: size, panelShown: panelShown, pane: s.pane).mode == .narrow {
                s.pane = Pane(rawValue: (s.pane.rawValue + 1) % Pane.allCases.count) ?? .tree
            } else {
                message = "every pane is already shown; p toggles the side panel"
            }
        case .openDetail:
            overlay = Detail.document(for: s.selected, in: s.insight, width: size.width)
        case .export:
            return .write(fileName: Export.fileName(for: s.selected, in: trace),
                          contents: Export.json(for: s.selected, in: s.insight))
        case .help:
            overlay = Help.document(width: size.width)
        case .warnings:
            overlay = Help.warnings(document, problem: problem, width: size.width)
        case .traceList:
            if hasTraceList { leave = true } else { message = "this file holds one trace" }
        case .back:
            if s.search != nil || s.filtering {
                _ = s.search("", filter: false, height: h)
                message = "search cleared"
            } else if hasTraceList {
                leave = true
            }

        case .startSearch:
            prompt = ""
            promptFilters = false
        case .nextMatch, .previousMatch:
            if let m = s.match(after: trace.preorderPosition[s.selected], including: false, forward: action == .nextMatch),
               let matches = s.search?.matches {
                s.select(m)
                center = true
                message = "match \(TraceSession.firstIndex(in: matches, atOrAfter: trace.preorderPosition[m], trace: trace) + 1)"
                    + " of \(matches.count)"
            } else {
                message = "no search yet: press / to search"
            }
        case .toggleFilter:
            if s.filtering {
                s.filtering = false
                s.rows.setFilter(nil, in: trace)
                message = "filter off"
            } else if let search = s.search, !search.matches.isEmpty {
                s.filtering = true
                s.rows.setFilter(search.matches, in: trace)
                message = "showing \(search.matches.count) matches and their ancestors"
            } else {
                prompt = ""
                promptFilters = true
            }
        case .nextError:
            let errors = s.insight.statistics.errorSpans
            if errors.isEmpty {
                message = "no errors in this trace"
            } else {
                var i = TraceSession.firstIndex(in: errors, atOrAfter: trace.preorderPosition[s.selected] + 1, trace: trace)
                if i == errors.count { i = 0 }
                s.select(errors[i])
                center = true
                message = "error \(i + 1) of \(errors.count)"
            }
        case .slowest:
            if let i = s.insight.statistics.slowestSpan {
                s.select(i)
                center = true
                message = "slowest span: " + Format.duration(trace.spans[i].durationNanos)
            }
        case .costliest:
            if let i = s.insight.statistics.costliestLLMSpan {
                s.select(i)
                center = true
                if let c = s.insight.statistics.cost(ofSpan: i)?.usd { message = "costliest LLM call: " + Format.usd(c) }
            } else {
                message = "no LLM call with a known cost"
            }
        default:
            break
        }
        s.keepSelectionVisible(height: bodyHeight, center: center)
        return nil
    }

    /// Scrolls the open trace so that the selection is on screen.
    mutating func keepSelectionVisible(center: Bool) {
        let h = bodyHeight
        session?.keepSelectionVisible(height: h, center: center)
    }

    // MARK: The trace list

    private mutating func applyList(_ action: Action) -> Command? {
        let h = bodyHeight
        switch action {
        case .up: list.selected -= 1
        case .down: list.selected += 1
        case .pageUp: list.selected -= h
        case .pageDown: list.selected += h
        case .halfPageUp: list.selected -= h / 2
        case .halfPageDown: list.selected += h / 2
        case .top: list.selected = 0
        case .bottom: list.selected = list.order.count - 1
        case .openTrace:
            if list.selected < list.order.count { openTrace(list.order[list.selected]) }
        case .cycleSort:
            list.sort = TraceSort(rawValue: (list.sort.rawValue + 1) % TraceSort.allCases.count) ?? .start
            sortList()
            message = "sorted by \(list.sort.title)"
        case .reverseSort:
            list.descending.toggle()
            sortList()
        case .help:
            overlay = Help.document(width: size.width)
        case .warnings:
            overlay = Help.warnings(document, problem: problem, width: size.width)
        default:
            break
        }
        clampList()
        return nil
    }

    private mutating func sortList() {
        let keep = list.selected < list.order.count ? list.order[list.selected] : 0
        list.order = sortedOrder()
        list.selected = list.order.firstIndex(of: keep) ?? 0
    }

    /// Entry indices in the order of the current sort column and direction.
    func sortedOrder() -> [Int] {
        let e = list.entries
        let sort = list.sort
        func less(_ a: Int, _ b: Int) -> Bool {
            let x = e[a], y = e[b]
            switch sort {
            case .start: return (x.startNanos, a) < (y.startNanos, b)
            case .duration: return (x.durationNanos, a) < (y.durationNanos, b)
            case .spans: return (x.spans, a) < (y.spans, b)
            case .errors: return (x.errors, a) < (y.errors, b)
            case .tokens: return (x.tokens, a) < (y.tokens, b)
            case .cost: return x.costUSD != y.costUSD ? x.costUSD < y.costUSD : a < b
            case .name: return (x.rootName, a) < (y.rootName, b)
            }
        }
        var order = Array(e.indices).sorted(by: less)
        if list.descending { order.reverse() }
        return order
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
