#if canImport(Glibc)
import Glibc
#endif
import Synthetic
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// `summary` through the lazy store against `summary` of a full load: byte for byte the same.
@Suite struct IndexedSummaryTests {
    static func temporaryFile(_ name: String) -> String {
        var template = Array("/tmp/spanscope-report-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        return dir + "/" + name
    }

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

    @Test func generatedFileSummariesAreIdentical() throws {
        let path = IndexedSummaryTests.temporaryFile("gen.jsonl")
        try TraceGenerator(spans: 5_000, traces: 25, seed: 5).write(to: path, format: .otlpJSONL)
        try expectSameSummaries(path)
    }

    @Test func sampleFileSummariesAreIdentical() throws {
        for name in ["agent-parallel-tools.otlp.jsonl", "openllmetry-triage-batch.otlp.jsonl"] {
            try expectSameSummaries(samples + name)
        }
    }

    /// Many small batches: traces of one batch decoded on both cores, batches written in order.
    @Test func summariesWrittenInManyBatchesStayInOrder() throws {
        let path = IndexedSummaryTests.temporaryFile("many.jsonl")
        try TraceGenerator(spans: 3_000, traces: 300, seed: 9).write(to: path, format: .otlpJSONL)
        try expectSameSummaries(path, batchBytes: 20_000)
    }

    @Test func aFileTruncatedBeforeTheSummaryIsReadGivesAnError() throws {
        let path = IndexedSummaryTests.temporaryFile("cut.jsonl")
        try TraceGenerator(spans: 2_000, traces: 10, seed: 2).write(to: path, format: .otlpJSONL)
        let store = try LazyTraceStore(path: path)
        #expect(truncate(path, off_t(store.index.bytes / 3)) == 0)
        var text: [UInt8] = []
        #expect(throws: TraceFormatError.self) { try IndexedSummary.text(store, prices: .standard) { text += $0 } }
    }
}
