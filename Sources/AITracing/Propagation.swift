import TraceModel
import W3CTraceContext

/// A context received from another service: the remote parent span (if the headers named a
/// valid one) and the baggage.
public struct RemoteContext: Hashable, Sendable {
    /// The caller's span, marked remote; nil when no valid trace headers arrived.
    public var span: SpanContext?
    /// The baggage that arrived (empty when none).
    public var baggage: Baggage

    /// Creates a remote context.
    public init(span: SpanContext?, baggage: Baggage = Baggage()) {
        self.span = span
        self.baggage = baggage
    }

    /// Runs `body` with this context's span as parent of the spans it starts, and its baggage current.
    public func withCurrent<T>(_ body: () throws -> T) rethrows -> T {
        try SpanContext.withCurrent(span) { try Baggage.withCurrent(baggage, body) }
    }

    /// The async form of `withCurrent`.
    public func withCurrent<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async rethrows -> T {
        try await SpanContext.withCurrent(span, isolation: isolation) {
            try await Baggage.withCurrent(baggage, isolation: isolation, body)
        }
    }
}

/// Header names of the seed's own propagation format.
public struct SeedHeaderNames: Hashable, Sendable {
    /// Trace id header (seed: `X-Trace-ID`).
    public var traceID: String
    /// Parent span id header (seed: `X-Span-ID`).
    public var spanID: String
    /// Baggage header (seed: `X-Baggage`).
    public var baggage: String

    /// Creates header names; the defaults are the seed's.
    public init(traceID: String = "X-Trace-ID", spanID: String = "X-Span-ID", baggage: String = "X-Baggage") {
        self.traceID = traceID
        self.spanID = spanID
        self.baggage = baggage
    }
}

/// Writes the current task's trace context into outgoing headers and reads it from incoming
/// ones, in W3C Trace Context + Baggage form and/or the seed's `X-*` form.
///
/// Extraction never fails: a malformed header is ignored (a bad `tracestate` or `baggage` is
/// dropped on its own, keeping a good `traceparent`). When both forms arrive, a valid
/// `traceparent` wins over the seed headers; baggage from both is merged, W3C first.
public struct Propagator: Hashable, Sendable {
    /// Header formats.
    public struct Formats: OptionSet, Hashable, Sendable {
        /// The bits.
        public let rawValue: UInt8
        /// Creates formats from bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// W3C `traceparent`, `tracestate` and `baggage`.
        public static let w3c = Formats(rawValue: 1)
        /// The seed's `X-Trace-ID`, `X-Span-ID` and `X-Baggage` (names configurable).
        public static let seed = Formats(rawValue: 2)
    }

    /// Which formats `inject` writes and `extract` reads.
    public var formats: Formats
    /// Names of the seed-format headers.
    public var seedHeaders: SeedHeaderNames

    /// Creates a propagator; by default it writes and reads both formats.
    public init(formats: Formats = [.w3c, .seed], seedHeaders: SeedHeaderNames = SeedHeaderNames()) {
        self.formats = formats
        self.seedHeaders = seedHeaders
    }

    /// The W3C trace-context header names.
    public static let traceparent = "traceparent"
    /// The W3C trace-state header name.
    public static let tracestate = "tracestate"
    /// The W3C baggage header name.
    public static let baggageHeader = "baggage"

    // MARK: Inject

    /// Adds the current task's context and baggage to `headers` (existing values are replaced).
    ///
    /// The context is the one of the span running in *this* task (the seed took the context of
    /// whichever tracer it found first, so concurrent requests could carry each other's ids).
    public func inject(into headers: inout [String: String]) {
        inject(SpanContext.current, baggage: Baggage.current) { name, value in
            // Header names are case-insensitive: replace any spelling already present.
            for k in headers.keys where k.lowercased() == name.lowercased() && k != name { headers[k] = nil }
            headers[name] = value
        }
    }

    /// Writes `context` and `baggage` through `set(name, value)`.
    public func inject(_ context: SpanContext?, baggage: Baggage, _ set: (String, String) -> Void) {
        if formats.contains(.w3c) {
            if let context, let parent = Propagator.traceparent(for: context) {
                set(Propagator.traceparent, parent)
                if !context.traceState.isEmpty { set(Propagator.tracestate, context.traceState) }
            }
            if let header = BaggageHeader.format(baggage) { set(Propagator.baggageHeader, header) }
        }
        if formats.contains(.seed) {
            if let context {
                set(seedHeaders.traceID, context.traceID.description)
                set(seedHeaders.spanID, context.spanID.description)
            }
            if let header = SeedBaggage.format(baggage) { set(seedHeaders.baggage, header) }
        }
    }

    /// The `traceparent` value for `context`, written by swift-w3c-trace-context (version 00).
    /// Nil when the trace id is not a 16-byte (or 8-byte) id, which W3C cannot carry.
    public static func traceparent(for context: SpanContext) -> String? {
        let high: UInt64, low: UInt64
        switch context.traceID.raw {
        case .bits128(let h, let l), .uuid(let h, let l): (high, low) = (h, l)
        case .bits64(let v): (high, low) = (0, v)
        case .text: return nil
        }
        let span: UInt64
        switch context.spanID.raw {
        case .bits64(let v): span = v
        // Wider ids are folded as OTLPJSONWriter folds them, so the child's parent id matches
        // the id an OTLP export of this span carries.
        case .bits128(let h, let l), .uuid(let h, let l): span = h ^ l
        case .text: return nil
        }
        guard high | low != 0, span != 0 else { return nil }
        let traceBytes = withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { raw in
            raw.load(as: W3CTraceContext.TraceID.Bytes.self)
        }
        let spanBytes = withUnsafeBytes(of: span.bigEndian) { raw in raw.load(as: W3CTraceContext.SpanID.Bytes.self) }
        let w3c = TraceContext(traceID: W3CTraceContext.TraceID(bytes: traceBytes),
                               spanID: W3CTraceContext.SpanID(bytes: spanBytes),
                               flags: TraceFlags(rawValue: context.traceFlags), state: TraceState())
        return w3c.traceParentHeaderValue
    }

    // MARK: Extract

    /// Reads a remote context from `headers` (names matched case-insensitively).
    public func extract(from headers: [String: String]) -> RemoteContext {
        extract { name in
            let lower = name.lowercased()
            return headers.compactMap { $0.key.lowercased() == lower ? $0.value : nil }
        }
    }

    /// Reads a remote context through `values(name)`, which returns every value received for a
    /// header name (matched case-insensitively by the caller), in order.
    public func extract(_ values: (String) -> [String]) -> RemoteContext {
        var span: SpanContext?
        var baggage: [Baggage.Entry] = []
        if formats.contains(.w3c) {
            let parents = values(Propagator.traceparent)
            // Several traceparent headers are ambiguous; the spec says to treat that as invalid.
            if parents.count == 1 {
                span = Propagator.parseTraceparent(parents[0], tracestate: values(Propagator.tracestate))
            }
            baggage += BaggageHeader.parse(values(Propagator.baggageHeader)).entries
        }
        if formats.contains(.seed) {
            if span == nil, let t = values(seedHeaders.traceID).first, let s = values(seedHeaders.spanID).first {
                span = Propagator.parseSeedIDs(trace: t, span: s)
            }
            for e in SeedBaggage.parse(values(seedHeaders.baggage)).entries where !baggage.contains(where: { $0.key == e.key }) {
                baggage.append(e)
            }
        }
        return RemoteContext(span: span, baggage: Baggage(baggage))
    }

    /// Parses a `traceparent` value (W3C Trace Context §3.2, w3.org/TR/trace-context/#traceparent-header,
    /// read 2026-11-26) with swift-w3c-trace-context, plus the spec's rules for versions that
    /// library does not take: version `ff` is invalid; a higher version is read as version 00
    /// when its first 55 characters parse and anything after them starts with `-`.
    /// Uppercase hex, all-zero ids and wrong lengths are invalid. An invalid `tracestate` is
    /// dropped without losing the `traceparent`.
    public static func parseTraceparent(_ value: String, tracestate: [String] = []) -> SpanContext? {
        var bytes = Array(value.utf8)
        // OWS around a header value is not part of it.
        while let f = bytes.first, f == 0x20 || f == 0x09 { bytes.removeFirst() }
        while let l = bytes.last, l == 0x20 || l == 0x09 { bytes.removeLast() }
        guard bytes.count >= 55, let v1 = lowerHex(bytes[0]), let v0 = lowerHex(bytes[1]) else { return nil }
        let version = v1 << 4 | v0
        if version == 0xFF { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else {
            guard bytes.count == 55 || bytes[55] == UInt8(ascii: "-") else { return nil }
            bytes = [UInt8(ascii: "0"), UInt8(ascii: "0")] + bytes[2..<55]
        }
        let parent = String(decoding: bytes, as: UTF8.self)
        guard let plain = try? TraceContext(traceParentHeaderValue: parent) else { return nil }
        var state = ""
        if let normalised = normaliseTracestate(tracestate),
           let withState = try? TraceContext(traceParentHeaderValue: parent, traceStateHeaderValue: normalised) {
            state = withState.traceStateHeaderValue ?? ""
        }
        return SpanContext(traceID: TraceModel.TraceID(.bits128(high: word(plain.traceID.bytes, 0), low: word(plain.traceID.bytes, 8))),
                           spanID: TraceModel.SpanID(.bits64(word(plain.spanID.bytes, 0))),
                           traceFlags: plain.flags.rawValue, traceState: state, isRemote: true)
    }

    /// Joins several `tracestate` headers into one list, dropping empty members and OWS; nil
    /// when there is nothing or more than 32 members (the spec's limit; such a header may be
    /// discarded whole), or when a byte lies outside printable ASCII.
    ///
    /// The grammar (W3C Trace Context §3.3.1) allows printable ASCII only, and such a header
    /// must not reach swift-w3c-trace-context 1.0.0: its decoder counts a key's UTF-8 bytes but
    /// steps through the text by characters, so a digit followed by a combining mark (one
    /// character, three bytes) in an over-long key made it index before the start of the string
    /// and trap — a crash any client could cause with one header (found by fuzz-traceparent).
    static func normaliseTracestate(_ values: [String]) -> String? {
        for v in values where !v.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E || $0 == 0x09 }) { return nil }
        var members: [String] = []
        for v in values {
            for m in Array(v.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let t = BaggageHeader.trimOWS(m)
                if !t.isEmpty { members.append(String(decoding: t, as: UTF8.self)) }
            }
        }
        guard !members.isEmpty, members.count <= 32 else { return nil }
        return members.joined(separator: ",")
    }

    /// The value of a lowercase hex digit; W3C ids and versions are lowercase only.
    static func lowerHex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    private static func word<T>(_ tuple: T, _ offset: Int) -> UInt64 {
        withUnsafeBytes(of: tuple) { raw in
            var v: UInt64 = 0
            for i in offset..<offset + 8 { v = v << 8 | UInt64(raw[i]) }
            return v
        }
    }

    /// Parses the seed's `X-Trace-ID` / `X-Span-ID` pair: hex ids (ours) or the seed's UUIDs.
    /// Anything else, or an all-zero id, is ignored.
    public static func parseSeedIDs(trace: String, span: String) -> SpanContext? {
        func id(_ s: String) -> Identifier? {
            let text = s.trimmingCharacters(" \t")
            guard text.utf8.count <= 36 else { return nil }
            let parsed = Identifier(parsing: text)
            switch parsed {
            case .bits64, .bits128, .uuid:
                // Identifier also takes base64; the seed never writes that, so insist on hex digits.
                guard text.utf8.allSatisfy({ BaggageHeader.hexValue($0) != nil || $0 == UInt8(ascii: "-") }) else { return nil }
                return parsed.isZero ? nil : parsed
            case .text:
                return nil
            }
        }
        guard let t = id(trace), let s = id(span) else { return nil }
        return SpanContext(traceID: TraceModel.TraceID(t), spanID: TraceModel.SpanID(s), traceFlags: 1, isRemote: true)
    }
}

/// The seed's `X-Baggage` header, `k=v,k2=v2`, made safe: keys and values are percent-encoded
/// (as in W3C Baggage) so `=`, `,` and non-ASCII text survive, and a malformed item is skipped
/// instead of raising (the seed's `k, v = item.split("=")` failed on both).
public enum SeedBaggage {
    /// The header value, or nil when there is nothing to send.
    public static func format(_ baggage: Baggage) -> String? {
        let items = baggage.entries.map { e in
            String(decoding: BaggageHeader.percentEncode(e.key), as: UTF8.self) + "="
                + String(decoding: BaggageHeader.percentEncode(e.value), as: UTF8.self)
        }
        guard !items.isEmpty else { return nil }
        var out = ""
        for item in items.prefix(BaggageHeader.maxMembers) {
            guard out.utf8.count + item.utf8.count + 1 <= BaggageHeader.maxBytes else { break }
            if !out.isEmpty { out += "," }
            out += item
        }
        return out
    }

    /// Parses header values; items without `=` or with an empty key are skipped.
    public static func parse(_ values: [String]) -> Baggage {
        var entries: [Baggage.Entry] = []
        var bytes = 0
        for v in values {
            for item in Array(v.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
                let t = BaggageHeader.trimOWS(item)
                guard entries.count < BaggageHeader.maxMembers, bytes + t.count <= BaggageHeader.maxBytes else { return Baggage(entries) }
                bytes += t.count
                guard let eq = t.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let key = BaggageHeader.percentDecode(BaggageHeader.trimOWS(t[t.startIndex..<eq]))
                let value = BaggageHeader.percentDecode(BaggageHeader.trimOWS(t[t.index(after: eq)...]))
                if key.isEmpty { continue }
                entries.append(Baggage.Entry(key: key, value: value))
            }
        }
        return Baggage(entries)
    }
}

extension String {
    func trimmingCharacters(_ set: String) -> String {
        let drop = Set(set.utf8)
        var s = Substring(self).utf8[...]
        while let f = s.first, drop.contains(f) { s.removeFirst() }
        while let l = s.last, drop.contains(l) { s.removeLast() }
        return String(Substring(s))
    }
}
