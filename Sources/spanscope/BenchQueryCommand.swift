import ArgumentParser
import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope bench-query` (hidden): times the workbench over a loaded file — per-trace facts,
/// filtering by a query of trace-level terms and by a word, and stats by name — as one JSON line.
struct BenchQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-query",
        abstract: "Time query filtering and stats over a trace file (after loading it, which is not timed).",
        shouldDisplay: false
    )

    @Argument(help: "Trace file.") var file: String
    @Option(name: .customLong("repeat"), help: "Timed repetitions; the best is reported.") var repetitions: Int = 3
    @Option(help: "A query of trace-level terms.") var fields = "error or duration>2s model~gpt -service=nothing"
    @Option(help: "A query that reads every span's text.") var word = "zzz-not-there"

    func run() throws {
        let doc = try loadOrExit([file])
        let traces = doc.traces
        let fieldQuery = try queryOrExit(fields)!
        let wordQuery = try queryOrExit(word)!
        var best: [String: Double] = [:]
        var matched = (0, 0), groups = 0
        func time(_ name: String, _ body: () -> Void) {
            let t0 = ContinuousClock.now
            body()
            let ms = millis(since: t0)
            best[name] = min(best[name] ?? .infinity, ms)
        }
        for _ in 0..<max(1, repetitions) {
            var facts: [TraceFacts] = []
            time("facts_ms") { facts = TraceFacts.compute(traces, prices: .standard) }
            time("filter_fields_ms") { matched.0 = fieldQuery.filter(traces, facts: facts).count }
            time("filter_word_ms") { matched.1 = wordQuery.filter(traces, facts: facts).count }
            time("stats_by_name_ms") { groups = TraceStats.groups(traces, by: .name, facts: facts).groups.count }
            time("stats_by_model_where_ms") {
                groups &+= TraceStats.groups(traces, by: .model, where: fieldQuery, facts: facts).groups.count
            }
        }
        func r(_ v: Double?) -> String { String((((v ?? 0) * 1000).rounded()) / 1000) }
        print("{\"file\":\"\(file)\",\"spans\":\(doc.spanCount),\"traces\":\(traces.count),"
              + "\"facts_ms\":\(r(best["facts_ms"])),\"filter_fields_ms\":\(r(best["filter_fields_ms"])),"
              + "\"filter_word_ms\":\(r(best["filter_word_ms"])),\"stats_by_name_ms\":\(r(best["stats_by_name_ms"])),"
              + "\"stats_by_model_where_ms\":\(r(best["stats_by_model_where_ms"])),"
              + "\"matched\":[\(matched.0),\(matched.1)],\"groups\":\(groups)}")
        withExtendedLifetime(doc) { exitWithoutTeardown() }
    }
}
