import Synthetic
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// What an index scan hands over while it runs (`IndexProgress.partialTraces`), for a trace list
/// that fills in during the scan.
@Suite struct IndexPartialTests {
    @Test func tracesFoundSoFarArePartOfTheFinishedIndexOnOneAndTwoCores() throws {
        let path = temporaryDirectory() + "/partial.jsonl"
        try TraceGenerator(spans: 6_000, traces: 12, seed: 5).write(to: path, format: .otlpJSONL)
        for parts in [1, 2] {
            let progress = IndexProgress()
            #expect(progress.partialTraces() == nil, "nothing before the scan")
            // The request above is answered at the end of each part's first window.
            let index = try TraceIndexer.index(path: path, parts: parts, progress: progress, window: 1 << 16)
            let partial = try #require(progress.partialTraces())
            #expect(!partial.isEmpty)
            #expect(partial.count < index.traces.count, "handed over before the scan had every trace")
            let finished = Dictionary(uniqueKeysWithValues: index.traces.map { ($0.id, $0) })
            for e in partial {
                let whole = try #require(finished[e.id])
                #expect(e.spanCount <= whole.spanCount)
                #expect(e.startNanos >= whole.startNanos)
                #expect(!e.rootService.isEmpty)
            }
            #expect(Set(partial.map(\.id)).count == partial.count, "a trace met by two cores is one row")
        }
    }
}
