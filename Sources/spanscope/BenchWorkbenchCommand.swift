import ArgumentParser
import Explorer
import Foundation
import Synthetic
import TraceFormats
import TraceModel
import TerminalText

/// `spanscope bench-workbench` (hidden): keystroke-to-frame times of the workbench keys (`%`,
/// `@`, `L`) over synthetic traces held in memory, both ways in one run: the table worked out
/// inside the key's update (what the explorer did before tables became jobs), and the key opening
/// the waiting level while the job runs on another thread as the runner does, with the frames of
/// keys pressed meanwhile (help on and off, moves) timed until the answer is drawn.
struct BenchWorkbenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-workbench",
        abstract: "Time workbench keys with tables worked out inline and off the UI thread.",
        shouldDisplay: false
    )

    @Option(help: "Spans in all.") var spans = 1_000_000
    @Option(help: "Traces they are spread over.") var traces = 1_000
    @Option(help: "Terminal width.") var width = 120
    @Option(help: "Terminal height.") var height = 40

    func run() throws {
        let document = TraceGenerator.document(spans: spans, traces: traces, seeds: [42])
        let size = Size(width: width, height: height)
        let initial = ExplorerState(document: document, size: size)
        print("\(Format.grouped(Int64(document.spanCount))) spans in \(Format.grouped(Int64(document.traces.count))) traces, "
              + "\(width)x\(height), one process, figures in ms")
        print("| key | inline: key → table frame | job: key → waiting frame | frames meanwhile p50 / p99 / max (n) | job | answer → table frame |")
        print("| --- | --- | --- | --- | --- | --- |")
        var stops: [(String, Double, Double)] = []
        for (key, action) in [("%", Action.openStats), ("@", .openSessions), ("L", .openCalls)] {
            // Inline: the key's update works the table out, as before.
            var inline = initial
            var t0 = ContinuousClock.now
            if case .computeWorkbench(let job)? = inline.apply(action) { _ = inline.apply(.workbenchComputed(job.run())) }
            var previous = render(inline, size: size)
            let inlineMs = millis(since: t0)

            // As a job: the key opens the waiting level; the job runs on another thread.
            var state = initial
            t0 = ContinuousClock.now
            guard case .computeWorkbench(let job)? = state.apply(action) else {
                print("| \(key) | \(f(inlineMs)) | (worked out inline: below the job threshold) | | | |")
                continue
            }
            previous = render(state, size: size)
            let openMs = millis(since: t0)
            let box = Locked<(answer: WorkbenchAnswer?, ms: Double)>((nil, 0))
            let started = ContinuousClock.now
            let worker = Thread {
                let answer = job.run()
                let ms = millis(since: started)
                box.withLock { $0 = (answer, ms) }
            }
            worker.stackSize = 8 << 20
            worker.start()
            let script: [Action] = [.help, .down, .help, .down, .up]
            var frames: [Double] = []
            var answer: WorkbenchAnswer?
            var jobMs = 0.0
            while answer == nil {
                let t = ContinuousClock.now
                _ = state.apply(script[frames.count % script.count])
                let screen = render(state, size: size)
                _ = screen.changes(since: previous)
                previous = screen
                frames.append(millis(since: t))
                // A runner reading keys as they come, at most a key per 5 ms.
                usleep(5_000)
                (answer, jobMs) = box.withLock { ($0.answer, $0.ms) }
            }
            if state.documentView != nil { _ = state.apply(.help) }
            t0 = ContinuousClock.now
            _ = state.apply(.workbenchComputed(answer!))
            _ = render(state, size: size).changes(since: previous)
            let answerMs = millis(since: t0)
            frames.sort()
            func pct(_ p: Double) -> String { f(frames[min(frames.count - 1, Int(Double(frames.count) * p))]) }
            print("| \(key) | \(f(inlineMs)) | \(f(openMs)) | \(pct(0.5)) / \(pct(0.99)) / \(f(frames.last ?? 0)) (\(frames.count)) "
                  + "| \(f(jobMs)) | \(f(answerMs)) |")
            stops.append((key, jobMs, escToStop(initial, action, after: jobMs / 4)))
        }
        print("\nEsc while a job runs (a quarter of its time in): the job's whole time against Esc → job ended")
        print("| key | job to the end | Esc → job ended | ratio |")
        print("| --- | --- | --- | --- |")
        for (key, whole, stop) in stops {
            print("| \(key) | \(f(whole)) | \(f(stop)) | \(Format.fixed(whole / max(stop, 0.001), digits: 0))× sooner |")
        }
        withExtendedLifetime(document) { exitWithoutTeardown() }
    }

    /// Milliseconds from Esc (the runner stopping the job, as for `Command.stopWorkbench`) to the
    /// end of `action`'s job, pressed `after` ms into its run.
    private func escToStop(_ initial: ExplorerState, _ action: Action, after: Double) -> Double {
        var state = initial
        guard case .computeWorkbench(let job)? = state.apply(action) else { return 0 }
        let ended = Locked<ContinuousClock.Instant?>(nil)
        let worker = Thread {
            _ = job.run()
            ended.withLock { $0 = ContinuousClock.now }
        }
        worker.stackSize = 8 << 20
        worker.start()
        usleep(UInt32(after * 1_000))
        let esc = ContinuousClock.now
        if case .stopWorkbench? = state.apply(.back) { job.stop() }
        while true {
            if let end = ended.withLock({ $0 }) {
                let d = end - esc
                return max(0, Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
            }
            usleep(500)
        }
    }

    private func f(_ ms: Double) -> String { Format.fixed(ms, digits: ms < 10 ? 2 : 0) }
}
