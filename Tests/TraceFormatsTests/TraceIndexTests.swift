#if canImport(Glibc)
import Glibc
#endif
import Synthetic
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// The index scan and the lazy store, checked against a full load of the same file.
@Suite struct TraceIndexTests {
    /// Checks every list field of the index, and every trace the store decodes, against a full load.
    func expectMatchesFullLoad(_ path: String, parts: Int, window: Int = TraceIndexer.windowSize,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let full = try TraceLoader.load(path: path)
        // The index keeps the LLM calls a summary keeps (no parameters): those of a summary load.
        let summary = try TraceLoader.load(paths: [path], detail: .summary)
        let index = try TraceIndexer.index(path: path, parts: parts, window: window)
        #expect(index.format == full.format, sourceLocation: sourceLocation)
        #expect(index.traces.map(\.id) == full.traces.map(\.id), "same traces in the same order", sourceLocation: sourceLocation)
        #expect(index.skippedSpans == full.skippedSpans, sourceLocation: sourceLocation)
        let store = try LazyTraceStore(index: index)
        for (i, (entry, (trace, summaryTrace))) in zip(index.traces, zip(full.traces, summary.traces)).enumerated() {
            #expect(entry.spanCount == trace.count, sourceLocation: sourceLocation)
            #expect(entry.errorCount == trace.spans.filter { $0.status.isError }.count, sourceLocation: sourceLocation)
            #expect(entry.startNanos == trace.startNanos && entry.endNanos == trace.endNanos, sourceLocation: sourceLocation)
            #expect(entry.rootName == trace.rootName, sourceLocation: sourceLocation)
            #expect(entry.rootService == (trace.rootIndex.map { trace.spans[$0].service } ?? ""), sourceLocation: sourceLocation)
            #expect(entry.llmCalls == summaryTrace.llmCalls, sourceLocation: sourceLocation)
            #expect(entry.sessionID == trace.sessionID(keys: SessionConventions.standardKeys), sourceLocation: sourceLocation)
            let opened = try store.trace(at: i)
            #expect(opened.spans.map(\.spanID) == trace.spans.map(\.spanID), "file order kept", sourceLocation: sourceLocation)
            #expect(opened.spans.map(\.service) == trace.spans.map(\.service), sourceLocation: sourceLocation)
            #expect(opened.spans.map(\.origin.scopeName) == trace.spans.map(\.origin.scopeName), sourceLocation: sourceLocation)
            #expect(opened.spans.map(\.attributes.count) == trace.spans.map(\.attributes.count), sourceLocation: sourceLocation)
            #expect(opened.spans.map(\.events.count) == trace.spans.map(\.events.count), sourceLocation: sourceLocation)
            #expect(opened.parents == trace.parents, sourceLocation: sourceLocation)
            #expect(opened.llmCalls == trace.llmCalls, sourceLocation: sourceLocation)
        }
    }

    @Test func generatedLinesMatchAFullLoadOnOneTwoAndThreeCores() throws {
        let path = temporaryDirectory() + "/lines.jsonl"
        try TraceGenerator(spans: 6_000, traces: 12, seed: 11).write(to: path, format: .otlpJSONL)
        for parts in [1, 2, 3] {
            // A 64 KiB window: every line (a whole trace) is longer, so windows grow and refill.
            try expectMatchesFullLoad(path, parts: parts, window: 1 << 16)
        }
    }

    @Test func sampleFilesMatchAFullLoad() throws {
        for name in ["agent-parallel-tools.otlp.jsonl", "openllmetry-triage-batch.otlp.jsonl"] {
            try expectMatchesFullLoad(sampleDirectory + "/" + name, parts: 2, window: 4096)
        }
    }

    /// Spans of traces A and B interleaved span by span, under two resources (one written after
    /// its spans) and two scopes, with A's last span far away at the end of the file, across
    /// core boundaries and window edges.
    static func interleavedFile() -> String {
        let a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", c = "cccccccccccccccccccccccccccccccc"
        func span(_ trace: String, _ id: String, parent: String = "", name: String, start: Int64, end: Int64,
                  error: Bool = false, attributes: String = "") -> String {
            otlpSpan(id, parent: parent, name: name, start: start, end: end, trace: trace, attributes: attributes,
                     extra: error ? #","status":{"code":"STATUS_CODE_ERROR"}"# : "")
        }
        let llm = [kv("gen_ai.request.model", string: "gpt-4o"), kv("gen_ai.usage.input_tokens", int: 120),
                   kv("gen_ai.usage.output_tokens", int: 30), kv("gen_ai.prompt", string: String(repeating: "long prompt text ", count: 40))]
            .joined(separator: ",")
        var lines: [String] = []
        lines.append(otlp(service: "svc-a", [
            span(a, "a000000000000001", name: #"agent \"run\" \u00e9"#, start: 1_000, end: 9_000),
            span(b, "b000000000000001", name: "other root", start: 500, end: 800),
            span(a, "a000000000000002", parent: "a000000000000001", name: "llm", start: 1_100, end: 2_000, attributes: llm),
            span(a, "a000000000000003", parent: "a000000000000001", name: "tool", start: 2_100, end: 2_500, error: true),
            span(b, "b000000000000002", parent: "b000000000000001", name: "b child", start: 600, end: 700),
        ]))
        // The resource after the spans, another scope name, a span with a bad trace id.
        lines.append("""
        {"resourceSpans":[{"scopeSpans":[{"spans":[\(span(b, "b000000000000003", parent: "b000000000000001", name: "b late", start: 650, end: 790)),\
        \(span(a, "a000000000000004", parent: "a000000000000003", name: "nested", start: 2_200, end: 2_300)),\
        \(span("", "d000000000000001", name: "no trace", start: 1, end: 2))],"scope":{"name":"second"}}],\
        "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc-b"}}]}}]}
        """)
        // Padding: a third trace over many long lines.
        for i in 0..<30 {
            let text = String(repeating: "padding \(i) ", count: 300)
            lines.append(otlp(service: "svc-c", [span(c, "c" + String(repeating: "0", count: 15 - String(i + 1).count) + String(i + 1), parent: i == 0 ? "" : "c000000000000001",
                                                      name: "c\(i)", start: 3_000 + Int64(i), end: 4_000,
                                                      attributes: kv("note", string: text))]))
        }
        lines.append(otlp(service: "svc-a", [span(a, "a000000000000005", parent: "a000000000000001", name: "far away",
                                                  start: 8_000, end: 9_500, attributes: llm)]))
        // The helpers write requests over two lines; JSON Lines has one per line.
        return lines.map { String($0.filter { $0 != "\n" }) }.joined(separator: "\n") + "\n"
    }

    @Test func interleavedAndDistantSpansOfATraceAreFoundAndReadBackInFileOrder() throws {
        let path = temporaryDirectory() + "/interleaved.jsonl"
        try writeFile(path, Array(TraceIndexTests.interleavedFile().utf8))
        for parts in [1, 2, 4] {
            try expectMatchesFullLoad(path, parts: parts, window: 1024)
        }
        let index = try TraceIndexer.index(path: path, parts: 2, window: 1024)
        // Worked out by hand from the file above.
        let b = index.traces[0], a = index.traces[1]
        #expect(b.rootName == "other root" && b.spanCount == 3 && b.startNanos == 500 && b.endNanos == 800)
        #expect(a.rootName == "agent \"run\" é" && a.rootService == "svc-a")
        #expect(a.spanCount == 5 && a.errorCount == 1 && a.startNanos == 1_000 && a.endNanos == 9_500)
        #expect(a.llmCalls.count == 2 && a.llmCalls.map { $0.promptTokens ?? 0 }.reduce(0, +) == 240)
        #expect(index.skippedSpans == 1)
        #expect(index.warnings == ["\(path):2:\(TraceIndexTests.column(of: "d000000000000001", line: 2, in: path)):"
                                   + " span skipped: missing 'traceId'"])
    }

    /// The column of the `{` opening the span whose id is `id` on a line of a file.
    static func column(of id: String, line: Int, in path: String) -> Int {
        let text = (try? TraceLoader.readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let l = Array(text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1].utf8)
        let needle = Array(id.utf8)
        var at = 0
        for i in 0...(l.count - needle.count) where Array(l[i..<i + needle.count]) == needle { at = i; break }
        while at > 0 && l[at] != UInt8(ascii: "{") { at -= 1 }
        return at + 1
    }

    @Test func aTruncatedFileGivesAnErrorForTracesBeyondTheCutAndStillOpensTheOthers() throws {
        let path = temporaryDirectory() + "/cut.jsonl"
        try writeFile(path, Array(TraceIndexTests.interleavedFile().utf8))
        let store = try LazyTraceStore(path: path)
        let size = store.index.bytes
        #expect(truncate(path, off_t(size / 2)) == 0)
        #expect(store.fileChanged)
        // Trace A has a span in the last line, now gone; trace B lies in the first two lines.
        let a = store.index.traces.firstIndex { $0.rootName.hasPrefix("agent") }!
        let b = store.index.traces.firstIndex { $0.rootName == "other root" }!
        let error = #expect(throws: TraceFormatError.self) { _ = try store.trace(at: a) }
        #expect(error?.description.contains("was truncated while open") == true)
        #expect(try store.trace(at: b).count == 3)
    }

    @Test func aFileRewrittenInPlaceGivesAChangedErrorNotWrongSpans() throws {
        let path = temporaryDirectory() + "/changed.jsonl"
        let original = Array(TraceIndexTests.interleavedFile().utf8)
        try writeFile(path, original)
        let store = try LazyTraceStore(path: path)
        // Same size, different bytes: the first line becomes blank.
        var changed = original
        for i in 0..<changed.firstIndex(of: 0x0A)! { changed[i] = 0x20 }
        let fd = open(path, O_WRONLY)
        #expect(changed.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) } == changed.count)
        close(fd)
        let b = store.index.traces.firstIndex { $0.rootName == "other root" }!
        let error = #expect(throws: TraceFormatError.self) { _ = try store.trace(at: b) }
        #expect(error?.description.contains("changed while open") == true)
    }

    @Test func anAppendedFileKeepsItsIndexedTracesReadable() throws {
        let path = temporaryDirectory() + "/growing.jsonl"
        let text = TraceIndexTests.interleavedFile()
        try writeFile(path, Array(text.utf8))
        let store = try LazyTraceStore(path: path)
        let fd = open(path, O_WRONLY | O_APPEND)
        let more = Array((otlp([otlpSpan("e000000000000001", trace: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")]).filter { $0 != "\n" } + "\n").utf8)
        #expect(more.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) } == more.count)
        close(fd)
        #expect(store.fileChanged)
        for i in 0..<store.count { #expect(try store.trace(at: i).count == store.index.traces[i].spanCount) }
    }

    @Test func aMalformedLineIsReportedWithItsLineAndColumn() throws {
        let path = temporaryDirectory() + "/bad.jsonl"
        var lines = TraceIndexTests.interleavedFile().split(separator: "\n").map(String.init)
        lines[20] = String(lines[20].dropLast(3))    // cut off the end of line 21
        try writeFile(path, Array(lines.joined(separator: "\n").utf8 + [0x0A]))
        for parts in [1, 2] {
            let error = #expect(throws: TraceFormatError.self) { _ = try TraceIndexer.index(path: path, parts: parts, window: 1024) }
            guard case .byte(_, let line, _) = error?.location else { Issue.record("no location"); continue }
            #expect(line == 21)
            #expect(error?.message.hasPrefix("truncated: line ends inside") == true)
        }
    }

    @Test func onlyJSONLinesOfOTLPRequestsAreIndexed() throws {
        let dir = temporaryDirectory()
        try writeFile(dir + "/lines.jsonl", Array(TraceIndexTests.interleavedFile().utf8))
        try writeFile(dir + "/pretty.json", Array("{\n  \"resourceSpans\": []\n}\n".utf8))
        try writeFile(dir + "/seed.json", Array("[{\"trace_id\":\"x\",\"spans\":[]}]\n".utf8))
        #expect(TraceIndexer.canIndex(path: dir + "/lines.jsonl"))
        #expect(!TraceIndexer.canIndex(path: dir + "/pretty.json"))
        #expect(!TraceIndexer.canIndex(path: dir + "/seed.json"))
        #expect(!TraceIndexer.canIndex(path: sampleDirectory + "/rag-pipeline.otlp.json"))
        #expect(!TraceIndexer.canIndex(path: dir))
        #expect(!TraceIndexer.shouldIndex(path: dir + "/lines.jsonl"), "small files are loaded whole")
    }
}
