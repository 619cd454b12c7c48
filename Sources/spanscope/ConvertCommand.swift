import ArgumentParser
import Reports
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

    @Option(name: .long, help: ArgumentHelp("Index a large file and write it a batch of traces at a time: auto, always or never.",
                                            visibility: .hidden))
    var index: SummaryCommand.IndexMode = .auto

    func run() throws {
        if files.count == 1, IndexedTraces.applies(to: files[0], index) {
            try runIndexed(files[0])
            exitWithoutTeardown()
        }
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

extension ConvertCommand {
    /// Converts a large file from its index, a batch of traces at a time, into the same bytes
    /// as a whole load gives; the output file appears whole or not at all.
    func runIndexed(_ path: String) throws {
        let store = try IndexedTraces.indexOrExit(path, warnings: false)
        let format: TraceStreamWriter.Format = switch to {
        case .otlp: .otlp
        case .otlpJSONL: .otlpJSONLines
        case .seed: .seed
        }
        let spillDirectory = output == "-" ? "/tmp" : directory(of: output)
        let written: IndexedConvert.Written
        do {
            if output == "-" {
                written = try IndexedConvert.write(store, format: format, spillDirectory: spillDirectory) { bytes throws(AtomicFile.WriteError) in
                    try AtomicFile.write(bytes, to: "-")
                }
            } else {
                var file = try AtomicFileWriter(path: output)
                written = try IndexedConvert.write(store, format: format, spillDirectory: spillDirectory) { try file.write($0) }
                try file.commit()
            }
        } catch let error as AtomicFile.WriteError {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        } catch let error as TraceFormatError {
            printError("spanscope: \(error.description)")
            throw ExitCode(1)
        }
        // The warnings a full load prints first are known whole only now (duplicates are found
        // by decoding); standard error holds the same lines in the same order.
        reportWarnings(IndexedTraces.document(of: store, duplicatesMerged: written.duplicatesMerged))
        if output != "-" {
            printError("spanscope: wrote \(Format.plural(written.spans, "span")) in \(Format.plural(written.traces, "trace")) to \(output)")
        }
    }

    private func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
