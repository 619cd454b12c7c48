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

    /// One span record as written. Zipkin lets a span arrive in fragments (several records with
    /// the same ids, some without a timestamp); they are joined before becoming spans.
    struct Record {
        var traceID: String
        var id: String
        var parentID: String?
        var name: String
        var kind: SpanKind?
        var timestamp: Int64?
        var duration: Int64
        var service: String
        var remoteService: String?
        var tags: [Attribute]
        var annotations: [SpanEvent]
        var shared: Bool
        /// Where the record starts, for warnings.
        var place: (line: Int, column: Int)
    }

    /// Whether a span object on its own (not in a list) is read; files may hold one, the API may not.
    var acceptsSingleSpan = true

    /// Records read so far, grouped by (trace id, span id, shared) in first-seen order.
    private var groups: [[Record]] = []
    private var groupIndex: [String: Int] = [:]

    mutating func readAll(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        do {
            try readRecords(into: &out, source: source)
        } catch {
            emit(into: &out, source: source)
            throw error
        }
        emit(into: &out, source: source)
    }

    private mutating func readRecords(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            if acceptsSingleSpan, scanner.peekToken() == .object {
                // One span on its own, not in a list.
                try readOne(into: &out, source: source)
                continue
            }
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
        switch try readRecord(place: scanner.lineAndColumn(of: at)) {
        case .success(let record):
            let key = record.traceID.lowercased() + "/" + record.id.lowercased() + (record.shared ? "/s" : "")
            if let g = groupIndex[key] {
                groups[g].append(record)
            } else {
                groupIndex[key] = groups.count
                groups.append([record])
            }
        case .failure(let problem):
            out.skipSpan(source, scanner.lineAndColumn(of: at), problem.message)
        }
    }

    /// Joins each span's fragments and adds the spans, in the order their ids first appeared.
    ///
    /// As Zipkin's `Span.Builder.merge` does: a record without a timestamp is a fragment of the
    /// span with the same ids; the first non-empty name, kind, endpoints, parent, timestamp and
    /// duration win, tags and annotations are united. Records that each carry a timestamp stay
    /// separate spans (an exact repeat is later kept once; a differing one is flagged).
    private mutating func emit(into out: inout SpanCollector, source: String) {
        for group in groups {
            var bases = group.filter { $0.timestamp != nil }
            let fragments = group.filter { $0.timestamp == nil }
            if bases.isEmpty {
                bases = [fragments[0]]
                for f in fragments.dropFirst() { ZipkinJSONReader.merge(f, into: &bases[0]) }
            } else {
                for f in fragments { ZipkinJSONReader.merge(f, into: &bases[0]) }
            }
            for var record in bases {
                if record.timestamp == nil {
                    // Only annotations say when it happened: span them.
                    let times = record.annotations.map(\.timeNanos).filter { $0 > 0 }
                    guard let first = times.min(), let last = times.max() else {
                        out.skipSpan(source, record.place, "span \(record.id) has no 'timestamp' in any of its records")
                        continue
                    }
                    record.timestamp = first / 1_000
                    record.duration = (last - first) / 1_000
                }
                out.add(ZipkinJSONReader.span(record))
            }
        }
        groups = []
        groupIndex = [:]
    }

    static func merge(_ f: Record, into r: inout Record) {
        if r.name.isEmpty || r.name == "unknown" { r.name = f.name }
        if r.kind == nil { r.kind = f.kind }
        if r.parentID == nil { r.parentID = f.parentID }
        if r.timestamp == nil { r.timestamp = f.timestamp }
        if r.duration == 0 { r.duration = f.duration }
        if r.service.isEmpty { r.service = f.service }
        if r.remoteService == nil { r.remoteService = f.remoteService }
        for tag in f.tags {
            if let i = r.tags.firstIndex(where: { $0.key == tag.key }) { r.tags[i] = tag } else { r.tags.append(tag) }
        }
        for a in f.annotations where !r.annotations.contains(a) { r.annotations.append(a) }
        r.annotations.sort { $0.timeNanos < $1.timeNanos }
    }

    /// The span a joined record makes.
    static func span(_ r: Record) -> Span {
        var tags = r.tags
        var status = SpanStatus.unset
        if let code = (tags[key: "otel.status_code"] ?? tags[key: "ot.status_code"])?.stringValue?.uppercased() {
            status.code = code == "ERROR" ? .error : code == "OK" ? .ok : .unset
            status.message = (tags[key: "otel.status_description"] ?? tags[key: "ot.status_description"])?.stringValue ?? ""
        }
        if let error = tags[key: "error"] {
            status.code = .error
            if status.message.isEmpty, let text = error.stringValue, text.lowercased() != "true" { status.message = text }
        }
        if let remote = r.remoteService, tags[key: "peer.service"] == nil {
            tags.append(Attribute("peer.service", .string(remote)))
        }
        if r.shared, tags[key: sharedKey] == nil {
            // Keeps the span's own id: the tree builder makes it the child of the client half
            // with the same id when there is one (B3 single-span RPC), as Zipkin draws it.
            tags.append(Attribute(sharedKey, .bool(true)))
        }
        let parent = r.parentID.flatMap { $0.isEmpty ? nil : SpanID($0) }
        let origin = SpanOrigin(resource: r.service.isEmpty ? [] : [Attribute("service.name", .string(r.service))],
                                scopeName: tags[key: "otel.scope.name"]?.stringValue ?? tags[key: "otel.library.name"]?.stringValue ?? "")
        let timestamp = r.timestamp ?? 0
        return Span(traceID: TraceID(r.traceID), spanID: SpanID(r.id), parentID: parent, name: r.name, service: r.service,
                    kind: r.kind ?? .internal, startNanos: timestamp.multiplied(saturating: 1_000),
                    endNanos: timestamp.adding(saturating: r.duration).multiplied(saturating: 1_000),
                    status: status, attributes: tags, events: r.annotations, origin: origin)
    }

    /// The attribute that marks a Zipkin `shared: true` server span (see `Trace`'s shared halves).
    static let sharedKey = Trace.sharedSpanKey

    private mutating func readRecord(place: (line: Int, column: Int)) throws(JSONSyntaxError) -> Result<Record, SpanProblem> {
        guard scanner.peekToken() == .object else {
            try scanner.skipValue()
            return .failure(SpanProblem(message: "a span is not an object"))
        }
        var traceID: String?
        var id: String?
        var parentID: String?
        var name = ""
        var kind: SpanKind?
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
        return .success(Record(traceID: traceID, id: id, parentID: parentID, name: name, kind: kind, timestamp: timestamp,
                               duration: duration, service: service, remoteService: remoteService, tags: tags,
                               annotations: annotations, shared: shared, place: place))
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
