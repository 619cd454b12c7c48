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
        discussion: "Exits 0 when every file reads cleanly, 1 when a file cannot be read, spans were skipped or a budget limit is broken (one line per breach)."
    )

    @Argument(help: "Trace files (OTLP JSON, OTLP JSON Lines, the seed's JSON), - for standard input, or backend addresses (jaeger+http://…, tempo+http://…, phoenix+http://…).")
    var files: [String]

    @Option(name: .long, help: "Also count and list the traces matching this query (see README: the query language).")
    var `where`: String?

    @OptionGroup(title: "Backend searches")
    var remote: RemoteOptions

    @OptionGroup(title: "Budgets") var budget: BudgetOptions

    func run() throws {
        let query = try queryOrExit(self.where)
        var failed = false
        let (budgets, prices) = budget.isActive ? try budget.load() : (BudgetSet(), .standard)
        var cases: [JUnitCase] = []
        for path in files {
            do {
                let doc = try SourceLoader.load([path], remote: remote, progress: RemoteProgress.draw)
                RemoteProgress.clear()
                let llm = doc.traces.reduce(0) { $0 + $1.llmCalls.count }
                let flagged = doc.traces.reduce(0) { n, t in n + t.flags.filter { !$0.isDisjoint(with: .problems) }.count }
                var line = "\(path): \(doc.format), \(doc.traces.count) trace\(doc.traces.count == 1 ? "" : "s"), "
                    + "\(doc.spanCount) span\(doc.spanCount == 1 ? "" : "s"), \(llm) LLM call\(llm == 1 ? "" : "s")"
                if flagged > 0 { line += ", \(flagged) span\(flagged == 1 ? "" : "s") flagged (orphan, cycle, duplicate id, skew)" }
                if doc.traces.contains(where: \.timingEstimated) { line += ", timing estimated" }
                print(terminalSafe(line))
                if let query { printMatches(doc, query) }
                reportWarnings(doc)
                if doc.skippedSpans > 0 { failed = true }
                if budget.isActive {
                    let result = budget.evaluate(doc, path: path, budgets: budgets, prices: prices)
                    cases += result.cases
                    failed = failed || result.broken
                }
            } catch let e as TraceFormatError {
                printError("spanscope: \(e.description)")
                failed = true
            } catch {
                RemoteProgress.clear()
                printError("spanscope: \(error)")
                failed = true
            }
        }
        try budget.writeReport(cases)
        if failed { throw ExitCode(1) }
    }

    /// `  2 of 12 traces match "error": 4bf92f35… agent run, …`, one indented line per match.
    private func printMatches(_ doc: TraceDocument, _ query: TraceQuery) {
        let facts = TraceFacts.compute(doc.traces, prices: .standard)
        let hits = query.filter(doc.traces, facts: facts)
        print(terminalSafe("  \(hits.count) of \(doc.traces.count) trace\(doc.traces.count == 1 ? "" : "s") match \"\(query.text)\""))
        for i in hits {
            let t = doc.traces[i]
            print(terminalSafe("    \(t.id.description)  \(t.rootName)"))
        }
    }
}
