import Synthetic
import TestSupport
import Testing
import TraceAnalysis
@testable import TraceFormats
import TraceModel
@testable import Reports

/// `summary` and `stats` from the span skeletons the index scan records, against a full load of
/// the same file: the same bytes, whatever the file holds and however many parts scanned it.
// Files stay small, and the larger tests run on a thread of their own (see IndexedStatsTests).
@Suite struct SkeletonSummaryTests {
    /// Summary text and JSON, and stats text and JSON by name, service and model, from a store
    /// with skeletons scanned in 1, 2 and 3 parts, each equal to a full load's. Returns, per part
    /// count, how many traces the skeletons built (the rest were read again from the file).
    /// Stats by session come from the index's sessions, named by `sessionKey` first.
    @discardableResult
    func expectSameReports(_ path: String, window: Int = TraceIndexer.windowSize, batchBytes: Int64 = IndexedSummary.batchBytes,
                           sessionKey: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Int] {
        let full = try TraceLoader.load(paths: [path], detail: .summary)
        // Sessions are read from attributes, which a summary load leaves out.
        let withAttributes = try TraceLoader.load(paths: [path], detail: .full)
        let keys = SessionKeys.preferring(sessionKey)
        let text = SummaryText.render(full, prices: .standard)
        let json = SummaryJSON.encode(full, prices: .standard)
        var built: [Int] = []
        for parts in [1, 2, 3] {
            let index = try TraceIndexer.index(path: path, parts: parts, window: window, sessionKeys: keys.keys, skeletons: true)
            let store = try LazyTraceStore(index: index)
            let skeletons = try #require(index.skeletons, sourceLocation: sourceLocation)
            built.append(index.traces.indices.filter { skeletons.trace(at: $0, of: index) != nil }.count)
            var out: [UInt8] = []
            try IndexedSummary.text(store, prices: .standard, batchBytes: batchBytes) { out += $0 }
            #expect(String(decoding: out, as: UTF8.self) == text, "summary text, \(parts) parts", sourceLocation: sourceLocation)
            out = []
            try IndexedSummary.json(store, prices: .standard, batchBytes: batchBytes) { out += $0 }
            #expect(String(decoding: out, as: UTF8.self) == String(decoding: json, as: UTF8.self), "summary JSON, \(parts) parts",
                    sourceLocation: sourceLocation)
            for grouping in [StatsGrouping.name, .service, .model, .session] {
                let expected = TraceStats.groups(grouping == .session ? withAttributes.traces : full.traces, by: grouping, sessionKeys: keys)
                let table = try IndexedStats.table(store, by: grouping, sessionKeys: keys, detail: .summary, batchBytes: batchBytes)
                #expect(StatsJSON.encode(table) == StatsJSON.encode(expected), "stats JSON by \(grouping), \(parts) parts",
                        sourceLocation: sourceLocation)
                #expect(StatsText.render(table) == StatsText.render(expected), "stats text by \(grouping), \(parts) parts",
                        sourceLocation: sourceLocation)
            }
        }
        return built
    }

    @Test(arguments: [(5, 40), (17, 7), (23, 1)])
    func generatedFilesGiveTheFullLoadsReports(seed: Int, traces: Int) async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("skeleton-\(seed).jsonl")
            try TraceGenerator(spans: 2_000, traces: traces, seed: UInt64(seed)).write(to: path, format: .otlpJSONL)
            // A 64 KiB window: lines cross window edges and windows grow.
            let built = try expectSameReports(path, window: 1 << 16, batchBytes: 60_000)
            // Every trace came from its skeletons: nothing was read again.
            #expect(built == [traces, traces, traces])
        }
    }

    @Test func sampleJSONLinesFilesGiveTheFullLoadsReports() throws {
        for name in ["agent-parallel-tools.otlp.jsonl", "agent-parallel-tools-after.otlp.jsonl", "openllmetry-triage-batch.otlp.jsonl"] {
            let path = sampleDirectory + "/" + name
            let built = try expectSameReports(path, window: 4096, batchBytes: 1)
            let traces = try TraceLoader.load(paths: [path], detail: .summary).traces.count
            #expect(built == [traces, traces, traces], "\(name)")
        }
    }

    /// Orphans, a missing parent, parent loops, a self-parent, duplicate span ids (an exact copy
    /// and a different span), ids that are not 64-bit hex, an id in capitals, escaped names, a span without an end,
    /// a resource written after its spans, a span skipped for having no id, and a trace whose
    /// spans lie at both ends of the file.
    @Test func awkwardFilesGiveTheFullLoadsReports() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("skeleton-awkward.jsonl")
            try writeLines(path, SkeletonSummaryTests.awkwardLines())
            let built = try expectSameReports(path, window: 512, batchBytes: 2_000)
            // Worked out from the file: of its six traces, only the one with repeated span ids
            // needs its spans read again (the full load keeps an exact copy once).
            #expect(built == [5, 5, 5])
            try expectSameReports(path, window: 512, batchBytes: 2_000, sessionKey: "app.conversation")
            // By hand: conv-1 on a child span of the main trace, conv-2 on the far root, and
            // conv-3 only under the custom key.
            let store = try LazyTraceStore(path: path, sessionKeys: SessionKeys.preferring("app.conversation").keys, skeletons: true)
            let sessions = try IndexedStats.table(store, by: .session, sessionKeys: .preferring("app.conversation"), detail: .summary)
            #expect(Set(sessions.groups.map(\.key)) == ["conv-1", "conv-2", "conv-3"])
            let index = try TraceIndexer.index(path: path, parts: 2, window: 512, skeletons: true)
            let dup = try #require(index.traces.firstIndex { $0.id == TraceID(SkeletonSummaryTests.traceDup) })
            #expect(index.skeletons!.trace(at: dup, of: index) == nil)
            let loop = try #require(index.traces.firstIndex { $0.id == TraceID(SkeletonSummaryTests.traceLoop) })
            let trace = try #require(index.skeletons!.trace(at: loop, of: index))
            // x → y → x and z → z: both loops cut, so three roots (w is the real one).
            #expect(trace.count == 4 && trace.roots.count == 3)
            #expect(trace.flags.filter { $0.contains(.cycleBroken) }.count == 2)
        }
    }

    /// `--where`: a query on totals, names or services runs on the skeletons; one that reads
    /// attributes decodes the traces again. Both keep what a full load's filter keeps.
    @Test func queriesKeepTheFullLoadsTraces() async throws {
        try await offPool(threads: 1) {
            let path = temporaryPath("skeleton-where.jsonl")
            try TraceGenerator(spans: 1_200, traces: 60, seed: 4).write(to: path, format: .otlpJSONL)
            let store = try LazyTraceStore(path: path, skeletons: true)
            #expect(store.hasSkeletons)
            for text in ["error", "name~llm -error", "service~a duration>1s", "user.id~1", "gen_ai.system=openai"] {
                let query = try TraceQuery(text)
                let loaded = try TraceLoader.load(paths: [path], detail: query.readsAttributes ? .full : .summary)
                var full = loaded
                full.traces = query.filter(loaded.traces, facts: TraceFacts.compute(loaded.traces, prices: .standard)).map { loaded.traces[$0] }
                var out: [UInt8] = []
                try IndexedSummary.json(store, prices: .standard, where: query, batchBytes: 40_000) { out += $0 }
                #expect(out == SummaryJSON.encode(full, prices: .standard), "\(text)")
                let detail: TraceLoader.Detail = query.readsAttributes ? .full : .summary
                let table = try IndexedStats.table(store, by: .name, where: query, detail: detail, batchBytes: 40_000)
                #expect(StatsJSON.encode(table) == StatsJSON.encode(TraceStats.groups(loaded.traces, by: .name, where: query)), "\(text)")
            }
            // Stats by session read attributes: decoded again, the full load's table.
            let loaded = try TraceLoader.load(paths: [path], detail: .full)
            let sessions = try IndexedStats.table(store, by: .session, detail: .full)
            #expect(StatsJSON.encode(sessions) == StatsJSON.encode(TraceStats.groups(loaded.traces, by: .session)))
        }
    }

    /// `diff --by` of two files from their skeletons: the report a full load of both gives.
    @Test func batchDiffFromSkeletonsIsTheFullLoadsReport() async throws {
        try await offPool(threads: 1) {
            let a = temporaryPath("skeleton-a.jsonl"), b = temporaryPath("skeleton-b.jsonl")
            try TraceGenerator(spans: 2_000, traces: 30, seed: 31).write(to: a, format: .otlpJSONL)
            try writeLines(b, SkeletonSummaryTests.awkwardLines())
            let fullA = try TraceLoader.load(paths: [a], detail: .summary), fullB = try TraceLoader.load(paths: [b], detail: .summary)
            for key in [BatchDiff.Key.spanName, .model] {
                let expected = BatchDiff(a: fullA.traces, b: fullB.traces, by: key, prices: .standard)
                let sideA = try IndexedStats.diffSide(try LazyTraceStore(path: a, skeletons: true), by: key, batchBytes: 50_000)
                let sideB = try IndexedStats.diffSide(try LazyTraceStore(path: b, skeletons: true), by: key, batchBytes: 500)
                let indexed = BatchDiff(a: sideA.table, b: sideB.table, meanA: sideA.mean, meanB: sideB.mean, by: key)
                #expect(indexed.runsA == 30 && indexed.runsB == 6)
                #expect(BatchDiffReport.json(indexed, sourceA: a, sourceB: b) == BatchDiffReport.json(expected, sourceA: a, sourceB: b))
            }
        }
    }

    static let traceMain = "11111111111111111111111111111111", traceLoop = "22222222222222222222222222222222"
    static let traceDup = "33333333333333333333333333333333", traceWide = "44444444444444444444444444444444"
    static let traceFar = "55555555555555555555555555555555", tracePad = "66666666666666666666666666666666"

    static func span(_ trace: String, _ id: String, parent: String? = nil, name: String, start: Int64, end: Int64?,
                     error: Bool = false, attributes: [String] = []) -> String {
        var s = #"{"traceId":"\#(trace)","spanId":"\#(id)""#
        if let parent { s += #","parentSpanId":"\#(parent)""# }
        s += #","name":"\#(name)","kind":1,"startTimeUnixNano":"\#(start)""#
        if let end { s += #","endTimeUnixNano":"\#(end)""# }
        if !attributes.isEmpty { s += #","attributes":[\#(attributes.joined(separator: ","))]"# }
        if error { s += #","status":{"code":2}"# }
        return s + "}"
    }

    static func attr(_ key: String, _ value: String) -> String { #"{"key":"\#(key)","value":{"stringValue":"\#(value)"}}"# }
    static func attr(_ key: String, int: Int) -> String { #"{"key":"\#(key)","value":{"intValue":"\#(int)"}}"# }

    static func request(service: String, _ spans: [String], resourceLast: Bool = false) -> String {
        let resource = #""resource":{"attributes":[\#(attr("service.name", service))]}"#
        let scopes = #""scopeSpans":[{"scope":{"name":"test"},"spans":[\#(spans.joined(separator: ","))]}]"#
        return #"{"resourceSpans":[{\#(resourceLast ? scopes + "," + resource : resource + "," + scopes)}]}"#
    }

    static func awkwardLines() -> [String] {
        let llm = [attr("gen_ai.request.model", "gpt-4o-mini"), attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                   attr("gen_ai.usage.input_tokens", int: 900), attr("gen_ai.usage.output_tokens", int: 120),
                   attr("gen_ai.prompt", String(repeating: "a long prompt ", count: 30))]
        let failed = [attr("gen_ai.request.model", "gpt-4o-mini"), attr("gen_ai.usage.input_tokens", int: 50)]
        var lines: [String] = []
        lines.append(request(service: "front", [
            span(traceMain, "a000000000000001", name: #"agent \"plan\" \u00e9"#, start: 1_000, end: 90_000),
            span(traceFar, "f000000000000001", name: "far root", start: 5_000, end: 60_000, attributes: [attr("session.id", "conv-2")]),
            span(traceMain, "a000000000000002", parent: "a000000000000001", name: "llm", start: 2_000, end: 30_000,
                 attributes: llm + [attr("session.id", "conv-1")]),
            span(traceMain, "a000000000000003", parent: "a000000000000001", name: "llm", start: 31_000, end: 40_000, error: true,
                 attributes: failed),
            // An orphan, a span whose parent id is empty (a second root) and one without an end.
            span(traceMain, "a000000000000004", parent: "ffffffffffffffff", name: "orphan", start: 500, end: 95_000),
            span(traceMain, "a000000000000005", parent: "", name: "second root", start: 1_000, end: 2_000),
            span(traceMain, "a000000000000006", parent: "a000000000000002", name: "no end", start: 3_000, end: nil),
            // Skipped: no span id.
            #"{"traceId":"\#(traceMain)","name":"nameless","startTimeUnixNano":"1"}"#,
        ]))
        // Loops: x → y → x, and z its own parent, beside a real root w; the resource comes last.
        lines.append(request(service: "loops", [
            span(traceLoop, "b000000000000001", parent: "b000000000000002", name: "x", start: 10, end: 100),
            span(traceLoop, "b000000000000002", parent: "b000000000000001", name: "y", start: 20, end: 90, error: true),
            span(traceLoop, "b000000000000003", parent: "b000000000000003", name: "z", start: 30, end: 40),
            span(traceLoop, "b000000000000004", name: "w", start: 5, end: 200),
        ], resourceLast: true))
        // Repeated ids: an exact copy (kept once) and a different span under the same id.
        let copy = span(traceDup, "c000000000000002", parent: "c000000000000001", name: "retry", start: 200, end: 300)
        lines.append(request(service: "dup", [
            span(traceDup, "c000000000000001", name: "dup root", start: 100, end: 1_000), copy, copy,
            span(traceDup, "c000000000000002", parent: "c000000000000001", name: "other", start: 400, end: 900),
        ]))
        // Ids that are not 64-bit hex: 128-bit hex, a UUID and plain text, as spans and parents.
        lines.append(request(service: "wide", [
            span(traceWide, "0123456789abcdef0123456789abcdef", name: "wide root", start: 7_000, end: 8_000,
                 attributes: [attr("app.conversation", "conv-3")]),
            span(traceWide, "01234567-89ab-cdef-0123-456789abcdef", parent: "0123456789abcdef0123456789abcdef", name: "uuid child",
                 start: 7_100, end: 7_900),
            span(traceWide, "plain-text-id", parent: "01234567-89ab-cdef-0123-456789abcdef", name: "text child",
                 start: 7_200, end: 7_300, error: true),
        ]))
        // Padding between the far trace's root and its child, across windows and parts.
        for i in 0..<12 {
            lines.append(request(service: "pad", [
                span(tracePad, "d" + String(repeating: "0", count: 15 - String(i + 1).count) + String(i + 1), parent: i == 0 ? nil : "d000000000000001", name: "pad \(i % 3)",
                     start: 9_000 + Int64(i), end: 9_500, attributes: [attr("note", String(repeating: "padding ", count: 40))]),
            ]))
        }
        lines.append(request(service: "back", [
            span(traceFar, "F00000000000ABC2", parent: "f000000000000001", name: "far child", start: 6_000, end: 70_000, attributes: llm),
        ]))
        return lines
    }

    func writeLines(_ path: String, _ lines: [String]) throws {
        try Array((lines.joined(separator: "\n") + "\n").utf8).write(to: path)
    }
}

/// A file that could not be written.
private struct CannotWrite: Error {}

extension Array where Element == UInt8 {
    /// Writes the bytes to a new file at `path`.
    fileprivate func write(to path: String) throws {
        guard let f = fopen(path, "wb") else { throw CannotWrite() }
        defer { fclose(f) }
        guard fwrite(self, 1, count, f) == count else { throw CannotWrite() }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
