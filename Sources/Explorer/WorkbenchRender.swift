import TraceAnalysis
import TraceModel
import TerminalText

/// Draws the workbench's levels: a title naming the level and what it covers, column headings,
/// and the rows on screen (only those are visited).
enum WorkbenchPainter {
    /// One column of a table: the first is the flexible name column, the rest have a fixed width.
    struct Column {
        let title: String
        let width: Int
        /// Lower is kept longer as the terminal narrows.
        let priority: Int
        /// True for the column the table is sorted by (its heading is underlined).
        var sorted = false
    }

    static func draw(_ state: ExplorerState, _ w: WorkbenchSession, _ layout: Layout, _ screen: inout Screen) {
        let body = layout.listBody
        switch w.current {
        case .stats(let l): stats(state, w, l, body, &screen)
        case .members(let l): members(state, w, l, body, &screen)
        case .sessions(let l): sessions(w, l, body, &screen)
        case .thread(let l): thread(state, w, l, body, &screen)
        case .calls(let l): calls(state, w, l, body, &screen)
        case .computing(let l): computing(state, w, l, layout, &screen)
        }
    }

    /// A table being worked out: the table it replaces, if any (while `b` regroups), under a
    /// title naming what is coming; else the waiting line alone.
    static func computing(_ state: ExplorerState, _ w: WorkbenchSession, _ l: ComputingLevel, _ layout: Layout,
                          _ screen: inout Screen) {
        let body = layout.listBody
        let name: String
        switch l.table {
        case .stats(let by): name = "Stats by \(by.rawValue)"
        case .sessions: name = "Sessions"
        case .calls: name = "LLM calls"
        case .members(let by, let key): name = "Stats by \(by.rawValue) › \(key.isEmpty ? "(empty)" : key)"
        case .thread(let session): name = "Session \(session.id)"
        }
        if let previous = l.previous {
            draw(state, w.withCurrent(previous), layout, &screen)
            var shown = name
            if case .stats(let p) = previous { shown = "Stats by \(p.table.grouping.rawValue)" }
            screen.fill(row: 0, column: 0, width: screen.width, height: 1)
            title(shown, "  \(w.scope) · computing \(l.table.title)…", &screen)
            return
        }
        title(name, "  \(w.scope)", &screen)
        // Narrow terminals drop the span count rather than cut the line.
        let line = CellWidth.of(l.line) < screen.width ? l.line : l.shortLine
        screen.put(" " + line, row: body.top, column: 0, limit: screen.width, style: Style(ink: .accent), ellipsis: true)
        if body.height > 1 {
            screen.put(" Esc stops; other keys work meanwhile", row: body.top + 1, column: 0, limit: screen.width,
                       style: Painter.muted, ellipsis: true)
        }
    }

    // MARK: Tables

    /// The columns of `columns` (after the first) that fit beside a name column of at least
    /// `nameMinimum` cells, most important first, returned in table order with the name width.
    static func fit(_ columns: [Column], width: Int, nameMinimum: Int) -> (shown: [Int], nameWidth: Int) {
        var room = width - 1 - nameMinimum
        var shown: [Int] = []
        // A column of no width is one the table leaves out (sessions have no self time).
        for i in columns.indices.dropFirst().sorted(by: { (columns[$0].priority, $0) < (columns[$1].priority, $1) })
        where columns[i].width > 0 && columns[i].width + 1 <= room {
            shown.append(i)
            room -= columns[i].width + 1
        }
        shown.sort()
        let used = shown.reduce(0) { $0 + columns[$1].width + 1 }
        return (shown, width - 1 - used)
    }

    /// Headings and rows of a table; `cell(row, column)` gives a cell's text and style (column 0
    /// is the name). Numbers are right-aligned, the name left-aligned and cut with `…`.
    static func table(_ columns: [Column], count: Int, top: Int, selected: Int, body: Rect, nameMinimum: Int,
                      _ screen: inout Screen, cell: (Int, Int) -> Segment) {
        // Names get a quarter of a wide terminal before the less telling figures.
        let (shown, nameWidth) = fit(columns, width: screen.width, nameMinimum: max(nameMinimum, screen.width / 4))
        func heading(_ c: Column) -> Style {
            c.sorted ? Style(ink: .accent, attributes: [.bold, .underline]) : Painter.muted
        }
        screen.put(columns[0].title, row: 1, column: 1, limit: nameWidth - 1, style: heading(columns[0]))
        var x = 1 + nameWidth
        for i in shown {
            screen.putRight(columns[i].title, row: 1, endColumn: x + columns[i].width, limit: columns[i].width,
                            style: heading(columns[i]))
            x += columns[i].width + 1
        }
        for r in 0..<body.height {
            let p = top + r
            guard p < count else { break }
            let y = body.top + r
            let name = cell(p, 0)
            screen.put(name.text, row: y, column: 1, limit: nameWidth - 1, style: name.style)
            var x = 1 + nameWidth
            for i in shown {
                let c = cell(p, i)
                screen.putRight(c.text, row: y, endColumn: x + columns[i].width, limit: columns[i].width, style: c.style)
                x += columns[i].width + 1
            }
            if p == selected {
                screen.restyle(row: y, column: 0, width: screen.width) { st in
                    var n = st
                    n.paper = .selection
                    return n
                }
            }
        }
    }

    /// The title row: the level's name in the title style, then muted facts.
    static func title(_ name: String, _ facts: String, _ screen: inout Screen) {
        Painter.segments([(name, Painter.title), (facts, Painter.muted)], &screen, row: 0, column: 0, limit: screen.width)
    }

    static func empty(_ text: String, _ body: Rect, _ screen: inout Screen) {
        screen.put(" " + text, row: body.top, column: 0, style: Style(ink: .warning))
    }

    static func duration(_ nanos: Double) -> String { Format.duration(Int64(nanos.rounded())) }

    static func cost(_ usd: Double, calls: Int, unpriced: Int) -> String {
        if calls == 0 { return "–" }
        if unpriced == calls { return "$?" }
        return Format.usd(usd) + (unpriced > 0 ? "+?" : "")
    }

    static let llm = Style(ink: .llm)
    static let error = Style(ink: .error)

    // MARK: Stats

    static func stats(_ state: ExplorerState, _ w: WorkbenchSession, _ l: StatsLevel, _ body: Rect, _ screen: inout Screen) {
        let t = l.table
        title("Stats by \(t.grouping.rawValue)", "  \(w.scope) · \(Format.plural(t.groups.count, "group"))", &screen)
        guard !t.groups.isEmpty else {
            empty(t.grouping == .session ? "no trace names a session; b groups by something else"
                  : "nothing to group by \(t.grouping.rawValue); b groups by something else", body, &screen)
            return
        }
        let withSelf = t.grouping != .session
        // A cached column only when some call records cached prompt tokens: most traces never do.
        let anyCached = t.groups.contains { $0.cachedTokens != nil }
        var columns = [
            Column(title: t.grouping.rawValue, width: 0, priority: 0),
            Column(title: "count", width: 7, priority: 0), Column(title: "traces", width: 6, priority: 6),
            Column(title: "errors", width: 6, priority: 2), Column(title: "p50", width: 7, priority: 3),
            Column(title: "p95", width: 7, priority: 1), Column(title: "p99", width: 7, priority: 5),
            Column(title: "max", width: 7, priority: 4), Column(title: "self p50", width: withSelf ? 8 : 0, priority: 6),
            Column(title: "tokens in/out", width: 13, priority: 5), Column(title: "cost", width: 10, priority: 0),
        ]
        if anyCached { columns.insert(Column(title: "cached", width: 7, priority: 6), at: 10) }
        table(columns, count: t.groups.count, top: l.top, selected: l.selected, body: body, nameMinimum: 12, &screen) { p, c in
            let g = t.groups[p]
            switch c {
            case 0: return (g.key.isEmpty ? "(empty)" : g.key, g.errors > 0 ? error : .plain)
            case 1: return (Format.grouped(Int64(g.count)), .plain)
            case 2: return (Format.grouped(Int64(g.traces)), Painter.muted)
            case 3: return g.errors == 0 ? ("–", Painter.muted) : (Format.grouped(Int64(g.errors)), error)
            case 4: return (duration(g.duration.p50), .plain)
            case 5: return (duration(g.duration.p95), .plain)
            case 6: return (duration(g.duration.p99), .plain)
            case 7: return (duration(g.duration.max), .plain)
            case 8: return (g.selfTime.map { duration($0.p50) } ?? "", Painter.muted)
            case 9:
                return g.llmCalls == 0 ? ("–", Painter.muted)
                    : ("\(Format.compact(g.promptTokens))/\(Format.compact(g.completionTokens))", llm)
            case 10 where anyCached:
                return g.cachedTokens.map { (Format.compact($0), llm) } ?? ("–", Painter.muted)
            default: return (cost(g.costUSD, calls: g.llmCalls, unpriced: g.unpricedCalls), llm)
            }
        }
    }

    static func members(_ state: ExplorerState, _ w: WorkbenchSession, _ l: MembersLevel, _ body: Rect,
                        _ screen: inout Screen) {
        let unit = l.grouping.unit
        title("Stats by \(l.grouping.rawValue) › ", "", &screen)
        let prefix = CellWidth.of("Stats by \(l.grouping.rawValue) › ")
        Painter.segments([(l.key.isEmpty ? "(empty)" : l.key, Style(attributes: [.bold])),
                          ("  \(Format.plural(l.members.count, unit)), slowest first", Painter.muted)],
                         &screen, row: 0, column: prefix, limit: max(0, screen.width - prefix))
        // By name every row has the same name: show the trace's root instead.
        let byName = l.grouping == .name || l.grouping == .session
        let columns = [
            Column(title: byName ? "trace" : "span", width: 0, priority: 0),
            Column(title: "id", width: 8, priority: 3), Column(title: "start", width: 8, priority: 4),
            Column(title: "duration", width: 8, priority: 0), Column(title: "self", width: 7, priority: 2),
            Column(title: "tokens", width: 7, priority: 3), Column(title: "cost", width: 10, priority: 1),
        ]
        table(columns, count: l.members.count, top: l.top, selected: l.selected, body: body, nameMinimum: 12,
              &screen) { p, c in
            let m = l.members[p]
            guard let f = l.figures?[p] ?? state.coveredTrace(w, m.trace).map({
                MemberFigures(m, trace: $0.trace, statistics: $0.statistics, grouping: l.grouping)
            }) else {
                return c == 0 ? ("(no longer held)", Painter.muted) : ("", .plain)
            }
            switch c {
            case 0: return (f.name, f.isError ? error : (f.isLLM ? llm : .plain))
            case 1: return (String(f.traceID.description.prefix(8)), Painter.muted)
            case 2: return (String(Format.timestamp(f.startNanos, millis: false).dropFirst(11).dropLast()), Painter.muted)
            case 3: return (Format.duration(m.durationNanos), .plain)
            case 4: return (f.selfNanos.map(Format.duration) ?? "", f.selfNanos == nil ? .plain : Painter.muted)
            case 5: return f.tokens == 0 ? ("–", Painter.muted) : (Format.compact(f.tokens), llm)
            default: return (f.cost, f.costMuted ? Painter.muted : llm)
            }
        }
    }

    // MARK: Sessions

    static func sessions(_ w: WorkbenchSession, _ l: SessionsLevel, _ body: Rect, _ screen: inout Screen) {
        var facts = "  \(w.scope) · \(Format.plural(l.sessions.count, "session"))"
        if l.withoutSession > 0 { facts += " · \(Format.grouped(Int64(l.withoutSession))) without one" }
        title("Sessions", facts, &screen)
        guard !l.sessions.isEmpty else {
            empty("no trace names a session (session.id, gen_ai.conversation.id, langfuse.session.id, …)", body, &screen)
            return
        }
        let wide = screen.width >= 100
        let columns = [
            Column(title: "session", width: 0, priority: 0),
            Column(title: "turns", width: 5, priority: 0), Column(title: "calls", width: 5, priority: 5),
            Column(title: "tokens", width: 7, priority: 3), Column(title: "cost", width: 10, priority: 0),
            Column(title: "busy", width: 7, priority: 1), Column(title: "failed", width: 6, priority: 2),
            Column(title: "time", width: wide ? 28 : 17, priority: 4),
        ]
        table(columns, count: l.sessions.count, top: l.top, selected: l.selected, body: body, nameMinimum: 12,
              &screen) { p, c in
            let s = l.sessions[p]
            switch c {
            case 0: return (s.id, s.failedTraces > 0 ? error : .plain)
            case 1: return (Format.grouped(Int64(s.traces.count)), .plain)
            case 2: return (Format.grouped(Int64(s.llmCalls)), Painter.muted)
            case 3: return s.totalTokens == 0 ? ("–", Painter.muted) : (Format.compact(s.totalTokens), llm)
            case 4: return (cost(s.costUSD, calls: s.llmCalls, unpriced: s.unpricedCalls), llm)
            case 5: return (Format.duration(s.busyNanos), .plain)
            case 6: return s.failedTraces == 0 ? ("–", Painter.muted) : (Format.grouped(Int64(s.failedTraces)), error)
            default: return (timeRange(s.startNanos, s.endNanos, withDate: wide), Painter.muted)
            }
        }
    }

    /// `12:00:01–12:03:40`, with the start's date in front when `withDate`.
    static func timeRange(_ start: Int64, _ end: Int64, withDate: Bool) -> String {
        let a = Format.timestamp(start, millis: false), b = Format.timestamp(end, millis: false)
        let from = withDate ? String(a.dropLast()) : String(a.dropFirst(11).dropLast())
        return from + "–" + String(b.dropFirst(11).dropLast())
    }

    static func thread(_ state: ExplorerState, _ w: WorkbenchSession, _ l: ThreadLevel, _ body: Rect,
                       _ screen: inout Screen) {
        let s = l.session
        var facts = "  \(Format.plural(l.turns.count, "turn")) · \(Format.duration(s.busyNanos)) busy"
        if s.totalTokens > 0 { facts += " · \(Format.compact(s.totalTokens)) tok" }
        if s.llmCalls > 0 { facts += " · " + cost(s.costUSD, calls: s.llmCalls, unpriced: s.unpricedCalls) }
        if s.failedTraces > 0 { facts += " · \(s.failedTraces) failed" }
        Painter.segments([("Session ", Painter.title), (s.id, Style(attributes: [.bold])), (facts, Painter.muted)],
                         &screen, row: 0, column: 0, limit: screen.width)
        screen.put("turns in time order · Enter opens the turn's trace", row: 1, column: 1, style: Painter.muted)
        var y = body.top
        let end = body.rows.upperBound
        var i = l.top
        let width = screen.width
        while i < l.turns.count && y < end {
            let t = l.turns[i]
            let start = y
            let id = String(w.ids[t.trace].description.prefix(8))
            let time = String(Format.timestamp(t.startNanos, millis: false).dropFirst(11).dropLast())
            var lines: [[Segment]] = []
            lines.append([("turn \(i + 1)", Style(ink: .accent, attributes: [.bold])), ("  \(time)  trace \(id)", Painter.muted)])
            var figures: [Segment] = [("  " + Format.duration(t.latencyNanos), .plain)]
            if t.totalTokens > 0 { figures.append((" · \(Format.grouped(t.totalTokens)) tokens", Painter.muted)) }
            if t.totalTokens > 0 || t.costUSD > 0 { figures.append((" · " + Format.usd(t.costUSD), llm)) }
            if t.errors > 0 { figures += [(" · ", Painter.muted), (Format.plural(t.errors, "error"), error)] }
            lines.append(figures)
            lines.append(labelled("user", t.userMessage, .plain))
            if !t.tools.isEmpty { lines.append(labelled("tools", t.tools.joined(separator: ", "), Painter.muted)) }
            lines.append(labelled("answer", t.finalAnswer, .plain))
            if let e = t.firstError { lines.append(labelled("error", e, error)) }
            for line in lines where y < end {
                Painter.segments(line, &screen, row: y, column: 1, limit: width - 1)
                y += 1
            }
            if i == l.selected {
                for row in start..<y {
                    screen.restyle(row: row, column: 0, width: width) { st in
                        var n = st
                        n.paper = .selection
                        return n
                    }
                }
            }
            y += 1
            i += 1
        }
    }

    /// `  label  text` on one line: the text's line breaks become spaces (it is cut at the edge).
    static func labelled(_ label: String, _ text: String?, _ style: Style) -> [Segment] {
        let pad = String(repeating: " ", count: max(0, 7 - label.count))
        guard let text, !text.isEmpty else { return [("  " + label + pad, Painter.muted), ("(not recorded)", Painter.muted)] }
        var flat = ""
        for ch in text.prefix(2_000) { flat.append(ch == "\n" || ch == "\r" || ch == "\t" || ch == "\r\n" ? " " : ch) }
        return [("  " + label + pad, Painter.muted), (flat, style)]
    }

    // MARK: LLM calls

    static func calls(_ state: ExplorerState, _ w: WorkbenchSession, _ l: CallsLevel, _ body: Rect, _ screen: inout Screen) {
        title("LLM calls", "  \(w.scope) · \(Format.plural(l.rows.count, "call")) · sorted by \(l.sort.title) \(l.descending ? "↓" : "↑")",
              &screen)
        guard !l.rows.isEmpty else {
            empty("no LLM calls here", body, &screen)
            return
        }
        let order: [LLMCallColumn] = [.model, .promptTokens, .completionTokens, .cachedTokens, .cost, .latency,
                                      .timeToFirstToken, .finishReason, .start]
        let widths: [LLMCallColumn: (Int, Int)] = [
            .promptTokens: (7, 1), .completionTokens: (6, 2), .cachedTokens: (7, 4), .cost: (10, 0), .latency: (7, 0),
            .timeToFirstToken: (6, 3), .finishReason: (10, 5), .start: (8, 6),
        ]
        var columns = order.map { c in
            Column(title: c.title, width: widths[c]?.0 ?? 0, priority: widths[c]?.1 ?? 0, sorted: c == l.sort)
        }
        // The span's name (and, across traces, its trace) after the figures, when there is room.
        columns.append(Column(title: "span", width: 18, priority: 7))
        if !l.oneTrace { columns.append(Column(title: "trace", width: 8, priority: 8)) }
        table(columns, count: l.rows.count, top: l.top, selected: l.selected, body: body, nameMinimum: 14,
              &screen) { p, c in
            let r = l.rows[p]
            switch c {
            case 0: return (r.model, r.isError ? error : llm)
            case 1: return (r.promptTokens.map(Format.compact) ?? "–", r.promptTokens == nil ? Painter.muted : .plain)
            case 2: return (r.completionTokens.map(Format.compact) ?? "–", r.completionTokens == nil ? Painter.muted : .plain)
            case 3: return (r.cachedTokens.map(Format.compact) ?? "–", Painter.muted)
            case 4: return (r.costUSD.map(Format.usd) ?? "$?", Style(ink: r.costUSD == nil ? .warning : .llm))
            case 5: return (Format.duration(r.latencyNanos), .plain)
            case 6: return (r.timeToFirstTokenNanos.map(Format.duration) ?? "–", Painter.muted)
            case 7: return (r.finishReason.isEmpty ? "–" : r.finishReason, Painter.muted)
            case 8: return (String(Format.timestamp(r.startNanos, millis: false).dropFirst(11).dropLast()), Painter.muted)
            case 9:
                // Right-aligned like the figures; a long name keeps its end.
                let name = r.name
                return (name.count > 18 ? "…" + String(name.suffix(17)) : name, r.isError ? error : Painter.muted)
            default:
                return (String(w.ids[r.trace].description.prefix(8)), Painter.muted)
            }
        }
    }
}
