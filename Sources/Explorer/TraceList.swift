import TraceAnalysis
import TraceModel
import TerminalText

// The trace list as a table: its rows are plain values (`TraceListEntry`), one per trace
// summary, so a loader can feed them in as traces become known; `refresh` works out what is
// shown, in which order, the totals of it and the width of every column.

/// One line of the trace list.
public struct TraceListEntry: Sendable {
    /// Index into the document's traces (for an indexed file: into the list's entries).
    public var index: Int
    /// The trace id.
    public var id: TraceID
    /// Root span name.
    public var rootName: String
    /// Root span service.
    public var service: String
    /// Start of the trace.
    public var startNanos: Int64
    /// Duration.
    public var durationNanos: Int64
    /// Number of spans.
    public var spans: Int
    /// Spans with errors.
    public var errors: Int
    /// Tokens over all LLM calls.
    public var tokens: Int64
    /// Cost in USD over the priced calls.
    public var costUSD: Double
    /// LLM calls without a price.
    public var unpriced: Int
    /// LLM calls.
    public var llmCalls: Int = 0
    /// The models the calls used, costliest first (`UsageTotals.byModel` order).
    public var models: [String] = []
    /// The session (conversation) the trace belongs to, when it names one.
    public var sessionID: String?
    /// The files the trace was read from (empty when not recorded).
    public var sources: [String] = []

    /// A row from values already known (a loader that summarises traces without decoding them).
    public init(index: Int, id: TraceID, rootName: String, service: String, startNanos: Int64, durationNanos: Int64,
                spans: Int, errors: Int, tokens: Int64, costUSD: Double, unpriced: Int, llmCalls: Int = 0,
                models: [String] = [], sessionID: String? = nil, sources: [String] = []) {
        self.index = index
        self.id = id
        self.rootName = rootName
        self.service = service
        self.startNanos = startNanos
        self.durationNanos = durationNanos
        self.spans = spans
        self.errors = errors
        self.tokens = tokens
        self.costUSD = costUSD
        self.unpriced = unpriced
        self.llmCalls = llmCalls
        self.models = models
        self.sessionID = sessionID
        self.sources = sources
    }
}

/// Columns the trace list sorts by.
public enum TraceSort: Int, Hashable, Sendable, CaseIterable {
    case start, duration, spans, errors, calls, tokens, cost, name, model, session

    /// Column title.
    public var title: String {
        switch self {
        case .start: return "start"
        case .duration: return "duration"
        case .spans: return "spans"
        case .errors: return "errors"
        case .tokens: return "tokens"
        case .calls: return "calls"
        case .cost: return "cost"
        case .name: return "name"
        case .model: return "model"
        case .session: return "session"
        }
    }
}

/// The trace list: entries, order, selection.
public struct TraceListState: Sendable {
    /// One entry per trace, in document order.
    public var entries: [TraceListEntry]
    /// Entry indices in display order.
    public var order: [Int]
    /// Sort column.
    public var sort: TraceSort = .start
    /// Descending instead of ascending.
    public var descending = false
    /// Selected position in `order`.
    public var selected = 0
    /// First position on screen.
    public var top = 0
    /// The query the list is filtered by ("" shows every trace).
    public var query = ""
    /// Per-trace facts for queries, worked out at the first filter (nil until then).
    var facts: [TraceFacts]?
    /// Entries the query matches, one flag per entry (nil: no filter).
    var matching: [Bool]?
    /// The trace marked with `m` for a comparison, by id (live updates may move it in the list).
    public var marked: TraceID?
    /// Totals over the shown entries (worked out by `refresh`).
    public internal(set) var totals = TraceListTotals()
    /// Widest value per column over the shown entries (worked out by `refresh`).
    var measure = TraceListMeasure()
    /// True when the traces came from more than one file (the status bar then names each one's).
    public internal(set) var severalFiles = false
}

extension TraceListEntry {
    /// A row for trace `index`: one value per column, from the trace's statistics.
    public init(index: Int, trace t: Trace, statistics: TraceStatistics, sources: [String] = [],
                sessionKeys: SessionKeys = .standard) {
        let totals = statistics.trace
        self.init(index: index, id: t.id, rootName: t.rootName, service: t.rootIndex.map { t.spans[$0].service } ?? "",
                  startNanos: t.startNanos, durationNanos: t.durationNanos, spans: t.count,
                  errors: totals.errorCount, tokens: totals.totalTokens, costUSD: totals.costUSD,
                  unpriced: totals.unpricedCalls, llmCalls: totals.llmCalls, models: totals.modelsUsed,
                  sessionID: sessionKeys.sessionID(of: t), sources: sources)
    }
}

extension TraceSort {
    /// Numbers and times sort largest (latest) first when chosen; names alphabetically.
    public var descendingFirst: Bool {
        switch self {
        case .name, .model, .session: return false
        default: return true
        }
    }

    /// What the order puts first, for the status line: `longest first`, `A to Z`.
    func directionWords(descending: Bool) -> String {
        switch self {
        case .start: return descending ? "latest first" : "earliest first"
        case .duration: return descending ? "longest first" : "shortest first"
        case .cost: return descending ? "costliest first" : "cheapest first"
        case .name, .model, .session: return descending ? "Z to A" : "A to Z"
        default: return descending ? "most first" : "fewest first"
        }
    }
}

/// Totals over the traces the list shows (after its filter): the list's totals row.
public struct TraceListTotals: Hashable, Sendable {
    /// Traces shown.
    public var traces = 0
    /// Spans over them.
    public var spans = 0
    /// Spans with errors over them.
    public var errors = 0
    /// LLM calls over them.
    public var llmCalls = 0
    /// Tokens over them (saturating).
    public var tokens: Int64 = 0
    /// USD over their priced calls.
    public var costUSD = 0.0
    /// Calls without a price over them.
    public var unpriced = 0
    /// Median trace duration, ns (linear interpolation, numpy's default); nil for no traces.
    public var p50Nanos: Double?
    /// 95th percentile of trace duration, ns; nil for no traces.
    public var p95Nanos: Double?

    /// Creates empty totals.
    public init() {}

    /// Totals of `entries` at positions `shown`.
    init(_ entries: [TraceListEntry], shown: [Int]) {
        var durations: [Int64] = []
        durations.reserveCapacity(shown.count)
        for i in shown {
            let e = entries[i]
            traces += 1
            spans += e.spans
            errors += e.errors
            llmCalls += e.llmCalls
            let (t, overflow) = tokens.addingReportingOverflow(e.tokens)
            tokens = overflow ? .max : t
            costUSD += e.costUSD
            unpriced += e.unpriced
            durations.append(e.durationNanos)
        }
        guard !durations.isEmpty else { return }
        // The one percentile helper, so the list agrees with `spanscope stats` and with numpy; by
        // selection, not a full sort, because an index scan recomputes the totals on every batch.
        let percentiles = Percentiles(selecting: &durations)
        p50Nanos = percentiles.p50
        p95Nanos = percentiles.p95
    }
}

/// Columns of the trace list, in screen order.
enum ListColumn: Int, CaseIterable, Hashable, Sendable {
    case name, service, model, session, start, duration, spans, errors, calls, tokens, cost

    /// Heading.
    var title: String {
        switch self {
        case .name: return "name"
        case .service: return "service"
        case .model: return "model"
        case .session: return "session"
        case .start: return "start"
        case .duration: return "duration"
        case .spans: return "spans"
        case .errors: return "errors"
        case .calls: return "calls"
        case .tokens: return "tokens"
        case .cost: return "cost"
        }
    }

    /// The sort this column's heading stands for.
    var sort: TraceSort? {
        switch self {
        case .name: return .name
        case .service: return nil
        case .model: return .model
        case .session: return .session
        case .start: return .start
        case .duration: return .duration
        case .spans: return .spans
        case .errors: return .errors
        case .calls: return .calls
        case .tokens: return .tokens
        case .cost: return .cost
        }
    }

    /// Names and ids: cut in the middle when they do not fit. Numbers are never cut.
    var isText: Bool { rawValue <= ListColumn.session.rawValue }

    /// At most this wide before the name column has what it needs (text columns only).
    var cap: Int {
        switch self {
        case .service: return 16
        case .model: return 24
        case .session: return 18
        default: return .max
        }
    }

    /// Columns in the order they are kept as the terminal narrows. The name is always kept; at
    /// its place here it grows from its minimum to its usual width (`TraceListTable.nameUsual`).
    static let priority: [ListColumn] = [.duration, .cost, .errors, .tokens, .calls, .start, .name, .model, .session,
                                         .spans, .service]

    /// The cell of `e` in this column, with its style.
    func cell(_ e: TraceListEntry, wideStart: Bool) -> (text: String, style: Style) {
        let muted = Style(ink: .muted)
        switch self {
        case .name: return (e.rootName.isEmpty ? "(no root)" : e.rootName, e.errors > 0 ? Style(ink: .error) : .plain)
        case .service: return (e.service, muted)
        case .model: return (ListColumn.models(e.models), Style(ink: .llm))
        case .session: return (e.sessionID ?? "", muted)
        case .start:
            let ts = Format.timestamp(e.startNanos, millis: false)
            return (wideStart ? String(ts.dropLast()) : String(ts.dropFirst(11).dropLast()), muted)
        case .duration: return (Format.duration(e.durationNanos), .plain)
        // A backend's summary may not count its spans.
        case .spans: return e.spans == 0 ? ("?", muted) : (Format.grouped(Int64(e.spans)), .plain)
        case .errors: return e.errors == 0 ? ("–", muted) : (Format.grouped(Int64(e.errors)), Style(ink: .error))
        case .calls: return e.llmCalls == 0 ? ("–", muted) : (Format.grouped(Int64(e.llmCalls)), .plain)
        case .tokens: return e.tokens == 0 ? ("–", muted) : (Format.compact(e.tokens), .plain)
        case .cost:
            return (ListColumn.cost(e.costUSD, unpriced: e.unpriced, calls: e.llmCalls), Style(ink: e.unpriced > 0 ? .warning : .llm))
        }
    }

    /// The totals row's value in this column; nil where a sum means nothing (times, names).
    func total(_ t: TraceListTotals) -> (text: String, style: Style)? {
        let bold = Style(attributes: [.bold])
        // Zero as the rows write it.
        let none = ("–", Style(ink: .muted))
        switch self {
        case .spans: return (Format.grouped(Int64(t.spans)), bold)
        case .errors: return t.errors == 0 ? none : (Format.grouped(Int64(t.errors)), Style(ink: .error, attributes: [.bold]))
        case .calls: return t.llmCalls == 0 ? none : (Format.grouped(Int64(t.llmCalls)), bold)
        case .tokens: return t.tokens == 0 ? none : (Format.compact(t.tokens), bold)
        case .cost:
            return (ListColumn.cost(t.costUSD, unpriced: t.unpriced, calls: t.llmCalls),
                    Style(ink: t.unpriced > 0 ? .warning : .llm, attributes: [.bold]))
        default: return nil
        }
    }

    /// A cost in `Format.usd`'s form; `+?` when some calls have no price, `$?` when none has, `–` without calls.
    static func cost(_ usd: Double, unpriced: Int, calls: Int) -> String {
        if calls == 0 && usd == 0 { return "–" }
        if unpriced > 0 { return usd == 0 && unpriced >= calls ? "$?" : Format.usd(usd) + "+?" }
        return Format.usd(usd)
    }

    /// The first model and how many more: `gpt-4o-mini +2`.
    static func models(_ models: [String]) -> String {
        guard let first = models.first else { return "" }
        return models.count == 1 ? first : first + " +\(models.count - 1)"
    }
}

/// The widest value of each column over the shown entries and their totals, in cells.
struct TraceListMeasure: Hashable, Sendable {
    /// Widest cell per column (`ListColumn.rawValue`); 0 where no shown entry has a value.
    var widths = [Int](repeating: 0, count: ListColumn.allCases.count)

    /// The name width nine in ten shown names fit in: one long name does not widen the column.
    var usualName = 0

    /// Shown names by width (`nameCounts[w]` names are `w` cells wide), for `usualName`.
    var nameCounts: [Int] = []

    /// Widest value of `column`.
    subscript(column: ListColumn) -> Int { widths[column.rawValue] }

    init() {}

    /// Measures the entries at `shown` and `totals`.
    init(_ entries: [TraceListEntry], shown: [Int], totals: TraceListTotals) {
        for i in shown { add(entries[i]) }
        finish(totals)
    }

    /// Widens the columns to `added` (entries now shown) and takes `removed` (entries no longer
    /// shown as they were) out of the name widths: the cost of the rows that changed, not of the
    /// list. Columns never narrow here (a full measure does that), so a list that grows while a
    /// file is read keeps its columns steady.
    mutating func merge(removed: [TraceListEntry], added: [TraceListEntry], totals: TraceListTotals) {
        for e in removed {
            let w = Self.width(of: .name, e)
            if w < nameCounts.count, nameCounts[w] > 0 { nameCounts[w] -= 1 }
        }
        for e in added { add(e) }
        finish(totals)
    }

    private mutating func add(_ e: TraceListEntry) {
        for c in ListColumn.allCases where c != .start {
            let w = Self.width(of: c, e)
            if w > widths[c.rawValue] { widths[c.rawValue] = w }
            if c == .name {
                if w >= nameCounts.count { nameCounts += [Int](repeating: 0, count: w + 1 - nameCounts.count) }
                nameCounts[w] += 1
            }
        }
    }

    /// Cells `e` takes in column `c`.
    private static func width(of c: ListColumn, _ e: TraceListEntry) -> Int {
        var text = c.cell(e, wideStart: false).text
        // A name can be megabytes long: past this it is cut in the middle anyway.
        if c.isText && text.utf8.count > 256 { text = String(text.prefix(256)) }
        return CellWidth.of(c.isText ? terminalSafe(text) : text)
    }

    /// The usual name width (the nine-in-ten one, as the names sorted would give it) and the totals row's widths.
    private mutating func finish(_ totals: TraceListTotals) {
        let count = nameCounts.reduce(0, +)
        usualName = 0
        if count > 0 {
            let wanted = (count - 1) * 9 / 10
            var below = 0
            for (w, n) in nameCounts.enumerated() where n > 0 {
                below += n
                if below > wanted {
                    usualName = w
                    break
                }
            }
        }
        for c in ListColumn.allCases {
            if let t = c.total(totals) { widths[c.rawValue] = max(widths[c.rawValue], CellWidth.of(t.text)) }
        }
    }
}

extension TraceListState {
    /// Works out again which entries are shown and in what order, their totals and the width of
    /// every column: after the entries or the filter changed.
    public mutating func refresh() {
        resort()
        refreshTotals()
    }

    /// Works out again the totals and column widths of the shown entries (their order kept).
    mutating func refreshTotals() {
        totals = TraceListTotals(entries, shown: order)
        measure = TraceListMeasure(entries, shown: order, totals: totals)
        severalFiles = false
        var seen: String? = nil
        outer: for e in entries {
            for file in e.sources {
                if seen == nil {
                    seen = file
                } else if file != seen {
                    severalFiles = true
                    break outer
                }
            }
        }
    }

    /// Puts the shown entries in the order of the sort column and direction (ties: file order).
    mutating func resort() {
        var shown = Array(entries.indices)
        if let matching { shown = shown.filter { $0 < matching.count && matching[$0] } }
        let inOrder = precedes
        // Entries that arrive in order (an index in its default sort) need no sort.
        if !zip(shown, shown.dropFirst()).allSatisfy({ inOrder($0, $1) }) { shown.sort(by: inOrder) }
        order = shown
    }

    /// True when entry `a` comes before entry `b` in the list's sort column and direction (ties:
    /// file order, reversed with the direction).
    var precedes: (Int, Int) -> Bool {
        let e = entries
        let sort = self.sort
        func less(_ a: Int, _ b: Int) -> Bool {
            let x = e[a], y = e[b]
            switch sort {
            case .start: return (x.startNanos, a) < (y.startNanos, b)
            case .duration: return (x.durationNanos, a) < (y.durationNanos, b)
            case .spans: return (x.spans, a) < (y.spans, b)
            case .errors: return (x.errors, a) < (y.errors, b)
            case .calls: return (x.llmCalls, a) < (y.llmCalls, b)
            case .tokens: return (x.tokens, a) < (y.tokens, b)
            case .cost: return x.costUSD != y.costUSD ? x.costUSD < y.costUSD : a < b
            case .name: return (x.rootName, a) < (y.rootName, b)
            case .model: return (x.models.first ?? "", a) < (y.models.first ?? "", b)
            case .session: return (x.sessionID ?? "", a) < (y.sessionID ?? "", b)
            }
        }
        return descending ? { less($1, $0) } : less
    }

    /// The sort after (or before) the current one, skipping model and session while no shown trace has them.
    func nextSort(forward: Bool) -> TraceSort {
        let all = TraceSort.allCases
        var i = all.firstIndex(of: sort) ?? 0
        for _ in all {
            i = (i + (forward ? 1 : all.count - 1)) % all.count
            let candidate = all[i]
            if candidate == .model && measure[.model] == 0 { continue }
            if candidate == .session && measure[.session] == 0 { continue }
            return candidate
        }
        return sort
    }

    /// The selected entry, nil when nothing is shown.
    var selectedEntry: TraceListEntry? { selected < order.count ? entries[order[selected]] : nil }
}

extension ExplorerState {
    /// One list entry per trace, in document order, on all cores; `kept[i]`, when given, is trace
    /// `i`'s entry from before (a live update where it did not change).
    static func listEntries(_ document: TraceDocument, _ stats: [TraceStatistics],
                            kept: [TraceListEntry?] = [], sessionKeys: SessionKeys) -> [TraceListEntry] {
        let traces = document.traces
        return Parallel.map(traces.count) { i in
            if i < kept.count, var e = kept[i] {
                e.index = i
                return e
            }
            return TraceListEntry(index: i, trace: traces[i], statistics: stats[i],
                                  sources: document.traceSources[traces[i].id] ?? [], sessionKeys: sessionKeys)
        }
    }

    /// The file to name in the status bar: the open trace's (in the list, the selected one's)
    /// when several files were read, else the document's source.
    var sourceLabel: String {
        guard list.severalFiles else { return Painter.baseName(document.source) }
        let sources: [String]
        switch view {
        case .trace(let s): sources = document.traceSources[s.trace.id] ?? []
        case .list: sources = list.selectedEntry?.sources ?? []
        default: sources = []
        }
        let names = sources.map(Painter.baseName)
        switch names.count {
        case 0: return Painter.baseName(document.source)
        case 1: return names[0]
        case 2: return names[0] + " + " + names[1]
        default: return names[0] + " +\(names.count - 1) files"
        }
    }

    /// A click on the list's headings: sorts by that column, and a second click reverses it.
    mutating func clickListHeading(column: Int) -> Command? {
        let table = TraceListTable(measure: list.measure, width: size.width)
        guard let hit = table.columns.first(where: { $0.range.contains(column) }), let sort = hit.column.sort else {
            return nil
        }
        sortList(by: sort, descending: sort == list.sort ? !list.descending : sort.descendingFirst)
        return nil
    }
}

/// Where the trace list's columns go at a width: which are shown, and how wide each is.
///
/// Every column is as wide as its widest value (or heading), so numbers are never cut; when
/// the terminal is too narrow the least telling columns go whole (`ListColumn.priority`), and
/// names and ids are what gets cut, in the middle.
struct TraceListTable {
    /// A shown column and its cells.
    struct Placed: Hashable {
        var column: ListColumn
        var range: Range<Int>
    }

    /// Shown columns in screen order, the name first.
    let columns: [Placed]
    /// Whether start times show the date.
    let wideStart: Bool

    /// The name column is at least this wide (or as wide as its widest name): a fifth of the
    /// width, between 12 and 20 cells.
    static func nameMinimum(width: Int) -> Int { max(12, min(20, width / 5)) }

    /// The name column grows to this (or the usual name's width) before models, sessions and the rest join.
    static let nameUsual = 28

    init(measure: TraceListMeasure, width: Int) {
        wideStart = width >= 100
        var widths: [ListColumn: Int] = [:]
        for c in ListColumn.allCases where c != .name {
            if c == .start {
                widths[c] = wideStart ? 19 : 8
            } else if c.isText {
                // Only when some shown trace has a value.
                if measure[c] > 0 { widths[c] = max(CellWidth.of(c.title), min(measure[c], c.cap)) }
            } else {
                widths[c] = max(CellWidth.of(c.title), measure[c])
            }
        }
        let nameWidest = max(CellWidth.of(ListColumn.name.title), measure[.name])
        let nameMinimum = min(nameWidest, TraceListTable.nameMinimum(width: width))
        // Column 0 holds the comparison mark; a space before every column after the name.
        var room = width - 1 - nameMinimum
        var chosen: Set<ListColumn> = []
        var nameWidth = nameMinimum
        for c in ListColumn.priority {
            if c == .name {
                let grow = max(0, min(room, min(measure.usualName, TraceListTable.nameUsual) - nameWidth))
                nameWidth += grow
                room -= grow
                continue
            }
            guard let w = widths[c], w + 1 <= room else { continue }
            chosen.insert(c)
            room -= w + 1
        }
        // What is left: the name up to its widest, then names and ids up to theirs, then the name.
        nameWidth += room
        var extra = nameWidth - nameWidest
        for c in [ListColumn.model, .session, .service] where chosen.contains(c) && extra > 0 {
            let grow = min(extra, measure[c] - widths[c]!)
            if grow > 0 {
                widths[c]! += grow
                extra -= grow
                nameWidth -= grow
            }
        }
        var placed = [Placed(column: .name, range: 1..<(1 + max(0, nameWidth)))]
        var x = 1 + max(0, nameWidth) + 1
        for c in ListColumn.allCases where chosen.contains(c) {
            let w = widths[c]!
            placed.append(Placed(column: c, range: x..<(x + w)))
            x += w + 1
        }
        columns = placed
    }
}
