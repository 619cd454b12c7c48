import Synthetic
import Testing
import TraceModel
@testable import TraceFormats

@Suite struct ParallelLoadTests {
    @Test func jsonLinesReadInChunksEqualsTheSingleObjectRead() throws {
        let dir = temporaryDirectory()
        let generator = TraceGenerator(spans: 8_000, traces: 16, seed: 3)
        try generator.write(to: dir + "/lines.jsonl", format: .otlpJSONL)
        try generator.write(to: dir + "/one.json", format: .otlp)
        let buffer = try TraceLoader.readFileBuffer(dir + "/lines.jsonl")
        let chunks = withExtendedLifetime(buffer) { JSONLinesSplitter.chunks(buffer.bytes, from: 0, parts: 2) }
        #expect(chunks?.count == 2, "the file is large enough to be split")

        let lines = try TraceLoader.load(path: dir + "/lines.jsonl")
        let one = try TraceLoader.load(path: dir + "/one.json")
        #expect(lines.format == "OTLP JSON Lines" && one.format == "OTLP JSON")
        #expect(lines.traces.count == 16 && one.traces.count == 16)
        for (a, b) in zip(lines.traces, one.traces) {
            #expect(a.id == b.id)
            #expect(a.spans.map(\.spanID) == b.spans.map(\.spanID))
            #expect(a.parents == b.parents)
            #expect(a.llmCalls == b.llmCalls)
        }
    }

    @Test func aSyntaxErrorInALaterChunkKeepsEarlierSpansAndPointsAtTheRightLine() throws {
        let dir = temporaryDirectory()
        try TraceGenerator(spans: 8_000, traces: 16, seed: 4).write(to: dir + "/lines.jsonl", format: .otlpJSONL)
        var bytes = try TraceLoader.readFile(dir + "/lines.jsonl")
        // Break the 14th line (in the second half of the file) with a stray character.
        var newlines = 0
        var at = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            newlines += 1
            if newlines == 13 { at = i + 20; break }
        }
        bytes.insert(UInt8(ascii: "#"), at: at)
        try AtomicFile.write(bytes, to: dir + "/broken.jsonl")
        do {
            _ = try TraceLoader.load(path: dir + "/broken.jsonl")
            Issue.record("expected an error")
        } catch {
            guard case .byte(let offset, let line, _) = error.location else { Issue.record("no location"); return }
            #expect(line == 14)
            #expect(offset == at)
            #expect((error.partial?.spanCount ?? 0) >= 13 * 500)
        }
    }
}
