import TraceModel

/// A span being recorded. `AITracer.withSpan` hands one to its body and ends it when the body
/// returns or throws; spans from `AITracer.startSpan` are ended by calling `end()`.
///
/// Every method is safe to call from any task. Changes after `end()` are ignored, as OTel
/// specifies for ended spans.
public final class AISpan: Sendable {
    /// Trace id, span id, flags and trace state; children and outgoing requests use it.
    public let context: SpanContext
    /// The parent span's id, nil for a root.
    public let parentID: SpanID?
    /// Start time, nanoseconds since the Unix epoch.
    public let startNanos: Int64
    /// The tracer that records this span when it ends.
    public let tracer: AITracer

    struct State {
        var name: String
        var kind: SpanKind
        var attributes: [Attribute]
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status: SpanStatus = .unset
        var ended = false
    }

    private let state: Locked<State>

    init(tracer: AITracer, context: SpanContext, parentID: SpanID?, name: String, kind: SpanKind,
         attributes: [Attribute], startNanos: Int64) {
        self.tracer = tracer
        self.context = context
        self.parentID = parentID
        self.startNanos = startNanos
        var attrs = attributes
        // Room for the common LLM attributes without regrowing.
        attrs.reserveCapacity(attributes.count + 10)
        state = Locked(State(name: name, kind: kind, attributes: attrs))
    }

    /// The operation name.
    public var name: String {
        get { state.withLock { $0.name } }
        set { state.withLock { if !$0.ended { $0.name = newValue } } }
    }

    /// A copy of the attributes set so far.
    public var attributes: [Attribute] { state.withLock { $0.attributes } }

    /// A copy of the events added so far.
    public var events: [SpanEvent] { state.withLock { $0.events } }

    /// The status set so far.
    public var status: SpanStatus { state.withLock { $0.status } }

    /// True once the span has ended and been recorded.
    public var isEnded: Bool { state.withLock { $0.ended } }

    /// Sets (or replaces) one attribute.
    public func setAttribute(_ key: String, _ value: AttributeValue) {
        state.withLock { s in
            guard !s.ended else { return }
            AISpan.set(&s.attributes, key, value)
        }
    }

    /// Sets (or replaces) several attributes.
    public func setAttributes(_ attributes: [Attribute]) {
        state.withLock { s in
            guard !s.ended else { return }
            for a in attributes { AISpan.set(&s.attributes, a.key, a.value) }
        }
    }

    /// Replaces all attributes (used by the swift-distributed-tracing adapter).
    func replaceAttributes(_ attributes: [Attribute]) {
        state.withLock { s in
            guard !s.ended else { return }
            s.attributes = attributes
        }
    }

    /// Changes the span kind (server, client, …).
    public func setKind(_ kind: SpanKind) {
        state.withLock { s in if !s.ended { s.kind = kind } }
    }

    /// Adds an event at `timeNanos` (default: now).
    public func addEvent(_ name: String, attributes: [Attribute] = [], at timeNanos: Int64? = nil) {
        let time = timeNanos ?? nowNanos()
        state.withLock { s in
            guard !s.ended else { return }
            s.events.append(SpanEvent(timeNanos: time, name: name, attributes: attributes))
        }
    }

    /// Links this span to another span (for example a batch job to the requests it serves).
    public func addLink(_ other: SpanContext, attributes: [Attribute] = []) {
        state.withLock { s in
            guard !s.ended else { return }
            s.links.append(SpanLink(traceID: other.traceID, spanID: other.spanID, attributes: attributes))
        }
    }

    /// Sets the status; an `error` status is never downgraded back to unset by a later call.
    public func setStatus(_ status: SpanStatus) {
        state.withLock { s in
            guard !s.ended else { return }
            if s.status.code == .error && status.code == .unset { return }
            s.status = status
        }
    }

    /// Records `error` as OTel does (status ERROR and an `exception` event) plus the seed's
    /// `type`/`message` event attributes.
    ///
    /// Names from the OTel semantic conventions for exceptions
    /// (opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/): event `exception`
    /// with `exception.type` and `exception.message`.
    public func recordError(_ error: any Error, attributes: [Attribute] = []) {
        let message = String(describing: error)
        let fullType = String(reflecting: type(of: error))
        let shortType = String(describing: type(of: error))
        var attrs: [Attribute] = [
            Attribute("exception.type", .string(fullType)),
            Attribute("exception.message", .string(message)),
            Attribute("type", .string(shortType)),
            Attribute("message", .string(message)),
        ]
        attrs += attributes
        addEvent("exception", attributes: attrs)
        setStatus(SpanStatus(.error, message: message))
    }

    /// Records an LLM call's model, tokens and cost, under the seed's `ai.*` names and the
    /// OpenTelemetry GenAI names, so both the seed's readers and OTel tools understand it.
    ///
    /// - Parameter cost: USD; when nil it is computed from the tracer's price table. A model the
    ///   table does not know gets no cost at all, so readers show it as unpriced (the seed priced
    ///   every unknown model as gpt-4o).
    ///
    /// GenAI names: opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
    /// (`gen_ai.request.model`, `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`).
    public func setAIMetrics(model: String, promptTokens: Int, completionTokens: Int, cost: Double? = nil) {
        let usd = cost ?? tracer.price(model: model, promptTokens: promptTokens, completionTokens: completionTokens)
        let modelValue = AttributeValue.string(model)
        let prompt = AttributeValue.int(Int64(promptTokens)), completion = AttributeValue.int(Int64(completionTokens))
        let total = AttributeValue.int(Int64(promptTokens) &+ Int64(completionTokens))
        state.withLock { s in
            guard !s.ended else { return }
            // Fast path, the common case: no `ai.*`/`gen_ai.*` key yet, so append without
            // searching (string comparisons were a tenth of the per-span cost).
            if !s.attributes.contains(where: { AISpan.mayBeMetricKey($0.key) }) {
                // One allocation for the eight attributes instead of the array doubling three times.
                s.attributes.reserveCapacity(s.attributes.count + 8)
                s.attributes.append(Attribute("ai.model", modelValue))
                s.attributes.append(Attribute("ai.prompt_tokens", prompt))
                s.attributes.append(Attribute("ai.completion_tokens", completion))
                s.attributes.append(Attribute("ai.total_tokens", total))
                if let usd { s.attributes.append(Attribute("ai.cost_usd", .double(usd))) }
                s.attributes.append(Attribute("gen_ai.request.model", modelValue))
                s.attributes.append(Attribute("gen_ai.usage.input_tokens", prompt))
                s.attributes.append(Attribute("gen_ai.usage.output_tokens", completion))
                return
            }
            AISpan.set(&s.attributes, "ai.model", modelValue)
            AISpan.set(&s.attributes, "ai.prompt_tokens", prompt)
            AISpan.set(&s.attributes, "ai.completion_tokens", completion)
            AISpan.set(&s.attributes, "ai.total_tokens", total)
            if let usd { AISpan.set(&s.attributes, "ai.cost_usd", .double(usd)) }
            if s.attributes[key: "gen_ai.request.model"] == nil {
                s.attributes.append(Attribute("gen_ai.request.model", modelValue))
            }
            AISpan.set(&s.attributes, "gen_ai.usage.input_tokens", prompt)
            AISpan.set(&s.attributes, "gen_ai.usage.output_tokens", completion)
        }
    }

    /// True for keys that start like the ones `setAIMetrics` writes (`ai.`, `gen_ai.`).
    @inline(__always)
    static func mayBeMetricKey(_ key: String) -> Bool {
        var u = key.utf8.makeIterator()
        switch u.next() {
        case UInt8(ascii: "a"): return u.next() == UInt8(ascii: "i") && u.next() == UInt8(ascii: ".")
        case UInt8(ascii: "g"): return u.next() == UInt8(ascii: "e") && u.next() == UInt8(ascii: "n")
        default: return false
        }
    }

    /// Ends the span at `timeNanos` (default: now) and hands it to the tracer's store. Later
    /// calls do nothing.
    public func end(at timeNanos: Int64? = nil) {
        let end = timeNanos ?? nowNanos()
        let taken: State? = state.withLock { s in
            guard !s.ended else { return nil }
            s.ended = true
            // Move the arrays out rather than copy them: nothing reads them after the end.
            let out = s
            s.attributes = []
            s.events = []
            s.links = []
            return out
        }
        guard let s = taken else { return }
        tracer.record(TraceModel.Span(
            traceID: context.traceID, spanID: context.spanID, parentID: parentID, name: s.name,
            service: tracer.service, kind: s.kind, startNanos: startNanos, endNanos: end,
            status: s.status, attributes: s.attributes, events: s.events, links: s.links,
            origin: tracer.origin))
    }

    @inline(__always)
    static func set(_ attributes: inout [Attribute], _ key: String, _ value: AttributeValue) {
        for i in attributes.indices where attributes[i].key == key {
            attributes[i].value = value
            return
        }
        attributes.append(Attribute(key, value))
    }
}
