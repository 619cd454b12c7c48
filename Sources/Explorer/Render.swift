import TraceAnalysis
import TraceModel
import TerminalText

/// Draws the whole explorer for `state` at `size`. Pure: the same state and size give the
/// same screen. Only what is on screen is visited, never the whole trace.
public func render(_ state: ExplorerState, size: Size) -> Screen {
    var screen = Screen(size: size)
    let layout = Layout(size: size, panelShown: state.panelShown, pane: state.session?.pane ?? .tree)
    if layout.tooSmall {
        Painter.tooSmall(&screen)
        return screen
    }
    // The same precedence as `ExplorerState.keyContext`: a document covers the view (the prompt
    // lives in the status bar, over whatever view is under it).
    switch (state.overlay, state.view) {
    case (.document(let doc)?, _):
        Painter.document(doc, layout, &screen)
    case (_, .trace(let s)):
        Painter.trace(state, s, layout, &screen)
    case (_, .list):
        Painter.traceList(state, layout, &screen)
    case (_, .compare(let c)):
        Compare.draw(state, c, layout, &screen)
    case (_, .workbench(let w)):
        WorkbenchPainter.draw(state, w, layout, &screen)
    }
    Painter.statusBar(state, layout, &screen)
    return screen
}

/// A piece of text with its style, for lines made of several styles.
typealias Segment = (text: String, style: Style)

enum Painter {
    static let title = Style(ink: .accent, attributes: [.bold])
    static let muted = Style(ink: .muted)
    static let bar = Style(paper: .bar)
    static let leftBlocks = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    static func tooSmall(_ screen: inout Screen) {
        screen.put("too small (\(screen.width)×\(screen.height)); q quits", row: 0, column: 0,
                   style: Style(ink: .warning))
    }

    /// Writes segments one after another from `column`, within `limit` cells; returns the end column.
    @discardableResult
    static func segments(_ segs: [Segment], _ screen: inout Screen, row: Int, column: Int, limit: Int) -> Int {
        var x = column
        let end = column + limit
        for seg in segs where x < end {
            x += screen.put(seg.text, row: row, column: x, limit: end - x, style: seg.style, ellipsis: true)
        }
        return x
    }

    // MARK: Trace view

    static func trace(_ state: ExplorerState, _ s: TraceSession, _ layout: Layout, _ screen: inout Screen) {
        titleBar(state, s, &screen)
        let top = layout.bodyTop, h = layout.bodyHeight
        for x in layout.separators {
            screen.put("│", row: 1, column: x, style: muted)
            for y in top..<(top + h) { screen.put("│", row: y, column: x, style: muted) }
        }
        if layout.mode == .narrow {
            tabs(s.pane, &screen)
        }
        if let body = layout.treeBody {
            if layout.mode != .narrow { treeHeader(body.columns, &screen) }
            for i in 0..<body.height {
                let r = s.top + i
                guard r < s.rows.count else { break }
                treeRow(s, span: Int(s.rows.rows[r]), row: body.top + i, columns: body.columns, &screen)
            }
        }
        if let body = layout.waterfallBody {
            let w = body.columns
            var bars = w
            let top = body.top, h = body.height
            if layout.mode == .narrow {
                // Alone on screen the bars need names beside them.
                let labelWidth = min(16, w.count / 3)
                bars = (w.lowerBound + labelWidth + 1)..<w.upperBound
                for i in 0..<h {
                    let r = s.top + i
                    guard r < s.rows.count else { break }
                    let span = Int(s.rows.rows[r])
                    let style = span == s.selected ? Style(paper: .selection) : nameStyle(s, span)
                    screen.fill(row: top + i, column: w.lowerBound, width: labelWidth, height: 1, style: style)
                    screen.put(s.trace.spans[span].name, row: top + i, column: w.lowerBound, limit: labelWidth, style: style)
                }
            }
            axis(s, columns: bars, row: layout.waterfallAxisRow, &screen)
            for i in 0..<h {
                let r = s.top + i
                guard r < s.rows.count else { break }
                let span = Int(s.rows.rows[r])
                waterfallRow(s, span: span, row: top + i, columns: bars, selected: span == s.selected, &screen)
            }
        }
        if let body = layout.panelBody {
            if layout.panelIsOverlay {
                screen.fill(row: body.top, column: body.columns.lowerBound, width: body.columns.count, height: body.height)
            }
            SidePanel.draw(state, s, columns: body.columns, rows: body.rows, &screen)
        }
    }

    static func titleBar(_ state: ExplorerState, _ s: TraceSession, _ screen: inout Screen) {
        let totals = s.insight.statistics.trace
        // Facts in groups; a number is never cut: when they do not fit, whole groups go, the
        // least telling first (higher `drop`), and the root's name is cut in the middle instead.
        var groups: [(segs: [Segment], drop: Int)] = []
        if state.problem != nil { groups.append(([("! partial file ", Style(ink: .warning, attributes: [.bold]))], 0)) }
        groups.append(([("  " + (s.trace.timingEstimated ? "~" : "") + Format.duration(s.trace.durationNanos), .plain)], 0))
        groups.append(([(" · " + Format.plural(totals.spanCount, "span"), muted)], 4))
        if totals.errorCount > 0 {
            groups.append(([(" · ", muted), (Format.plural(totals.errorCount, "error"), Style(ink: .error))], 2))
        }
        if totals.llmCalls > 0 {
            groups.append(([(" · \(Format.grouped(Int64(totals.llmCalls))) LLM · \(Format.compact(totals.totalTokens)) tok", muted)], 3))
            groups.append(([(" · ", muted), (Format.usd(totals.costUSD), Style(ink: .llm))], 0))
            if totals.unpricedCalls > 0 {
                groups.append(([(" +\(Format.grouped(Int64(totals.unpricedCalls))) unpriced", Style(ink: .warning))], 1))
            }
        }
        var right: [Segment] = []
        if state.live != nil { right.append(("● live", Style(ink: .accent))) }
        if s.filtering, let search = s.search {
            if !right.isEmpty { right.append(("  ", .plain)) }
            right.append(("filter “\(search.text)” \(search.matches.count)", Style(ink: .accent)))
        }
        let zoom = Double(s.fullWindow.width) / Double(s.window.width)
        if zoom > 1.01 {
            if !right.isEmpty { right.append(("  ", .plain)) }
            right.append(("zoom ×" + (zoom < 10 ? Format.fixed(zoom, digits: 1) : Format.fixed(zoom, digits: 0)),
                          Style(ink: .accent)))
        }
        let rightWidth = right.reduce(0) { $0 + CellWidth.of($1.text) }
        let leftLimit = screen.width - (rightWidth > 0 ? rightWidth + 2 : 0)
        func width(_ g: [(segs: [Segment], drop: Int)]) -> Int {
            g.reduce(0) { $0 + $1.segs.reduce(0) { $0 + CellWidth.of($1.text) } }
        }
        let name = s.trace.rootName.isEmpty ? "(no root)" : s.trace.rootName
        let nameMinimum = min(12, CellWidth.of(terminalSafe(name.prefix(64))))
        while width(groups) + nameMinimum > leftLimit, let worst = groups.indices.filter({ groups[$0].drop > 0 })
            .max(by: { groups[$0].drop < groups[$1].drop }) {
            groups.remove(at: worst)
        }
        var segs: [Segment] = []
        if state.problem != nil, let first = groups.first { segs += first.segs; groups.removeFirst() }
        let leading = segs.reduce(0) { $0 + CellWidth.of($1.text) }
        segs.append((MiddleCut.fit(name, width: max(1, leftLimit - width(groups) - leading)), title))
        for g in groups { segs += g.segs }
        segments(segs, &screen, row: 0, column: 0, limit: max(0, leftLimit))
        if rightWidth > 0 && rightWidth < screen.width {
            segments(right, &screen, row: 0, column: screen.width - rightWidth, limit: rightWidth)
        }
    }

    static func tabs(_ pane: Pane, _ screen: inout Screen) {
        var x = 0
        for (p, columns) in Layout.tabs {
            let style = p == pane ? Style(paper: .selection, attributes: [.bold]) : muted
            screen.put(" " + p.title + " ", row: 1, column: columns.lowerBound, style: style)
            x = columns.upperBound + 1
        }
        screen.put("Tab", row: 1, column: x + 1, style: muted)
    }

    // MARK: Tree

    /// The tree's right-hand columns: duration on every row, and on LLM rows a token and cost badge.
    struct TreeColumns {
        /// Tree width from which LLM rows get their token and cost badge.
        static let fullWidth = 40
        static let tokens = 5
        static let cost = 9
        let duration: Int
        let badge: Bool

        init(width: Int) {
            duration = width >= 24 ? 6 : 0
            badge = width >= TreeColumns.fullWidth
        }
    }

    static func treeHeader(_ t: Range<Int>, _ screen: inout Screen) {
        let cols = TreeColumns(width: t.count)
        screen.put("span", row: 1, column: t.lowerBound + 1, limit: t.count - 1, style: muted)
        var x = t.upperBound
        if cols.duration > 0 {
            screen.putRight("time", row: 1, endColumn: x, limit: cols.duration, style: muted)
            x -= cols.duration + 1
        }
        if cols.badge {
            screen.putRight("cost", row: 1, endColumn: x, limit: TreeColumns.cost, style: muted)
            x -= TreeColumns.cost + 1
            screen.putRight("tok", row: 1, endColumn: x, limit: TreeColumns.tokens, style: muted)
        }
    }

    static func nameStyle(_ s: TraceSession, _ span: Int) -> Style {
        let sp = s.trace.spans[span]
        var style = Style()
        if sp.status.isError {
            style.ink = .error
        } else if s.trace.isLLM(span) {
            style.ink = .llm
        }
        if s.trace.parent(of: span) == nil { style.attributes.insert(.bold) }
        if let search = s.search, search.isMatch[span] { style.paper = .match }
        return style
    }

    static func treeRow(_ s: TraceSession, span: Int, row y: Int, columns t: Range<Int>, _ screen: inout Screen) {
        let trace = s.trace
        let sp = trace.spans[span]
        let cols = TreeColumns(width: t.count)
        let x0 = t.lowerBound
        // Right-hand columns first; the name gets what is left.
        var nameEnd = t.upperBound
        // Estimated timing is shown on the duration instead: it is normal for files without timestamps.
        let flags = trace.flags[span].subtracting(.estimatedTiming)
        if cols.duration > 0 {
            let estimated = trace.flags[span].contains(.estimatedTiming)
            let d = flags.contains(.endBeforeStart) ? "?" : (estimated ? "~" : "") + Format.duration(sp.durationNanos)
            screen.putRight(d, row: y, endColumn: nameEnd, limit: cols.duration, style: muted)
            nameEnd -= cols.duration + 1
        }
        if cols.badge, let call = trace.llmCall(at: span) {
            let cost = s.insight.statistics.cost(ofSpan: span)
            let usd = cost?.usd
            screen.putRight(usd.map(Format.usd) ?? "$?", row: y, endColumn: nameEnd, limit: TreeColumns.cost,
                            style: Style(ink: usd == nil ? .warning : .llm))
            nameEnd -= TreeColumns.cost + 1
            let counted = call.promptTokens != nil || call.completionTokens != nil || call.recordedTotalTokens != nil
            screen.putRight(counted ? Format.compact(call.totalTokens) : "?", row: y, endColumn: nameEnd,
                            limit: TreeColumns.tokens, style: Style(ink: counted ? .llm : .warning))
            nameEnd -= TreeColumns.tokens + 1
        }
        if s.insight.onCriticalPath[span] {
            screen.put(Glyphs.criticalGutter, row: y, column: x0, style: Style(ink: .critical, attributes: [.bold]))
        }

        // Guides: one two-cell column per ancestor level, only as many as leave room for a name.
        let depth = Int(trace.depths[span])
        let room = nameEnd - x0 - 1
        // Guides may take two fifths of the room; the name keeps the rest however deep the span is.
        let maxLevels = max(1, room * 2 / 5 / 2)
        var guides: [String] = []
        if depth > 0 {
            guides.append(s.rows.hasLaterShownSibling(span, in: trace) ? "├─" : "└─")
            var a = trace.parent(of: span)
            var level = depth - 1
            while let anc = a, level > 0, guides.count < maxLevels {
                guides.append(s.rows.hasLaterShownSibling(anc, in: trace) ? "│ " : "  ")
                a = trace.parent(of: anc)
                level -= 1
            }
        }
        var x = x0 + 1
        if depth > guides.count && depth > 0 {
            // Too deep to draw every level: say how deep instead.
            x += screen.put("‹\(depth)›", row: y, column: x, limit: max(0, nameEnd - x), style: muted)
        }
        for g in guides.reversed() { x += screen.put(g, row: y, column: x, limit: max(0, nameEnd - x), style: muted) }
        let twisty: String
        if s.rows.hasShownChildren(span, in: trace) {
            twisty = s.rows.isExpanded(span) ? "▾" : "▸"
        } else {
            twisty = depth > 0 ? "─" : "•"
        }
        x += screen.put(twisty, row: y, column: x, limit: max(0, nameEnd - x), style: muted)
        x += 1
        if sp.status.isError {
            screen.put(Glyphs.errorMark, row: y, column: x, limit: max(0, nameEnd - x), style: Style(ink: .error, attributes: [.bold]))
        } else if !flags.isDisjoint(with: .problems) {
            screen.put(Glyphs.flagMark, row: y, column: x, limit: max(0, nameEnd - x), style: Style(ink: .warning, attributes: [.bold]))
        }
        x += 2
        if x < nameEnd {
            x += screen.putName(sp.name.isEmpty ? "(unnamed)" : sp.name, row: y, column: x, limit: nameEnd - x - 1,
                                style: nameStyle(s, span))
        }
        // Service where it changes, then the reader's marks.
        let parentService = trace.parent(of: span).map { trace.spans[$0].service }
        if !sp.service.isEmpty && sp.service != parentService && x + 3 < nameEnd {
            x += 2
            x += screen.put(sp.service, row: y, column: x, limit: nameEnd - x - 1,
                            style: s.insight.serviceInk[sp.service].map { Style(ink: $0) } ?? muted)
        }
        if sp.attributes[key: "jaeger.ref_type"]?.stringValue == "FOLLOWS_FROM" && x + 4 < nameEnd {
            // Async work: its parent does not wait for it (Jaeger FOLLOWS_FROM).
            x += 1
            x += screen.put("(follows from)", row: y, column: x, limit: nameEnd - x - 1, style: muted)
        }
        if !flags.isEmpty && x + 4 < nameEnd {
            x += 1
            x += screen.put("[" + flags.names.joined(separator: ", ") + "]", row: y, column: x, limit: nameEnd - x - 1,
                            style: Style(ink: .warning))
        }

        if span == s.selected {
            screen.restyle(row: y, column: x0, width: t.count) { st in
                var n = st
                n.paper = .selection
                return n
            }
        }
    }

    // MARK: Waterfall

    /// A tick step of 1, 2 or 5 times a power of ten nanoseconds, at least `raw`.
    static func niceStep(_ raw: Int64) -> Int64 {
        let r = max(1, raw)
        var p: Int64 = 1
        while p <= Int64.max / 10 && p * 10 <= r { p *= 10 }
        if r <= p { return p }
        if r <= 2 * p { return 2 * p }
        if r <= 5 * p { return 5 * p }
        return p <= Int64.max / 10 ? 10 * p : p
    }

    static func axis(_ s: TraceSession, columns w: Range<Int>, row: Int, _ screen: inout Screen) {
        let width = w.count
        guard width > 2 else { return }
        let window = s.window
        let ww = window.width
        let step = niceStep(ww / Int64(max(1, width / 7)))
        let relStart = window.start - s.trace.startNanos
        var t = relStart <= 0 ? 0 : (relStart + step - 1) / step * step
        var lastEnd = w.lowerBound - 2
        while t <= relStart + ww {
            let x = w.lowerBound + Int(Double(t - relStart) / Double(ww) * Double(width))
            let label = t == 0 ? "0" : Format.tick(t)
            let lw = CellWidth.of(label) + 1
            if x > lastEnd + 1 && x + lw <= w.upperBound {
                screen.put("╷" + label, row: row, column: x, limit: lw, style: muted)
                lastEnd = x + lw - 1
            }
            if t > Int64.max - step { break }
            t += step
        }
    }

    static func waterfallRow(_ s: TraceSession, span: Int, row y: Int, columns w: Range<Int>, selected: Bool,
                             _ screen: inout Screen) {
        let width = w.count
        guard width > 0 else { return }
        let trace = s.trace
        let sp = trace.spans[span]
        if selected {
            screen.fill(row: y, column: w.lowerBound, width: width, height: 1, character: "·", style: muted)
        }
        let ink: Ink = sp.status.isError ? .error : trace.isLLM(span) ? .llm : s.insight.serviceInk[sp.service] ?? .bar
        let window = s.window
        let eighths = Double(width * 8)
        let ww = Double(window.width)
        let start = sp.startNanos, end = max(sp.endNanos, sp.startNanos)
        if end < window.start {
            screen.put("◂", row: y, column: w.lowerBound, style: Style(ink: ink))
            return
        }
        if start > window.end {
            screen.put("▸", row: y, column: w.upperBound - 1, style: Style(ink: ink))
            return
        }
        var a = max(0, Double(start - window.start) / ww * eighths)
        var b = min(eighths, Double(end - window.start) / ww * eighths)
        // At least one eighth of a cell, so zero-length and tiny spans stay visible.
        if b - a < 1 {
            b = min(eighths, a + 1)
            a = b - 1
        }
        let c0 = Int(a / 8), c1 = min(width - 1, Int((b / 8).rounded(.up)) - 1)
        guard c0 <= c1 else { return }
        // Critical stretches of this span, sorted by start and disjoint: each cell asks for the
        // first stretch ending after its left edge, so a span with thousands of stretches costs
        // a binary search per cell, not a pass over all of them.
        let critical = s.insight.criticalSegments(of: span)
        let nanosPerCell = ww / Double(width)
        for c in c0...c1 {
            let x = w.lowerBound + c
            if !critical.isEmpty {
                let cellStart = window.start + Int64(Double(c) * nanosPerCell)
                let cellEnd = window.start + Int64(Double(c + 1) * nanosPerCell)
                let lo = critical.partitioningIndex { $0.endNanos > cellStart }
                if lo < critical.endIndex && critical[lo].startNanos < max(cellEnd, cellStart + 1) {
                    screen.symbol(Glyphs.criticalBar, row: y, column: x, style: Style(ink: .critical))
                    continue
                }
            }
            let cellLeft = Double(c * 8)
            let l = Int((max(a, cellLeft) - cellLeft).rounded())
            let r = Int((min(b, cellLeft + 8) - cellLeft).rounded())
            if l <= 0 && r >= 8 {
                screen.symbol("█", row: y, column: x, style: Style(ink: ink))
            } else if l <= 0 {
                screen.symbol(leftBlocks[max(1, r) - 1], row: y, column: x, style: Style(ink: ink))
            } else if r >= 8 {
                // Starts inside the cell: a left block in reverse video fills the cell's right part.
                screen.symbol(leftBlocks[min(7, l) - 1], row: y, column: x, style: Style(ink: ink, attributes: [.reverse]))
            } else {
                screen.symbol(leftBlocks[max(1, r - l) - 1], row: y, column: x, style: Style(ink: ink))
            }
        }
    }

    /// `text` cut or padded to exactly `width` cells (made safe first).
    static func fit(_ text: String, _ width: Int) -> String {
        var s = Screen(size: Size(width: width, height: 1))
        s.put(text, row: 0, column: 0)
        var out = ""
        for c in 0..<width where !s[0, c].isContinuation { out += s[0, c].text }
        return out
    }

    static func rightAligned(_ text: String, _ width: Int) -> String {
        let w = CellWidth.of(text)
        return w >= width ? text : String(repeating: " ", count: width - w) + text
    }

    // MARK: Documents

    static func document(_ doc: DocumentView, _ layout: Layout, _ screen: inout Screen) {
        let h = layout.documentBody.height
        let last = min(doc.lineCount, doc.top + h)
        let position = doc.lineCount <= h ? "" : "\(doc.top + 1)–\(last) of \(doc.lineCount)"
        let pw = CellWidth.of(position)
        segments([(doc.title, title)], &screen, row: 0, column: 0, limit: max(0, screen.width - pw - 2))
        if pw > 0 && pw < screen.width { screen.put(position, row: 0, column: screen.width - pw, style: muted) }
        doc.draw(into: &screen, row: layout.documentBody.top, height: h)
    }

    // MARK: Status bar

    static func statusBar(_ state: ExplorerState, _ layout: Layout, _ screen: inout Screen) {
        let y = layout.statusRow
        let w = screen.width
        guard y >= 1 else { return }
        screen.fill(row: y, column: 0, width: w, height: 1, style: bar)
        var left: [Segment] = []
        var pathNames: [String] = []
        if case .prompt(let p)? = state.overlay {
            left = [(p.filters ? "filter /" : "/", Style(paper: .bar, attributes: [.bold])), (p.text, bar), ("▏", bar)]
        } else if let m = state.message ?? state.remote?.statusLine {
            left = [(m, Style(paper: .bar, attributes: [.bold]))]
        } else if case .list = state.view {
            left = listStatus(state)
        } else {
            left = [(state.sourceLabel, bar)]
            if let s = state.session {
                if state.hasTraceList { left.append((" · trace " + String(s.trace.id.description.prefix(8)), bar)) }
                pathNames = path(of: s.selected, in: s.trace)
                left.append((" · " + pathNames.joined(separator: " › "), bar))
            }
        }
        var hints = KeyTable.hints(in: state.keyContext)
        if state.overlay == nil, let s = state.session, s.insight.outsideParentSpans > 0, !s.clockSkewAdjusted {
            // Spans outside their parent are what `a` is for: say it exists, before the usual hints.
            let n = s.insight.outsideParentSpans
            hints.insert(("a", w >= 80 ? "\(Format.plural(n, "span")) outside parent: adjust" : "skew"), at: 0)
        }
        var hintSegs: [Segment] = []
        var hintWidth = 0
        let leftWidth = left.reduce(0) { $0 + CellWidth.of($1.text) }
        let budget = max(w / 2, w - leftWidth - 2)
        for (key, word) in hints {
            let piece = CellWidth.of(key) + 1 + CellWidth.of(word) + 2
            guard hintWidth + piece <= budget else { break }
            hintSegs.append((key, Style(paper: .bar, attributes: [.bold])))
            hintSegs.append((" " + word + "  ", bar))
            hintWidth += piece
        }
        let hintStart = w - hintWidth
        // An adjusted view must never pass for the recorded one: say so before anything else.
        var badge: [Segment] = []
        if state.prompt == nil, state.session?.clockSkewAdjusted == true {
            badge = [("clock skew adjusted", Style(ink: .warning, paper: .bar, attributes: [.bold])), (" · ", bar)]
        }
        if state.prompt == nil, let partial = state.partialBadge {
            // A trace read before the scan ended may lack spans: it must not pass for the whole one.
            badge = [(partial, Style(ink: .warning, paper: .bar, attributes: [.bold])), (" · ", bar)] + badge
        }
        let badgeWidth = badge.reduce(0) { $0 + CellWidth.of($1.text) }
        let room = max(0, hintStart - 2 - badgeWidth)
        if !pathNames.isEmpty && left.reduce(0, { $0 + CellWidth.of($1.text) }) > room {
            // The selection matters more than the file name: keep the deepest names that fit.
            var tail = pathNames.last!
            for name in pathNames.dropLast().reversed() {
                let longer = name + " › " + tail
                if CellWidth.of(longer) + 4 > room { break }
                tail = longer
            }
            left = [(tail == pathNames.joined(separator: " › ") ? tail : "… › " + tail, bar)]
        }
        segments(badge + left, &screen, row: y, column: 1, limit: room + badgeWidth)
        segments(hintSegs, &screen, row: y, column: hintStart, limit: hintWidth)
    }

    /// The names from the root to `span` (at most six, the deepest last; "…" when cut).
    static func path(of span: Int, in trace: Trace) -> [String] {
        // Names are cut short first: a span name can be megabytes long.
        var names: [String] = [String(trace.spans[span].name.prefix(60))]
        var v = trace.parent(of: span)
        while let p = v, names.count < 6 {
            names.append(String(trace.spans[p].name.prefix(60)))
            v = trace.parent(of: p)
        }
        if v != nil { names.append("…") }
        return names.reversed()
    }

    static func baseName(_ path: String) -> String {
        if path == "-" { return "(stdin)" }
        guard let slash = path.lastIndex(of: "/") else { return path }
        let name = path[path.index(after: slash)...]
        return name.isEmpty ? path : String(name)
    }
}
