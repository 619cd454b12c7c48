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

    /// Creates a usage record; everything defaults to zero.
    public init(calls: Int = 0, promptTokens: Int64 = 0, completionTokens: Int64 = 0, totalTokens: Int64 = 0,
                costUSD: Double = 0, unpricedCalls: Int = 0) {
        self.calls = calls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costUSD = costUSD
        self.unpricedCalls = unpricedCalls
    }

    /// Adds one call.
    mutating func add(_ call: LLMCall, _ cost: CallCost) {
        calls += 1
        // Saturating: a total that would pass Int64.max stays there instead of turning negative.
        promptTokens = ModelUsage.sum(promptTokens, call.promptTokens ?? 0)
        completionTokens = ModelUsage.sum(completionTokens, call.completionTokens ?? 0)
        totalTokens = ModelUsage.sum(totalTokens, call.totalTokens)
        if let usd = cost.usd { costUSD += usd } else { unpricedCalls += 1 }
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
    /// Per model (response model, else request model, else "(unknown model)"), sorted by cost
    /// descending, then calls descending, then name.
    public var byModel: [(model: String, usage: ModelUsage)]
    /// Calls whose cost was recorded in the trace rather than computed from a price.
    public var recordedCostCalls: Int
    /// Earliest start among the spans counted (ns since epoch); 0 when there are none.
    public var startNanos: Int64
    /// Latest end among the spans counted (ns since epoch); 0 when there are none.
    public var endNanos: Int64

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

    /// The name a call is grouped under.
    static func modelName(of call: LLMCall) -> String {
        if let model = call.model, !model.isEmpty { return model }
        return "(unknown model)"
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
            promptPrefix: promptPrefix, completionPrefix: completionPrefix, totalPrefix: totalPrefix,
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
        return CallCost(usd: price.cost(input: call.promptTokens ?? 0, output: call.completionTokens ?? 0), source: .computed(price))
    }

    /// Totals over span `span` and its descendants: O(1) for sums, O(LLM calls in subtree) for byModel.
    public func subtree(of span: Int) -> UsageTotals {
        let pos = Int(indexed.preorderPosition[span])
        return TraceStatistics.totals(
            positions: pos..<pos + Int(indexed.subtreeSizes[span]), trace: indexed, llmSpans: llmSpans,
            llmPositions: llmPositions, llmCosts: llmCosts, promptPrefix: promptPrefix,
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
        promptPrefix: [Int64], completionPrefix: [Int64], totalPrefix: [Int64], unpricedPrefix: [Int32],
        recordedPrefix: [Int32], errorPrefix: [Int32], start: Int64, end: Int64
    ) -> UsageTotals {
        let a = lowerBound(llmPositions, Int32(positions.lowerBound))
        let b = lowerBound(llmPositions, Int32(positions.upperBound))
        var byModel: [String: ModelUsage] = [:]
        var cost = 0.0
        for j in a..<b {
            let call = trace.llmCall(at: Int(llmSpans[j]))!
            byModel[UsageTotals.modelName(of: call), default: ModelUsage()].add(call, llmCosts[j])
            cost += llmCosts[j].usd ?? 0
        }
        let sorted = byModel.sorted { x, y in
            if x.value.costUSD != y.value.costUSD { return x.value.costUSD > y.value.costUSD }
            if x.value.calls != y.value.calls { return x.value.calls > y.value.calls }
            return x.key < y.key
        }.map { (model: $0.key, usage: $0.value) }
        return UsageTotals(
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
    }

    /// First index in the ascending `values` whose value is not less than `key`.
    private static func lowerBound(_ values: [Int32], _ key: Int32) -> Int {
        values.partitioningIndex { $0 >= key }
    }
}
