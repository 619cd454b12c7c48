import ArgumentParser
import Explorer
import TraceAnalysis
import TraceModel

/// `spanscope bench-frame` (hidden): times one explorer frame (update + render + diff, no
/// terminal) per keystroke on a synthetic, fully expanded trace, and prints percentiles.
struct BenchFrameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-frame",
        abstract: "Time explorer frames on a synthetic trace (update + render + diff, no terminal).",
        shouldDisplay: false
    )

    @Option(help: "Spans in the synthetic trace.") var spans = 10_000
    @Option(help: "Keystrokes to time.") var keys = 3_000
    @Option(help: "Terminal width.") var width = 120
    @Option(help: "Terminal height.") var height = 40

    func run() throws {
        let trace = SyntheticTrace.make(spans: spans)
        let document = TraceDocument(source: "synthetic", format: "synthetic", traces: [trace])
        let size = Size(width: width, height: height)
        var state = ExplorerState(document: document, size: size)
        _ = state.apply(.expandAll)
        // A user's mix: mostly moving, some paging, toggling, jumping, zooming and searching.
        let script: [Action] = [.down, .down, .down, .pageDown, .down, .toggle, .toggle, .up, .nextCritical,
                                .down, .expandOrChild, .collapseOrParent, .zoomIn, .panRight, .zoomOut, .nextError,
                                .pageUp, .down, .costliest, .bottom, .up, .top, .nextMatch, .halfPageDown]
        var previous = render(state, size: size)
        _ = state.apply(.startSearch)
        for ch in "tool" { _ = state.apply(.type(String(ch))) }
        _ = state.apply(.submit)
        var times: [Double] = []
        times.reserveCapacity(keys)
        let clock = ContinuousClock()
        var changed = 0
        for i in 0..<keys {
            let action = script[i % script.count]
            let t0 = clock.now
            _ = state.apply(action)
            let screen = render(state, size: size)
            changed += screen.changes(since: previous).count
            previous = screen
            let d = clock.now - t0
            times.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
        }
        times.sort()
        func pct(_ p: Double) -> String {
            Format.fixed(times[min(times.count - 1, Int(Double(times.count) * p))], digits: 3) + " ms"
        }
        print("spans \(trace.count), visible rows \(state.session?.rows.count ?? 0), \(width)x\(height), \(keys) keys")
        print("frame (update + render + diff): p50 \(pct(0.5)), p99 \(pct(0.99)), max \(pct(1.0 - 1e-9))")
        print("changed runs drawn: \(changed)")
    }
}

/// A deterministic agent-shaped trace of about `spans` spans: a root with steps, each step an
/// LLM call plus tool calls, some tools nested, some failing.
enum SyntheticTrace {
    static func make(spans target: Int) -> Trace {
        var rng = SplitMix64(seed: 42)
        let tid = TraceID("5e1f0000000000000000000000000001")
        var spans: [Span] = []
        var calls: [Int: LLMCall] = [:]
        let t0: Int64 = 1_714_564_800_000_000_000
        func id(_ n: Int) -> SpanID { SpanID(.bits64(UInt64(n + 1))) }
        spans.append(Span(traceID: tid, spanID: id(0), name: "agent.run", service: "agent",
                          startNanos: t0, endNanos: t0, status: .ok))
        var clock = t0
        var step = 0
        while spans.count < target {
            let stepIndex = spans.count
            let stepStart = clock
            spans.append(Span(traceID: tid, spanID: id(stepIndex), parentID: id(0), name: "step \(step)",
                              service: "agent", startNanos: stepStart, endNanos: stepStart))
            let llmIndex = spans.count
            let llmDur = Int64(200_000_000 + Int64(rng.next() % 1_500_000_000))
            spans.append(Span(traceID: tid, spanID: id(llmIndex), parentID: id(stepIndex), name: "chat gpt-4o",
                              service: "agent", kind: .client, startNanos: stepStart, endNanos: stepStart + llmDur))
            let prompt = Int64(500 + rng.next() % 4000), completion = Int64(50 + rng.next() % 800)
            calls[llmIndex] = LLMCall(operation: "chat", provider: "openai", requestModel: "gpt-4o",
                                      responseModel: "gpt-4o-2024-08-06", promptTokens: prompt,
                                      completionTokens: completion, conventions: .genAI)
            var end = stepStart + llmDur
            let tools = Int(1 + rng.next() % 4)
            for t in 0..<tools where spans.count < target {
                let toolIndex = spans.count
                let ts = stepStart + llmDur + Int64(t) * 1_000_000
                let dur = Int64(50_000_000 + Int64(rng.next() % 900_000_000))
                let failed = rng.next() % 23 == 0
                spans.append(Span(traceID: tid, spanID: id(toolIndex), parentID: id(stepIndex),
                                  name: "tool search_\(t)", service: "tools", startNanos: ts, endNanos: ts + dur,
                                  status: failed ? SpanStatus(.error, message: "timeout") : .ok,
                                  attributes: [Attribute("tool.name", .string("search_\(t)"))]))
                let nested = Int(rng.next() % 3)
                for k in 0..<nested where spans.count < target {
                    let hs = ts + Int64(k) * dur / 3
                    spans.append(Span(traceID: tid, spanID: id(spans.count), parentID: id(toolIndex),
                                      name: "GET /search", service: "search-api", kind: .client,
                                      startNanos: hs, endNanos: hs + dur / 4))
                }
                end = max(end, ts + dur)
            }
            spans[stepIndex].endNanos = end
            clock = end + 5_000_000
            step += 1
        }
        spans[0].endNanos = clock
        return Trace(id: tid, spans: spans) { span in
            if case .bits64(let v) = span.spanID.raw { return calls[Int(v) - 1] }
            return nil
        }
    }
}

/// Steele, Lea and Flood's SplitMix64 ("Fast splittable pseudorandom number generators", 2014).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
