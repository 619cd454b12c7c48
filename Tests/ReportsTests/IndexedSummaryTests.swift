#if canImport(Glibc)
import Glibc
#endif
import Synthetic
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `summary` through the lazy store against `summary` of a full load: byte for byte the same.
// Files stay small: see IndexedStatsTests.
@Suite struct IndexedSummaryTests {
    func expectSameSummaries(_ path: String, batchBytes: Int64 = IndexedSummary.batchBytes, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let full = try TraceLoader.load(paths: [path], detail: .summary)
        let store = try LazyTraceStore(path: path)
        var text: [UInt8] = []
        try IndexedSummary.text(store, prices: .standard, batchBytes: batchBytes) { text += $0 }
        #expect(String(decoding: text, as: UTF8.self) == SummaryText.render(full, prices: .standard), sourceLocation: sourceLocation)
        var json: [UInt8] = []
        try IndexedSummary.json(store, prices: .standard, batchBytes: batchBytes) { json += $0 }
        #expect(String(decoding: json, as: UTF8.self) == String(decoding: SummaryJSON.encode(full, prices: .standard), as: UTF8.self),
                sourceLocation: sourceLocation)
    }

    @Test func generatedFileSummariesAreIdentical() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("gen.jsonl")
            try TraceGenerator(spans: 1_500, traces: 25, seed: 5).write(to: path, format: .otlpJSONL)
            try expectSameSummaries(path)
        }
    }

    @Test func sampleFileSummariesAreIdentical() throws {
        for name in ["agent-parallel-tools.otlp.jsonl", "openllmetry-triage-batch.otlp.jsonl"] {
            try expectSameSummaries(sampleDirectory + "/" + name)
        }
    }

    /// Many small batches: traces of one batch decoded on both cores, batches written in order.
    @Test func summariesWrittenInManyBatchesStayInOrder() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("many.jsonl")
            try TraceGenerator(spans: 1_500, traces: 300, seed: 9).write(to: path, format: .otlpJSONL)
            try expectSameSummaries(path, batchBytes: 20_000)
        }
    }

    /// `summary --where` through the store keeps the traces a full load's filter keeps, and its
    /// text and JSON (header count and totals included) are the same bytes.
    @Test func filteredSummariesAreIdenticalToAFilteredFullLoad() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("where.jsonl")
            try TraceGenerator(spans: 1_200, traces: 60, seed: 4).write(to: path, format: .otlpJSONL)
            let store = try LazyTraceStore(path: path)
            for text in ["error", "duration>3s llm_calls>=2", "-error", "model~gpt or cost>0.01", "user.id~1", "root=nothing-matches-this"] {
                let query = try TraceQuery(text)
                let loaded = try TraceLoader.load(paths: [path], detail: query.readsAttributes ? .full : .summary)
                let facts = TraceFacts.compute(loaded.traces, prices: .standard)
                var full = loaded
                full.traces = query.filter(loaded.traces, facts: facts).map { loaded.traces[$0] }
                var out: [UInt8] = []
                try IndexedSummary.text(store, prices: .standard, where: query, batchBytes: 40_000) { out += $0 }
                #expect(String(decoding: out, as: UTF8.self) == SummaryText.render(full, prices: .standard), "\(text)")
                out = []
                try IndexedSummary.json(store, prices: .standard, where: query, batchBytes: 40_000) { out += $0 }
                #expect(out == SummaryJSON.encode(full, prices: .standard), "\(text)")
            }
            // Counted independently from the index: the traces with an error span.
            var out: [UInt8] = []
            try IndexedSummary.text(store, prices: .standard, where: try TraceQuery("error")) { out += $0 }
            let errors = store.index.traces.filter { $0.errorCount > 0 }.count
            #expect(errors > 0 && errors < store.count)
            #expect(String(decoding: out, as: UTF8.self).hasPrefix("\(path): OTLP JSON Lines, \(errors) trace"))
        }
    }

    @Test func aFileTruncatedBeforeTheSummaryIsReadGivesAnError() throws {
        let path = temporaryPath("cut.jsonl")
        try TraceGenerator(spans: 2_000, traces: 10, seed: 2).write(to: path, format: .otlpJSONL)
        let store = try LazyTraceStore(path: path)
        #expect(truncate(path, off_t(store.index.bytes / 3)) == 0)
        var text: [UInt8] = []
        #expect(throws: TraceFormatError.self) { try IndexedSummary.text(store, prices: .standard) { text += $0 } }
    }
}
