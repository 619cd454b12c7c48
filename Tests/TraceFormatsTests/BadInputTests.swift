import TestSupport
import Testing
import TraceModel
@testable import TraceFormats
#if canImport(Glibc)
import Glibc
#endif

@Suite struct BadInputTests {
    let good1 = otlpSpan("1111111111111111", name: "first")
    let good2 = otlpSpan("2222222222222222", parent: "1111111111111111", name: "second")

    @Test func truncatedJSONNamesFileLineColumnAndKeepsEarlierSpans() {
        let text = otlp([good1, good2])
        let cut = String(text.prefix(text.count - 5))
        do {
            _ = try decode(cut, source: "cut.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("cut.json:"))
            #expect(error.description.contains("truncated"))
            #expect(error.description.contains("(byte \(cut.utf8.count))"))
            #expect(!error.description.contains("\n"))
            #expect(error.partial?.spanCount == 2)
        }
    }

    @Test func syntaxErrorPointsAtTheLineAndColumn() {
        let text = "{\"resourceSpans\": [\n  {\"scopeSpans\": [ }\n]}"
        do {
            _ = try decode(text, source: "bad.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.location == .byte(offset: 39, line: 2, column: 20))
            #expect(error.description == "bad.json:2:20: expected a quoted key, found '}' (byte 39)"
                    || error.description.hasPrefix("bad.json:2:"))
        }
    }

    @Test func wrongTypesSkipOnlyTheBadSpanAndSayWhere() throws {
        let badName = otlpSpan("3333333333333333", name: "x").replacingOccurrences(of: "\"name\":\"x\"", with: "\"name\":42")
        let doc = try decode(otlp([good1, badName, good2]), source: "mixed.json")
        #expect(doc.spanCount == 2)
        #expect(doc.skippedSpans == 1)
        #expect(doc.warnings.count == 1)
        #expect(doc.warnings[0].hasPrefix("mixed.json:"))
        #expect(doc.warnings[0].contains("'name' must be a string"))
    }

    @Test func missingIdsAndUnknownEnumsAreSkipped() throws {
        let noSpanID = otlpSpan("", name: "no-id")
        let noTrace = otlpSpan("4444444444444444", name: "no-trace", trace: "")
        let badKind = otlpSpan("5555555555555555").replacingOccurrences(of: "\"kind\":1", with: "\"kind\":9")
        let badStatus = otlpSpan("6666666666666666", extra: #","status":{"code":7}"#)
        let doc = try decode(otlp([good1, noSpanID, noTrace, badKind, badStatus]))
        #expect(doc.spanCount == 1)
        #expect(doc.skippedSpans == 4)
        let all = doc.warnings.joined(separator: "\n")
        #expect(all.contains("missing 'spanId'"))
        #expect(all.contains("missing 'traceId'"))
        #expect(all.contains("'kind' has an unknown value"))
        #expect(all.contains("'status.code' has an unknown value"))
    }

    @Test func enumNamesSnakeCaseKeysNumbersAndBase64IdsAreAccepted() throws {
        let span = """
        {"trace_id":"CvdlGRbNQ92ESOshHIAxnA==","span_id":"ERERERERERE=","name":"snake","kind":"SPAN_KIND_CLIENT",
         "start_time_unix_nano":1000,"end_time_unix_nano":"3000","status":{"code":"STATUS_CODE_ERROR","message":"boom"}}
        """
        let doc = try decode(#"{"resource_spans":[{"scope_spans":[{"spans":["# + span + "]}]}]}")
        let s = try #require(doc.traces.first?.spans.first)
        #expect(s.traceID.description == "0af7651916cd43dd8448eb211c80319c")
        #expect(s.spanID.description == "1111111111111111")
        #expect(s.kind == .client)
        #expect(s.startNanos == 1000 && s.endNanos == 3000)
        #expect(s.status == SpanStatus(.error, message: "boom"))
    }

    @Test func emptyFileAndNonTraceJSONAreClearErrors() {
        #expect(throws: TraceFormatError.self) { try decode("   \n") }
        let empty = #expect(throws: TraceFormatError.self) { try decode("", source: "e.json") }
        #expect(empty?.description == "e.json: empty file: no traces in it")
        let other = #expect(throws: TraceFormatError.self) { try decode(#"{"hello": "world"}"#, source: "h.json") }
        #expect(other?.description.hasPrefix("h.json: not a trace file Spanscope reads") == true)
        let text = #expect(throws: TraceFormatError.self) { try decode("hello", source: "t.txt") }
        #expect(text?.description == "t.txt: not a trace file Spanscope reads: not JSON (starts with 'h')")
    }

    @Test func byteOrderMarkAndCRLFJSONLinesRead() throws {
        let line1 = otlp([good1]).replacingOccurrences(of: "\n", with: " ")
        let line2 = otlp([good2]).replacingOccurrences(of: "\n", with: " ")
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array((line1 + "\r\n" + line2 + "\r\n").utf8)
        let doc = try TraceLoader.decode(bytes, source: "crlf.jsonl")
        #expect(doc.spanCount == 2)
        #expect(doc.traces[0].parent(of: 1) == 0)
    }

    @Test func hostileValuesSurvive() throws {
        let attrs = [
            #"{"key":"nan","value":{"doubleValue":"NaN"}}"#,
            #"{"key":"inf","value":{"doubleValue":"-Infinity"}}"#,
            #"{"key":"huge","value":{"intValue":"123456789012345678901234567890"}}"#,
            #"{"key":"esc","value":{"stringValue":"a\u001b[31mred\u0007 \ud83d\ude00 \ud800"}}"#,
        ].joined(separator: ",")
        let doc = try decode(otlp([otlpSpan("1111111111111111", attributes: attrs)]))
        let a = doc.traces[0].spans[0].attributes
        #expect(a[key: "nan"]?.doubleValue?.isNaN == true)
        #expect(a[key: "inf"] == .double(-.infinity))
        #expect(a[key: "huge"] == .string("123456789012345678901234567890"))
        #expect(a[key: "esc"] == .string("a\u{1B}[31mred\u{07} 😀 \u{FFFD}"))
    }

    @Test func invalidUTF8IsRepairedNotFatal() throws {
        var bytes = Array(otlp([otlpSpan("1111111111111111", name: "bad-NAME")]).utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "N"))!
        bytes[at] = 0xFF
        bytes[at + 1] = 0xC3
        let doc = try TraceLoader.decode(bytes, source: "utf8.json")
        #expect(doc.traces[0].spans[0].name == "bad-\u{FFFD}\u{FFFD}ME")
    }

    @Test func deepNestingIsSkippedWithoutRecursion() throws {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let text = #"{"ignored": "# + deep + #", "resourceSpans": []}"#
        let doc = try decode(text)
        #expect(doc.spanCount == 0)
        let nestedValue = String(repeating: #"{"arrayValue":{"values":["#, count: 100) + #"{"intValue":"1"}"#
            + String(repeating: "]}}", count: 100)
        let doc2 = try decode(otlp([otlpSpan("1111111111111111", attributes: #"{"key":"deep","value":"# + nestedValue + "}")]))
        #expect(doc2.traces[0].spans[0].attributes[key: "deep"] != nil)
    }

    @Test func missingFileDirectoryAndUnreadableFile() throws {
        let missing = #expect(throws: TraceFormatError.self) { try TraceLoader.load(path: "/nonexistent/trace.json") }
        #expect(missing?.description == "/nonexistent/trace.json: no such file")
        let empty = temporaryDirectory()
        let emptyDirectory = #expect(throws: TraceFormatError.self) { try TraceLoader.load(path: empty) }
        #expect(emptyDirectory?.description == "\(empty): is an empty directory")
        if getuid() != 0 {
            let path = "/tmp/spanscope-unreadable-\(getpid()).json"
            let fd = creat(path, 0o000)
            close(fd)
            defer { unlink(path) }
            let denied = #expect(throws: TraceFormatError.self) { try TraceLoader.load(path: path) }
            #expect(denied?.description == "\(path): permission denied")
        }
    }
}

@Suite struct TreeEdgeCaseTests {
    @Test func orphansCyclesAndDuplicatesAreFlagged() throws {
        let spans = [
            otlpSpan("000000000000000a", parent: "000000000000000b", name: "A", start: 10),
            otlpSpan("000000000000000b", parent: "000000000000000a", name: "B", start: 20),
            otlpSpan("000000000000000c", parent: "000000000000000c", name: "self", start: 30),
            otlpSpan("000000000000000d", parent: "00000000000000ff", name: "orphan", start: 40),
            otlpSpan("000000000000000d", name: "dup", start: 50),
        ]
        let t = try #require(try decode(otlp(spans)).traces.first)
        #expect(t.count == 5)
        let a = try #require(index(t, "A")), b = try #require(index(t, "B"))
        #expect(t.flags[a].contains(.cycleBroken))
        #expect(t.parent(of: b) == a)
        #expect(t.flags[try #require(index(t, "self"))].contains(.cycleBroken))
        #expect(t.flags[try #require(index(t, "orphan"))].contains(.orphan))
        #expect(t.flags[try #require(index(t, "dup"))].contains(.duplicateID))
        #expect(t.roots.count == 4)
        #expect(t.rootIndex == index(t, "dup"))   // the only span without a parent id
    }

    @Test func millionDeepChainBuildsWithoutRecursion() async {
        let n = 1_000_000
        let (depth, size, preorder) = await offPool {
            let tid = TraceID(.bits128(high: 1, low: 1))
            var spans: [Span] = []
            spans.reserveCapacity(n)
            for i in 0..<n {
                spans.append(Span(traceID: tid, spanID: SpanID(.bits64(UInt64(i + 1))),
                                  parentID: i == 0 ? nil : SpanID(.bits64(UInt64(i))), name: "s",
                                  startNanos: Int64(i), endNanos: Int64(2 * n - i)))
            }
            let t = Trace(id: tid, spans: spans)
            return (t.depths[n - 1], t.subtreeSizes[0], t.preorder.count)
        }
        #expect(depth == Int32(n - 1))
        #expect(size == Int32(n))
        #expect(preorder == n)
    }

    @Test func clockSkewAndEndBeforeStartAreFlagged() throws {
        let spans = [
            otlpSpan("000000000000000a", name: "parent", start: 100, end: 200),
            otlpSpan("000000000000000b", parent: "000000000000000a", name: "early", start: 50, end: 150),
            otlpSpan("000000000000000c", parent: "000000000000000a", name: "backwards", start: 180, end: 120),
        ]
        let t = try #require(try decode(otlp(spans)).traces.first)
        #expect(t.flags[try #require(index(t, "early"))] == .outsideParent)
        #expect(t.flags[try #require(index(t, "backwards"))].contains(.endBeforeStart))
        #expect(t.spans[try #require(index(t, "backwards"))].durationNanos == 0)
    }
}
