import TraceConventions
import TraceModel

/// Decodes OTLP protobuf `ExportTraceServiceRequest` bodies (what OTLP/HTTP exporters send with
/// `Content-Type: application/x-protobuf`) straight into spans.
///
/// Hand-written over the protobuf wire format rather than generated with swift-protobuf: the
/// generator plugin needs protoc (absent here) and ~10 minutes of build, the runtime adds build
/// time to every target that links it, and decoding into our model directly skips a full copy of
/// every message. The schema is small and frozen by OTLP's stability guarantees; field numbers
/// from opentelemetry-proto (opentelemetry/proto/trace/v1/trace.proto, common/v1/common.proto,
/// resource/v1/resource.proto, collector/trace/v1/trace_service.proto). Wire format rules from
/// https://protobuf.dev/programming-guides/encoding/ — unknown fields are skipped, a field repeated
/// for a non-repeated scalar keeps the last value, and a packed or unpacked encoding is accepted.
public enum OTLPProtobuf {
    /// What decoding one request produced.
    public struct Result: Sendable {
        /// Spans that were added to the collector.
        public var accepted: Int
        /// Spans that were not usable (missing or malformed ids) and were left out.
        public var rejected: Int
        /// Why spans were rejected, when any were.
        public var message: String
    }

    /// A body that is not a valid protobuf message.
    public struct DecodeError: Error, CustomStringConvertible, Sendable {
        /// Byte offset in the body.
        public var offset: Int
        /// What is wrong.
        public var message: String
        /// `offset N: message`.
        public var description: String { "invalid OTLP protobuf at byte \(offset): \(message)" }
    }

    /// Decodes an `ExportTraceServiceRequest` and adds its spans to `collector`.
    public static func read(_ body: [UInt8], into collector: inout SpanCollector) throws(DecodeError) -> Result {
        try body.withUnsafeBufferPointer { buf throws(DecodeError) -> Result in
            var decoder = Decoder(bytes: buf)
            return try decoder.request(into: &collector)
        }
    }

    /// Encodes an `ExportTraceServiceResponse`; a partial success is written only when spans were rejected.
    public static func response(rejected: Int, message: String) -> [UInt8] {
        guard rejected > 0 || !message.isEmpty else { return [] }
        var partial: [UInt8] = []
        if rejected > 0 {
            partial.append(0x08)   // field 1, varint: rejected_spans
            appendVarint(UInt64(rejected), to: &partial)
        }
        if !message.isEmpty {
            partial.append(0x12)   // field 2, bytes: error_message
            appendVarint(UInt64(message.utf8.count), to: &partial)
            partial += Array(message.utf8)
        }
        var out: [UInt8] = [0x0A]  // field 1, bytes: partial_success
        appendVarint(UInt64(partial.count), to: &out)
        return out + partial
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Nesting of attribute arrays and maps deeper than this is replaced by a marker.
    static let maxValueDepth = 32

    struct Decoder {
        let bytes: UnsafeBufferPointer<UInt8>
        var pos = 0
        var interner = StringInterner()
        var rejected = 0
        var firstProblem = ""

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func fail(_ message: String, at offset: Int? = nil) -> DecodeError {
            DecodeError(offset: offset ?? pos, message: message)
        }

        mutating func varint() throws(DecodeError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < bytes.count else { throw fail("truncated varint") }
                let b = bytes[pos]
                pos += 1
                if shift == 63 && b > 1 { throw fail("varint longer than 64 bits") }
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
                if shift > 63 { throw fail("varint longer than 10 bytes") }
            }
        }

        mutating func fixed64() throws(DecodeError) -> UInt64 {
            guard pos + 8 <= bytes.count else { throw fail("truncated fixed64") }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[pos + i]) << (8 * UInt64(i)) }
            pos += 8
            return v
        }

        mutating func fixed32() throws(DecodeError) -> UInt32 {
            guard pos + 4 <= bytes.count else { throw fail("truncated fixed32") }
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[pos + i]) << (8 * UInt32(i)) }
            pos += 4
            return v
        }

        /// A field header: field number and wire type.
        mutating func tag() throws(DecodeError) -> (field: UInt64, wire: UInt8) {
            let t = try varint()
            let field = t >> 3
            guard field > 0 else { throw fail("field number 0") }
            return (field, UInt8(t & 7))
        }

        /// The extent of a length-delimited field.
        mutating func lengthDelimited() throws(DecodeError) -> Range<Int> {
            let n = try varint()
            guard n <= UInt64(bytes.count - pos) else { throw fail("length \(n) runs past the end of the body") }
            let r = pos..<(pos + Int(n))
            pos += Int(n)
            return r
        }

        mutating func skip(_ wire: UInt8) throws(DecodeError) {
            switch wire {
            case 0: _ = try varint()
            case 1: _ = try fixed64()
            case 2: _ = try lengthDelimited()
            case 5: _ = try fixed32()
            default: throw fail("unsupported wire type \(wire)")
            }
        }

        /// Runs `body` over the fields of the message occupying `range`.
        mutating func message(_ range: Range<Int>, _ body: (inout Decoder, UInt64, UInt8) throws(DecodeError) -> Void) throws(DecodeError) {
            let end = range.upperBound
            pos = range.lowerBound
            while pos < end {
                let (field, wire) = try tag()
                try body(&self, field, wire)
                guard pos <= end else { throw fail("a field runs past the end of its message") }
            }
        }

        mutating func string(_ wire: UInt8) throws(DecodeError) -> String {
            guard wire == 2 else { throw fail("expected a string field") }
            let r = try lengthDelimited()
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
        }

        mutating func internedString(_ wire: UInt8) throws(DecodeError) -> String {
            guard wire == 2 else { throw fail("expected a string field") }
            let r = try lengthDelimited()
            return interner.intern(UnsafeBufferPointer(rebasing: bytes[r]))
        }

        mutating func rawBytes(_ wire: UInt8) throws(DecodeError) -> [UInt8] {
            guard wire == 2 else { throw fail("expected a bytes field") }
            return Array(bytes[try lengthDelimited()])
        }

        // MARK: Messages

        mutating func request(into out: inout SpanCollector) throws(DecodeError) -> Result {
            var accepted = 0
            try message(0..<bytes.count) { d, field, wire throws(DecodeError) in
                if field == 1 && wire == 2 {
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    accepted += try d.resourceSpans(r, into: &out)
                    d.pos = saved
                } else {
                    try d.skip(wire)
                }
            }
            return Result(accepted: accepted, rejected: rejected, message: firstProblem)
        }

        mutating func resourceSpans(_ range: Range<Int>, into out: inout SpanCollector) throws(DecodeError) -> Int {
            var resource: [Attribute] = []
            var scopes: [(name: String, version: String, spans: [Span])] = []
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (1, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    resource = try d.resource(r)
                    d.pos = saved
                case (2, 2), (1000, 2):   // scope_spans; instrumentation_library_spans before OTLP 0.19
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    scopes.append(try d.scopeSpans(r))
                    d.pos = saved
                default:
                    try d.skip(wire)
                }
            }
            let service = resource[key: "service.name"]?.stringValue ?? ""
            var count = 0
            for scope in scopes {
                let origin = SpanOrigin(resource: resource, scopeName: scope.name, scopeVersion: scope.version)
                for var span in scope.spans {
                    span.service = service
                    span.origin = origin
                    out.add(span)
                    count += 1
                }
            }
            return count
        }

        mutating func resource(_ range: Range<Int>) throws(DecodeError) -> [Attribute] {
            var attrs: [Attribute] = []
            try message(range) { d, field, wire throws(DecodeError) in
                if field == 1 && wire == 2 {
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    if let a = try d.keyValue(r, depth: 0) { attrs.append(a) }
                    d.pos = saved
                } else {
                    try d.skip(wire)
                }
            }
            return attrs
        }

        mutating func scopeSpans(_ range: Range<Int>) throws(DecodeError) -> (name: String, version: String, spans: [Span]) {
            var name = "", version = ""
            var spans: [Span] = []
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (1, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    try d.message(r) { d, f, w throws(DecodeError) in
                        if f == 1 { name = try d.internedString(w) } else if f == 2 { version = try d.internedString(w) } else { try d.skip(w) }
                    }
                    d.pos = saved
                case (2, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    if let s = try d.span(r) { spans.append(s) }
                    d.pos = saved
                default:
                    try d.skip(wire)
                }
            }
            return (name, version, spans)
        }

        static func identifier(_ raw: [UInt8]) -> Identifier? {
            switch raw.count {
            case 8:
                var v: UInt64 = 0
                for b in raw { v = v << 8 | UInt64(b) }
                return .bits64(v)
            case 16:
                var h: UInt64 = 0, l: UInt64 = 0
                for b in raw[0..<8] { h = h << 8 | UInt64(b) }
                for b in raw[8..<16] { l = l << 8 | UInt64(b) }
                return .bits128(high: h, low: l)
            default:
                return nil
            }
        }

        mutating func reject(_ why: String) {
            rejected += 1
            if firstProblem.isEmpty { firstProblem = why }
        }

        mutating func span(_ range: Range<Int>) throws(DecodeError) -> Span? {
            var traceID: [UInt8] = [], spanID: [UInt8] = [], parentID: [UInt8] = []
            var name = ""
            var kind = SpanKind.unspecified
            var start: UInt64 = 0, end: UInt64 = 0
            var attributes: [Attribute] = []
            var events: [SpanEvent] = []
            var links: [SpanLink] = []
            var status = SpanStatus.unset
            var badKind = false
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (1, 2): traceID = try d.rawBytes(wire)
                case (2, 2): spanID = try d.rawBytes(wire)
                case (4, 2): parentID = try d.rawBytes(wire)
                case (5, 2): name = try d.internedString(wire)
                case (6, 0):
                    let v = try d.varint()
                    if let k = SpanKind(rawValue: UInt8(truncatingIfNeeded: v)), v <= 5 { kind = k } else { badKind = true }
                case (7, 1): start = try d.fixed64()
                case (8, 1): end = try d.fixed64()
                case (9, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    if let a = try d.keyValue(r, depth: 0) { attributes.append(a) }
                    d.pos = saved
                case (11, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    events.append(try d.event(r))
                    d.pos = saved
                case (13, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    if let l = try d.link(r) { links.append(l) }
                    d.pos = saved
                case (15, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    status = try d.status(r)
                    d.pos = saved
                default:
                    try d.skip(wire)
                }
            }
            guard let trace = Decoder.identifier(traceID), !trace.isZero else { reject("span without a valid 16-byte trace_id"); return nil }
            guard let id = Decoder.identifier(spanID), !id.isZero else { reject("span without a valid 8-byte span_id"); return nil }
            guard !badKind else { reject("span \(id.text) has an unknown kind"); return nil }
            guard start <= UInt64(Int64.max), end <= UInt64(Int64.max) else { reject("span \(id.text) has a time out of range"); return nil }
            let parent = Decoder.identifier(parentID).flatMap { $0.isZero ? nil : SpanID($0) }
            return Span(traceID: TraceID(trace), spanID: SpanID(id), parentID: parent, name: name, kind: kind,
                        startNanos: Int64(start), endNanos: Int64(end == 0 ? start : end), status: status,
                        attributes: attributes, events: events, links: links)
        }

        mutating func event(_ range: Range<Int>) throws(DecodeError) -> SpanEvent {
            var e = SpanEvent(timeNanos: 0, name: "")
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (1, 1): e.timeNanos = Int64(truncatingIfNeeded: min(try d.fixed64(), UInt64(Int64.max)))
                case (2, 2): e.name = try d.internedString(wire)
                case (3, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    if let a = try d.keyValue(r, depth: 0) { e.attributes.append(a) }
                    d.pos = saved
                default: try d.skip(wire)
                }
            }
            return e
        }

        mutating func link(_ range: Range<Int>) throws(DecodeError) -> SpanLink? {
            var traceID: [UInt8] = [], spanID: [UInt8] = []
            var attrs: [Attribute] = []
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (1, 2): traceID = try d.rawBytes(wire)
                case (2, 2): spanID = try d.rawBytes(wire)
                case (4, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    if let a = try d.keyValue(r, depth: 0) { attrs.append(a) }
                    d.pos = saved
                default: try d.skip(wire)
                }
            }
            guard let t = Decoder.identifier(traceID), let s = Decoder.identifier(spanID) else { return nil }
            return SpanLink(traceID: TraceID(t), spanID: SpanID(s), attributes: attrs)
        }

        mutating func status(_ range: Range<Int>) throws(DecodeError) -> SpanStatus {
            var s = SpanStatus.unset
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (2, 2): s.message = try d.string(wire)
                case (3, 0):
                    let v = try d.varint()
                    s.code = SpanStatus.Code(rawValue: UInt8(truncatingIfNeeded: min(v, 255))) ?? .unset
                default: try d.skip(wire)
                }
            }
            return s
        }

        mutating func keyValue(_ range: Range<Int>, depth: Int) throws(DecodeError) -> Attribute? {
            var key: String?
            var value = AttributeValue.empty
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (1, 2): key = try d.internedString(wire)
                case (2, 2):
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    value = try d.anyValue(r, depth: depth)
                    d.pos = saved
                default: try d.skip(wire)
                }
            }
            return key.map { Attribute($0, value) }
        }

        mutating func anyValue(_ range: Range<Int>, depth: Int) throws(DecodeError) -> AttributeValue {
            if depth >= OTLPProtobuf.maxValueDepth {
                pos = range.upperBound
                return .string("[nested too deep]")
            }
            var value = AttributeValue.empty
            try message(range) { d, field, wire throws(DecodeError) in
                switch (field, wire) {
                case (1, 2):
                    let r = try d.lengthDelimited()
                    let raw = UnsafeBufferPointer(rebasing: d.bytes[r])
                    value = .string(raw.count <= 48 ? d.interner.intern(raw) : String(decoding: raw, as: UTF8.self))
                case (2, 0): value = .bool(try d.varint() != 0)
                case (3, 0): value = .int(Int64(bitPattern: try d.varint()))
                case (4, 1): value = .double(Double(bitPattern: try d.fixed64()))
                case (5, 2), (6, 2):
                    let isArray = field == 5
                    let r = try d.lengthDelimited()
                    let saved = d.pos
                    var values: [AttributeValue] = []
                    var pairs: [Attribute] = []
                    try d.message(r) { d, f, w throws(DecodeError) in
                        guard f == 1 && w == 2 else { try d.skip(w); return }
                        let inner = try d.lengthDelimited()
                        let back = d.pos
                        if isArray {
                            values.append(try d.anyValue(inner, depth: depth + 1))
                        } else if let a = try d.keyValue(inner, depth: depth + 1) {
                            pairs.append(a)
                        }
                        d.pos = back
                    }
                    value = isArray ? .array(values) : .kvlist(pairs)
                    d.pos = saved
                case (7, 2): value = .bytes(try d.rawBytes(wire))
                default: try d.skip(wire)
                }
            }
            return value
        }
    }
}
