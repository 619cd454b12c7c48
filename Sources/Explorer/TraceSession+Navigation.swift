import TraceAnalysis
import TraceModel

/// Moving around the open trace. Every step costs a binary search or the rows it changes,
/// never a walk over all spans (searching itself is the one exception, once per search).
extension TraceSession {
    /// Selects the span on tree row `row` (clamped).
    mutating func moveSelection(toRow row: Int) {
        guard rows.count > 0 else { return }
        selected = Int(rows.rows[min(max(0, row), rows.count - 1)])
    }

    /// Selects `span`, expanding its ancestors (and dropping the filter when it hides the span).
    mutating func select(_ span: Int) {
        if !rows.isShown(span) {
            filtering = false
            rows.setFilter(nil, in: trace)
        }
        rows.reveal(span, in: trace)
        selected = span
    }

    /// Collapses or expands the selection when it has children.
    mutating func toggleSelected() {
        guard rows.hasShownChildren(selected, in: trace) else { return }
        if rows.isExpanded(selected) {
            rows.collapse(selected, in: trace)
        } else {
            rows.expand(selected, in: trace)
        }
    }

    /// Sets the waterfall's time window, kept inside the trace.
    mutating func setWindow(start: Int64, width: Int64) {
        let full = fullWindow
        if width >= full.width {
            window = full
        } else {
            let lo = min(max(start, full.start), full.end - width)
            window = TimeWindow(start: lo, end: lo + width)
        }
    }

    /// Moves the selection to its nearest visible ancestor when it got hidden, and scrolls a
    /// view `height` rows tall so that it is on screen (to the middle when `center` and it was off screen).
    mutating func keepSelectionVisible(height h: Int, center: Bool) {
        var row = rows.row(of: selected, in: trace)
        var v: Int? = selected
        while row == nil, let x = v {
            v = trace.parent(of: x)
            if let p = v { row = rows.row(of: p, in: trace) }
        }
        if row == nil, let first = rows.rows.first {
            v = Int(first)
            row = 0
        }
        guard let r = row, let sel = v else { return }
        selected = sel
        if r < top || r >= top + h {
            top = center ? r - h / 2 : (r < top ? r : r - h + 1)
        }
        top = min(max(0, top), max(0, rows.count - h))
    }

    /// Runs a search (an empty text clears it), filtering when asked or already filtering, and
    /// selects the first match at or after the selection. Returns the message for the status bar.
    mutating func search(_ text: String, filter: Bool, height: Int) -> String? {
        if text.isEmpty {
            search = nil
            if filtering {
                filtering = false
                rows.setFilter(nil, in: trace)
            }
            keepSelectionVisible(height: height, center: false)
            return nil
        }
        let matches = SpanQuery(text).matchingSpans(in: trace)
        var bits = BitSet(count: trace.count)
        for m in matches { bits[m] = true }
        search = SearchState(text: text, matches: matches, isMatch: bits)
        guard !matches.isEmpty else {
            if filtering {
                filtering = false
                rows.setFilter(nil, in: trace)
            }
            keepSelectionVisible(height: height, center: false)
            return "no match for “\(text)”"
        }
        if filter || filtering {
            filtering = true
            rows.setFilter(matches, in: trace)
        }
        let target = match(after: trace.preorderPosition[selected], including: true, forward: true) ?? matches[0]
        select(target)
        keepSelectionVisible(height: height, center: true)
        return "\(matches.count) match\(matches.count == 1 ? "" : "es") for “\(text)”" + (filtering ? " · filtered" : "")
    }

    /// The first match at or after (`including`) or strictly after a depth-first position, or
    /// the last one before it when going backwards; wraps around.
    func match(after position: Int32, including: Bool, forward: Bool) -> Int? {
        guard let m = search?.matches else { return nil }
        return step(in: m, from: position, including: including, forward: forward).map { m[$0] }
    }

    /// One step through `spans` (in depth-first order) from depth-first `position`: the index of
    /// the first at or after it (`including`) or strictly after it, or of the last one before it
    /// when going backwards; wraps around; nil when `spans` is empty.
    func step(in spans: [Int], from position: Int32, including: Bool, forward: Bool) -> Int? {
        guard !spans.isEmpty else { return nil }
        let order = trace.preorderPosition
        var i = spans.partitioningIndex { order[$0] >= position }
        guard forward else { return i > 0 ? i - 1 : spans.count - 1 }
        if !including, i < spans.count, order[spans[i]] == position { i += 1 }
        return i < spans.count ? i : 0
    }
}
