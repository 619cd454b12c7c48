import TraceModel

/// The attribute keys that name a trace's session (conversation), in the order they are tried.
public struct SessionKeys: Hashable, Sendable {
    /// Keys tried in order; the first one a trace carries names its session.
    public let keys: [String]

    /// Keys tried in order (a user's own key first, then the standard ones, is usual).
    public init(_ keys: [String]) { self.keys = keys }

    /// The conventions Spanscope knows (`SessionConventions.standardKeys`, with their sources).
    public static let standard = SessionKeys(SessionConventions.standardKeys)

    /// `key` first, then the standard keys.
    public static func preferring(_ key: String?) -> SessionKeys {
        SessionKeys(SessionConventions.keys(preferring: key))
    }

    /// The session id trace `trace` carries: on the root span or its resource first, else on the
    /// first span (depth-first) that has one of the keys. Nil when no span has any.
    public func sessionID(of trace: Trace) -> String? { trace.sessionID(keys: keys) }
}

/// What a span is, for grouping: tool calls are named by their tool.
public enum SpanRole {
    /// The tool a span runs, or nil when it is not a tool call.
    ///
    /// A span is a tool call when its LLM operation is `execute_tool` (GenAI
    /// `gen_ai.operation.name`, OpenInference span kind `TOOL`, Vercel's `ai.toolCall`), when it
    /// carries `gen_ai.tool.name` or OpenInference's `tool.name`, or when Traceloop marks it
    /// `traceloop.span.kind=tool`. The name is the first of those attributes, else the span name.
    public static func toolName(_ trace: Trace, span: Int) -> String? {
        var toolKind = trace.isLLM(span) && trace.llmCall(at: span)?.operation == "execute_tool"
        var name: String? = nil
        var entity: String? = nil
        for a in trace.spans[span].attributes {
            switch a.key {
            case "gen_ai.tool.name", "tool.name":
                if name == nil, let v = a.value.stringValue, !v.isEmpty { name = v }
            case "traceloop.span.kind":
                if a.value.stringValue == "tool" { toolKind = true }
            case "traceloop.entity.name":
                entity = a.value.stringValue
            default:
                break
            }
        }
        guard toolKind || name != nil else { return nil }
        return name ?? entity.flatMap { $0.isEmpty ? nil : $0 } ?? trace.spans[span].name
    }
}

/// One trace's aggregates, computed once so that queries, totals and tables need not walk spans.
public struct TraceFacts: Sendable {
    /// Spans in the trace.
    public let spanCount: Int
    /// Spans whose status is error.
    public let errorCount: Int
    /// LLM calls (as `summary` counts them).
    public let llmCalls: Int
    /// Input tokens over the calls.
    public let promptTokens: Int64
    /// Output tokens over the calls.
    public let completionTokens: Int64
    /// Total tokens over the calls (recorded totals where given).
    public let totalTokens: Int64
    /// Prompt tokens read from a cache, over the calls that record it (nil: no call does).
    public let cachedTokens: Int64?
    /// USD over the calls that have a cost.
    public let costUSD: Double
    /// Calls nothing could price.
    public let unpricedCalls: Int
    /// Earliest start (ns since epoch).
    public let startNanos: Int64
    /// Latest end minus earliest start.
    public let durationNanos: Int64
    /// The root span's name.
    public let rootName: String
    /// Distinct services, in first-seen order.
    public let services: [String]
    /// Distinct span names, in first-seen order.
    public let names: [String]
    /// Distinct models, request and response, in first-seen order (what `model=` matches).
    public let models: [String]
    /// The trace's model rows as its totals order them, costliest first (`UsageTotals.byModel`):
    /// what the trace list's model column shows.
    public let modelRows: [String]
    /// The session (conversation) id, when the trace carries one.
    public internal(set) var sessionID: String?

    /// Computes the facts of `trace`: one pass over its spans and its LLM calls.
    public init(trace: Trace, prices: PriceTable, sessionKeys: SessionKeys = .standard) {
        let spans = trace.spans
        var errors = 0
        var services: [String] = [], names: [String] = []
        var seenServices = Set<String>(), seenNames = Set<String>()
        var lastService: String? = nil, lastName: String? = nil
        // Spans are read in place: copying a `Span` retains every field it holds.
        spans.withUnsafeBufferPointer { spans in
            for i in 0..<spans.count {
                if spans[i].status.isError { errors += 1 }
                // Neighbouring spans usually repeat a service and often a name: skip the hash then.
                let service = spans[i].service
                if service != lastService {
                    lastService = service
                    if !service.isEmpty, seenServices.insert(service).inserted { services.append(service) }
                }
                let name = spans[i].name
                if name != lastName {
                    lastName = name
                    if seenNames.insert(name).inserted { names.append(name) }
                }
            }
        }
        var calls = 0, unpriced = 0
        var prompt: Int64 = 0, completion: Int64 = 0, total: Int64 = 0
        var cached: Int64? = nil
        var cost = 0.0
        var models: [String] = []
        var cache: [String: ModelPrice?] = [:]
        var costs: [CallCost] = []
        costs.reserveCapacity(trace.llmCalls.count)
        for call in trace.llmCalls {
            calls += 1
            prompt = ModelUsage.sum(prompt, call.promptTokens ?? 0)
            completion = ModelUsage.sum(completion, call.completionTokens ?? 0)
            total = ModelUsage.sum(total, call.totalTokens)
            if let c = call.cacheReadTokens { cached = ModelUsage.sum(cached ?? 0, c) }
            let callCost = TraceStatistics.cost(of: call, prices: prices, cache: &cache)
            costs.append(callCost)
            if let usd = callCost.usd { cost += usd } else { unpriced += 1 }
            for m in [call.requestModel, call.responseModel] {
                if let m, !m.isEmpty, !models.contains(m) { models.append(m) }
            }
        }
        self.spanCount = spans.count
        self.errorCount = errors
        self.llmCalls = calls
        self.promptTokens = prompt
        self.completionTokens = completion
        self.totalTokens = total
        self.cachedTokens = cached
        self.costUSD = cost
        self.unpricedCalls = unpriced
        self.startNanos = spans.isEmpty ? 0 : trace.startNanos
        self.durationNanos = spans.isEmpty ? 0 : trace.durationNanos
        self.rootName = trace.rootName
        self.services = services
        self.names = names
        self.models = models
        self.modelRows = ModelGrouping.rowNames(trace.llmCalls, costs: costs)
        self.sessionID = sessionKeys.sessionID(of: trace)
    }

    /// Facts for every trace, worked out on all cores.
    public static func compute(_ traces: [Trace], prices: PriceTable, sessionKeys: SessionKeys = .standard) -> [TraceFacts] {
        Parallel.map(traces.count) { TraceFacts(trace: traces[$0], prices: prices, sessionKeys: sessionKeys) }
    }
}
