import TestSupport
import Testing
import TraceModel
import TerminalText
import TraceWriters
@testable import TraceFormats
#if canImport(Glibc)
import Glibc
#endif

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try AtomicFile.write(bytes, to: path)
}

@Suite struct SourcesTests {
    @Test func gzipFilesAreDetectedByTheirMagicBytes() throws {
        let original = try TraceLoader.readFile(sampleDirectory + "/rag-pipeline.otlp.json")
        let dir = temporaryDirectory()
        let path = dir + "/trace.json"   // no .gz in the name: content decides
        try writeFile(path, original)
        #expect(system("gzip -q \(path) && mv \(path).gz \(path)") == 0)
        let doc = try TraceLoader.load(path: path)
        #expect(doc.spanCount == 6)
        #expect(doc.traces[0].llmCalls.count == 2)
    }

    @Test func corruptGzipIsAClearError() throws {
        var bytes: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]
        bytes += [UInt8](repeating: 0xFF, count: 40)
        do {
            _ = try TraceLoader.decode(bytes, source: "bad.gz")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("bad.gz: gzip data is corrupt"))
        }
    }

    @Test func filesOfOneTraceFromSeveralServicesJoin() throws {
        // The agent sample's two lines are the two services' batches; put each in its own file.
        let text = String(decoding: try TraceLoader.readFile(sampleDirectory + "/agent-parallel-tools.otlp.jsonl"), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        let dir = temporaryDirectory()
        try writeFile(dir + "/agent.json", Array(lines[0].utf8))
        try writeFile(dir + "/tools.json", Array(lines[1].utf8))
        try writeFile(dir + "/README.txt", Array("exported from prod on Tuesday".utf8))
        let merged = try TraceLoader.load(paths: [dir + "/agent.json", dir + "/tools.json"])
        #expect(merged.traces.count == 1)
        #expect(merged.traces[0].count == 14)
        #expect(merged.traces[0].flags.allSatisfy { !$0.contains(.orphan) })
        let fromDirectory = try TraceLoader.load(path: dir)
        #expect(fromDirectory.traces.count == 1 && fromDirectory.spanCount == 14)
        #expect(fromDirectory.warnings.count == 1)
        #expect(fromDirectory.warnings[0].contains("README.txt: not a trace file"))
        // One file alone leaves the tool-service spans as orphans under a missing parent.
        let toolsOnly = try TraceLoader.load(path: dir + "/tools.json")
        #expect(toolsOnly.traces[0].flags.contains { $0.contains(.orphan) })
    }

    @Test func formatsMixInOneLoad() throws {
        let dir = temporaryDirectory()
        try writeFile(dir + "/a.json", try TraceLoader.readFile(sampleDirectory + "/seed-agent-tool.json"))
        try writeFile(dir + "/b.json", try TraceLoader.readFile(fixtureDirectory + "python-otel-zipkin.json"))
        let doc = try TraceLoader.load(path: dir)
        #expect(doc.format == "seed JSON + Zipkin JSON")
        #expect(doc.traces.count == 2)
    }
}
