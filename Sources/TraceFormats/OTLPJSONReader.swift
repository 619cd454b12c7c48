import TraceConventions
import TraceModel

/// Reads OTLP JSON: one `ExportTraceServiceRequest` object, or several in a row (the collector
/// file exporter writes one per line).
///
/// Encoding rules from the OTLP specification, "JSON Protobuf Encoding"
/// (https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#json-protobuf-encoding):
/// trace and span ids are hex strings (not base64); enum values are integers; keys are
/// lowerCamelCase; 64-bit integers follow the protobuf JSON mapping (decimal strings, numbers
/// accepted); unknown fields are ignored. Readers in the wild also meet the proto field names
/// (snake_case), base64 ids, enum names as strings, and the pre-1.0 `instrumentationLibrarySpans`;
/// all are accepted here.
struct OTLPJSONReader {
    var scanner: JSONScanner
    var interner: StringInterner
    /// The first problem found in the span being read; the span is skipped when set.
    private var problem: String?
    private var problemOffset = 0

    init(scanner: JSONScanner, interner: StringInterner = StringInterner()) {
        self.scanner = scanner
        self.interner = interner
    }

    /// Told every few megabytes how far the reader got (an offset in the scanner's bytes), so
    /// the bytes before it can be released.
    var progress: ((Int) -> Void)?
    private var lastProgress = 0
    private static let progressStep = 8 << 20

    /// Values up to this length are interned: model names, HTTP methods and the like repeat.
    static let internLimit = 48

    // MARK: Document

    /// Reads every request object in the buffer into `out`. Throws on syntax errors; spans read
    /// before the error stay in `out`.
    /// Returns how many request objects there were (more than one: JSON Lines).
    @discardableResult
    mutating func readAll(into out: inout SpanCollector, source: String, allowEmpty: Bool = false) throws(JSONSyntaxError) -> Int {
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd || stopped { break }
            // Counted when started, so a file cut off in its second line still reads as JSON Lines.
            requestsRead += 1
            try readRequest(into: &out, source: source)
        }
        if requestsRead == 0 && !allowEmpty { throw scanner.error("no JSON object found") }
        return requestsRead
    }

    /// Request objects started so far (more than one: JSON Lines).
    private(set) var requestsRead = 0

    /// Where this reader stops: the start of the `resourceSpans` entry another reader takes over
    /// (a large request parsed in parallel pieces); nil reads to the end.
    var stopAt: Int?
    /// Set when the reader stopped at `stopAt`.
    private(set) var stopped = false

    /// Reads one `ExportTraceServiceRequest`, or one of the wrappers backends put around it:
    /// Jaeger's query API v3 `{"result": …}` (api_v3 GetTrace/FindTraces, whose stream is one
    /// such object per chunk), Tempo's `{"trace": …}` (`/api/v2/traces/{id}`) and Tempo's
    /// `batches`, its older name for `resourceSpans`. Requests of other signals (collector file
    /// exporter output mixes `resourceLogs` and `resourceMetrics` lines with spans) are counted
    /// and skipped.
    mutating func readRequest(into out: inout SpanCollector, source: String, wrapperDepth: Int = 0) throws(JSONSyntaxError) {
        guard scanner.peekToken() == .object else {
            throw scanner.error("expected an OTLP JSON object, found \(scanner.describeCurrent())")
        }
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "resourceSpans") || scanner.key(key, is: "resource_spans") || scanner.key(key, is: "batches") {
                guard scanner.peekToken() == .array else {
                    warn(&out, source, "'\(scanner.keyString(key))' is not an array; skipped")
                    try scanner.skipValue()
                    continue
                }
                var arr = try scanner.beginArray()
                try readResourceSpansEntries(&arr, into: &out, source: source)
                if stopped { return }
            } else if scanner.key(key, is: "result") || scanner.key(key, is: "trace") {
                // Wrappers nest a request; hostile files could nest them without end.
                guard scanner.peekToken() == .object, wrapperDepth < 4 else { try scanner.skipValue(); continue }
                try readRequest(into: &out, source: source, wrapperDepth: wrapperDepth + 1)
                if stopped { return }
            } else if let signal = OTLPJSONReader.otherSignal(scanner, key) {
                out.skipLine(signal: signal)
                try scanner.skipValue()
            } else {
                try scanner.skipValue()
            }
        }
    }

    /// The signal an OTLP request key holds when it is not traces (`logs`, `metrics`, `profiles`).
    static func otherSignal(_ scanner: JSONScanner, _ key: JSONKey) -> String? {
        if scanner.key(key, is: "resourceLogs") || scanner.key(key, is: "resource_logs") { return "logs" }
        if scanner.key(key, is: "resourceMetrics") || scanner.key(key, is: "resource_metrics") { return "metrics" }
        if scanner.key(key, is: "resourceProfiles") || scanner.key(key, is: "resource_profiles") { return "profiles" }
        return nil
    }

    /// Reads `resourceSpans` entries up to the array's end, or up to `stopAt`.
    private mutating func readResourceSpansEntries(_ arr: inout JSONContainer, into out: inout SpanCollector,
                                                   source: String) throws(JSONSyntaxError) {
        while try scanner.nextElement(&arr) {
            if let stopAt {
                scanner.skipWhitespace()
                if scanner.pos >= stopAt {
                    stopped = true
                    return
                }
            }
            try readResourceSpans(into: &out, source: source)
        }
    }

    /// Reads from the start of a `resourceSpans` entry in the middle of a request (where another
    /// reader stopped) to the end of the buffer: the remaining entries, the rest of that request,
    /// and any requests after it.
    mutating func readFromEntry(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        var arr = JSONContainer()
        // The first entry is read as though its comma were already consumed.
        try readResourceSpans(into: &out, source: source)
        arr.first = false
        try readResourceSpansEntries(&arr, into: &out, source: source)
        if stopped { return }
        // The rest of the request object that held the array: other keys until its end.
        var obj = JSONContainer()
        obj.first = false
        while try scanner.nextKey(&obj) != nil { try scanner.skipValue() }
        try readAll(into: &out, source: source, allowEmpty: true)
    }

    private mutating func warn(_ out: inout SpanCollector, _ source: String, _ message: String, at offset: Int? = nil) {
        out.warn(source, scanner.lineAndColumn(of: offset ?? scanner.pos), message)
    }

    private mutating func readResourceSpans(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        guard scanner.peekToken() == .object else {
            warn(&out, source, "a resourceSpans entry is not an object; skipped")
            try scanner.skipValue()
            return
        }
        var resource: [Attribute] = []
        var spans: [Span] = []
        var scopes: [(range: Range<Int>, name: String, version: String)] = []
        // The resource may come after the spans in the object, so service and origin are set at
        // the end — also when the text breaks off midway, so a truncated file keeps its spans.
        func flush(_ out: inout SpanCollector) {
            let service = resource[key: "service.name"]?.stringValue ?? ""
            var covered = 0
            for scope in scopes {
                let origin = SpanOrigin(resource: resource, scopeName: scope.name, scopeVersion: scope.version)
                for i in scope.range {
                    spans[i].service = service
                    spans[i].origin = origin
                    out.add(spans[i])
                }
                covered = scope.range.upperBound
            }
            let origin = SpanOrigin(resource: resource)
            for i in covered..<spans.count {
                spans[i].service = service
                spans[i].origin = origin
                out.add(spans[i])
            }
        }
        do {
            try readResourceSpansMembers(&resource, &spans, &scopes, into: &out, source: source)
        } catch {
            flush(&out)
            throw error
        }
        flush(&out)
    }

    private mutating func readResourceSpansMembers(_ resource: inout [Attribute], _ spans: inout [Span],
                                                   _ scopes: inout [(range: Range<Int>, name: String, version: String)],
                                                   into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        var obj = try scanner.beginObject()
        var resourceRead = false
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "resource") {
                resource = try readResource()
                resourceRead = true
            } else if scanner.key(key, is: "scopeSpans") || scanner.key(key, is: "scope_spans")
                        || scanner.key(key, is: "instrumentationLibrarySpans")
                        || scanner.key(key, is: "instrumentation_library_spans") {
                guard scanner.peekToken() == .array else {
                    warn(&out, source, "'scopeSpans' is not an array; skipped")
                    try scanner.skipValue()
                    continue
                }
                var arr = try scanner.beginArray()
                while try scanner.nextElement(&arr) {
                    let first = spans.count
                    let direct = resourceRead ? (resource[key: "service.name"]?.stringValue ?? "", resource) : nil
                    let (name, version) = try readScopeSpans(into: &spans, out: &out, source: source, direct: direct)
                    scopes.append((first..<spans.count, name, version))
                }
            } else {
                try scanner.skipValue()
            }
        }
    }

    private mutating func readResource() throws(JSONSyntaxError) -> [Attribute] {
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return [] }
        var attrs: [Attribute] = []
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "attributes") {
                attrs = try readAttributes()
            } else {
                try scanner.skipValue()
            }
        }
        return attrs
    }

    /// Reads one `ScopeSpans`. Spans go straight to `out` when the resource and scope are already
    /// known (exporters write them first), saving a copy of every span; otherwise into `spans`,
    /// to be completed when the enclosing object ends.
    private mutating func readScopeSpans(into spans: inout [Span], out: inout SpanCollector, source: String,
                                         direct: (service: String, resource: [Attribute])?) throws(JSONSyntaxError) -> (String, String) {
        var name = "", version = ""
        var scopeRead = false
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return (name, version) }
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "scope") || scanner.key(key, is: "instrumentationLibrary")
                || scanner.key(key, is: "instrumentation_library") {
                (name, version) = try readScope()
                scopeRead = true
            } else if scanner.key(key, is: "spans") {
                var origin: SpanOrigin?
                if let direct, scopeRead {
                    origin = SpanOrigin(resource: direct.resource, scopeName: name, scopeVersion: version)
                }
                guard scanner.peekToken() == .array else {
                    warn(&out, source, "'spans' is not an array; skipped")
                    try scanner.skipValue()
                    continue
                }
                var arr = try scanner.beginArray()
                while try scanner.nextElement(&arr) {
                    if let progress, scanner.pos - lastProgress >= OTLPJSONReader.progressStep {
                        lastProgress = scanner.pos
                        progress(scanner.pos)
                    }
                    if var span = try readSpan() {
                        if let origin, let direct {
                            span.service = direct.service
                            span.origin = origin
                            out.add(span)
                        } else {
                            spans.append(span)
                        }
                    } else {
                        out.skipSpan(source, scanner.lineAndColumn(of: problemOffset), problem ?? "unreadable")
                    }
                }
            } else {
                try scanner.skipValue()
            }
        }
        return (name, version)
    }

    private mutating func readScope() throws(JSONSyntaxError) -> (String, String) {
        var name = "", version = ""
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return (name, version) }
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "name"), scanner.peekToken() == .string {
                name = try scanner.internedString(&interner)
            } else if scanner.key(key, is: "version"), scanner.peekToken() == .string {
                version = try scanner.internedString(&interner)
            } else {
                try scanner.skipValue()
            }
        }
        return (name, version)
    }

    // MARK: Span

    private mutating func fail(_ message: String, at offset: Int) {
        if problem == nil {
            problem = message
            problemOffset = offset
        }
    }

    /// Reads one span object; nil (with `problem` set) when it is not usable.
    mutating func readSpan() throws(JSONSyntaxError) -> Span? {
        problem = nil
        // Warnings point at the span itself, not at the line break before it.
        scanner.skipWhitespace()
        let spanStart = scanner.pos
        guard scanner.peekToken() == .object else {
            fail("a span is not an object", at: scanner.pos)
            try scanner.skipValue()
            return nil
        }
        var traceID: TraceID?
        var spanID: SpanID?
        var parentID: SpanID?
        var name = ""
        var kind = SpanKind.unspecified
        var start: Int64?
        var end: Int64?
        var status = SpanStatus.unset
        var attributes: [Attribute] = []
        var events: [SpanEvent] = []
        var links: [SpanLink] = []

        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            let at = scanner.pos
            switch scanner.bytes[key.start] {
            case UInt8(ascii: "t"):
                if scanner.key(key, is: "traceId") || scanner.key(key, is: "trace_id") {
                    traceID = try readID(field: "traceId").map(TraceID.init)
                } else { try scanner.skipValue() }
            case UInt8(ascii: "s"):
                if scanner.key(key, is: "spanId") || scanner.key(key, is: "span_id") {
                    spanID = try readID(field: "spanId").map(SpanID.init)
                } else if scanner.key(key, is: "startTimeUnixNano") || scanner.key(key, is: "start_time_unix_nano") {
                    start = try readNanos(field: "startTimeUnixNano")
                } else if scanner.key(key, is: "status") {
                    status = try readStatus()
                } else { try scanner.skipValue() }
            case UInt8(ascii: "p"):
                if scanner.key(key, is: "parentSpanId") || scanner.key(key, is: "parent_span_id") {
                    if let id = try readID(field: "parentSpanId", allowEmpty: true), !id.isZero { parentID = SpanID(id) }
                } else { try scanner.skipValue() }
            case UInt8(ascii: "n"):
                if scanner.key(key, is: "name") {
                    if scanner.peekToken() == .string { name = try scanner.internedString(&interner) } else {
                        fail("'name' must be a string", at: at)
                        try scanner.skipValue()
                    }
                } else { try scanner.skipValue() }
            case UInt8(ascii: "k"):
                if scanner.key(key, is: "kind") { kind = try readKind() } else { try scanner.skipValue() }
            case UInt8(ascii: "e"):
                if scanner.key(key, is: "endTimeUnixNano") || scanner.key(key, is: "end_time_unix_nano") {
                    end = try readNanos(field: "endTimeUnixNano")
                } else if scanner.key(key, is: "events") {
                    if keepAttribute == nil { events = try readEvents() } else { try scanner.skipValue() }
                } else { try scanner.skipValue() }
            case UInt8(ascii: "a"):
                if scanner.key(key, is: "attributes") { attributes = try readAttributes(filtered: true) } else { try scanner.skipValue() }
            case UInt8(ascii: "l"):
                if scanner.key(key, is: "links"), keepAttribute == nil { links = try readLinks() } else { try scanner.skipValue() }
            default:
                try scanner.skipValue()
            }
        }
        if problem != nil { return nil }
        guard let traceID, !traceID.raw.isZero else { fail("missing 'traceId'", at: spanStart); return nil }
        guard let spanID, !spanID.raw.isZero else { fail("missing 'spanId'", at: spanStart); return nil }
        guard let start else { fail("span \(spanID) has no 'startTimeUnixNano'", at: spanStart); return nil }
        return Span(traceID: traceID, spanID: spanID, parentID: parentID, name: name, kind: kind,
                    startNanos: start, endNanos: end ?? start, status: status,
                    attributes: attributes, events: events, links: links)
    }

    private mutating func readID(field: String, allowEmpty: Bool = false) throws(JSONSyntaxError) -> Identifier? {
        let at = scanner.pos
        guard scanner.peekToken() == .string else {
            if scanner.skipNull() {
                if !allowEmpty { fail("'\(field)' is null", at: at) }
                return nil
            }
            fail("'\(field)' must be a hex string", at: at)
            try scanner.skipValue()
            return nil
        }
        var decoded = ""
        if let raw = try scanner.readStringBytes(&decoded) {
            if raw.isEmpty { return allowEmpty ? nil : Identifier.text("") }
            return Identifier(utf8: raw)
        }
        return Identifier(parsing: decoded)
    }

    /// Reads a 64-bit nanosecond time: a decimal string (the spec's form) or a number.
    private mutating func readNanos(field: String) throws(JSONSyntaxError) -> Int64? {
        let at = scanner.pos
        switch scanner.peekToken() {
        case .string:
            var decoded = ""
            if let raw = try scanner.readStringBytes(&decoded) {
                if let v = OTLPJSONReader.parseUInt(raw) { return v }
                // A fixed64 past Int64.max (Jaeger's api_v3 snapshots have one): saturate; the
                // collector then clamps it into `Span.timeRange` and says so.
                if raw.count <= 20, raw.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), UInt64(String(decoding: raw, as: UTF8.self)) != nil {
                    return Int64.max
                }
            }
            fail("'\(field)' is not a whole number of nanoseconds", at: at)
            return nil
        case .number:
            switch try scanner.readNumber() {
            case .int(let v) where v >= 0: return v
            case .double(let d) where d >= 0 && d < 9.2e18: return Int64(d)
            default:
                fail("'\(field)' is out of range", at: at)
                return nil
            }
        default:
            fail("'\(field)' must be a string of digits", at: at)
            try scanner.skipValue()
            return nil
        }
    }

    static func parseUInt(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !raw.isEmpty, raw.count <= 19 else { return nil }
        var v: Int64 = 0
        for c in raw {
            let d = c &- 0x30
            guard d <= 9 else { return nil }
            v = v &* 10 &+ Int64(d)
        }
        return v >= 0 ? v : nil
    }

    private mutating func readEnum(field: String, names: [String], prefix: String) throws(JSONSyntaxError) -> Int? {
        let at = scanner.pos
        switch scanner.peekToken() {
        case .number:
            if case .int(let v) = try scanner.readNumber(), v >= 0, v < names.count { return Int(v) }
            fail("'\(field)' has an unknown value (expected 0–\(names.count - 1))", at: at)
            return nil
        case .string:
            let s = try scanner.readString()
            let bare = s.hasPrefix(prefix) ? String(s.dropFirst(prefix.count)) : s
            if let i = names.firstIndex(of: bare.uppercased()) { return i }
            if let v = Int(s), v >= 0, v < names.count { return v }
            fail("'\(field)' has an unknown value \"\(s.prefix(40))\"", at: at)
            return nil
        case .null:
            _ = scanner.skipNull()
            return 0
        default:
            fail("'\(field)' must be an integer", at: at)
            try scanner.skipValue()
            return nil
        }
    }

    private static let kindNames = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]
    private static let statusNames = ["UNSET", "OK", "ERROR"]

    private mutating func readKind() throws(JSONSyntaxError) -> SpanKind {
        let v = try readEnum(field: "kind", names: OTLPJSONReader.kindNames, prefix: "SPAN_KIND_")
        return v.flatMap { SpanKind(rawValue: UInt8($0)) } ?? .unspecified
    }

    private mutating func readStatus() throws(JSONSyntaxError) -> SpanStatus {
        guard scanner.peekToken() == .object else {
            if !scanner.skipNull() {
                fail("'status' must be an object", at: scanner.pos)
                try scanner.skipValue()
            }
            return .unset
        }
        var status = SpanStatus.unset
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "code") {
                let v = try readEnum(field: "status.code", names: OTLPJSONReader.statusNames, prefix: "STATUS_CODE_")
                status.code = v.flatMap { SpanStatus.Code(rawValue: UInt8($0)) } ?? .unset
            } else if scanner.key(key, is: "message"), scanner.peekToken() == .string {
                status.message = try scanner.readString()
            } else {
                try scanner.skipValue()
            }
        }
        return status
    }

    private mutating func readEvents() throws(JSONSyntaxError) -> [SpanEvent] {
        guard scanner.peekToken() == .array else {
            if !scanner.skipNull() { fail("'events' must be an array", at: scanner.pos); try scanner.skipValue() }
            return []
        }
        var events: [SpanEvent] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            guard scanner.peekToken() == .object else {
                fail("an event is not an object", at: scanner.pos)
                try scanner.skipValue()
                continue
            }
            var event = SpanEvent(timeNanos: 0, name: "")
            var obj = try scanner.beginObject()
            while let key = try scanner.nextKey(&obj) {
                if scanner.key(key, is: "timeUnixNano") || scanner.key(key, is: "time_unix_nano") {
                    event.timeNanos = try readNanos(field: "events.timeUnixNano") ?? 0
                } else if scanner.key(key, is: "name"), scanner.peekToken() == .string {
                    event.name = try scanner.internedString(&interner)
                } else if scanner.key(key, is: "attributes") {
                    event.attributes = try readAttributes()
                } else {
                    try scanner.skipValue()
                }
            }
            events.append(event)
        }
        return events
    }

    private mutating func readLinks() throws(JSONSyntaxError) -> [SpanLink] {
        guard scanner.peekToken() == .array else {
            if !scanner.skipNull() { fail("'links' must be an array", at: scanner.pos); try scanner.skipValue() }
            return []
        }
        var links: [SpanLink] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            guard scanner.peekToken() == .object else { try scanner.skipValue(); continue }
            var traceID: Identifier?
            var spanID: Identifier?
            var attributes: [Attribute] = []
            var obj = try scanner.beginObject()
            while let key = try scanner.nextKey(&obj) {
                if scanner.key(key, is: "traceId") || scanner.key(key, is: "trace_id") {
                    traceID = try readID(field: "links.traceId", allowEmpty: true)
                } else if scanner.key(key, is: "spanId") || scanner.key(key, is: "span_id") {
                    spanID = try readID(field: "links.spanId", allowEmpty: true)
                } else if scanner.key(key, is: "attributes") {
                    attributes = try readAttributes()
                } else {
                    try scanner.skipValue()
                }
            }
            if let traceID, let spanID {
                links.append(SpanLink(traceID: TraceID(traceID), spanID: SpanID(spanID), attributes: attributes))
            }
        }
        return links
    }

    // MARK: Attributes

    /// When set, span attributes whose key this rejects are skipped unread (`TraceLoader.Detail.summary`).
    var keepAttribute: ((UnsafeBufferPointer<UInt8>) -> Bool)?

    /// Reads a `KeyValue` list. Entries that are not well-formed are dropped (the span stays).
    mutating func readAttributes(filtered: Bool = false) throws(JSONSyntaxError) -> [Attribute] {
        guard scanner.peekToken() == .array else {
            if !scanner.skipNull() { fail("'attributes' must be an array", at: scanner.pos); try scanner.skipValue() }
            return []
        }
        var attrs: [Attribute] = []
        var arr = try scanner.beginArray()
        let filter = filtered ? keepAttribute : nil
        while try scanner.nextElement(&arr) {
            if let a = try readKeyValue(depth: 0, keep: filter) { attrs.append(a) }
        }
        return attrs
    }

    private mutating func readKeyValue(depth: Int, keep: ((UnsafeBufferPointer<UInt8>) -> Bool)? = nil) throws(JSONSyntaxError) -> Attribute? {
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return nil }
        var key: String?
        var value = AttributeValue.empty
        var obj = try scanner.beginObject()
        while let k = try scanner.nextKey(&obj) {
            if scanner.key(k, is: "key"), scanner.peekToken() == .string {
                if let keep {
                    // Decide on the key's bytes before making a String of it; a rejected entry's
                    // value (often a long message text) is skipped without being decoded.
                    var decoded = ""
                    let raw = try scanner.readStringBytes(&decoded)
                    let wanted = raw.map(keep) ?? decoded.utf8.withContiguousStorageIfAvailable(keep) ?? true
                    guard wanted else {
                        while try scanner.nextKey(&obj) != nil { try scanner.skipValue() }
                        return nil
                    }
                    key = raw.map { interner.intern($0) } ?? interner.intern(decoded)
                } else {
                    key = try scanner.internedString(&interner)
                }
            } else if scanner.key(k, is: "value") {
                value = try readAnyValue(depth: depth)
            } else {
                try scanner.skipValue()
            }
        }
        return key.map { Attribute($0, value) }
    }

    /// Nesting of arrays and maps deeper than this is replaced by a marker (the reader recurses here).
    static let maxValueDepth = 32

    /// Reads an OTLP `AnyValue` object.
    mutating func readAnyValue(depth: Int) throws(JSONSyntaxError) -> AttributeValue {
        guard scanner.peekToken() == .object else {
            // Not an AnyValue; keep plain JSON scalars rather than losing them.
            switch scanner.peekToken() {
            case .string: return .string(try scanner.readString())
            case .number: return OTLPJSONReader.value(of: try scanner.readNumber())
            case .true, .false: return .bool(try scanner.readBool())
            default:
                if !scanner.skipNull() { try scanner.skipValue() }
                return .empty
            }
        }
        if depth >= OTLPJSONReader.maxValueDepth {
            try scanner.skipValue()
            return .string("[nested too deep]")
        }
        var value = AttributeValue.empty
        var obj = try scanner.beginObject()
        while let k = try scanner.nextKey(&obj) {
            // Phoenix writes every member of the oneof, the unset ones as null: they must not
            // overwrite the one that is set.
            if scanner.skipNull() { continue }
            if scanner.key(k, is: "stringValue") || scanner.key(k, is: "string_value") {
                if scanner.peekToken() == .string {
                    var decoded = ""
                    if let raw = try scanner.readStringBytes(&decoded) {
                        value = .string(raw.count <= OTLPJSONReader.internLimit
                                        ? interner.intern(raw) : String(decoding: raw, as: UTF8.self))
                    } else {
                        value = .string(decoded)
                    }
                } else {
                    value = try readLooseScalar()
                }
            } else if scanner.key(k, is: "intValue") || scanner.key(k, is: "int_value") {
                value = try readInt64Value()
            } else if scanner.key(k, is: "doubleValue") || scanner.key(k, is: "double_value") {
                value = try readDoubleValue()
            } else if scanner.key(k, is: "boolValue") || scanner.key(k, is: "bool_value") {
                value = try readLooseScalar()
                if case .string(let s) = value, let b = AttributeValue.string(s).boolValue { value = .bool(b) }
            } else if scanner.key(k, is: "arrayValue") || scanner.key(k, is: "array_value") {
                value = .array(try readValues(depth: depth))
            } else if scanner.key(k, is: "kvlistValue") || scanner.key(k, is: "kvlist_value") {
                value = .kvlist(try readKeyValues(depth: depth))
            } else if scanner.key(k, is: "bytesValue") || scanner.key(k, is: "bytes_value") {
                if scanner.peekToken() == .string {
                    var text = try scanner.readString()
                    value = text.withUTF8 { .bytes(Identifier.base64($0) ?? Array($0)) }
                } else {
                    try scanner.skipValue()
                }
            } else {
                try scanner.skipValue()
            }
        }
        return value
    }

    private mutating func readLooseScalar() throws(JSONSyntaxError) -> AttributeValue {
        switch scanner.peekToken() {
        case .string: return .string(try scanner.readString())
        case .number: return OTLPJSONReader.value(of: try scanner.readNumber())
        case .true, .false: return .bool(try scanner.readBool())
        default:
            if !scanner.skipNull() { try scanner.skipValue() }
            return .empty
        }
    }

    static func value(of n: JSONNumber) -> AttributeValue {
        switch n {
        case .int(let v): return .int(v)
        case .double(let d): return .double(d)
        case .bigInteger(let s): return .string(s)
        }
    }

    /// `intValue` is a decimal string by the protobuf JSON mapping, but numbers occur too.
    /// Integers beyond 64 bits are kept as their digits (a string) rather than silently wrapped.
    private mutating func readInt64Value() throws(JSONSyntaxError) -> AttributeValue {
        switch scanner.peekToken() {
        case .string:
            let s = try scanner.readString()
            if let v = Int64(s) { return .int(v) }
            if let d = Double(s), d.isFinite, d.rounded() == d, abs(d) < 9.2e18 { return .int(Int64(d)) }
            return .string(s)
        case .number:
            return OTLPJSONReader.value(of: try scanner.readNumber())
        default:
            return try readLooseScalar()
        }
    }

    /// `doubleValue` is a number, or one of the strings "NaN", "Infinity", "-Infinity" (protobuf JSON mapping).
    private mutating func readDoubleValue() throws(JSONSyntaxError) -> AttributeValue {
        switch scanner.peekToken() {
        case .number:
            return .double(try scanner.readNumber().asDouble)
        case .string:
            let s = try scanner.readString()
            switch s {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            default: return Double(s).map(AttributeValue.double) ?? .string(s)
            }
        default:
            return try readLooseScalar()
        }
    }

    private mutating func readValues(depth: Int) throws(JSONSyntaxError) -> [AttributeValue] {
        var out: [AttributeValue] = []
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return out }
        var obj = try scanner.beginObject()
        while let k = try scanner.nextKey(&obj) {
            if scanner.key(k, is: "values"), scanner.peekToken() == .array {
                var arr = try scanner.beginArray()
                while try scanner.nextElement(&arr) { out.append(try readAnyValue(depth: depth + 1)) }
            } else {
                try scanner.skipValue()
            }
        }
        return out
    }

    private mutating func readKeyValues(depth: Int) throws(JSONSyntaxError) -> [Attribute] {
        var out: [Attribute] = []
        guard scanner.peekToken() == .object else { try scanner.skipValue(); return out }
        var obj = try scanner.beginObject()
        while let k = try scanner.nextKey(&obj) {
            if scanner.key(k, is: "values"), scanner.peekToken() == .array {
                var arr = try scanner.beginArray()
                while try scanner.nextElement(&arr) {
                    if let a = try readKeyValue(depth: depth + 1) { out.append(a) }
                }
            } else {
                try scanner.skipValue()
            }
        }
        return out
    }
}

extension OTLPJSONReader {
    /// Reads a JSON list of OTLP span objects with no resource around them (Phoenix's span API
    /// answers so): each span gets `service` and `origin`; unusable spans are counted as skipped.
    mutating func readSpanList(into out: inout SpanCollector, source: String, service: String,
                               origin: SpanOrigin) throws(JSONSyntaxError) {
        guard scanner.peekToken() == .array else {
            throw scanner.error("expected a list of spans, found \(scanner.describeCurrent())")
        }
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            if var span = try readSpan() {
                span.service = service
                span.origin = origin
                out.add(span)
            } else {
                out.skipSpan(source, scanner.lineAndColumn(of: problemOffset), problem ?? "unreadable")
            }
        }
    }
}
