import TraceConventions
import TraceModel

/// Reads Jaeger's JSON: the query API's `GET /api/traces/{id}` and `/api/traces?service=…`
/// answers and Jaeger UI's "Download JSON" — `{"data": [trace, …]}` — as well as a bare trace
/// object or a list of them.
///
/// Shape from jaegertracing/jaeger's UI model (model/json/model.go): a trace has `traceID`,
/// `spans` and `processes` (processID → `{serviceName, tags}`); a span has `traceID`, `spanID`,
/// `operationName`, `references` (`CHILD_OF` / `FOLLOWS_FROM`), `startTime` and `duration` in
/// microseconds, `tags` (`{key, type, value}` with type string/bool/int64/float64/binary),
/// `logs` (`{timestamp, fields}`), `processID`. OpenTelemetry data converted to Jaeger keeps the
/// span kind in `span.kind`, the status in `otel.status_code`/`otel.status_description` (and
/// `error=true`), and the scope in `otel.scope.name`/`otel.library.name`.
struct JaegerJSONReader: SpanListReader {
    var scanner: JSONScanner
    var interner = StringInterner()

    init(scanner: JSONScanner) { self.scanner = scanner }

    /// A span as read, before its process (service) is known: processes may come after spans.
    struct RawSpan {
        var span: Span
        var processID: String
    }

    static let expectedTopLevel = "Jaeger JSON"

    mutating func readListedTrace(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        try readTrace(into: &out, source: source)
    }

    /// `{"data": [...]}` or a single trace object.
    mutating func readTopObject(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        let start = scanner.pos
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "data") {
                // `{"data": {trace}}`: one trace instead of a list (some proxies and exports write it).
                if scanner.peekToken() == .object { try readTrace(into: &out, source: source); continue }
                guard scanner.peekToken() == .array else { try scanner.skipValue(); continue }
                var arr = try scanner.beginArray()
                while try scanner.nextElement(&arr) { try readTrace(into: &out, source: source) }
            } else if scanner.key(key, is: "traceID") || scanner.key(key, is: "spans") || scanner.key(key, is: "processes") {
                // A bare trace object: read it again from the start as one trace.
                scanner.pos = start
                try readTrace(into: &out, source: source)
                return
            } else {
                try scanner.skipValue()
            }
        }
    }

    private mutating func readTrace(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return }
        var raws: [RawSpan] = []
        var traceWarnings: [String] = []
        var processes: [String: (service: String, tags: [Attribute])] = [:]
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "spans") {
                guard scanner.peekToken() == .array else { try scanner.skipValue(); continue }
                try readSpans(into: &raws, &out, source: source)
            } else if scanner.key(key, is: "processes") {
                processes = try readProcesses()
            } else if scanner.key(key, is: "warnings") {
                traceWarnings = try readWarnings()
            } else {
                try scanner.skipValue()
            }
        }
        // Jaeger's own warnings (clock skew adjusted, invalid parent, …) are shown under `w`.
        let traceLabel = raws.first.map { "trace \($0.span.traceID)" } ?? "a trace"
        for w in traceWarnings { out.warn("\(source): \(traceLabel): Jaeger warning: \(w)") }
        for raw in raws {
            guard case .array(let list)? = raw.span.attributes[key: JaegerJSONReader.warningsKey] else { continue }
            for w in list { out.warn("\(source): \(traceLabel) span \(raw.span.spanID): Jaeger warning: \(w.displayText)") }
        }
        var origins: [String: SpanOrigin] = [:]
        for raw in raws {
            var span = raw.span
            if let p = processes[raw.processID] {
                span.service = p.service
                let scope = span.attributes[key: "otel.scope.name"]?.stringValue ?? span.attributes[key: "otel.library.name"]?.stringValue ?? ""
                let originKey = raw.processID + "\u{0}" + scope
                if origins[originKey] == nil {
                    var resource = p.tags
                    if resource[key: "service.name"] == nil { resource.insert(Attribute("service.name", .string(p.service)), at: 0) }
                    origins[originKey] = SpanOrigin(resource: resource, scopeName: scope,
                                                    scopeVersion: span.attributes[key: "otel.scope.version"]?.stringValue ?? "")
                }
                span.origin = origins[originKey]!
            }
            out.add(span)
        }
    }

    private mutating func readProcesses() throws(JSONSyntaxError) -> [String: (service: String, tags: [Attribute])] {
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return [:] }
        var out: [String: (service: String, tags: [Attribute])] = [:]
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            let id = scanner.keyString(key)
            guard scanner.peekToken() == .object else { try scanner.skipValue(); continue }
            var service = ""
            var tags: [Attribute] = []
            var inner = try scanner.beginObject()
            while let k = try scanner.nextKey(&inner) {
                if scanner.key(k, is: "serviceName"), scanner.peekToken() == .string {
                    service = try scanner.internedString(&interner)
                } else if scanner.key(k, is: "tags") {
                    tags = try readTags()
                } else {
                    try scanner.skipValue()
                }
            }
            out[id] = (service, tags)
        }
        return out
    }

    mutating func readSpan() throws(JSONSyntaxError) -> Result<RawSpan, SpanProblem> {
        guard scanner.peekToken() == .object else {
            try scanner.skipValue()
            return .failure(SpanProblem(message: "a span is not an object"))
        }
        var traceID: String?
        var spanID: String?
        var name = ""
        var start: Int64?
        var duration: Int64 = 0
        var references: [(type: String, trace: String, span: String)] = []
        var tags: [Attribute] = []
        var logs: [SpanEvent] = []
        var processID = ""
        var warnings: [String] = []
        var problem: String?
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "traceID") {
                traceID = try scanner.optionalString(&problem, "traceID")
            } else if scanner.key(key, is: "spanID") {
                spanID = try scanner.optionalString(&problem, "spanID")
            } else if scanner.key(key, is: "operationName") {
                if scanner.peekToken() == .string { name = try scanner.internedString(&interner) } else { _ = try scanner.optionalString(&problem, "operationName") }
            } else if scanner.key(key, is: "references") {
                references = try readReferences()
            } else if scanner.key(key, is: "startTime") {
                start = try scanner.microseconds(&problem, "startTime")
            } else if scanner.key(key, is: "duration") {
                duration = try scanner.microseconds(&problem, "duration") ?? 0
            } else if scanner.key(key, is: "tags") {
                tags = try readTags()
            } else if scanner.key(key, is: "logs") {
                logs = try readLogs()
            } else if scanner.key(key, is: "processID") {
                processID = try scanner.optionalString(&problem, "processID") ?? ""
            } else if scanner.key(key, is: "warnings") {
                warnings = try readWarnings()
            } else {
                try scanner.skipValue()
            }
        }
        if let p = problem { return .failure(SpanProblem(message: p)) }
        guard let traceID, !traceID.isEmpty else { return .failure(SpanProblem(message: "missing 'traceID'")) }
        guard let spanID, !spanID.isEmpty else { return .failure(SpanProblem(message: "missing 'spanID'")) }
        guard let start else { return .failure(SpanProblem(message: "span \(spanID) has no 'startTime'")) }

        // The parent is the first CHILD_OF reference in this trace, else the first FOLLOWS_FROM;
        // every other reference becomes a link.
        let parentRef = references.firstIndex { $0.type == "CHILD_OF" && $0.trace == traceID }
            ?? references.firstIndex { $0.trace == traceID }
        var links: [SpanLink] = []
        for (i, r) in references.enumerated() where i != parentRef {
            links.append(SpanLink(traceID: TraceID(r.trace), spanID: SpanID(r.span),
                                  attributes: [Attribute("jaeger.ref_type", .string(r.type))]))
        }
        if let p = parentRef, references[p].type == "FOLLOWS_FROM" {
            // Async work (a queue consumer, a fire-and-forget task): shown as such on the row and in details.
            tags.append(Attribute(JaegerJSONReader.refTypeKey, .string("FOLLOWS_FROM")))
        }
        if !warnings.isEmpty {
            tags.append(Attribute(JaegerJSONReader.warningsKey, .array(warnings.map { .string($0) })))
        }
        var kind = SpanKind.internal
        switch tags[key: "span.kind"]?.stringValue?.lowercased() {
        case "server": kind = .server
        case "client": kind = .client
        case "producer": kind = .producer
        case "consumer": kind = .consumer
        default: break
        }
        var status = SpanStatus.unset
        if let code = tags[key: "otel.status_code"]?.stringValue?.uppercased() {
            status.code = code == "ERROR" ? .error : code == "OK" ? .ok : .unset
            status.message = tags[key: "otel.status_description"]?.stringValue ?? ""
        }
        if let error = tags[key: "error"], error.boolValue ?? true {
            status.code = .error
        }
        if status.isError, status.message.isEmpty,
           let message = logs.first(where: { $0.name == "error" || $0.name == "exception" })?
               .attributes.first(where: { $0.key == "message" || $0.key == "exception.message" || $0.key == "error.object" })?.value {
            status.message = message.displayText
        }
        let span = Span(traceID: TraceID(traceID), spanID: SpanID(spanID),
                        parentID: parentRef.map { SpanID(references[$0].span) }, name: name, kind: kind,
                        startNanos: start.multiplied(saturating: 1_000),
                        endNanos: start.adding(saturating: duration).multiplied(saturating: 1_000), status: status,
                        attributes: tags, events: logs, links: links)
        return .success(RawSpan(span: span, processID: processID))
    }

    /// The attribute holding a span's Jaeger `warnings`.
    static let warningsKey = "jaeger.warnings"
    /// The attribute naming the reference type to the parent when it is not CHILD_OF.
    static let refTypeKey = "jaeger.ref_type"

    /// A `warnings` list of strings (Jaeger writes `null` when there are none).
    private mutating func readWarnings() throws(JSONSyntaxError) -> [String] {
        guard scanner.peekToken() == .array else { try scanner.skipValue(); return [] }
        var out: [String] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            if scanner.peekToken() == .string { out.append(try scanner.readString()) } else { try scanner.skipValue() }
        }
        return out
    }

    private mutating func readReferences() throws(JSONSyntaxError) -> [(type: String, trace: String, span: String)] {
        guard scanner.peekToken() == .array else { try scanner.skipValue(); return [] }
        var out: [(type: String, trace: String, span: String)] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            guard scanner.peekToken() == .object else { try scanner.skipValue(); continue }
            var type = "CHILD_OF", trace = "", span = ""
            var obj = try scanner.beginObject()
            while let key = try scanner.nextKey(&obj) {
                guard scanner.peekToken() == .string else { try scanner.skipValue(); continue }
                if scanner.key(key, is: "refType") { type = try scanner.readString().uppercased() }
                else if scanner.key(key, is: "traceID") { trace = try scanner.readString() }
                else if scanner.key(key, is: "spanID") { span = try scanner.readString() }
                else { try scanner.skipValue() }
            }
            if !span.isEmpty { out.append((type, trace, span)) }
        }
        return out
    }

    /// Jaeger key-value tags: `{"key", "type", "value"}`.
    private mutating func readTags() throws(JSONSyntaxError) -> [Attribute] {
        guard scanner.peekToken() == .array else { try scanner.skipValue(); return [] }
        var out: [Attribute] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            guard scanner.peekToken() == .object else { try scanner.skipValue(); continue }
            var key: String?
            var type = "string"
            var value = AttributeValue.empty
            var obj = try scanner.beginObject()
            while let k = try scanner.nextKey(&obj) {
                if scanner.key(k, is: "key"), scanner.peekToken() == .string {
                    key = try scanner.internedString(&interner)
                } else if scanner.key(k, is: "type"), scanner.peekToken() == .string {
                    type = try scanner.readString().lowercased()
                } else if scanner.key(k, is: "value") {
                    value = try scanner.readValue().attributeValue
                } else {
                    try scanner.skipValue()
                }
            }
            guard let key else { continue }
            // The declared type wins over how the value happened to be written.
            switch type {
            case "int64": if let v = value.intValue { value = .int(v) }
            case "float64": if let v = value.doubleValue { value = .double(v) }
            case "bool": if let v = value.boolValue { value = .bool(v) }
            case "binary":
                if var text = value.stringValue { value = text.withUTF8 { .bytes(Identifier.base64($0) ?? Array($0)) } }
            default: break
            }
            out.append(Attribute(key, value))
        }
        return out
    }

    /// Logs become events, named by their `event` field (or `message`).
    private mutating func readLogs() throws(JSONSyntaxError) -> [SpanEvent] {
        guard scanner.peekToken() == .array else { try scanner.skipValue(); return [] }
        var out: [SpanEvent] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            guard scanner.peekToken() == .object else { try scanner.skipValue(); continue }
            var event = SpanEvent(timeNanos: 0, name: "")
            var obj = try scanner.beginObject()
            while let k = try scanner.nextKey(&obj) {
                if scanner.key(k, is: "timestamp"), scanner.peekToken() == .number {
                    if case .int(let v) = try scanner.readNumber(), v >= 0, v < Int64.max / 1_000 { event.timeNanos = v * 1_000 }
                } else if scanner.key(k, is: "fields") {
                    event.attributes = try readTags()
                } else {
                    try scanner.skipValue()
                }
            }
            if let name = (event.attributes[key: "event"] ?? event.attributes[key: "message"])?.stringValue {
                event.name = name
                event.attributes.removeAll { $0.key == "event" }
            } else {
                event.name = "log"
            }
            out.append(event)
        }
        return out
    }
}
