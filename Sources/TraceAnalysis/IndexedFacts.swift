import TraceModel

extension TraceFacts {
    /// The facts an index of a file holds for a trace without its spans: totals, the root's name
    /// and service, its LLM calls (for tokens, cost and models) and its session. Span names and
    /// services other than the root's are unknown.
    public init(rootName: String, rootService: String, startNanos: Int64, durationNanos: Int64,
                spanCount: Int, errorCount: Int, calls: [LLMCall], prices: PriceTable, sessionID: String? = nil) {
        // Priced through a per-trace model cache, as `TraceFacts(trace:)` does: the explorer makes
        // these facts for every trace of a scan, and a price lookup normalises the model's name.
        var cache: [String: ModelPrice?] = [:]
        let costs = calls.map { TraceStatistics.cost(of: $0, prices: prices, cache: &cache) }
        var usage = ModelUsage()
        for (call, cost) in zip(calls, costs) { usage.add(call, cost) }
        var models: [String] = []
        var cached: Int64? = nil
        for call in calls {
            if let c = call.cacheReadTokens { cached = ModelUsage.sum(cached ?? 0, c) }
            for m in [call.requestModel, call.responseModel] {
                if let m, !m.isEmpty, !models.contains(m) { models.append(m) }
            }
        }
        self.spanCount = spanCount
        self.errorCount = errorCount
        self.llmCalls = usage.calls
        self.promptTokens = usage.promptTokens
        self.completionTokens = usage.completionTokens
        self.totalTokens = usage.totalTokens
        self.cachedTokens = cached
        self.costUSD = usage.costUSD
        self.unpricedCalls = usage.unpricedCalls
        self.startNanos = startNanos
        self.durationNanos = durationNanos
        self.rootName = rootName
        self.services = rootService.isEmpty ? [] : [rootService]
        self.names = [rootName]
        self.models = models
        self.modelRows = ModelGrouping.rowNames(calls, costs: costs)
        self.sessionID = sessionID
    }
}

extension TraceFacts {
    /// The same facts with `sessionID` for the session: the one an index worked out for a trace
    /// whose spans at hand carry no attributes to find it in (a trace built from span skeletons).
    public func replacingSession(_ sessionID: String?) -> TraceFacts {
        var facts = self
        facts.sessionID = sessionID
        return facts
    }
}

extension TraceQuery {
    /// True when the query reads only what an index keeps per trace (`error`, the numeric
    /// fields, `root`, `model`, `session`): no span names or services beyond the root, no
    /// attributes, no text.
    public var readsOnlyTotals: Bool { root.map(QueryNode.readsOnlyTotals) ?? true }

    /// True when facts from an index (`TraceFacts(rootName:…)`) satisfy the query; only for
    /// queries where `readsOnlyTotals` holds (others need the spans and match nothing here).
    public func matches(totals facts: TraceFacts) -> Bool {
        guard let root else { return true }
        guard readsOnlyTotals else { return false }
        return root.matches(TraceQuery.noSpans, facts)
    }

    /// Stands in for the spans a totals-only query never reads.
    private static let noSpans = Trace(id: TraceID(""), spans: [])
}

extension QueryNode {
    static func readsOnlyTotals(_ node: QueryNode) -> Bool {
        switch node {
        case .and(let parts), .or(let parts): return parts.allSatisfy(readsOnlyTotals)
        case .not(let inner): return readsOnlyTotals(inner)
        case .error, .number: return true
        case .text(let field, _, _): return field == .root || field == .model || field == .session
        case .word, .attribute: return false
        }
    }
}
