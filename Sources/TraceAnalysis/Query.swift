import TraceModel

/// A trace-level number a query can compare.
public enum QueryNumericField: String, Hashable, Sendable, CaseIterable {
    /// Trace duration; values take `ns`, `us`, `ms`, `s`, `m`, `h` (a bare number is milliseconds).
    case duration
    /// Cost in USD; a leading `$` is allowed.
    case cost
    /// Total tokens; counts take `k` and `M`.
    case tokens
    /// Input tokens.
    case promptTokens = "prompt_tokens"
    /// Output tokens.
    case completionTokens = "completion_tokens"
    /// LLM calls.
    case llmCalls = "llm_calls"
    /// Spans.
    case spans
    /// Spans with error status.
    case errors

    /// The value typed after the operator, in the unit `value(of:)` uses (ns for durations).
    func parse(_ text: String) -> Double? {
        switch self {
        case .duration: return QueryNumber.duration(text)
        case .cost: return QueryNumber.plain(text.hasPrefix("$") ? String(text.dropFirst()) : text)
        default: return QueryNumber.count(text)
        }
    }

    /// What a valid value looks like, for errors.
    var valueHint: String {
        switch self {
        case .duration: return "not a duration; write it like 500ms, 2s, 1.5m or 1h"
        case .cost: return "not an amount; write it like 0.05 or $0.05"
        default: return "not a count; write it like 12, 1500 or 2k"
        }
    }

    /// This field of a trace.
    func value(of f: TraceFacts) -> Double {
        switch self {
        case .duration: return Double(f.durationNanos)
        case .cost: return f.costUSD
        case .tokens: return Double(f.totalTokens)
        case .promptTokens: return Double(f.promptTokens)
        case .completionTokens: return Double(f.completionTokens)
        case .llmCalls: return Double(f.llmCalls)
        case .spans: return Double(f.spanCount)
        case .errors: return Double(f.errorCount)
        }
    }
}

/// A trace-level text a query can match.
public enum QueryTextField: String, Hashable, Sendable, CaseIterable {
    /// Any span's service.
    case service
    /// Any span's name.
    case name
    /// The root span's name.
    case root
    /// Any LLM call's request or response model.
    case model
    /// The trace's session (conversation) id.
    case session
}

/// Number formats in queries.
enum QueryNumber {
    /// A plain decimal number.
    static func plain(_ text: String) -> Double? {
        guard let v = Double(text), v.isFinite else { return nil }
        return v
    }

    /// A count with an optional `k` (thousand) or `M` (million) suffix.
    static func count(_ text: String) -> Double? {
        guard let last = text.last else { return nil }
        switch last {
        case "k", "K": return plain(String(text.dropLast())).map { $0 * 1e3 }
        case "m", "M": return plain(String(text.dropLast())).map { $0 * 1e6 }
        default: return plain(text)
        }
    }

    /// A duration in nanoseconds: a number and an optional unit (milliseconds when none).
    static func duration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9),
                                         ("min", 60e9), ("m", 60e9), ("h", 3600e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = String(text.dropLast(suffix.count))
            // `ms` also ends in `s`: the longer suffixes come first, so a bare `s` here is seconds.
            guard !number.isEmpty, let v = plain(number) else { continue }
            return v * scale
        }
        return plain(text).map { $0 * 1e6 }
    }
}

/// A value to match text against: exact (ignoring case, `*` matches any run) or contained.
public struct QueryPattern: Hashable, Sendable {
    /// The value as typed.
    public let text: String
    private let folded: [Character]
    private let hasWildcard: Bool
    private let needle: SpanQuery

    /// Creates a pattern for `text`.
    public init(_ text: String) {
        self.text = text
        self.folded = Array(text.lowercased())
        self.hasWildcard = text.contains("*")
        self.needle = SpanQuery(text)
    }

    public static func == (a: QueryPattern, b: QueryPattern) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// True when `value` equals the pattern, ignoring case, with `*` standing for any run of characters.
    public func equals(_ value: String) -> Bool {
        if !hasWildcard {
            // Cheap length check first: most values differ in length.
            guard value.count == folded.count else { return false }
            return value.lowercased() == text.lowercased()
        }
        return QueryPattern.glob(folded, Array(value.lowercased()))
    }

    /// True when `value` contains the pattern, ignoring case.
    public func isContained(in value: String) -> Bool { needle.matches(value) }

    /// `=` or `~` (the negated operators are handled by the caller).
    func matches(_ value: String, _ op: QueryOperator) -> Bool {
        op == .contains || op == .notContains ? isContained(in: value) : equals(value)
    }

    /// Wildcard match with backtracking to the last star: linear in practice.
    static func glob(_ p: [Character], _ s: [Character]) -> Bool {
        var pi = 0, si = 0
        var star = -1, mark = 0
        while si < s.count {
            if pi < p.count && p[pi] != "*" && p[pi] == s[si] {
                pi += 1; si += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// A parsed query term or combination.
indirect enum QueryNode: Sendable {
    case and([QueryNode])
    case or([QueryNode])
    case not(QueryNode)
    /// A bare word: some span's name, service, attribute, event or LLM text contains it.
    case word(SpanQuery)
    /// Some span has error status.
    case error
    case number(QueryNumericField, QueryOperator, Double)
    case text(QueryTextField, QueryOperator, QueryPattern)
    /// Some span (or its resource) has attribute `key` matching.
    case attribute(key: String, op: QueryOperator, pattern: QueryPattern, number: Double?)

    /// How much a term costs to evaluate: facts only (0), span attributes (1), full text (2).
    var cost: Int {
        switch self {
        case .and(let parts), .or(let parts): return parts.map(\.cost).max() ?? 0
        case .not(let inner): return inner.cost
        case .word: return 2
        case .attribute: return 1
        case .error, .number, .text: return 0
        }
    }

    /// The same node with commutative parts ordered cheapest first, so `and` and `or` stop early
    /// without reading spans when a trace-level term already decides.
    var ordered: QueryNode {
        switch self {
        case .and(let parts): return .and(parts.map(\.ordered).sorted { $0.cost < $1.cost })
        case .or(let parts): return .or(parts.map(\.ordered).sorted { $0.cost < $1.cost })
        case .not(let inner): return .not(inner.ordered)
        default: return self
        }
    }

    /// True when the node reads span attributes or text that a summary-only load leaves out.
    var readsAttributes: Bool {
        switch self {
        case .and(let parts), .or(let parts): return parts.contains { $0.readsAttributes }
        case .not(let inner): return inner.readsAttributes
        case .word, .attribute: return true
        case .text(let field, _, _): return field == .session
        case .error, .number: return false
        }
    }

    func matches(_ trace: Trace, _ facts: TraceFacts) -> Bool {
        switch self {
        case .and(let parts):
            for p in parts where !p.matches(trace, facts) { return false }
            return true
        case .or(let parts):
            for p in parts where p.matches(trace, facts) { return true }
            return false
        case .not(let inner):
            return !inner.matches(trace, facts)
        case .error:
            return facts.errorCount > 0
        case .number(let field, let op, let value):
            return op.compare(field.value(of: facts), value)
        case .text(let field, let op, let pattern):
            let positive: QueryOperator = op == .notEqual ? .equal : op == .notContains ? .contains : op
            let hit: Bool
            switch field {
            case .service: hit = facts.services.contains { pattern.matches($0, positive) }
            case .name: hit = facts.names.contains { pattern.matches($0, positive) }
            case .root: hit = pattern.matches(facts.rootName, positive)
            case .model: hit = facts.models.contains { pattern.matches($0, positive) }
            case .session: hit = facts.sessionID.map { pattern.matches($0, positive) } ?? false
            }
            return positive == op ? hit : !hit
        case .word(let query):
            for i in 0..<trace.count where query.matches(trace, span: i) { return true }
            return false
        case .attribute(let key, let op, let pattern, let number):
            let negated = op == .notEqual || op == .notContains
            let positive: QueryOperator = op == .notEqual ? .equal : op == .notContains ? .contains : op
            let hit = QueryNode.anyAttribute(trace, key: key) { value in
                QueryNode.compare(value, positive, pattern, number)
            }
            return negated ? !hit : hit
        }
    }

    /// True when some span's attribute (or its resource's) named `key` satisfies `test`.
    static func anyAttribute(_ trace: Trace, key: String, _ test: (AttributeValue) -> Bool) -> Bool {
        let length = key.utf8.count
        var lastOrigin: SpanOrigin? = nil
        // Spans are read in place: copying a `Span` retains every field it holds.
        return trace.spans.withUnsafeBufferPointer { spans in
            for i in 0..<spans.count {
                for a in spans[i].attributes where a.key.utf8.count == length && a.key == key {
                    if test(a.value) { return true }
                }
                // Spans of one resource share its origin object: look at each resource once.
                let origin = spans[i].origin
                if origin !== lastOrigin {
                    lastOrigin = origin
                    for a in origin.resource where a.key.utf8.count == length && a.key == key {
                        if test(a.value) { return true }
                    }
                }
            }
            return false
        }
    }

    /// One attribute value against `op` (never a negated operator): numbers compare as numbers
    /// (`=42` matches the int 42 and the double 42.0), text ignoring case; an array matches
    /// when an element does.
    static func compare(_ value: AttributeValue, _ op: QueryOperator, _ pattern: QueryPattern, _ number: Double?) -> Bool {
        if case .array(let items) = value { return items.contains { compare($0, op, pattern, number) } }
        if op.isOrdering {
            guard let number, let v = value.doubleValue else { return false }
            return op.compare(v, number)
        }
        if op == .equal, let number {
            switch value {
            case .int, .double: return value.doubleValue == number
            default: break
            }
        }
        return pattern.matches(value.displayText, op)
    }
}

/// A query over traces: `error service=api duration>2s -name~retry (model~gpt-4o or cost>0.1)`.
///
/// Terms separated by spaces must all hold; `or` between two terms needs either; `-` before a
/// term negates it; parentheses group. A bare word matches when some span's name, service,
/// attribute key or value, event, status message or LLM text contains it (ignoring case).
/// Fields: `error`; `service`, `name` (any span), `root`, `model` (any LLM call's request or
/// response model) and `session` with `=` (whole value, `*` wildcards, ignoring case), `~`
/// (contains), `!=`, `!~`; `duration`, `cost`, `tokens`, `prompt_tokens`, `completion_tokens`,
/// `llm_calls`, `spans`, `errors` with `< <= > >= = !=`; and any attribute key (`user.id=42`,
/// `http.route~/v1`, `http.status_code>=500`), true when some span or its resource has it.
public struct TraceQuery: Sendable {
    /// The query as typed.
    public let text: String
    let root: QueryNode?

    /// Parses `text`; an empty or blank query matches every trace.
    public init(_ text: String) throws(QueryError) {
        self.text = text
        var parser = try QueryParser(text)
        root = try parser.parseQuery()?.ordered
    }

    /// True for a query that matches everything.
    public var isEmpty: Bool { root == nil }

    /// True when the query reads span attributes or text beyond what totals need (so the traces
    /// must be loaded in full, not in `summary` detail).
    public var readsAttributes: Bool { root?.readsAttributes ?? false }

    /// True when `trace`, whose facts are `facts`, satisfies the query.
    public func matches(_ trace: Trace, facts: TraceFacts) -> Bool {
        root?.matches(trace, facts) ?? true
    }

    /// Positions of the traces that satisfy the query, in order (computed on all cores).
    public func filter(_ traces: [Trace], facts: [TraceFacts]) -> [Int] {
        precondition(traces.count == facts.count, "one facts entry per trace")
        guard let root else { return Array(traces.indices) }
        let hits = Parallel.map(traces.count) { root.matches(traces[$0], facts[$0]) }
        return hits.indices.filter { hits[$0] }
    }
}
