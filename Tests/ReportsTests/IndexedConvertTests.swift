import Foundation
import Synthetic
import TestSupport
import Testing
import TraceFormats
import TraceModel
import TraceWriters
@testable import Reports

/// `spanscope convert` of a file read through its index: the same bytes as converting the whole
/// loaded file, in every output format, however the scan was split over cores.
@Suite struct IndexedConvertTests {
    /// Every format, from the index on 1–3 cores with batches of a few traces, against the
    /// whole-document writers on a full load.
    func expectSameBytes(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let full = try TraceLoader.load(path: path)
        let expected: [(TraceStreamWriter.Format, [UInt8])] = [
            (.otlp, OTLPJSONWriter.encode(full.traces, lines: false)),
            (.otlpJSONLines, OTLPJSONWriter.encode(full.traces, lines: true)),
            (.seed, SeedJSONWriter.encode(full.traces)),
        ]
        for parts in 1...3 {
            let store = try LazyTraceStore(index: TraceIndexer.index(path: path, parts: parts, window: 4096))
            for (format, whole) in expected {
                var out: [UInt8] = []
                var writes = 0
                let written = try IndexedConvert.write(store, format: format, spillDirectory: temporaryDirectory(), batchBytes: 20_000) {
                    out += $0
                    writes += 1
                }
                let same = out == whole
                #expect(same, "\(format) on \(parts) cores: \(out.count) bytes against \(whole.count)", sourceLocation: sourceLocation)
                #expect(written.traces == full.traces.count && written.spans == full.spanCount, sourceLocation: sourceLocation)
                #expect(written.duplicatesMerged == full.duplicatesMerged, sourceLocation: sourceLocation)
                if full.traces.count > 20 { #expect(writes > 3, "written in pieces", sourceLocation: sourceLocation) }
            }
        }
    }

    @Test func generatedFilesOfSeveralSeeds() async throws {
        try await offPool {
            for seed in [3, 17, 29] as [UInt64] {
                let path = temporaryPath("convert-\(seed).jsonl")
                try TraceGenerator(spans: 1_500, traces: 30, seed: seed).write(to: path, format: .otlpJSONL)
                try expectSameBytes(path)
            }
        }
    }

    @Test func sampleFiles() throws {
        for name in ["agent-parallel-tools.otlp.jsonl", "agent-parallel-tools-after.otlp.jsonl", "openllmetry-triage-batch.otlp.jsonl"] {
            try expectSameBytes(sampleDirectory + "/" + name)
        }
    }

    /// A collector's output: each line a batch holding spans of four traces in one `scopeSpans`
    /// entry (two scopes, two services), every trace spread over all six lines, a line of logs
    /// between, and one batch sent twice (an exporter's retry: exact duplicates).
    static func collectorFile() throws -> String {
        func kv(_ k: String, _ v: String) -> String { "{\"key\":\"\(k)\",\"value\":{\"stringValue\":\"\(v)\"}}" }
        func span(_ t: Int, _ s: Int, parent: Int?, name: String, start: Int64) -> String {
            let p = parent.map { "\"parentSpanId\":\"\(String(format: "%016x", $0))\"," } ?? ""
            return "{\"traceId\":\"\(String(format: "%032x", t))\",\"spanId\":\"\(String(format: "%016x", s))\",\(p)"
                + "\"name\":\"\(name)\",\"startTimeUnixNano\":\"\(1_700_000_000_000_000_000 + start)\","
                + "\"endTimeUnixNano\":\"\(1_700_000_000_000_000_000 + start * 3)\",\"attributes\":[\(kv("step", name))]}"
        }
        var lines: [String] = []
        for n in 0..<6 {
            let spans = (1...4).map { t in span(t, t * 100 + n, parent: n == 0 ? nil : t * 100, name: "op\(n)", start: Int64(1_000 * t + n)) }
            lines.append("{\"resourceSpans\":[{\"resource\":{\"attributes\":[\(kv("service.name", "svc\(n % 2)"))]},\"scopeSpans\":["
                         + "{\"scope\":{\"name\":\"a\",\"version\":\"1\"},\"spans\":[\(spans[0]),\(spans[1])]},"
                         + "{\"scope\":{\"name\":\"b\"},\"spans\":[\(spans[2]),\(spans[3])]}]}]}")
            if n == 2 { lines.append("{\"resourceLogs\":[{\"resource\":{},\"scopeLogs\":[]}]}") }
        }
        lines.append(lines[4])   // the fourth batch (the logs line sits before it)
        let path = temporaryPath("convert-collector.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aCollectorsBatchesGroupSpansAcrossTracesAsAWholeLoadDoes() throws {
        let path = try IndexedConvertTests.collectorFile()
        let store = try LazyTraceStore(index: TraceIndexer.index(path: path, parts: 1))
        #expect(store.tracesShareScopeEntries)
        try expectSameBytes(path)
        // By hand: 6 lines × 2 scope entries, each one group of one OTLP request; the retried
        // line's entries lose every span as duplicates, so they form no group of their own.
        let out = try IndexedConvert.write(store, format: .otlp, spillDirectory: temporaryDirectory()) { _ in }
        #expect(out.duplicatesMerged == 4)
        let whole = String(decoding: OTLPJSONWriter.encode(try TraceLoader.load(path: path).traces), as: UTF8.self)
        #expect(whole.components(separatedBy: "\"scopeSpans\"").count - 1 == 12)
    }
}
