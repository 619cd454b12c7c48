import ArgumentParser
import Reports
import TraceFormats
import TraceModel

/// `spanscope check`: reads files and reports what was found and anything wrong, for scripts and CI.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Read trace files and report their format, size and any problems.",
        discussion: """
        Reads \(TraceFormat.readableList). Names only the flags found, with counts. \
        Exit status: 0 when every file reads cleanly; 1 when a file cannot be read or spans were \
        skipped; with --strict, also 1 when spans are flagged (orphan, cycle, duplicate id, ends \
        before start, outside parent). The JSON form: {"files":[{"path","format","traces","spans",\
        "skipped_spans","duplicates_merged","skipped_lines":{signal:n},"flags":{"orphan","cycle",\
        "duplicate_id","ends_before_start","zero_length","outside_parent"}}]}, every key present.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: ArgumentHelp("Trace files or directories (\(TraceFormat.readableList)), or - for standard input."))
    var files: [String]

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @Flag(name: .long, help: "Also fail (exit 1) when spans are flagged as broken.")
    var strict = false

    func run() throws {
        var results: [CheckReport.File] = []
        for path in files {
            do {
                let doc = try TraceLoader.load(path: path)
                results.append(CheckReport.File(path: path, document: doc))
                if format == .text { reportWarnings(doc) }
            } catch {
                if format == .text { printError("spanscope: \(error.description)") }
                results.append(CheckReport.File(path: path, error: error.description))
            }
        }
        let report = CheckReport(files: results)
        switch format {
        case .text: try writeStandardOutput(Array(report.text().utf8))
        case .json: try writeStandardOutput(report.json())
        }
        let status = report.exitStatus(strict: strict)
        if status != 0 { throw ExitCode(status) }
    }
}
