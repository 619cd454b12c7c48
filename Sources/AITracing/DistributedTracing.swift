import Instrumentation
import TraceModel
import Tracing

/// Where an `AITracer` keeps its span context inside swift-distributed-tracing's
/// `InstrumentationContext`.
enum AISpanContextKey: InstrumentationContextKey {
    typealias Value = SpanContext
    static var nameOverride: String? { "spanscope.span-context" }
}

/// Where the baggage travels inside an `InstrumentationContext`.
enum AIBaggageKey: InstrumentationContextKey {
    typealias Value = Baggage
    static var nameOverride: String? { "spanscope.baggage" }
}

/// Keeps `SpanContext.current` and swift-distributed-tracing's `InstrumentationContext.current`
/// in step.
///
/// Binding both task-locals on every span would cost a dictionary copy per span, so the rule
/// is: when an `InstrumentationContext` is bound (some code in this task uses
/// swift-distributed-tracing), `withSpan` writes the new context into it as well. Then, if it
/// holds a span context, that one is always the innermost.
enum DistributedTracingBridge {
    static func currentContext() -> SpanContext? {
        InstrumentationContext.current?[AISpanContextKey.self]
    }

    static func withBinding<T>(_ context: SpanContext?, _ body: () throws -> T) rethrows -> T {
        guard var bound = InstrumentationContext.current else { return try body() }
        bound[AISpanContextKey.self] = context
        return try InstrumentationContext.$current.withValue(bound, operation: body)
    }

    static func withBinding<T>(_ context: SpanContext?, isolation: isolated (any Actor)?,
                               _ body: () async throws -> T) async rethrows -> T {
        guard var bound = InstrumentationContext.current else { return try await body() }
        bound[AISpanContextKey.self] = context
        return try await InstrumentationContext.$current.withValue(bound, operation: body, isolation: isolation)
    }
}

/// A span started through swift-distributed-tracing's API (`tracer.withSpan`, the global
/// `withSpan`, libraries instrumented with it); it records into the `AITracer`'s store.
public final class DistributedSpan: Tracing.Span {
    /// The span being recorded.
    public let span: AISpan
    /// The instrumentation context that names this span (for children and injection).
    public let context: InstrumentationContext

    init(span: AISpan, base: InstrumentationContext) {
        self.span = span
        var c = base
        c[AISpanContextKey.self] = span.context
        context = c
    }

    /// The operation name.
    public var operationName: String {
        get { span.name }
        set { span.name = newValue }
    }

    /// Sets OK or ERROR status.
    public func setStatus(_ status: Tracing.SpanStatus) {
        switch status.code {
        case .ok: span.setStatus(.ok)
        case .error: span.setStatus(TraceModel.SpanStatus(.error, message: status.message ?? ""))
        }
    }

    /// Adds an event.
    public func addEvent(_ event: Tracing.SpanEvent) {
        span.addEvent(event.name, attributes: DistributedSpan.convert(event.attributes),
                      at: Int64(clamping: event.nanosecondsSinceEpoch))
    }

    /// Records an error as an `exception` event and ERROR status.
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes,
                                                    at instant: @autoclosure () -> Instant) {
        span.recordError(error, attributes: DistributedSpan.convert(attributes))
    }

    /// The span's attributes in swift-distributed-tracing's form; setting replaces them all.
    public var attributes: SpanAttributes {
        get {
            var out = SpanAttributes()
            for a in span.attributes { out[a.key] = DistributedSpan.convert(a.value) }
            return out
        }
        set { span.replaceAttributes(DistributedSpan.convert(newValue)) }
    }

    /// True until the span ends.
    public var isRecording: Bool { !span.isEnded }

    /// Links to the span named by `link.context`, when it holds one of our span contexts.
    public func addLink(_ link: Tracing.SpanLink) {
        guard let other = link.context[AISpanContextKey.self] else { return }
        span.addLink(other, attributes: DistributedSpan.convert(link.attributes))
    }

    /// Ends the span at `instant`.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        span.end(at: Int64(clamping: instant().nanosecondsSinceEpoch))
    }

    static func convert(_ attributes: SpanAttributes) -> [Attribute] {
        var out: [Attribute] = []
        attributes.forEach { key, value in out.append(Attribute(key, convert(value))) }
        // SpanAttributes is a dictionary; sort so the recorded order does not change run to run.
        out.sort { $0.key < $1.key }
        return out
    }

    static func convert(_ value: SpanAttribute) -> AttributeValue {
        switch value {
        case .int32(let v): return .int(Int64(v))
        case .int64(let v): return .int(v)
        case .double(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .int32Array(let a): return .array(a.map { .int(Int64($0)) })
        case .int64Array(let a): return .array(a.map { .int($0) })
        case .doubleArray(let a): return .array(a.map { .double($0) })
        case .boolArray(let a): return .array(a.map { .bool($0) })
        case .stringArray(let a): return .array(a.map { .string($0) })
        case .stringConvertible(let v): return .string(v.description)
        case .stringConvertibleArray(let a): return .array(a.map { .string($0.description) })
        default: return .string("\(value)")
        }
    }

    static func convert(_ value: AttributeValue) -> SpanAttribute {
        switch value {
        case .string(let s): return .string(s)
        case .int(let v): return .int64(v)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .array(let a):
            if let s = a.map(\.stringValue) as? [String] { return .stringArray(s) }
            return .string(value.displayText)
        default: return .string(value.displayText)
        }
    }
}

extension AITracer: Tracing.Tracer {
    /// The span type swift-distributed-tracing's API hands out.
    public typealias Span = DistributedSpan

    /// Starts a span for swift-distributed-tracing's API. The parent is the span context in
    /// `context`; when it holds none (the API's default `.current ?? .topLevel` outside its own
    /// spans), the current task's `AITracer` span is the parent, so library spans nest under ours.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext,
        ofKind kind: Tracing.SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> DistributedSpan {
        let base = context()
        let parent = base[AISpanContextKey.self] ?? SpanContext.taskLocal
        let span = startSpan(operationName, kind: AITracer.convert(kind), parent: .some(parent),
                             startNanos: Int64(clamping: instant().nanosecondsSinceEpoch))
        return DistributedSpan(span: span, base: base)
    }

    /// Asks a batching exporter attached to the store to export now.
    public func forceFlush() {
        store.requestFlush()
    }

    /// Reads trace headers from `carrier` into `context` (our span context and baggage).
    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout InstrumentationContext,
                                                      using extractor: Extract) where Extract.Carrier == Carrier {
        let remote = propagator.extract { name in extractor.extract(key: name, from: carrier).map { [$0] } ?? [] }
        if let span = remote.span { context[AISpanContextKey.self] = span }
        if !remote.baggage.isEmpty { context[AIBaggageKey.self] = remote.baggage }
    }

    /// Writes the span context and baggage held in `context` into `carrier`.
    public func inject<Carrier, Inject: Injector>(_ context: InstrumentationContext, into carrier: inout Carrier,
                                                   using injector: Inject) where Inject.Carrier == Carrier {
        let span = context[AISpanContextKey.self] ?? SpanContext.taskLocal
        let baggage = context[AIBaggageKey.self] ?? Baggage.current
        propagator.inject(span, baggage: baggage) { name, value in injector.inject(value, forKey: name, into: &carrier) }
    }

    static func convert(_ kind: Tracing.SpanKind) -> TraceModel.SpanKind {
        switch kind {
        case .server: return .server
        case .client: return .client
        case .producer: return .producer
        case .consumer: return .consumer
        case .internal: return .internal
        }
    }
}
