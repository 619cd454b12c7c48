import Foundation
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats
#if canImport(Glibc)
import Glibc
#endif

/// Hostile inputs the issue lists that BadInputTests does not already cover.
@Suite struct HostileInputTests {
    @Test func numbersBeyondRangeInEveryFormatSkipOrClampButNeverTrap() throws {
        // OTLP: a time of 21 digits or 1e30 is not a time; the span is skipped and named.
        let otlpBig = try decode(otlp([otlpSpan("1111111111111111").replacingOccurrences(
            of: #""startTimeUnixNano":"1000""#, with: #""startTimeUnixNano":"123456789012345678901""#),
                                       otlpSpan("2222222222222222").replacingOccurrences(
            of: #""startTimeUnixNano":"1000""#, with: #""startTimeUnixNano":1e30"#)]))
        #expect(otlpBig.spanCount == 0 && otlpBig.skippedSpans == 2)
        #expect(otlpBig.warnings.allSatisfy { $0.contains("startTimeUnixNano") })
        // Attribute integers past 64 bits keep their digits; NaN and infinities stay doubles.
        let attrs = [#"{"key":"u","value":{"intValue":18446744073709551616}}"#,
                     #"{"key":"n","value":{"intValue":"-99999999999999999999"}}"#,
                     #"{"key":"d","value":{"doubleValue":1e400}}"#,
                     #"{"key":"nan","value":{"doubleValue":NaN}}"#].joined(separator: ",")
        let a = try decode(otlp([otlpSpan("3333333333333333", attributes: attrs)])).traces[0].spans[0].attributes
        #expect(a[key: "u"] == .string("18446744073709551616"))
        #expect(a[key: "n"] == .string("-99999999999999999999"))
        #expect(a[key: "d"] == .double(.infinity))
        #expect(a[key: "nan"]?.doubleValue?.isNaN == true)
        // Seed: NaN or Infinity as a time is refused for that span; a 30-digit id is kept as text.
        let seed = try decode(#"""
            {"trace_id":"t","spans":[{"span_id":"a","start_time":NaN,"duration_ms":1},
             {"span_id":"b","start_time":-Infinity},{"span_id":123456789012345678901234567890,"duration_ms":1e308}]}
            """#)
        #expect(seed.skippedSpans == 2)
        #expect(seed.traces[0].spans[0].spanID.description == "123456789012345678901234567890")
        #expect(Span.timeRange.contains(seed.traces[0].spans[0].endNanos))
        // Zipkin and Jaeger: out-of-range microseconds skip the span with a reason.
        let zipkin = try decode(#"[{"traceId":"1","id":"2","timestamp":1e300},{"traceId":"1","id":"3","timestamp":5,"duration":Infinity}]"#)
        #expect(zipkin.skippedSpans == 2)
        #expect(zipkin.warnings.contains { $0.contains("out of range") })
    }

    @Test func crlfJSONLinesWithAByteOrderMarkReadTheSameInParallelChunks() throws {
        var text = ""
        for i in 0..<40 {
            let id = String(format: "%016x", i + 1)
            let parent = i == 0 ? "" : String(format: "%016x", i)
            text += otlp([otlpSpan(id, parent: parent, name: "s\(i)")]).replacingOccurrences(of: "\n", with: " ") + "\r\n"
        }
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        let whole = try TraceLoader.decode(bytes, source: "crlf.jsonl")
        #expect(whole.spanCount == 40 && whole.traces[0].depths.max() == 39)
        var parallel = SpanCollector()
        try bytes.withUnsafeBufferPointer { buf in
            let chunks = try #require(JSONLinesSplitter.chunks(buf, from: 3, parts: 4, minimumSize: 0))
            #expect(chunks.count == 4 && chunks[0].lowerBound == 3)
            try TraceLoader.readOTLPLinesInParallel(buf, chunks: chunks, source: "crlf.jsonl", into: &parallel, release: false,
                                                     progress: nil, detail: .full)
        }
        let doc = parallel.document(source: "crlf.jsonl")
        #expect(doc.traces[0].spans.map(\.spanID) == whole.traces[0].spans.map(\.spanID))
        #expect(doc.traces[0].parents == whole.traces[0].parents)
    }

    @Test func aFileGrowingWhileItIsReadGivesAConsistentPrefix() throws {
        // A writer appends whole lines, each written in two pieces so that a read can stop
        // mid-line; the load sees some prefix: every span it reports is whole, and a cut last
        // line is a "truncated" error that keeps the lines before it.
        let dir = temporaryDirectory()
        let path = dir + "/growing.jsonl"
        @Sendable func line(_ i: Int) -> [UInt8] {
            Array((otlp([otlpSpan(String(format: "%016x", i + 1), name: "s\(i)")])
                   .replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
        }
        try writeFile(path, (0..<50).flatMap(line))
        let fd = open(path, O_WRONLY | O_APPEND)
        #expect(fd >= 0)
        let writer = Thread {
            for i in 50..<2_000 {
                let l = line(i)
                let half = l.count / 2
                l.withUnsafeBytes { raw in
                    _ = write(fd, raw.baseAddress!, half)
                    _ = write(fd, raw.baseAddress! + half, l.count - half)
                }
            }
            close(fd)
        }
        writer.start()
        var seen: [Int] = []
        for _ in 0..<20 {
            do {
                let doc = try TraceLoader.load(path: path)
                seen.append(doc.spanCount)
                #expect(doc.traces.allSatisfy { $0.spans.allSatisfy { $0.name.hasPrefix("s") } })
            } catch {
                #expect(error.description.contains("truncated"), "\(error.description)")
                let partial = try #require(error.partial)
                seen.append(partial.spanCount)
            }
        }
        while !writer.isFinished { usleep(1_000) }
        #expect(seen.allSatisfy { $0 >= 50 && $0 <= 2_000 })
        #expect(try TraceLoader.load(path: path).spanCount == 2_000)
    }

    @Test func anUnreadableFileIsAClearErrorEvenForRoot() throws {
        // Permissions do not stop root (BadInputTests checks "permission denied" for other users);
        // /proc/self/mem opens for anyone but fails to read at offset 0.
        #if os(Linux)
        do {
            _ = try TraceLoader.load(path: "/proc/self/mem")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/proc/self/mem: cannot be read: "))
        }
        #endif
        // A path through a regular file is not a directory.
        let dir = temporaryDirectory()
        try writeFile(dir + "/file.json", Array("{}".utf8))
        do {
            _ = try TraceLoader.load(path: dir + "/file.json/trace.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix(dir + "/file.json/trace.json: cannot be opened: "))
        }
    }

    @Test func emptyFilesAndDirectoriesOnDisk() throws {
        let dir = temporaryDirectory()
        try writeFile(dir + "/empty.json", [])
        let empty = #expect(throws: TraceFormatError.self) { try TraceLoader.load(path: dir + "/empty.json") }
        #expect(empty?.description == dir + "/empty.json: empty file: no traces in it")
        // A directory with one trace and one stray file reads the trace and names the stray one.
        try writeFile(dir + "/notes.txt", Array("hello".utf8))
        try writeFile(dir + "/trace.json", Array(otlp([otlpSpan("1111111111111111")]).utf8))
        let doc = try TraceLoader.load(path: dir)
        #expect(doc.spanCount == 1)
        #expect(doc.warnings.contains { $0.contains("notes.txt") && $0.contains("skipped") })
        #expect(doc.warnings.contains { $0.contains("empty.json") })
    }
}
