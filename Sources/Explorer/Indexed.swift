import TraceAnalysis
import TraceModel
import TerminalText

/// A large file read through its index rather than loaded: how far the scan got, and which
/// trace is being read from the file. Only the open trace's spans are in memory.
public struct IndexedSource: Hashable, Sendable {
    /// Bytes the scan has read.
    public var bytesRead: Int64 = 0
    /// Bytes of the file.
    public var totalBytes: Int64
    /// True once the scan has read the whole file (or stopped, see `failure`).
    public var done = false
    /// Why the scan stopped early (the list keeps what it found; no trace can be opened).
    public var failure: String?
    /// The trace being decoded after Enter, until `Action.traceDecoded` answers.
    public var opening: TraceID?
    /// Where to open it when it was asked for from the workbench (nil: from the list).
    public var target: WorkbenchTarget?
    /// The open trace when it was decoded before the scan ended (it may lack spans the scan has
    /// not reached): decoded again in place as the scan finds more of it, and once it ends.
    public var partial: PartialTrace?
    /// The partial trace being decoded again, until `Action.traceDecoded` answers.
    public var refreshing: TraceID?

    /// A scan that has not started reading.
    public init(totalBytes: Int64) { self.totalBytes = totalBytes }
}

/// An open trace decoded before the index scan ended.
public struct PartialTrace: Hashable, Sendable {
    /// The trace.
    public var id: TraceID
    /// Spans the index knew of it when it was decoded.
    public var spans: Int

    /// Creates a record of a partial decode.
    public init(id: TraceID, spans: Int) {
        self.id = id
        self.spans = spans
    }
}

/// One trace as an index scan saw it: enough for a list row and for filters on totals.
public struct IndexedRow: Sendable {
    /// The trace id.
    public var id: TraceID
    /// The root span's service.
    public var rootService: String
    /// Totals, root name and models (see `TraceFacts(rootName:…)`).
    public var facts: TraceFacts

    /// Creates a row.
    public init(id: TraceID, rootService: String, facts: TraceFacts) {
        self.id = id
        self.rootService = rootService
        self.facts = facts
    }

    /// The trace list's line for this row, at position `index` of the list.
    func listEntry(_ index: Int) -> TraceListEntry {
        TraceListEntry(index: index, id: id, rootName: facts.rootName, service: rootService,
                       startNanos: facts.startNanos, durationNanos: facts.durationNanos, spans: facts.spanCount,
                       errors: facts.errorCount, tokens: facts.totalTokens, costUSD: facts.costUSD,
                       unpriced: facts.unpricedCalls, llmCalls: facts.llmCalls, models: facts.modelRows,
                       sessionID: facts.sessionID)
    }
}

/// What the index scan has found so far, as `Action.indexProgress` brings it: every trace
/// found (not only the new ones: a trace met again grows), and how far the scan got.
///
/// Compared and hashed by `sequence` alone, like `LiveUpdate`: the rows are too many to compare.
public struct IndexBatch: Hashable, Sendable {
    /// Increases with every batch of one scan.
    public var sequence: Int
    /// Every trace found so far; when `done`, in the order of the index (what a full load gives).
    public var rows: [IndexedRow]
    /// Positions in `rows` of the rows that are new or grew since the previous batch, when every
    /// other row is where the previous batch had it; nil when the rows are all new (the first
    /// batch, and the last, which is in index order). The list then merges instead of re-sorting.
    public var changed: [Int]?
    /// Bytes read so far.
    public var bytesRead: Int64
    /// Bytes of the file.
    public var totalBytes: Int64
    /// True for the scan's last batch.
    public var done: Bool
    /// Why the scan stopped early, in the last batch.
    public var failure: String?
    /// Set in the last batch: the format, the reader's warnings and the spans skipped.
    public var format: String?
    /// The reader's warnings (last batch).
    public var warnings: [String]
    /// Spans that could not be used (last batch).
    public var skippedSpans: Int

    /// Creates a batch.
    public init(sequence: Int, rows: [IndexedRow], changed: [Int]? = nil, bytesRead: Int64, totalBytes: Int64, done: Bool = false,
                failure: String? = nil, format: String? = nil, warnings: [String] = [], skippedSpans: Int = 0) {
        self.sequence = sequence
        self.rows = rows
        self.changed = changed
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.done = done
        self.failure = failure
        self.format = format
        self.warnings = warnings
        self.skippedSpans = skippedSpans
    }

    /// Equal when the sequence numbers are.
    public static func == (a: IndexBatch, b: IndexBatch) -> Bool { a.sequence == b.sequence }

    /// Hashes the sequence number.
    public func hash(into hasher: inout Hasher) { hasher.combine(sequence) }
}

/// The answer to `Command.decodeTrace`: the trace with its analysis (worked out off the UI
/// thread), or a one-line reason it could not be read.
public struct DecodedTrace: Hashable, Sendable {
    /// The trace asked for.
    public let id: TraceID
    /// The trace and its statistics, nil when it could not be read.
    public let insight: TraceInsight?
    /// Why it could not be read (a changed or truncated file, say).
    public let error: String?
    /// Set when the trace was read before the scan ended: the spans the index knew of it then.
    public let partialSpans: Int?

    /// A trace read: its analysis is worked out here, on the caller's thread. `partialSpans`:
    /// see the property of that name.
    public init(id: TraceID, trace: Trace, prices: PriceTable, partialSpans: Int? = nil) {
        self.id = id
        insight = TraceInsight(trace: trace, prices: prices)
        error = nil
        self.partialSpans = partialSpans
    }

    /// A trace that could not be read.
    public init(id: TraceID, error: String) {
        self.id = id
        insight = nil
        self.error = error
        partialSpans = nil
    }

    /// Equal for the same trace and outcome.
    public static func == (a: DecodedTrace, b: DecodedTrace) -> Bool {
        a.id == b.id && a.error == b.error && (a.insight == nil) == (b.insight == nil) && a.partialSpans == b.partialSpans
    }

    /// Hashes the id and the error.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(error)
    }
}

extension ExplorerState {
    /// Starts on a large file whose index scan is under way: an empty list that
    /// `Action.indexProgress` fills in, traces decoded one at a time on Enter.
    public init(indexing source: String, totalBytes: Int64, prices: PriceTable = .standard, size: Size,
                sessionKeys: SessionKeys = .standard) {
        self.init(document: TraceDocument(source: source, format: "OTLP JSON Lines", traces: [], warnings: [],
                                          skippedSpans: 0),
                  prices: prices, size: size, sessionKeys: sessionKeys)
        indexed = IndexedSource(totalBytes: totalBytes)
    }

    /// Starts on a large file already indexed, with one decoded trace open (`--trace ID`): the
    /// list (`batch`, the scan's last) is behind it.
    public init(indexed source: String, batch: IndexBatch, open decoded: DecodedTrace, prices: PriceTable = .standard, size: Size,
                sessionKeys: SessionKeys = .standard) {
        self.init(indexing: source, totalBytes: batch.totalBytes, prices: prices, size: size, sessionKeys: sessionKeys)
        _ = applyIndexBatch(batch)
        indexed?.opening = nil
        if let p = list.order.firstIndex(where: { list.entries[$0].id == decoded.id }) { list.selected = p }
        clampList()
        if let insight = decoded.insight {
            view = .list
            open(insight)
        } else {
            message = decoded.error
        }
    }

    /// Takes in what the scan found so far. The selection stays on its trace; the sort and the
    /// filter apply to the new rows; a file that holds one trace opens it, as a full load does.
    /// An open trace decoded before the scan ended is decoded again when the scan found more of
    /// it, or ended.
    mutating func applyIndexBatch(_ batch: IndexBatch) -> Command? {
        guard var source = indexed, !source.done else { return nil }
        let selectedID = list.selected < list.order.count ? list.entries[list.order[list.selected]].id : nil
        source.bytesRead = batch.bytesRead
        source.totalBytes = batch.totalBytes
        source.done = batch.done
        source.failure = batch.failure
        indexed = source
        let query = list.query.isEmpty ? nil : try? TraceQuery(list.query)
        if let changed = batch.changed, mergeIndexRows(batch.rows, changed: changed, query: query) {
            // Merged: only the changed rows were sorted.
        } else {
            list.entries = batch.rows.indices.map { batch.rows[$0].listEntry($0) }
            list.facts = batch.rows.map(\.facts)
            list.matching = query.map { q in batch.rows.map { q.matches(totals: $0.facts) } }
            list.refresh()
        }
        if batch.done {
            document = TraceDocument(source: document.source, format: batch.format ?? document.format, traces: [],
                                     warnings: batch.warnings, skippedSpans: batch.skippedSpans)
        }
        if let id = selectedID, let p = list.order.firstIndex(where: { list.entries[$0].id == id }) {
            list.selected = p
        }
        clampList()
        if let failure = batch.failure {
            message = failure
            return nil
        }
        if batch.done, batch.rows.count == 1, case .list = view, overlay == nil {
            return requestOpen(0)
        }
        return refreshPartial(batch)
    }

    /// Asks for the open partial trace again when the scan found more of its spans or ended;
    /// forgets it once the trace is left.
    private mutating func refreshPartial(_ batch: IndexBatch) -> Command? {
        guard var source = indexed, let partial = source.partial else { return nil }
        guard let s = session, s.trace.id == partial.id else {
            source.partial = nil
            indexed = source
            return nil
        }
        guard source.refreshing == nil else { return nil }
        let known = batch.rows.first { $0.id == partial.id }?.facts.spanCount ?? partial.spans
        guard known > partial.spans || batch.done else { return nil }
        if batch.done && known == partial.spans {
            // Every span the index holds of it was read: it is complete as shown.
            source.partial = nil
            indexed = source
            return nil
        }
        source.refreshing = partial.id
        indexed = source
        return .decodeTrace(partial.id)
    }

    /// Puts the rows of `changed` (new, or grown since the last batch) into the sorted list by
    /// merging: O(c log c + n) for c changed rows of n, instead of sorting all n. False, with
    /// nothing changed, when the batch does not continue the list (it is then rebuilt).
    mutating func mergeIndexRows(_ rows: [IndexedRow], changed: [Int], query: TraceQuery?) -> Bool {
        let old = list.entries.count
        guard rows.count >= old, let facts = list.facts ?? (old == 0 ? [] : nil), facts.count == old,
              (query == nil) == (list.matching == nil) || old == 0,
              changed.allSatisfy({ $0 >= 0 && $0 < rows.count }),
              Set(changed.filter { $0 >= old }).count == rows.count - old else { return false }
        var isChanged = [Bool](repeating: false, count: rows.count)
        for i in changed { isChanged[i] = true }
        var newFacts = facts
        newFacts.reserveCapacity(rows.count)
        list.entries.reserveCapacity(rows.count)
        var matching = query == nil ? nil : (list.matching ?? [])
        // Rows shown before that change: their old cells leave the column measure.
        let removed = Set(changed).filter { $0 < old && (matching?[$0] ?? true) }.map { list.entries[$0] }
        for i in old..<rows.count {
            list.entries.append(rows[i].listEntry(i))
            newFacts.append(rows[i].facts)
            matching?.append(false)
        }
        for i in changed {
            list.entries[i] = rows[i].listEntry(i)
            newFacts[i] = rows[i].facts
            if let query { matching?[i] = query.matches(totals: rows[i].facts) }
        }
        list.facts = newFacts
        list.matching = matching
        let kept = list.order.filter { !isChanged[$0] }
        var added = Array(Set(changed)).filter { matching?[$0] ?? true }
        let inOrder = list.precedes
        added.sort(by: inOrder)
        var merged: [Int] = []
        merged.reserveCapacity(kept.count + added.count)
        var a = 0, b = 0
        while a < kept.count && b < added.count {
            if inOrder(added[b], kept[a]) {
                merged.append(added[b])
                b += 1
            } else {
                merged.append(kept[a])
                a += 1
            }
        }
        merged.append(contentsOf: kept[a...])
        merged.append(contentsOf: added[b...])
        list.order = merged
        list.totals = TraceListTotals(list.entries, shown: merged)
        list.measure.merge(removed: removed, added: added.map { list.entries[$0] }, totals: list.totals)
        return true
    }

    /// Asks for entry `i` of an indexed file to be read from the file (nil, with a message,
    /// after the scan failed). While the scan runs, the trace comes back with what the index
    /// knows of it so far.
    mutating func requestOpen(_ i: Int) -> Command? {
        guard var source = indexed, i < list.entries.count else { return nil }
        if let failure = source.failure {
            message = "cannot open traces: \(failure)"
            return nil
        }
        let id = list.entries[i].id
        source.opening = id
        source.target = nil
        indexed = source
        return .decodeTrace(id)
    }

    /// Opens a decoded trace if it is still the one asked for; says why when it could not be read.
    /// A partial trace read again replaces the open one in place, keeping the selected span,
    /// the folds and the pane.
    mutating func applyDecoded(_ answer: DecodedTrace) {
        guard var source = indexed else { return }
        let opens = source.opening == answer.id && session == nil
        let refreshes = source.refreshing == answer.id && session?.trace.id == answer.id
        let target = source.opening == answer.id ? source.target : nil
        if source.refreshing == answer.id { source.refreshing = nil }
        if source.opening == answer.id {
            source.opening = nil
            source.target = nil
        }
        indexed = source
        guard opens || refreshes else { return }
        guard let insight = answer.insight else {
            message = answer.error ?? "trace \(answer.id) could not be read"
            return
        }
        if refreshes, let s = session {
            view = .trace(s.carried(to: insight, height: traceRows(s)))
        } else if let target {
            // Asked for from the workbench: opened only while it is still on screen.
            guard case .workbench(let w) = view else { return }
            openDecoded(insight, at: target, from: w)
        } else {
            guard case .list = view else { return }
            open(insight)
        }
        indexed?.partial = answer.partialSpans.map { PartialTrace(id: answer.id, spans: $0) }
    }

    /// The status bar's mark on a trace decoded before the scan ended, nil otherwise.
    var partialBadge: String? {
        guard let source = indexed, let partial = source.partial, session?.trace.id == partial.id else { return nil }
        return "partial: scan at \(Format.percent(Double(source.bytesRead), of: Double(source.totalBytes)))"
    }

    /// Filters an indexed file's list by `query`; false (with a message) when the query needs
    /// more than the index holds.
    mutating func filterIndexed(_ query: TraceQuery) -> Bool {
        guard query.readsOnlyTotals else {
            message = "a file read through its index filters by error, root, model, session, duration, cost, "
                + "tokens, spans, errors and llm_calls only"
            return false
        }
        let flags = (list.facts ?? []).map { query.matches(totals: $0) }
        list.matching = flags
        message = "\(flags.filter { $0 }.count) of \(flags.count) traces match"
        return true
    }

    /// The status bar's line about an indexed file: scan progress, the trace being decoded, or
    /// why the scan stopped; nil when there is nothing to say.
    var indexStatus: String? {
        guard let source = indexed else { return nil }
        if let id = source.opening { return "decoding trace \(id.description.prefix(16))…" }
        if let failure = source.failure { return "scan stopped: \(failure)" }
        guard !source.done else { return nil }
        let mb = { (b: Int64) in Format.grouped(b / 1_000_000) }
        return "reading \(mb(source.bytesRead)) of \(mb(source.totalBytes)) MB "
            + "(\(Format.percent(Double(source.bytesRead), of: Double(source.totalBytes)))) · "
            + Format.plural(list.entries.count, "trace") + " so far"
    }
}

/// The rows of an index scan's batches with each trace kept where it first appeared, so that a
/// batch can say which rows are new or grew (`IndexBatch.changed`) and the list merges only those.
public struct IndexedRowSet: Sendable {
    /// Every trace found so far, in the order first found.
    public private(set) var rows: [IndexedRow] = []
    private var positions: [TraceID: Int] = [:]

    /// An empty set.
    public init() {}

    /// The row taken for trace `id`, if any.
    public func row(for id: TraceID) -> IndexedRow? { positions[id].map { rows[$0] } }

    /// Takes the `count` traces found so far (each once, in any order): `id(i)` and `spans(i)`
    /// of the i-th, and `row(i)`, asked only for those that are new or have more spans than
    /// before. Returns the positions in `rows` of those.
    public mutating func take(count: Int, id: (Int) -> TraceID, spans: (Int) -> Int, row: (Int) -> IndexedRow) -> [Int] {
        var changed: [Int] = []
        for i in 0..<count {
            let key = id(i)
            if let p = positions[key] {
                guard spans(i) != rows[p].facts.spanCount else { continue }
                rows[p] = row(i)
                changed.append(p)
            } else {
                positions[key] = rows.count
                changed.append(rows.count)
                rows.append(row(i))
            }
        }
        return changed
    }
}
