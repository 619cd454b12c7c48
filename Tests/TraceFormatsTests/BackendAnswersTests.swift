import Testing
import TraceModel
import TraceWriters
@testable import TraceFormats

/// The backends' envelopes read on the file readers' path (RemoteSourcesTests replays them over HTTP).
@Suite struct BackendAnswersTests {
    static let span = #"{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"GET /","startTimeUnixNano":"1796205000000000001","endTimeUnixNano":"1796205000500000001"}"#
    static let request = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},"scopeSpans":[{"spans":[\#(span)]}]}]}"#

    @Test func jaegerV3StreamsAreReadAndAnErrorObjectInThemIsReported() throws {
        var out = SpanCollector()
        let body = Array(#"{"result":\#(Self.request)}{"error":{"httpCode":500,"message":"storage timed out"}}"#.utf8)
        let error = try BackendAnswers.readJaegerV3(body, source: "jaeger", into: &out)
        #expect(error == "storage timed out")
        let t = try #require(out.document(source: "jaeger").traces.first)
        // Nanoseconds survive (no Double on the way): ...001 stays.
        #expect(t.count == 1 && t.spans[0].service == "web" && t.startNanos == 1_796_205_000_000_000_001)
        #expect(throws: TraceFormatError.self) { _ = try BackendAnswers.readJaegerV3(Array(#"{"data":[]}"#.utf8), source: "j", into: &out) }
        #expect(throws: TraceFormatError.self) { _ = try BackendAnswers.readJaegerV3([], source: "j", into: &out) }
    }

    @Test func tempoTracesAreReadAsJSONUnderAnyOfTheirNamesOrAsProtobuf() throws {
        let batches = Self.request.replacingOccurrences(of: "resourceSpans", with: "batches")
        let v2 = #"{"trace":\#(Self.request),"status":"COMPLETE"}"#
        for body in [batches, v2] {
            var out = SpanCollector()
            try BackendAnswers.readTempoTrace(Array(body.utf8), source: "tempo", into: &out)
            #expect(out.document(source: "tempo").traces.first?.spans.first?.name == "GET /")
        }
        // tempopb.Trace keeps its batches in field 1, as TracesData does: our writer's bytes stand in for Tempo's.
        let decoded = try TraceLoader.decode(Array(Self.request.utf8), source: "s")
        var out = SpanCollector()
        try BackendAnswers.readTempoTrace(OTLPProtobufWriter.request(decoded.traces[0].spans), source: "tempo", into: &out)
        #expect(out.document(source: "tempo").traces.first?.startNanos == 1_796_205_000_000_000_001)
        #expect(throws: TraceFormatError.self) {
            try BackendAnswers.readTempoTrace(Array(#"{"traceID":"1","spanID":"2"}"#.utf8), source: "tempo", into: &out)
        }
    }

    @Test func tempoSearchAnswersBecomeSummaries() throws {
        // tempopb.SearchResponse as JSON: an id Tempo wrote without its leading zeros, and serviceStats.
        let body = #"""
        {"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop","rootTraceName":"GET /cart",
          "startTimeUnixNano":"1796205000000000000","durationMs":1250,
          "serviceStats":{"shop":{"spanCount":5},"db":{"spanCount":3,"errorCount":2}}},
         {"traceID":"abc123","rootServiceName":"<root span not yet received>","startTimeUnixNano":"1796205001000000000"}],
         "metrics":{"inspectedBytes":"1024"}}
        """#
        let hits = try BackendAnswers.tempoSearch(Array(body.utf8), source: "tempo")
        #expect(hits.count == 2)
        #expect(hits[0] == TraceSearchHit(id: TraceID("2f3e0cee77ae5dc9c17ade3689eb2e54"), rootName: "GET /cart", service: "shop",
                                          startNanos: 1_796_205_000_000_000_000, durationNanos: 1_250_000_000,
                                          spanCount: 8, errorCount: 2))
        #expect(hits[1].id.description == "00000000000000000000000000abc123" && hits[1].durationNanos == 0 && hits[1].spanCount == nil)
        #expect(try BackendAnswers.tempoSearch(Array(#"{"traces":null}"#.utf8), source: "t").isEmpty)
        #expect(throws: TraceFormatError.self) { _ = try BackendAnswers.tempoSearch(Array(#"{"traces":[{"traceID":"zz"}]}"#.utf8), source: "t") }
        #expect(throws: TraceFormatError.self) { _ = try BackendAnswers.tempoSearch(Array("<html>".utf8), source: "t") }
    }

    @Test func phoenixPagesGiveTheirSpansTheProjectAndTheNextCursor() throws {
        let phoenixSpan = #"{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","name":"agent","start_time_unix_nano":1796205000000000001,"end_time_unix_nano":1796205001000000001}"#
        var out = SpanCollector()
        let next = try BackendAnswers.readPhoenixPage(Array(#"{"next_cursor":"U3Bhbjoz","data":[\#(phoenixSpan),{"name":"no ids"}]}"#.utf8),
                                                      project: "agents", source: "phoenix", into: &out)
        #expect(next == "U3Bhbjoz")
        let doc = out.document(source: "phoenix")
        #expect(doc.traces.first?.spans.first?.service == "agents" && doc.skippedSpans == 1)
        #expect(doc.traces.first?.spans.first?.origin.resource.first?.value == .string("agents"))
        #expect(try BackendAnswers.readPhoenixPage(Array(#"{"data":[],"next_cursor":null}"#.utf8), project: "p", source: "p", into: &out) == nil)
        #expect(throws: TraceFormatError.self) {
            _ = try BackendAnswers.readPhoenixPage(Array(#"{"detail":"nope"}"#.utf8), project: "p", source: "p", into: &out)
        }
    }
}
