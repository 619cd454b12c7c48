import TraceAnalysis
import TraceModel
import TerminalText
import TraceWriters

/// Something that writes batches of ended spans somewhere (a file, a collector).
public protocol SpanExporter: Sendable {
    /// Writes `spans`; throws when nothing (or not all) was written, so the caller keeps them.
    func export(_ spans: [TraceModel.Span]) async throws(AITracingError)
}

/// Appends each batch to a file as one OTLP JSON `ExportTraceServiceRequest` per line (the
/// collector's file-exporter form), flushed to disk before `export` returns.
///
/// `spanscope` reads the file as OTLP JSON Lines; spans of one trace spread over several lines
/// join into one trace.
public struct OTLPJSONLinesFileExporter: SpanExporter {
    /// The file appended to.
    public let path: String

    /// Creates an exporter appending to `path` (created when missing).
    public init(path: String) { self.path = path }

    /// Appends one line holding all `spans`.
    public func export(_ spans: [TraceModel.Span]) async throws(AITracingError) {
        guard !spans.isEmpty else { return }
        do {
            try AtomicFile.append(TraceFile.otlpLine(spans), to: path)
        } catch {
            throw AITracingError(.exportFailed, subject: path, reason: "cannot append spans: \(error.reason)")
        }
    }
}

/// Whole-file formats for snapshots of a store.
public enum TraceFile {
    /// File formats.
    public enum Format: String, Sendable, CaseIterable {
        /// The seed's `get_trace()` shape with start/end times (one object, or a list for several traces).
        case seedJSON = "seed"
        /// One OTLP JSON `ExportTraceServiceRequest`.
        case otlpJSON = "otlp"
        /// OTLP JSON Lines: one request per trace per line.
        case otlpJSONLines = "otlp-jsonl"
    }

    /// One OTLP request holding `spans`, as a line of JSON ending in a newline.
    public static func otlpLine(_ spans: [TraceModel.Span]) -> [UInt8] {
        var w = JSONWriter(reserving: spans.count * 600)
        OTLPJSONWriter.request(spans, into: &w)
        return w.line()
    }

    /// The bytes of `traces` in `format`; seed JSON's `ai_metrics.cost` is the recorded cost,
    /// else the cost at `prices`.
    public static func encode(_ traces: [Trace], as format: Format, prices: PriceTable = .standard) -> [UInt8] {
        switch format {
        case .seedJSON:
            return SeedJSONWriter.encode(traces, cost: { $0.cost(using: prices).usd })
        case .otlpJSON:
            return OTLPJSONWriter.encode(traces, lines: false)
        case .otlpJSONLines:
            return OTLPJSONWriter.encode(traces, lines: true)
        }
    }

    /// Writes `traces` to `path` atomically (temporary file, flush, rename): a reader sees the old
    /// file or the new one, never half of one.
    public static func write(_ traces: [Trace], as format: Format, to path: String,
                             prices: PriceTable = .standard) throws(AITracingError) {
        do {
            try AtomicFile.write(encode(traces, as: format, prices: prices), to: path)
        } catch {
            throw AITracingError(.exportFailed, subject: path, reason: "cannot write trace file: \(error.reason)")
        }
    }
}

extension SpanStore {
    /// Writes every held span to `path` in `format`, atomically. The spans stay in the store.
    public func write(_ format: TraceFile.Format, to path: String, prices: PriceTable = .standard) throws(AITracingError) {
        try TraceFile.write(document().traces, as: format, to: path, prices: prices)
    }
}
