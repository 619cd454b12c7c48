/// The trace formats Spanscope reads.
public enum TraceFormat: String, Sendable, CaseIterable {
    /// OTLP JSON: one `ExportTraceServiceRequest` object, or one per line (collector file exporter).
    case otlpJSON = "OTLP JSON"
    /// OTLP JSON, one request per line, as the collector's file exporter writes it.
    case otlpJSONLines = "OTLP JSON Lines"
    /// The seed's `get_trace()` shape.
    case seedJSON = "seed JSON"
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
            return verdict(objectAt: &s) ?? .unknown("a JSON object without resourceSpans (OTLP) or trace_id/spans (seed)")
        case .array:
            guard var arr = try? s.beginArray() else { return .unknown("malformed JSON list") }
            guard (try? s.nextElement(&arr)) == true else { return .empty }
            if s.peekToken() == .object, let v = verdict(objectAt: &s) { return v }
            return .unknown("a JSON list whose first element is not a trace")
        default:
            let c = bytes[s.pos]
            if c == 0x0A || c == 0x12 || c < 0x09 {
                return .unknown("binary data (OTLP protobuf is not read from files; export OTLP JSON instead)")
            }
            return .unknown("not JSON (starts with \(s.describeCurrent()))")
        }
    }

    /// Scans the keys of the object at the scanner, skipping values, until one decides.
    private static func verdict(objectAt s: inout JSONScanner) -> Verdict? {
        guard var obj = try? s.beginObject() else { return nil }
        var keysSeen = 0
        while let key = try? s.nextKey(&obj) {
            keysSeen += 1
            if s.key(key, is: "resourceSpans") || s.key(key, is: "resource_spans") { return .format(.otlpJSON) }
            if s.key(key, is: "trace_id") || s.key(key, is: "total_duration_ms") || s.key(key, is: "total_tokens") {
                return .format(.seedJSON)
            }
            if s.key(key, is: "spans") || s.key(key, is: "traces") {
                // Look inside: seed spans have span_id; seed trace lists hold objects with spans.
                if s.peekToken() == .array, var arr = try? s.beginArray(), (try? s.nextElement(&arr)) == true,
                   s.peekToken() == .object, let inner = verdict(objectAt: &s) {
                    return inner
                }
                return nil
            }
            if s.key(key, is: "span_id") || s.key(key, is: "parent_span_id") || s.key(key, is: "operation") {
                return .format(.seedJSON)
            }
            if keysSeen > 64 { return nil }
            guard (try? s.skipValue()) != nil else { return nil }
        }
        return nil
    }
}
