import TraceConventions
import TraceModel

/// Gathers spans from one or more readers, groups them by trace id and builds the document.
///
/// Readers only produce spans; grouping, LLM normalisation and tree building happen once here,
/// so spans of one trace spread over several files join into one tree.
public struct SpanCollector: Sendable {
    private var order: [TraceID] = []
    private var slots: [TraceID: Int] = [:]
    private var groups: [[Span]] = []
    private var estimated: [Int: Set<Int>] = [:]
    /// Names of the sources read so far; `groupSources` points into it.
    private var sourceNames: [String] = []
    /// Per trace group, the sources its spans came from (indices into `sourceNames`, first-seen order).
    private var groupSources: [[Int32]] = []
    /// The source spans added now come from (-1: none named).
    private var currentSource: Int32 = -1
    /// A warning, with its place in a file when it has one.
    enum Warning: Sendable {
        case plain(String)
        case located(source: String, line: Int, column: Int, message: String)

        var text: String {
            switch self {
            case .plain(let text): return text
            case .located(let source, let line, let column, let message): return "\(source):\(line):\(column): \(message)"
            }
        }
    }

    private var entries: [Warning] = []

    /// Warnings gathered while reading, one line each (`file:line:column: message` where placed).
    public var warnings: [String] { entries.map(\.text) }

    /// Records a warning without a place.
    public mutating func warn(_ text: String) { entries.append(.plain(text)) }

    /// Counts a span that could not be used and says where and why, in one warning.
    mutating func skipSpan(_ source: String, _ place: (line: Int, column: Int), _ why: String) {
        skippedSpans += 1
        warn(source, place, "span skipped: \(why)")
    }

    /// Records a warning at a line and column of a source.
    mutating func warn(_ source: String, _ place: (line: Int, column: Int), _ message: String) {
        entries.append(.located(source: source, line: place.line, column: place.column, message: message))
    }
    /// Spans that could not be read.
    public var skippedSpans = 0
    /// Request objects (lines of a JSON Lines file) of other signals that were skipped, by signal.
    public var skippedLines: [String: Int] = [:]

    /// Counts one request object of another signal (`logs`, `metrics`, `profiles`) that was skipped.
    mutating func skipLine(signal: String) { skippedLines[signal, default: 0] += 1 }
    /// Format names seen, in order.
    public var formats: [String] = []

    /// Creates an empty collector.
    public init() {}

    /// Number of spans collected so far.
    public private(set) var spanCount = 0

    /// Spans whose times lay outside `Span.timeRange` and were clamped into it.
    public private(set) var clampedSpans = 0

    /// Names the file (or stream) the spans added from now on come from, so the document can
    /// say which file each trace was read from.
    public mutating func beginSource(_ name: String) {
        if let i = sourceNames.firstIndex(of: name) {
            currentSource = Int32(i)
        } else {
            currentSource = Int32(sourceNames.count)
            sourceNames.append(name)
        }
    }

    /// Notes that group `slot` has spans from the current source.
    @inline(__always)
    private mutating func noteSource(_ slot: Int) {
        guard currentSource >= 0, groupSources[slot].last != currentSource else { return }
        if !groupSources[slot].contains(currentSource) { groupSources[slot].append(currentSource) }
    }

    /// Adds one span; `estimatedTiming` marks spans whose times were inferred.
    public mutating func add(_ span: Span, estimatedTiming: Bool = false) {
        var span = span
        if span.clampTimes() { clampedSpans += 1 }
        let slot: Int
        if let s = slots[span.traceID] {
            slot = s
        } else {
            slot = groups.count
            slots[span.traceID] = slot
            order.append(span.traceID)
            groups.append([])
            groupSources.append([])
        }
        noteSource(slot)
        if estimatedTiming { estimated[slot, default: []].insert(groups[slot].count) }
        groups[slot].append(span)
        spanCount += 1
    }

    /// The spans gathered so far, grouped by trace in first-seen order, each group in the order
    /// the spans were added (for a receiver that keeps spans itself rather than a document).
    public var groupedSpans: [(trace: TraceID, spans: [Span])] {
        order.indices.map { (order[$0], groups[$0]) }
    }

    /// Records a format name once.
    public mutating func noteFormat(_ name: String) {
        if !formats.contains(name) { formats.append(name) }
    }

    /// Builds the traces (ordered by start time) with LLM calls normalised.
    ///
    /// Traces are independent, and so are the spans' LLM calls, so both are worked out on all
    /// cores: on a two-core machine this halves the index time of a large file.
    public func document(source: String) -> TraceDocument {
        let traceCount = groups.count
        // LLM calls first, in chunks of spans across all traces.
        var llm = groups.map { [LLMCall?](repeating: nil, count: $0.count) }
        var chunks: [(group: Int, range: Range<Int>)] = []
        let chunkSize = 4096
        for (g, spans) in groups.enumerated() {
            var start = 0
            while start < spans.count {
                chunks.append((g, start..<min(spans.count, start + chunkSize)))
                start += chunkSize
            }
        }
        let groups = self.groups
        llm.withUnsafeMutableBufferPointer { outer in
            let out = SendablePointer(outer.baseAddress!)
            Parallel.forEach(chunks.count) { c in
                let (g, range) = chunks[c]
                let spans = groups[g]
                out.pointer[g].withUnsafeMutableBufferPointer { slots in
                    for i in range { slots[i] = LLMConventions.summaryCall(for: spans[i]) }
                }
            }
        }
        var built = [Trace?](repeating: nil, count: traceCount)
        var removed = [Int](repeating: 0, count: traceCount)
        built.withUnsafeMutableBufferPointer { buffer in
            removed.withUnsafeMutableBufferPointer { removedBuffer in
                let out = SendablePointer(buffer.baseAddress!)
                let outRemoved = SendablePointer(removedBuffer.baseAddress!)
                Parallel.forEach(traceCount) { slot in
                    let est = estimated[slot] ?? []
                    let trace = Trace(id: order[slot], spans: groups[slot], timingEstimated: !est.isEmpty,
                                      estimatedSpans: est, llmCalls: llm[slot], llmDetails: LLMConventions.call(for:),
                                      retrievalDocuments: RetrievalDocuments.documents(in:))
                    let (deduplicated, copies) = SpanCollector.withoutExactCopies(trace, estimated: est, llm: llm[slot])
                    out.pointer[slot] = deduplicated
                    outRemoved.pointer[slot] = copies
                }
            }
        }
        let duplicatesMerged = removed.reduce(0, +)
        var traces = built.map { $0! }
        traces.sort { a, b in a.startNanos != b.startNanos ? a.startNanos < b.startNanos : a.count > b.count }
        var warnings = self.warnings
        if clampedSpans > 0 {
            warnings.append("\(clampedSpans) span\(clampedSpans == 1 ? " has" : "s have") times before 1970 or after 2116; "
                            + "moved to the nearest of those (shown marked if that breaks their order)")
        }
        if duplicatesMerged > 0 { warnings.append(SpanCollector.duplicatesWarning(duplicatesMerged)) }
        if !skippedLines.isEmpty { warnings.append(SpanCollector.skippedLinesWarning(skippedLines)) }
        var traceSources: [TraceID: [String]] = [:]
        for (slot, ids) in groupSources.enumerated() where !ids.isEmpty {
            traceSources[order[slot]] = ids.map { sourceNames[Int($0)] }
        }
        return TraceDocument(source: source, format: formats.isEmpty ? "unknown" : formats.joined(separator: " + "),
                             traces: traces, warnings: warnings, skippedSpans: skippedSpans, traceSources: traceSources,
                             skippedLines: skippedLines, duplicatesMerged: duplicatesMerged)
    }

    /// The warning a document carries when `count` exact copies of spans were kept once.
    public static func duplicatesWarning(_ count: Int) -> String {
        "\(count) exact duplicate span\(count == 1 ? "" : "s") (same trace, id and content, as an exporter's retry sends) kept once"
    }

    /// The warning for lines of other signals skipped, by signal.
    static func skippedLinesWarning(_ lines: [String: Int]) -> String {
        let parts = lines.sorted { $0.key < $1.key }.map { "\($0.value) of \($0.key)" }
        return "skipped lines of other OTLP signals (not spans): " + parts.joined(separator: ", ")
    }

    /// The trace without spans that exactly copy an earlier span of the same id, and how many
    /// were left out. Costs nothing unless the tree builder flagged a duplicate id.
    static func withoutExactCopies(_ trace: Trace, estimated: Set<Int>, llm: [LLMCall?]) -> (Trace, Int) {
        guard trace.flags.contains(where: { $0.contains(.duplicateID) }) else { return (trace, 0) }
        let spans = trace.spans
        var keep = [Bool](repeating: true, count: spans.count)
        var kept: [SpanID: [Int]] = [:]
        var copies = 0
        for i in spans.indices {
            let id = spans[i].spanID
            guard trace.flags[i].contains(.duplicateID) || trace.index(of: id) == i else { continue }
            if let earlier = kept[id], earlier.contains(where: { spans[$0].isExactCopy(of: spans[i]) }) {
                keep[i] = false
                copies += 1
            } else {
                kept[id, default: []].append(i)
            }
        }
        guard copies > 0 else { return (trace, 0) }
        var newIndex = [Int](repeating: -1, count: spans.count)
        var filtered: [Span] = []
        var calls: [LLMCall?] = []
        filtered.reserveCapacity(spans.count - copies)
        for i in spans.indices where keep[i] {
            newIndex[i] = filtered.count
            filtered.append(spans[i])
            calls.append(llm[i])
        }
        let est = Set(estimated.compactMap { $0 < newIndex.count && newIndex[$0] >= 0 ? newIndex[$0] : nil })
        return (Trace(id: trace.id, spans: filtered, timingEstimated: !est.isEmpty, estimatedSpans: est,
                      llmCalls: calls, llmDetails: LLMConventions.call(for:)), copies)
    }

    /// Adds everything another collector gathered, after what this one has (spans of a trace
    /// keep file order: this collector's first). `lineOffset` is added to the other's warning
    /// lines, for a collector that read a later part of the same file.
    /// `firstLineColumn` is added to columns on the other's first line, for a part that starts in
    /// the middle of a line.
    public mutating func merge(_ other: SpanCollector, lineOffset: Int = 0, firstLineColumn: Int = 0) {
        // Whole groups at a time: one lookup per trace rather than per span.
        for (otherSlot, id) in other.order.enumerated() {
            let slot: Int
            if let s = slots[id] {
                slot = s
            } else {
                slot = groups.count
                slots[id] = slot
                order.append(id)
                groups.append([])
                groupSources.append([])
            }
            // A part read by another collector names no source of its own: it is the current one's.
            if other.groupSources[otherSlot].isEmpty {
                noteSource(slot)
            } else {
                for index in other.groupSources[otherSlot] {
                    let name = other.sourceNames[Int(index)]
                    let saved = currentSource
                    beginSource(name)
                    noteSource(slot)
                    currentSource = saved
                }
            }
            let base = groups[slot].count
            if let est = other.estimated[otherSlot], !est.isEmpty {
                estimated[slot, default: []].formUnion(est.map { $0 + base })
            }
            groups[slot].append(contentsOf: other.groups[otherSlot])
            spanCount += other.groups[otherSlot].count
        }
        for entry in other.entries {
            if case .located(let source, let line, let column, let message) = entry {
                entries.append(.located(source: source, line: line + lineOffset,
                                        column: line == 1 ? column + firstLineColumn : column, message: message))
            } else {
                entries.append(entry)
            }
        }
        skippedSpans += other.skippedSpans
        for (signal, n) in other.skippedLines { skippedLines[signal, default: 0] += n }
        clampedSpans += other.clampedSpans
        for f in other.formats { noteFormat(f) }
    }
}
