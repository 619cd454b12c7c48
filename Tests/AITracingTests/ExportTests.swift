import AITracing
import TraceAnalysis
import TraceFormats
import TraceModel
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Records the seed's example agent trace: a root, an LLM call, a tool call with its own LLM
/// call, and an unpriced local model.
func recordAgentTrace(_ tracer: AITracer) -> TraceID {
    tracer.withSpan("process_request", attributes: [Attribute("user", "u-42")]) { root in
        tracer.withLLMSpan(model: "gpt-4o") { llm in
            llm.setAIMetrics(model: "gpt-4o", promptTokens: 812, completionTokens: 164)
        }
        tracer.withSpan("execute_tool", attributes: [Attribute("tool", "web_search")]) { _ in
            tracer.withLLMSpan(model: "gpt-4o-mini") { llm in
                llm.setAIMetrics(model: "gpt-4o-mini", promptTokens: 300, completionTokens: 40)
            }
        }
        tracer.withLLMSpan(model: "local-llama") { llm in
            llm.setAIMetrics(model: "local-llama", promptTokens: 50, completionTokens: 5)
        }
        return root.context.traceID
    }
}

/// The shape a reader should see: (name, parent name, service) per span, sorted.
func shape(_ t: Trace) -> [String] {
    (0..<t.count).map { i in
        let parent = t.parent(of: i).map { t.spans[$0].name } ?? "-"
        return "\(t.spans[i].name) <- \(parent) @\(t.spans[i].service)"
    }.sorted()
}

/// The flushes run in the background; `waitUntil` bounds each wait and the suite's time limit
/// bounds the rest (a shutdown or flush that never returns).
@Suite(.timeLimit(.minutes(2))) struct ExportTests {
    @Test(arguments: TraceFile.Format.allCases)
    func aRecordedTraceRoundTripsThroughSpanscopesReader(_ format: TraceFile.Format) throws {
        let tracer = makeTracer("agent-service")
        let id = recordAgentTrace(tracer)
        let original = tracer.trace(id)
        let path = temporaryPath("trace.json")
        try tracer.store.write(format, to: path)
        let doc = try TraceLoader.load(path: path)
        #expect(doc.traces.count == 1)
        let back = doc.traces[0]
        #expect(back.id.description == id.description)
        #expect(shape(back) == shape(original))
        let before = TraceStatistics(trace: original, prices: .standard).trace
        let after = TraceStatistics(trace: back, prices: .standard).trace
        #expect(after.llmCalls == 3)
        #expect(after.promptTokens == before.promptTokens)
        #expect(after.completionTokens == before.completionTokens)
        #expect(after.totalTokens == 812 + 164 + 300 + 40 + 55)
        #expect(abs(after.costUSD - before.costUSD) < 1e-12)
        #expect(after.unpricedCalls == 1)
        // Times survive (the seed's shape keeps them as float seconds: microsecond precision).
        let tolerance: Int64 = format == .seedJSON ? 1_000 : 0
        #expect(abs(back.startNanos - original.startNanos) <= tolerance)
    }

    @Test func otlpJSONLinesAppendsOneRequestPerBatch() async throws {
        let path = temporaryPath("spans.jsonl")
        let exporter = OTLPJSONLinesFileExporter(path: path)
        let tracer = makeTracer()
        let id = recordAgentTrace(tracer)
        let spans = tracer.store.spans()
        try await exporter.export(Array(spans[0..<2]))
        try await exporter.export(Array(spans[2...]))
        let text = String(decoding: try TraceLoader.readFile(path), as: UTF8.self)
        #expect(text.split(separator: "\n").count == 2)
        let doc = try TraceLoader.load(path: path)
        #expect(doc.format == "OTLP JSON Lines")
        #expect(doc.traces.count == 1)
        #expect(shape(doc.traces[0]) == shape(tracer.trace(id)))
    }

    @Test func batchingExporterFlushesWhenABatchFills() async throws {
        let path = temporaryPath("batched.jsonl")
        let tracer = makeTracer()
        let exporter = BatchingExporter(store: tracer.store, exporter: OTLPJSONLinesFileExporter(path: path),
                                        maxBatchSize: 10, maxDelay: .seconds(3600))
        for _ in 0..<10 { tracer.withSpan("s") { _ in } }
        // The size threshold fired; wait for the background flush to land (no timing assertion).
        try #require(await waitUntil("the first batch of 10 to be exported") { await exporter.exportedSpans >= 10 })
        // Below the next threshold, and the delay is an hour: these wait for shutdown.
        for _ in 0..<5 { tracer.withSpan("s") { _ in } }
        #expect(await exporter.exportedSpans == 10)
        #expect(tracer.store.pendingCount == 5)
        await exporter.shutdown()
        #expect(await exporter.exportedSpans == 15)
        #expect(tracer.store.pendingCount == 0)
        let doc = try TraceLoader.load(path: path)
        #expect(doc.spanCount == 15)
        #expect(Set(doc.traces.flatMap { $0.spans.map(\.spanID) }).count == 15)
    }

    @Test func batchingExporterFlushesAfterTheDelay() async throws {
        let path = temporaryPath("timed.jsonl")
        let tracer = makeTracer()
        let exporter = BatchingExporter(store: tracer.store, exporter: OTLPJSONLinesFileExporter(path: path),
                                        maxBatchSize: 1000, maxDelay: .milliseconds(20))
        tracer.withSpan("lonely") { _ in }
        try #require(await waitUntil("the delayed flush") { await exporter.exportedSpans >= 1 })
        #expect(try TraceLoader.load(path: path).spanCount == 1)
        await exporter.shutdown()
    }

    @Test func exportedSpansMakeRoomInABoundedStore() async throws {
        let path = temporaryPath("room.jsonl")
        let tracer = makeTracer(limit: 64)
        let exporter = BatchingExporter(store: tracer.store, exporter: OTLPJSONLinesFileExporter(path: path),
                                        maxBatchSize: 16, maxDelay: .seconds(3600))
        for round in 0..<10 {
            for _ in 0..<32 { tracer.withSpan("r\(round)") { _ in } }
            await exporter.flush()
        }
        await exporter.shutdown()
        #expect(tracer.store.dropReport.count == 0)
        #expect(tracer.store.count <= 64)
        #expect(try TraceLoader.load(path: path).spanCount == 320)
    }

    @Test func aFullDiskIsReportedOnceAndTheSpansAreKept() async throws {
        let reports = ReportLog()
        let tracer = makeTracer()
        let exporter = BatchingExporter(store: tracer.store, exporter: OTLPJSONLinesFileExporter(path: "/dev/full"),
                                        maxBatchSize: 1000, maxDelay: .seconds(3600), onError: { reports.add($0) })
        for _ in 0..<3 { tracer.withSpan("s") { _ in } }
        #expect(await exporter.flush() == false)
        #expect(await exporter.flush() == false)
        #expect(await exporter.shutdown() == false)
        #expect(reports.all.count == 1)
        let error = try #require(reports.all.first)
        #expect(error.kind == .exportFailed)
        #expect(error.description.contains("/dev/full"))
        #expect(error.description.contains("No space left on device"))
        #expect(error.description.contains("3 spans kept in memory"))
        #expect(await exporter.failedExports == 3)
        #expect(tracer.store.pendingCount == 3)
        #expect(tracer.store.count == 3)
        // The spans were kept, so a working destination still gets all of them.
        let path = temporaryPath("recovered.jsonl")
        let second = BatchingExporter(store: tracer.store, exporter: OTLPJSONLinesFileExporter(path: path), maxDelay: .seconds(3600))
        #expect(await second.shutdown())
        #expect(try TraceLoader.load(path: path).spanCount == 3)
    }

    @Test func aReadOnlyLocationFailsWithAClearErrorAndKeepsTheSpans() async throws {
        let tracer = makeTracer()
        _ = recordAgentTrace(tracer)
        // A folder without write permission stops everyone but root; /proc refuses even root.
        let folder = temporaryPath("")
        chmod(folder, 0o555)
        let path = getuid() == 0 ? "/proc/aitracing-test.json" : folder + "trace.json"
        #expect {
            try tracer.store.write(.seedJSON, to: path)
        } throws: { error in
            guard let e = error as? AITracingError else { return false }
            return e.kind == .exportFailed && e.description.hasPrefix(path + ": cannot write trace file: ")
        }
        #expect(tracer.store.count == 5)
        let reports = ReportLog()
        let exporter = BatchingExporter(store: tracer.store, exporter: OTLPJSONLinesFileExporter(path: path),
                                        maxDelay: .seconds(3600), onError: { reports.add($0) })
        #expect(await exporter.shutdown() == false)
        #expect(reports.all.count == 1)
        #expect(tracer.store.pendingCount == 5)
    }

    @Test func wholeFileWritesReplaceTheFileAtomically() throws {
        let tracer = makeTracer()
        _ = recordAgentTrace(tracer)
        let path = temporaryPath("atomic.json")
        try tracer.store.write(.otlpJSON, to: path)
        let first = try TraceLoader.readFile(path)
        _ = recordAgentTrace(tracer)
        try tracer.store.write(.otlpJSON, to: path)
        #expect(try TraceLoader.load(path: path).traces.count == 2)
        #expect(try TraceLoader.readFile(path).count > first.count)
        // No temporary file is left beside it.
        let folder = String(path.dropLast("atomic.json".count))
        #expect(try listFolder(folder) == ["atomic.json"])
    }
}

final class ReportLog: Sendable {
    private let errors = Locked<[AITracingError]>([])
    func add(_ e: AITracingError) { errors.withLock { $0.append(e) } }
    var all: [AITracingError] { errors.withLock { $0 } }
}

import Synchronization

func listFolder(_ path: String) throws -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}
