import ArgumentParser
import TraceFormats
import TraceModel
import TerminalText
import TraceWriters

/// `spanscope convert`: rewrites traces as OTLP JSON or the seed's shape.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert trace files to OTLP JSON, OTLP JSON Lines or the seed's JSON shape."
    )

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case otlp, otlpJSONL = "otlp-jsonl", seed
    }

    @Argument(help: ArgumentHelp("Input trace files (\(TraceFormat.readableList)) or backend addresses (jaeger+http://HOST:16686, tempo+http://HOST:3200, phoenix+http://HOST:6006/PROJECT); spans of one trace spread over files are joined."))
    var files: [String]

    @OptionGroup(title: "Backend searches")
    var remote: RemoteOptions

    @Option(name: .shortAndLong, help: "Output file (- for standard output). Written atomically.")
    var output: String

    @Option(name: .long, help: "Output format: otlp, otlp-jsonl or seed.")
    var to: Target = .otlp

    func run() throws {
        let doc = try loadOrExit(files, remote: remote)
        reportWarnings(doc)
        let bytes: [UInt8]
        switch to {
        case .otlp: bytes = OTLPJSONWriter.encode(doc.traces, lines: false)
        case .otlpJSONL: bytes = OTLPJSONWriter.encode(doc.traces, lines: true)
        case .seed: bytes = SeedJSONWriter.encode(doc.traces)
        }
        do {
            try AtomicFile.write(bytes, to: output)
        } catch {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
        if output != "-" {
            printError("spanscope: wrote \(Format.plural(doc.spanCount, "span")) in \(Format.plural(doc.traces.count, "trace")) to \(output)")
        }
        withExtendedLifetime(doc) { exitWithoutTeardown() }
    }
}
