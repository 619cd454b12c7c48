#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import Testing
import TraceModel
@testable import TraceConventions
@testable import TraceFormats

/// Inputs the fuzzer (Scripts/fuzz.sh) found to break a reader, each kept as a regression test,
/// shrunk to what matters. The name says what went wrong before the fix.
@Suite struct FuzzFindingTests {
    /// fuzz-decode: a backslash before a raw newline in a string put the newline into the error
    /// message (and a backslash before ESC would have put ESC on the user's terminal).
    @Test func invalidEscapeBeforeAControlByteIsDescribedNotCopied() {
        for byte: UInt8 in [0x0A, 0x1B, 0x07, 0x9B, 0xC2] {
            var bytes = Array(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a\"#.utf8)
            bytes.append(byte)
            bytes += Array(#"b"}]}]}]}"#.utf8)
            do {
                _ = try TraceLoader.decode(bytes, source: "bad.json")
                Issue.record("expected an error for byte \(byte)")
            } catch {
                #expect(error.description.allSatisfy { $0.isASCII && !($0.asciiValue! < 0x20) })
                #expect(error.description.contains("a backslash before byte 0x"))
            }
        }
    }
}

/// Crashes found by reading the readers with the fuzzer's eyes (the fuzzer had not reached them
/// in its runs: they need particular magnitudes or a nesting depth its inputs do not grow to).
@Suite struct ReviewFindingTests {
    /// SeedJSONReader added a 9e12 ms duration to a start near 2^63 ns: an overflow trap.
    @Test func seedTimesNearTheEndsOfInt64AreClampedNotATrap() throws {
        for text in [
            #"{"trace_id":"t","spans":[{"span_id":"a","start_time":9100000000,"duration_ms":9000000000000}]}"#,
            #"{"trace_id":"t","spans":[{"span_id":"a","start_time":-9100000000,"end_time":9100000000}]}"#,
            #"{"trace_id":"t","spans":[{"span_id":"a","duration_ms":9.2e15},{"span_id":"b","parent_span_id":"a","duration_ms":9.2e15}]}"#,
            #"{"trace_id":"t","spans":[{"span_id":"a","duration_ms":1,"events":[{"name":"response","timestamp":-9e9}]}]}"#,
        ] {
            let doc = try decode(text, source: "big.json")
            for t in doc.traces {
                #expect(t.spans.allSatisfy { Span.timeRange.contains($0.startNanos) && Span.timeRange.contains($0.endNanos) })
            }
        }
        let doc = try decode(#"{"trace_id":"t","spans":[{"span_id":"a","start_time":-5,"end_time":1}]}"#)
        #expect(doc.warnings.contains { $0.contains("times before 1970 or after 2116") })
        #expect(doc.traces[0].spans[0].startNanos == 0)
    }

    /// Zipkin and Jaeger multiplied microseconds by 1,000 with wrapping arithmetic: a huge
    /// timestamp became a negative time.
    @Test func zipkinAndJaegerMicrosecondsSaturate() throws {
        let zipkin = try decode(#"[{"traceId":"1","id":"2","timestamp":9223372036854774,"duration":9223372036854774}]"#)
        #expect(zipkin.traces[0].spans[0].startNanos == Span.timeRange.upperBound)
        let jaeger = try decode(#"{"data":[{"traceID":"1","spans":[{"traceID":"1","spanID":"2","operationName":"x","startTime":9223372036854774,"duration":9223372036854774}]}]}"#)
        #expect(jaeger.traces[0].spans[0].endNanos == Span.timeRange.upperBound)
    }

    /// `{"traces":[{"traces":[…` nested 200,000 deep: format detection and the seed reader both
    /// recursed once per level and overflowed the stack.
    @Test func deeplyNestedSeedTraceWrappersDoNotRecurse() throws {
        let n = 200_000
        let deep = String(repeating: #"{"traces":["#, count: n) + #"{"trace_id":"t","spans":[{"span_id":"a"}]}"#
            + String(repeating: "]}", count: n)
        #expect(throws: TraceFormatError.self) { try decode(deep) }
        var bytes = Array(deep.utf8)
        var collector = SpanCollector()
        try bytes.withUnsafeMutableBufferPointer { buf in
            var reader = SeedJSONReader(scanner: JSONScanner(UnsafeBufferPointer(buf)))
            try reader.readAll(into: &collector, source: "deep.json")
        }
        #expect(collector.spanCount == 0)
        #expect(collector.warnings.contains { $0.contains("nested more than 16 deep") })
        // A few levels of wrapping still read.
        let shallow = String(repeating: #"{"traces":["#, count: 3) + #"{"trace_id":"t","spans":[{"span_id":"a"}]}"#
            + String(repeating: "]}", count: 3)
        #expect(try decode(shallow).spanCount == 1)
    }
}

/// A hang found by review: every skipped span's warning counted lines from the start of the
/// file, so 100,000 bad spans in an 8 MB file took minutes (quadratic).
@Suite(.timeLimit(.minutes(2))) struct QuadraticWarningTests {
    static func badSpans(_ n: Int) -> String {
        let bad = #"{"traceId":"0af7651916cd43dd8448eb211c80319c","name":"x","startTimeUnixNano":"1"}"#
        return #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + "\n"
            + Array(repeating: bad, count: n).joined(separator: ",\n") + "\n]}]}]}"
    }

    /// CPU time of this thread, in nanoseconds: unlike the wall clock it does not grow while
    /// other tests hold the cores.
    static func threadCPUNanos() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    /// Decodes `n` bad spans three times; the least CPU time and the skipped count of each run.
    static func cost(_ n: Int) -> (nanos: Int64, skipped: [Int]) {
        let text = badSpans(n)
        var best = Int64.max
        var skipped: [Int] = []
        for _ in 0..<3 {
            let t0 = threadCPUNanos()
            skipped.append((try? decode(text, source: "bad.json"))?.skippedSpans ?? -1)
            best = min(best, threadCPUNanos() - t0)
        }
        return (max(1, best), skipped)
    }

    @Test func manyBadSpansAreWarnedAboutInLinearTime() async {
        // Growth, not a time limit: four times the spans must cost about four times as much.
        // The quadratic version cost sixteen times as much (the line count from the start of the
        // file dominated); 8× leaves room for noise. Best of three runs at each size, off the
        // cooperative pool (see `offPool`).
        let (small, large) = await offPool { (Self.cost(10_000), Self.cost(40_000)) }
        #expect(small.skipped == [10_000, 10_000, 10_000] && large.skipped == [40_000, 40_000, 40_000])
        let growth = Double(large.nanos) / Double(small.nanos)
        #expect(growth < 8, "4× the spans took \(growth)× the CPU time (\(small.nanos / 1_000_000) → \(large.nanos / 1_000_000) ms)")
    }

    @Test func everySkippedSpanNamesItsLine() async throws {
        let n = 100_000
        let doc = await offPool { try? decode(Self.badSpans(n), source: "bad.json") }
        let d = try #require(doc)
        #expect(d.skippedSpans == n && d.warnings.count == n)
        // Each span is on its own line, from line 2 on: the warnings still say which.
        #expect(d.warnings[0].hasPrefix("bad.json:2:1: span skipped: missing 'spanId'"))
        #expect(d.warnings[n - 1].hasPrefix("bad.json:\(n + 1):1: span skipped"))
    }
}
