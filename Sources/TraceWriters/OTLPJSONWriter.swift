import TraceModel
import TerminalText

/// Writes spans as OTLP JSON `ExportTraceServiceRequest`s, following the OTLP JSON encoding
/// (hex ids, integer enums, 64-bit integers as decimal strings, lowerCamelCase keys).
public enum OTLPJSONWriter {
    /// Attribute that keeps an id which does not fit OTLP's 8-byte span / 16-byte trace id.
    public static let originalSpanIDKey = "spanscope.original_span_id"
    /// Attribute that keeps a trace id which does not fit OTLP's 16-byte form.
    public static let originalTraceIDKey = "spanscope.original_trace_id"

    /// One request holding all `spans`, grouped by resource and scope.
    public static func request(_ spans: [Span], into w: inout JSONWriter) {
        w.beginObject()
        w.key("resourceSpans")
        w.beginArray()
        resourceSpans(spans, into: &w)
        w.endArray()
        w.endObject()
    }

    /// The `resourceSpans` entries for `spans`, written into an array the caller has opened (so
    /// a writer can stream many batches into one request).
    public static func resourceSpans(_ spans: [Span], into w: inout JSONWriter) {
        let groups = resourceGroups(spans)
        for g in groups {
            groupOpening(g, into: &w)
            for i in g.spans { span(spans[i], into: &w) }
            w.endArray()
            w.endObject()
            w.endArray()
            w.endObject()
        }
    }

    /// A group's `resourceSpans` entry up to its open `spans` array: the resource's attributes
    /// and the scope's name and version.
    static func groupOpening(_ g: (origin: SpanOrigin, service: String, spans: [Int]), into w: inout JSONWriter) {
        w.beginObject()
        w.key("resource")
        w.beginObject()
        w.key("attributes")
        attributes(resourceAttributes(g), into: &w)
        w.endObject()
        w.key("scopeSpans")
        w.beginArray()
        w.beginObject()
        w.key("scope")
        w.beginObject()
        w.member("name", g.origin.scopeName.isEmpty ? "spanscope" : g.origin.scopeName)
        if !g.origin.scopeVersion.isEmpty { w.member("version", g.origin.scopeVersion) }
        w.endObject()
        w.key("spans")
        w.beginArray()
    }

    /// Spans grouped by origin object (spans of one resource/scope share it) in first-seen order;
    /// spans with no recorded resource are grouped by service name instead.
    static func resourceGroups(_ spans: [Span]) -> [(origin: SpanOrigin, service: String, spans: [Int])] {
        var groups: [(origin: SpanOrigin, service: String, spans: [Int])] = []
        var slot: [ObjectIdentifier: Int] = [:]
        var byService: [String: Int] = [:]
        for (i, s) in spans.enumerated() {
            if s.origin === SpanOrigin.unknown {
                if let g = byService[s.service] { groups[g].spans.append(i); continue }
                byService[s.service] = groups.count
                groups.append((s.origin, s.service, [i]))
                continue
            }
            let key = ObjectIdentifier(s.origin)
            if let g = slot[key] { groups[g].spans.append(i); continue }
            slot[key] = groups.count
            groups.append((s.origin, s.service, [i]))
        }
        return groups
    }

    /// A group's resource attributes, with `service.name` added when the resource lacks it.
    static func resourceAttributes(_ g: (origin: SpanOrigin, service: String, spans: [Int])) -> [Attribute] {
        var resource = g.origin.resource
        if resource[key: "service.name"] == nil, !g.service.isEmpty {
            resource.insert(Attribute("service.name", .string(g.service)), at: 0)
        }
        return resource
    }

    /// The traces as one request (`lines: false`) or one request per trace per line (JSON Lines).
    public static func encode(_ traces: [Trace], lines: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        if lines {
            for t in traces {
                var w = JSONWriter()
                request(t.spans, into: &w)
                out += w.line()
            }
        } else {
            var w = JSONWriter()
            request(traces.flatMap(\.spans), into: &w)
            out = w.line()
        }
        return out
    }

    /// One span object.
    public static func span(_ s: Span, into w: inout JSONWriter) {
        let extra = originalIDAttributes(s)
        let traceHex = hex128(s.traceID.raw)
        let spanHex = hex64(s.spanID.raw)
        w.beginObject()
        w.member("traceId", traceHex)
        w.member("spanId", spanHex)
        if let p = s.parentID { w.member("parentSpanId", hex64(p.raw)) }
        w.member("name", s.name)
        w.member("kind", Int(s.kind.rawValue))
        w.member("startTimeUnixNano", String(s.startNanos))
        w.member("endTimeUnixNano", String(s.endNanos))
        w.key("attributes")
        attributes(s.attributes + extra, into: &w)
        if !s.events.isEmpty {
            w.key("events")
            w.beginArray()
            for e in s.events {
                w.beginObject()
                w.member("timeUnixNano", String(e.timeNanos))
                w.member("name", e.name)
                if !e.attributes.isEmpty {
                    w.key("attributes")
                    attributes(e.attributes, into: &w)
                }
                w.endObject()
            }
            w.endArray()
        }
        if !s.links.isEmpty {
            w.key("links")
            w.beginArray()
            for l in s.links {
                w.beginObject()
                w.member("traceId", hex128(l.traceID.raw))
                w.member("spanId", hex64(l.spanID.raw))
                if !l.attributes.isEmpty {
                    w.key("attributes")
                    attributes(l.attributes, into: &w)
                }
                w.endObject()
            }
            w.endArray()
        }
        w.key("status")
        w.beginObject()
        if s.status.code != .unset { w.member("code", Int(s.status.code.rawValue)) }
        if !s.status.message.isEmpty { w.member("message", s.status.message) }
        w.endObject()
        w.endObject()
    }

    /// A `KeyValue` list.
    public static func attributes(_ attrs: [Attribute], into w: inout JSONWriter) {
        w.beginArray()
        for a in attrs {
            w.beginObject()
            w.member("key", a.key)
            w.key("value")
            anyValue(a.value, into: &w)
            w.endObject()
        }
        w.endArray()
    }

    /// An `AnyValue` object.
    public static func anyValue(_ v: AttributeValue, into w: inout JSONWriter) {
        w.beginObject()
        switch v {
        case .string(let s): w.member("stringValue", s)
        case .int(let i): w.member("intValue", String(i))
        case .double(let d):
            // The protobuf JSON mapping spells non-finite doubles as strings.
            if d.isNaN { w.member("doubleValue", "NaN") }
            else if d.isInfinite { w.member("doubleValue", d > 0 ? "Infinity" : "-Infinity") }
            else { w.member("doubleValue", d) }
        case .bool(let b): w.member("boolValue", b)
        case .bytes(let b): w.member("bytesValue", base64(b))
        case .array(let a):
            w.key("arrayValue")
            w.beginObject()
            w.key("values")
            w.beginArray()
            for e in a { anyValue(e, into: &w) }
            w.endArray()
            w.endObject()
        case .kvlist(let kv):
            w.key("kvlistValue")
            w.beginObject()
            w.key("values")
            attributes(kv, into: &w)
            w.endObject()
        case .empty: break
        }
        w.endObject()
    }

    /// 16 hex digits: 8-byte ids as they are, wider ones folded, text hashed (FNV-1a).
    static func hex64(_ id: Identifier) -> String {
        Identifier.hexString(bits64(id), digits: 16)
    }

    /// 32 hex digits: 16-byte ids as they are, 8-byte ids zero-padded, text hashed.
    static func hex128(_ id: Identifier) -> String {
        let (h, l) = bits128(id)
        return Identifier.hexString(h, digits: 16) + Identifier.hexString(l, digits: 16)
    }

    /// The 8-byte form of an id (see `hex64`).
    static func bits64(_ id: Identifier) -> UInt64 {
        switch id {
        case .bits64(let v): return v
        case .bits128(let h, let l), .uuid(let h, let l): return h ^ l
        case .text(let t): return fnv(t, seed: 0)
        }
    }

    /// The 16-byte form of an id, high half first (see `hex128`).
    static func bits128(_ id: Identifier) -> (UInt64, UInt64) {
        switch id {
        case .bits64(let v): return (0, v)
        case .bits128(let h, let l), .uuid(let h, let l): return (h, l)
        case .text(let t): return (fnv(t, seed: 1), fnv(t, seed: 2))
        }
    }

    /// Attributes that keep ids the OTLP forms cannot hold (text, or wider than 8 bytes for a span).
    static func originalIDAttributes(_ s: Span) -> [Attribute] {
        var extra: [Attribute] = []
        if case .text(let t) = s.traceID.raw { extra.append(Attribute(originalTraceIDKey, .string(t))) }
        switch s.spanID.raw {
        case .bits64: break
        default: extra.append(Attribute(originalSpanIDKey, .string(s.spanID.description)))
        }
        return extra
    }

    private static func fnv(_ s: String, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for c in s.utf8 { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        return h == 0 ? 1 : h
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
