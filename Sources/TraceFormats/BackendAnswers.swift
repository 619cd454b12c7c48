import TraceConventions
import TraceModel

/// Readers for tracing backends' API answers, on the same decoding path as files: the OTLP JSON
/// and protobuf readers and the Jaeger JSON reader do the spans; these only know each envelope.
///
/// Shapes followed (the backend clients' documentation names the versions):
/// - Jaeger query API v3: `{"result": TracesData}`, several back to back when the gRPC gateway
///   streams them, or `{"error": {"httpCode", "message"}}` (jaeger internal/proto/api_v3, the
///   grpc-gateway's stream encoding);
/// - Jaeger's v1 HTTP API: `{"data": [trace…], "errors": …}` (the UI's JSON);
/// - Tempo `/api/traces/{id}`: `{"batches": [ResourceSpans…]}`, `/api/v2/traces/{id}`:
///   `{"trace": TracesData}`, either as OTLP protobuf when asked for `application/protobuf`
///   (tempopb.Trace has `batches` as field 1, the wire form of TracesData);
/// - Tempo `/api/search`: `{"traces": [{"traceID", "rootServiceName", "rootTraceName",
///   "startTimeUnixNano", "durationMs", "serviceStats"}], "metrics": …}` (tempopb.SearchResponse);
/// - Phoenix `/v1/projects/{project}/spans/otlpv1`: `{"data": [OTLP span…], "next_cursor"}`.
public enum BackendAnswers {
    /// Reads a Jaeger API v3 answer into `out`. Returns the message of an `{"error":…}` object
    /// in it (spans before it stay read), nil when there was none.
    public static func readJaegerV3(_ body: [UInt8], source: String,
                                    into out: inout SpanCollector) throws(TraceFormatError) -> String? {
        out.beginSource(source)
        return try scan(body, source: source) { (s: inout JSONScanner) throws(JSONSyntaxError) -> String? in
            var objects = 0
            var backendError: String?
            while true {
                s.skipWhitespace()
                if s.atEnd { break }
                guard s.peekToken() == .object else {
                    throw s.error("expected a {\"result\":…} object, found \(s.describeCurrent())")
                }
                objects += 1
                var obj = try s.beginObject()
                var known = false
                while let key = try s.nextKey(&obj) {
                    if s.key(key, is: "result") {
                        guard s.peekToken() == .object else { throw s.error("\"result\" is not an object") }
                        var reader = OTLPJSONReader(scanner: s)
                        try reader.readRequest(into: &out, source: source)
                        s = reader.scanner
                        known = true
                    } else if s.key(key, is: "error") {
                        backendError = try message(&s) ?? "an error without a message"
                        known = true
                    } else {
                        try s.skipValue()
                    }
                }
                if !known { throw s.error("an object with neither \"result\" nor \"error\"") }
            }
            if objects == 0 { throw s.error("an empty answer") }
            return backendError
        }
    }

    /// Reads Jaeger's v1 HTTP API answer (`{"data": [trace…]}`) into `out`.
    public static func readJaegerV1(_ body: [UInt8], source: String, into out: inout SpanCollector) throws(TraceFormatError) {
        try expect(body, source: source, [.jaegerJSON], "a Jaeger {\"data\":[…]} answer")
        try TraceLoader.read(body, source: source, into: &out)
    }

    /// Reads a Tempo trace (OTLP JSON under `batches`, `trace` or `resourceSpans`, or OTLP protobuf) into `out`.
    public static func readTempoTrace(_ body: [UInt8], source: String, into out: inout SpanCollector) throws(TraceFormatError) {
        try expect(body, source: source, [.otlpJSON, .otlpJSONLines, .otlpProtobuf], "a Tempo trace {\"batches\":[…]}")
        try TraceLoader.read(body, source: source, into: &out)
    }

    /// The traces a Tempo search answer lists, as summaries.
    public static func tempoSearch(_ body: [UInt8], source: String) throws(TraceFormatError) -> [TraceSearchHit] {
        try scan(body, source: source) { (s: inout JSONScanner) throws(JSONSyntaxError) -> [TraceSearchHit] in
            guard s.peekToken() == .object else { throw s.error("expected {\"traces\":[…]}, found \(s.describeCurrent())") }
            var hits: [TraceSearchHit] = []
            var obj = try s.beginObject()
            while let key = try s.nextKey(&obj) {
                guard s.key(key, is: "traces") else { try s.skipValue(); continue }
                if s.skipNull() { continue }
                guard s.peekToken() == .array else { throw s.error("\"traces\" is not a list") }
                var arr = try s.beginArray()
                while try s.nextElement(&arr) { hits.append(try tempoHit(&s)) }
            }
            return hits
        }
    }

    /// One entry of a Tempo search answer.
    private static func tempoHit(_ s: inout JSONScanner) throws(JSONSyntaxError) -> TraceSearchHit {
        let at = s.pos
        guard s.peekToken() == .object else { throw s.error("a trace in \"traces\" is not an object") }
        var id = "", root = "", service = ""
        var start: Int64 = 0, durationMillis: Double = 0
        var spans: Int?, errors: Int?
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if s.key(key, is: "traceID"), s.peekToken() == .string {
                id = try s.readString()
            } else if s.key(key, is: "rootServiceName"), s.peekToken() == .string {
                service = try s.readString()
            } else if s.key(key, is: "rootTraceName"), s.peekToken() == .string {
                root = try s.readString()
            } else if s.key(key, is: "startTimeUnixNano") {
                start = try wholeNumber(&s) ?? 0
            } else if s.key(key, is: "durationMs"), s.peekToken() == .number {
                durationMillis = try s.readNumber().asDouble
            } else if s.key(key, is: "serviceStats"), s.peekToken() == .object {
                // Per service: {"spanCount": n, "errorCount": n} (Tempo 2.3 and later).
                var services = try s.beginObject()
                while try s.nextKey(&services) != nil {
                    guard s.peekToken() == .object else { try s.skipValue(); continue }
                    var stats = try s.beginObject()
                    while let k = try s.nextKey(&stats) {
                        if s.key(k, is: "spanCount"), let n = try wholeNumber(&s) { spans = (spans ?? 0) + Int(n) }
                        else if s.key(k, is: "errorCount"), let n = try wholeNumber(&s) { errors = (errors ?? 0) + Int(n) }
                        else { try s.skipValue() }
                    }
                }
            } else {
                try s.skipValue()
            }
        }
        // Tempo writes ids without their leading zeros; the trace itself has all 32 digits.
        guard !id.isEmpty, id.count <= 32, id.allSatisfy(\.isHexDigit) else {
            throw s.error("a trace in \"traces\" has no hex \"traceID\"", at: at)
        }
        let full = String(repeating: "0", count: 32 - id.count) + id.lowercased()
        let nanos = durationMillis > 0 && durationMillis < 9e12 ? Int64(durationMillis * 1e6) : 0
        return TraceSearchHit(id: TraceID(full), rootName: root, service: service, startNanos: start,
                              durationNanos: nanos, spanCount: spans, errorCount: errors)
    }

    /// Reads one page of Phoenix spans into `out` (the project stands for the service: the
    /// spans come without their resource). Returns the cursor of the next page, nil on the last.
    public static func readPhoenixPage(_ body: [UInt8], project: String, source: String,
                                       into out: inout SpanCollector) throws(TraceFormatError) -> String? {
        out.beginSource(source)
        return try scan(body, source: source) { (s: inout JSONScanner) throws(JSONSyntaxError) -> String? in
            guard s.peekToken() == .object else {
                throw s.error("expected {\"data\":[…],\"next_cursor\":…}, found \(s.describeCurrent())")
            }
            var cursor: String?
            var sawData = false
            let origin = SpanOrigin(resource: [Attribute("service.name", .string(project))])
            var obj = try s.beginObject()
            while let key = try s.nextKey(&obj) {
                if s.key(key, is: "data") {
                    var reader = OTLPJSONReader(scanner: s)
                    try reader.readSpanList(into: &out, source: source, service: project, origin: origin)
                    s = reader.scanner
                    sawData = true
                } else if s.key(key, is: "next_cursor"), s.peekToken() == .string {
                    cursor = try s.readString()
                } else {
                    try s.skipValue()
                }
            }
            if !sawData { throw s.error("no \"data\" list") }
            return cursor.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    // MARK: Helpers

    /// The `message` member of the error object at the scanner.
    private static func message(_ s: inout JSONScanner) throws(JSONSyntaxError) -> String? {
        guard s.peekToken() == .object else {
            if s.peekToken() == .string { return try s.readString() }
            try s.skipValue()
            return nil
        }
        var text: String?
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if s.key(key, is: "message"), s.peekToken() == .string { text = try s.readString() } else { try s.skipValue() }
        }
        return text
    }

    /// A whole number written as a number or as a decimal string (protobuf JSON's 64-bit form).
    private static func wholeNumber(_ s: inout JSONScanner) throws(JSONSyntaxError) -> Int64? {
        switch s.peekToken() {
        case .string: return Int64(try s.readString())
        case .number:
            switch try s.readNumber() {
            case .int(let v): return v
            case .double(let d): return d.isFinite && abs(d) < 9e18 ? Int64(d) : nil
            case .bigInteger: return nil
            }
        default:
            try s.skipValue()
            return nil
        }
    }

    /// Fails unless the body's content is one of `formats`.
    private static func expect(_ body: [UInt8], source: String, _ formats: Set<TraceFormat>, _ what: String) throws(TraceFormatError) {
        let verdict = body.withUnsafeBufferPointer { FormatDetector.detect($0, from: 0) }
        switch verdict {
        case .format(let f) where formats.contains(f): return
        case .empty: throw TraceFormatError(source: source, message: "not \(what): an empty answer")
        case .format(let f): throw TraceFormatError(source: source, message: "not \(what): \(f.rawValue)")
        case .unknown(let why): throw TraceFormatError(source: source, message: "not \(what): \(why)")
        }
    }

    /// Runs `body` over a scanner on `bytes`, turning syntax errors into `TraceFormatError`s that name the place.
    private static func scan<T>(_ bytes: [UInt8], source: String,
                                _ body: (inout JSONScanner) throws(JSONSyntaxError) -> T) throws(TraceFormatError) -> T {
        let result: Result<T, TraceFormatError> = bytes.withUnsafeBufferPointer { buf in
            var s = JSONScanner(buf, at: 0)
            s.skipWhitespace()
            do throws(JSONSyntaxError) {
                return .success(try body(&s))
            } catch {
                let message = error.isTruncation ? "truncated: \(error.message)" : error.message
                return .failure(TraceFormatError(source: source, location: .byte(offset: error.offset, line: error.line, column: error.column),
                                                 message: message))
            }
        }
        return try result.get()
    }
}
