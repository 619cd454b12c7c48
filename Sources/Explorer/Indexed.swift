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

    /// A scan that has not started reading.
    public init(totalBytes: Int64) { self.totalBytes = totalBytes }
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
                       unpriced: facts.unpricedCalls, llmCalls: facts.llmCalls, models: facts.models,
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
    public init(sequence: Int, rows: [IndexedRow], bytesRead: Int64, totalBytes: Int64, done: Bool = false,
                failure: String? = nil, format: String? = nil, warnings: [String] = [], skippedSpans: Int = 0) {
        self.sequence = sequence
        self.rows = rows
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

    /// A trace read: its analysis is worked out here, on the caller's thread.
    public init(id: TraceID, trace: Trace, prices: PriceTable) {
        self.id = id
        insight = TraceInsight(trace: trace, prices: prices)
        error = nil
    }

    /// A trace that could not be read.
    public init(id: TraceID, error: String) {
        self.id = id
        insight = nil
        self.error = error
    }

    /// Equal for the same trace and outcome.
    public static func == (a: DecodedTrace, b: DecodedTrace) -> Bool {
        a.id == b.id && a.error == b.error && (a.insight == nil) == (b.insight == nil)
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

    /// Takes in what the scan found so far. The selection stays on its trace; the sort and the
    /// filter apply to the new rows; a file that holds one trace opens it, as a full load does.
    mutating func applyIndexBatch(_ batch: IndexBatch) -> Command? {
        guard var source = indexed, !source.done else { return nil }
        let selectedID = list.selected < list.order.count ? list.entries[list.order[list.selected]].id : nil
        source.bytesRead = batch.bytesRead
        source.totalBytes = batch.totalBytes
        source.done = batch.done
        source.failure = batch.failure
        indexed = source
        list.entries = batch.rows.indices.map { batch.rows[$0].listEntry($0) }
        list.facts = batch.rows.map(\.facts)
        if batch.done {
            document = TraceDocument(source: document.source, format: batch.format ?? document.format, traces: [],
                                     warnings: batch.warnings, skippedSpans: batch.skippedSpans)
        }
        if !list.query.isEmpty, let query = try? TraceQuery(list.query) {
            list.matching = list.facts?.map { query.matches(totals: $0) }
        }
        list.refresh()
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
        return nil
    }

    /// Asks for entry `i` of an indexed file to be read from the file (nil, with a message,
    /// while the scan runs or after it failed).
    mutating func requestOpen(_ i: Int) -> Command? {
        guard var source = indexed, i < list.entries.count else { return nil }
        if let failure = source.failure {
            message = "cannot open traces: \(failure)"
            return nil
        }
        guard source.done else {
            message = "still reading the file (\(Format.percent(Double(source.bytesRead), of: Double(source.totalBytes)))): "
                + "traces open once the scan is done"
            return nil
        }
        let id = list.entries[i].id
        source.opening = id
        indexed = source
        return .decodeTrace(id)
    }

    /// Opens a decoded trace if it is still the one asked for; says why when it could not be read.
    mutating func applyDecoded(_ answer: DecodedTrace) {
        guard var source = indexed, source.opening == answer.id else { return }
        source.opening = nil
        indexed = source
        guard let insight = answer.insight else {
            message = answer.error ?? "trace \(answer.id) could not be read"
            return
        }
        guard case .list = view else { return }
        open(insight)
    }

    /// Filters an indexed file's list by `query`; false (with a message) when the query needs
    /// more than the index holds.
    mutating func filterIndexed(_ query: TraceQuery) -> Bool {
        guard query.readsOnlyTotals else {
            message = "a file read through its index filters by error, root, model, duration, cost, tokens, "
                + "spans, errors and llm_calls only"
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
