import Testing
import TraceModel
@testable import TraceAnalysis

/// Two runs whose stats were worked out by hand (times in ms):
///
/// ```
/// x  run    :====================  0–200 (api)   self 200 − (10 + 130) = 60
///    step   :=                     0–10
///    step   :  ==========          20–120 error
///    chat   :            ===       120–150 (llm) gpt-4o 1000/100 tokens, $0.02
/// y  run    :==========            0–100 (api)   self 100 − 99 = 1
///    step   :==                    0–20
///    step   :  ===                 20–50
///    step   :     ====             50–90
///    chat   :         =            90–95 (llm) gpt-4o 500/50 tokens, $0.01
///    lookup :         =            95–99 tool "search"
/// ```
///
/// Percentiles below are numpy's (`numpy.percentile`, default linear method, numpy 2.4.6), run
/// once on these lists and pasted: [10,20,30,40,100] → 30, 88, 97.6; [100,200] → 150, 195, 199;
/// [60,1] → 30.5, 57.05, 59.41; [5,30] → 17.5, 28.75, 29.75; 1…100 → 50.5, 95.05, 99.01.
enum TwoRuns {
    static let traces: [Trace] = {
        var x = RunBuilder("x")
        x.add("run", ms: 0, 200)
        x.add("step", parent: "run", ms: 0, 10)
        // Span ids must differ within a trace: the builder names them by span name, so vary it.
        x.add("step", parent: "run", ms: 20, 120, error: "boom")
        x.add("chat", parent: "run", ms: 120, 150, service: "llm",
              call: LLMCall(requestModel: "gpt-4o", promptTokens: 1000, completionTokens: 100, recordedCostUSD: 0.02))
        var y = RunBuilder("y")
        y.add("run", ms: 0, 100)
        y.add("step", parent: "run", ms: 0, 20)
        y.add("step", parent: "run", ms: 20, 50)
        y.add("step", parent: "run", ms: 50, 90)
        y.add("chat", parent: "run", ms: 90, 95, service: "llm",
              call: LLMCall(requestModel: "gpt-4o", promptTokens: 500, completionTokens: 50, recordedCostUSD: 0.01))
        y.add("lookup", parent: "run", ms: 95, 99, attributes: [Attribute("gen_ai.tool.name", "search")])
        return [x.trace, y.trace].map(uniqueIDs)
    }()

    /// The same trace with span ids made unique (span i gets id "i"), parents following by position.
    static func uniqueIDs(_ t: Trace) -> Trace {
        var spans = t.spans
        for i in spans.indices {
            spans[i].spanID = SpanID(.text(String(i)))
            spans[i].parentID = t.parent(of: i).map { SpanID(.text(String($0))) }
        }
        var calls: [LLMCall?] = []
        for i in spans.indices { calls.append(t.llmCall(at: i)) }
        return Trace(id: t.id, spans: spans, llmCalls: calls)
    }
}

struct TraceStatsTests {
    let ms = 1_000_000.0

    @Test("percentiles interpolate between closest ranks as numpy's default does")
    func numpyPercentiles() {
        let hundred = (1...100).map(Int64.init)
        // numpy's doubles, printed with repr() (numpy 2.4.6): equal to the last bit.
        #expect(TraceStats.percentile(hundred, 0.50) == 50.5)
        #expect(TraceStats.percentile(hundred, 0.95) == 95.05)
        #expect(TraceStats.percentile(hundred, 0.99) == 99.01)
        #expect(TraceStats.percentile([7], 0.99) == 7)
        #expect(TraceStats.percentile([10, 20, 30, 40, 100], 0.95) == 87.99999999999999)
        #expect(TraceStats.percentile([10, 20, 30, 40, 100], 0.99) == 97.6)
    }

    @Test("by name: counts, traces, errors, duration and self-time percentiles, tokens, cost")
    func byName() throws {
        let table = TraceStats.groups(TwoRuns.traces, by: .name)
        #expect(table.traces == 2)
        // Ordered by total time: run 300 ms, step 220 ms, chat 35 ms, lookup 4 ms.
        #expect(table.groups.map(\.key) == ["run", "step", "chat", "lookup"])
        let run = table.groups[0], step = table.groups[1], chat = table.groups[2]
        #expect(run.count == 2 && run.traces == 2 && run.errors == 0)
        #expect(run.duration == Percentiles(p50: 150 * ms, p95: 195 * ms, p99: 199 * ms, max: 200 * ms))
        let runSelf = try #require(run.selfTime)
        #expect(runSelf.p50 == 30.5 * ms)
        #expect(abs(runSelf.p95 - 57.05 * ms) < 1)
        #expect(abs(runSelf.p99 - 59.41 * ms) < 1)
        #expect(runSelf.max == 60 * ms)
        #expect(step.count == 5 && step.traces == 2 && step.errors == 1)
        #expect(step.duration.p50 == 30 * ms && step.duration.max == 100 * ms)
        #expect(abs(step.duration.p95 - 88 * ms) < 1)
        #expect(abs(step.duration.p99 - 97.6 * ms) < 1)
        #expect(step.selfTime?.p50 == 30 * ms)            // no children: self time is the duration
        #expect(step.llmCalls == 0 && step.costUSD == 0)
        #expect(chat.count == 2 && chat.llmCalls == 2)
        #expect(chat.duration.p50 == 17.5 * ms)
        #expect(chat.promptTokens == 1500 && chat.completionTokens == 150 && chat.totalTokens == 1650)
        #expect(abs(chat.costUSD - 0.03) < 1e-12)
    }

    @Test("by model, tool and service")
    func otherGroupings() {
        let models = TraceStats.groups(TwoRuns.traces, by: .model)
        #expect(models.groups.map(\.key) == ["gpt-4o"])
        #expect(models.groups[0].count == 2 && models.groups[0].traces == 2)
        let tools = TraceStats.groups(TwoRuns.traces, by: .tool)
        #expect(tools.groups.map(\.key) == ["search"])
        #expect(tools.groups[0].traces == 1 && tools.groups[0].duration.max == 4 * ms)
        let services = TraceStats.groups(TwoRuns.traces, by: .service)
        #expect(services.groups.map { "\($0.key) \($0.count)" } == ["api 8", "llm 2"])
    }

    @Test("--where restricts the traces the groups are drawn from")
    func filtered() throws {
        let table = TraceStats.groups(TwoRuns.traces, by: .name, where: try TraceQuery("error"))
        #expect(table.traces == 1)
        let step = try #require(table.groups.first { $0.key == "step" })
        #expect(step.count == 2 && step.traces == 1)
        #expect(step.duration.p50 == 55 * ms)               // between 10 and 100
        #expect(TraceStats.groups(TwoRuns.traces, by: .name, where: try TraceQuery("spans>10")).groups.isEmpty)
    }

    @Test("by session: one entry per trace, no self time; traces without a session left out")
    func bySession() throws {
        let table = TraceStats.groups(ThreeRuns.traces, by: .session)
        #expect(table.groups.map(\.key) == ["s1", "s2"])
        #expect(table.groups[0].count == 1 && table.groups[0].errors == 1 && table.groups[0].selfTime == nil)
        #expect(table.groups[0].duration.max == 2000 * ms)
        #expect(abs(table.groups[0].costUSD - 0.05) < 1e-12)
    }

    @Test("members of a group, slowest first, across traces")
    func members() {
        let steps = TraceStats.members(TwoRuns.traces, by: .name, key: "step")
        #expect(steps.map { "\(TwoRuns.traces[$0.trace].id) \(Int($0.durationNanos / 1_000_000))" }
                == ["x 100", "y 40", "y 30", "y 20", "x 10"])
        let session = TraceStats.members(ThreeRuns.traces, by: .session, key: "s2")
        #expect(session.map(\.trace) == [1])
        #expect(TraceStats.members(TwoRuns.traces, by: .name, key: "nothing").isEmpty)
    }
}
