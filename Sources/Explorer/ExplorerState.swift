import TraceAnalysis
import TraceModel

/// The visible slice of the time axis, in nanoseconds since the epoch.
public struct TimeWindow: Hashable, Sendable {
    /// Left edge.
    public var start: Int64
    /// Right edge (always after `start`).
    public var end: Int64

    /// Creates a window; an empty or inverted range becomes one microsecond wide.
    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end > start ? end : start + 1_000
    }

    /// Width in nanoseconds.
    public var width: Int64 { end - start }
}

/// The panes of the trace view, for layouts too narrow to show them side by side.
public enum Pane: Int, Hashable, Sendable, CaseIterable {
    /// The span tree.
    case tree
    /// The waterfall.
    case waterfall
    /// The side panel.
    case panel

    /// Tab title.
    public var title: String {
        switch self {
        case .tree: return "Tree"
        case .waterfall: return "Waterfall"
        case .panel: return "Totals"
        }
    }
}

/// A search over the open trace.
public struct SearchState: Sendable {
    /// What was searched for.
    public var text: String
    /// Matching spans in depth-first order.
    public var matches: [Int]
    /// The same matches, one bit per span.
    public var isMatch: BitSet
}

/// The open trace: tree rows, selection, scroll, search, zoom.
public struct TraceSession: Sendable {
    /// The trace and its analysis (with adjusted times while `clockSkewAdjusted`).
    public private(set) var insight: TraceInsight
    /// The trace as recorded, kept while the clock-skew adjustment is shown.
    public private(set) var recorded: TraceInsight?
    /// Spans the clock-skew adjustment moved (0 when it is off).
    public private(set) var adjustedSpans = 0
    /// Which spans are expanded and which rows are visible.
    public var rows: TreeRows
    /// The selected span.
    public var selected: Int
    /// The first tree row on screen.
    public var top: Int = 0
    /// The current search, if any.
    public var search: SearchState?
    /// True while the tree shows only search matches and their ancestors.
    public var filtering = false
    /// The visible time range in the waterfall.
    public var window: TimeWindow
    /// Where `c` last landed on the critical path.
    public var criticalCursor: Int?
    /// The pane shown when the terminal is too narrow for all of them; when they sit side by
    /// side, `.panel` gives the side panel the focus (the line keys scroll it).
    public var pane: Pane = .tree
    /// The first line of the side panel on screen.
    public var panelTop = 0
    /// The walk `s`/`S` or `$`/`#` is on, if any.
    public var walk: SpanWalk?

    /// Opens `insight` with the selection on its root.
    public init(insight: TraceInsight) {
        self.insight = insight
        let trace = insight.trace
        // Big traces open a few levels deep so the first screen stays readable.
        rows = TreeRows(trace: trace, expandedBelowDepth: trace.count > 2_000 ? 3 : nil)
        selected = trace.rootIndex ?? (trace.preorder.first.map(Int.init) ?? 0)
        window = TimeWindow(start: trace.startNanos, end: trace.endNanos)
    }

    /// Opens `insight` with these rows, the selection on its root.
    init(insight: TraceInsight, rows: TreeRows) {
        self.insight = insight
        self.rows = rows
        let trace = insight.trace
        selected = trace.rootIndex ?? (trace.preorder.first.map(Int.init) ?? 0)
        window = TimeWindow(start: trace.startNanos, end: trace.endNanos)
    }

    /// The trace.
    public var trace: Trace { insight.trace }

    /// The row of the selection.
    public var selectedRow: Int { rows.row(of: selected, in: trace) ?? 0 }

    /// The whole trace's time range.
    public var fullWindow: TimeWindow { TimeWindow(start: trace.startNanos, end: trace.endNanos) }

    /// True while the times shown are adjusted for clock skew.
    public var clockSkewAdjusted: Bool { recorded != nil }

    /// Shows the trace with clock skew adjusted (`ClockSkew`), or as recorded. Expanded spans,
    /// the selection and the search stay; rows follow the new order of children.
    mutating func setClockSkewAdjusted(_ on: Bool, prices: PriceTable, height: Int) {
        guard on != clockSkewAdjusted else { return }
        if on {
            let adjustment = ClockSkew.adjust(insight.trace)
            let moved = adjustment.adjustedSpans
            recorded = insight
            adjustedSpans = moved.count
            insight = TraceInsight(trace: insight.trace.replacingTimes(start: adjustment.startNanos,
                                                                       end: adjustment.endNanos, adjusted: moved),
                                   prices: prices)
        } else if let original = recorded {
            insight = original
            recorded = nil
            adjustedSpans = 0
        }
        window = fullWindow
        criticalCursor = nil
        // Depth-first positions changed with the child order: rows, filter and matches follow.
        if let text = search?.text {
            let matches = SpanQuery(text).matchingSpans(in: trace)
            var bits = BitSet(count: trace.count)
            for m in matches { bits[m] = true }
            search = SearchState(text: text, matches: matches, isMatch: bits)
        }
        if filtering, let matches = search?.matches, !matches.isEmpty {
            rows.setFilter(matches, in: trace)
        } else {
            filtering = false
            rows.setFilter(nil, in: trace)
        }
        keepSelectionVisible(height: height, center: true)
    }
}

/// A walk through a trace's spans in a ranked order: by self time (`s`) or LLM calls by cost (`$`).
public struct SpanWalk: Hashable, Sendable {
    /// What the walk ranks.
    public enum Kind: Hashable, Sendable {
        /// Every span, longest self time first.
        case selfTime
        /// Every LLM call, costliest first (unpriced last).
        case cost
    }

    /// What is ranked.
    public var kind: Kind
    /// The spans in rank order.
    public var order: [Int]
    /// Where the walk is in `order`.
    public var position: Int
}

/// The view under any overlay. Adding a view is a case here, its reducer (a branch of
/// `ExplorerState.apply`'s switch on `view`), its renderer (a branch of `render`'s) and its
/// key context.
public enum BaseView: Sendable {
    /// The list of traces in the file.
    case list
    /// One open trace: tree, waterfall and side panel.
    case trace(TraceSession)
    /// Two traces compared step by step.
    case compare(CompareSession)
    /// Stats, sessions or LLM calls across the traces shown (see `WorkbenchSession`).
    case workbench(WorkbenchSession)
}

/// What covers the base view and takes the keys first.
public enum Overlay: Sendable {
    /// A scrollable document: details, help, warnings.
    case document(DocumentView)
    /// The search prompt being typed.
    case prompt(PromptState)
}

/// The search prompt: what was typed so far and what submitting it does.
public struct PromptState: Hashable, Sendable {
    /// The text typed so far.
    public var text: String = ""
    /// Whether submitting also turns the filter on.
    public var filters: Bool
}

/// What the explorer shows and remembers: a value, changed only by `update`.
public struct ExplorerState: Sendable {
    /// The file's traces and the reader's warnings (replaced as a whole by live updates).
    public internal(set) var document: TraceDocument
    /// Set when only part of the file could be read: the reader's error, shown as a banner.
    public let problem: String?
    /// Prices for computed costs.
    public let prices: PriceTable
    /// The attribute keys that name a trace's session (a `--session-key` first, then the standard
    /// ones): the list's session column, `session=` in its filter, sessions and stats by session.
    public let sessionKeys: SessionKeys
    /// Statistics per trace, computed once per trace version.
    var statistics: [TraceStatistics]
    /// In live mode: the source's version of each trace, so unchanged traces keep their statistics.
    var traceRevisions: [UInt64] = []
    /// Set in live mode: where spans arrive and what the receiver counted.
    public internal(set) var live: LiveStatus?
    /// Set when the list is a backend's search result: summaries Enter fetches, the request under way.
    public internal(set) var remote: RemoteBrowse?
    /// Terminal size (pages and wrapping depend on it).
    public internal(set) var size: Size
    /// The list of traces (used when the file holds more than one).
    public internal(set) var list: TraceListState
    /// The view under any overlay: the trace list or an open trace.
    public internal(set) var view: BaseView = .list
    /// What covers the view, if anything: a document or the search prompt (keys go to it first).
    public internal(set) var overlay: Overlay?
    /// A one-off message for the status bar, cleared by the next key.
    public internal(set) var message: String?
    /// The user's choice for the side panel; nil until `p` is pressed (then: shown when wide).
    public internal(set) var panelPreference: Bool?
    /// Whether the side panel is shown (as a column when wide, an overlay when not).
    public var panelShown: Bool { panelPreference ?? (size.width >= Layout.wideWidth) }
    /// Set for a large file read through its index: scan progress and the trace being decoded.
    public internal(set) var indexed: IndexedSource?
    /// Set once `quit` was asked for.
    public internal(set) var quitting = false
    /// Whether traces are shown with clock skew adjusted (`a`); kept when another trace is opened.
    public internal(set) var clockSkewAdjustment = false
    /// The workbench a trace was opened from, where Esc in that trace goes back to.
    public internal(set) var workbenchReturn: WorkbenchSession?
    /// The last ticket given to a workbench job (`WorkbenchJob`); answers to older ones are dropped.
    var workbenchTicket = 0
    /// Workbench tables over at most this many spans are worked out inside `update`, larger ones off the UI thread.
    var workbenchInlineSpans = ExplorerState.inlineWorkbenchSpans

    /// Opens `document`: a single trace directly, several as a list (or `traceID` directly when given).
    ///
    /// With `live`, the document is the first view of a live source: the trace list stays up
    /// (even for one trace or none) and `Action.documentUpdated` brings newer versions.
    public init(document: TraceDocument, prices: PriceTable = .standard, size: Size,
                problem: String? = nil, open traceID: TraceID? = nil, live: LiveStatus? = nil,
                sessionKeys: SessionKeys = .standard) {
        self.document = document
        self.problem = problem
        self.prices = prices
        self.sessionKeys = sessionKeys
        self.size = size
        self.live = live
        // One per trace for the trace list; independent, so computed on all cores.
        let traces = document.traces
        let stats = Parallel.map(traces.count) { TraceStatistics(trace: traces[$0], prices: prices) }
        statistics = stats
        let entries = ExplorerState.listEntries(document, stats, sessionKeys: sessionKeys)
        list = TraceListState(entries: entries, order: Array(entries.indices))
        list.refresh()
        if let id = traceID, let i = document.traces.firstIndex(where: { $0.id == id }) {
            openTrace(i)
        } else if document.traces.count == 1 && live == nil {
            openTrace(0)
        }
    }

    /// Replaces the session with trace `i` of the document.
    mutating func openTrace(_ i: Int) {
        open(TraceInsight(trace: document.traces[i], statistics: statistics[i]))
        if let p = list.order.firstIndex(of: i) { list.selected = p }
    }

    /// Shows `insight` as the open trace.
    mutating func open(_ insight: TraceInsight) {
        var opened = TraceSession(insight: insight)
        let height = bodyHeight
        if clockSkewAdjustment { opened.setClockSkewAdjusted(true, prices: prices, height: height) }
        view = .trace(opened)
        workbenchReturn = nil
    }

    /// True when the file holds more than one trace (or the source is live), so Esc can go back to the list.
    public var hasTraceList: Bool {
        live != nil || remote != nil || document.traces.count > 1
            || indexed.map { !$0.done || list.entries.count != 1 } ?? false
    }

    /// Where keys are looked up now: the overlay, else the base view (the one place that
    /// says which comes first; `apply` and `render` switch the same way).
    public var keyContext: KeyContext {
        switch overlay {
        case .prompt?: return .prompt
        case .document?: return .document
        case nil:
            switch view {
            case .list: return .traceList
            case .trace: return .trace
            case .compare: return .compare
            case .workbench: return .workbench
            }
        }
    }

    /// The open trace, nil while the trace list is shown.
    public var session: TraceSession? {
        if case .trace(let s) = view { return s }
        return nil
    }

    /// The comparison, nil unless it is shown.
    public var comparison: CompareSession? {
        if case .compare(let c) = view { return c }
        return nil
    }

    /// The document shown over the view, if any.
    public var documentView: DocumentView? {
        if case .document(let d)? = overlay { return d }
        return nil
    }

    /// The search being typed, nil when the prompt is closed.
    public var prompt: String? {
        if case .prompt(let p)? = overlay { return p.text }
        return nil
    }

    /// The action the key table gives `key` in the current context.
    public func action(for key: Key) -> Action? {
        KeyTable.action(for: key, in: keyContext)
    }
}
