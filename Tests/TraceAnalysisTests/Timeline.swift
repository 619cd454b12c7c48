import TraceModel
@testable import TraceAnalysis

/// Builds a trace from an ASCII timeline, the way Jaeger UI's critical-path tests draw theirs.
///
/// One span per line: the name, indented two spaces per level under the span above it, then a
/// `:` that marks time 0, then one column per time unit — `=` where the span runs, `|` for a
/// zero-length span at that instant. Times are small integers offset from a fixed epoch.
struct Timeline {
    static let epoch: Int64 = 1_750_000_000_000_000_000

    let trace: Trace
    private let names: [String]

    init(_ art: String, calls: [String: LLMCall] = [:], errors: Set<String> = []) {
        var spans: [Span] = []
        var names: [String] = []
        var stack: [(depth: Int, name: String)] = []
        for line in art.split(separator: "\n") where line.contains(":") {
            let indent = line.prefix { $0 == " " }.count
            let depth = indent / 2
            let colon = line.firstIndex(of: ":")!
            let name = line[..<colon].trimmingCharacters()
            let bar = Array(line[line.index(after: colon)...])
            let start: Int, end: Int
            if let first = bar.firstIndex(of: "=") {
                start = first
                end = bar.lastIndex(of: "=")! + 1
            } else {
                start = bar.firstIndex(of: "|")!
                end = start
            }
            while let top = stack.last, top.depth >= depth { stack.removeLast() }
            let parent = stack.last?.name
            stack.append((depth, name))
            names.append(name)
            spans.append(Span(
                traceID: TraceID("trace-1"), spanID: SpanID(.text(name)), parentID: parent.map { SpanID(.text($0)) },
                name: name, startNanos: Timeline.epoch + Int64(start), endNanos: Timeline.epoch + Int64(end),
                status: errors.contains(name) ? SpanStatus(.error) : .ok))
        }
        self.names = names
        self.trace = Trace(id: TraceID("trace-1"), spans: spans, llmCall: { calls[$0.name] })
    }

    /// The index of the span called `name`.
    func index(_ name: String) -> Int { names.firstIndex(of: name)! }

    /// The name of span `i`.
    func name(_ i: Int) -> String { names[i] }

    /// Segments as `name start-end` in timeline units, comma separated.
    func describe(_ segments: [CriticalPathSegment]) -> String {
        segments.map { "\(names[$0.span]) \($0.startNanos - Timeline.epoch)-\($0.endNanos - Timeline.epoch)" }
            .joined(separator: ", ")
    }

    /// The critical path of the trace (or of the subtree under `root`), described.
    func criticalPath(root: String? = nil) -> String {
        describe(CriticalPath.compute(trace, root: root.map(index)))
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
