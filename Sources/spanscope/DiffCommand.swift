#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Reports
import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope diff A B`: two runs compared step by step; `--by name|model` compares two sets of runs.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs step by step (or two sets of runs with --by).",
        discussion: """
        A and B each name one trace: a file that holds one, or FILE@ID with the trace id or a \
        unique prefix of it (both may come from the same file). Steps are aligned by span name and \
        position among same-name siblings, so an extra retry or tool call shows as added (+) and a \
        missing one as removed (-). A step is "same" when name, error status and LLM call content \
        agree; timings make it "changed" only past --threshold (both bounds). Exit status: 0, or 1 \
        when a --fail-on limit is broken (one line per breach on standard error) or a file cannot \
        be read. The JSON form: {"a", "b", "delta", "counts", "steps", "breaches"}, see README.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }
    enum Group: String, ExpressibleByArgument, CaseIterable { case name, model }

    @Argument(help: "The two runs: FILE or FILE@TRACE_ID (with --by: two files or directories of runs).")
    var runs: [String]

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @OptionGroup(title: "Backend searches")
    var remote: RemoteOptions

    @Option(name: .long, help: "When a timing difference counts as a change: a percentage and/or a duration, both must be passed.")
    var threshold = "10%,1ms"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when B regresses past these, like cost+10%,duration+20%,llm_calls+1.")
    var failOn: String?

    @Option(name: .long, help: "Compare two sets of runs grouped by span name or by model instead of two traces.")
    var by: Group?

    @Option(name: .long, help: ArgumentHelp("Index a large file and decode only the trace named (with --by, one batch of traces at a time): auto, always or never.",
                                            visibility: .hidden))
    var index: SummaryCommand.IndexMode = .auto

    @Option(name: .long, help: "A JSON price file that overrides or extends the built-in prices.")
    var prices: String?

    @Flag(name: .customLong("no-color"), help: "No colours (same as setting NO_COLOR).")
    var noColor = false

    func validate() throws {
        guard runs.count == 2 else { throw ValidationError("diff takes exactly two runs, A and B (got \(runs.count))") }
    }

    func run() throws {
        let table = try priceTable(prices)
        let limits: [RegressionLimit]
        do {
            limits = try failOn.map(RegressionLimit.parseList) ?? []
        } catch {
            throw ValidationError(error.description)
        }
        if let by {
            try runBatch(by: by, prices: table, limits: limits)
            return
        }
        let bounds: DiffThreshold
        do {
            bounds = try DiffThreshold(parsing: threshold)
        } catch {
            throw ValidationError(error.description)
        }
        let refs = runs.map(RunReference.init)
        // One load per distinct file: A and B often come from the same one.
        // A large file is indexed instead, and only the trace named is decoded.
        var documents: [String: TraceDocument] = [:]
        var stores: [String: LazyTraceStore] = [:]
        for ref in refs where documents[ref.file] == nil && stores[ref.file] == nil {
            if IndexedTraces.applies(to: ref.file, index) {
                stores[ref.file] = try IndexedTraces.indexOrExit(ref.file)
                continue
            }
            let doc = try loadOrExit([ref.file], remote: remote)
            reportWarnings(doc)
            documents[ref.file] = doc
        }
        func pick(_ ref: RunReference) throws -> Trace {
            if let store = stores[ref.file] { return try self.pick(ref, store) }
            return try self.pick(ref, documents[ref.file]!)
        }
        let a = try pick(refs[0])
        let b = try pick(refs[1])
        let diff = TraceDiff(a: a, b: b, prices: table, threshold: bounds)
        let labelA = "\(refs[0].file)@\(a.id)", labelB = "\(refs[1].file)@\(b.id)"
        let breaches = RegressionLimit.breaches(limits, a: RunTotals(TraceSummary(trace: a, statistics: diff.statisticsA)),
                                                b: RunTotals(TraceSummary(trace: b, statistics: diff.statisticsB)))
        switch format {
        case .json:
            try writeStandardOutput(DiffJSON.encode(diff, sourceA: labelA, sourceB: labelB, breaches: breaches))
        case .text:
            try writeStandardOutput(Array(DiffText.render(diff, labelA: labelA, labelB: labelB, colored: colours).utf8))
        }
        for breach in breaches { printError("spanscope: regression: " + BudgetText.describe(breach)) }
        withExtendedLifetime((documents, stores)) { exitWithoutTeardown(breaches.isEmpty ? 0 : 1) }
    }

    /// Colours only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org).
    var colours: Bool {
        !noColor && isatty(STDOUT_FILENO) == 1 && (getenv("NO_COLOR").map { String(cString: $0) } ?? "").isEmpty
    }

    /// The one trace a reference names.
    func pick(_ ref: RunReference, _ doc: TraceDocument) throws -> Trace {
        if let id = ref.traceID { return doc.traces[try traceOrExit(id, in: doc)] }
        try expectOne(ref, doc.traces.map(\.id))
        return doc.traces[0]
    }

    /// The one trace a reference names in an indexed file, decoded alone.
    func pick(_ ref: RunReference, _ store: LazyTraceStore) throws -> Trace {
        if let id = ref.traceID {
            return try IndexedTraces.traceOrExit(try IndexedTraces.positionOrExit(id, in: store), in: store)
        }
        try expectOne(ref, store.index.traces.map(\.id))
        return try IndexedTraces.traceOrExit(0, in: store)
    }

    /// Exits 1 with a one-line hint unless a reference without an id names a file of one trace.
    private func expectOne(_ ref: RunReference, _ ids: [TraceID]) throws {
        guard ids.count != 1 else { return }
        let shown = ids.prefix(3).map(\.description).joined(separator: ", ")
        printError("spanscope: \(ref.file): holds \(ids.count) traces; name one as \(ref.file)@ID"
                   + (ids.isEmpty ? "" : " (ids: \(shown)\(ids.count > 3 ? ", …" : ""))"))
        throw ExitCode(1)
    }

    func runBatch(by: Group, prices: PriceTable, limits: [RegressionLimit]) throws {
        let key: BatchDiff.Key = by == .name ? .spanName : .model
        // Each set is grouped as soon as it is read; a large file a batch of traces at a time.
        var kept: [TraceDocument] = []
        func side(_ path: String) throws -> (table: StatsTable, mean: RunTotals) {
            if index != .never, !SourceLoader.hasRemote([path]),
               index == .always ? TraceIndexer.canIndex(path: path) : TraceIndexer.shouldIndex(path: path) {
                // Grouping by name or model reads no attributes: span skeletons answer it.
                let store = try openIndexedOrExit(path, skeletons: true)
                do {
                    return try IndexedStats.diffSide(store, by: key, prices: prices)
                } catch let error as TraceFormatError {
                    printError("spanscope: \(error.description)")
                    throw ExitCode(1)
                }
            }
            let doc = try loadOrExit([path], detail: .summary, remote: remote)
            reportWarnings(doc)
            kept.append(doc)
            var sums = RunSums()
            sums.add(doc.traces, prices: prices)
            return (TraceStats.groups(doc.traces, by: key.grouping, prices: prices), sums.mean)
        }
        let before = try side(runs[0]), after = try side(runs[1])
        let batch = BatchDiff(a: before.table, b: after.table, meanA: before.mean, meanB: after.mean, by: key)
        switch format {
        case .json: try writeStandardOutput(BatchDiffReport.json(batch, sourceA: runs[0], sourceB: runs[1]))
        case .text: try writeStandardOutput(Array(BatchDiffReport.text(batch, sourceA: runs[0], sourceB: runs[1], colored: colours).utf8))
        }
        // --fail-on compares the runs' means: the typical run of B against the typical run of A.
        let breaches = RegressionLimit.breaches(limits, a: batch.meanA, b: batch.meanB)
        for breach in breaches { printError("spanscope: regression: " + BudgetText.describe(breach)) }
        withExtendedLifetime(kept) { exitWithoutTeardown(breaches.isEmpty ? 0 : 1) }
    }
}

/// `FILE` or `FILE@ID`. A path that exists as given is a file even when it holds an `@`.
struct RunReference {
    var file: String
    var traceID: String?

    init(_ text: String) {
        if text == "-" || access(text, F_OK) == 0 {
            file = text
        } else if let at = text.lastIndex(of: "@"), at != text.startIndex {
            file = String(text[..<at])
            traceID = String(text[text.index(after: at)...])
        } else {
            file = text
        }
    }
}
