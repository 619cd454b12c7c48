import TraceModel

/// Writes spans as a binary OTLP `ExportTraceServiceRequest`, what OTLP/HTTP exporters POST with
/// `Content-Type: application/x-protobuf` and OTLP/gRPC carries.
///
/// Field numbers from opentelemetry-proto (opentelemetry/proto/collector/trace/v1/trace_service.proto,
/// trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto); wire format from
/// https://protobuf.dev/programming-guides/encoding/. Ids that do not fit OTLP's 16-byte trace and
/// 8-byte span ids are folded as in the JSON writer and kept in the same attributes.
public enum OTLPProtobufWriter {
    /// The request holding all `spans`, grouped by resource and scope like the JSON writer.
    public static func request(_ spans: [Span]) -> [UInt8] {
        var w = ProtobufWriter()
        w.bytes.reserveCapacity(spans.count * 300)
        for g in OTLPJSONWriter.resourceGroups(spans) {
            w.message(1) { w in   // ExportTraceServiceRequest.resource_spans
                w.message(1) { w in   // ResourceSpans.resource
                    for a in OTLPJSONWriter.resourceAttributes(g) { w.message(1) { keyValue(a, into: &$0) } }
                }
                w.message(2) { w in   // ResourceSpans.scope_spans
                    w.message(1) { w in   // ScopeSpans.scope
                        w.string(1, g.origin.scopeName.isEmpty ? "spanscope" : g.origin.scopeName)
                        w.string(2, g.origin.scopeVersion)
                    }
                    for i in g.spans { w.message(2) { span(spans[i], into: &$0) } }
                }
            }
        }
        return w.bytes
    }

    /// The fields of one `Span` message.
    static func span(_ s: Span, into w: inout ProtobufWriter) {
        w.id128(1, OTLPJSONWriter.bits128(s.traceID.raw))
        w.id64(2, OTLPJSONWriter.bits64(s.spanID.raw))
        if let p = s.parentID { w.id64(4, OTLPJSONWriter.bits64(p.raw)) }
        w.string(5, s.name)
        w.varint(6, UInt64(s.kind.rawValue))
        w.fixed64(7, UInt64(bitPattern: s.startNanos))
        w.fixed64(8, UInt64(bitPattern: s.endNanos))
        for a in s.attributes + OTLPJSONWriter.originalIDAttributes(s) { w.message(9) { keyValue(a, into: &$0) } }
        for e in s.events {
            w.message(11) { w in
                w.fixed64(1, UInt64(bitPattern: e.timeNanos))
                w.string(2, e.name)
                for a in e.attributes { w.message(3) { keyValue(a, into: &$0) } }
            }
        }
        for l in s.links {
            w.message(13) { w in
                w.id128(1, OTLPJSONWriter.bits128(l.traceID.raw))
                w.id64(2, OTLPJSONWriter.bits64(l.spanID.raw))
                for a in l.attributes { w.message(4) { keyValue(a, into: &$0) } }
            }
        }
        if s.status.code != .unset || !s.status.message.isEmpty {
            w.message(15) { w in
                w.string(2, s.status.message)
                w.varint(3, UInt64(s.status.code.rawValue))
            }
        }
    }

    /// The fields of a `KeyValue`.
    static func keyValue(_ a: Attribute, into w: inout ProtobufWriter) {
        w.string(1, a.key)
        w.message(2) { anyValue(a.value, into: &$0) }
    }

    /// The fields of an `AnyValue` (nothing for an empty value).
    static func anyValue(_ v: AttributeValue, into w: inout ProtobufWriter) {
        switch v {
        case .string(let s): w.string(1, s, always: true)
        case .bool(let b): w.varint(2, b ? 1 : 0, always: true)
        case .int(let i): w.varint(3, UInt64(bitPattern: i), always: true)
        case .double(let d): w.fixed64(4, d.bitPattern, always: true)
        case .array(let values):
            w.message(5) { w in for e in values { w.message(1) { anyValue(e, into: &$0) } } }
        case .kvlist(let kv):
            w.message(6) { w in for a in kv { w.message(1) { keyValue(a, into: &$0) } } }
        case .bytes(let b): w.lengthDelimited(7, b)
        case .empty: break
        }
    }
}

/// Appends protobuf fields to a byte array. Nested messages are written in place and their length
/// patched in afterwards, so a message is never built twice.
struct ProtobufWriter {
    /// The bytes written so far.
    var bytes: [UInt8] = []

    /// A tag: field number and wire type.
    mutating func tag(_ field: Int, _ wireType: UInt8) {
        appendVarint(UInt64(field) << 3 | UInt64(wireType))
    }

    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A varint field; a zero is left out (proto3 default) unless `always` (a oneof member).
    mutating func varint(_ field: Int, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, 0)
        appendVarint(value)
    }

    /// A 64-bit little-endian field; a zero is left out unless `always`.
    mutating func fixed64(_ field: Int, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, 1)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    /// A string field; an empty one is left out unless `always`.
    mutating func string(_ field: Int, _ value: String, always: Bool = false) {
        guard !value.isEmpty || always else { return }
        tag(field, 2)
        var s = value
        s.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A bytes field, written even when empty.
    mutating func lengthDelimited(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    /// A 16-byte id, high half first (big-endian, as the hex form reads).
    mutating func id128(_ field: Int, _ id: (UInt64, UInt64)) {
        tag(field, 2)
        bytes.append(16)
        appendBigEndian(id.0)
        appendBigEndian(id.1)
    }

    /// An 8-byte id, big-endian.
    mutating func id64(_ field: Int, _ id: UInt64) {
        tag(field, 2)
        bytes.append(8)
        appendBigEndian(id)
    }

    private mutating func appendBigEndian(_ v: UInt64) {
        for i in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// A nested message field: `body` writes its fields; the length is patched in after it.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        tag(field, 2)
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthAt - 1
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var varint: [UInt8] = []
        var v = UInt64(length)
        while v >= 0x80 {
            varint.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        varint.append(UInt8(v))
        // One memmove of this message's bytes per level that is 128 bytes or longer.
        bytes.replaceSubrange(lengthAt..<(lengthAt + 1), with: varint)
    }
}
