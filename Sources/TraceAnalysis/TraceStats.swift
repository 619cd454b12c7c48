import TraceModel

/// What `stats` groups by.
public enum StatsGrouping: String, Hashable, Sendable, CaseIterable {
    /// Spans by span name.
    case name
    /// LLM calls by model (response model, else request model).
    case model
    /// Tool-call spans by tool name (see `SpanRole.toolName`).
    case tool
    /// Spans by service.
    case service
    /// Traces by session (conversation) id; traces without one are left out.
    case session

    /// What one counted entry is, for headings: "span", "call" or "trace".
    public var unit: String {
        switch self {
        case .name, .tool, .service: return "span"
        case .model: return "call"
        case .session: return "trace"
        }
    }
}

/// The 50th, 95th and 99th percentiles and the maximum of a list of durations, in nanoseconds.
public struct Percentiles: Hashable, Sendable {
    /// Median.
    public var p50: Double
    /// 95th percentile.
    public var p95: Double
    /// 99th percentile.
    public var p99: Double
    /// Largest value.
    public var max: Double

    /// Creates percentiles.
    public init(p50: Double, p95: Double, p99: Double, max: Double) {
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.max = max
    }

    /// The percentiles of `sorted` (ascending, not empty).
    public init(sorted: [Int64]) {
        precondition(!sorted.isEmpty, "percentiles of nothing")
        p50 = TraceStats.percentile(sorted, 0.50)
        p95 = TraceStats.percentile(sorted, 0.95)
        p99 = TraceStats.percentile(sorted, 0.99)
        max = Double(sorted[sorted.count - 1])
    }

    /// The percentiles of `values` (not empty), found by selection rather than a full sort; the
    /// values are reordered. Exactly `init(sorted: values.sorted())`: the percentiles read only
    /// the closest ranks, and selection puts the sorted order's values at those ranks.
    public init(selecting values: inout [Int64]) {
        precondition(!values.isEmpty, "percentiles of nothing")
        let n = values.count
        var ranks = [n - 1]
        for p in [0.50, 0.95, 0.99] {
            let (lo, hi, _) = TraceStats.closestRanks(count: n, p)
            ranks.append(lo)
            ranks.append(hi)
        }
        Selection.select(&values, ranks: ranks)
        self.init(sorted: values)
    }
}

/// One row of a stats table.
public struct StatsGroup: Hashable, Sendable {
    /// The span name, model, tool, service or session id.
    public var key: String
    /// Entries counted: spans, LLM calls or traces (see `StatsGrouping.unit`).
    public var count: Int
    /// Distinct traces the entries come from.
    public var traces: Int
    /// Entries with error status (for sessions: traces with an error span).
    public var errors: Int
    /// Duration percentiles (ns).
    public var duration: Percentiles
    /// Self-time percentiles (ns); nil for sessions, whose entries are whole traces.
    public var selfTime: Percentiles?
    /// Sum of the entries' durations (ns).
    public var totalNanos: Int64
    /// LLM calls among the entries (for sessions: in the traces).
    public var llmCalls: Int
    /// Input tokens over those calls.
    public var promptTokens: Int64
    /// Output tokens over those calls.
    public var completionTokens: Int64
    /// Prompt tokens read from a cache, over the calls that record it (nil: no call does).
    public var cachedTokens: Int64? = nil
    /// Total tokens over those calls.
    public var totalTokens: Int64
    /// USD over the calls that have a cost.
    public var costUSD: Double
    /// Calls nothing could price.
    public var unpricedCalls: Int
}

/// A whole stats table: the groups and how many traces they were drawn from.
public struct StatsTable: Hashable, Sendable {
    /// What the rows are grouped by.
    public var grouping: StatsGrouping
    /// Traces considered (those matching the query).
    public var traces: Int
    /// Rows: by cost for `model`, else by total time, descending; ties by key.
    public var groups: [StatsGroup]
}

/// One entry of a group: a span (or, for sessions, a trace's root) in a trace.
public struct StatsMember: Hashable, Sendable {
    /// Position of the trace in the list given.
    public var trace: Int
    /// The span's index in that trace.
    public var span: Int
    /// The span's duration (for sessions: the trace's), ns.
    public var durationNanos: Int64
}

/// Per-group statistics across traces: what `spanscope stats` prints and the explorer's stats view
/// shows; `diff --by` compares two of these tables.
public enum TraceStats {
    /// The stats table of `traces` grouped `by`, over the traces that match `query`.
    ///
    /// - Parameter facts: the traces' facts when already computed (else worked out here when the
    ///   query or the grouping needs them).
    public static func groups(_ traces: [Trace], by grouping: StatsGrouping, where query: TraceQuery? = nil,
                              facts: [TraceFacts]? = nil, prices: PriceTable = .standard,
                              sessionKeys: SessionKeys = .standard) -> StatsTable {
        var table = StatsAccumulator(by: grouping, where: query, prices: prices, sessionKeys: sessionKeys)
        table.add(traces, facts: facts)
        return table.table()
    }

    /// The entries of group `key`, slowest first (ties: trace, then span order), over the traces
    /// that match `query`.
    public static func members(_ traces: [Trace], by grouping: StatsGrouping, key: String, where query: TraceQuery? = nil,
                               facts: [TraceFacts]? = nil, prices: PriceTable = .standard,
                               sessionKeys: SessionKeys = .standard) -> [StatsMember] {
        let (selected, facts) = select(traces, query: query, facts: facts, grouping: grouping, prices: prices,
                                       sessionKeys: sessionKeys)
        let found: [[StatsMember]] = Parallel.map(selected.count) { j in
            let t = selected[j]
            let trace = traces[t]
            if grouping == .session {
                guard facts?[t].sessionID == key, let root = trace.rootIndex else { return [] }
                return [StatsMember(trace: t, span: root, durationNanos: trace.durationNanos)]
            }
            var out: [StatsMember] = []
            for i in 0..<trace.count where self.key(of: i, in: trace, by: grouping) == key {
                out.append(StatsMember(trace: t, span: i, durationNanos: trace.spans[i].durationNanos))
            }
            return out
        }
        return found.joined().sorted { a, b in
            if a.durationNanos != b.durationNanos { return a.durationNanos > b.durationNanos }
            return a.trace != b.trace ? a.trace < b.trace : a.span < b.span
        }
    }

    /// The group span `span` of `trace` falls in, or nil when it falls in none (a non-LLM span
    /// by model, a non-tool span by tool). Not used for sessions, which group whole traces.
    public static func key(of span: Int, in trace: Trace, by grouping: StatsGrouping) -> String? {
        switch grouping {
        case .name: return trace.spans[span].name
        case .service:
            let s = trace.spans[span].service
            return s.isEmpty ? "(no service)" : s
        case .model: return trace.llmCall(at: span).map(UsageTotals.modelName(of:))
        case .tool: return SpanRole.toolName(trace, span: span)
        case .session: return nil
        }
    }

    /// The `p` quantile (0…1) of ascending `sorted`, interpolating linearly between the closest
    /// ranks: numpy's default (`method="linear"`), computed the way numpy computes it (the
    /// virtual index `n·p + (1 − p) − 1` and its two-sided lerp, numpy/lib/_function_base_impl.py
    /// `_compute_virtual_index` and `_lerp`), so scripts comparing with numpy get the same doubles.
    public static func percentile(_ sorted: [Int64], _ p: Double) -> Double {
        precondition(!sorted.isEmpty, "percentile of nothing")
        let (lo, hi, t) = closestRanks(count: sorted.count, p)
        let a = Double(sorted[lo]), b = Double(sorted[hi])
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }

    /// The two ranks the `p` quantile of `count` values lies between, and how far past the lower.
    static func closestRanks(count: Int, _ p: Double) -> (lo: Int, hi: Int, t: Double) {
        let n = Double(count)
        let virtual = n * p + (1 + p * (1 - 1 - 1)) - 1
        let clamped = Swift.min(Swift.max(virtual, 0), n - 1)
        let lo = Int(clamped.rounded(.down))
        return (lo, Swift.min(lo + 1, count - 1), clamped - Double(lo))
    }

    /// The positions of the traces matching `query`, and facts when the query or grouping needs them.
    static func select(_ traces: [Trace], query: TraceQuery?, facts: [TraceFacts]?, grouping: StatsGrouping,
                       prices: PriceTable, sessionKeys: SessionKeys) -> ([Int], [TraceFacts]?) {
        let needFacts = (query.map { !$0.isEmpty } ?? false) || grouping == .session
        let facts = facts ?? (needFacts ? TraceFacts.compute(traces, prices: prices, sessionKeys: sessionKeys) : nil)
        guard let query, !query.isEmpty, let facts else { return (Array(traces.indices), facts) }
        return (query.filter(traces, facts: facts), facts)
    }

    /// Accumulates one group's entries.
    struct Partial {
        var durations: [Int64] = []
        var selfTimes: [Int64] = []
        var traces = 1
        var errors = 0
        var total: Int64 = 0
        var llmCalls = 0
        var prompt: Int64 = 0, completion: Int64 = 0, tokens: Int64 = 0
        var cached: Int64? = nil
        var cost = 0.0
        var unpriced = 0

        mutating func absorb(_ o: Partial) {
            durations += o.durations
            selfTimes += o.selfTimes
            traces += o.traces
            errors += o.errors
            total = ModelUsage.sum(total, o.total)
            llmCalls += o.llmCalls
            prompt = ModelUsage.sum(prompt, o.prompt)
            completion = ModelUsage.sum(completion, o.completion)
            tokens = ModelUsage.sum(tokens, o.tokens)
            if let c = o.cached { cached = ModelUsage.sum(cached ?? 0, c) }
            cost += o.cost
            unpriced += o.unpriced
        }

        mutating func add(call: LLMCall, cost c: CallCost) {
            llmCalls += 1
            prompt = ModelUsage.sum(prompt, call.promptTokens ?? 0)
            completion = ModelUsage.sum(completion, call.completionTokens ?? 0)
            tokens = ModelUsage.sum(tokens, call.totalTokens)
            if let c = call.cacheReadTokens { cached = ModelUsage.sum(cached ?? 0, c) }
            if let usd = c.usd { cost += usd } else { unpriced += 1 }
        }

        /// The finished row.
        func group(key: String, withSelf: Bool) -> StatsGroup {
            // Selection reorders its input: it works on copies, as sorting did.
            var d = durations, s = selfTimes
            let duration = Percentiles(selecting: &d)
            let selfTime = withSelf ? Percentiles(selecting: &s) : nil
            return StatsGroup(key: key, count: d.count, traces: traces, errors: errors, duration: duration,
                              selfTime: selfTime, totalNanos: total,
                              llmCalls: llmCalls, promptTokens: prompt, completionTokens: completion,
                              cachedTokens: cached, totalTokens: tokens, costUSD: cost, unpricedCalls: unpriced)
        }
    }

    /// One trace's groups.
    static func partial(_ trace: Trace, facts: TraceFacts?, by grouping: StatsGrouping, prices: PriceTable) -> [String: Partial] {
        if grouping == .session {
            guard let f = facts, let id = f.sessionID else { return [:] }
            var p = Partial()
            p.durations = [f.durationNanos]
            p.errors = f.errorCount > 0 ? 1 : 0
            p.total = f.durationNanos
            p.llmCalls = f.llmCalls
            p.prompt = f.promptTokens
            p.completion = f.completionTokens
            p.tokens = f.totalTokens
            p.cached = f.cachedTokens
            p.cost = f.costUSD
            p.unpriced = f.unpricedCalls
            return [id: p]
        }
        let selfTimes = TraceStatistics.selfTimes(of: trace)
        var cache: [String: ModelPrice?] = [:]
        var slots: [String: Int] = [:]
        var parts: [Partial] = []
        var lastKey: String? = nil, lastSlot = 0
        var call = 0   // the next LLM call: calls come in span order
        // Spans are read in place through pointers: copying a `Span` retains every field it holds.
        trace.spans.withUnsafeBufferPointer { spans in
            trace.llmCalls.withUnsafeBufferPointer { calls in
                for i in 0..<spans.count {
                    let isLLM = trace.isLLM(i)
                    defer { if isLLM { call += 1 } }
                    let key: String
                    switch grouping {
                    case .name: key = spans[i].name
                    case .service:
                        let service = spans[i].service
                        key = service.isEmpty ? "(no service)" : service
                    case .model:
                        guard isLLM else { continue }
                        key = UsageTotals.modelName(of: calls[call])
                    case .tool:
                        guard let tool = SpanRole.toolName(trace, span: i) else { continue }
                        key = tool
                    case .session:
                        continue
                    }
                    // Neighbouring spans often share a key: compare with the last one before hashing.
                    let slot: Int
                    if key == lastKey {
                        slot = lastSlot
                    } else if let found = slots[key] {
                        slot = found
                    } else {
                        slot = parts.count
                        slots[key] = slot
                        parts.append(Partial())
                    }
                    lastKey = key
                    lastSlot = slot
                    let d = spans[i].durationNanos
                    parts[slot].durations.append(d)
                    parts[slot].selfTimes.append(selfTimes[i])
                    parts[slot].total = ModelUsage.sum(parts[slot].total, d)
                    if spans[i].status.isError { parts[slot].errors += 1 }
                    if isLLM {
                        parts[slot].add(call: calls[call], cost: TraceStatistics.cost(of: calls[call], prices: prices, cache: &cache))
                    }
                }
            }
        }
        var out: [String: Partial] = [:]
        for (key, slot) in slots { out[key] = parts[slot] }
        return out
    }
}
