/// What role a span plays in a call, as OTLP's `SpanKind` defines it.
public enum SpanKind: UInt8, Sendable, CaseIterable {
    case unspecified = 0, `internal`, server, client, producer, consumer

    /// Lowercase name as OTel writes it in text (`server`, `client`, …).
    public var name: String {
        switch self {
        case .unspecified: return "unspecified"
        case .internal: return "internal"
        case .server: return "server"
        case .client: return "client"
        case .producer: return "producer"
        case .consumer: return "consumer"
        }
    }
}

/// A span's outcome: OTLP's `Status` (code plus message).
public struct SpanStatus: Hashable, Sendable {
    /// OTLP status codes.
    public enum Code: UInt8, Sendable {
        case unset = 0, ok = 1, error = 2
    }
    /// The status code.
    public var code: Code
    /// The description, usually set only for errors.
    public var message: String

    /// Creates a status.
    public init(_ code: Code, message: String = "") {
        self.code = code
        self.message = message
    }

    /// Status not set.
    public static let unset = SpanStatus(.unset)
    /// Explicit success.
    public static let ok = SpanStatus(.ok)
    /// True when the code is `error`.
    public var isError: Bool { code == .error }
}

/// Something that happened at a point in time during a span (OTLP `Span.Event`).
public struct SpanEvent: Hashable, Sendable {
    /// Nanoseconds since the Unix epoch.
    public var timeNanos: Int64
    /// Event name, such as `exception` or `gen_ai.content.prompt`.
    public var name: String
    /// The event's attributes.
    public var attributes: [Attribute]

    /// Creates an event.
    public init(timeNanos: Int64, name: String, attributes: [Attribute] = []) {
        self.timeNanos = timeNanos
        self.name = name
        self.attributes = attributes
    }
}

/// A reference from one span to another, possibly in another trace (OTLP `Span.Link`).
public struct SpanLink: Hashable, Sendable {
    /// The linked span's trace.
    public var traceID: TraceID
    /// The linked span.
    public var spanID: SpanID
    /// The link's attributes.
    public var attributes: [Attribute]

    /// Creates a link.
    public init(traceID: TraceID, spanID: SpanID, attributes: [Attribute] = []) {
        self.traceID = traceID
        self.spanID = spanID
        self.attributes = attributes
    }
}

/// Where a span came from: its resource attributes and instrumentation scope.
///
/// Many spans share one origin, so it is a shared immutable object rather than copied per span.
public final class SpanOrigin: Sendable, Hashable {
    /// Resource attributes (`service.name`, `telemetry.sdk.*`, host, …).
    public let resource: [Attribute]
    /// Instrumentation scope name (for example `opentelemetry.instrumentation.openai`).
    public let scopeName: String
    /// Instrumentation scope version.
    public let scopeVersion: String

    /// Creates an origin.
    public init(resource: [Attribute] = [], scopeName: String = "", scopeVersion: String = "") {
        self.resource = resource
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
    }

    /// An origin with nothing known.
    public static let unknown = SpanOrigin()

    public static func == (a: SpanOrigin, b: SpanOrigin) -> Bool {
        a === b || (a.resource == b.resource && a.scopeName == b.scopeName && a.scopeVersion == b.scopeVersion)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(scopeName)
        hasher.combine(resource.count)
    }
}

/// One operation in a trace, as recorded.
///
/// A span holds only what the file said. Interpretations (LLM call, tree position, flags) live
/// in `Trace`, which computes them once for all spans.
public struct Span: Sendable {
    /// The trace this span belongs to.
    public var traceID: TraceID
    /// This span's id.
    public var spanID: SpanID
    /// The parent's id, or nil for a span that claims to be a root.
    public var parentID: SpanID?
    /// Operation name.
    public var name: String
    /// Service name (resource `service.name`), or "" when unknown.
    public var service: String
    /// Span kind.
    public var kind: SpanKind
    /// Start, in nanoseconds since the Unix epoch.
    public var startNanos: Int64
    /// End, in nanoseconds since the Unix epoch.
    public var endNanos: Int64
    /// Outcome.
    public var status: SpanStatus
    /// Span attributes in file order.
    public var attributes: [Attribute]
    /// Events in file order.
    public var events: [SpanEvent]
    /// Links to other spans.
    public var links: [SpanLink]
    /// Resource and scope.
    public var origin: SpanOrigin

    /// Creates a span.
    public init(traceID: TraceID, spanID: SpanID, parentID: SpanID? = nil, name: String,
                service: String = "", kind: SpanKind = .internal,
                startNanos: Int64, endNanos: Int64, status: SpanStatus = .unset,
                attributes: [Attribute] = [], events: [SpanEvent] = [], links: [SpanLink] = [],
                origin: SpanOrigin = .unknown) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentID = parentID
        self.name = name
        self.service = service
        self.kind = kind
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.status = status
        self.attributes = attributes
        self.events = events
        self.links = links
        self.origin = origin
    }

    /// End minus start, never negative.
    public var durationNanos: Int64 { endNanos > startNanos ? endNanos &- startNanos : 0 }

    /// The times a trace reader stores: 1970-01-01 up to 2^62 ns later (early 2116). Readers
    /// clamp into this range, so that the difference of two times, or a time plus a duration,
    /// always fits in an `Int64`: hostile files cannot make later arithmetic overflow.
    public static let timeRange: ClosedRange<Int64> = 0...(1 << 62)

    /// Moves the start, end and event times into `timeRange`; true when anything moved.
    public mutating func clampTimes() -> Bool {
        let range = Span.timeRange
        var moved = false
        func clamp(_ t: inout Int64) {
            if t < range.lowerBound { t = range.lowerBound; moved = true }
            if t > range.upperBound { t = range.upperBound; moved = true }
        }
        clamp(&startNanos)
        clamp(&endNanos)
        for i in events.indices where !range.contains(events[i].timeNanos) { clamp(&events[i].timeNanos) }
        return moved
    }
}

extension Span {
    /// True when `other` records the same span with the same content: what an exporter that
    /// retries a batch writes twice. Spans that merely share an id are not copies.
    public func isExactCopy(of other: Span) -> Bool {
        traceID == other.traceID && spanID == other.spanID && parentID == other.parentID && name == other.name
            && service == other.service && kind == other.kind && startNanos == other.startNanos
            && endNanos == other.endNanos && status == other.status && attributes == other.attributes
            && events == other.events && links == other.links && origin == other.origin
    }
}
