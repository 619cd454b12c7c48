#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TraceAnalysis
import TraceFormats
import TraceModel

/// Peak resident memory of this process so far, in bytes.
func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

/// CPU time (user + system, all threads) this process has used so far, in milliseconds.
func processCPUMillis() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) * 1e3 + Double(usage.ru_utime.tv_usec) / 1e3
    let system = Double(usage.ru_stime.tv_sec) * 1e3 + Double(usage.ru_stime.tv_usec) / 1e3
    return user + system
}

/// Milliseconds since `start` on the monotonic clock.
func millis(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
}

/// `spanscope bench-load` (hidden): the load benchmark — read, parse and index a file, as the
/// explorer and `summary` do — with MB/s, spans/s and peak memory, one JSON line for scripts.
struct BenchLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-load",
        abstract: "Time reading + parsing + indexing a trace file (and, with --analysis, the analysis).",
        shouldDisplay: false
    )

    @Argument(help: "Trace file.") var file: String
    @Option(name: .customLong("repeat"), help: "Timed repetitions; the best and the median are reported.") var repetitions: Int = 3
    @Flag(help: "Also time the critical path and AI summary of every trace.") var analysis = false
    @Flag(help: "Read only what a summary needs (as `spanscope summary` does).") var summaryDetail = false

    func run() throws {
        var info = stat()
        stat(file, &info)
        let bytes = Double(info.st_size)
        var loads: [Double] = []
        var cpus: [Double] = []
        var analyses: [Double] = []
        var spans = 0
        var peakAfterFirstLoad = 0
        for round in 0..<max(1, repetitions) {
            let c0 = processCPUMillis()
            let t0 = ContinuousClock.now
            let doc = try loadOrExit([file], detail: summaryDetail ? .summary : .full)
            loads.append(millis(since: t0))
            cpus.append(processCPUMillis() - c0)
            spans = doc.spanCount
            // Later rounds briefly hold two documents; the memory figure is the first load's.
            if round == 0 { peakAfterFirstLoad = peakRSSBytes() }
            if analysis {
                let t1 = ContinuousClock.now
                var checksum = 0
                for trace in doc.traces {
                    let stats = TraceStatistics(trace: trace, prices: .standard)
                    checksum &+= CriticalPath.compute(trace).count &+ stats.trace.llmCalls
                }
                analyses.append(millis(since: t1))
                if checksum == -1 { print("") }   // keeps the work observable
            }
        }
        loads.sort()
        analyses.sort()
        let best = loads[0], median = loads[loads.count / 2]
        var line = "{\"file\":\"\(file)\",\"bytes\":\(Int(bytes)),\"spans\":\(spans),\"load_best_ms\":\(round3(best)),"
            + "\"load_median_ms\":\(round3(median)),\"load_best_cpu_ms\":\(round3(cpus.min() ?? 0)),\"mb_per_s\":\(round3(bytes / 1e6 / (best / 1e3))),"
            + "\"spans_per_s\":\(Int(Double(spans) / (best / 1e3))),\"peak_rss_bytes\":\(peakAfterFirstLoad),"
            + "\"rss_per_file_byte\":\(round3(Double(peakAfterFirstLoad) / max(1, bytes)))"
        if analysis, let a = analyses.first {
            line += ",\"analysis_best_ms\":\(round3(a)),\"analysis_median_ms\":\(round3(analyses[analyses.count / 2]))"
        }
        print(line + "}")
    }

    private func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
}
