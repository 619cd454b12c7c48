import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// Which file each trace came from, for the explorer's status bar when several files open at once.
@Suite struct TraceSourcesTests {
    let shared = "0af7651916cd43dd8448eb211c80319c"
    let onlyB = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test("a trace split over two files names both; a trace in one file names that one")
    func perTraceSources() throws {
        let dir = temporaryDirectory()
        try writeFile(dir + "/a.json", Array(otlp([otlpSpan("00f067aa0ba902b7", trace: shared)]).utf8))
        try writeFile(dir + "/b.json", Array(otlp([
            otlpSpan("00f067aa0ba902b8", parent: "00f067aa0ba902b7", trace: shared),
            otlpSpan("00f067aa0ba902b9", trace: onlyB),
        ]).utf8))
        let doc = try TraceLoader.load(paths: [dir])
        #expect(doc.traces.count == 2)
        #expect(doc.sources(of: TraceID(shared)) == [dir + "/a.json", dir + "/b.json"])
        #expect(doc.sources(of: TraceID(onlyB)) == [dir + "/b.json"])
        let listed = try TraceLoader.load(paths: [dir + "/b.json", dir + "/a.json"])
        #expect(listed.sources(of: TraceID(shared)) == [dir + "/b.json", dir + "/a.json"])
    }

    @Test("a large file read in parallel pieces still names its source for every trace")
    func parallelPieces() throws {
        let dir = temporaryDirectory()
        // JSON Lines with many requests, past JSONLinesSplitter.minimumSize (4 MiB): read in pieces on all cores.
        var lines: [String] = []
        for t in 0..<2000 {
            let trace = String(repeating: "0", count: 28) + String(format: "%04x", t + 1)
            lines.append(otlp([otlpSpan("00f067aa0ba902b7", trace: trace, attributes: kv("pad", string: String(repeating: "x", count: 2500)))])
                .replacingOccurrences(of: "\n", with: ""))
        }
        try writeFile(dir + "/many.jsonl", Array(lines.joined(separator: "\n").utf8))
        let doc = try TraceLoader.load(paths: [dir + "/many.jsonl"])
        #expect(doc.traces.count == 2000)
        #expect(doc.traces.allSatisfy { doc.sources(of: $0.id) == [dir + "/many.jsonl"] })
    }
}
