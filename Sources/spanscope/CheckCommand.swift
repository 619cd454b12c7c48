import ArgumentParser
import Reports
import TraceAnalysis
import TraceFormats
import TraceModel
import TerminalText

/// `spanscope check`: reads files and reports what was found and anything wrong, for scripts and CI.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Read trace files and report their format, size and any problems.",
        discussion: """
        Reads \(TraceFormat.readableList). Names only the flags found, with counts. \
        Exit status: 0 when every file reads cleanly; 1 when a file cannot be read, spans were \
        skipped or a budget limit is broken (one line per breach); with --strict, also 1 when spans are flagged (orphan, cycle, duplicate id, ends \
        before start, outside parent). The JSON form: {"files":[{"path","format","traces","spans",\
        "skipped_spans","duplicates_merged","skipped_lines":{signal:n},"flags":{"orphan","cycle",\
        "duplicate_id","ends_before_start","zero_length","outside_parent"}}]}, every key present.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: ArgumentHelp("Trace files or directories (\(TraceFormat.readableList)), - for standard input, or backend addresses (jaeger+http://HOST:16686, tempo+http://HOST:3200, phoenix+http://HOST:6006/PROJECT)."))
    var files: [String]

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @Flag(name: .long, help: "Also fail (exit 1) when spans are flagged as broken.")
    var strict = false

    @Option(name: .long, help: "Also count and list the traces matching this query (see README: the query language).")
    var `where`: String?

    @OptionGroup(title: "Backend searches")
    var remote: RemoteOptions

    @OptionGroup(title: "Budgets") var budget: BudgetOptions

    @Option(name: .customLong("session-key"), help: "Attribute that names a trace's session (for session= in --where), tried before the standard ones.")
    var sessionKey: String?

    @Option(name: .long, help: ArgumentHelp("Index a large file and read one batch of traces at a time: auto, always or never.",
                                            visibility: .hidden))
    var index: SummaryCommand.IndexMode = .auto

    func run() throws {
        let query = try queryOrExit(self.where)
        var results: [CheckReport.File] = []
        let (budgets, prices) = budget.isActive ? try budget.load() : (BudgetSet(), .standard)
        var cases: [JUnitCase] = []
        for path in files {
            if IndexedTraces.applies(to: path, index) {
                // A large file: its traces decoded a batch at a time, never all at once.
                do {
                    let store = try IndexedTraces.index(path).get()
                    let found = try IndexedTraces.check(store, path: path, query: query, budget: budget.isActive ? budget : nil,
                                                        budgets: budgets, prices: prices,
                                                        sessionKeys: .preferring(sessionKey))
                    cases += found.cases
                    results.append(found.file)
                    try printText(found.file, query: query,
                                  warnings: IndexedTraces.document(of: store, duplicatesMerged: found.file.duplicatesMerged))
                } catch let error as TraceFormatError {
                    if format == .text { printError("spanscope: \(error.description)") }
                    results.append(CheckReport.File(path: path, error: error.description))
                }
                continue
            }
            let doc: TraceDocument
            do {
                doc = try SourceLoader.load([path], remote: remote, progress: RemoteProgress.draw)
                RemoteProgress.clear()
            } catch {
                RemoteProgress.clear()
                let description = (error as? TraceFormatError)?.description ?? String(describing: error)
                if format == .text { printError("spanscope: \(description)") }
                results.append(CheckReport.File(path: path, error: description))
                continue
            }
            var file = CheckReport.File(path: path, document: doc)
            if let query { file.matches = matches(doc, query, prices: prices) }
            if budget.isActive {
                // Breaches are printed as they are found (standard error), one line each.
                let result = budget.evaluate(doc, path: path, budgets: budgets, prices: prices)
                cases += result.cases
                file.budgetBroken = result.broken
            }
            results.append(file)
            try printText(file, query: query, warnings: doc)
        }
        try budget.writeReport(cases)
        let report = CheckReport(files: results)
        if format == .json { try writeStandardOutput(report.json()) }
        let status = report.exitStatus(strict: strict)
        if status != 0 { throw ExitCode(status) }
    }

    /// A file's findings as text, file by file so a long run shows progress (JSON is written at the end).
    private func printText(_ file: CheckReport.File, query: TraceQuery?, warnings: TraceDocument) throws {
        guard format == .text else { return }
        try writeStandardOutput(Array(CheckReport.text(file).utf8))
        if let query, let hits = file.matches {
            var text = terminalSafe("  \(hits.count) of \(file.traces) trace\(file.traces == 1 ? "" : "s") match \"\(query.text)\"") + "\n"
            for hit in hits { text += terminalSafe("    " + hit) + "\n" }
            try writeStandardOutput(Array(text.utf8))
        }
        reportWarnings(warnings)
    }

    /// `4bf92f35…  agent run`, one entry per trace matching the query.
    /// `cost` in the query is priced as the budgets are (`--prices`), sessions by `--session-key`.
    private func matches(_ doc: TraceDocument, _ query: TraceQuery, prices: PriceTable) -> [String] {
        let facts = TraceFacts.compute(doc.traces, prices: prices, sessionKeys: .preferring(sessionKey))
        return query.filter(doc.traces, facts: facts).map { "\(doc.traces[$0].id.description)  \(doc.traces[$0].rootName)" }
    }
}
