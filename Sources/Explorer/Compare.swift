import TraceAnalysis
import TraceModel
import TerminalText

/// What the comparison's rows are ordered by.
public enum CompareSort: Int, Hashable, Sendable, CaseIterable {
    /// The aligned tree, depth first.
    case tree
    /// Change in duration.
    case time
    /// Change in cost.
    case cost
    /// Change in tokens.
    case tokens

    /// Word for the title bar.
    public var title: String {
        switch self {
        case .tree: return "tree"
        case .time: return "Δ time"
        case .cost: return "Δ cost"
        case .tokens: return "Δ tokens"
        }
    }
}

/// Two traces of the document compared step by step (`m` on one, `c` on the other in the list).
public struct CompareSession: Sendable {
    /// The alignment.
    public let diff: TraceDiff
    /// Document positions of A and B.
    public let traces: (a: Int, b: Int)
    /// Step indices in display order.
    public private(set) var order: [Int]
    /// Selected position in `order`.
    public var selected = 0
    /// First position on screen.
    public var top = 0
    /// Sort column.
    public private(set) var sort: CompareSort = .tree
    /// Largest change first (for the delta columns); tree order ignores it.
    public private(set) var descending = true

    /// Compares trace `a` with trace `b` of `document`.
    public init(document: TraceDocument, a: Int, b: Int, statisticsA: TraceStatistics, statisticsB: TraceStatistics) {
        diff = TraceDiff(a: document.traces[a], statisticsA: statisticsA, b: document.traces[b], statisticsB: statisticsB)
        traces = (a, b)
        order = Array(diff.steps.indices)
    }

    /// The selected step, if there is any.
    public var selectedStep: Int? { selected < order.count ? order[selected] : nil }

    /// The change of `step` in the sort's measure (B minus A; a missing side counts as zero).
    public func delta(_ step: Int, _ sort: CompareSort) -> Double {
        let a = diff.sideA(step), b = diff.sideB(step)
        switch sort {
        case .tree: return 0
        case .time: return Double((b?.durationNanos ?? 0) &- (a?.durationNanos ?? 0))
        case .cost: return (b?.costUSD ?? 0) - (a?.costUSD ?? 0)
        case .tokens: return Double((b?.totalTokens ?? 0) &- (a?.totalTokens ?? 0))
        }
    }

    /// Orders rows by the next column, keeping the selected step selected.
    mutating func cycleSort() { setSort(CompareSort(rawValue: (sort.rawValue + 1) % CompareSort.allCases.count) ?? .tree, descending) }

    /// Reverses the order of the delta columns.
    mutating func reverse() { setSort(sort, !descending) }

    private mutating func setSort(_ newSort: CompareSort, _ down: Bool) {
        let keep = selectedStep
        sort = newSort
        descending = down
        if newSort == .tree {
            order = Array(diff.steps.indices)
        } else {
            let keys = diff.steps.indices.map { delta($0, newSort) }
            order = diff.steps.indices.sorted { x, y in
                keys[x] != keys[y] ? (down ? keys[x] > keys[y] : keys[x] < keys[y]) : x < y
            }
        }
        selected = keep.flatMap { order.firstIndex(of: $0) } ?? 0
    }

    /// Moves to the next step that is not the same in both runs; false when there is none after the selection.
    mutating func nextDifference() -> Bool {
        guard !order.isEmpty else { return false }
        for k in 1...order.count {
            let p = (selected + k) % order.count
            if diff.steps[order[p]].status != .same {
                selected = p
                return true
            }
        }
        return false
    }

    /// Keeps `selected` within the rows and on screen for `height` rows.
    mutating func clamp(height: Int) {
        selected = min(max(0, selected), max(0, order.count - 1))
        if selected < top { top = selected }
        if selected >= top + height { top = selected - height + 1 }
        top = min(max(0, top), max(0, order.count - height))
    }

    /// The document Enter opens on a step: both sides, and for LLM calls both calls with the
    /// differences spelled out and line diffs of prompt and answer.
    func stepDocument(_ step: Int, width: Int) -> DocumentView {
        var blocks: [DocumentBlock] = []
        let s = diff.steps[step]
        let label = 12
        blocks.append(.heading(diff.path(of: step)))
        var status = s.status.rawValue
        if !s.changes.isEmpty { status += ": " + s.changes.names.joined(separator: ", ") }
        blocks.append(DocumentBlock(status, style: Style(ink: Compare.ink(s.status)), label: "status", labelWidth: label))
        blocks.append(.blank)
        for (title, side, trace) in [("A", diff.sideA(step), diff.a), ("B", diff.sideB(step), diff.b)] {
            blocks.append(.heading(title + " · trace " + trace.id.description))
            guard let side else {
                blocks.append(DocumentBlock("not in this run", style: Style(ink: .muted), indent: 2))
                blocks.append(.blank)
                continue
            }
            blocks.append(DocumentBlock(side.name, label: "span", labelWidth: label, indent: 2))
            blocks.append(DocumentBlock(Format.duration(side.durationNanos) + " (self " + Format.duration(side.selfNanos) + ")",
                                        label: "duration", labelWidth: label, indent: 2))
            blocks.append(DocumentBlock(side.isError ? "error " + trace.spans[side.span].status.message : "ok",
                                        style: Style(ink: side.isError ? .error : .good), label: "status", labelWidth: label, indent: 2))
            if let call = side.llm {
                blocks.append(DocumentBlock((call.model ?? "?"), style: Style(ink: .llm), label: "model", labelWidth: label, indent: 2))
                let params = LLMCallComparison.parameterText(call).joined(separator: " ")
                if !params.isEmpty { blocks.append(DocumentBlock(params, label: "parameters", labelWidth: label, indent: 2)) }
                if !call.finishReasons.isEmpty {
                    blocks.append(DocumentBlock(call.finishReasons.joined(separator: ", "), label: "finish", labelWidth: label, indent: 2))
                }
                blocks.append(DocumentBlock(Format.grouped(call.promptTokens ?? 0) + " in / " + Format.grouped(call.completionTokens ?? 0)
                                            + " out · " + (side.costUSD.map(Format.usd) ?? "unpriced"),
                                            label: "tokens", labelWidth: label, indent: 2))
            }
            blocks.append(.blank)
        }
        if let cmp = diff.llmComparison(of: step) {
            for (title, lines) in [("prompt", cmp.promptDiff()), ("answer", cmp.answerDiff())] {
                blocks.append(.heading(title + (lines.isEmpty ? ": the same" : ": A → B")))
                for line in lines {
                    let ink: Ink = line.hasPrefix("@@") ? .muted : line.hasPrefix("-") ? .error : line.hasPrefix("+") ? .good : .normal
                    blocks.append(DocumentBlock(line, style: Style(ink: ink), indent: 2))
                }
                blocks.append(.blank)
            }
        }
        return DocumentView(kind: .comparison(step), title: "compare · " + diff.name(of: step), blocks: blocks, width: width)
    }
}

/// Drawing of the comparison view.
enum Compare {
    /// The ink a status is drawn in.
    static func ink(_ status: DiffStatus) -> Ink {
        switch status {
        case .same: return .normal
        case .changed: return .warning
        case .added: return .good
        case .removed: return .error
        }
    }

    static func mark(_ status: DiffStatus) -> String {
        switch status {
        case .same: return " "
        case .changed: return "~"
        case .added: return "+"
        case .removed: return "-"
        }
    }

    static func signed(_ d: Int64, _ format: (Int64) -> String) -> String { d == 0 ? "" : (d < 0 ? "-" : "+") + format(Int64(d.magnitude)) }

    /// Title, headings and rows. Wide terminals show the two trees side by side; narrower ones one
    /// tree with `A│B` duration columns.
    static func draw(_ state: ExplorerState, _ c: CompareSession, _ layout: Layout, _ screen: inout Screen) {
        let w = screen.width
        let counts = c.diff.counts
        var segs: [Segment] = [("compare ", Painter.title), ("A ", Style(ink: .accent)),
                               (c.diff.a.rootName.isEmpty ? "(empty)" : c.diff.a.rootName, .plain),
                               (" " + Format.duration(c.diff.a.durationNanos) + "  ", Painter.muted),
                               ("B ", Style(ink: .accent)), (c.diff.b.rootName.isEmpty ? "(empty)" : c.diff.b.rootName, .plain),
                               (" " + Format.duration(c.diff.b.durationNanos), Painter.muted)]
        segs.append(("  ~\(counts[.changed] ?? 0)", Style(ink: .warning)))
        segs.append((" +\(counts[.added] ?? 0)", Style(ink: .good)))
        segs.append((" -\(counts[.removed] ?? 0)", Style(ink: .error)))
        segs.append(("  sorted by \(c.sort.title)" + (c.sort == .tree ? "" : (c.descending ? " ↓" : " ↑")), Painter.muted))
        Painter.segments(segs, &screen, row: 0, column: 0, limit: w)

        let sideBySide = w >= 100
        let timeWidth = 8, deltaWidth = 9, costWidth = w >= 60 ? 10 : 0
        let deltas = deltaWidth + 1 + (costWidth > 0 ? costWidth + 1 : 0)
        // Columns: [mark][tree A | durA] [│] [tree B | durB] [Δ time][Δ cost], or one tree with A│B.
        let treeWidth: Int
        if sideBySide {
            treeWidth = max(10, (w - 2 - deltas - 2 * (timeWidth + 1) - 1) / 2)
        } else {
            treeWidth = max(8, w - 2 - deltas - (2 * timeWidth + 1) - 1)
        }
        let header = Style(ink: .muted)
        func headingStyle(_ sort: CompareSort) -> Style {
            sort == c.sort ? Style(ink: .accent, attributes: [.bold, .underline]) : header
        }
        var x = 2
        screen.put(sideBySide ? "A" : "step", row: 1, column: x, limit: treeWidth, style: headingStyle(.tree))
        x += treeWidth
        if sideBySide {
            screen.putRight("time", row: 1, endColumn: x + 1 + timeWidth, limit: timeWidth, style: header)
            x += timeWidth + 1
            screen.put("│", row: 1, column: x, style: header)
            x += 1
            screen.put("B", row: 1, column: x + 1, limit: treeWidth, style: header)
            x += treeWidth
            screen.putRight("time", row: 1, endColumn: x + 1 + timeWidth, limit: timeWidth, style: header)
            x += timeWidth + 1
        } else {
            screen.putRight("A", row: 1, endColumn: x + 1 + timeWidth, limit: timeWidth, style: header)
            screen.put("│B", row: 1, column: x + 1 + timeWidth, style: header)
            x += 2 * timeWidth + 2
        }
        screen.putRight("Δ time", row: 1, endColumn: x + deltaWidth, limit: deltaWidth, style: headingStyle(.time))
        x += deltaWidth + 1
        if costWidth > 0 { screen.putRight("Δ cost", row: 1, endColumn: x + costWidth, limit: costWidth, style: headingStyle(.cost)) }

        let body = layout.listBody
        for i in 0..<body.height {
            let p = c.top + i
            guard p < c.order.count else { break }
            let step = c.order[p]
            row(c, step: step, selected: p == c.selected, y: body.top + i, sideBySide: sideBySide, treeWidth: treeWidth,
                timeWidth: timeWidth, deltaWidth: deltaWidth, costWidth: costWidth, &screen)
        }
        if c.order.isEmpty {
            screen.put(" both traces are empty", row: body.top, column: 0, style: Style(ink: .warning))
        }
    }

    static func row(_ c: CompareSession, step: Int, selected: Bool, y: Int, sideBySide: Bool, treeWidth: Int,
                    timeWidth: Int, deltaWidth: Int, costWidth: Int, _ screen: inout Screen) {
        let s = c.diff.steps[step]
        let a = c.diff.sideA(step), b = c.diff.sideB(step)
        let paper: Paper = selected ? .selection : .normal
        if selected { screen.fill(row: y, column: 0, width: screen.width, height: 1, style: Style(paper: .selection)) }
        let statusStyle = Style(ink: ink(s.status), paper: paper, attributes: s.status == .same ? [] : [.bold])
        screen.put(mark(s.status), row: y, column: 0, style: statusStyle)
        let indent = c.sort == .tree ? String(repeating: " ", count: min(Int(s.depth), 12)) : ""
        func label(_ side: StepSide?) -> String {
            guard let side else { return "" }
            let name = s.occurrence > 0 ? "\(side.name)[\(s.occurrence)]" : side.name
            return indent + name
        }
        func nameStyle(_ side: StepSide?) -> Style {
            guard let side else { return Style(paper: paper) }
            if side.isError { return Style(ink: .error, paper: paper) }
            if s.status == .added || s.status == .removed { return Style(ink: ink(s.status), paper: paper) }
            return Style(ink: side.llm != nil ? .llm : .normal, paper: paper)
        }
        let time = Style(ink: .muted, paper: paper)
        var x = 2
        if sideBySide {
            screen.put(label(a), row: y, column: x, limit: treeWidth - 1, style: nameStyle(a), ellipsis: true)
            x += treeWidth
            screen.putRight(a.map { Format.duration($0.durationNanos) } ?? "", row: y, endColumn: x + 1 + timeWidth, limit: timeWidth, style: time)
            x += timeWidth + 1
            screen.put("│", row: y, column: x, style: Style(ink: .muted, paper: paper))
            x += 1
            screen.put(label(b), row: y, column: x + 1, limit: treeWidth - 1, style: nameStyle(b), ellipsis: true)
            x += treeWidth
            screen.putRight(b.map { Format.duration($0.durationNanos) } ?? "", row: y, endColumn: x + 1 + timeWidth, limit: timeWidth, style: time)
            x += timeWidth + 1
        } else {
            screen.put(label(b ?? a), row: y, column: x, limit: treeWidth - 1, style: nameStyle(b ?? a), ellipsis: true)
            x += treeWidth
            // A right-aligned against the bar, B left-aligned after it, so the bars form one column.
            screen.putRight(a.map { Format.duration($0.durationNanos) } ?? "—", row: y, endColumn: x + 1 + timeWidth,
                            limit: timeWidth, style: time)
            screen.put("│", row: y, column: x + 1 + timeWidth, style: Style(ink: .muted, paper: paper))
            screen.put(b.map { Format.duration($0.durationNanos) } ?? "—", row: y, column: x + 2 + timeWidth, limit: timeWidth, style: time)
            x += 2 * timeWidth + 2
        }
        let dt = (b?.durationNanos ?? 0) &- (a?.durationNanos ?? 0)
        // Timing noise under the threshold is not a change: only steps that changed show their time delta.
        let showTime = s.status != .same && dt != 0
        screen.putRight(showTime ? signed(dt, Format.duration) : "", row: y, endColumn: x + deltaWidth, limit: deltaWidth,
                        style: Style(ink: dt > 0 ? .error : .good, paper: paper))
        x += deltaWidth + 1
        if costWidth > 0 {
            let dc = (b?.costUSD ?? 0) - (a?.costUSD ?? 0)
            let text = abs(dc) < 1e-12 ? "" : (dc < 0 ? "-" : "+") + Format.usd(abs(dc))
            screen.putRight(text, row: y, endColumn: x + costWidth, limit: costWidth, style: Style(ink: dc > 0 ? .error : .good, paper: paper))
        }
    }
}
