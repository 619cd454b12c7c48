#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Dispatch
import Reports
import TraceAnalysis
import TraceFormats
import TraceModel
import TerminalText

/// Commands that need one trace, or every trace in turn, of a large file: they scan its index and
/// decode only the traces they need, printing what a full load of the file prints.
enum IndexedTraces {
    /// True when `path` is read through its index under `mode` (`auto`: OTLP JSON Lines files past
    /// `TraceIndexer.lazyThreshold`).
    static func applies(to path: String, _ mode: SummaryCommand.IndexMode) -> Bool {
        guard mode != .never, !SourceLoader.hasRemote([path]) else { return false }
        return mode == .always ? TraceIndexer.canIndex(path: path) : TraceIndexer.shouldIndex(path: path)
    }

    /// Indexes `path`, drawing a progress line on a terminal meanwhile.
    static func index(_ path: String, sessionKeys: SessionKeys = .standard) -> Result<LazyTraceStore, TraceFormatError> {
        let progress = IndexProgress()
        let outcome = Locked<Result<LazyTraceStore, TraceFormatError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            let result = Result { () throws(TraceFormatError) in try LazyTraceStore(path: path, progress: progress, sessionKeys: sessionKeys.keys) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        if done.wait(timeout: .now() + LoadingIndicator.quietPeriod) == .timedOut {
            let label = terminalSafe(path)
            let tty = isatty(STDERR_FILENO) == 1
            repeat {
                if tty {
                    LoadingIndicator.draw("spanscope: indexing \(label): \(progress.bytesScanned >> 20) of \(progress.totalBytes >> 20) MB")
                }
            } while done.wait(timeout: .now() + 0.1) == .timedOut
            if tty { LoadingIndicator.draw("") }
        }
        return outcome.withLock { $0! }
    }

    /// Indexes `path`; on an error prints one line and exits 1. With `warnings`, prints the
    /// index's warnings as a full load's are printed.
    static func indexOrExit(_ path: String, warnings: Bool = true, sessionKeys: SessionKeys = .standard) throws -> LazyTraceStore {
        switch index(path, sessionKeys: sessionKeys) {
        case .success(let store):
            if warnings { reportWarnings(document(of: store)) }
            return store
        case .failure(let error):
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
    }

    /// The file's document without its traces: source, format, warnings, skipped spans and
    /// other signals' lines; with `duplicatesMerged` (known once every trace was decoded), also
    /// the warning a full load gives for them.
    static func document(of store: LazyTraceStore, duplicatesMerged: Int = 0) -> TraceDocument {
        TraceDocument(source: store.index.source, format: store.index.format, traces: [],
                      warnings: store.index.warnings(duplicatesMerged: duplicatesMerged), skippedSpans: store.index.skippedSpans,
                      skippedLines: store.index.skippedLines, duplicatesMerged: duplicatesMerged)
    }

    /// The position of the trace `id` names (the whole id or a unique prefix), with the messages
    /// of a full load (`traceOrExit`); on no match or an ambiguous one prints one line and exits 1.
    static func positionOrExit(_ id: String, in store: LazyTraceStore) throws -> Int {
        do {
            return try TraceIDLookup.resolve(id, in: store.index.traces.map(\.id), source: store.index.source)
        } catch {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
    }

    /// Decodes trace `i`; on an error (a file changed or truncated since the scan) prints one line and exits 1.
    static func traceOrExit(_ i: Int, in store: LazyTraceStore, detail: TraceLoader.Detail = .full) throws -> Trace {
        do {
            return try store.trace(at: i, detail: detail)
        } catch {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
    }

    /// `check`'s findings for a large file, its traces decoded a batch at a time (memory: the
    /// index and one batch). Budget breaches are printed as found, as in a full load.
    static func check(_ store: LazyTraceStore, path: String, query: TraceQuery?, budget: BudgetOptions?,
                      budgets: BudgetSet, prices: PriceTable, sessionKeys: SessionKeys) throws
        -> (file: CheckReport.File, cases: [JUnitCase]) {
        var file = CheckReport.File(path: path, document: document(of: store))
        var cases: [JUnitCase] = []
        var matches: [String] = []
        var broken = false
        try store.decodeInBatches(detail: .full, batchBytes: IndexedSummary.batchBytes) { _, traces, merged in
            file.duplicatesMerged += merged
            file.traces += traces.count
            file.spans += traces.reduce(0) { $0 + $1.count }
            file.llmCalls += traces.reduce(0) { $0 + $1.llmCalls.count }
            let flags = CheckReport.FlagCounts(traces)
            file.flags.orphan += flags.orphan
            file.flags.cycle += flags.cycle
            file.flags.duplicateID += flags.duplicateID
            file.flags.endsBeforeStart += flags.endsBeforeStart
            file.flags.zeroLength += flags.zeroLength
            file.flags.outsideParent += flags.outsideParent
            file.timingEstimated = file.timingEstimated || traces.contains(where: \.timingEstimated)
            let batch = TraceDocument(source: path, format: store.index.format, traces: traces, warnings: [], skippedSpans: 0)
            if let query {
                let facts = TraceFacts.compute(traces, prices: prices, sessionKeys: sessionKeys)
                matches += query.filter(traces, facts: facts).map { "\(traces[$0].id.description)  \(traces[$0].rootName)" }
            }
            if let budget {
                let result = budget.evaluate(batch, path: path, budgets: budgets, prices: prices)
                cases += result.cases
                broken = broken || result.broken
            }
        }
        if query != nil { file.matches = matches }
        if budget != nil { file.budgetBroken = broken }
        return (file, cases)
    }
}
