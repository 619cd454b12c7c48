import TraceAnalysis
import TraceModel
import TerminalText

extension Painter {
    // MARK: Trace list

    /// The trace list: title, column headings, the totals row, then one row per shown trace.
    static func traceList(_ state: ExplorerState, _ layout: Layout, _ screen: inout Screen) {
        let list = state.list
        let n = list.entries.count
        listTitle(state, &screen)
        guard n > 0 else {
            if let live = state.live {
                screen.put(" waiting for spans on \(live.address)", row: 2, column: 0, style: Style(ink: .accent))
                screen.put(" OTLP/HTTP: POST /v1/traces (protobuf or JSON) · Zipkin v2: POST /api/v2/spans",
                           row: 3, column: 0, style: muted)
                screen.put(" OTEL_EXPORTER_OTLP_ENDPOINT=\(live.address) OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
                           row: 4, column: 0, style: muted)
            } else if let source = state.indexed, !source.done {
                screen.put(" reading the file: traces appear here as they are found", row: 2, column: 0, style: Style(ink: .accent))
            } else {
                screen.put(state.remote == nil ? " no traces in this file" : " no traces found; R searches again",
                           row: 2, column: 0, style: Style(ink: .warning))
            }
            return
        }
        let table = TraceListTable(measure: list.measure, width: screen.width)
        for p in table.columns {
            let style = p.column.sort == list.sort && p.column.sort != nil
                ? Style(ink: .accent, attributes: [.bold, .underline]) : muted
            if p.column.isText {
                screen.put(p.column.title, row: 1, column: p.range.lowerBound, limit: p.range.count, style: style)
            } else {
                screen.putRight(p.column.title, row: 1, endColumn: p.range.upperBound, limit: p.range.count, style: style)
            }
        }
        totalsRow(list, table, row: layout.listTotalsRow, &screen)
        let body = layout.traceListBody
        if list.order.isEmpty, body.height > 0 {
            screen.put(" no trace matches \(list.query) · Esc shows every trace", row: body.top, column: 0,
                       style: Style(ink: .warning))
        }
        for i in 0..<body.height {
            let p = list.top + i
            guard p < list.order.count else { break }
            let e = list.entries[list.order[p]]
            let y = body.top + i
            if let marked = list.marked, e.id == marked {
                screen.put("A", row: y, column: 0, style: Style(ink: .accent, attributes: [.bold]))
            }
            for c in table.columns {
                let (text, style) = c.column.cell(e, wideStart: table.wideStart)
                if c.column.isText {
                    let limit = c.range.count
                    if c.column == .model && e.models.count > 1 {
                        // Cut the first model's name, never the count of the others.
                        let more = " +\(e.models.count - 1)"
                        let x = screen.putName(e.models[0], row: y, column: c.range.lowerBound,
                                               limit: max(1, limit - CellWidth.of(more)), style: style)
                        screen.put(more, row: y, column: c.range.lowerBound + x,
                                   limit: c.range.count - x, style: muted)
                    } else {
                        screen.putName(text, row: y, column: c.range.lowerBound, limit: limit, style: style)
                    }
                } else {
                    screen.putRight(text, row: y, endColumn: c.range.upperBound, limit: c.range.count, style: style)
                }
            }
            if p == list.selected {
                screen.restyle(row: y, column: 0, width: screen.width) { st in
                    var n = st
                    n.paper = .selection
                    return n
                }
            }
        }
    }

    /// The totals of what is shown: how many traces, their p50/p95 duration (left, as much as fits
    /// before the first summed column, whole facts only), and the sums under their columns.
    static func totalsRow(_ list: TraceListState, _ table: TraceListTable, row y: Int, _ screen: inout Screen) {
        let t = list.totals
        var labelEnd = screen.width
        for c in table.columns {
            guard let (text, style) = c.column.total(t) else { continue }
            labelEnd = min(labelEnd, c.range.lowerBound - 1)
            screen.putRight(text, row: y, endColumn: c.range.upperBound, limit: c.range.count, style: style)
        }
        var facts: [[Segment]] = [[(Format.plural(t.traces, "trace"), Style(attributes: [.bold]))]]
        if let p50 = t.p50Nanos, let p95 = t.p95Nanos {
            facts.append([("  p50 ", muted), (Format.duration(Int64(p50.rounded())), Style(attributes: [.bold]))])
            facts.append([("  p95 ", muted), (Format.duration(Int64(p95.rounded())), Style(attributes: [.bold]))])
        }
        var x = 1
        for f in facts {
            let w = f.reduce(0) { $0 + CellWidth.of($1.text) }
            guard x + w <= labelEnd else { break }
            x = segments(f, &screen, row: y, column: x, limit: w)
        }
        // A rule under the totals, across the table.
        screen.restyle(row: y, column: 0, width: screen.width) { st in
            var n = st
            n.attributes.insert(.underline)
            return n
        }
    }

    /// The status bar's left side in the list: the sort column and direction (short, so that the
    /// key hints keep their room), then the selected trace's file.
    static func listStatus(_ state: ExplorerState) -> [Segment] {
        let list = state.list
        return [("by \(list.sort.title) \(list.descending ? "↓" : "↑")", Style(paper: .bar, attributes: [.bold])),
                // While a large file is read, the title row names it and the progress line takes the room.
                (" · " + (state.indexStatus ?? state.sourceLabel), bar)]
    }

    /// The list's title row: the file's name (live: the address), how many traces, and what
    /// follows (live: spans held, what was let go or refused). With a filter on, the count says
    /// "N of M match Q"; that phrase is kept whole while the name and the query are cut to share
    /// what is left of the width, and what follows gets the rest.
    static func listTitle(_ state: ExplorerState, _ screen: inout Screen) {
        let list = state.list
        let n = list.entries.count
        var head: [Segment], tail: [Segment] = []
        if let live = state.live {
            head = [("● live ", Style(ink: .accent, attributes: [.bold])), (live.address, title)]
            if let warning = live.warning { head.append((" " + warning, Style(ink: .warning, attributes: [.bold]))) }
            tail = liveCounts(live, spans: state.document.spanCount)
        } else {
            head = [(baseName(state.document.source), title)]
        }
        let width = screen.width
        guard !list.query.isEmpty else {
            segments(head + [("  " + Format.plural(n, "trace"), muted)] + tail, &screen, row: 0, column: 0, limit: width)
            return
        }
        let shown = Format.grouped(Int64(list.order.count)), total = Format.grouped(Int64(n))
        let headWidth = head.reduce(0) { $0 + CellWidth.of($1.text) }
        let queryWidth = CellWidth.of(list.query)
        var phrase = "  \(shown) of \(Format.plural(n, "trace")) match "
        if headWidth + CellWidth.of(phrase) + queryWidth > width { phrase = "  \(shown) of \(total) match " }
        let rest = width - CellWidth.of(phrase)
        // The name and the query share what the phrase leaves: each keeps what it needs when the
        // other is short, else the name gets at most half.
        let headRoom = min(headWidth, max(rest - queryWidth, rest / 2))
        var x = headRoom > 0 ? segments(head, &screen, row: 0, column: 0, limit: headRoom) : 0
        x = segments([(phrase, muted)], &screen, row: 0, column: x, limit: width - x)
        x = segments([(list.query, Style(ink: .accent))], &screen, row: 0, column: x, limit: width - x)
        segments(tail, &screen, row: 0, column: x, limit: width - x)
    }

    /// What a live source holds past its traces, and what was let go or refused.
    static func liveCounts(_ live: LiveStatus, spans: Int) -> [Segment] {
        var segs: [Segment] = [(" · \(Format.plural(spans, "span"))", muted)]
        if live.evictedTraces > 0 {
            segs.append((" · ", muted))
            segs.append(("\(Format.grouped(Int64(live.evictedTraces))) evicted", Style(ink: .warning)))
        }
        if live.droppedSpans > 0 {
            segs.append((" · ", muted))
            segs.append(("\(Format.grouped(Int64(live.droppedSpans))) spans over the limit", Style(ink: .warning)))
        }
        let refused = live.rejectedSpans + live.failedRequests
        if refused > 0 {
            segs.append((" · ", muted))
            segs.append(("\(Format.grouped(Int64(refused))) refused (w)", Style(ink: .error)))
        }
        return segs
    }
}
