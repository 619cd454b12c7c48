import Synthetic
import Testing
import TraceModel
@testable import TraceAnalysis

/// A run drawn like `Timeline`, but names may repeat and one column is one millisecond.
///
/// A label is the span name, optionally `!` for an error status, optionally `#tag` to pick an
/// LLM call from `calls` (the tag is not part of the name): `llm#retry!`.
struct Run {
    static let epoch: Int64 = 1_750_000_000_000_000_000
    let trace: Trace

    init(_ art: String, calls: [String: LLMCall] = [:], id: String = "run") {
        var spans: [Span] = []
        var perSpan: [LLMCall?] = []
        var stack: [(depth: Int, id: Int)] = []
        for line in art.split(separator: "\n") where line.contains(":") {
            let depth = line.prefix { $0 == " " }.count / 2
            let colon = line.firstIndex(of: ":")!
            var label = line[..<colon].trimmingCharacters()
            let error = label.hasSuffix("!")
            if error { label.removeLast() }
            var tag: String? = nil
            if let hash = label.firstIndex(of: "#") {
                tag = String(label[label.index(after: hash)...])
                label = String(label[..<hash])
            }
            let bar = Array(line[line.index(after: colon)...])
            let start = bar.firstIndex(of: "=")!
            let end = bar.lastIndex(of: "=")! + 1
            while let top = stack.last, top.depth >= depth { stack.removeLast() }
            let parent = stack.last?.id
            let n = spans.count
            stack.append((depth, n))
            spans.append(Span(
                traceID: TraceID(id), spanID: SpanID("s\(n)"), parentID: parent.map { SpanID("s\($0)") }, name: label,
                startNanos: Run.epoch + Int64(start) * 1_000_000, endNanos: Run.epoch + Int64(end) * 1_000_000,
                status: error ? SpanStatus(.error, message: "failed") : .ok))
            perSpan.append(tag.map { calls[$0]! })
        }
        trace = Trace(id: TraceID(id), spans: spans, llmCalls: perSpan)
    }
}

/// The alignment drawn one step a line: two spaces per depth, then `=` same, `~` changed (with
/// what changed), `+` added, `-` removed, then the step's path.
func draw(_ diff: TraceDiff) -> String {
    diff.steps.indices.map { i in
        let s = diff.steps[i]
        let mark: String
        switch s.status {
        case .same: mark = "="
        case .changed: mark = "~"
        case .added: mark = "+"
        case .removed: mark = "-"
        }
        let what = s.status == .changed ? " (" + s.changes.names.joined(separator: ",") + ")" : ""
        return String(repeating: "  ", count: Int(s.depth)) + mark + " " + diff.path(of: i) + what
    }.joined(separator: "\n")
}

func chat(_ model: String, _ prompt: String, _ answer: String, tokens: (Int64, Int64) = (100, 20),
          temperature: Double = 0.2, finish: String = "stop") -> LLMCall {
    LLMCall(requestModel: model, responseModel: model, promptTokens: tokens.0, completionTokens: tokens.1,
            inputMessages: [LLMMessage(role: "user", text: prompt)],
            outputMessages: [LLMMessage(role: "assistant", text: answer, finishReason: finish)],
            parameters: [Attribute("temperature", .double(temperature))], finishReasons: [finish])
}

@Suite struct TraceDiffTests {
    func diff(_ a: Run, _ b: Run, threshold: DiffThreshold = .standard) -> TraceDiff {
        TraceDiff(a: a.trace, b: b.trace, prices: .standard, threshold: threshold)
    }

    /// Every span of A and of B is in exactly one step, and a step's parent is the step of its parent.
    func checkCoverage(_ d: TraceDiff) {
        var seenA = [Int](repeating: 0, count: d.a.count), seenB = [Int](repeating: 0, count: d.b.count)
        for (k, s) in d.steps.enumerated() {
            if let i = s.spanA { seenA[i] += 1 }
            if let j = s.spanB { seenB[j] += 1 }
            #expect(s.spanA != nil || s.spanB != nil)
            if s.parent >= 0 {
                let p = d.steps[Int(s.parent)]
                #expect(Int(s.parent) < k)
                #expect(s.depth == p.depth + 1)
                if let i = s.spanA { #expect(d.a.parent(of: i) == p.spanA) }
                if let j = s.spanB { #expect(d.b.parent(of: j) == p.spanB) }
            }
        }
        #expect(seenA.allSatisfy { $0 == 1 })
        #expect(seenB.allSatisfy { $0 == 1 })
    }

    @Test func insertedRetryShowsAsAdded() {
        let a = Run("""
        agent  :==========
          llm  :==
          tool :  ====
          llm  :      ====
        """)
        // B's second LLM round failed and was retried: the failed attempt is the new step.
        let b = Run("""
        agent  :==============
          llm  :==
          tool :  ====
          llm! :      ====
          llm  :          ====
        """)
        let d = diff(a, b)
        #expect(draw(d) == """
        ~ agent (duration)
          = agent/llm[1]
          = agent/tool
          + agent/llm[2]
          = agent/llm[3]
        """)
        checkCoverage(d)
    }

    @Test func removedToolShowsAsRemovedInPlace() {
        let a = Run("""
        agent        :============
          plan       :==
          tool.search:  ====
            http     :  ===
          tool.fetch :      ====
          answer     :          ==
        """)
        let b = Run("""
        agent        :========
          plan       :==
          tool.search:  ====
            http     :  ===
          answer     :      ==
        """)
        let d = diff(a, b)
        #expect(draw(d) == """
        ~ agent (duration)
          = agent/plan
          = agent/tool.search
            = agent/tool.search/http
          - agent/tool.fetch
          = agent/answer
        """)
        checkCoverage(d)
    }

    @Test func removedSubtreeIsRemovedWholeAndAddedSubtreeAddedWhole() {
        let a = Run("""
        agent      :========
          research :=====
            search :==
            read   :  ===
        """)
        let b = Run("""
        agent      :========
          answer   :====
            llm    :==
        """)
        let d = diff(a, b)
        #expect(draw(d) == """
        = agent
          - agent/research
            - agent/research/search
            - agent/research/read
          + agent/answer
            + agent/answer/llm
        """)
        checkCoverage(d)
    }

    @Test func reorderedParallelSiblingsStillPairByName() {
        let a = Run("""
        agent   :========
          search: =====
          fetch :  =====
        """)
        let b = Run("""
        agent   :========
          fetch : =====
          search:  =====
        """)
        let d = diff(a, b)
        // B's order is shown; nothing is added or removed.
        #expect(draw(d) == """
        = agent
          = agent/fetch
          = agent/search
        """)
        checkCoverage(d)
    }

    @Test func renamedRootIsPairedAndItsChildrenAlign() {
        let a = Run("""
        agent_v1 :======
          llm    :===
        """)
        let b = Run("""
        agent_v2 :======
          llm    :===
        """)
        let d = diff(a, b)
        #expect(draw(d) == """
        ~ agent_v2 (name)
          = agent_v2/llm
        """)
        checkCoverage(d)
    }

    @Test func emptySideMakesEverythingAddedOrRemoved() {
        let empty = Trace(id: TraceID("empty"), spans: [])
        let run = Run("""
        agent :====
          llm :==
        """)
        let added = TraceDiff(a: empty, b: run.trace, prices: .standard)
        #expect(draw(added) == "+ agent\n  + agent/llm")
        checkCoverage(added)
        let removed = TraceDiff(a: run.trace, b: empty, prices: .standard)
        #expect(draw(removed) == "- agent\n  - agent/llm")
        checkCoverage(removed)
        #expect(TraceDiff(a: empty, b: empty, prices: .standard).steps.isEmpty)
    }

    @Test func traceAgainstItselfIsAllSame() {
        let run = Run("""
        agent      :==========
          llm#plan :==
          tool     :  ====
          tool     :  ===
          llm#final:      ====
        """, calls: ["plan": chat("gpt-4o", "plan it", "search twice"), "final": chat("gpt-4o", "answer", "done")])
        let d = diff(run, run)
        #expect(draw(d) == """
        = agent
          = agent/llm[1]
          = agent/tool[1]
          = agent/tool[2]
          = agent/llm[2]
        """)
        #expect(d.counts == [.same: 5, .changed: 0, .added: 0, .removed: 0])
    }

    @Test func timingChangesCountOnlyPastBothBounds() {
        // 10 ms → 10.5 ms would pass 1 ms? No: 0.5 ms < 1 ms. 10 → 12 ms passes both (2 ms, 20%).
        let a = Run("agent :==========")
        let b = Run("agent :============")
        #expect(draw(diff(a, b)) == "~ agent (duration,self_time)")
        #expect(draw(diff(a, b, threshold: DiffThreshold(relative: 0.25, absoluteNanos: 1_000_000))) == "= agent")
        #expect(draw(diff(a, b, threshold: DiffThreshold(relative: 0.10, absoluteNanos: 3_000_000))) == "= agent")
    }

    @Test func llmCallContentChanges() throws {
        let calls = [
            "a": chat("gpt-4o", "Find flights to Lisbon\nin May", "TAP 1234", tokens: (100, 20)),
            "b": chat("gpt-4o-mini", "Find flights to Lisbon\nin June", "TAP 1234", tokens: (100, 20), temperature: 0.7),
        ]
        let d = diff(Run("llm#a :==", calls: calls), Run("llm#b :==", calls: calls))
        #expect(draw(d) == "~ llm (model,parameters,prompt,cost)")
        let cmp = try #require(d.llmComparison(of: 0))
        #expect(cmp.promptDiff() == ["@@ -1,3 +1,3 @@", " [user]", " Find flights to Lisbon", "-in May", "+in June"])
        #expect(cmp.answerDiff().isEmpty)
        #expect(LLMCallComparison.parameterText(cmp.b) == ["temperature=0.7"])
        // gpt-4o: 100 × 2.5/M + 20 × 10/M = 0.00045; gpt-4o-mini: 100 × 0.15/M + 20 × 0.6/M = 0.000027.
        #expect(abs(cmp.costA! - 0.00045) < 1e-12)
        #expect(abs(cmp.costB! - 0.000027) < 1e-12)
    }

    @Test func answerFinishReasonAndTokensChanges() {
        let calls = [
            "a": chat("gpt-4o", "q", "short", tokens: (100, 20), finish: "stop"),
            "b": chat("gpt-4o", "q", "a much longer answer", tokens: (100, 4096), finish: "length"),
        ]
        let d = diff(Run("llm#a :==", calls: calls), Run("llm#b :==", calls: calls))
        #expect(draw(d) == "~ llm (finish_reason,answer,tokens,cost)")
    }

    @Test func errorStatusIsAChange() {
        let d = diff(Run("agent :====\n  tool :=="), Run("agent :====\n  tool! :=="))
        #expect(draw(d) == "= agent\n  ~ agent/tool (status)")
    }

    @Test func extraLeadingFailedAttemptIsTheAddedOne() {
        // B: the call failed once and was retried; the retried call pairs with A's call.
        let a = Run("""
        agent :======
          llm :  ==
        """)
        let b = Run("""
        agent :======
          llm!:==
          llm :  ==
        """)
        // The agent waited 2 ms less on itself (its child time grew from 2 to 4 ms).
        #expect(draw(diff(a, b)) == """
        ~ agent (self_time)
          + agent/llm[1]
          = agent/llm[2]
        """)
    }

    @Test func everySpanInExactlyOneStepOnRandomTrees() {
        var rng = SplitMix64(seed: 7)
        for round in 0..<30 {
            let a = randomTrace(&rng, spans: 1 + Int(rng.next() % 60), id: "a\(round)")
            let b = randomTrace(&rng, spans: Int(rng.next() % 60), id: "b\(round)")
            let d = TraceDiff(a: a, b: b, prices: .standard)
            checkCoverage(d)
            // A trace against itself: every step pairs a span with itself.
            let same = TraceDiff(a: a, b: a, prices: .standard)
            #expect(same.steps.allSatisfy { $0.a == $0.b && $0.status == .same })
            let paths = d.steps.indices.map(d.path(of:))
            #expect(d.paths() == paths)
            #expect(Set(paths).count == paths.count)
        }
    }

    @Test func thresholdParsing() throws {
        #expect(try DiffThreshold(parsing: "10%,1ms") == .standard)
        #expect(try DiffThreshold(parsing: "5%") == DiffThreshold(relative: 0.05, absoluteNanos: 1_000_000))
        #expect(try DiffThreshold(parsing: "2s, 50%") == DiffThreshold(relative: 0.5, absoluteNanos: 2_000_000_000))
        #expect(try DiffThreshold(parsing: "250us") == DiffThreshold(relative: 0.1, absoluteNanos: 250_000))
        #expect(throws: TraceAnalysisError.self) { try DiffThreshold(parsing: "fast") }
        #expect(throws: TraceAnalysisError.self) { try DiffThreshold(parsing: "10%,1ms,3") }
        #expect(throws: TraceAnalysisError.self) { try DiffThreshold(parsing: "") }
    }
}

/// A random tree of `spans` spans with names from a small set (so they repeat) and a few orphans.
func randomTrace(_ rng: inout SplitMix64, spans: Int, id: String) -> Trace {
    let names = ["llm", "tool", "search", "retry", "answer"]
    var out: [Span] = []
    for i in 0..<spans {
        var parent: SpanID? = nil
        if i > 0 {
            let r = rng.next() % 20
            parent = r == 0 ? SpanID("gone") : SpanID("s\(Int(rng.next() % UInt64(i)))")
        }
        let start = Int64(rng.next() % 100)
        out.append(Span(traceID: TraceID(id), spanID: SpanID("s\(i)"), parentID: parent,
                        name: names[Int(rng.next() % UInt64(names.count))],
                        startNanos: Run.epoch + start * 1_000_000, endNanos: Run.epoch + (start + Int64(rng.next() % 50)) * 1_000_000,
                        status: rng.next() % 7 == 0 ? SpanStatus(.error) : .ok))
    }
    return Trace(id: TraceID(id), spans: out)
}

@Suite struct SequenceDiffTests {
    /// LCS length by the textbook O(nm) table, independent of Myers.
    func lcsLength(_ x: [Int], _ y: [Int]) -> Int {
        var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0..<x.count {
            for j in 0..<y.count {
                table[i + 1][j + 1] = x[i] == y[j] ? table[i][j] + 1 : max(table[i][j + 1], table[i + 1][j])
            }
        }
        return table[x.count][y.count]
    }

    @Test func matchesAreALongestCommonSubsequence() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<300 {
            let x = (0..<Int(rng.next() % 30)).map { _ in Int(rng.next() % 4) }
            let y = (0..<Int(rng.next() % 30)).map { _ in Int(rng.next() % 4) }
            let pairs = try #require(SequenceDiff.matches(countA: x.count, countB: y.count) { x[$0] == y[$1] })
            #expect(pairs.count == lcsLength(x, y))
            for (k, p) in pairs.enumerated() {
                #expect(x[p.a] == y[p.b])
                if k > 0 { #expect(p.a > pairs[k - 1].a && p.b > pairs[k - 1].b) }
            }
        }
    }

    @Test func givesUpPastTheBound() {
        let x = Array(0..<100), y = Array(100..<200)
        #expect(SequenceDiff.matches(countA: 100, countB: 100, maxEdits: 50) { x[$0] == y[$1] } == nil)
        #expect(SequenceDiff.matches(countA: 100, countB: 100, maxEdits: 200) { x[$0] == y[$1] }?.isEmpty == true)
    }

    @Test func unifiedDiffMatchesGNUDiff() {
        // Expected output from `diff -U2 a b` (GNU diffutils 3.8) on the same two texts.
        let a = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine"
        let b = "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten"
        #expect(TextDiff.unified(a, b, context: 2) == [
            "@@ -1,4 +1,4 @@", " one", "-two", "+TWO", " three", " four",
            "@@ -8,2 +8,3 @@", " eight", " nine", "+ten",
        ])
        #expect(TextDiff.unified(a, a).isEmpty)
        #expect(TextDiff.unified("", "x") == ["@@ -0,0 +1 @@", "+x"])
    }
}
