import Synthetic
import TestSupport
import Testing
import TraceModel
@testable import TraceConventions
@testable import TraceFormats
import TerminalText
import TraceWriters

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

@Suite struct ReleasedPrefixTests {
    @Test func linesStayRightAfterTheStartOfTheBufferIsReleased() throws {
        let dir = temporaryDirectory()
        // 40 lines of 5000 bytes: released pages hold many newlines.
        var text = ""
        for i in 0..<40 { text += String(repeating: i % 2 == 0 ? "a" : "b", count: 4999) + "\n" }
        try AtomicFile.write(Array(text.utf8), to: dir + "/lines.txt")
        let buffer = try TraceLoader.readFileBuffer(dir + "/lines.txt")
        try #require(buffer.canRelease)
        withExtendedLifetime(buffer) {
            var scanner = JSONScanner(buffer.bytes)
            let before = scanner.lineAndColumn(of: 150_003)
            let released = ReleasedPrefix()
            released.release(buffer.bytes, upTo: 120_000)
            scanner.released = released
            #expect(released.newlines == 24 || released.newlines == 23, "whole pages before 120000 went")
            #expect(scanner.lineAndColumn(of: 150_003) == before)
            #expect(before.line == 31 && before.column == 4)
            #expect(released.totalNewlines(in: buffer.bytes) == 40)
        }
    }

    @Test func aBadSpanInALaterChunkIsReportedOnItsLine() throws {
        let dir = temporaryDirectory()
        try TraceGenerator(spans: 8_000, traces: 16, seed: 5).write(to: dir + "/lines.jsonl", format: .otlpJSONL)
        var text = String(decoding: try TraceLoader.readFile(dir + "/lines.jsonl"), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Line 15: the first span's name becomes a number.
        let spansStart = lines[14].range(of: #""spans":["#)!.upperBound
        if let r = lines[14].range(of: #""name":""#, range: spansStart..<lines[14].endIndex) {
            let end = lines[14][r.upperBound...].firstIndex(of: "\"")!
            lines[14].replaceSubrange(r.lowerBound...end, with: #""name":42"#)
        }
        text = lines.joined(separator: "\n")
        try AtomicFile.write(Array(text.utf8), to: dir + "/bad.jsonl")
        let doc = try TraceLoader.load(path: dir + "/bad.jsonl")
        #expect(doc.skippedSpans == 1)
        #expect(doc.warnings.count == 1)
        #expect(doc.warnings.first?.hasPrefix(dir + "/bad.jsonl:15:") == true, "\(doc.warnings)")
    }
}

@Suite struct ObjectSplitTests {
    @Test func oneLargeRequestIsCutAtResourceSpansEntries() throws {
        let dir = temporaryDirectory()
        try TraceGenerator(spans: 8_000, traces: 16, seed: 6).write(to: dir + "/one.json", format: .otlp)
        let buffer = try TraceLoader.readFileBuffer(dir + "/one.json")
        let cuts = withExtendedLifetime(buffer) { OTLPObjectSplitter.cuts(buffer.bytes, from: 0, parts: 3) }
        #expect(cuts?.count == 2)
        // A syntax error after the second cut is reported at its byte and column on line 1.
        var bytes = try TraceLoader.readFile(dir + "/one.json")
        // Break the structure (not a string's content): the comma between two spans.
        var at = bytes.count * 5 / 6
        while !(bytes[at] == UInt8(ascii: "}") && bytes[at + 1] == UInt8(ascii: ",") && bytes[at + 2] == UInt8(ascii: "{")) { at += 1 }
        at += 1
        bytes[at] = UInt8(ascii: "#")
        try AtomicFile.write(bytes, to: dir + "/broken.json")
        do {
            _ = try TraceLoader.load(path: dir + "/broken.json")
            Issue.record("expected an error")
        } catch {
            guard case .byte(let offset, let line, let column) = error.location else { Issue.record("no location"); return }
            #expect(line == 1)
            #expect(offset == at)
            #expect(column == offset + 1)
            #expect((error.partial?.spanCount ?? 0) > 4_000)
        }
    }

    @Test func aRequestWhoseEntriesDoNotStartWithResourceIsReadWhole() throws {
        // scopeSpans before resource: no safe cut, so one piece.
        let entry = #"{"scopeSpans":[],"resource":{"attributes":[]}}"#
        let text = #"{"resourceSpans":["# + Array(repeating: entry, count: 200_000).joined(separator: ",") + "]}"
        let bytes = Array(text.utf8)
        let cuts = bytes.withUnsafeBufferPointer { OTLPObjectSplitter.cuts($0, from: 0, parts: 2) }
        #expect(cuts == nil)
    }
}
