import ArgumentParser
import Reports
import TraceFormats
import TerminalText
import TraceWriters

/// `spanscope summary`: per trace, where the time and the money went.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarise traces: duration, errors, LLM calls, tokens, cost by model, critical path.",
        discussion: """
        The JSON form is a contract for scripts: {"traces":[{"trace_id", "root", "span_count", \
        "duration_ms", "error_count", "llm_calls", "prompt_tokens", "completion_tokens", \
        "total_tokens", "cost_usd", "unpriced_calls", "by_model", "critical_path"}], "totals":{the same sums \
        over all traces, with "traces" and "by_model"}}. Several traces in text end with an "all N traces" block.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Trace files (OTLP JSON, OTLP JSON Lines, the seed's JSON), or - for standard input.")
    var files: [String]

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @Option(name: .long, help: "A JSON price file that overrides or extends the built-in prices.")
    var prices: String?

    func run() throws {
        let table = try priceTable(prices)
        // Only what a summary shows is kept: skips message texts and other attributes unread.
        let doc = try loadOrExit(files, detail: .summary)
        reportWarnings(doc)
        switch format {
        case .json:
            try writeStandardOutput(SummaryJSON.encode(doc, prices: table))
        case .text:
            try writeStandardOutput(Array(SummaryText.render(doc, prices: table).utf8))
        }
        withExtendedLifetime(doc) { exitWithoutTeardown() }
    }
}

/// Writes bytes to standard output; a failed write (full disk, closed pipe) is reported, exit 1.
func writeStandardOutput(_ bytes: [UInt8]) throws {
    do {
        try AtomicFile.write(bytes, to: "-")
    } catch {
        printError("spanscope: standard output: \(error.reason)")
        throw ExitCode(1)
    }
}
