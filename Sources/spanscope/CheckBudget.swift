import ArgumentParser
import Reports
import TraceAnalysis
import TraceFormats
import TraceWriters
import TraceModel

/// `check`'s budget options: limits per trace, per root span name from a file, and a JUnit report.
struct BudgetOptions: ParsableArguments {
    @Option(name: .customLong("max-cost"), help: "Most USD a trace may cost, like 0.05.")
    var maxCost: String?

    @Option(name: .customLong("max-duration"), help: "Longest a trace may take, like 30s or 1500ms.")
    var maxDuration: String?

    @Option(name: .customLong("max-llm-calls"), help: "Most LLM calls a trace may make.")
    var maxLLMCalls: String?

    @Option(name: .customLong("max-tokens"), help: "Most tokens a trace may use.")
    var maxTokens: String?

    @Option(name: .customLong("max-errors"), help: "Most error spans a trace may have (0: none).")
    var maxErrors: String?

    @Option(name: .long, help: ArgumentHelp("JSON file of limits per root span name; see README.", valueName: "file"))
    var budget: String?

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report (one test case per trace) to this file.", valueName: "file"))
    var junit: String?

    @Option(name: .customLong("prices"), help: "A JSON price file for the cost limits (overrides or extends the built-in prices).")
    var prices: String?

    /// True when any budget option was given.
    var isActive: Bool {
        [maxCost, maxDuration, maxLLMCalls, maxTokens, maxErrors, budget, junit].contains { $0 != nil }
    }

    /// The limits from the flags and the budget file; prints one line and exits 1 on a bad value or file.
    func load() throws -> (BudgetSet, PriceTable) {
        let table = try priceTable(prices)
        do {
            var flags: [BudgetMetric: Double] = [:]
            for (metric, text, flag) in [(BudgetMetric.cost, maxCost, "--max-cost"), (.duration, maxDuration, "--max-duration"),
                                         (.llmCalls, maxLLMCalls, "--max-llm-calls"), (.tokens, maxTokens, "--max-tokens"),
                                         (.errors, maxErrors, "--max-errors")] {
                if let text { flags[metric] = try metric.parseValue(text, what: flag) }
            }
            var set = BudgetSet(all: BudgetLimits(flags))
            if let budget {
                let entries = try BudgetFileReader.load(path: budget)
                let file = try BudgetSet(entries: entries.map { ($0.root, $0.limits.map { ($0.metric, $0.value) }) }, source: budget)
                set = BudgetSet(all: set.all.combined(with: file.all), byRoot: file.byRoot)
            }
            return (set, table)
        } catch let e as TraceAnalysisError {
            printError("spanscope: \(e.description)")
            throw ExitCode(1)
        } catch let e as TraceFormatError {
            printError("spanscope: \(e.description)")
            throw ExitCode(1)
        }
    }

    /// Checks every trace of `doc` against `budgets`: one line on standard error per breach, one
    /// JUnit case per trace. Returns the cases and whether any limit was broken.
    func evaluate(_ doc: TraceDocument, path: String, budgets: BudgetSet, prices: PriceTable) -> (cases: [JUnitCase], broken: Bool) {
        var cases: [JUnitCase] = []
        var broken = false
        for trace in doc.traces {
            let totals = RunTotals(TraceSummary(trace: trace, prices: prices))
            let breaches = budgets.breaches(root: trace.rootName, totals: totals)
            let lines = breaches.map(BudgetText.describe)
            for line in lines { printError("spanscope: over budget: \(path): \(BudgetText.traceName(trace)): \(line)") }
            broken = broken || !breaches.isEmpty
            cases.append(JUnitCase(name: BudgetText.traceName(trace), classname: path,
                                   seconds: Double(totals.durationNanos) / 1e9, failures: lines))
        }
        return (cases, broken)
    }

    /// Writes the JUnit report when one was asked for.
    func writeReport(_ cases: [JUnitCase]) throws {
        guard let junit else { return }
        do {
            try AtomicFile.write(Array(JUnitReport.render(suite: "spanscope check", cases: cases).utf8), to: junit)
        } catch {
            printError("spanscope: \(junit): \(error.reason)")
            throw ExitCode(1)
        }
    }
}
