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
    /// Warnings gathered while reading, one line each.
    public var warnings: [String] = []
    /// Spans that could not be read.
    public var skippedSpans = 0
    /// Format names seen, in order.
    public var formats: [String] = []

    /// Creates an empty collector.
    public init() {}

    /// Number of spans collected so far.
    public private(set) var spanCount = 0

    /// Adds one span; `estimatedTiming` marks spans whose times were inferred.
    public mutating func add(_ span: Span, estimatedTiming: Bool = false) {
        let slot: Int
        if let s = slots[span.traceID] {
            slot = s
        } else {
            slot = groups.count
            slots[span.traceID] = slot
            order.append(span.traceID)
            groups.append([])
        }
        if estimatedTiming { estimated[slot, default: []].insert(groups[slot].count) }
        groups[slot].append(span)
        spanCount += 1
    }

    /// Records a format name once.
    public mutating func noteFormat(_ name: String) {
        if !formats.contains(name) { formats.append(name) }
    }

    /// Builds the traces (ordered by start time) with LLM calls normalised.
    public func document(source: String) -> TraceDocument {
        var traces: [Trace] = []
        traces.reserveCapacity(groups.count)
        for (slot, spans) in groups.enumerated() {
            let est = estimated[slot] ?? []
            traces.append(Trace(id: order[slot], spans: spans, timingEstimated: !est.isEmpty,
                                estimatedSpans: est, llmCall: LLMConventions.summaryCall(for:),
                                llmDetails: LLMConventions.call(for:)))
        }
        traces.sort { a, b in a.startNanos != b.startNanos ? a.startNanos < b.startNanos : a.count > b.count }
        return TraceDocument(source: source, format: formats.isEmpty ? "unknown" : formats.joined(separator: " + "),
                             traces: traces, warnings: warnings, skippedSpans: skippedSpans)
    }
}
