import TraceModel

/// A fixed-size set of small integers, one bit each.
public struct BitSet: Hashable, Sendable {
    private var words: [UInt64]
    /// Number of bits.
    public let count: Int

    /// A set of `count` bits, all set to `value`.
    public init(count: Int, value: Bool = false) {
        self.count = count
        words = [UInt64](repeating: value ? ~0 : 0, count: (count + 63) / 64)
    }

    /// Whether bit `i` is set.
    @inline(__always)
    public subscript(i: Int) -> Bool {
        get { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        set {
            if newValue { words[i >> 6] |= 1 << UInt64(i & 63) } else { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
        }
    }
}

/// The span tree as rows on screen: which spans are expanded, an optional filter, and the
/// resulting visible rows in depth-first order.
///
/// Every operation costs what it shows or hides (plus a binary search), never the size of
/// the trace: collapsing removes a contiguous block of rows, expanding walks only the newly
/// visible spans and jumps over collapsed subtrees using the trace's subtree sizes.
public struct TreeRows: Sendable {
    /// Expanded flag per span.
    public private(set) var expanded: BitSet
    /// Visible spans, top to bottom, in depth-first order.
    public private(set) var rows: [Int32]
    /// When filtering: the spans shown (matches plus ancestors), as a bit per span.
    public private(set) var filter: BitSet?
    /// When filtering: preorder positions of the shown spans, ascending.
    public private(set) var filterPositions: [Int32]

    /// Rows for `trace`, expanded down to depth `depth` (all levels when nil).
    public init(trace: Trace, expandedBelowDepth depth: Int? = nil) {
        expanded = BitSet(count: trace.count, value: depth == nil)
        rows = []
        filter = nil
        filterPositions = []
        if let d = depth { collapse(toDepth: d, in: trace) } else { rebuild(trace) }
    }

    /// Rows for `trace` with these expanded flags (one per span), no filter.
    public init(trace: Trace, expanded: BitSet) {
        precondition(expanded.count == trace.count, "one expanded flag per span")
        self.expanded = expanded
        rows = []
        filter = nil
        filterPositions = []
        rebuild(trace)
    }

    /// Number of visible rows.
    public var count: Int { rows.count }

    /// The row that shows span `span`, or nil when it is hidden.
    public func row(of span: Int, in trace: Trace) -> Int? {
        let lo = firstRow(atOrAfter: trace.preorderPosition[span], in: trace)
        return lo < rows.count && Int(rows[lo]) == span ? lo : nil
    }

    /// The first row whose span comes at or after preorder position `position`.
    func firstRow(atOrAfter position: Int32, in trace: Trace) -> Int {
        let order = trace.preorderPosition
        return rows.partitioningIndex { order[Int($0)] >= position }
    }

    /// True when span `span` is shown under the current filter (always, without one).
    public func isShown(_ span: Int) -> Bool { filter?[span] ?? true }

    /// True when some shown span lies at preorder positions `from ..< to`.
    func anyShown(from: Int32, to: Int32) -> Bool {
        guard from < to else { return false }
        guard filter != nil else { return true }
        let lo = filterPositions.partitioningIndex { $0 >= from }
        return lo < filterPositions.count && filterPositions[lo] < to
    }

    /// True when span `span` has children that the current filter shows.
    public func hasShownChildren(_ span: Int, in trace: Trace) -> Bool {
        let p = trace.preorderPosition[span]
        return anyShown(from: p + 1, to: p + trace.subtreeSizes[span])
    }

    /// True when a sibling after `span` is shown (decides `├` versus `└`).
    public func hasLaterShownSibling(_ span: Int, in trace: Trace) -> Bool {
        let end = trace.preorderPosition[span] + trace.subtreeSizes[span]
        if let p = trace.parent(of: span) {
            return anyShown(from: end, to: trace.preorderPosition[p] + trace.subtreeSizes[p])
        }
        // Roots: any later root that is shown.
        return anyShown(from: end, to: Int32(trace.count))
    }

    /// Whether span `span` is expanded.
    public func isExpanded(_ span: Int) -> Bool { expanded[span] }

    /// Collapses span `span`, hiding its descendants.
    public mutating func collapse(_ span: Int, in trace: Trace) {
        guard expanded[span] else { return }
        expanded[span] = false
        guard let r = row(of: span, in: trace) else { return }
        let end = firstRow(atOrAfter: trace.preorderPosition[span] + trace.subtreeSizes[span], in: trace)
        if end > r + 1 { rows.removeSubrange(r + 1..<end) }
    }

    /// Expands span `span`, showing its children (and their expanded descendants).
    public mutating func expand(_ span: Int, in trace: Trace) {
        guard !expanded[span] else { return }
        expanded[span] = true
        guard let r = row(of: span, in: trace) else { return }
        let p = Int(trace.preorderPosition[span])
        let added = visible(from: p + 1, to: p + Int(trace.subtreeSizes[span]), in: trace)
        rows.insert(contentsOf: added, at: r + 1)
    }

    /// Expands every ancestor of `span` so that it is visible; false when the filter hides it.
    @discardableResult
    public mutating func reveal(_ span: Int, in trace: Trace) -> Bool {
        guard isShown(span) else { return false }
        var chain: [Int] = []
        var v = trace.parent(of: span)
        while let p = v {
            if !expanded[p] { chain.append(p) }
            v = trace.parent(of: p)
        }
        // Outermost first, so each expansion inserts into rows that are already visible.
        for p in chain.reversed() {
            if row(of: p, in: trace) != nil {
                expand(p, in: trace)
            } else {
                expanded[p] = true
            }
        }
        return row(of: span, in: trace) != nil
    }

    /// Expands every span.
    public mutating func expandAll(in trace: Trace) {
        expanded = BitSet(count: trace.count, value: true)
        rebuild(trace)
    }

    /// Collapses every span, leaving the roots.
    public mutating func collapseAll(in trace: Trace) {
        expanded = BitSet(count: trace.count, value: false)
        rebuild(trace)
    }

    /// Shows `depth` levels below the roots: spans shallower than `depth` are expanded, the rest collapsed.
    public mutating func collapse(toDepth depth: Int, in trace: Trace) {
        var e = BitSet(count: trace.count)
        for i in 0..<trace.count where Int(trace.depths[i]) < depth { e[i] = true }
        expanded = e
        rebuild(trace)
    }

    /// Shows only `spans` and their ancestors (nil: everything). Ancestors are expanded so every shown span is visible.
    public mutating func setFilter(_ spans: [Int]?, in trace: Trace) {
        guard let spans else {
            filter = nil
            filterPositions = []
            rebuild(trace)
            return
        }
        var set = BitSet(count: trace.count)
        var positions: [Int32] = []
        for s in spans {
            var v: Int? = s
            // Stop at the first span already marked: its ancestors are marked too.
            while let x = v, !set[x] {
                set[x] = true
                positions.append(trace.preorderPosition[x])
                if x != s { expanded[x] = true }
                v = trace.parent(of: x)
            }
        }
        positions.sort()
        filter = set
        filterPositions = positions
        rebuild(trace)
    }

    /// Recomputes the rows from the expanded flags and the filter.
    mutating func rebuild(_ trace: Trace) {
        rows = visible(from: 0, to: trace.count, in: trace)
    }

    /// Visible spans among preorder positions `from ..< to`, assuming the span just before `from` is visible and expanded.
    private func visible(from: Int, to: Int, in trace: Trace) -> [Int32] {
        var out: [Int32] = []
        var p = from
        while p < to {
            let s = Int(trace.preorder[p])
            if let f = filter, !f[s] {
                p += Int(trace.subtreeSizes[s])
                continue
            }
            out.append(Int32(s))
            p += expanded[s] ? 1 : Int(trace.subtreeSizes[s])
        }
        return out
    }
}
