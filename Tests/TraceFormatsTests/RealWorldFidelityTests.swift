import TestSupport
import Testing
import TraceModel
import TraceWriters
@testable import TraceFormats

/// Issue 12: files other tools write, read as those tools read them. Expected counts were worked
/// out from the files independently (a short Python reading; see Fixtures/README.md for origins).
@Suite struct RealWorldFidelityTests {
    /// Error spans over all traces.
    func errors(_ doc: TraceDocument) -> Int {
        doc.traces.reduce(0) { n, t in n + t.spans.filter { $0.status.isError }.count }
    }

    // MARK: Refused whole files

    @Test func collectorFileExporterLinesOfOtherSignalsAreSkippedAndCounted() throws {
        // The file starts with a log line; 3 span lines, 4 log lines, 5 metric lines.
        let doc = try fixture("otel-demo-collector-mixed.jsonl")
        #expect(doc.format == "OTLP JSON Lines")
        #expect(doc.spanCount == 11 && doc.traces.count == 5)
        #expect(doc.skippedLines == ["logs": 4, "metrics": 5])
        #expect(doc.skippedSpans == 0)
        #expect(doc.warnings.contains { $0.contains("4 of logs, 5 of metrics") })
    }

    @Test func aFileOfLogsAloneSaysItHasNoSpans() throws {
        let text = #"{"resourceLogs":[{"resource":{},"scopeLogs":[]}]}"# + "\n" + #"{"resourceMetrics":[]}"#
        #expect(throws: TraceFormatError.self) { try decode(text, source: "logs.jsonl") }
        do {
            _ = try decode(text, source: "logs.jsonl")
        } catch {
            #expect(error.description == "logs.jsonl: holds OTLP logs or metrics but no spans")
        }
    }

    @Test func jaegerAPIv3ResultAndItsStream() throws {
        // The snapshot's times are a fixed64 past Int64.max: read, clamped and said so.
        let one = try fixture("jaeger-apiv3-find-traces.json")
        #expect(one.format == "OTLP JSON")
        #expect(one.spanCount == 1 && one.skippedSpans == 0)
        let span = try #require(one.traces.first?.spans.first)
        #expect(span.name == "foobar" && span.kind == .server && span.status.isError)
        #expect(span.spanID.description == "00000000000000b4")
        #expect(one.warnings.contains { $0.contains("after 2116") })

        let stream = try fixture("jaeger-apiv3-stream.jsonl")
        #expect(stream.format == "OTLP JSON Lines")
        // Two chunks: the snapshot's span and jaeger-ui's span, which that file holds twice.
        #expect(stream.traces.count == 2 && stream.spanCount == 2)
        #expect(stream.duplicatesMerged == 1)
    }

    @Test func jaegerDataWithOneTraceObject() throws {
        let doc = try fixture("jaeger-data-object.json")
        #expect(doc.format == "Jaeger JSON")
        #expect(doc.spanCount == 11 && errors(doc) == 1)
    }

    @Test func tempoBatchesWithPre10NamesAndTempoV2Envelope() throws {
        let batches = try fixture("grafana-tempo-batches-pre1.0.json")
        #expect(batches.format == "OTLP JSON")
        let span = try #require(batches.traces.first?.spans.first)
        #expect(batches.spanCount == 1)
        #expect(span.name == "HTTP GET - root" && span.kind == .server && span.service == "db")
        #expect(span.spanID.description == "726b5e30102fc0d0")   // base64 cmteMBAvwNA=

        let v2 = try fixture("tempo-v2-vulture-trace.json")
        #expect(v2.format == "OTLP JSON")
        #expect(v2.traces.count == 1 && v2.spanCount == 6 && errors(v2) == 0)
        #expect(v2.traces[0].spans.allSatisfy { $0.service == "tempo-vulture" })
    }

    @Test func aSingleZipkinSpanObject() throws {
        let doc = try fixture("zipkin2-client-single-span.json")
        #expect(doc.format == "Zipkin JSON")
        let span = try #require(doc.traces.first?.spans.first)
        #expect(doc.spanCount == 1)
        #expect(span.kind == .client && span.service == "frontend" && span.events.count == 2)
        #expect(span.durationNanos == 207_000_000)
    }

    @Test func otlpProtobufFramedAsTheCollectorFileExporterWritesIt() throws {
        // Each request after a 4-byte big-endian length: the file exporter's `format: proto`.
        let doc = try fixture("python-otel-otlp.binpb.list")
        #expect(doc.format == "OTLP protobuf")
        #expect(doc.spanCount == 3)
        #expect(doc.traces.first?.llmCalls.first?.promptTokens == 412)
    }

    @Test func otlpProtobufSingleRequestAndItsHostileVariants() throws {
        let framed = try TraceLoader.readFile(fixtureDirectory + "python-otel-otlp.binpb.list")
        let single = try #require(try pythonProtobufBodies().first)
        // The file holds three requests of one span each.
        let doc = try TraceLoader.decode(single, source: "one.binpb")
        #expect(doc.format == "OTLP protobuf" && doc.spanCount == 1)

        // Truncated: spans of whole requests before the cut stay; the error names the byte.
        #expect(throws: TraceFormatError.self) { try TraceLoader.decode(Array(single.dropLast(7)), source: "cut.binpb") }
        #expect(throws: TraceFormatError.self) { try TraceLoader.decode(Array(framed.dropLast(3)), source: "cut.list") }
        // A frame announcing more than remains.
        var lying = framed
        lying[0] = 0x00; lying[1] = 0x7F
        #expect(throws: TraceFormatError.self) { try TraceLoader.decode(lying, source: "lying.list") }
        // Wrong types: a string where the resource should be a message.
        #expect(throws: TraceFormatError.self) {
            try TraceLoader.decode([0x0A, 0x04, 0x0A, 0x02, 0xFF, 0xFF], source: "bad.binpb")
        }
    }

    // MARK: Zipkin semantics

    @Test func zipkinSharedServerHalvesKeepOneTree() throws {
        // skew.json: a shared SERVER half with no client half in the file; Zipkin draws one tree.
        let skew = try fixture("zipkin-lens-skew.json")
        let t = try #require(skew.traces.first)
        #expect(skew.traces.count == 1 && t.count == 4 && t.roots.count == 1)
        #expect(t.flags.allSatisfy { !$0.contains(.orphan) && !$0.contains(.duplicateID) })
        #expect(t.spans.allSatisfy { !$0.spanID.description.contains("/") })

        // yelp.json: four shared halves; every span under the one root.
        let yelp = try fixture("zipkin-lens-yelp.json")
        let y = try #require(yelp.traces.first)
        #expect(y.count == 16 && y.roots.count == 1)
        #expect(y.spans[y.rootIndex!].spanID.description == "2e8cfb154b59a41f")
        #expect(y.flags.allSatisfy { $0.isDisjoint(with: [.orphan, .duplicateID, .cycleBroken]) })
    }

    @Test func zipkinSharedHalfIsTheChildOfItsClientAndOwnsTheIdsChildren() throws {
        let text = """
        [{"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"get","timestamp":1700000000000000,"duration":5000,"kind":"CLIENT"},
         {"traceId":"463ac35c9f6413ad","parentId":"a2fb4a1d1a96d312","id":"b2fb4a1d1a96d312","name":"db","timestamp":1700000000002000,"duration":1000},
         {"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"get","timestamp":1700000000001000,"duration":3000,"kind":"SERVER","shared":true}]
        """
        let t = try #require(try decode(text).traces.first)
        let client = try #require(t.spans.firstIndex { $0.kind == .client })
        let server = try #require(t.spans.firstIndex { $0.kind == .server })
        let db = try #require(index(t, "db"))
        #expect(t.parent(of: server) == client)
        #expect(t.parent(of: db) == server)
        #expect(t.spans[server].spanID == t.spans[client].spanID)
    }

    @Test func zipkinFragmentsWithoutATimestampAreMerged() throws {
        // A span reported in three records: the start, a late tag, and the end annotation.
        let text = """
        [{"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","name":"get /api","kind":"SERVER","timestamp":1700000000000000,
          "duration":2000,"localEndpoint":{"serviceName":"api"}},
         {"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","tags":{"http.status_code":"500","error":"boom"}},
         {"traceId":"463ac35c9f6413ad","id":"a2fb4a1d1a96d312","annotations":[{"timestamp":1700000000001000,"value":"flush"}]},
         {"traceId":"463ac35c9f6413ad","id":"c2fb4a1d1a96d312","parentId":"a2fb4a1d1a96d312","name":"only annotations",
          "annotations":[{"timestamp":1700000000000500,"value":"cs"},{"timestamp":1700000000000900,"value":"cr"}]}]
        """
        let doc = try decode(text)
        let t = try #require(doc.traces.first)
        #expect(doc.skippedSpans == 0 && t.count == 2)
        let get = try #require(index(t, "get /api"))
        #expect(t.spans[get].status == SpanStatus(.error, message: "boom"))
        #expect(t.spans[get].attributes[key: "http.status_code"] == .string("500"))
        #expect(t.spans[get].events.map(\.name) == ["flush"])
        #expect(t.spans[get].service == "api" && t.spans[get].durationNanos == 2_000_000)
        let annotated = try #require(index(t, "only annotations"))
        #expect(t.spans[annotated].durationNanos == 400_000)
        #expect(t.parent(of: annotated) == get)
    }

    @Test func zipkinIdsAreNeverInventedInConvertedOutput() throws {
        let doc = try fixture("zipkin-lens-skew.json")
        let text = String(decoding: OTLPJSONWriter.encode(doc.traces), as: UTF8.self)
        #expect(!text.contains("/server"))
        // Read back, the tree is the same.
        let again = try TraceLoader.decode(Array(text.utf8), source: "again.json")
        #expect(again.traces.first?.roots.count == 1 && again.spanCount == 4)
    }

    // MARK: Jaeger semantics

    @Test func jaegerWarningsAreKeptAndShown() throws {
        let doc = try fixture("jaeger-ui-01-warnings.json")
        #expect(doc.warnings.contains { $0.hasSuffix("Jaeger warning: some trace warning") })
        #expect(doc.warnings.filter { $0.hasSuffix("Jaeger warning: some span warning") }.count == 2)
        let t = try #require(doc.traces.first)
        let s4 = try #require(t.index(of: SpanID("4")))
        #expect(t.spans[s4].attributes[key: "jaeger.warnings"] == .array([.string("some span warning")]))
        // Span 4 has CHILD_OF 2 (and FOLLOWS_FROM 2): a plain child.
        #expect(t.spans[s4].attributes[key: "jaeger.ref_type"] == nil)
        // Two different spans with id 2: the second stays flagged.
        #expect(t.flags.filter { $0.contains(.duplicateID) }.count == 1)
        #expect(errors(doc) == 1)
    }

    @Test func jaegerFollowsFromOnlyChildIsMarked() throws {
        let doc = try fixture("jaeger-ui-tracegraph-test-trace.json")
        let t = try #require(doc.traces.first)
        let s7 = try #require(t.index(of: SpanID("span-7")))
        #expect(t.spans[s7].attributes[key: "jaeger.ref_type"] == .string("FOLLOWS_FROM"))
        #expect(t.parent(of: s7) == t.index(of: SpanID("span-6")))
        #expect(t.spans.filter { $0.attributes[key: "jaeger.ref_type"] != nil }.count == 1)
    }

    // MARK: Tokens

    @Test func jaegerGenAITraceCachedTokensAreCountedOnce() throws {
        let doc = try fixture("jaeger-ui-genai-test-trace.json")
        let calls = doc.traces.flatMap(\.llmCalls)
        #expect(calls.count == 5)
        // Sums of the file's gen_ai.usage.* tags; cached reads are part of input_tokens.
        #expect(calls.reduce(0) { $0 + ($1.promptTokens ?? 0) } == 8_280)
        #expect(calls.reduce(0) { $0 + ($1.completionTokens ?? 0) } == 1_180)
        #expect(calls.reduce(0) { $0 + ($1.cacheReadTokens ?? 0) } == 4_140)
        #expect(errors(doc) == 1 && doc.spanCount == 57)
    }

    // MARK: Exact duplicates

    @Test func exactDuplicateSpansAreKeptOnce() throws {
        let doc = try fixture("jaeger-ui-otlp2jaeger-in-duplicate.json")
        #expect(doc.spanCount == 1 && doc.duplicatesMerged == 1)
        #expect(doc.traces[0].flags.allSatisfy { !$0.contains(.duplicateID) })
        #expect(doc.warnings.contains { $0.hasPrefix("1 exact duplicate span") })
    }

    @Test func aRetriedBatchCountsTokensOnceButDifferingSpansStayFlagged() throws {
        let call = otlpSpan("00f067aa0ba902b7", name: "chat", attributes: kv("gen_ai.request.model", string: "gpt-4o") + ","
                            + kv("gen_ai.usage.input_tokens", int: 100) + "," + kv("gen_ai.usage.output_tokens", int: 10))
        let batch = otlp([call, otlpSpan("00f067aa0ba902b8", parent: "00f067aa0ba902b7", name: "tool")])
        let doc = try decode(batch.replacingOccurrences(of: "\n", with: " ") + "\n" + batch.replacingOccurrences(of: "\n", with: " "))
        #expect(doc.spanCount == 2 && doc.duplicatesMerged == 2)
        #expect(doc.traces[0].llmCalls.count == 1)

        let differing = otlp([otlpSpan("00f067aa0ba902b7", name: "a"), otlpSpan("00f067aa0ba902b7", name: "b")])
        let flagged = try decode(differing)
        #expect(flagged.spanCount == 2 && flagged.duplicatesMerged == 0)
        #expect(flagged.traces[0].flags.filter { $0.contains(.duplicateID) }.count == 1)
    }

    // MARK: Hostile variants of the new shapes

    @Test func hostileWrappersAreRefusedOrReadWithoutCrashing() throws {
        // Wrappers nested absurdly deep are not followed without end.
        let deep = String(repeating: #"{"result":"#, count: 5000) + "{}" + String(repeating: "}", count: 5000)
        #expect(throws: TraceFormatError.self) { try decode(deep) }
        let deepData = String(repeating: #"{"data":"#, count: 5000) + "[]" + String(repeating: "}", count: 5000)
        #expect(throws: TraceFormatError.self) { try decode(deepData) }
        // Truncated wrappers keep nothing and say so.
        #expect(throws: TraceFormatError.self) { try decode(#"{"result":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"#) }
        #expect(throws: TraceFormatError.self) { try decode(#"{"batches":[{"resource":{}, "#) }
        #expect(throws: TraceFormatError.self) { try decode(#"{"traceId":"463ac35c9f6413ad","id":"a2fb4a"#) }
        // Wrong types inside the wrappers: skipped with a warning, never a crash.
        let wrong = try decode(#"{"trace":{"batches":{"not":"a list"}}}"#)
        #expect(wrong.spanCount == 0 && wrong.warnings.contains { $0.contains("'batches' is not an array") })
        let zipkinWrong = try decode(#"{"traceId":7,"id":[1],"timestamp":"soon"}"#)
        #expect(zipkinWrong.skippedSpans == 1)
        let jaegerWrong = try decode(#"{"data":{"traceID":"1","spans":[{"traceID":"1","spanID":"2","startTime":1,"warnings":"not a list"}]}}"#)
        #expect(jaegerWrong.spanCount == 1 && jaegerWrong.traces[0].spans[0].attributes[key: "jaeger.warnings"] == nil)
    }
}
