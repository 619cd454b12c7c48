import TraceAnalysis
import TraceModel

/// Records spans for one service: the Swift form of the seed's `AITracer`.
///
/// ```swift
/// let tracer = AITracer(service: "agent-service")
/// try await tracer.withSpan("process_request") { span in
///     try await tracer.withLLMSpan(model: "gpt-4o") { llm in
///         llm.setAIMetrics(model: "gpt-4o", promptTokens: 812, completionTokens: 164)
///     }
/// }
/// ```
///
/// Several tracers (one per service in a process) can share one `SpanStore`, so a trace that
/// crosses them is found and exported as one.
public final class AITracer: Sendable {
    /// The service name written on every span (`service.name`).
    public let service: String
    /// Where ended spans go.
    public let store: SpanStore
    /// Prices for `setAIMetrics` calls that pass no cost, and for exports.
    public let prices: PriceTable
    /// Source of trace and span ids.
    public let ids: IDGenerator
    /// The resource and scope shared by this tracer's spans.
    public let origin: SpanOrigin
    /// How headers are written and read by `inject`/`extract` and the distributed-tracing adapter.
    public let propagator: Propagator

    private let priceCache = Locked<PriceCache>(PriceCache())

    /// Prices by model name, with the last one looked up kept apart: LLM apps mostly call one
    /// model in a row, and comparing one string is cheaper than hashing it.
    struct PriceCache {
        var lastModel = ""
        var lastPrice: ModelPrice?
        var byModel: [String: ModelPrice?] = [:]
    }

    /// Creates a tracer for `service`.
    ///
    /// - Parameters:
    ///   - store: shared by the tracers whose spans should be exported together.
    ///   - prices: the price table (default: `PriceTable.standard`).
    ///   - ids: the id generator; pass `IDGenerator(seed:)` for reproducible ids.
    ///   - resource: extra resource attributes (`service.name` is added).
    public init(service: String, store: SpanStore = SpanStore(), prices: PriceTable = .standard,
                ids: IDGenerator = .shared, resource: [Attribute] = [], propagator: Propagator = Propagator()) {
        self.service = service
        self.store = store
        self.prices = prices
        self.ids = ids
        self.propagator = propagator
        var attrs = [Attribute("service.name", .string(service))]
        attrs += resource.filter { $0.key != "service.name" }
        attrs.append(Attribute("telemetry.sdk.name", "spanscope-aitracing"))
        attrs.append(Attribute("telemetry.sdk.language", "swift"))
        origin = SpanOrigin(resource: attrs, scopeName: "AITracing", scopeVersion: "1")
    }

    // MARK: Starting spans

    /// Starts a span that the caller must `end()`.
    ///
    /// - Parameter parent: omitted, the current task's span; `.some(nil)` starts a new trace;
    ///   `.some(context)` continues `context` (for example one extracted from headers).
    ///
    /// Prefer `withSpan`, which ends the span and records errors for you.
    public func startSpan(_ name: String, kind: SpanKind = .internal, attributes: [Attribute] = [],
                          parent: SpanContext?? = .none, startNanos: Int64? = nil) -> AISpan {
        let parentContext: SpanContext?
        switch parent {
        case .none: parentContext = SpanContext.current
        case .some(let explicit): parentContext = explicit
        }
        let context: SpanContext
        if let p = parentContext {
            context = SpanContext(traceID: p.traceID, spanID: ids.spanID(), traceFlags: p.traceFlags, traceState: p.traceState)
        } else {
            context = SpanContext(traceID: ids.traceID(), spanID: ids.spanID())
        }
        return AISpan(tracer: self, context: context, parentID: parentContext?.spanID, name: name, kind: kind,
                      attributes: attributes, startNanos: startNanos ?? nowNanos())
    }

    /// Runs `body` inside a new span that is the current span for everything `body` calls,
    /// including child tasks. A thrown error sets status ERROR, adds an `exception` event and is
    /// rethrown.
    public func withSpan<T>(_ name: String, kind: SpanKind = .internal, attributes: [Attribute] = [],
                            _ body: (AISpan) throws -> T) rethrows -> T {
        let span = startSpan(name, kind: kind, attributes: attributes)
        defer { span.end() }
        do {
            return try SpanContext.withCurrent(span.context) { try body(span) }
        } catch {
            span.recordError(error)
            throw error
        }
    }

    /// The async form of `withSpan`: child tasks started in `body` inherit the span as parent.
    public func withSpan<T>(_ name: String, kind: SpanKind = .internal, attributes: [Attribute] = [],
                            isolation: isolated (any Actor)? = #isolation,
                            _ body: (AISpan) async throws -> T) async rethrows -> T {
        let span = startSpan(name, kind: kind, attributes: attributes)
        defer { span.end() }
        do {
            return try await SpanContext.withCurrent(span.context, isolation: isolation) { try await body(span) }
        } catch {
            span.recordError(error)
            throw error
        }
    }

    /// Attributes and name of an LLM span, shared by both forms of `withLLMSpan`.
    func llmSpanSetup(_ name: String?, model: String, operation: String, provider: String?,
                      attributes: [Attribute]) -> (String, [Attribute]) {
        var attrs: [Attribute] = [
            Attribute("gen_ai.operation.name", .string(operation)),
            Attribute("gen_ai.request.model", .string(model)),
        ]
        if let provider { attrs.append(Attribute("gen_ai.provider.name", .string(provider))) }
        attrs += attributes
        // GenAI span names are "{operation} {model}" (semconv gen-ai-spans, "Span name").
        return (name ?? "\(operation) \(model)", attrs)
    }

    /// Runs `body` in a span for one LLM call (kind client), as the seed's `start_llm_span`:
    /// the requested model is recorded (GenAI `gen_ai.request.model`) and an `llm_call_start`
    /// event is added. Call `setAIMetrics` on the span with the usage.
    public func withLLMSpan<T>(_ name: String? = nil, model: String, operation: String = "chat",
                               provider: String? = nil, attributes: [Attribute] = [],
                               _ body: (AISpan) throws -> T) rethrows -> T {
        let (spanName, attrs) = llmSpanSetup(name, model: model, operation: operation, provider: provider, attributes: attributes)
        return try withSpan(spanName, kind: .client, attributes: attrs) { span in
            span.addEvent("llm_call_start", attributes: [Attribute("model", .string(model))])
            return try body(span)
        }
    }

    /// The async form of `withLLMSpan`.
    public func withLLMSpan<T>(_ name: String? = nil, model: String, operation: String = "chat",
                               provider: String? = nil, attributes: [Attribute] = [],
                               isolation: isolated (any Actor)? = #isolation,
                               _ body: (AISpan) async throws -> T) async rethrows -> T {
        let (spanName, attrs) = llmSpanSetup(name, model: model, operation: operation, provider: provider, attributes: attributes)
        return try await withSpan(spanName, kind: .client, attributes: attrs, isolation: isolation) { span in
            span.addEvent("llm_call_start", attributes: [Attribute("model", .string(model))])
            return try await body(span)
        }
    }

    // MARK: Recording and reading back

    func record(_ span: consuming TraceModel.Span) {
        store.record(span)
    }

    /// USD for a call at this tracer's prices, nil when the model is unpriced. The price is
    /// cached per model name, because normalising a name costs more than recording a span.
    func price(model: String, promptTokens: Int, completionTokens: Int) -> Double? {
        let hit: ModelPrice?? = priceCache.withLock { cache in
            if !cache.lastModel.isEmpty, cache.lastModel == model { return .some(cache.lastPrice) }
            guard let found = cache.byModel[model] else { return .none }
            cache.lastModel = model
            cache.lastPrice = found
            return .some(found)
        }
        let price: ModelPrice?
        if let hit {
            price = hit
        } else {
            price = prices.price(for: model)
            priceCache.withLock { cache in
                if cache.byModel.count >= 1024 { cache.byModel.removeAll() }
                cache.byModel[model] = .some(price)
                cache.lastModel = model
                cache.lastPrice = price
            }
        }
        return price?.cost(input: Int64(promptTokens), output: Int64(completionTokens))
    }

    /// All spans of trace `id` held in the store, as a `Trace` (LLM calls normalised the same
    /// way as when Spanscope reads a file).
    public func trace(_ id: TraceID) -> Trace {
        store.trace(id)
    }

    /// The critical path of trace `id` (Jaeger-UI algorithm, from TraceAnalysis).
    public func criticalPath(_ id: TraceID) -> (trace: Trace, segments: [CriticalPathSegment]) {
        let t = trace(id)
        return (t, CriticalPath.compute(t))
    }

    /// The seed's `get_ai_summary`: calls, tokens, cost and the per-model breakdown of trace `id`,
    /// priced with this tracer's table (recorded costs win).
    public func aiSummary(_ id: TraceID) -> TraceSummary {
        TraceSummary(trace: trace(id), prices: prices)
    }
}
