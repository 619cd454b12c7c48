import TraceConventions
/// The trace formats Spanscope reads.
public enum TraceFormat: String, Sendable, CaseIterable {
    /// OTLP JSON: one `ExportTraceServiceRequest` object.
    case otlpJSON = "OTLP JSON"
    /// OTLP JSON, one request per line, as the collector's file exporter writes it.
    case otlpJSONLines = "OTLP JSON Lines"
    /// The seed's `get_trace()` shape.
    case seedJSON = "seed JSON"
    /// Zipkin v2 JSON: a list of spans.
    case zipkinJSON = "Zipkin JSON"
    /// Jaeger's query-API / UI-download JSON.
    case jaegerJSON = "Jaeger JSON"
}

/// Decides a buffer's format from its content, never from a file name.
enum FormatDetector {
    enum Verdict {
        case format(TraceFormat)
        case empty
        case unknown(String)
    }

    /// Looks at the first JSON value's keys (and, for a list, its first element's).
    static func detect(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Verdict {
        var s = JSONScanner(bytes, at: start)
        s.skipWhitespace()
        if s.atEnd { return .empty }
        switch s.peekToken() {
        case .object:
            return verdict(objectAt: &s, inList: false)
                ?? .unknown("a JSON object that is not OTLP (resourceSpans), Jaeger (data/traceID) or the seed's shape (trace_id, spans)")
        case .array:
            guard var arr = try? s.beginArray() else { return .unknown("malformed JSON list") }
            guard (try? s.nextElement(&arr)) == true else { return .empty }
            if s.peekToken() == .array {
                // A list of lists: Zipkin's /api/v2/traces answer.
                guard var inner = try? s.beginArray(), (try? s.nextElement(&inner)) == true else { return .empty }
            }
            if s.peekToken() == .object, let v = verdict(objectAt: &s, inList: true) { return v }
            return .unknown("a JSON list whose first element is not a trace or a span")
        default:
            let c = bytes[s.pos]
            if c == 0x0A || c == 0x12 || c < 0x09 {
                return .unknown("binary data (OTLP protobuf files are not read; export OTLP JSON instead)")
            }
            return .unknown("not JSON (starts with \(s.describeCurrent()))")
        }
    }

    /// Scans the keys of the object at the scanner, skipping values, until one decides.
    /// Wrappers (`spans`, `traces`, `data`) are looked into at most `depth` levels deep: this recurses.
    private static func verdict(objectAt s: inout JSONScanner, inList: Bool, depth: Int = 8) -> Verdict? {
        guard depth > 0, var obj = try? s.beginObject() else { return nil }
        var keysSeen = 0
        while let key = try? s.nextKey(&obj) {
            keysSeen += 1
            if s.key(key, is: "resourceSpans") || s.key(key, is: "resource_spans") { return .format(.otlpJSON) }
            if s.key(key, is: "trace_id") || s.key(key, is: "total_duration_ms") || s.key(key, is: "total_tokens")
                || s.key(key, is: "span_id") || s.key(key, is: "parent_span_id") || s.key(key, is: "operation") {
                return .format(.seedJSON)
            }
            if s.key(key, is: "traceID") || s.key(key, is: "processes") || s.key(key, is: "spanID")
                || s.key(key, is: "operationName") {
                return .format(.jaegerJSON)
            }
            if inList, s.key(key, is: "localEndpoint") || s.key(key, is: "remoteEndpoint") || s.key(key, is: "parentId")
                || s.key(key, is: "annotations") || (s.key(key, is: "id")) || s.key(key, is: "traceId") {
                return .format(.zipkinJSON)
            }
            if s.key(key, is: "spans") || s.key(key, is: "traces") || s.key(key, is: "data") {
                // Look inside: seed spans have span_id, Jaeger traces traceID/processes.
                if s.peekToken() == .array, var arr = try? s.beginArray(), (try? s.nextElement(&arr)) == true,
                   s.peekToken() == .object, let inner = verdict(objectAt: &s, inList: false, depth: depth - 1) {
                    return inner
                }
                return nil
            }
            if keysSeen > 64 { return nil }
            guard (try? s.skipValue()) != nil else { return nil }
        }
        return nil
    }
}
