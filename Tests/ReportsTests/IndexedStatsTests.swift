import Synthetic
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `stats` through the lazy store against `stats` of a full load of the same file: the same
/// table, double for double, for every grouping, with and without a query.
// Files stay small, and the larger tests run on a thread of their own (`offPool(threads:)`): seconds
// of synchronous work on Swift's cooperative pool (two threads on a two-core machine) stall the async
// network tests running beside them.
@Suite struct IndexedStatsTests {
    func expectSameTables(_ path: String, query: String? = nil, sessionKey: String? = nil,
                          batchBytes: Int64 = IndexedSummary.batchBytes,
                          sourceLocation: SourceLocation = #_sourceLocation) throws {
        let full = try TraceLoader.load(paths: [path], detail: .full)
        let store = try LazyTraceStore(path: path)
        let q = try query.map { try TraceQuery($0) }
        let keys = SessionKeys.preferring(sessionKey)
        for grouping in StatsGrouping.allCases {
            let expected = TraceStats.groups(full.traces, by: grouping, where: q, sessionKeys: keys)
            let indexed = try IndexedStats.table(store, by: grouping, where: q, sessionKeys: keys, detail: .full,
                                                 batchBytes: batchBytes)
            #expect(indexed == expected, "by \(grouping)", sourceLocation: sourceLocation)
            // The JSON a script reads is the same bytes too.
            #expect(StatsJSON.encode(indexed) == StatsJSON.encode(expected), sourceLocation: sourceLocation)
        }
    }

    @Test func generatedFileTablesAreIdenticalForEveryGrouping() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("stats.jsonl")
            try TraceGenerator(spans: 1_500, traces: 30, seed: 11).write(to: path, format: .otlpJSONL)
            let table = try IndexedStats.table(try LazyTraceStore(path: path), by: .name, detail: .summary)
            #expect(table.traces == 30)
            #expect(table.groups.reduce(0) { $0 + $1.count } == 1_500)
            try expectSameTables(path)
        }
    }

    /// Batches of a few traces: groups met in many batches merge as they would in one list.
    @Test func tablesBuiltInManySmallBatchesAreIdentical() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("stats-many.jsonl")
            try TraceGenerator(spans: 1_600, traces: 200, seed: 3).write(to: path, format: .otlpJSONL)
            try expectSameTables(path, batchBytes: 10_000)
        }
    }

    @Test func aQueryKeepsTheSameTracesAsInAFullLoad() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("stats-where.jsonl")
            try TraceGenerator(spans: 1_200, traces: 80, seed: 8).write(to: path, format: .otlpJSONL)
            for query in ["error", "duration>2s", "-error llm_calls>1", "model~gpt"] {
                try expectSameTables(path, query: query, batchBytes: 10_000)
            }
            let store = try LazyTraceStore(path: path)
            let errors = try IndexedStats.table(store, by: .name, where: try TraceQuery("error"), detail: .summary)
            #expect(errors.traces == store.index.traces.filter { $0.errorCount > 0 }.count)
        }
    }

    @Test func sampleFileTablesAreIdentical() throws {
        for name in ["agent-parallel-tools.otlp.jsonl", "openllmetry-triage-batch.otlp.jsonl"] {
            try expectSameTables(sampleDirectory + "/" + name)
            try expectSameTables(sampleDirectory + "/" + name, query: "error or cost>0.001", batchBytes: 1)
        }
    }

    /// `diff --by` of two files read through the store: the report a full load of both gives.
    @Test func batchDiffOfTwoIndexedFilesIsTheFullLoadsReport() async throws {
        try await offPool(threads: 1) {
            let a = temporaryPath("a.jsonl"), b = temporaryPath("b.jsonl")
            try TraceGenerator(spans: 3_000, traces: 40, seed: 21).write(to: a, format: .otlpJSONL)
            try TraceGenerator(spans: 4_000, traces: 50, seed: 22).write(to: b, format: .otlpJSONL)
            let fullA = try TraceLoader.load(paths: [a], detail: .summary), fullB = try TraceLoader.load(paths: [b], detail: .summary)
            for key in [BatchDiff.Key.spanName, .model] {
                let expected = BatchDiff(a: fullA.traces, b: fullB.traces, by: key, prices: .standard)
                let sideA = try IndexedStats.diffSide(try LazyTraceStore(path: a), by: key, batchBytes: 50_000)
                let sideB = try IndexedStats.diffSide(try LazyTraceStore(path: b), by: key, batchBytes: 50_000)
                let indexed = BatchDiff(a: sideA.table, b: sideB.table, meanA: sideA.mean, meanB: sideB.mean, by: key)
                #expect(indexed.runsA == 40 && indexed.runsB == 50)
                #expect(indexed.meanA == expected.meanA && indexed.meanB == expected.meanB)
                #expect(BatchDiffReport.json(indexed, sourceA: a, sourceB: b) == BatchDiffReport.json(expected, sourceA: a, sourceB: b))
            }
        }
    }
}
