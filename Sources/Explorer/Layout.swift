/// A rectangle of cells: rows from `top`, columns from `left`.
struct Rect: Hashable, Sendable {
    /// Screen rows covered.
    var rows: Range<Int>
    /// Screen columns covered.
    var columns: Range<Int>

    /// First row.
    var top: Int { rows.lowerBound }
    /// Number of rows.
    var height: Int { rows.count }
}

/// Where every part of the screen goes for a terminal size: the one place that knows the
/// geometry, read by `render` to draw and by `update` to size pages and scroll.
///
/// Wide terminals show tree, waterfall and side panel side by side; medium ones show tree and
/// waterfall with the panel as an overlay over the waterfall; narrow ones show one pane at a
/// time with tabs. Row 0 is the title, row 1 the column headings (or tabs), the last row the
/// status bar, and the rows between are the body.
struct Layout {
    /// At least this wide: the side panel is a column.
    static let wideWidth = 110
    /// Narrower than this: one pane at a time.
    static let narrowWidth = 60
    /// Smaller than this, only a short note is drawn.
    static let minimum = Size(width: 16, height: 4)

    enum Mode { case wide, medium, narrow }

    let size: Size
    let mode: Mode
    /// Columns of each pane; nil when not shown.
    let tree: Range<Int>?
    let waterfall: Range<Int>?
    let panel: Range<Int>?
    /// Where separators are drawn.
    let separators: [Int]

    /// First body row.
    var bodyTop: Int { 2 }
    /// Rows in the body.
    var bodyHeight: Int { max(0, size.height - 3) }
    /// True when the terminal is too small for anything but a note.
    var tooSmall: Bool { size.width < Layout.minimum.width || size.height < Layout.minimum.height }

    init(size: Size, panelShown: Bool, pane: Pane) {
        self.size = size
        let w = size.width
        if w >= Layout.wideWidth {
            mode = .wide
            let panelWidth = panelShown ? min(44, max(30, w * 28 / 100)) : 0
            let rest = w - panelWidth - (panelShown ? 1 : 0)
            // The tree gets room for its token and cost columns as long as the waterfall keeps 20 cells.
            let treeWidth = min(90, max(rest * 60 / 100, min(48, rest - 21)))
            tree = 0..<treeWidth
            waterfall = (treeWidth + 1)..<rest
            panel = panelShown ? (rest + 1)..<w : nil
            separators = panelShown ? [treeWidth, rest] : [treeWidth]
        } else if w >= Layout.narrowWidth {
            mode = .medium
            let treeWidth = max(w * 60 / 100, min(48, w - 21))
            tree = 0..<treeWidth
            waterfall = (treeWidth + 1)..<w
            panel = panelShown ? (treeWidth + 1)..<w : nil
            separators = [treeWidth]
        } else {
            mode = .narrow
            tree = pane == .tree ? 0..<w : nil
            waterfall = pane == .waterfall ? 0..<w : nil
            panel = pane == .panel ? 0..<w : nil
            separators = []
        }
    }

    /// True when the panel covers the waterfall instead of sitting beside it.
    var panelIsOverlay: Bool { mode == .medium && panel != nil }

    /// The body rows (between the headings and the status bar).
    var bodyRows: Range<Int> { bodyTop..<(bodyTop + bodyHeight) }

    /// The tree's rows, one span each; nil when the tree is not shown.
    var treeBody: Rect? { tree.map { Rect(rows: bodyRows, columns: $0) } }

    /// The waterfall's bars, one span each; nil when not shown (or covered by the panel). Alone
    /// on a narrow screen its axis takes the first body row, since the tabs take the headings' row.
    var waterfallBody: Rect? {
        guard let w = waterfall, !panelIsOverlay else { return nil }
        guard mode == .narrow else { return Rect(rows: bodyRows, columns: w) }
        return Rect(rows: min(bodyTop + 1, bodyRows.upperBound)..<bodyRows.upperBound, columns: w)
    }

    /// The row of the waterfall's time axis.
    var waterfallAxisRow: Int { mode == .narrow ? bodyTop : 1 }

    /// The side panel; as an overlay it also covers the headings' row.
    var panelBody: Rect? {
        panel.map { Rect(rows: (mode == .narrow ? bodyTop : 1)..<bodyRows.upperBound, columns: $0) }
    }

    /// The rows the trace view scrolls by: those of the tree, or of the waterfall when it is alone.
    var traceBody: Rect { waterfall != nil && mode == .narrow ? waterfallBody! : Rect(rows: bodyRows, columns: 0..<size.width) }

    /// The body of list-like views (the comparison's steps).
    var listBody: Rect { Rect(rows: bodyRows, columns: 0..<size.width) }

    /// The trace list's totals row, under the column headings.
    var listTotalsRow: Int { bodyTop }

    /// The trace list's entries, under its totals row.
    var traceListBody: Rect { Rect(rows: min(bodyTop + 1, bodyRows.upperBound)..<bodyRows.upperBound, columns: 0..<size.width) }

    /// A document's text, under its title row.
    var documentBody: Rect { Rect(rows: 1..<max(1, size.height - 1), columns: 0..<size.width) }

    /// The status bar's row.
    var statusRow: Int { size.height - 1 }

    /// The pane tabs of a narrow layout, on the headings' row: ` Tree `, ` Waterfall `,
    /// ` Totals `, one cell apart (drawn by `Painter.tabs`, hit by clicks).
    static var tabs: [(pane: Pane, columns: Range<Int>)] {
        var out: [(pane: Pane, columns: Range<Int>)] = []
        var x = 0
        for p in Pane.allCases {
            let w = p.title.count + 2
            out.append((p, x..<(x + w)))
            x += w + 1
        }
        return out
    }
}
