import TraceModel

/// LLM usage of one model within a trace or subtree.
public struct ModelUsage: Hashable, Sendable {
    /// Number of calls (a failed call without token counts still counts).
    public var calls: Int
    /// Input tokens.
    public var promptTokens: Int64
    /// Output tokens.
    public var completionTokens: Int64
    /// Total tokens (recorded totals where given, else input + output).
    public var totalTokens: Int64
    /// USD over the calls that have a cost (recorded or computed).
    public var costUSD: Double
    /// Calls with neither a recorded cost nor a price.
    public var unpricedCalls: Int
    /// Input tokens read from a prompt cache (part of `promptTokens`).
    public var cacheReadTokens: Int64 = 0
    /// Input tokens written to a prompt cache (part of `promptTokens`).
    public var cacheWriteTokens: Int64 = 0
    /// Output tokens spent reasoning (part of `completionTokens`).
    public var reasoningTokens: Int64 = 0
    /// Calls whose span ended in an error (counted in `calls` too, not a row of their own).
    public var failedCalls: Int

    /// Creates a usage record; everything defaults to zero.
    public init(calls: Int = 0, promptTokens: Int64 = 0, completionTokens: Int64 = 0, totalTokens: Int64 = 0,
                costUSD: Double = 0, unpricedCalls: Int = 0, failedCalls: Int = 0) {
        self.calls = calls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costUSD = costUSD
        self.unpricedCalls = unpricedCalls
        self.failedCalls = failedCalls
    }

    /// Adds one call; `failed` when its span ended in an error.
    mutating func add(_ call: LLMCall, _ cost: CallCost, failed: Bool = false) {
        calls += 1
        if failed { failedCalls += 1 }
        // Saturating: a total that would pass Int64.max stays there instead of turning negative.
        promptTokens = ModelUsage.sum(promptTokens, call.promptTokens ?? 0)
        completionTokens = ModelUsage.sum(completionTokens, call.completionTokens ?? 0)
        totalTokens = ModelUsage.sum(totalTokens, call.totalTokens)
        cacheReadTokens = ModelUsage.sum(cacheReadTokens, call.cacheReadTokens ?? 0)
        cacheWriteTokens = ModelUsage.sum(cacheWriteTokens, call.cacheWriteTokens ?? 0)
        reasoningTokens = ModelUsage.sum(reasoningTokens, call.reasoningTokens ?? 0)
        if let usd = cost.usd { costUSD += usd } else { unpricedCalls += 1 }
    }

    /// Adds another record of the same model (the same model in another trace).
    mutating func add(_ other: ModelUsage) {
        calls += other.calls
        promptTokens = ModelUsage.sum(promptTokens, other.promptTokens)
        completionTokens = ModelUsage.sum(completionTokens, other.completionTokens)
        totalTokens = ModelUsage.sum(totalTokens, other.totalTokens)
        cacheReadTokens = ModelUsage.sum(cacheReadTokens, other.cacheReadTokens)
        cacheWriteTokens = ModelUsage.sum(cacheWriteTokens, other.cacheWriteTokens)
        reasoningTokens = ModelUsage.sum(reasoningTokens, other.reasoningTokens)
        costUSD += other.costUSD
        unpricedCalls += other.unpricedCalls
        failedCalls += other.failedCalls
    }

    static func sum(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : r
    }
}

/// Counts, tokens and cost over a trace or one subtree: the seed's `get_ai_summary`, completed.
public struct UsageTotals: Hashable, Sendable {
    /// Spans counted.
    public var spanCount: Int
    /// Spans whose status is error.
    public var errorCount: Int
    /// LLM calls.
    public var llmCalls: Int
    /// Input tokens over all calls.
    public var promptTokens: Int64
    /// Output tokens over all calls.
    public var completionTokens: Int64
    /// Total tokens over all calls.
    public var totalTokens: Int64
    /// USD over the calls that have a cost; see `unpricedCalls` for the ones that do not.
    public var costUSD: Double
    /// Calls with neither a recorded cost nor a price.
    public var unpricedCalls: Int
    /// Per model, sorted by cost descending, then calls descending, then name. A call is grouped
    /// under its response model; without one (a failed call, typically) under the dated model its
    /// request model answered as elsewhere in the trace, else under the request model, else
    /// "(unknown model)" (see `ModelGrouping`).
    public var byModel: [(model: String, usage: ModelUsage)]
    /// Calls whose cost was recorded in the trace rather than computed from a price.
    public var recordedCostCalls: Int
    /// Earliest start among the spans counted (ns since epoch); 0 when there are none.
    public var startNanos: Int64
    /// Latest end among the spans counted (ns since epoch); 0 when there are none.
    public var endNanos: Int64
    /// Input tokens read from a prompt cache over all calls (part of `promptTokens`).
    public var cacheReadTokens: Int64 = 0
    /// Input tokens written to a prompt cache over all calls (part of `promptTokens`).
    public var cacheWriteTokens: Int64 = 0
    /// Output tokens spent reasoning over all calls (part of `completionTokens`).
    public var reasoningTokens: Int64 = 0

    /// Creates totals; everything defaults to zero or empty.
    public init(spanCount: Int = 0, errorCount: Int = 0, llmCalls: Int = 0, promptTokens: Int64 = 0,
                completionTokens: Int64 = 0, totalTokens: Int64 = 0, costUSD: Double = 0, unpricedCalls: Int = 0,
                byModel: [(model: String, usage: ModelUsage)] = [], recordedCostCalls: Int = 0,
                startNanos: Int64 = 0, endNanos: Int64 = 0) {
        self.spanCount = spanCount
        self.errorCount = errorCount
        self.llmCalls = llmCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costUSD = costUSD
        self.unpricedCalls = unpricedCalls
        self.byModel = byModel
        self.recordedCostCalls = recordedCostCalls
        self.startNanos = startNanos
        self.endNanos = endNanos
    }

    /// Latest end minus earliest start.
    public var durationNanos: Int64 { endNanos &- startNanos }

    /// Model names in `byModel` order.
    public var modelsUsed: [String] { byModel.map(\.model) }

    /// The usage of one model, if it was used.
    public func usage(of model: String) -> ModelUsage? {
        byModel.first { $0.model == model }?.usage
    }

    /// Equal when every count, sum, extent and the per-model breakdown (in order) are equal.
    public static func == (a: UsageTotals, b: UsageTotals) -> Bool {
        a.spanCount == b.spanCount && a.errorCount == b.errorCount && a.llmCalls == b.llmCalls
            && a.promptTokens == b.promptTokens && a.completionTokens == b.completionTokens
            && a.totalTokens == b.totalTokens && a.costUSD == b.costUSD && a.unpricedCalls == b.unpricedCalls
            && a.recordedCostCalls == b.recordedCostCalls && a.startNanos == b.startNanos && a.endNanos == b.endNanos
            && a.cacheReadTokens == b.cacheReadTokens && a.cacheWriteTokens == b.cacheWriteTokens
            && a.reasoningTokens == b.reasoningTokens
            && a.byModel.count == b.byModel.count
            && zip(a.byModel, b.byModel).allSatisfy { $0.model == $1.model && $0.usage == $1.usage }
    }

    /// Hashes the fields `==` compares (a subset of them, which keeps equal values hashing equal).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(spanCount)
        hasher.combine(errorCount)
        hasher.combine(llmCalls)
        hasher.combine(totalTokens)
        hasher.combine(costUSD)
        hasher.combine(startNanos)
        hasher.combine(endNanos)
        for entry in byModel {
            hasher.combine(entry.model)
            hasher.combine(entry.usage)
        }
    }

    /// The model a single call reports: its response model, else its request model, else
    /// "(unknown model)". (The model table groups by `ModelGrouping`, which also looks at the
    /// other calls of the trace.)
    static func modelName(of call: LLMCall) -> String {
        if let model = call.model, !model.isEmpty { return model }
        return ModelGrouping.unknown
    }

    /// Totals of several traces together (`spanscope summary` over many traces): counts, tokens
    /// and cost add up (saturating), models with the same name merge into one row, and the
    /// extent runs from the earliest start to the latest end of the parts that have spans.
    public static func combined(_ parts: [UsageTotals]) -> UsageTotals {
        var out = UsageTotals()
        var models: [String: ModelUsage] = [:]
        var haveExtent = false
        for p in parts {
            out.spanCount += p.spanCount
            out.errorCount += p.errorCount
            out.llmCalls += p.llmCalls
            out.promptTokens = ModelUsage.sum(out.promptTokens, p.promptTokens)
            out.completionTokens = ModelUsage.sum(out.completionTokens, p.completionTokens)
            out.totalTokens = ModelUsage.sum(out.totalTokens, p.totalTokens)
            out.costUSD += p.costUSD
            out.unpricedCalls += p.unpricedCalls
            out.recordedCostCalls += p.recordedCostCalls
            for (model, usage) in p.byModel { models[model, default: ModelUsage()].add(usage) }
            guard p.spanCount > 0 else { continue }
            out.startNanos = haveExtent ? min(out.startNanos, p.startNanos) : p.startNanos
            out.endNanos = haveExtent ? max(out.endNanos, p.endNanos) : p.endNanos
            haveExtent = true
        }
        out.byModel = ModelGrouping.sorted(models)
        return out
    }
}

/// Which row of the model table a call belongs to.
///
/// Providers answer a request for `gpt-4o-mini` as `gpt-4o-mini-2024-07-18`; a call that failed
/// has no response model, and grouping it under its request model made a row of its own next to
/// the dated one (issue 15, item 6). So a call goes under its response model when it has one;
/// otherwise under the response model that calls with the same request model got in this trace
/// (the most frequent one); otherwise under a dated variant of its request model seen as a
/// response model (`<request>-<digits and dashes>`, the most frequent one); otherwise under its
/// request model; otherwise "(unknown model)".
public enum ModelGrouping {
    /// The row name for a call with neither model.
    public static let unknown = "(unknown model)"

    /// The row name of each call in `calls`, in order.
    public static func names<C: Collection>(_ calls: C) -> [String] where C.Element == LLMCall {
        // Response models, how often, and per request model which response models answered it.
        var responses: [String: Int] = [:]
        var answered: [String: [String: Int]] = [:]
        for call in calls {
            guard let r = call.responseModel, !r.isEmpty else { continue }
            responses[r, default: 0] += 1
            if let q = call.requestModel, !q.isEmpty { answered[q, default: [:]][r, default: 0] += 1 }
        }
        var resolved: [String: String] = [:]
        return calls.map { call in
            if let r = call.responseModel, !r.isEmpty { return r }
            guard let q = call.requestModel, !q.isEmpty else { return unknown }
            if let known = resolved[q] { return known }
            let name = mostFrequent(answered[q] ?? [:])
                ?? mostFrequent(responses.filter { isDatedVariant($0.key, of: q) })
                ?? q
            resolved[q] = name
            return name
        }
    }

    /// True when `response` is `request` followed by `-` and a date or version made only of
    /// digits and dashes (`gpt-4o-mini-2024-07-18`, `claude-3-5-haiku-20241022`); `gpt-4o-mini`
    /// is not a dated variant of `gpt-4o`.
    public static func isDatedVariant(_ response: String, of request: String) -> Bool {
        guard response.count > request.count + 1, response.hasPrefix(request + "-") else { return false }
        let rest = response.utf8.dropFirst(request.utf8.count + 1)
        return rest.contains { $0 >= 0x30 && $0 <= 0x39 } && rest.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// The key with the highest count; ties go to the first name in order.
    static func mostFrequent(_ counts: [String: Int]) -> String? {
        counts.min { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }?.key
    }

    /// The model rows of `calls` (each priced at `costs`, parallel) in `UsageTotals.byModel`
    /// order: costliest first, as a trace's totals list them.
    public static func rowNames(_ calls: [LLMCall], costs: [CallCost]) -> [String] {
        guard !calls.isEmpty else { return [] }
        var rows: [String: ModelUsage] = [:]
        for (i, name) in names(calls).enumerated() { rows[name, default: ModelUsage()].add(calls[i], costs[i]) }
        return sorted(rows).map(\.model)
    }

    /// Rows sorted by cost descending, then calls descending, then name.
    static func sorted(_ rows: [String: ModelUsage]) -> [(model: String, usage: ModelUsage)] {
        rows.sorted { x, y in
            if x.value.costUSD != y.value.costUSD { return x.value.costUSD > y.value.costUSD }
            if x.value.calls != y.value.calls { return x.value.calls > y.value.calls }
            return x.key < y.key
        }.map { (model: $0.key, usage: $0.value) }
    }
}

/// Precomputed per trace once (O(n)); answers subtree questions without walking the whole subtree.
///
/// Integer sums (spans, errors, calls, tokens, unpriced calls) come from prefix sums over the
/// trace's depth-first order, in which every subtree is one contiguous range, so they cost O(1)
/// per subtree. Cost and the per-model breakdown visit only the LLM calls inside the range
/// (found by binary search); cost is summed there rather than by prefix-sum subtraction so a
/// subtree's dollars add up exactly as its calls' dollars do.
public struct TraceStatistics: Sendable {
    /// The prices the costs were computed with.
    public let prices: PriceTable
    /// Totals over the whole trace (every root, orphans included).
    public let trace: UsageTotals
    /// The span with the longest duration (the first in depth-first order on ties); nil for an empty trace.
    public let slowestSpan: Int?
    /// The LLM span with the highest cost above zero (recorded or computed); nil when no call cost anything.
    public let costliestLLMSpan: Int?
    /// Spans whose status is error, in depth-first (preorder) order.
    public let errorSpans: [Int]

    private let indexed: Trace
    /// LLM spans in preorder, their preorder positions, and their costs.
    private let llmSpans: [Int32]
    private let llmPositions: [Int32]
    private let llmCosts: [CallCost]
    /// The model-table row of each LLM span (index into `groupNames`), parallel to `llmSpans`.
    private let llmGroups: [Int32]
    private let groupNames: [String]
    /// Prefix sums over `llmSpans` (count + 1 entries).
    private let promptPrefix: [Int64]
    private let completionPrefix: [Int64]
    private let totalPrefix: [Int64]
    private let unpricedPrefix: [Int32]
    private let recordedPrefix: [Int32]
    /// Prefix sum of error spans over the preorder (count + 1 entries).
    private let errorPrefix: [Int32]
    /// Earliest start and latest end within each span's subtree.
    private let subtreeStart: [Int64]
    private let subtreeEnd: [Int64]
    private let selfTimes: [Int64]

    /// Computes everything for `trace` at `prices`; O(n) time and memory.
    public init(trace: Trace, prices: PriceTable) {
        let n = trace.count
        let spans = trace.spans
        self.prices = prices
        self.indexed = trace

        var errorPrefix = [Int32](repeating: 0, count: n + 1)
        var errorSpans: [Int] = []
        var llmSpans: [Int32] = [], llmPositions: [Int32] = [], llmCosts: [CallCost] = []
        var slowest: Int? = nil
        var slowestDuration: Int64 = -1
        // A trace has few distinct models; look each up once, not once per call.
        var priceCache: [String: ModelPrice?] = [:]
        for (pos, node) in trace.preorder.enumerated() {
            let i = Int(node)
            let isError = spans[i].status.isError
            errorPrefix[pos + 1] = errorPrefix[pos] + (isError ? 1 : 0)
            if isError { errorSpans.append(i) }
            if spans[i].durationNanos > slowestDuration {
                slowestDuration = spans[i].durationNanos
                slowest = i
            }
            if let call = trace.llmCall(at: i) {
                llmSpans.append(node)
                llmPositions.append(Int32(pos))
                llmCosts.append(TraceStatistics.cost(of: call, prices: prices, cache: &priceCache))
            }
        }

        let m = llmSpans.count
        // Row names are decided over the whole trace once, so a subtree groups the same way.
        var groupNames: [String] = []
        var groupIndex: [String: Int32] = [:]
        let llmGroups: [Int32] = ModelGrouping.names(llmSpans.lazy.map { trace.llmCall(at: Int($0))! }).map { name in
            if let g = groupIndex[name] { return g }
            let g = Int32(groupNames.count)
            groupNames.append(name)
            groupIndex[name] = g
            return g
        }
        var promptPrefix = [Int64](repeating: 0, count: m + 1)
        var completionPrefix = promptPrefix, totalPrefix = promptPrefix
        var unpricedPrefix = [Int32](repeating: 0, count: m + 1)
        var recordedPrefix = unpricedPrefix
        var costliest: Int? = nil
        var highest = 0.0
        for j in 0..<m {
            let call = trace.llmCall(at: Int(llmSpans[j]))!
            let cost = llmCosts[j]
            promptPrefix[j + 1] = promptPrefix[j] &+ (call.promptTokens ?? 0)
            completionPrefix[j + 1] = completionPrefix[j] &+ (call.completionTokens ?? 0)
            totalPrefix[j + 1] = totalPrefix[j] &+ call.totalTokens
            unpricedPrefix[j + 1] = unpricedPrefix[j] + (cost.usd == nil ? 1 : 0)
            recordedPrefix[j + 1] = recordedPrefix[j] + (cost.source == .recorded ? 1 : 0)
            if let usd = cost.usd, usd > highest {
                highest = usd
                costliest = Int(llmSpans[j])
            }
        }

        // Subtree extents: children fold into parents, visiting the preorder backwards.
        var subtreeStart = [Int64](repeating: 0, count: n)
        var subtreeEnd = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            subtreeStart[i] = spans[i].startNanos
            subtreeEnd[i] = max(spans[i].endNanos, spans[i].startNanos)
        }
        for node in trace.preorder.reversed() {
            let p = trace.parents[Int(node)]
            guard p >= 0 else { continue }
            subtreeStart[Int(p)] = min(subtreeStart[Int(p)], subtreeStart[Int(node)])
            subtreeEnd[Int(p)] = max(subtreeEnd[Int(p)], subtreeEnd[Int(node)])
        }

        let selfTimes = TraceStatistics.selfTimes(of: trace)

        self.errorSpans = errorSpans
        self.slowestSpan = slowest
        self.costliestLLMSpan = costliest
        self.llmSpans = llmSpans
        self.llmPositions = llmPositions
        self.llmCosts = llmCosts
        self.llmGroups = llmGroups
        self.groupNames = groupNames
        self.promptPrefix = promptPrefix
        self.completionPrefix = completionPrefix
        self.totalPrefix = totalPrefix
        self.unpricedPrefix = unpricedPrefix
        self.recordedPrefix = recordedPrefix
        self.errorPrefix = errorPrefix
        self.subtreeStart = subtreeStart
        self.subtreeEnd = subtreeEnd
        self.selfTimes = selfTimes
        self.trace = TraceStatistics.totals(
            positions: 0..<n, trace: trace, llmSpans: llmSpans, llmPositions: llmPositions, llmCosts: llmCosts,
            llmGroups: llmGroups, groupNames: groupNames, promptPrefix: promptPrefix, completionPrefix: completionPrefix, totalPrefix: totalPrefix,
            unpricedPrefix: unpricedPrefix, recordedPrefix: recordedPrefix, errorPrefix: errorPrefix,
            start: n == 0 ? 0 : trace.startNanos, end: n == 0 ? 0 : trace.endNanos)
    }

    /// Every span's self time: its duration minus the union of its children clipped to it
    /// (overlapping children counted once); O(n).
    public static func selfTimes(of trace: Trace) -> [Int64] {
        let n = trace.count
        let spans = trace.spans
        // Self time: the span's duration minus the union of its children clipped to it. Children
        // come sorted by start, and clipping keeps that order, so one sweep merges them.
        var selfTimes = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            let start = spans[i].startNanos
            let end = max(spans[i].endNanos, start)
            var covered: Int64 = 0
            var runStart: Int64 = 0, runEnd: Int64 = 0
            var inRun = false
            for child in trace.children(of: i) {
                let c = spans[Int(child)]
                let cs = max(c.startNanos, start)
                let ce = min(max(c.endNanos, c.startNanos), end)
                guard cs < ce else { continue }
                if inRun && cs <= runEnd {
                    runEnd = max(runEnd, ce)
                } else {
                    if inRun { covered &+= runEnd &- runStart }
                    runStart = cs; runEnd = ce; inRun = true
                }
            }
            if inRun { covered &+= runEnd &- runStart }
            selfTimes[i] = (end &- start) &- covered
        }
        return selfTimes
    }

    /// `call.cost(using:)`, with price lookups remembered per model name.
    static func cost(of call: LLMCall, prices: PriceTable, cache: inout [String: ModelPrice?]) -> CallCost {
        if let recorded = call.recordedCostUSD, recorded.isFinite { return CallCost(usd: recorded, source: .recorded) }
        func lookup(_ model: String?) -> ModelPrice? {
            guard let model else { return nil }
            if let hit = cache[model] { return hit }
            let price = prices.price(for: model)
            cache[model] = price
            return price
        }
        guard let price = lookup(call.responseModel) ?? lookup(call.requestModel) else { return .unpriced }
        return CallCost(usd: price.cost(input: call.promptTokens ?? 0, output: call.completionTokens ?? 0,
                                        cacheRead: call.cacheReadTokens ?? 0, cacheWrite: call.cacheWriteTokens ?? 0),
                        source: .computed(price))
    }

    /// Totals over span `span` and its descendants: O(1) for sums, O(LLM calls in subtree) for byModel.
    public func subtree(of span: Int) -> UsageTotals {
        let pos = Int(indexed.preorderPosition[span])
        return TraceStatistics.totals(
            positions: pos..<pos + Int(indexed.subtreeSizes[span]), trace: indexed, llmSpans: llmSpans,
            llmPositions: llmPositions, llmCosts: llmCosts, llmGroups: llmGroups, groupNames: groupNames,
            promptPrefix: promptPrefix,
            completionPrefix: completionPrefix, totalPrefix: totalPrefix, unpricedPrefix: unpricedPrefix,
            recordedPrefix: recordedPrefix, errorPrefix: errorPrefix,
            start: subtreeStart[span], end: subtreeEnd[span])
    }

    /// The cost of the LLM call on `span`; nil for non-LLM spans.
    public func cost(ofSpan span: Int) -> CallCost? {
        guard indexed.isLLM(span) else { return nil }
        let j = TraceStatistics.lowerBound(llmPositions, indexed.preorderPosition[span])
        return llmCosts[j]
    }

    /// Duration not covered by children (children clipped to the span; overlaps counted once).
    public func selfTimeNanos(of span: Int) -> Int64 { selfTimes[span] }

    /// All LLM spans with their costs, in depth-first order.
    public var llmSpanCosts: [(span: Int, cost: CallCost)] {
        zip(llmSpans, llmCosts).map { (Int($0), $1) }
    }

    private static func totals(
        positions: Range<Int>, trace: Trace, llmSpans: [Int32], llmPositions: [Int32], llmCosts: [CallCost],
        llmGroups: [Int32], groupNames: [String], promptPrefix: [Int64], completionPrefix: [Int64], totalPrefix: [Int64], unpricedPrefix: [Int32],
        recordedPrefix: [Int32], errorPrefix: [Int32], start: Int64, end: Int64
    ) -> UsageTotals {
        let a = lowerBound(llmPositions, Int32(positions.lowerBound))
        let b = lowerBound(llmPositions, Int32(positions.upperBound))
        var byGroup: [Int32: ModelUsage] = [:]
        var cost = 0.0
        var cacheRead: Int64 = 0, cacheWrite: Int64 = 0, reasoning: Int64 = 0
        for j in a..<b {
            let span = Int(llmSpans[j])
            let call = trace.llmCall(at: span)!
            byGroup[llmGroups[j], default: ModelUsage()].add(call, llmCosts[j], failed: trace.spans[span].status.isError)
            cost += llmCosts[j].usd ?? 0
            cacheRead = ModelUsage.sum(cacheRead, call.cacheReadTokens ?? 0)
            cacheWrite = ModelUsage.sum(cacheWrite, call.cacheWriteTokens ?? 0)
            reasoning = ModelUsage.sum(reasoning, call.reasoningTokens ?? 0)
        }
        var byModel: [String: ModelUsage] = [:]
        for (g, usage) in byGroup { byModel[groupNames[Int(g)]] = usage }
        let sorted = ModelGrouping.sorted(byModel)
        var totals = UsageTotals(
            spanCount: positions.count,
            errorCount: Int(errorPrefix[positions.upperBound] - errorPrefix[positions.lowerBound]),
            llmCalls: b - a,
            promptTokens: promptPrefix[b] &- promptPrefix[a],
            completionTokens: completionPrefix[b] &- completionPrefix[a],
            totalTokens: totalPrefix[b] &- totalPrefix[a],
            costUSD: cost,
            unpricedCalls: Int(unpricedPrefix[b] - unpricedPrefix[a]),
            byModel: sorted,
            recordedCostCalls: Int(recordedPrefix[b] - recordedPrefix[a]),
            startNanos: start, endNanos: end)
        totals.cacheReadTokens = cacheRead
        totals.cacheWriteTokens = cacheWrite
        totals.reasoningTokens = reasoning
        return totals
    }

    /// First index in the ascending `values` whose value is not less than `key`.
    private static func lowerBound(_ values: [Int32], _ key: Int32) -> Int {
        values.partitioningIndex { $0 >= key }
    }
}
