import ArgumentParser
import Reports
import Synthetic
import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope bench-diff` (hidden): times `diff` of two synthetic traces (alignment, per-step
/// comparison with LLM messages decoded, JSON and text output) next to what `summary` spends
/// analysing the same two traces, one JSON line for scripts.
struct BenchDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-diff",
        abstract: "Time diffing two synthetic traces (align + compare + render) against summarising them.",
        shouldDisplay: false
    )

    @Option(help: "Spans per trace.") var spans = 100_000
    @Option(name: .customLong("repeat"), help: "Timed repetitions; the best is reported.") var repetitions = 3

    func run() throws {
        // Two runs of the same generated agent with different seeds: similar shapes, different
        // counts of steps, retries and errors, as before and after a change.
        let doc = TraceGenerator.document(spans: spans, traces: 1, seeds: [1, 2])
        let a = doc.traces[0], b = doc.traces[1]
        var summaryTimes: [Double] = [], alignTimes: [Double] = [], jsonTimes: [Double] = [], textTimes: [Double] = []
        var counts: [DiffStatus: Int] = [:]
        var outputBytes = 0
        for _ in 0..<max(1, repetitions) {
            let t0 = ContinuousClock.now
            let sa = TraceStatistics(trace: a, prices: .standard), sb = TraceStatistics(trace: b, prices: .standard)
            var checksum = CriticalPath.compute(a).count &+ CriticalPath.compute(b).count
            summaryTimes.append(millis(since: t0))
            let t1 = ContinuousClock.now
            let diff = TraceDiff(a: a, statisticsA: sa, b: b, statisticsB: sb)
            alignTimes.append(millis(since: t1))
            let t2 = ContinuousClock.now
            let json = DiffJSON.encode(diff, sourceA: "a", sourceB: "b")
            jsonTimes.append(millis(since: t2))
            let t3 = ContinuousClock.now
            let text = DiffText.render(diff, labelA: "a", labelB: "b")
            textTimes.append(millis(since: t3))
            counts = diff.counts
            outputBytes = json.count
            checksum &+= text.utf8.count
            if checksum == -1 { print("") }
        }
        let best = { (list: [Double]) in ((list.min() ?? 0) * 1000).rounded() / 1000 }
        print("{\"spans_a\":\(a.count),\"spans_b\":\(b.count),\"steps\":\(counts.values.reduce(0, +)),"
              + "\"same\":\(counts[.same] ?? 0),\"changed\":\(counts[.changed] ?? 0),\"added\":\(counts[.added] ?? 0),"
              + "\"removed\":\(counts[.removed] ?? 0),\"summary_analysis_ms\":\(best(summaryTimes)),"
              + "\"align_compare_ms\":\(best(alignTimes)),\"json_ms\":\(best(jsonTimes)),\"text_ms\":\(best(textTimes)),"
              + "\"json_bytes\":\(outputBytes)}")
    }
}
