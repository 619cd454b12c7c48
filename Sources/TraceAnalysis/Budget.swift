import TraceModel

/// A number a run is judged by in budgets and regression limits.
public enum BudgetMetric: String, Hashable, Sendable, CaseIterable {
    /// USD over all LLM calls that have a price.
    case cost
    /// Trace duration.
    case duration
    /// Number of LLM calls.
    case llmCalls = "llm_calls"
    /// Total tokens.
    case tokens
    /// Spans with error status.
    case errors

    /// Reads a metric name as `--fail-on` and budget files write it (`llm_calls`, `llm-calls`).
    public init?(name: String) {
        switch name.lowercased().replacingDashes() {
        case "cost", "cost_usd": self = .cost
        case "duration", "duration_ms": self = .duration
        case "llm_calls", "calls": self = .llmCalls
        case "tokens", "total_tokens": self = .tokens
        case "errors", "error_count": self = .errors
        default: return nil
        }
    }

    /// Reads a limit value for this metric: USD for cost (`0.05`, `$0.05`), a duration for
    /// duration (`30s`, `1500ms`; a bare number is milliseconds), a whole number otherwise.
    /// Durations come back in nanoseconds.
    public func parseValue(_ text: String, what: String) throws(TraceAnalysisError) -> Double {
        let t = text.trimmedSpaces()
        switch self {
        case .duration:
            return Double(try DurationText.parse(t, what: what))
        case .cost:
            let digits = t.hasPrefix("$") ? String(t.dropFirst()) : t
            guard let v = Double(digits), v.isFinite, v >= 0 else {
                throw TraceAnalysisError("\(what): '\(text)' is not an amount in USD, like 0.05")
            }
            return v
        case .llmCalls, .tokens, .errors:
            guard let v = Int64(t), v >= 0 else {
                throw TraceAnalysisError("\(what): '\(text)' is not a whole number of \(self == .tokens ? "tokens" : self == .errors ? "errors" : "calls")")
            }
            return Double(v)
        }
    }
}

/// The numbers of one run that budgets look at.
public struct RunTotals: Hashable, Sendable {
    /// USD over the calls that have a price.
    public var costUSD: Double
    /// Trace duration in nanoseconds.
    public var durationNanos: Int64
    /// LLM calls.
    public var llmCalls: Int
    /// Total tokens.
    public var totalTokens: Int64
    /// Error spans.
    public var errors: Int

    /// Creates totals.
    public init(costUSD: Double = 0, durationNanos: Int64 = 0, llmCalls: Int = 0, totalTokens: Int64 = 0, errors: Int = 0) {
        self.costUSD = costUSD
        self.durationNanos = durationNanos
        self.llmCalls = llmCalls
        self.totalTokens = totalTokens
        self.errors = errors
    }

    /// The totals of a summarised trace.
    public init(_ summary: TraceSummary) {
        self.init(costUSD: summary.totals.costUSD, durationNanos: summary.durationNanos, llmCalls: summary.totals.llmCalls,
                  totalTokens: summary.totals.totalTokens, errors: summary.totals.errorCount)
    }

    /// The value of one metric (duration in nanoseconds).
    public func value(_ metric: BudgetMetric) -> Double {
        switch metric {
        case .cost: return costUSD
        case .duration: return Double(durationNanos)
        case .llmCalls: return Double(llmCalls)
        case .tokens: return Double(totalTokens)
        case .errors: return Double(errors)
        }
    }
}

/// A limit that a run broke.
public struct BudgetBreach: Hashable, Sendable {
    /// What was measured.
    public var metric: BudgetMetric
    /// The most that was allowed (duration in nanoseconds).
    public var limit: Double
    /// What the run had.
    public var actual: Double
    /// For a regression limit: the value in the run compared against (A); nil for a budget.
    public var baseline: Double?

    /// Creates a breach.
    public init(metric: BudgetMetric, limit: Double, actual: Double, baseline: Double? = nil) {
        self.metric = metric
        self.limit = limit
        self.actual = actual
        self.baseline = baseline
    }

    /// By how much the limit was passed.
    public var excess: Double { actual - limit }
}

/// Upper limits on a run's totals; a limit left nil is not checked.
public struct BudgetLimits: Hashable, Sendable {
    /// Limits per metric (duration in nanoseconds).
    public var maximum: [BudgetMetric: Double]

    /// Creates limits.
    public init(_ maximum: [BudgetMetric: Double] = [:]) { self.maximum = maximum }

    /// True when nothing is limited.
    public var isEmpty: Bool { maximum.isEmpty }

    /// These limits and `other`'s together: where both limit a metric, the stricter one holds.
    public func combined(with other: BudgetLimits) -> BudgetLimits {
        BudgetLimits(maximum.merging(other.maximum) { min($0, $1) })
    }

    /// Every limit `totals` breaks, in `BudgetMetric` order. A limit is broken when the value is
    /// above it: `--max-errors 0` allows none, `--max-cost 0.05` allows exactly $0.05.
    public func breaches(_ totals: RunTotals) -> [BudgetBreach] {
        BudgetMetric.allCases.compactMap { metric in
            guard let limit = maximum[metric] else { return nil }
            let actual = totals.value(metric)
            return actual > limit ? BudgetBreach(metric: metric, limit: limit, actual: actual) : nil
        }
    }
}

/// Budgets for a set of runs: limits for every trace, and limits per root span name, so each
/// workflow gets its own (`--budget FILE`).
public struct BudgetSet: Hashable, Sendable {
    /// Limits every trace must keep.
    public var all: BudgetLimits
    /// Limits for traces whose root span has this name.
    public var byRoot: [String: BudgetLimits]

    /// Creates a budget set.
    public init(all: BudgetLimits = BudgetLimits(), byRoot: [String: BudgetLimits] = [:]) {
        self.all = all
        self.byRoot = byRoot
    }

    /// Reads the limits of a budget file: (root name or nil for every trace, [(metric, value)])
    /// as `BudgetFileReader` gives them. Groups for the same root combine, the stricter limit
    /// winning; `source` names the file in errors.
    public init(entries: [(root: String?, limits: [(metric: String, value: String)])], source: String) throws(TraceAnalysisError) {
        self.init()
        for entry in entries {
            var limits = BudgetLimits()
            for (name, value) in entry.limits {
                let what = "\(source): " + (entry.root.map { "root '\($0)'" } ?? "default") + " max_\(name)"
                guard let metric = BudgetMetric(name: name) else { throw TraceAnalysisError("\(what): unknown limit") }
                limits = limits.combined(with: BudgetLimits([metric: try metric.parseValue(value, what: what)]))
            }
            if let root = entry.root {
                byRoot[root] = byRoot[root].map { $0.combined(with: limits) } ?? limits
            } else {
                all = all.combined(with: limits)
            }
        }
    }

    /// True when no limit is set anywhere.
    public var isEmpty: Bool { all.isEmpty && byRoot.values.allSatisfy(\.isEmpty) }

    /// The limits for a trace with this root name: the general ones and its root's, the stricter
    /// where both apply.
    public func limits(root: String) -> BudgetLimits {
        byRoot[root].map { all.combined(with: $0) } ?? all
    }

    /// Every limit the trace breaks.
    public func breaches(root: String, totals: RunTotals) -> [BudgetBreach] {
        limits(root: root).breaches(totals)
    }
}

/// An allowed increase from run A to run B (`--fail-on cost+10%,duration+20%,llm_calls+1`).
public struct RegressionLimit: Hashable, Sendable {
    /// What is compared.
    public var metric: BudgetMetric
    /// Allowed increase as a fraction of A (0.1 = 10%), or nil when `absolute` is used.
    public var relative: Double?
    /// Allowed increase in the metric's unit (USD, nanoseconds, count).
    public var absolute: Double

    /// Creates a limit.
    public init(metric: BudgetMetric, relative: Double? = nil, absolute: Double = 0) {
        self.metric = metric
        self.relative = relative
        self.absolute = absolute
    }

    /// Reads `cost+10%,duration+200ms,llm_calls+1,errors+0` (one or more, comma separated).
    public static func parseList(_ text: String) throws(TraceAnalysisError) -> [RegressionLimit] {
        var out: [RegressionLimit] = []
        for raw in text.split(separator: ",") {
            let item = String(raw).trimmedSpaces()
            guard let plus = item.firstIndex(of: "+"), let metric = BudgetMetric(name: String(item[..<plus]).trimmedSpaces()) else {
                throw TraceAnalysisError("--fail-on '\(item)': expected METRIC+AMOUNT with METRIC one of cost, duration, llm_calls, tokens, errors (like cost+10% or llm_calls+1)")
            }
            let amount = String(item[item.index(after: plus)...]).trimmedSpaces()
            if amount.hasSuffix("%") {
                guard let p = Double(amount.dropLast()), p.isFinite, p >= 0 else {
                    throw TraceAnalysisError("--fail-on '\(item)': '\(amount)' is not a percentage")
                }
                out.append(RegressionLimit(metric: metric, relative: p / 100))
            } else {
                out.append(RegressionLimit(metric: metric, absolute: try metric.parseValue(amount, what: "--fail-on '\(item)'")))
            }
        }
        guard !out.isEmpty else { throw TraceAnalysisError("--fail-on: no limits given (like cost+10%)") }
        return out
    }

    /// The largest value B may have given A's value.
    public func allowed(from baseline: Double) -> Double {
        if let relative { return baseline + abs(baseline) * relative }
        return baseline + absolute
    }

    /// Every limit that going from `a` to `b` breaks.
    public static func breaches(_ limits: [RegressionLimit], a: RunTotals, b: RunTotals) -> [BudgetBreach] {
        limits.compactMap { limit in
            let base = a.value(limit.metric), now = b.value(limit.metric)
            let allowed = limit.allowed(from: base)
            return now > allowed ? BudgetBreach(metric: limit.metric, limit: allowed, actual: now, baseline: base) : nil
        }
    }
}

extension String {
    func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}
