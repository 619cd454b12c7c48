import ArgumentParser
import Explorer
import Synthetic
import TraceAnalysis
import TraceFormats
import TraceModel
import TerminalText

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
        // The same generator as `spanscope generate`, read through the same normaliser as files.
        let document = TraceGenerator.document(spans: spans, traces: 1, seeds: [1])
        let trace = document.traces[0]
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
        var byAction: [String: [Double]] = [:]
        for i in 0..<keys {
            let action = script[i % script.count]
            let t0 = clock.now
            _ = state.apply(action)
            let screen = render(state, size: size)
            changed += screen.changes(since: previous).count
            previous = screen
            let d = clock.now - t0
            let ms = Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
            times.append(ms)
            byAction["\(action)", default: []].append(ms)
        }
        times.sort()
        func pct(_ p: Double) -> String {
            Format.fixed(times[min(times.count - 1, Int(Double(times.count) * p))], digits: 3) + " ms"
        }
        print("spans \(trace.count), visible rows \(state.session?.rows.count ?? 0), \(width)x\(height), \(keys) keys")
        print("frame (update + render + diff): p50 \(pct(0.5)), p99 \(pct(0.99)), max \(pct(1.0 - 1e-9))")
        print("changed runs drawn: \(changed)")
        let slowest = byAction.map { ($0.key, $0.value.sorted()) }
            .sorted { $0.1[$0.1.count / 2] > $1.1[$1.1.count / 2] }.prefix(4)
        print("slowest actions by median: " + slowest.map { name, t in
            "\(name) \(Format.fixed(t[t.count / 2], digits: 3)) ms"
        }.joined(separator: ", "))
    }
}

