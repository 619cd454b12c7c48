import TraceConventions
import TraceModel

/// Reads Zipkin v2 JSON: a list of spans (what `POST /api/v2/spans` receives and
/// `GET /api/v2/trace/{id}` returns), or a list of such lists (`GET /api/v2/traces`).
///
/// Field meanings from the Zipkin v2 API (https://zipkin.io/zipkin-api/#/default/post_spans,
/// openzipkin/zipkin-api zipkin2-api.yaml): ids are hex (traceId 16 or 32 digits, id 16),
/// `timestamp` and `duration` are microseconds, `kind` is CLIENT/SERVER/PRODUCER/CONSUMER (absent
/// means local), `tags` is a string map where a present `error` tag marks a failed span,
/// `annotations` are timestamped strings, and `shared: true` marks a server span that reuses its
/// client's id (B3 single-span RPC). OpenTelemetry's Zipkin exporter adds `otel.status_code`,
/// `otel.status_description` and `otel.scope.name` tags.
struct ZipkinJSONReader {
    var scanner: JSONScanner
    var interner = StringInterner()

    init(scanner: JSONScanner) { self.scanner = scanner }

    mutating func readAll(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            guard scanner.peekToken() == .array else {
                throw scanner.error("expected a list of Zipkin spans, found \(scanner.describeCurrent())")
            }
            var arr = try scanner.beginArray()
            while try scanner.nextElement(&arr) {
                if scanner.peekToken() == .array {
                    // A list of traces, each a list of spans.
                    var inner = try scanner.beginArray()
                    while try scanner.nextElement(&inner) { try readOne(into: &out, source: source) }
                } else {
                    try readOne(into: &out, source: source)
                }
            }
        }
    }

    private mutating func readOne(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        scanner.skipWhitespace()
        let at = scanner.pos
        switch try readSpan() {
        case .success(let span): out.add(span)
        case .failure(let problem):
            out.skipSpan(source, scanner.lineAndColumn(of: at), problem.message)
        }
    }

    private mutating func readSpan() throws(JSONSyntaxError) -> Result<Span, SpanProblem> {
        guard scanner.peekToken() == .object else {
            try scanner.skipValue()
            return .failure(SpanProblem(message: "a span is not an object"))
        }
        var traceID: String?
        var id: String?
        var parentID: String?
        var name = ""
        var kind = SpanKind.internal
        var timestamp: Int64?
        var duration: Int64 = 0
        var service = ""
        var remoteService: String?
        var tags: [Attribute] = []
        var annotations: [SpanEvent] = []
        var shared = false
        var problem: String?
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "traceId") {
                traceID = try scanner.optionalString(&problem, "traceId")
            } else if scanner.key(key, is: "id") {
                id = try scanner.optionalString(&problem, "id")
            } else if scanner.key(key, is: "parentId") {
                parentID = try scanner.optionalString(&problem, "parentId")
            } else if scanner.key(key, is: "name") {
                if scanner.peekToken() == .string { name = try scanner.internedString(&interner) } else { _ = try scanner.optionalString(&problem, "name") }
            } else if scanner.key(key, is: "kind") {
                if let k = try scanner.optionalString(&problem, "kind") {
                    switch k.uppercased() {
                    case "CLIENT": kind = .client
                    case "SERVER": kind = .server
                    case "PRODUCER": kind = .producer
                    case "CONSUMER": kind = .consumer
                    default: problem = problem ?? "'kind' has an unknown value \"\(k.prefix(40))\""
                    }
                }
            } else if scanner.key(key, is: "timestamp") {
                timestamp = try scanner.microseconds(&problem, "timestamp")
            } else if scanner.key(key, is: "duration") {
                duration = try scanner.microseconds(&problem, "duration") ?? 0
            } else if scanner.key(key, is: "localEndpoint") {
                service = try endpointService() ?? ""
            } else if scanner.key(key, is: "remoteEndpoint") {
                remoteService = try endpointService()
            } else if scanner.key(key, is: "tags") {
                tags = try readTags()
            } else if scanner.key(key, is: "annotations") {
                annotations = try readAnnotations()
            } else if scanner.key(key, is: "shared") {
                if scanner.peekToken() == .true || scanner.peekToken() == .false {
                    shared = try scanner.readBool()
                } else {
                    try scanner.skipValue()
                }
            } else {
                try scanner.skipValue()
            }
        }
        if let p = problem { return .failure(SpanProblem(message: p)) }
        guard let traceID, !traceID.isEmpty else { return .failure(SpanProblem(message: "missing 'traceId'")) }
        guard let id, !id.isEmpty else { return .failure(SpanProblem(message: "missing 'id'")) }
        guard let timestamp else { return .failure(SpanProblem(message: "span \(id) has no 'timestamp'")) }
        var status = SpanStatus.unset
        if let code = (tags[key: "otel.status_code"] ?? tags[key: "ot.status_code"])?.stringValue?.uppercased() {
            status.code = code == "ERROR" ? .error : code == "OK" ? .ok : .unset
            status.message = (tags[key: "otel.status_description"] ?? tags[key: "ot.status_description"])?.stringValue ?? ""
        }
        if let error = tags[key: "error"] {
            status.code = .error
            if status.message.isEmpty, let text = error.stringValue, text.lowercased() != "true" { status.message = text }
        }
        if let remote = remoteService, tags[key: "peer.service"] == nil {
            tags.append(Attribute("peer.service", .string(remote)))
        }
        var spanID = SpanID(id)
        var parent = parentID.flatMap { $0.isEmpty ? nil : SpanID($0) }
        if shared {
            // The server half of a shared RPC span: give it its own id under the client half.
            parent = spanID
            spanID = SpanID(.text(id + "/server"))
        }
        let origin = SpanOrigin(resource: service.isEmpty ? [] : [Attribute("service.name", .string(service))],
                                scopeName: tags[key: "otel.scope.name"]?.stringValue ?? tags[key: "otel.library.name"]?.stringValue ?? "")
        return .success(Span(traceID: TraceID(traceID), spanID: spanID, parentID: parent, name: name, service: service,
                             kind: kind, startNanos: timestamp.multiplied(saturating: 1_000),
                             endNanos: timestamp.adding(saturating: duration).multiplied(saturating: 1_000),
                             status: status, attributes: tags, events: annotations, origin: origin))
    }

    private mutating func endpointService() throws(JSONSyntaxError) -> String? {
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return nil }
        var service: String?
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "serviceName"), scanner.peekToken() == .string {
                service = try scanner.internedString(&interner)
            } else {
                try scanner.skipValue()
            }
        }
        return service
    }

    /// Tags are strings in Zipkin; numbers and booleans written by other tools are kept typed.
    private mutating func readTags() throws(JSONSyntaxError) -> [Attribute] {
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return [] }
        var tags: [Attribute] = []
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            let name = scanner.keyBytes(key).map { interner.intern($0) } ?? scanner.keyString(key)
            tags.append(Attribute(name, try scanner.readValue().attributeValue))
        }
        return tags
    }

    private mutating func readAnnotations() throws(JSONSyntaxError) -> [SpanEvent] {
        guard scanner.peekToken() == .array else { try scanner.skipValue(); return [] }
        var events: [SpanEvent] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            guard scanner.peekToken() == .object else { try scanner.skipValue(); continue }
            var event = SpanEvent(timeNanos: 0, name: "")
            var obj = try scanner.beginObject()
            while let key = try scanner.nextKey(&obj) {
                if scanner.key(key, is: "timestamp"), scanner.peekToken() == .number {
                    let micros = try scanner.readNumber().asDouble
                    if micros.isFinite, micros >= 0, micros < 9e15 { event.timeNanos = Int64((micros * 1_000).rounded()) }
                } else if scanner.key(key, is: "value"), scanner.peekToken() == .string {
                    let decoded = JSONValue.zipkinEvent(fromAnnotation: try scanner.readString())
                    event.name = decoded.name
                    event.attributes = decoded.attributes
                } else {
                    try scanner.skipValue()
                }
            }
            events.append(event)
        }
        return events
    }
}

extension JSONValue {
    /// OpenTelemetry's Zipkin exporters write an event as an annotation whose value is
    /// `{"name": {attributes}}` (or, per the older spec text, `"name": {attributes}`); anything
    /// else is an event named by the whole value.
    static func zipkinEvent(fromAnnotation value: String) -> (name: String, attributes: [Attribute]) {
        let trimmed = String(value.trimmingCharacters(in: " \t"))
        var text: String?
        if trimmed.hasPrefix("{") { text = trimmed } else if trimmed.hasPrefix("\"") { text = "{" + trimmed + "}" }
        guard let text, let parsed = JSONScanner.parse(text),
              case .object(let members) = parsed, members.count == 1,
              case .object(let fields) = members[0].1 else { return (value, []) }
        return (members[0].0, fields.map { Attribute($0.0, $0.1.attributeValue) })
    }
}
