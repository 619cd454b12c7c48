import TraceModel

/// How one step of a run compares with the same step of another.
public enum DiffStatus: String, Hashable, Sendable, CaseIterable {
    /// Same name, error status and LLM call content; timings within the threshold.
    case same
    /// In both runs, but something differs (see `DiffChanges`).
    case changed
    /// Only in the second run (B).
    case added
    /// Only in the first run (A).
    case removed
}

/// What differs between the two sides of an aligned step.
public struct DiffChanges: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The span names differ (only the roots are paired across names).
    public static let name = DiffChanges(rawValue: 1 << 0)
    /// One side is an error and the other is not.
    public static let status = DiffChanges(rawValue: 1 << 1)
    /// The model (requested or answering) differs, or only one side is an LLM call.
    public static let model = DiffChanges(rawValue: 1 << 2)
    /// Request parameters (temperature, max tokens, …) differ.
    public static let parameters = DiffChanges(rawValue: 1 << 3)
    /// Finish reasons differ.
    public static let finishReason = DiffChanges(rawValue: 1 << 4)
    /// The messages sent to the model differ.
    public static let prompt = DiffChanges(rawValue: 1 << 5)
    /// The messages the model produced differ.
    public static let answer = DiffChanges(rawValue: 1 << 6)
    /// Token counts differ.
    public static let tokens = DiffChanges(rawValue: 1 << 7)
    /// Cost differs.
    public static let cost = DiffChanges(rawValue: 1 << 8)
    /// Duration differs by more than the threshold.
    public static let duration = DiffChanges(rawValue: 1 << 9)
    /// Self time differs by more than the threshold.
    public static let selfTime = DiffChanges(rawValue: 1 << 10)

    /// The changes that concern the LLM call's content rather than its usage or timing.
    public static let content: DiffChanges = [.model, .parameters, .finishReason, .prompt, .answer]

    /// Snake-case names of the changes present, in a fixed order, for reports.
    public var names: [String] {
        let all: [(DiffChanges, String)] = [
            (.name, "name"), (.status, "status"), (.model, "model"), (.parameters, "parameters"),
            (.finishReason, "finish_reason"), (.prompt, "prompt"), (.answer, "answer"), (.tokens, "tokens"),
            (.cost, "cost"), (.duration, "duration"), (.selfTime, "self_time"),
        ]
        return all.filter { contains($0.0) }.map(\.1)
    }
}

/// When a timing difference counts as a change: only when it passes both the relative and the
/// absolute bound, so neither a 20% wobble of a 50 µs span nor 2 ms on a 30 s call is news.
public struct DiffThreshold: Hashable, Sendable {
    /// Fraction of A's value (0.1 = 10%).
    public var relative: Double
    /// Nanoseconds.
    public var absoluteNanos: Int64

    /// Creates a threshold.
    public init(relative: Double, absoluteNanos: Int64) {
        self.relative = relative
        self.absoluteNanos = absoluteNanos
    }

    /// 10% and 1 ms.
    public static let standard = DiffThreshold(relative: 0.10, absoluteNanos: 1_000_000)

    /// Reads `10%,1ms`: a percentage, a duration (`ns`, `us`/`µs`, `ms`, `s`, `m`), or both in either
    /// order separated by a comma; a part left out keeps its default.
    public init(parsing text: String) throws(TraceAnalysisError) {
        self = .standard
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmedSpaces() }
        guard !text.trimmedSpaces().isEmpty, parts.count <= 2 else {
            throw TraceAnalysisError("threshold '\(text)': expected a percentage and/or a duration, like 10%,1ms")
        }
        for part in parts {
            if part.hasSuffix("%") {
                guard let p = Double(part.dropLast()), p.isFinite, p >= 0 else {
                    throw TraceAnalysisError("threshold '\(text)': '\(part)' is not a percentage, like 10%")
                }
                relative = p / 100
            } else {
                absoluteNanos = try DurationText.parse(part, what: "threshold '\(text)'")
            }
        }
    }

    /// True when going from `a` to `b` nanoseconds passes both bounds.
    public func exceeded(_ a: Int64, _ b: Int64) -> Bool {
        let delta = b > a ? b &- a : a &- b
        return delta > absoluteNanos && Double(delta) > relative * Double(a.magnitude)
    }
}

/// One aligned step of two runs: a span of A, of B, or one of each.
public struct DiffStep: Hashable, Sendable {
    /// Span index in A, or -1 when the step was added in B.
    public var a: Int32
    /// Span index in B, or -1 when the step was removed.
    public var b: Int32
    /// Step index of the parent step, or -1 at the top.
    public var parent: Int32
    /// Depth in the aligned tree (top-level steps are 0).
    public var depth: Int32
    /// Same, changed, added or removed.
    public var status: DiffStatus
    /// What differs (empty unless `status` is `.changed`).
    public var changes: DiffChanges
    /// 1-based position among the steps of the same name under the same parent; 0 when the name
    /// appears once there. Makes paths unique: `agent/llm[2]`.
    public var occurrence: Int32

    /// The span in A, if any.
    public var spanA: Int? { a >= 0 ? Int(a) : nil }
    /// The span in B, if any.
    public var spanB: Int? { b >= 0 ? Int(b) : nil }
}

/// One side of a step: what the span did in its run.
public struct StepSide: Sendable {
    /// Span index in its trace.
    public var span: Int
    /// Span name.
    public var name: String
    /// Duration in nanoseconds.
    public var durationNanos: Int64
    /// Self time: duration not covered by children.
    public var selfNanos: Int64
    /// True when the span's status is error.
    public var isError: Bool
    /// The span's LLM call (without messages), if it is one.
    public var llm: LLMCall?
    /// The call's cost in USD; nil for unpriced calls and other spans.
    public var costUSD: Double?
    /// Total tokens of the call (0 for other spans).
    public var totalTokens: Int64 { llm?.totalTokens ?? 0 }
}

/// Two runs aligned step by step, for `spanscope diff` and the explorer's comparison.
///
/// **How steps are paired.** Jaeger UI's trace comparison (jaeger-ui `model/trace-dag/TraceDag.ts`,
/// `TraceDag.diff`, read 2026-12-02) merges every span with the same ancestry of (service,
/// operation) into one node and shows how many of each run's spans fell into it: it can say
/// "3 calls in A, 4 in B", not which one was the extra retry, and loses the order of steps. A full
/// tree edit distance (Zhang–Shasha, 1989) pairs individual nodes but costs O(n²) or more, too much
/// for 100k-span traces. This uses the middle road people use when reading two runs side by side:
/// a top-down alignment level by level. Under each pair of aligned parents the children are
/// grouped by span name; within a name, the k-th child of A pairs with the k-th child of B
/// (start order), so parallel siblings whose start order swapped still pair by name. When the
/// counts differ, a longest common subsequence (Myers' O(ND) diff, `SequenceDiff`) over a cheap
/// signature (error status, model) decides which ones are the extra or missing ones, so an
/// inserted failed attempt before a retried call shows as added and the call it retried lines
/// up; leftovers between matches pair in order, and what remains is added or removed, with its
/// whole subtree. The roots are paired even when renamed. Every step is O(children · log
/// children), so a whole diff is O(n log n) in spans; the LCS is bounded and falls back to pairing
/// in order.
public struct TraceDiff: Sendable {
    /// The first run.
    public let a: Trace
    /// The second run.
    public let b: Trace
    /// Statistics of A (costs, self times, totals).
    public let statisticsA: TraceStatistics
    /// Statistics of B.
    public let statisticsB: TraceStatistics
    /// The threshold that decided which timing differences count.
    public let threshold: DiffThreshold
    /// The aligned steps in depth-first order; every span of A and of B is in exactly one.
    public let steps: [DiffStep]

    /// Aligns `a` with `b`, pricing calls with `prices`.
    public init(a: Trace, b: Trace, prices: PriceTable, threshold: DiffThreshold = .standard) {
        self.init(a: a, statisticsA: TraceStatistics(trace: a, prices: prices),
                  b: b, statisticsB: TraceStatistics(trace: b, prices: prices), threshold: threshold)
    }

    /// Aligns `a` with `b` using statistics already computed for them.
    public init(a: Trace, statisticsA: TraceStatistics, b: Trace, statisticsB: TraceStatistics,
                threshold: DiffThreshold = .standard) {
        self.a = a
        self.b = b
        self.statisticsA = statisticsA
        self.statisticsB = statisticsB
        self.threshold = threshold
        var aligner = Aligner(a: a, b: b)
        var steps = aligner.align()
        for i in steps.indices {
            let s = steps[i]
            if s.a < 0 { steps[i].status = .added; continue }
            if s.b < 0 { steps[i].status = .removed; continue }
            let changes = TraceDiff.compare(Int(s.a), Int(s.b), a: a, b: b, statisticsA: statisticsA,
                                            statisticsB: statisticsB, threshold: threshold)
            steps[i].changes = changes
            steps[i].status = changes.isEmpty ? .same : .changed
        }
        self.steps = steps
    }

    /// Number of steps with each status.
    public var counts: [DiffStatus: Int] {
        var out: [DiffStatus: Int] = [.same: 0, .changed: 0, .added: 0, .removed: 0]
        for s in steps { out[s.status, default: 0] += 1 }
        return out
    }

    /// The step's name: B's span name when it has one, else A's.
    public func name(of step: Int) -> String {
        let s = steps[step]
        return s.b >= 0 ? b.spans[Int(s.b)].name : a.spans[Int(s.a)].name
    }

    /// The step's path from the top: names joined by `/`, with `[k]` where a name repeats among
    /// siblings (`agent/llm[2]/tool`). Unique within the diff.
    public func path(of step: Int) -> String {
        var segments: [String] = []
        var i = Int32(step)
        while i >= 0 {
            let s = steps[Int(i)]
            let n = name(of: Int(i))
            segments.append(s.occurrence > 0 ? "\(n)[\(s.occurrence)]" : n)
            i = s.parent
        }
        return segments.reversed().joined(separator: "/")
    }

    /// `path(of:)` of every step at once, in O(total path length): each extends its parent's.
    public func paths() -> [String] {
        var out: [String] = []
        out.reserveCapacity(steps.count)
        for (i, s) in steps.enumerated() {
            let n = name(of: i)
            let segment = s.occurrence > 0 ? "\(n)[\(s.occurrence)]" : n
            out.append(s.parent >= 0 ? out[Int(s.parent)] + "/" + segment : segment)
        }
        return out
    }

    /// A's side of the step, if it has one.
    public func sideA(_ step: Int) -> StepSide? {
        steps[step].spanA.map { TraceDiff.side($0, a, statisticsA) }
    }

    /// B's side of the step, if it has one.
    public func sideB(_ step: Int) -> StepSide? {
        steps[step].spanB.map { TraceDiff.side($0, b, statisticsB) }
    }

    /// Both LLM calls of a step with the differences spelled out; nil unless both sides are calls.
    public func llmComparison(of step: Int) -> LLMCallComparison? {
        guard let i = steps[step].spanA, let j = steps[step].spanB,
              let ca = a.llmCallDetails(at: i), let cb = b.llmCallDetails(at: j) else { return nil }
        return LLMCallComparison(a: ca, b: cb, costA: statisticsA.cost(ofSpan: i)?.usd, costB: statisticsB.cost(ofSpan: j)?.usd)
    }

    static func side(_ i: Int, _ trace: Trace, _ stats: TraceStatistics) -> StepSide {
        let span = trace.spans[i]
        return StepSide(span: i, name: span.name, durationNanos: span.durationNanos, selfNanos: stats.selfTimeNanos(of: i),
                        isError: span.status.isError, llm: trace.llmCall(at: i), costUSD: stats.cost(ofSpan: i)?.usd)
    }

    static func compare(_ i: Int, _ j: Int, a: Trace, b: Trace, statisticsA: TraceStatistics,
                        statisticsB: TraceStatistics, threshold: DiffThreshold) -> DiffChanges {
        var changes: DiffChanges = []
        let sa = a.spans[i], sb = b.spans[j]
        if sa.name != sb.name { changes.insert(.name) }
        if sa.status.isError != sb.status.isError { changes.insert(.status) }
        if threshold.exceeded(sa.durationNanos, sb.durationNanos) { changes.insert(.duration) }
        if threshold.exceeded(statisticsA.selfTimeNanos(of: i), statisticsB.selfTimeNanos(of: j)) { changes.insert(.selfTime) }
        switch (a.isLLM(i), b.isLLM(j)) {
        case (false, false): break
        case (true, true):
            // Messages are decoded on demand (the index leaves them out); only pairs of calls pay.
            if let ca = a.llmCallDetails(at: i), let cb = b.llmCallDetails(at: j) {
                changes.formUnion(LLMCallComparison.changes(ca, cb))
            }
            let costA = statisticsA.cost(ofSpan: i)?.usd, costB = statisticsB.cost(ofSpan: j)?.usd
            if !LLMCallComparison.sameCost(costA, costB) { changes.insert(.cost) }
        default:
            changes.insert(.model)
        }
        return changes
    }
}

/// Two LLM calls compared field by field, with line diffs of prompt and answer.
public struct LLMCallComparison: Sendable {
    /// The call in A (messages included).
    public let a: LLMCall
    /// The call in B (messages included).
    public let b: LLMCall
    /// A's cost in USD (nil: unpriced).
    public let costA: Double?
    /// B's cost in USD.
    public let costB: Double?
    /// What differs.
    public let changes: DiffChanges

    /// Compares two calls.
    public init(a: LLMCall, b: LLMCall, costA: Double?, costB: Double?) {
        self.a = a
        self.b = b
        self.costA = costA
        self.costB = costB
        var changes = LLMCallComparison.changes(a, b)
        if !LLMCallComparison.sameCost(costA, costB) { changes.insert(.cost) }
        self.changes = changes
    }

    /// The prompt as text, one `[role]` line before each message's lines.
    public static func promptText(_ call: LLMCall) -> String { text(call.inputMessages) }
    /// The answer as text, in the same form.
    public static func answerText(_ call: LLMCall) -> String { text(call.outputMessages) }

    /// Unified-diff lines of the prompts (empty when equal).
    public func promptDiff(context: Int = 2) -> [String] {
        changes.contains(.prompt) ? TextDiff.unified(Self.promptText(a), Self.promptText(b), context: context) : []
    }

    /// Unified-diff lines of the answers (empty when equal).
    public func answerDiff(context: Int = 2) -> [String] {
        changes.contains(.answer) ? TextDiff.unified(Self.answerText(a), Self.answerText(b), context: context) : []
    }

    /// Parameters as `name=value`, sorted by name, for display.
    public static func parameterText(_ call: LLMCall) -> [String] {
        call.parameters.map { "\($0.key)=\(display($0.value))" }.sorted()
    }

    static func display(_ v: AttributeValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .bytes(let b): return "\(b.count) bytes"
        case .array(let items): return "[" + items.map(display).joined(separator: ",") + "]"
        case .kvlist(let kv): return "{" + kv.map { "\($0.key)=\(display($0.value))" }.joined(separator: ",") + "}"
        case .empty: return "null"
        }
    }

    static func text(_ messages: [LLMMessage]) -> String {
        var lines: [String] = []
        for m in messages {
            lines.append("[\(m.role)\(m.name.map { " " + $0 } ?? "")]")
            lines.append(m.text)
        }
        return lines.joined(separator: "\n")
    }

    static func changes(_ a: LLMCall, _ b: LLMCall) -> DiffChanges {
        var c: DiffChanges = []
        if a.requestModel != b.requestModel || a.responseModel != b.responseModel { c.insert(.model) }
        if parameterText(a) != parameterText(b) { c.insert(.parameters) }
        if a.finishReasons != b.finishReasons || a.outputMessages.map(\.finishReason) != b.outputMessages.map(\.finishReason) {
            c.insert(.finishReason)
        }
        if a.inputMessages.map(messageKey) != b.inputMessages.map(messageKey) { c.insert(.prompt) }
        if a.outputMessages.map(messageKey) != b.outputMessages.map(messageKey) { c.insert(.answer) }
        if a.promptTokens != b.promptTokens || a.completionTokens != b.completionTokens || a.totalTokens != b.totalTokens {
            c.insert(.tokens)
        }
        return c
    }

    /// What a reader compares in a message: role, name and content (the finish reason is its own change).
    private static func messageKey(_ m: LLMMessage) -> LLMMessage {
        var m = m
        m.finishReason = nil
        return m
    }

    static func sameCost(_ x: Double?, _ y: Double?) -> Bool {
        switch (x, y) {
        case (nil, nil): return true
        case let (x?, y?): return abs(x - y) <= 1e-12 * max(1, abs(x), abs(y))
        default: return false
        }
    }
}

/// The level-by-level alignment behind `TraceDiff` (see its comment for the method).
struct Aligner {
    let a: Trace
    let b: Trace
    /// Every name in either trace numbered once, so grouping compares integers.
    private var namesA: [Int32]
    private var namesB: [Int32]
    /// Per-name counters for numbering repeated names, zero between levels.
    private var totals: [Int32]
    private var running: [Int32]

    init(a: Trace, b: Trace) {
        self.a = a
        self.b = b
        var numbers: [String: Int32] = [:]
        func number(_ name: String) -> Int32 {
            if let n = numbers[name] { return n }
            let n = Int32(numbers.count)
            numbers[name] = n
            return n
        }
        namesA = a.spans.map { number($0.name) }
        namesB = b.spans.map { number($0.name) }
        totals = [Int32](repeating: 0, count: numbers.count)
        running = totals
    }

    /// The steps in depth-first order, with `a`, `b`, `parent`, `depth` and `occurrence` set.
    mutating func align() -> [DiffStep] {
        var steps: [DiffStep] = []
        steps.reserveCapacity(max(a.count, b.count) + 16)
        // Pending steps, popped in depth-first order: (a, b, parent step, depth, occurrence).
        var stack: [(Int32, Int32, Int32, Int32, Int32)] = []
        var top: [(Int32, Int32, Int32)]
        if let ra = a.rootIndex, let rb = b.rootIndex, a.spans[ra].name != b.spans[rb].name {
            // A renamed root is still the same run's root: pair it, align the other roots by name.
            let otherA = a.roots.filter { Int($0) != ra }, otherB = b.roots.filter { Int($0) != rb }
            top = ([(Int32(ra), Int32(rb), 0)] + level(otherA[...], otherB[...]))
                .withOccurrences(names: { [namesA, namesB] e in e.1 >= 0 ? namesB[Int(e.1)] : namesA[Int(e.0)] },
                                 totals: &totals, running: &running)
        } else {
            top = level(a.roots[...], b.roots[...])
        }
        for entry in top.reversed() { stack.append((entry.0, entry.1, -1, 0, entry.2)) }
        while let (sa, sb, parent, depth, occurrence) = stack.popLast() {
            let index = Int32(steps.count)
            steps.append(DiffStep(a: sa, b: sb, parent: parent, depth: depth, status: .same, changes: [],
                                  occurrence: occurrence))
            let childrenA = sa >= 0 ? a.children(of: Int(sa)) : [], childrenB = sb >= 0 ? b.children(of: Int(sb)) : []
            if childrenA.isEmpty && childrenB.isEmpty { continue }
            let entries = level(childrenA, childrenB)
            for entry in entries.reversed() { stack.append((entry.0, entry.1, index, depth + 1, entry.2)) }
        }
        return steps
    }

    /// Aligns one level: children (or roots) of A with those of B, each in start order.
    /// Returns (a or -1, b or -1, occurrence) in display order: B's order, with each removed
    /// span placed after the step of the A sibling before it.
    mutating func level(_ xs: ArraySlice<Int32>, _ ys: ArraySlice<Int32>) -> [(Int32, Int32, Int32)] {
        let n = xs.count, m = ys.count
        let x = Array(xs), y = Array(ys)
        if n == 0 { return y.map { (-1, $0, 0) }.withOccurrences(names: { namesB[Int($0.1)] }, totals: &totals, running: &running) }
        if m == 0 { return x.map { ($0, -1, 0) }.withOccurrences(names: { namesA[Int($0.0)] }, totals: &totals, running: &running) }
        // Positions grouped by name (stable: start order within a name).
        let byNameA = (0..<n).sorted { namesA[Int(x[$0])] != namesA[Int(x[$1])] ? namesA[Int(x[$0])] < namesA[Int(x[$1])] : $0 < $1 }
        let byNameB = (0..<m).sorted { namesB[Int(y[$0])] != namesB[Int(y[$1])] ? namesB[Int(y[$0])] < namesB[Int(y[$1])] : $0 < $1 }
        var partnerOfA = [Int32](repeating: -1, count: n)
        var partnerOfB = [Int32](repeating: -1, count: m)
        var i = 0, j = 0
        while i < n && j < m {
            let na = namesA[Int(x[byNameA[i]])], nb = namesB[Int(y[byNameB[j]])]
            if na < nb { i += 1; continue }
            if nb < na { j += 1; continue }
            var ei = i, ej = j
            while ei < n && namesA[Int(x[byNameA[ei]])] == na { ei += 1 }
            while ej < m && namesB[Int(y[byNameB[ej]])] == nb { ej += 1 }
            pairGroup(byNameA[i..<ei], byNameB[j..<ej], x, y, &partnerOfA, &partnerOfB)
            i = ei; j = ej
        }

        // Display order: B's order; a removed A span goes right after the step of the nearest
        // earlier A sibling that has a partner (or first, when there is none).
        var removedAfter = [[Int32]](repeating: [], count: m + 1)   // slot 0: before everything
        var anchor = 0
        for p in 0..<n {
            if partnerOfA[p] >= 0 { anchor = Int(partnerOfA[p]) + 1 } else { removedAfter[anchor].append(x[p]) }
        }
        var out: [(Int32, Int32, Int32)] = []
        out.reserveCapacity(n + m)
        for r in removedAfter[0] { out.append((r, -1, 0)) }
        for q in 0..<m {
            out.append((partnerOfB[q] >= 0 ? x[Int(partnerOfB[q])] : -1, y[q], 0))
            for r in removedAfter[q + 1] { out.append((r, -1, 0)) }
        }
        return out.withOccurrences(names: { $0.1 >= 0 ? namesB[Int($0.1)] : namesA[Int($0.0)] }, totals: &totals, running: &running)
    }

    /// Pairs the children of one name: in order when the counts agree, else by a bounded LCS of
    /// signatures, leftovers between matches in order.
    private func pairGroup(_ ga: ArraySlice<Int>, _ gb: ArraySlice<Int>, _ x: [Int32], _ y: [Int32],
                           _ partnerOfA: inout [Int32], _ partnerOfB: inout [Int32]) {
        let pa = Array(ga), pb = Array(gb)
        func link(_ i: Int, _ j: Int) {
            partnerOfA[pa[i]] = Int32(pb[j])
            partnerOfB[pb[j]] = Int32(pa[i])
        }
        if pa.count == pb.count {
            for k in 0..<pa.count { link(k, k) }
            return
        }
        let sigA = pa.map { signature(a, Int(x[$0])) }, sigB = pb.map { signature(b, Int(y[$0])) }
        let anchors = SequenceDiff.matches(countA: pa.count, countB: pb.count, maxEdits: 500) { sigA[$0] == sigB[$1] } ?? []
        var i = 0, j = 0
        for (ma, mb) in anchors + [(pa.count, pb.count)] {
            // Leftovers between two matches pair in order; the surplus stays unpaired.
            while i < ma && j < mb { link(i, j); i += 1; j += 1 }
            if ma < pa.count { link(ma, mb) }
            i = ma + 1; j = mb + 1
        }
    }

    private func signature(_ t: Trace, _ i: Int) -> Int {
        var h = Hasher()
        h.combine(t.spans[i].status.isError)
        if let call = t.llmCall(at: i) {
            h.combine(call.requestModel)
            h.combine(call.responseModel)
        }
        return h.finalize()
    }
}

extension Array where Element == (Int32, Int32, Int32) {
    /// Numbers same-name entries 1, 2, … in order; a name that appears once gets 0. `totals` and
    /// `running` are per-name scratch counters, all zero on entry and on return.
    func withOccurrences(names: (Element) -> Int32, totals: inout [Int32], running: inout [Int32]) -> [Element] {
        var out = self
        for e in self { totals[Int(names(e))] += 1 }
        for k in out.indices {
            let name = Int(names(out[k]))
            if totals[name] > 1 {
                running[name] += 1
                out[k].2 = running[name]
            } else {
                out[k].2 = 0
            }
        }
        for e in self {
            totals[Int(names(e))] = 0
            running[Int(names(e))] = 0
        }
        return out
    }
}

/// A problem with an analysis input (a threshold, limit or trace reference), in one line.
public struct TraceAnalysisError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, naming the input.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// Reads durations written for people: `250ms`, `1.5s`, `2m`, `90us`, `500ns`.
public enum DurationText {
    /// Nanoseconds of `text`; a bare number is milliseconds.
    public static func parse(_ text: String, what: String) throws(TraceAnalysisError) -> Int64 {
        let t = text.trimmedSpaces().lowercased()
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var number = t, scale = 1e6
        // Longest suffix first: "ms" before "s", "ns" before "s".
        for (suffix, s) in units.sorted(by: { $0.0.count > $1.0.count }) where t.hasSuffix(suffix) {
            number = String(t.dropLast(suffix.count))
            scale = s
            break
        }
        guard let v = Double(number.trimmedSpaces()), v.isFinite, v >= 0, v * scale < 9e18 else {
            throw TraceAnalysisError("\(what): '\(text)' is not a duration, like 250ms, 1.5s or 2m")
        }
        return Int64((v * scale).rounded())
    }
}

extension String {
    func trimmedSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
