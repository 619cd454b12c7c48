import TerminalText
import TraceFormats
import TraceModel

/// What `spanscope check` found in each file, built in one place and rendered as text or JSON.
///
/// The JSON form is a contract for scripts (issue #12); keys may be added, none removed, and every
/// key is present with 0 when nothing was found:
/// `{"files":[{"path","format","traces","spans","skipped_spans","duplicates_merged",
/// "skipped_lines":{SIGNAL:n},"flags":{"orphan","cycle","duplicate_id","ends_before_start",
/// "zero_length","outside_parent"}}]}`; a file that could not be read also has `"error"`.
public struct CheckReport: Sendable {
    /// Counts of spans per flag the tree builder sets.
    public struct FlagCounts: Sendable, Equatable {
        /// Spans whose parent is not in the trace.
        public var orphan = 0
        /// Spans where a parent loop was cut.
        public var cycle = 0
        /// Spans that share an id with an earlier, different span.
        public var duplicateID = 0
        /// Spans that end before they start.
        public var endsBeforeStart = 0
        /// Spans that end when they start.
        public var zeroLength = 0
        /// Spans that start before or end after their parent.
        public var outsideParent = 0

        /// Creates zero counts.
        public init() {}

        /// Counts the flags of every span of `traces`.
        public init(_ traces: [Trace]) {
            for trace in traces {
                for f in trace.flags where !f.isEmpty {
                    if f.contains(.orphan) { orphan += 1 }
                    if f.contains(.cycleBroken) { cycle += 1 }
                    if f.contains(.duplicateID) { duplicateID += 1 }
                    if f.contains(.endBeforeStart) { endsBeforeStart += 1 }
                    if f.contains(.zeroLength) { zeroLength += 1 }
                    if f.contains(.outsideParent) { outsideParent += 1 }
                }
            }
        }

        /// (JSON key, words, count) for each flag, in a fixed order.
        public var entries: [(key: String, words: String, count: Int)] {
            [("orphan", "orphan", orphan), ("cycle", "cycle cut", cycle), ("duplicate_id", "duplicate id", duplicateID),
             ("ends_before_start", "ends before start", endsBeforeStart), ("zero_length", "zero length", zeroLength),
             ("outside_parent", "outside parent", outsideParent)]
        }

        /// Spans flagged as broken data (zero length is notable, not broken).
        public var problems: Int { orphan + cycle + duplicateID + endsBeforeStart + outsideParent }
    }

    /// One file's findings.
    public struct File: Sendable {
        /// The path as given.
        public var path: String
        /// The format read, "" when the file could not be read.
        public var format = ""
        /// Traces read.
        public var traces = 0
        /// Spans read (after exact duplicates were merged).
        public var spans = 0
        /// LLM calls found.
        public var llmCalls = 0
        /// Spans that could not be read.
        public var skippedSpans = 0
        /// Exact duplicate spans kept once.
        public var duplicatesMerged = 0
        /// Lines of other signals skipped, by signal.
        public var skippedLines: [String: Int] = [:]
        /// Flag counts.
        public var flags = FlagCounts()
        /// True when some timings were estimated.
        public var timingEstimated = false
        /// Why the file could not be read, when it could not.
        public var error: String?
        /// The reader's warnings.
        public var warnings: [String] = []
        /// Traces matching `check --where` (id and root name), when a query was given.
        public var matches: [String]?
        /// Whether a budget limit was broken, when budgets were given (`check --max-cost` …).
        public var budgetBroken: Bool?

        /// The findings for a document that was read.
        public init(path: String, document doc: TraceDocument) {
            self.path = path
            format = doc.format
            traces = doc.traces.count
            spans = doc.spanCount
            llmCalls = doc.traces.reduce(0) { $0 + $1.llmCalls.count }
            skippedSpans = doc.skippedSpans
            duplicatesMerged = doc.duplicatesMerged
            skippedLines = doc.skippedLines
            flags = FlagCounts(doc.traces)
            timingEstimated = doc.traces.contains(where: \.timingEstimated)
            warnings = doc.warnings
        }

        /// A file that could not be read.
        public init(path: String, error: String) {
            self.path = path
            self.error = error
        }
    }

    /// Files in the order given.
    public var files: [File]

    /// Creates a report.
    public init(files: [File]) { self.files = files }

    /// The documented exit status: 1 when a file could not be read, spans were skipped or a
    /// budget was broken, and
    /// with `strict` also when spans are flagged as broken; else 0.
    public func exitStatus(strict: Bool) -> Int32 {
        for f in files {
            if f.error != nil || f.skippedSpans > 0 || f.budgetBroken == true { return 1 }
            if strict && f.flags.problems > 0 { return 1 }
        }
        return 0
    }

    /// One line per readable file naming only what was found; unreadable files are left to the
    /// caller's error output.
    public func text() -> String {
        files.map(CheckReport.text).joined()
    }

    /// The line for one file ("" for a file that could not be read).
    public static func text(_ f: File) -> String {
        guard f.error == nil else { return "" }
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var line = "\(f.path): \(f.format), \(plural(f.traces, "trace")), \(plural(f.spans, "span")), "
            + plural(f.llmCalls, "LLM call")
        let found = f.flags.entries.filter { $0.count > 0 }.map { "\($0.count) \($0.words)" }
        if !found.isEmpty { line += "; flagged: " + found.joined(separator: ", ") }
        if f.skippedSpans > 0 { line += "; " + plural(f.skippedSpans, "span") + " skipped" }
        if f.duplicatesMerged > 0 { line += "; \(plural(f.duplicatesMerged, "exact duplicate")) kept once" }
        if !f.skippedLines.isEmpty {
            line += "; skipped lines: " + f.skippedLines.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                .joined(separator: ", ")
        }
        if f.timingEstimated { line += "; timing estimated" }
        return terminalSafe(line) + "\n"
    }

    /// The JSON form described on the type.
    public func json(indent: Int = 0) -> [UInt8] {
        var w = JSONWriter(indent: indent)
        w.beginObject()
        w.key("files")
        w.beginArray()
        for f in files {
            w.beginObject()
            w.member("path", f.path)
            w.member("format", f.format)
            w.member("traces", f.traces)
            w.member("spans", f.spans)
            w.member("skipped_spans", f.skippedSpans)
            w.member("duplicates_merged", f.duplicatesMerged)
            w.key("skipped_lines")
            w.beginObject()
            for (signal, n) in f.skippedLines.sorted(by: { $0.key < $1.key }) { w.member(signal, n) }
            w.endObject()
            w.key("flags")
            w.beginObject()
            for e in f.flags.entries { w.member(e.key, e.count) }
            w.endObject()
            w.member("llm_calls", f.llmCalls)
            w.member("timing_estimated", f.timingEstimated)
            if let error = f.error { w.member("error", error) }
            if let broken = f.budgetBroken { w.member("budget_broken", broken) }
            if let matches = f.matches {
                w.key("matches")
                w.beginArray()
                for m in matches { w.string(m) }
                w.endArray()
            }
            w.key("warnings")
            w.beginArray()
            for warning in f.warnings { w.string(warning) }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.line()
    }
}
