import TraceAnalysis
import TraceModel
import TerminalText

/// The side panel of the trace view (totals of the trace and of the selection, tokens and cost
/// by model, the service legend): its lines, and a window onto them that scrolls when they do
/// not fit, with `↑ N more` / `↓ N more` marks saying what is out of sight.
enum SidePanel {
    static let title = Painter.title
    static let muted = Painter.muted

    /// Every line of the panel for `s` at `width` cells.
    static func lines(_ s: TraceSession, width: Int) -> [[Segment]] {
        var lines: [[Segment]] = []
        let stats = s.insight.statistics
        let labelWidth = 12
        func pad(_ label: String) -> String {
            label + String(repeating: " ", count: max(1, labelWidth - CellWidth.of(label)))
        }
        func totals(_ t: UsageTotals, duration: Int64) {
            lines.append([(pad(" duration"), muted), (Format.duration(duration), .plain)])
            var spans: [Segment] = [(pad(" spans"), muted), (Format.grouped(Int64(t.spanCount)), .plain)]
            if t.errorCount > 0 { spans.append((" · " + Format.plural(t.errorCount, "error"), Style(ink: .error))) }
            lines.append(spans)
            guard t.llmCalls > 0 else {
                lines.append([(pad(" LLM calls"), muted), ("none", muted)])
                return
            }
            lines.append([(pad(" LLM calls"), muted), ("\(t.llmCalls)", .plain)])
            lines.append([(pad(" tokens"), muted), (Format.compact(t.totalTokens), .plain)])
            lines.append([(pad(" in · out"), muted),
                          ("\(Format.compact(t.promptTokens)) · \(Format.compact(t.completionTokens))", .plain)])
            if t.cacheReadTokens > 0 || t.cacheWriteTokens > 0 {
                lines.append([(pad(" cached"), muted),
                              ("\(Format.compact(t.cacheReadTokens)) read · \(Format.compact(t.cacheWriteTokens)) write", .plain)])
            }
            if t.reasoningTokens > 0 { lines.append([(pad(" reasoning"), muted), (Format.compact(t.reasoningTokens), .plain)]) }
            var cost: [Segment] = [(pad(" cost"), muted), (Format.usd(t.costUSD), Style(ink: .llm))]
            if t.unpricedCalls > 0 { cost.append((" +\(t.unpricedCalls) unpriced", Style(ink: .warning))) }
            lines.append(cost)
        }
        lines.append([(" Trace", title)])
        totals(stats.trace, duration: s.trace.durationNanos)
        lines.append([])
        let sel = s.selected
        lines.append([(" Selected ", title), (s.trace.spans[sel].name, Style(attributes: [.bold]))])
        // The root's subtree is the whole trace: reuse the precomputed totals.
        let isWhole = Int(s.trace.subtreeSizes[sel]) == s.trace.count
        totals(isWhole ? stats.trace : stats.subtree(of: sel), duration: s.trace.spans[sel].durationNanos)
        lines.append([(pad(" self time"), muted), (Format.duration(stats.selfTimeNanos(of: sel)), .plain)])
        if s.insight.criticalNanos > 0 {
            let (own, sub) = s.insight.criticalTime(of: sel)
            let whole = Double(s.insight.criticalNanos)
            lines.append([(pad(" crit. path"), muted),
                          (Format.percent(Double(sub), of: whole), Style(ink: .critical)),
                          (", own " + Format.percent(Double(own), of: whole), muted)])
        }
        let models = stats.trace.byModel
        if !models.isEmpty {
            lines.append([])
            let numbers = 5 + 1 + 6 + 1 + 9
            let nameWidth = max(6, width - numbers - 2)
            lines.append([(" By model", title)])
            // A name that does not fit beside the numbers gets a line of its own: cut to a few
            // cells, dated variants of one model would look alike.
            let ownLine = models.contains { CellWidth.of(terminalSafe($0.model.prefix(200))) > nameWidth }
            let numbersIndent = ownLine ? String(repeating: " ", count: max(1, width - numbers)) : " "
            func numberColumns(_ a: String, _ b: String, _ c: String) -> String {
                Painter.rightAligned(a, 5) + " " + Painter.rightAligned(b, 6) + " " + Painter.rightAligned(c, 9)
            }
            if ownLine {
                lines.append([(" model", muted)])
                lines.append([(numbersIndent + numberColumns("calls", "tokens", "cost"), muted)])
            } else {
                lines.append([(" " + Painter.fit("model", nameWidth) + " " + numberColumns("calls", "tokens", "cost"), muted)])
            }
            for (model, u) in models {
                let costText = u.calls == u.unpricedCalls ? "$?" : Format.usd(u.costUSD)
                let numbers = numberColumns("\(u.calls)", Format.compact(u.totalTokens), costText)
                if ownLine {
                    lines.append([(" " + MiddleCut.fit(model, width: max(1, width - 1)), Style(ink: .llm))])
                    lines.append([(numbersIndent + numbers, .plain)])
                } else {
                    lines.append([(" " + Painter.fit(MiddleCut.fit(model, width: nameWidth), nameWidth) + " ",
                                   Style(ink: .llm)), (numbers, .plain)])
                }
            }
        }
        let services = s.insight.services
        if services.count > 1 {
            // The legend of the service colours in the tree and the waterfall; the names are
            // text, so it reads the same without colour.
            lines.append([])
            lines.append([(" Services", title)])
            let countWidth = 7
            let nameWidth = max(6, width - countWidth - 4)
            for svc in services {
                lines.append([(" ■ ", Style(ink: svc.ink)),
                              (Painter.fit(MiddleCut.fit(svc.name, width: nameWidth), nameWidth), Style(ink: svc.ink)),
                              (" " + Painter.rightAligned(Format.compact(Int64(svc.spans)), countWidth - 1), muted)])
            }
        }
        return lines
    }

    /// The first line shown when the panel starts at `top` with `count` lines in `height` rows:
    /// at most the line that shows the last one on the last row (the top row then says what is above).
    static func clampedTop(_ top: Int, count: Int, height: Int) -> Int {
        guard count > height, height > 1 else { return 0 }
        return min(max(0, top), count - height + 1)
    }

    /// Draws the panel's lines from `s.panelTop` into `rows` × `columns`.
    static func draw(_ state: ExplorerState, _ s: TraceSession, columns p: Range<Int>, rows: Range<Int>,
                     _ screen: inout Screen) {
        let all = lines(s, width: p.count)
        let height = rows.count
        let top = clampedTop(s.panelTop, count: all.count, height: height)
        var y = rows.lowerBound
        var end = rows.upperBound
        let focused = state.panelFocused(s)
        if top > 0 {
            screen.put(" ↑ \(Format.grouped(Int64(top))) more", row: y, column: p.lowerBound, limit: p.count,
                       style: Style(ink: .accent))
            y += 1
        }
        var below = all.count - top - (end - y)
        if below > 0 {
            end -= 1
            below += 1
            // Unfocused, the mark also says how to reach the rest.
            let how = focused ? "" : (state.layout(pane: s.pane).mode == .narrow ? "" : " · Tab")
            screen.put(" ↓ \(Format.grouped(Int64(below))) more" + how, row: end, column: p.lowerBound, limit: p.count,
                       style: Style(ink: .accent))
        }
        if focused && state.layout(pane: s.pane).mode != .narrow && p.lowerBound > 0 {
            // Side by side, the focus shows on the panel's edge.
            for row in rows { screen.put("┃", row: row, column: p.lowerBound - 1, style: Style(ink: .accent)) }
        }
        var i = top
        while y < end, i < all.count {
            Painter.segments(all[i], &screen, row: y, column: p.lowerBound, limit: p.count)
            y += 1
            i += 1
        }
    }
}

extension ExplorerState {
    /// True when the keys that move the selection scroll the side panel instead: it is shown and
    /// has the focus (its tab on a narrow terminal, or `Tab` from the tree when panes sit side by side).
    func panelFocused(_ s: TraceSession) -> Bool {
        s.pane == .panel && layout(pane: s.pane).panelBody != nil
    }

    /// Scrolls the side panel for the line and page keys; false (nothing done) for other actions.
    mutating func scrollPanel(_ action: Action, _ s: inout TraceSession) -> Bool {
        guard let body = layout(pane: s.pane).panelBody else { return false }
        let h = body.height
        let count = SidePanel.lines(s, width: body.columns.count).count
        var top = SidePanel.clampedTop(s.panelTop, count: count, height: h)
        // A page is the rows between the two marks.
        let page = max(1, h - 2)
        switch action {
        case .up: top -= 1
        case .down: top += 1
        case .pageUp: top -= page
        case .pageDown: top += page
        case .halfPageUp: top -= max(1, page / 2)
        case .halfPageDown: top += max(1, page / 2)
        case .top: top = 0
        case .bottom: top = count
        default: return false
        }
        s.panelTop = SidePanel.clampedTop(top, count: count, height: h)
        return true
    }
}
