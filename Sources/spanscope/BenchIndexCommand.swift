#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TraceFormats
import TraceModel

/// `spanscope bench-index` (hidden): the index scan benchmark — the pass that builds the trace
/// list of a large file — with MB/s and peak memory, one JSON line for scripts.
struct BenchIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-index",
        abstract: "Time indexing an OTLP JSON Lines file (the trace list of a large file).",
        shouldDisplay: false
    )

    @Argument(help: "Trace file.") var file: String
    @Option(name: .customLong("repeat"), help: "Timed repetitions; the best and the median are reported.") var repetitions: Int = 3
    @Option(help: "Cores to scan on (default: all).") var parts: Int = Parallel.cores
    @Flag(help: "Also decode every trace from the file, one at a time, as opening each would.") var openAll = false
    @Flag(help: "Record every span's skeleton too, as `summary` and `stats` on a large file do.")
    var skeletons = false

    func run() throws {
        var times: [Double] = []
        var traces = 0, spans = 0, bytes: Int64 = 0
        var peak = 0
        var openMillis: Double?
        for round in 0..<max(1, repetitions) {
            let t0 = ContinuousClock.now
            let index: TraceIndex
            do {
                index = try TraceIndexer.index(path: file, parts: parts, skeletons: skeletons)
            } catch {
                printError("spanscope: \(error.description)")
                throw ExitCode(1)
            }
            times.append(millis(since: t0))
            traces = index.traces.count
            spans = index.spanCount
            bytes = index.bytes
            if round == 0 { peak = peakRSSBytes() }
            if openAll && round == 0 {
                let store = try LazyTraceStore(index: index)
                let t1 = ContinuousClock.now
                var checksum = 0
                for i in 0..<store.count { checksum &+= try store.trace(at: i).count }
                openMillis = millis(since: t1)
                guard checksum == spans else {
                    printError("spanscope: decoded \(checksum) spans, indexed \(spans)")
                    throw ExitCode(1)
                }
            }
        }
        times.sort()
        let best = times[0]
        var line = "{\"file\":\"\(file)\",\"bytes\":\(bytes),\"traces\":\(traces),\"spans\":\(spans),\"parts\":\(parts),"
            + "\"index_best_ms\":\(round3(best)),\"index_median_ms\":\(round3(times[times.count / 2])),"
            + "\"mb_per_s\":\(round3(Double(bytes) / 1e6 / (best / 1e3))),\"peak_rss_bytes\":\(peak),"
            + "\"rss_per_file_byte\":\(round3(Double(peak) / max(1, Double(bytes))))"
        if let openMillis { line += ",\"open_all_ms\":\(round3(openMillis))" }
        print(line + "}")
    }

    private func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
}
