import TraceConventions
import TraceModel

/// Reads the seed's trace shape: what `AITracer.get_trace()` returns in
/// ../shared/seed/tracing-frameworks-for-ai.txt, one object, a list of them, `{"traces": […]}`,
/// or one per line. Spans carry `duration_ms` and, when written by our exporter or a patched
/// tracer, `start_time`/`end_time` in epoch seconds (as the seed's `AISpan` holds them).
///
/// Without start times, spans are placed from their event timestamps; spans with neither are
/// laid out one after another under their parent, and the trace is marked as estimated.
struct SeedJSONReader: SpanListReader {
    var scanner: JSONScanner
    var interner = StringInterner()
    /// Traces read so far, counting those nested in `{"traces": […]}`: names a trace without an id.
    private var ordinal = 0

    init(scanner: JSONScanner) {
        self.scanner = scanner
    }

    /// A span as read, before its times are settled.
    struct RawSpan {
        var span: Span
        var duration: Int64
        var start: Int64?
        var end: Int64?
        var eventStart: Int64?
    }

    static let expectedTopLevel = "a trace object or a list of them"

    mutating func readListedTrace(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        try readTrace(into: &out, source: source, depth: 0)
    }

    mutating func readTopObject(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        try readTrace(into: &out, source: source, depth: 0)
    }

    /// `{"traces": [...]}` wrappers nested deeper than this are skipped: the reader recurses there.
    static let maxTraceNesting = 16

    private mutating func readTrace(into out: inout SpanCollector, source: String, depth: Int) throws(JSONSyntaxError) {
        guard scanner.peekToken() == .object else {
            out.warn(source, scanner.lineAndColumn(of: scanner.pos), "a trace entry is not an object; skipped")
            try scanner.skipValue()
            return
        }
        guard depth < SeedJSONReader.maxTraceNesting else {
            out.warn(source, scanner.lineAndColumn(of: scanner.pos),
                     "traces nested more than \(SeedJSONReader.maxTraceNesting) deep; skipped")
            try scanner.skipValue()
            return
        }
        ordinal += 1
        var traceID: TraceID?
        var raws: [RawSpan] = []
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "trace_id") || scanner.key(key, is: "traceId") {
                if scanner.peekToken() == .string { traceID = TraceID(try scanner.readString()) } else { try scanner.skipValue() }
            } else if scanner.key(key, is: "spans") {
                guard scanner.peekToken() == .array else {
                    out.warn(source, scanner.lineAndColumn(of: scanner.pos), "'spans' is not a list; skipped")
                    try scanner.skipValue()
                    continue
                }
                try readSpans(into: &raws, &out, source: source)
            } else if scanner.key(key, is: "traces") {
                // A wrapper object holding several traces.
                guard scanner.peekToken() == .array else { try scanner.skipValue(); continue }
                var arr = try scanner.beginArray()
                while try scanner.nextElement(&arr) {
                    try readTrace(into: &out, source: source, depth: depth + 1)
                }
            } else {
                try scanner.skipValue()
            }
        }
        guard !raws.isEmpty else { return }
        let id = traceID ?? TraceID(.text("trace-\(ordinal)"))
        let estimated = SeedJSONReader.settleTimes(&raws)
        for (i, raw) in raws.enumerated() {
            var span = raw.span
            span.traceID = id
            span.startNanos = raw.start ?? 0
            span.endNanos = raw.end ?? span.startNanos
            out.add(span, estimatedTiming: estimated[i])
        }
    }

    mutating func readSpan() throws(JSONSyntaxError) -> Result<RawSpan, SpanProblem> {
        guard scanner.peekToken() == .object else {
            try scanner.skipValue()
            return .failure(SpanProblem(message: "a span is not an object"))
        }
        var spanID: String?
        var parentID: String?
        var name = ""
        var service = ""
        var durationMs: Double?
        var startSeconds: Double?
        var endSeconds: Double?
        var status = SpanStatus.unset
        var attributes: [Attribute] = []
        var events: [SpanEvent] = []
        var problem: String?
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            if scanner.key(key, is: "span_id") || scanner.key(key, is: "spanId") {
                spanID = try readIDText(&problem, "span_id")
            } else if scanner.key(key, is: "parent_span_id") || scanner.key(key, is: "parentSpanId") {
                parentID = try readIDText(&problem, "parent_span_id")
            } else if scanner.key(key, is: "operation") || scanner.key(key, is: "operation_name") || scanner.key(key, is: "name") {
                if scanner.peekToken() == .string { name = try scanner.internedString(&interner) } else { problem = problem ?? "'operation' must be a string"; try scanner.skipValue() }
            } else if scanner.key(key, is: "service") || scanner.key(key, is: "service_name") {
                if scanner.peekToken() == .string { service = try scanner.internedString(&interner) } else { try scanner.skipValue() }
            } else if scanner.key(key, is: "duration_ms") {
                durationMs = try readSeconds(&problem, "duration_ms")
            } else if scanner.key(key, is: "start_time") {
                startSeconds = try readSeconds(&problem, "start_time")
            } else if scanner.key(key, is: "end_time") {
                endSeconds = try readSeconds(&problem, "end_time")
            } else if scanner.key(key, is: "status") {
                status = try readStatus(&problem)
            } else if scanner.key(key, is: "attributes") {
                attributes += try readAttributes(prefix: "")
            } else if scanner.key(key, is: "events") {
                events = try readEvents(&problem)
            } else if scanner.key(key, is: "ai_metrics") {
                // Kept as attributes so the raw view shows them and the normaliser can fall back on them.
                if scanner.peekToken() == .object {
                    attributes += try readAttributes(prefix: "ai_metrics.")
                } else {
                    try scanner.skipValue()
                }
            } else {
                try scanner.skipValue()
            }
        }
        if let p = problem { return .failure(SpanProblem(message: p)) }
        guard let spanID, !spanID.isEmpty else { return .failure(SpanProblem(message: "missing 'span_id'")) }
        if status.isError, status.message.isEmpty,
           let exc = events.first(where: { $0.name == "exception" }) {
            let type = exc.attributes[key: "type"]?.displayText ?? exc.attributes[key: "exception.type"]?.displayText ?? ""
            let message = exc.attributes[key: "message"]?.displayText ?? exc.attributes[key: "exception.message"]?.displayText ?? ""
            status.message = type.isEmpty ? message : (message.isEmpty ? type : "\(type): \(message)")
        }
        let span = Span(traceID: TraceID(.text("")), spanID: SpanID(spanID),
                        parentID: parentID.flatMap { $0.isEmpty ? nil : SpanID($0) },
                        name: name, service: service, kind: .internal, startNanos: 0, endNanos: 0,
                        status: status, attributes: attributes, events: events)
        let duration = SeedJSONReader.nanos(fromMilliseconds: durationMs ?? 0)
        var raw = RawSpan(span: span, duration: max(0, duration))
        if let s = startSeconds {
            raw.start = SeedJSONReader.nanos(fromSeconds: s)
            raw.end = endSeconds.map(SeedJSONReader.nanos(fromSeconds:)) ?? raw.start!.adding(saturating: raw.duration)
            if durationMs == nil { raw.duration = max(0, raw.end!.subtracting(saturating: raw.start!)) }
        } else if !events.isEmpty {
            raw.eventStart = SeedJSONReader.startFromEvents(events, duration: raw.duration)
        }
        return .success(raw)
    }

    private mutating func readIDText(_ problem: inout String?, _ field: String) throws(JSONSyntaxError) -> String? {
        switch scanner.peekToken() {
        case .string: return try scanner.readString()
        case .null: _ = scanner.skipNull(); return nil
        case .number:
            // Hand-written files sometimes use numbers as ids; keep them as text.
            switch try scanner.readNumber() {
            case .int(let v): return String(v)
            case .bigInteger(let s): return s
            case .double(let d): return AttributeValue.format(d)
            }
        default:
            problem = problem ?? "'\(field)' must be a string"
            try scanner.skipValue()
            return nil
        }
    }

    private mutating func readSeconds(_ problem: inout String?, _ field: String) throws(JSONSyntaxError) -> Double? {
        switch scanner.peekToken() {
        case .number:
            let d = try scanner.readNumber().asDouble
            guard d.isFinite else { problem = problem ?? "'\(field)' is not a finite number"; return nil }
            return d
        case .null:
            _ = scanner.skipNull()
            return nil
        default:
            problem = problem ?? "'\(field)' must be a number"
            try scanner.skipValue()
            return nil
        }
    }

    private mutating func readStatus(_ problem: inout String?) throws(JSONSyntaxError) -> SpanStatus {
        switch scanner.peekToken() {
        case .string:
            switch try scanner.readString().uppercased() {
            case "OK": return .ok
            case "ERROR": return SpanStatus(.error)
            default: return .unset
            }
        case .null:
            _ = scanner.skipNull()
            return .unset
        default:
            problem = problem ?? "'status' must be \"OK\", \"ERROR\" or \"UNSET\""
            try scanner.skipValue()
            return .unset
        }
    }

    /// Reads a plain JSON object of attributes; nested objects become kvlists.
    private mutating func readAttributes(prefix: String) throws(JSONSyntaxError) -> [Attribute] {
        guard scanner.peekToken() == .object else {
            if !scanner.skipNull() { try scanner.skipValue() }
            return []
        }
        var out: [Attribute] = []
        var obj = try scanner.beginObject()
        while let key = try scanner.nextKey(&obj) {
            let name: String
            if prefix.isEmpty, let raw = scanner.keyBytes(key) {
                name = interner.intern(raw)
            } else {
                name = prefix + scanner.keyString(key)
            }
            out.append(Attribute(name, try scanner.readValue().attributeValue))
        }
        return out
    }

    private mutating func readEvents(_ problem: inout String?) throws(JSONSyntaxError) -> [SpanEvent] {
        guard scanner.peekToken() == .array else {
            if !scanner.skipNull() { problem = problem ?? "'events' must be a list"; try scanner.skipValue() }
            return []
        }
        var events: [SpanEvent] = []
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            guard scanner.peekToken() == .object else { try scanner.skipValue(); continue }
            var event = SpanEvent(timeNanos: 0, name: "")
            var obj = try scanner.beginObject()
            while let key = try scanner.nextKey(&obj) {
                if scanner.key(key, is: "timestamp") {
                    if scanner.peekToken() == .number {
                        let d = try scanner.readNumber().asDouble
                        event.timeNanos = d.isFinite ? SeedJSONReader.nanos(fromSeconds: d) : 0
                    } else { try scanner.skipValue() }
                } else if scanner.key(key, is: "name"), scanner.peekToken() == .string {
                    event.name = try scanner.internedString(&interner)
                } else if scanner.key(key, is: "attributes") {
                    event.attributes = try readAttributes(prefix: "")
                } else {
                    try scanner.skipValue()
                }
            }
            events.append(event)
        }
        return events
    }

    // MARK: Times

    static func nanos(fromSeconds s: Double) -> Int64 {
        let v = (s * 1e9).rounded()
        return v.isFinite && abs(v) < 9.2e18 ? Int64(v) : 0
    }

    static func nanos(fromMilliseconds ms: Double) -> Int64 {
        let v = (ms * 1e6).rounded()
        return v.isFinite && abs(v) < 9.2e18 ? Int64(v) : 0
    }

    /// Where a span started, judged from its events. The seed records `llm_call_start` and
    /// `prompt` as the body begins, and `response` and `exception` as it ends.
    static func startFromEvents(_ events: [SpanEvent], duration: Int64) -> Int64? {
        let stamped = events.filter { $0.timeNanos > 0 }
        guard !stamped.isEmpty else { return nil }
        let startish = stamped.filter { $0.name == "llm_call_start" || $0.name == "prompt" }
        if let first = startish.map(\.timeNanos).min() { return first }
        let endish = stamped.filter { $0.name == "exception" || $0.name == "response" }
        if let last = endish.map(\.timeNanos).max() { return last.subtracting(saturating: duration) }
        return stamped.map(\.timeNanos).min()
    }

    /// Gives every span a start and end; returns which were estimated.
    static func settleTimes(_ raws: inout [RawSpan]) -> [Bool] {
        let n = raws.count
        var estimated = [Bool](repeating: false, count: n)
        for i in 0..<n where raws[i].start == nil {
            if let s = raws[i].eventStart {
                raws[i].start = s
                raws[i].end = s.adding(saturating: raws[i].duration)
                estimated[i] = true
            }
        }
        guard raws.contains(where: { $0.start == nil }) else { return estimated }

        // Tree within this trace (first id wins), children in file order, which is start order
        // for the seed (spans are appended as they start).
        var byID: [SpanID: Int] = [:]
        for i in 0..<n where byID[raws[i].span.spanID] == nil { byID[raws[i].span.spanID] = i }
        var parent = [Int](repeating: -1, count: n)
        var children = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            if let pid = raws[i].span.parentID, let p = byID[pid], p != i {
                parent[i] = p
                children[p].append(i)
            }
        }
        // Depth-first order from roots; nodes on parent loops are picked up afterwards as roots.
        var order: [Int] = []
        var seen = [Bool](repeating: false, count: n)
        var stack: [Int] = []
        func walk(from root: Int) {
            stack.append(root)
            while let v = stack.popLast() {
                if seen[v] { continue }
                seen[v] = true
                order.append(v)
                for c in children[v].reversed() where !seen[c] { stack.append(c) }
            }
        }
        for i in 0..<n where parent[i] < 0 { walk(from: i) }
        for i in 0..<n where !seen[i] { walk(from: i) }

        // Earliest known start in each subtree, to anchor parents that have no time of their own.
        var earliest = raws.map { $0.start ?? Int64.max }
        for v in order.reversed() where parent[v] >= 0 {
            earliest[parent[v]] = min(earliest[parent[v]], earliest[v])
        }
        var rootCursor: Int64 = raws.compactMap(\.start).min() ?? 0
        for v in order {
            if raws[v].start == nil {
                estimated[v] = true
                if parent[v] < 0 || raws[parent[v]].start == nil {
                    let s = earliest[v] != Int64.max ? earliest[v] : rootCursor
                    raws[v].start = s
                    raws[v].end = s.adding(saturating: raws[v].duration)
                }
            }
            if parent[v] < 0 { rootCursor = max(rootCursor, raws[v].end ?? rootCursor) }
            // Lay out this span's children that still lack times one after another.
            var cursor = raws[v].start!
            for c in children[v] {
                if let s = raws[c].start {
                    cursor = max(cursor, raws[c].end ?? s)
                } else {
                    let s = earliest[c] != Int64.max ? min(earliest[c], cursor) : cursor
                    raws[c].start = s
                    raws[c].end = s.adding(saturating: raws[c].duration)
                    cursor = raws[c].end!
                    estimated[c] = true
                }
            }
        }
        return estimated
    }
}
