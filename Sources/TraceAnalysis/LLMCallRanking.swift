import TraceModel

/// One LLM call as a row of the ranked-calls table.
public struct LLMCallRow: Hashable, Sendable {
    /// Position of the trace in the list given.
    public var trace: Int
    /// The call's span index in that trace.
    public var span: Int
    /// The span's name.
    public var name: String
    /// Response model, else request model, else "(unknown model)".
    public var model: String
    /// Input tokens (nil: not recorded).
    public var promptTokens: Int64?
    /// Output tokens (nil: not recorded).
    public var completionTokens: Int64?
    /// Input tokens read from the provider's prompt cache, part of `promptTokens` (nil: not recorded).
    public var cachedTokens: Int64?
    /// Total tokens (recorded total, else input + output).
    public var totalTokens: Int64
    /// Cost in USD; nil when unpriced.
    public var costUSD: Double?
    /// True when the cost was recorded in the trace rather than computed.
    public var costRecorded: Bool
    /// The span's duration.
    public var latencyNanos: Int64
    /// Time to first token, when recorded.
    public var timeToFirstTokenNanos: Int64?
    /// Finish reasons joined with commas ("" when none).
    public var finishReason: String
    /// The span's start (ns since epoch).
    public var startNanos: Int64
    /// True when the span's status is error.
    public var isError: Bool
}

/// A column the ranked-calls table sorts by.
public enum LLMCallColumn: String, Hashable, Sendable, CaseIterable {
    case start, model, promptTokens = "prompt_tokens", completionTokens = "completion_tokens",
         cachedTokens = "cached_tokens", tokens = "tokens", cost, latency, timeToFirstToken = "ttft", finishReason = "finish"

    /// True for numeric columns, which sort descending first (largest on top).
    public var descendingFirst: Bool {
        switch self {
        case .model, .finishReason, .start: return false
        default: return true
        }
    }
}

/// Every LLM call across traces, ranked; and the orders the trace view walks with `$` and `s`.
public enum LLMCallRanking {
    /// The calls of `traces` (or only of trace `only`), in trace order then span start order.
    public static func rows(_ traces: [Trace], only: Int? = nil, prices: PriceTable = .standard) -> [LLMCallRow] {
        let positions = only.map { [$0] } ?? Array(traces.indices)
        let perTrace: [[LLMCallRow]] = Parallel.map(positions.count) { j in
            let t = positions[j]
            let trace = traces[t]
            var cache: [String: ModelPrice?] = [:]
            var out: [LLMCallRow] = []
            for i in 0..<trace.count {
                guard let call = trace.llmCall(at: i) else { continue }
                let s = trace.spans[i]
                let cost = TraceStatistics.cost(of: call, prices: prices, cache: &cache)
                out.append(LLMCallRow(trace: t, span: i, name: s.name, model: UsageTotals.modelName(of: call),
                                      promptTokens: call.promptTokens, completionTokens: call.completionTokens,
                                      cachedTokens: call.cacheReadTokens,
                                      totalTokens: call.totalTokens, costUSD: cost.usd, costRecorded: cost.source == .recorded,
                                      latencyNanos: s.durationNanos, timeToFirstTokenNanos: call.timeToFirstTokenNanos,
                                      finishReason: call.finishReasons.joined(separator: ","), startNanos: s.startNanos,
                                      isError: s.status.isError))
            }
            out.sort { $0.startNanos != $1.startNanos ? $0.startNanos < $1.startNanos : $0.span < $1.span }
            return out
        }
        return Array(perTrace.joined())
    }

    /// `rows` sorted by `column`; missing values (unpriced, no TTFT) always go last. Ties keep
    /// the given order, so sorting is stable.
    public static func sorted(_ rows: [LLMCallRow], by column: LLMCallColumn, descending: Bool) -> [LLMCallRow] {
        func number(_ r: LLMCallRow) -> Double? {
            switch column {
            case .promptTokens: return r.promptTokens.map(Double.init)
            case .completionTokens: return r.completionTokens.map(Double.init)
            case .cachedTokens: return r.cachedTokens.map(Double.init)
            case .tokens: return Double(r.totalTokens)
            case .cost: return r.costUSD
            case .latency: return Double(r.latencyNanos)
            case .timeToFirstToken: return r.timeToFirstTokenNanos.map(Double.init)
            case .start: return Double(r.startNanos)
            case .model, .finishReason: return nil
            }
        }
        let indexed = Array(rows.enumerated())
        let ordered = indexed.sorted { x, y in
            let a = x.element, b = y.element
            switch column {
            case .model, .finishReason:
                let ka = column == .model ? a.model : a.finishReason
                let kb = column == .model ? b.model : b.finishReason
                if ka.isEmpty != kb.isEmpty { return !ka.isEmpty }
                if ka != kb { return descending ? ka > kb : ka < kb }
            default:
                let na = number(a), nb = number(b)
                switch (na, nb) {
                case (nil, nil): break
                case (nil, _): return false
                case (_, nil): return true
                case let (va?, vb?): if va != vb { return descending ? va > vb : va < vb }
                }
            }
            return x.offset < y.offset
        }
        return ordered.map(\.element)
    }

    /// The LLM spans of `trace` from the costliest down (unpriced ones last, by tokens), for `$`.
    public static func callsByCost(_ trace: Trace, prices: PriceTable = .standard) -> [Int] {
        let rows = rows([trace], prices: prices)
        return sorted(sorted(rows, by: .tokens, descending: true), by: .cost, descending: true).map(\.span)
    }

    /// The spans of `trace` from the longest self time down (ties: depth-first order), for `s`.
    public static func spansBySelfTime(_ trace: Trace) -> [Int] {
        let selfTimes = TraceStatistics.selfTimes(of: trace)
        return trace.preorder.map(Int.init).enumerated().sorted { a, b in
            let sa = selfTimes[a.element], sb = selfTimes[b.element]
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map(\.element)
    }
}
