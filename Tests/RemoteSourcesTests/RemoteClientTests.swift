import Foundation
import LocalHTTP
@testable import RemoteSources
import Synchronization
import TestSupport
import Testing
import TraceFormats
import TraceModel

/// A file in this target's Fixtures folder.
func fixture(_ name: String) throws -> [UInt8] {
    try TraceLoader.readFile(testsDirectory + "/RemoteSourcesTests/Fixtures/" + name)
}

/// A file in the repository's SampleTraces.
func sampleTrace(_ name: String) throws -> [UInt8] {
    try TraceLoader.readFile(sampleDirectory + "/" + name)
}

/// A backend double: answers by path from a table, records every request target.
final class FakeBackend: Sendable {
    private let seen = Locked<[String]>([])
    let server: LocalHTTPServer

    /// The request targets (path and query) received, in order.
    var targets: [String] { seen.withLock { $0 } }

    init(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) async throws {
        let seen = self.seen
        server = try await LocalHTTPServer.start { request in
            seen.withLock { $0.append(request.target) }
            return answer(request)
        }
    }

    /// The query parameters of the `n`th request, decoded.
    func query(_ n: Int) -> [String: String] {
        guard let c = URLComponents(string: "http://x" + targets[n]) else { return [:] }
        var out: [String: String] = [:]
        for item in c.queryItems ?? [] { out[item.name] = item.value }
        return out
    }
}

func json(_ bytes: [UInt8], status: Int = 200) -> HTTPResponse {
    HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: .bytes(bytes))
}

func json(_ text: String, status: Int = 200) -> HTTPResponse { json(Array(text.utf8), status: status) }

/// A client with a fixed clock: 2026-12-02T10:00:00Z.
func client(_ environment: [String: String] = [:], progress: @escaping @Sendable (String) -> Void = { _ in }) -> RemoteClient {
    // Generous: the whole suite runs in parallel on two cores, and a slow answer is not what these test.
    var c = RemoteClient(timeout: .seconds(120), environment: environment, progress: progress)
    c.now = { 1_796_205_600 }
    return c
}

@Suite struct RemoteClientTests {
    // MARK: Jaeger

    @Test func jaegerV3TraceByIDReadsTheResultObject() async throws {
        // Jaeger UI's OTLP fixture, in the {"result": TracesData} envelope the v3 API answers with.
        let body = [UInt8](#"{"result":"#.utf8) + (try fixture("jaeger-ui-otlp2jaeger-in.json")) + [0x7D]
        let backend = try await FakeBackend { r in
            r.path == "/api/v3/traces/83a9efd15c1c98a977e0711cc93ee28b" ? json(body) : .text("404 page not found", status: 404)
        }
        let source = try #require(try RemoteSource.parse("jaeger+" + backend.server.baseURL + "/trace/83a9efd15c1c98a977e0711cc93ee28b"))
        let doc = try await client().load(source)
        await backend.server.shutdown()
        #expect(doc.format == "Jaeger API v3")
        #expect(doc.traces.count == 1)
        let t = try #require(doc.traces.first)
        #expect(t.id.description == "83a9efd15c1c98a977e0711cc93ee28b")
        #expect(t.spans.allSatisfy { $0.name == "okey-dokey-0" && $0.service == "telemetrygen" && $0.kind == .server })
        #expect(backend.targets == ["/api/v3/traces/83a9efd15c1c98a977e0711cc93ee28b"])
    }

    @Test func aSpanWithoutTimesInTheQueryServicesSnapshotIsReportedNotHidden() async throws {
        // The query service's own GetTrace snapshot: one span with ids and a name but no times.
        let body = try fixture("jaeger-v3-GetTrace.json")
        let backend = try await FakeBackend { _ in json(body) }
        let source = try #require(try RemoteSource.parse("jaeger+" + backend.server.baseURL + "/trace/00000000000000000000000000000001"))
        let error = await #expect(throws: RemoteError.self) { try await client().load(source) }
        await backend.server.shutdown()
        #expect(error?.message.hasPrefix("trace 00000000000000000000000000000001 came back, but its 1 span could not be read") == true)
    }

    @Test func jaegerV3SearchSendsTheQueryAndReadsAStreamedAnswer() async throws {
        // Two {"result":…} objects, sent as separate HTTP chunks as the gRPC gateway streams them.
        let otlp = String(decoding: try fixture("jaeger-ui-otlp2jaeger-in.json"), as: UTF8.self)
        let one = Array(#"{"result":\#(otlp)}"#.utf8)
        let two = Array(#"{"result":\#(otlp.replacingOccurrences(of: "83a9efd15c1c98a977e0711cc93ee28b", with: "00000000000000000000000000000002"))}"#.utf8)
        let backend = try await FakeBackend { r in
            guard r.path == "/api/v3/traces" else { return .text("404 page not found", status: 404) }
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .stream { w in
                try await w.write(one)
                try await w.write(Array("\n".utf8))
                try await w.write(Array(two.prefix(40)))
                try await w.write(Array(two.dropFirst(40)))
            })
        }
        let source = try #require(try RemoteSource.parse("jaeger+" + backend.server.baseURL))
        let query = RemoteQuery(since: .seconds(1800), limit: 5, service: "checkout", operation: "GET /cart",
                                attributes: ["http.status_code": "500"], minDuration: "250ms")
        let doc = try await client().load(source, query: query)
        await backend.server.shutdown()
        #expect(doc.traces.map(\.id.description).sorted() == ["00000000000000000000000000000002", "83a9efd15c1c98a977e0711cc93ee28b"])
        let q = backend.query(0)
        #expect(q["query.service_name"] == "checkout" && q["query.operation_name"] == "GET /cart")
        #expect(q["query.start_time_min"] == "2026-12-02T09:30:00.000000Z" && q["query.start_time_max"] == "2026-12-02T10:00:00.000000Z")
        #expect(q["query.search_depth"] == "5" && q["query.duration_min"] == "250ms")
        #expect(q["query.attributes"] == #"{"http.status_code":"500"}"#)
    }

    @Test func jaegerWithoutV3FallsBackToTheV1API() async throws {
        let trace = try fixture("jaeger-ui-genaiTestTrace.json")
        let backend = try await FakeBackend { r in
            r.path == "/api/traces" ? json([UInt8]("{\"data\":[".utf8) + trace + [UInt8]("]}".utf8))
                : .text("404 page not found", status: 404)
        }
        let source = try #require(try RemoteSource.parse("jaeger+" + backend.server.baseURL))
        let doc = try await client().load(source, query: RemoteQuery(limit: 7, service: "api-edge"))
        await backend.server.shutdown()
        #expect(doc.format == "Jaeger API v1")
        let t = try #require(doc.traces.first)
        // Counted from the fixture with a separate script: 57 spans, 10 services, one root,
        // 5 LLM calls with 8,280 input and 1,180 output tokens.
        #expect(t.count == 57 && Set(t.spans.map(\.service)).count == 10 && t.roots.count == 1)
        #expect(t.llmCalls.count == 5)
        #expect(t.llmCalls.reduce(Int64(0)) { $0 + ($1.promptTokens ?? 0) } == 8_280)
        #expect(t.llmCalls.reduce(Int64(0)) { $0 + ($1.completionTokens ?? 0) } == 1_180)
        #expect(backend.targets.count == 2 && backend.targets[0].hasPrefix("/api/v3/traces?"))
        let q = backend.query(1)
        #expect(q["service"] == "api-edge" && q["limit"] == "7")
        #expect(q["start"] == "1796202000000000" && q["end"] == "1796205600000000")
    }

    @Test func jaegerNeedsAServiceAndSaysWhichItKnows() async throws {
        let backend = try await FakeBackend { r in
            r.path == "/api/v3/services" ? json(#"{"services":["frontend","driver"]}"#) : .text("no", status: 404)
        }
        let source = try #require(try RemoteSource.parse("jaeger+" + backend.server.baseURL))
        let error = await #expect(throws: RemoteError.self) { try await client().load(source) }
        await backend.server.shutdown()
        #expect(error?.message == "Jaeger searches one service at a time: add --service NAME (it knows: driver, frontend)")
    }

    @Test func aJaegerSearchThatFindsNothingIsAnEmptyDocument() async throws {
        let backend = try await FakeBackend { _ in json(#"{"error":{"httpCode":404,"message":"No traces found"}}"#, status: 404) }
        let source = try #require(try RemoteSource.parse("jaeger+" + backend.server.baseURL))
        let doc = try await client().load(source, query: RemoteQuery(service: "quiet"))
        await backend.server.shutdown()
        #expect(doc.traces.isEmpty && backend.targets.count == 1)
    }

    // MARK: Tempo

    @Test func tempoSearchesWithTraceQLAndFetchesEachTrace() async throws {
        // The sample's resource spans under Tempo's "batches" key, as /api/traces/{id} answers.
        let sample = String(decoding: try sampleTrace("rag-pipeline.otlp.json"), as: UTF8.self)
        let batches = Array(sample.replacingOccurrences(of: "\"resourceSpans\"", with: "\"batches\"").utf8)
        let id = try #require(TraceLoader.decode(Array(sample.utf8), source: "s").traces.first?.id.description)
        let backend = try await FakeBackend { r in
            if r.path == "/api/search" {
                return json(#"{"traces":[{"traceID":"\#(id)","rootServiceName":"rag-api","rootTraceName":"POST /ask","startTimeUnixNano":"1796205000000000000","durationMs":812}],"metrics":{"inspectedTraces":40}}"#)
            }
            return r.path == "/api/traces/\(id)" ? json(batches) : .text("trace not found", status: 404)
        }
        let lines = Mutex<[String]>([])
        let source = try #require(try RemoteSource.parse("tempo+" + backend.server.baseURL))
        let doc = try await client(progress: { l in lines.withLock { $0.append(l) } })
            .load(source, query: RemoteQuery(limit: 3, service: "rag-api", minDuration: "100ms"))
        await backend.server.shutdown()
        #expect(doc.traces.count == 1 && doc.traces[0].count == 6)
        #expect(doc.format == "Tempo API")
        let q = backend.query(0)
        #expect(q["q"] == #"{ resource.service.name = "rag-api" && duration >= 100ms }"#)
        #expect(q["limit"] == "3" && q["start"] == "1796202000" && q["end"] == "1796205600")
        #expect(lines.withLock { $0 }.contains("fetching trace 1 of 1 from Tempo"))
    }

    @Test func tempoTakesTraceQLAsItIs() async throws {
        let backend = try await FakeBackend { _ in json(#"{"traces":[]}"#) }
        let source = try #require(try RemoteSource.parse("tempo+" + backend.server.baseURL))
        let doc = try await client().load(source, query: RemoteQuery(traceQL: #"{ status = error }"#))
        await backend.server.shutdown()
        #expect(doc.traces.isEmpty)
        #expect(backend.query(0)["q"] == "{ status = error }")
    }

    @Test func aTempoTraceThatIsNotThereIsNamed() async throws {
        let backend = try await FakeBackend { _ in .text("trace not found", status: 404) }
        let source = try #require(try RemoteSource.parse("tempo+" + backend.server.baseURL + "/trace/0af7651916cd43dd8448eb211c80319c"))
        let error = await #expect(throws: RemoteError.self) { try await client().load(source) }
        await backend.server.shutdown()
        #expect(error?.message == "no trace with id 0af7651916cd43dd8448eb211c80319c")
    }

    // MARK: Phoenix

    @Test func phoenixPagesThroughSpansWithTheCursorAndGroupsThemIntoTraces() async throws {
        @Sendable func span(_ trace: String, _ id: String, _ parent: String?, _ name: String) -> String {
            #"{"trace_id":"\#(String(repeating: trace, count: 32))","span_id":"\#(String(repeating: id, count: 16))","#
                + (parent.map { #""parent_span_id":"\#(String(repeating: $0, count: 16))","# } ?? "")
                + #""name":"\#(name)","kind":"SPAN_KIND_INTERNAL","start_time_unix_nano":1796205000000000000,"end_time_unix_nano":1796205001000000000,"#
                + #""attributes":[{"key":"llm.token_count.prompt","value":{"int_value":12}}],"status":{"code":0}}"#
        }
        let backend = try await FakeBackend { r in
            guard r.path == "/v1/projects/agents/spans/otlpv1" else { return json(#"{"detail":"Project not found"}"#, status: 404) }
            if r.target.contains("cursor=U3Bhbjoz") {
                return json(#"{"data":[\#(span("a", "1", nil, "root a")),\#(span("b", "3", nil, "root b"))],"next_cursor":null}"#)
            }
            return json(#"{"data":[\#(span("a", "2", "1", "child a"))],"next_cursor":"U3Bhbjoz"}"#)
        }
        let lines = Mutex<[String]>([])
        let source = try #require(try RemoteSource.parse("phoenix+" + backend.server.baseURL + "/agents"))
        let doc = try await client(["PHOENIX_API_KEY": "k"], progress: { l in lines.withLock { $0.append(l) } }).load(source)
        await backend.server.shutdown()
        #expect(doc.traces.count == 2)
        let a = try #require(doc.traces.first { $0.count == 2 })
        #expect(a.rootName == "root a" && a.spans.allSatisfy { $0.service == "agents" })
        #expect(backend.targets.count == 2 && backend.query(1)["cursor"] == "U3Bhbjoz")
        #expect(backend.query(0)["start_time"] == "2026-12-02T09:00:00.000000Z" && backend.query(0)["limit"] == "1000")
        #expect(lines.withLock { $0 } == ["page 1: 1 spans from Phoenix", "page 2: 3 spans from Phoenix"])
    }

    @Test func aPageFromARealPhoenixReadsWithTreeTokensAndErrors() async throws {
        // Captured from arize-phoenix 20.26.1 after the Python SDK sent an agent → LLM, tool (error) trace.
        let page = try fixture("phoenix-otlpv1-page.json")
        let backend = try await FakeBackend { _ in json(page) }
        let source = try #require(try RemoteSource.parse("phoenix+" + backend.server.baseURL + "/e2e/trace/a67bfb75548c1eee89930dfee79f4f7c"))
        let doc = try await client().load(source)
        await backend.server.shutdown()
        let t = try #require(doc.traces.first)
        #expect(doc.traces.count == 1 && t.count == 3 && t.rootName == "agent")
        #expect(t.startNanos == 1_796_178_549_599_863_040)
        let llm = try #require(t.spans.firstIndex { $0.name == "ChatCompletion" })
        #expect(t.parent(of: llm).map { t.spans[$0].name } == "agent")
        #expect(t.llmCall(at: llm)?.model == "gpt-4o-mini")
        #expect(t.llmCall(at: llm)?.promptTokens == 412 && t.llmCall(at: llm)?.completionTokens == 57)
        #expect(t.spans.filter { $0.status.code == .error }.map(\.name) == ["tool"])
        #expect(backend.query(0)["trace_id"] == "a67bfb75548c1eee89930dfee79f4f7c")
    }

    @Test func aPhoenixProjectThatDoesNotExistIsNamed() async throws {
        // Phoenix answers a missing project with plain text.
        let backend = try await FakeBackend { _ in .text("Project with name nope not found", status: 404) }
        let source = try #require(try RemoteSource.parse("phoenix+" + backend.server.baseURL + "/nope"))
        let error = await #expect(throws: RemoteError.self) { try await client().load(source) }
        await backend.server.shutdown()
        #expect(error?.message == "Phoenix has no project nope (Project with name nope not found)")
        #expect(backend.targets.first?.hasPrefix("/v1/projects/nope/spans/otlpv1?") == true)
    }

    // MARK: Searching for the explorer

    @Test func aTempoSearchForTheExplorerIsSummariesAndEnterFetchesOne() async throws {
        let sample = String(decoding: try sampleTrace("rag-pipeline.otlp.json"), as: UTF8.self)
        let batches = Array(sample.replacingOccurrences(of: "\"resourceSpans\"", with: "\"batches\"").utf8)
        let id = try #require(TraceLoader.decode(Array(sample.utf8), source: "s").traces.first?.id)
        let backend = try await FakeBackend { r in
            if r.path == "/api/search" {
                return json(#"{"traces":[{"traceID":"\#(id)","rootServiceName":"rag-api","rootTraceName":"POST /ask","startTimeUnixNano":"1796205000000000000","durationMs":812,"serviceStats":{"rag-api":{"spanCount":6}}}]}"#)
            }
            return r.path == "/api/traces/\(id)" ? json(batches) : .text("trace not found", status: 404)
        }
        let source = try #require(try RemoteSource.parse("tempo+" + backend.server.baseURL))
        let found = try await client().search(source, query: RemoteQuery(limit: 3))
        // The search alone: one request, no trace fetched yet.
        #expect(backend.targets.count == 1 && found.document.traces.isEmpty)
        #expect(found.hits.map(\.rootName) == ["POST /ask"] && found.hits.first?.spanCount == 6)
        let trace = try await client().trace(id, in: source)
        await backend.server.shutdown()
        #expect(trace.count == 6 && trace.id == id)
        #expect(backend.targets.last == "/api/traces/\(id)")
    }

    @Test func aPhoenixSearchForTheExplorerAsksForRootSpansOnly() async throws {
        let page = try fixture("phoenix-otlpv1-page.json")
        let backend = try await FakeBackend { _ in json(page) }
        let source = try #require(try RemoteSource.parse("phoenix+" + backend.server.baseURL + "/e2e"))
        let found = try await client().search(source, query: RemoteQuery(limit: 5))
        await backend.server.shutdown()
        let q = backend.query(0)
        #expect(q["parent_id"] == "null" && q["limit"] == "5" && q["start_time"] == "2026-12-02T09:00:00.000000Z")
        // The captured page holds the whole trace (this replay ignores parent_id): the root stands for it.
        #expect(found.hits.count == 1 && found.hits.first?.rootName == "agent" && found.hits.first?.service == "e2e")
        #expect(found.hits.first?.startNanos == 1_796_178_549_599_863_040)
    }

    @Test func aJaegerSearchForTheExplorerIsWholeTraces() async throws {
        let otlp = String(decoding: try fixture("jaeger-ui-otlp2jaeger-in.json"), as: UTF8.self)
        let backend = try await FakeBackend { r in r.path == "/api/v3/traces" ? json(#"{"result":\#(otlp)}"#) : .text("no", status: 404) }
        let source = try #require(try RemoteSource.parse("jaeger+" + backend.server.baseURL))
        let found = try await client().search(source, query: RemoteQuery(service: "telemetrygen"))
        await backend.server.shutdown()
        #expect(found.hits.isEmpty && found.document.traces.map(\.id.description) == ["83a9efd15c1c98a977e0711cc93ee28b"])
    }

    // MARK: Failures

    @Test func answersThatAreNotWhatTheAPIPromisesAreOneLineErrors() async throws {
        let backend = try await FakeBackend { r in
            switch r.path {
            case "/api/v3/traces/00000000000000000000000000000001": return .text("<html>\u{1B}[31mlogin</html>", contentType: "text/html")
            case "/api/v3/traces/00000000000000000000000000000002": return json(#"{"result":{"resourceSpans":"#)
            default: return json(#"{"unexpected":true}"#)
            }
        }
        let base = "jaeger+" + backend.server.baseURL + "/trace/"
        let html = await #expect(throws: RemoteError.self) {
            try await client().load(try #require(try RemoteSource.parse(base + "00000000000000000000000000000001")))
        }
        let cut = await #expect(throws: RemoteError.self) {
            try await client().load(try #require(try RemoteSource.parse(base + "00000000000000000000000000000002")))
        }
        await backend.server.shutdown()
        #expect(html?.message.contains("did not answer with a Jaeger {\"result\":…} answer (") == true)
        #expect(html?.message.hasSuffix(": <html> [31mlogin</html>") == true)
        #expect(cut?.message.contains("did not answer with a Jaeger {\"result\":…} answer") == true)
        #expect(html.map { !$0.description.contains("\u{1B}") } == true)
    }

    @Test(arguments: [(401, "HTTP 401, not signed in: bad token; set SPANSCOPE_AUTH_HEADER or SPANSCOPE_TEMPO_TOKEN"),
                      (403, "HTTP 403, these credentials may not read traces: bad token"),
                      (429, "HTTP 429, rate limited; the server asks to wait 30 s"),
                      (502, "HTTP 502 for URL: bad token")])
    func statusesBecomeOneLineErrors(_ status: Int, _ expected: String) async throws {
        let backend = try await FakeBackend { _ in
            HTTPResponse(status: status, headers: [("Retry-After", "30"), ("Content-Type", "application/json")],
                         body: .bytes(Array(#"{"message":"bad token"}"#.utf8)))
        }
        let source = try #require(try RemoteSource.parse("tempo+" + backend.server.baseURL))
        let error = await #expect(throws: RemoteError.self) { try await client().load(source) }
        let url = backend.server.baseURL + "/api/search?" + (backend.targets.first.map { String($0.split(separator: "?")[1]) } ?? "")
        await backend.server.shutdown()
        #expect(error?.message == expected.replacingOccurrences(of: "URL", with: url))
    }

    @Test func aRefusedConnectionSaysSo() async throws {
        let backend = try await FakeBackend { _ in json("{}") }
        let base = backend.server.baseURL
        await backend.server.shutdown()
        let source = try #require(try RemoteSource.parse("phoenix+" + base))
        let error = await #expect(throws: RemoteError.self) { try await client().load(source) }
        #expect(error?.message.hasPrefix("connection refused (is 127.0.0.1:") == true)
    }

    @Test func credentialsComeFromTheEnvironment() async throws {
        let seen = Mutex<[String]>([])
        let server = try await LocalHTTPServer.start { r in
            seen.withLock { $0.append(r.header("Authorization") ?? r.header("X-Scope-OrgID") ?? "-") }
            return json(#"{"traces":[]}"#)
        }
        let source = try #require(try RemoteSource.parse("tempo+" + server.baseURL))
        _ = try await client(["SPANSCOPE_TEMPO_TOKEN": "t0k"]).load(source)
        _ = try await client(["SPANSCOPE_TEMPO_USER": "me", "SPANSCOPE_TEMPO_PASSWORD": "pw"]).load(source)
        _ = try await client(["SPANSCOPE_AUTH_HEADER": "X-Scope-OrgID: tenant-1", "SPANSCOPE_TEMPO_TOKEN": "t0k"]).load(source)
        _ = try await client().load(source)
        await server.shutdown()
        #expect(seen.withLock { $0 } == ["Bearer t0k", "Basic bWU6cHc=", "tenant-1", "-"])
    }
}

@Suite struct RemoteSourceTests {
    @Test func addressesParse() throws {
        let j = try #require(try RemoteSource.parse("jaeger+https://jaeger.example.com:16686"))
        #expect(j.backend == .jaeger && j.base == "https://jaeger.example.com:16686" && j.traceID == nil)
        let t = try #require(try RemoteSource.parse("tempo+http://grafana:3200/tempo/trace/0af7651916cd43dd8448eb211c80319c"))
        #expect(t.backend == .tempo && t.base == "http://grafana:3200/tempo" && t.traceID == "0af7651916cd43dd8448eb211c80319c")
        let p = try #require(try RemoteSource.parse("phoenix+http://127.0.0.1:6006/my%20agents"))
        #expect(p.backend == .phoenix && p.project == "my agents" && p.base == "http://127.0.0.1:6006")
        #expect(try RemoteSource.parse("phoenix+http://[::1]:6006")?.project == "default")
        #expect(try RemoteSource.parse("traces/run.json") == nil)
        #expect(try RemoteSource.parse("-") == nil)
        #expect(throws: RemoteError.self) { try RemoteSource.parse("jaeger+http://") }
        #expect(throws: RemoteError.self) { try RemoteSource.parse("tempo+http://h:3200/trace/not-hex") }
    }

    @Test func durationsParse() {
        #expect(RemoteQuery.duration("1h") == .seconds(3600))
        #expect(RemoteQuery.duration("1h30m") == .seconds(5400))
        #expect(RemoteQuery.duration("2d") == .seconds(172_800))
        #expect(RemoteQuery.duration("90") == nil && RemoteQuery.duration("1y") == nil && RemoteQuery.duration("") == nil)
        #expect(RemoteQuery.isGoDuration("250ms") && RemoteQuery.isGoDuration("1.5s") && RemoteQuery.isGoDuration("1h30m"))
        #expect(!RemoteQuery.isGoDuration("5") && !RemoteQuery.isGoDuration("fast"))
    }
}
