import LiveReceiver
import LocalHTTP
import Testing
import TestSupport
import TraceFormats
import TraceModel

@Suite struct ReceiverTests {
    func receiver(maxSpans: Int = 1_000, maxBody: Int = ReceiverOptions.defaultMaxBodyBytes, save: String? = nil) -> TraceReceiver {
        TraceReceiver(store: LiveStore(maxSpans: maxSpans), options: ReceiverOptions(maxBodyBytes: maxBody, savePath: save))
    }

    // MARK: Formats

    @Test func protobufFromThePythonExporterIsAcceptedWithAnEmptyResponse() throws {
        let r = receiver()
        for body in try pythonProtobufBodies() {
            let response = r.handle(post("/v1/traces", body, type: "application/x-protobuf"))
            #expect(response.status == 200)
            #expect(header(response, "Content-Type") == "application/x-protobuf")
            // Full success: partial_success left unset, so the message is empty.
            #expect(bytes(response).isEmpty)
        }
        let snap = try #require(r.store.snapshot())
        #expect(snap.traces.count == 1)
        let t = snap.traces[0]
        #expect(t.count == 3)
        let chat = try #require(t.spans.firstIndex { $0.name == "chat gpt-4o-mini" })
        #expect(t.llmCall(at: chat)?.promptTokens == 412 && t.llmCall(at: chat)?.completionTokens == 57)
        #expect(t.parent(of: chat) != nil)
        #expect(snap.counters.acceptedSpans == 3 && snap.counters.requests == 3)
    }

    @Test func otlpJSONIsAcceptedAndAnsweredInJSON() throws {
        let r = receiver()
        let body = otlpJSON([span("a", "1"), span("a", "2", parent: "1")])
        let response = r.handle(post("/v1/traces", body, type: "application/json; charset=utf-8"))
        #expect(response.status == 200)
        #expect(header(response, "Content-Type") == "application/json")
        #expect(text(response) == "{}")
        let t = try #require(r.store.snapshot()?.traces.first)
        #expect(t.count == 2 && t.roots.count == 1)
    }

    @Test func gzipBodiesAreInflated() throws {
        let r = receiver()
        let proto = try #require(try pythonProtobufBodies().first)
        let a = r.handle(post("/v1/traces", gzip(proto), type: "application/x-protobuf", encoding: "gzip"))
        #expect(a.status == 200)
        let b = r.handle(post("/v1/traces", gzip(otlpJSON([span("b", "1")])), type: "application/json", encoding: "GZIP"))
        #expect(b.status == 200)
        let c = r.handle(post("/api/v2/spans", gzip(try pythonZipkinBody()), type: "application/json", encoding: "gzip"))
        #expect(c.status == 202)
        #expect(r.store.counters.acceptedSpans == 1 + 1 + 3)
    }

    @Test func zipkinJSONIsAcceptedWith202() throws {
        let r = receiver()
        let response = r.handle(post("/api/v2/spans", try pythonZipkinBody(), type: "application/json"))
        #expect(response.status == 202)
        #expect(bytes(response).isEmpty)
        let t = try #require(r.store.snapshot()?.traces.first)
        #expect(t.count == 3)
        #expect(t.rootName == "handle_ticket")
        let chat = try #require(t.spans.firstIndex { $0.name == "chat gpt-4o-mini" })
        #expect(t.llmCall(at: chat)?.promptTokens == 412)
    }

    @Test func theSameTraceOverBothProtocolsJoinsIntoOneTree() throws {
        let r = receiver()
        let bodies = try pythonProtobufBodies()
        // The tool span by OTLP, the rest (the same spans, as Zipkin) by Zipkin: duplicates are flagged, not lost.
        _ = r.handle(post("/v1/traces", bodies[0], type: "application/x-protobuf"))
        _ = r.handle(post("/api/v2/spans", try pythonZipkinBody(), type: "application/json"))
        let snap = try #require(r.store.snapshot())
        #expect(snap.traces.count == 1)
        #expect(snap.traces[0].count == 4)
    }

    // MARK: Refusals

    @Test func malformedBodiesAre400WithAStatusMessageInTheRequestEncoding() throws {
        let r = receiver()
        let proto = r.handle(post("/v1/traces", [0x0A, 0xFF, 0x01], type: "application/x-protobuf"))
        #expect(proto.status == 400)
        #expect(header(proto, "Content-Type") == "application/x-protobuf")
        let status = ProtoFields(bytes(proto))
        #expect(status.varints[1] == 3)   // INVALID_ARGUMENT
        #expect(status.string(2)?.hasPrefix("invalid OTLP protobuf at byte") == true)

        let json = r.handle(post("/v1/traces", Array(#"{"resourceSpans": [{"scopeSpans": [ }"#.utf8), type: "application/json"))
        #expect(json.status == 400)
        #expect(header(json, "Content-Type") == "application/json")
        #expect(text(json).hasPrefix(#"{"code":3,"message":"invalid OTLP JSON: request body:1:"#))

        let trailing = r.handle(post("/v1/traces", Array("{} {}".utf8), type: "application/json"))
        #expect(trailing.status == 400)

        let zipkin = r.handle(post("/api/v2/spans", Array(#"{"not": "a list"}"#.utf8), type: "application/json"))
        #expect(zipkin.status == 400)
        #expect(text(zipkin).contains("expected a list of Zipkin spans"))

        let corrupt = r.handle(post("/v1/traces", [0x1F, 0x8B, 8, 0, 0, 0], type: "application/json", encoding: "gzip"))
        #expect(corrupt.status == 400)
        #expect(text(corrupt).contains("gzip body is corrupt"))

        // A real gzip body cut short: an error, not a shorter body.
        let whole = gzip(try pythonProtobufBodies()[0])
        let cut = r.handle(post("/v1/traces", Array(whole.dropLast(12)), type: "application/x-protobuf", encoding: "gzip"))
        #expect(cut.status == 400)
        #expect(ProtoFields(bytes(cut)).string(2) == "gzip body is corrupt: the compressed data ends early")

        #expect(r.store.counters.acceptedSpans == 0)
        #expect(r.store.counters.failedRequests == 6)
        // The problems are kept for the warnings view.
        let problems = try #require(r.store.snapshot()).problems
        #expect(problems.count == 6)
        #expect(problems[0].hasPrefix("POST /v1/traces → 400: invalid OTLP protobuf"))
    }

    @Test func garbageNeverTraps() throws {
        let r = receiver()
        var rng = SystemRandomNumberGenerator()
        let seed = try pythonProtobufBodies()[1]
        for i in 0..<400 {
            var body: [UInt8]
            if i % 2 == 0 {
                body = (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                // A real body with a few bytes flipped.
                body = seed
                for _ in 0..<3 { body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            }
            let type = ["application/x-protobuf", "application/json"][i % 2]
            let status = r.handle(post(i % 3 == 0 ? "/api/v2/spans" : "/v1/traces", body, type: i % 3 == 0 ? "application/json" : type)).status
            #expect([200, 202, 400].contains(status))
        }
    }

    @Test func unsupportedMediaTypesAndEncodingsAre415() {
        let r = receiver()
        let plain = r.handle(post("/v1/traces", Array("hi".utf8), type: "text/plain"))
        #expect(plain.status == 415)
        #expect(ProtoFields(bytes(plain)).string(2)?.contains("application/x-protobuf or application/json") == true)
        #expect(r.handle(post("/v1/traces", [], type: nil)).status == 415)
        #expect(r.handle(post("/v1/traces", [], type: "application/x-protobuf", encoding: "br")).status == 415)
        let zipkinProto = r.handle(post("/api/v2/spans", [0x0A], type: "application/x-protobuf"))
        #expect(zipkinProto.status == 415)
        #expect(text(zipkinProto).contains("only Zipkin v2 JSON"))
    }

    @Test func wrongMethodIs405AndWrongPathIs404() {
        let r = receiver()
        let get = r.handle(HTTPRequest(method: "GET", target: "/v1/traces"))
        #expect(get.status == 405)
        #expect(header(get, "Allow") == "POST")
        let missing = r.handle(post("/v1/metrics", [], type: "application/x-protobuf"))
        #expect(missing.status == 404)
        #expect(ProtoFields(bytes(missing)).string(2)?.contains("/v1/traces") == true)
        // The query string does not change the route.
        #expect(r.handle(post("/v1/traces?x=1", [], type: "application/x-protobuf")).status == 200)
    }

    @Test func emptyRequestsSucceed() {
        let r = receiver()
        #expect(r.handle(post("/v1/traces", [], type: "application/x-protobuf")).status == 200)
        #expect(r.handle(post("/v1/traces", Array("{}".utf8), type: "application/json")).status == 200)
        #expect(r.handle(post("/api/v2/spans", Array("[]".utf8), type: "application/json")).status == 202)
    }

    // MARK: Partial success

    @Test func rejectedProtobufSpansAreReportedAsPartialSuccess() throws {
        // ResourceSpans{ScopeSpans{Span{trace_id: 3 bytes, span_id: 8 bytes, name "x"}}}
        let bad: [UInt8] = [0x0A, 0x03, 1, 2, 3, 0x12, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x2A, 0x01, 0x78]
        let scope: [UInt8] = [0x12, UInt8(bad.count)] + bad
        let resource: [UInt8] = [0x12, UInt8(scope.count)] + scope
        let body: [UInt8] = [0x0A, UInt8(resource.count)] + resource + (try pythonProtobufBodies()[0])
        let r = receiver()
        let response = r.handle(post("/v1/traces", body, type: "application/x-protobuf"))
        #expect(response.status == 200)
        let partial = ProtoFields(try #require(ProtoFields(bytes(response)).bytes[1]))
        #expect(partial.varints[1] == 1)   // rejected_spans
        #expect(partial.string(2)?.contains("trace_id") == true)
        #expect(r.store.counters.acceptedSpans == 1)
        #expect(r.store.counters.rejectedSpans == 1)
    }

    @Test func rejectedJSONSpansAreReportedAsPartialSuccess() throws {
        let body = Array(#"""
        {"resourceSpans":[{"scopeSpans":[{"spans":[
          {"spanId":"0000000000000001","name":"no trace id","startTimeUnixNano":"1"},
          {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","name":"ok","startTimeUnixNano":"1"}
        ]}]}]}
        """#.utf8)
        let r = receiver()
        let response = r.handle(post("/v1/traces", body, type: "application/json"))
        #expect(response.status == 200)
        #expect(text(response) == #"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span skipped: missing 'traceId'"}}"#)
        #expect(r.store.counters.acceptedSpans == 1)
        let problems = try #require(r.store.snapshot()).problems
        #expect(problems == ["POST /v1/traces: 1 span rejected: span skipped: missing 'traceId'"])
    }

    // MARK: Limits

    @Test func bodiesOverTheLimitAre413OverTheWire() async throws {
        let r = receiver(maxBody: 2_000)
        let server = try await r.listen(host: "127.0.0.1", port: 0)
        let big = otlpJSON((0..<40).map { span("c", String(format16($0 + 1))) })
        #expect(big.count > 2_000)
        let (status, headers, body) = try await fetch(server.baseURL + "/v1/traces", method: "POST", body: big, type: "application/json")
        #expect(status == 413)
        #expect(headers["content-type"] == "application/json")
        #expect(body.contains("larger than 2000 bytes"))
        // A small one on the same server still goes through.
        let (ok, _, _) = try await fetch(server.baseURL + "/v1/traces", method: "POST", body: otlpJSON([span("c", "1")]), type: "application/json")
        #expect(ok == 200)
        await server.shutdown()
    }

    @Test func gzipThatInflatesPastTheLimitIs413() {
        let r = receiver(maxBody: 10_000)
        let bomb = gzip([UInt8](repeating: 0x20, count: 1 << 20))
        #expect(bomb.count < 10_000)
        let response = r.handle(post("/v1/traces", bomb, type: "application/json", encoding: "gzip"))
        #expect(response.status == 413)
        #expect(text(response).contains("inflates to more than 10000 bytes"))
    }

    @Test func theOldestTracesAreEvictedPastTheSpanLimit() throws {
        let r = receiver(maxSpans: 5)
        _ = r.handle(post("/v1/traces", otlpJSON([span("a", "1"), span("a", "2"), span("a", "3")]), type: "application/json"))
        _ = r.handle(post("/v1/traces", otlpJSON([span("b", "1")]), type: "application/json"))
        // Trace a grows again: b is now the one that changed longest ago.
        _ = r.handle(post("/v1/traces", otlpJSON([span("a", "4")]), type: "application/json"))
        var c = r.store.counters
        #expect(c.heldSpans == 5 && c.evictedTraces == 0)
        _ = r.handle(post("/v1/traces", otlpJSON([span("c", "1")]), type: "application/json"))
        c = r.store.counters
        #expect(c.evictedTraces == 1 && c.evictedSpans == 1)
        let ids = try #require(r.store.snapshot()).traces.map { $0.id.description.prefix(1) }
        #expect(Set(ids) == ["a", "c"])
        _ = r.handle(post("/v1/traces", otlpJSON([span("d", "1"), span("d", "2")]), type: "application/json"))
        c = r.store.counters
        #expect(c.evictedTraces == 2 && c.evictedSpans == 5 && c.heldSpans == 3 && c.heldTraces == 2)
    }

    @Test func aTraceLargerThanTheLimitKeepsItsFirstSpans() throws {
        let r = receiver(maxSpans: 4)
        let spans = (1...7).map { span("e", String(format16($0)), start: Int64($0) * 1_000) }
        let response = r.handle(post("/v1/traces", otlpJSON(spans), type: "application/json"))
        #expect(response.status == 200)
        let c = r.store.counters
        #expect(c.heldSpans == 4 && c.droppedSpans == 3 && c.acceptedSpans == 7)
        let t = try #require(r.store.snapshot()?.traces.first)
        #expect(t.spans.map(\.startNanos) == [1_000, 2_000, 3_000, 4_000])
    }

    // MARK: Saving

    @Test func everyAcceptedRequestIsSavedAsOneLineOfOTLPJSON() throws {
        let path = temporaryPath("save.jsonl")
        defer { unlinkFile(path) }
        let r = receiver(save: path)
        for body in try pythonProtobufBodies() {
            #expect(r.handle(post("/v1/traces", body, type: "application/x-protobuf")).status == 200)
        }
        #expect(r.handle(post("/api/v2/spans", try pythonZipkinBody(), type: "application/json")).status == 202)
        // Refused and empty requests write nothing.
        _ = r.handle(post("/v1/traces", [0xFF], type: "application/x-protobuf"))
        _ = r.handle(post("/v1/traces", Array("{}".utf8), type: "application/json"))
        let text = String(decoding: try TraceLoader.readFile(path), as: UTF8.self)
        #expect(text.split(separator: "\n").count == 4)
        let doc = try TraceLoader.load(path: path)
        #expect(doc.traces.count == 1)
        let t = doc.traces[0]
        #expect(t.count == 6)   // three by OTLP, the same three by Zipkin
        let chats = t.spans.indices.filter { t.spans[$0].name == "chat gpt-4o-mini" }
        #expect(chats.count == 2)
        for i in chats {
            #expect(t.llmCall(at: i)?.promptTokens == 412 && t.llmCall(at: i)?.completionTokens == 57)
            #expect(t.spans[t.parent(of: i)!].name == "handle_ticket")
        }
    }

    @Test func aSaveThatFailsIsNotAcknowledged() throws {
        let r = receiver(save: "/nonexistent-dir-for-spanscope/save.jsonl")
        let response = r.handle(post("/v1/traces", try pythonProtobufBodies()[0], type: "application/x-protobuf"))
        #expect(response.status == 503)
        #expect(ProtoFields(bytes(response)).string(2)?.contains("cannot save the spans") == true)
        #expect(r.store.counters.acceptedSpans == 0)
        #expect(r.store.counters.heldSpans == 0)
    }

    // MARK: Threads

    @Test func concurrentRequestsAndSnapshotsAgree() async throws {
        let r = receiver(maxSpans: 100_000)
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<25 {
                        let trace = String(format16(t * 100 + i % 5 + 1))
                        let body = otlpJSON([span(trace, String(format16(i + 1)))])
                        _ = r.handle(post("/v1/traces", body, type: "application/json"))
                    }
                }
            }
            group.addTask {
                for _ in 0..<50 { _ = r.store.snapshot() }
            }
        }
        let snap = try #require(r.store.snapshot())
        #expect(snap.counters.acceptedSpans == 200)
        #expect(snap.traces.reduce(0) { $0 + $1.count } == 200)
        #expect(snap.traces.count == 40)
        #expect(r.requestsInFlight == 0)
    }
}

/// 16 hex digits for a small number.
func format16(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
