import ArgumentParser
import TraceAnalysis
import TraceFormats
import TraceModel

/// `spanscope bench-query` (hidden): times the workbench over a loaded file — per-trace facts,
/// filtering by a query of trace-level terms, by a word, by a non-ASCII word and by an attribute,
/// and stats by name, model and service — as one JSON line. It uses only public API, so the same
/// file builds against an older commit for side-by-side runs (`Benchmarks/baseline.sh`).
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
    @Option(help: "A non-ASCII word that reads every span's text (\"\" skips it).") var unicodeWord = "zzz-ñot-thére"
    @Option(help: "A query on an attribute key that reads every span's attributes.") var attribute = "http.route~zzz-not-there"

    func run() throws {
        let doc = try loadOrExit([file])
        let traces = doc.traces
        let fieldQuery = try queryOrExit(fields)!
        var queries = [("filter_word_ms", try queryOrExit(word)!), ("filter_attribute_ms", try queryOrExit(attribute)!)]
        if !unicodeWord.isEmpty { queries.append(("filter_word_unicode_ms", try queryOrExit(unicodeWord)!)) }
        var best: [String: Double] = [:]
        var matched: [Int] = [], groups: [Int] = []
        func time(_ name: String, _ body: () -> Void) {
            let t0 = ContinuousClock.now
            body()
            let ms = millis(since: t0)
            best[name] = min(best[name] ?? .infinity, ms)
        }
        for _ in 0..<max(1, repetitions) {
            matched = []
            groups = []
            var facts: [TraceFacts] = []
            time("facts_ms") { facts = TraceFacts.compute(traces, prices: .standard) }
            time("filter_fields_ms") { matched.append(fieldQuery.filter(traces, facts: facts).count) }
            for (name, query) in queries {
                time(name) { matched.append(query.filter(traces, facts: facts).count) }
            }
            for by in [StatsGrouping.name, .model, .service] {
                time("stats_by_\(by.rawValue)_ms") { groups.append(TraceStats.groups(traces, by: by, facts: facts).groups.count) }
            }
            time("stats_by_model_where_ms") {
                groups.append(TraceStats.groups(traces, by: .model, where: fieldQuery, facts: facts).groups.count)
            }
        }
        func r(_ v: Double?) -> String { String((((v ?? 0) * 1000).rounded()) / 1000) }
        let figures = best.keys.sorted().map { "\"\($0)\":\(r(best[$0]))" }.joined(separator: ",")
        print("{\"file\":\"\(file)\",\"spans\":\(doc.spanCount),\"traces\":\(traces.count),\(figures),"
              + "\"matched\":\(matched),\"groups\":\(groups)}")
        withExtendedLifetime(doc) { exitWithoutTeardown() }
    }
}
