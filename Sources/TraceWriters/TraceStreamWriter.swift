import TraceModel
import TerminalText

/// Writes traces batch after batch with the bytes `OTLPJSONWriter.encode` or
/// `SeedJSONWriter.encode` give for all of them at once, so a large file can be converted with
/// one batch in memory.
///
/// For `otlp` (one request) the bytes are the same when no span origin (a file's `scopeSpans`
/// entry) holds spans of two traces; otherwise the whole-document writer groups such spans
/// across traces, which `OTLPJSONWriter.groupPieces` lets a caller do with a spill file.
public struct TraceStreamWriter {
    /// The output shape.
    public enum Format: Sendable {
        /// One OTLP JSON request holding every trace.
        case otlp
        /// One OTLP JSON request per trace, one per line.
        case otlpJSONLines
        /// The seed's trace shape: one object, or a list when there are several traces.
        case seed
    }

    private let format: Format
    private let list: Bool
    private let cost: (LLMCall) -> Double?
    private var w: JSONWriter

    /// A writer for `traceCount` traces in `format` (the seed shape needs the count up front).
    /// `cost` is the seed writer's `ai_metrics` cost.
    public init(format: Format, traceCount: Int, cost: @escaping (LLMCall) -> Double? = { $0.recordedCostUSD }) {
        self.format = format
        self.list = traceCount != 1
        self.cost = cost
        w = JSONWriter(indent: format == .seed ? 2 : 0)
    }

    /// The bytes before the first trace.
    public mutating func begin() -> [UInt8] {
        switch format {
        case .otlp:
            w.beginObject()
            w.key("resourceSpans")
            w.beginArray()
        case .otlpJSONLines:
            break
        case .seed:
            if list { w.beginArray() }
        }
        return w.drain()
    }

    /// The bytes of the next traces, in order.
    public mutating func add(_ traces: [Trace]) -> [UInt8] {
        switch format {
        case .otlp:
            for t in traces { OTLPJSONWriter.resourceSpans(t.spans, into: &w) }
            return w.drain()
        case .otlpJSONLines:
            var out: [UInt8] = []
            for t in traces {
                var one = JSONWriter()
                OTLPJSONWriter.request(t.spans, into: &one)
                out += one.line()
            }
            return out
        case .seed:
            for t in traces { SeedJSONWriter.trace(t, into: &w, cost: cost) }
            return w.drain()
        }
    }

    /// The bytes after the last trace.
    public consuming func end() -> [UInt8] {
        switch format {
        case .otlp:
            w.endArray()
            w.endObject()
        case .otlpJSONLines:
            return []
        case .seed:
            if list { w.endArray() }
        }
        return w.line()
    }
}

extension OTLPJSONWriter {
    /// `{"resourceSpans":[`, the start of a request written in pieces.
    public static let requestOpening = Array(#"{"resourceSpans":["#.utf8)
    /// What ends one group's `resourceSpans` entry after its spans.
    public static let groupClosing = Array("]}]}".utf8)
    /// What ends a request written in pieces (with the file's last newline).
    public static let requestClosing = Array("]}\n".utf8)

    /// The `resourceSpans` entries `resourceSpans(spans, into:)` writes, in pieces: per group of
    /// spans sharing an origin, in the same order, the entry's opening up to its `spans` array
    /// and the spans themselves, comma-separated. A caller can join the spans of several calls'
    /// groups under one opening (`piece.spans` of each, with commas), close each entry with
    /// `groupClosing` and the request with `requestClosing`.
    public static func groupPieces(_ spans: [Span]) -> [(origin: SpanOrigin, opening: [UInt8], spans: [UInt8])] {
        resourceGroups(spans).map { g in
            var head = JSONWriter()
            head.beginArray()
            groupOpening(g, into: &head)
            var body = JSONWriter()
            body.beginArray()
            for i in g.spans { span(spans[i], into: &body) }
            return (g.origin, Array(head.drain().dropFirst()), Array(body.drain().dropFirst()))
        }
    }
}
