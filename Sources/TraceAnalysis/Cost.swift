import TraceModel

/// Where a call's cost comes from.
public enum CostSource: Hashable, Sendable {
    /// The trace recorded a cost for the call; it wins over any computed one.
    case recorded
    /// Computed from the call's tokens at this price.
    case computed(ModelPrice)
    /// No recorded cost and no price for the call's model.
    case unpriced
}

/// The cost of one LLM call and where it comes from.
public struct CallCost: Hashable, Sendable {
    /// Cost in USD; nil when unpriced.
    public let usd: Double?
    /// Recorded, computed (with the price used) or unpriced.
    public let source: CostSource

    /// Creates a cost.
    public init(usd: Double?, source: CostSource) {
        self.usd = usd
        self.source = source
    }

    /// A call nothing can price.
    public static let unpriced = CallCost(usd: nil, source: .unpriced)
}

/// Pricing for LLM calls.
public extension LLMCall {
    /// The call's cost: the recorded cost when the trace has one, else tokens × the model's price.
    ///
    /// The response model is priced first (it names the exact variant that answered); when the
    /// table does not know it, the request model is tried. A recorded cost that is not a finite
    /// number is ignored. Missing token counts count as zero, so a priced call that failed before
    /// using any tokens costs $0 rather than being unpriced.
    func cost(using prices: PriceTable) -> CallCost {
        if let recorded = recordedCostUSD, recorded.isFinite {
            return CallCost(usd: recorded, source: .recorded)
        }
        let price = responseModel.flatMap(prices.price(for:)) ?? requestModel.flatMap(prices.price(for:))
        guard let price else { return .unpriced }
        return CallCost(usd: price.cost(input: promptTokens ?? 0, output: completionTokens ?? 0,
                                        cacheRead: cacheReadTokens ?? 0, cacheWrite: cacheWriteTokens ?? 0),
                        source: .computed(price))
    }
}
