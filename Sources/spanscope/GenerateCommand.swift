import ArgumentParser
import TerminalText
import Synthetic
import TraceFormats

/// `spanscope generate`: synthetic agent traces for benchmarks and stress tests.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic synthetic agent traces (deterministic for a seed), for benchmarks."
    )

    @Option(name: .long, help: "Total number of spans.")
    var spans: Int = 10_000

    @Option(name: .long, help: "Number of traces the spans are spread over.")
    var traces: Int = 1

    @Option(name: .long, help: "Random seed; the same seed gives the same file.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "otlp, otlp-jsonl or seed.")
    var format: String = "otlp"

    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    @Option(name: .long, help: "Write each trace this many times, each copy with fresh trace and span ids (otlp-jsonl only): a large file at the cost of generating one copy.")
    var copies: Int = 1

    func validate() throws {
        guard spans > 0, traces > 0 else { throw ValidationError("--spans and --traces must be positive") }
        guard GeneratedFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of: otlp, otlp-jsonl, seed")
        }
        guard copies > 0 else { throw ValidationError("--copies must be positive") }
        guard copies == 1 || GeneratedFormat(rawValue: format) == .otlpJSONL else {
            throw ValidationError("--copies needs --format otlp-jsonl")
        }
    }

    func run() throws {
        let generator = TraceGenerator(spans: spans, traces: traces, seed: seed)
        do {
            let bytes = try generator.write(to: output, format: GeneratedFormat(rawValue: format)!, copies: copies)
            let spanTotal = generator.spanCount * copies, traceTotal = generator.traceCount * copies
            printError("spanscope: wrote \(Format.plural(spanTotal, "span")) in \(Format.plural(traceTotal, "trace")) (\(bytes >> 20) MiB) to \(output)")
        } catch {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
    }
}
