import AITracing
@testable import AITracingOTLP
import LiveReceiver
import LocalHTTP
import Synchronization
import Testing
import TraceFormats
import TraceModel

/// Records what the exporter would have slept, instead of sleeping.
final class Sleeps: Sendable {
    private let waits = Mutex<[Duration]>([])
    var all: [Duration] { waits.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void { { d in self.waits.withLock { $0.append(d) } } }
}

/// Collects what the exporter reports as refused.
final class Reports: Sendable {
    private let errors = Mutex<[AITracingError]>([])
    var all: [AITracingError] { errors.withLock { $0 } }
    var report: @Sendable (AITracingError) -> Void { { e in self.errors.withLock { $0.append(e) } } }
}

/// A server answering each request with the next scripted response (the last one repeats),
/// keeping what it was sent.
final class Scripted: Sendable {
    private let state: Mutex<(answers: [HTTPResponse], seen: [HTTPRequest])>
    init(_ answers: [HTTPResponse]) { state = Mutex((answers, [])) }
    var seen: [HTTPRequest] { state.withLock { $0.seen } }

    func start() async throws -> LocalHTTPServer {
        try await LocalHTTPServer.start { request in
            self.state.withLock { s in
                s.seen.append(request)
                return s.answers.count > 1 ? s.answers.removeFirst() : s.answers[0]
            }
        }
    }
}

/// Two spans of one trace: an agent span and an LLM call under it.
func recordTwoSpans(into store: SpanStore) -> TraceID {
    let tracer = AITracer(service: "agent-service", store: store)
    return tracer.withSpan("process_request") { root in
        tracer.withLLMSpan(model: "gpt-4o") { llm in
            llm.setAIMetrics(model: "gpt-4o", promptTokens: 812, completionTokens: 164)
        }
        return root.context.traceID
    }
}

@Suite struct OTLPHTTPExporterTests {
    /// A request timeout no busy test machine reaches: these tests count the requests a server
    /// saw, and a timed-out first attempt on a starved two-core run would be retried and counted.
    static let patient: Duration = .seconds(120)

    @Test func spansArriveInSpanscopeListenWithTreeAndTokens() async throws {
        let logged = Mutex<[ReceivedRequest]>([])
        let receiver = TraceReceiver(store: LiveStore(maxSpans: 1_000), log: { r in logged.withLock { $0.append(r) } })
        let server = try await receiver.listen(host: "127.0.0.1", port: 0)
        let store = SpanStore(limit: 1_000)
        let batching = BatchingExporter(store: store, exporter: OTLPHTTPExporter(endpoint: server.baseURL), maxDelay: .seconds(60))
        let traceID = recordTwoSpans(into: store)
        #expect(await batching.shutdown())
        await server.shutdown()
        let snap = try #require(receiver.store.snapshot())
        #expect(snap.traces.count == 1)
        let t = snap.traces[0]
        #expect(t.id == traceID && t.count == 2)
        let llm = try #require(t.spans.firstIndex { $0.name == "chat gpt-4o" })
        #expect(t.parent(of: llm).map { t.spans[$0].name } == "process_request")
        #expect(t.llmCall(at: llm)?.promptTokens == 812 && t.llmCall(at: llm)?.completionTokens == 164)
        #expect(t.spans.allSatisfy { $0.service == "agent-service" })
        let requests = logged.withLock { $0 }
        #expect(requests.map(\.path) == ["/v1/traces"])
        #expect(requests.allSatisfy { $0.compressed && $0.format == "OTLP protobuf" && $0.status == 200 })
    }

    @Test func a503WithRetryAfterIsRetriedAfterTheTimeItAsks() async throws {
        let script = Scripted([HTTPResponse(status: 503, headers: [("Retry-After", "7")]), HTTPResponse(status: 200)])
        let server = try await script.start()
        let sleeps = Sleeps()
        let exporter = OTLPHTTPExporter(.init(endpoint: server.baseURL, timeout: Self.patient, initialBackoff: .milliseconds(100)), sleep: sleeps.sleep)
        let store = SpanStore(limit: 100)
        _ = recordTwoSpans(into: store)
        try await exporter.export(store.spans())
        await server.shutdown()
        #expect(sleeps.all == [.seconds(7)])
        #expect(script.seen.count == 2)
        #expect(script.seen.allSatisfy { $0.header("Content-Encoding") == "gzip" && $0.header("Content-Type") == "application/x-protobuf" })
        #expect(exporter.counters == {
            var c = OTLPHTTPExporter.Counters()
            c.sentSpans = 2; c.requests = 2; c.retries = 1
            return c
        }())
    }

    @Test func throttlingWithoutRetryAfterBacksOffExponentiallyUpToTheCap() async throws {
        let script = Scripted([HTTPResponse(status: 429), HTTPResponse(status: 502), HTTPResponse(status: 504),
                               HTTPResponse(status: 429), HTTPResponse(status: 200)])
        let server = try await script.start()
        let sleeps = Sleeps()
        let exporter = OTLPHTTPExporter(.init(endpoint: server.baseURL, timeout: Self.patient, maxAttempts: 5, initialBackoff: .milliseconds(500),
                                              maxBackoff: .milliseconds(1500)), sleep: sleeps.sleep)
        let store = SpanStore(limit: 100)
        _ = recordTwoSpans(into: store)
        try await exporter.export(store.spans())
        await server.shutdown()
        #expect(sleeps.all == [.milliseconds(500), .milliseconds(1000), .milliseconds(1500), .milliseconds(1500)])
        #expect(exporter.counters.sentSpans == 2 && exporter.counters.retries == 4)
    }

    @Test func afterTheLastAttemptTheSpansStayInTheStore() async throws {
        let script = Scripted([HTTPResponse(status: 503, headers: [("Content-Type", "text/plain")], body: .bytes(Array("overloaded\n".utf8)))])
        let server = try await script.start()
        let sleeps = Sleeps()
        let errors = Reports()
        let store = SpanStore(limit: 100)
        let exporter = OTLPHTTPExporter(.init(endpoint: server.baseURL, timeout: Self.patient, maxAttempts: 3), sleep: sleeps.sleep)
        let batching = BatchingExporter(store: store, exporter: exporter, maxDelay: .seconds(60), onError: errors.report)
        _ = recordTwoSpans(into: store)
        #expect(await batching.shutdown() == false)
        await server.shutdown()
        #expect(script.seen.count == 3 && sleeps.all.count == 2)
        #expect(store.pendingCount == 2)
        #expect(errors.all.count == 1)
        #expect(errors.all.first?.description.contains("HTTP 503: overloaded (after 3 attempts)") == true)
    }

    @Test func aFinalRefusalDropsTheBatchCountsItAndSaysWhy() async throws {
        // google.rpc.Status{code: 3, message: "bad span"} as spanscope listen sends it.
        let status: [UInt8] = [0x08, 3, 0x12, 8] + Array("bad span".utf8)
        let script = Scripted([HTTPResponse(status: 400, headers: [("Content-Type", "application/x-protobuf")], body: .bytes(status))])
        let server = try await script.start()
        let errors = Reports()
        let exporter = OTLPHTTPExporter(.init(endpoint: server.baseURL, timeout: Self.patient), onRejected: errors.report, sleep: Sleeps().sleep)
        let store = SpanStore(limit: 100)
        _ = recordTwoSpans(into: store)
        try await exporter.export(store.spans())
        await server.shutdown()
        #expect(script.seen.count == 1)
        #expect(exporter.counters.rejectedSpans == 2 && exporter.counters.sentSpans == 0)
        #expect(errors.all.map(\.reason) == ["HTTP 400: bad span; 2 spans dropped (not retryable)"])
    }

    @Test func rejectedSpansOfAPartialSuccessAreCounted() async throws {
        // ExportTraceServiceResponse{partial_success{rejected_spans: 1, error_message: "no id"}}
        let partial: [UInt8] = [0x08, 1, 0x12, 5] + Array("no id".utf8)
        let script = Scripted([HTTPResponse(status: 200, body: .bytes([0x0A, UInt8(partial.count)] + partial))])
        let server = try await script.start()
        let errors = Reports()
        let exporter = OTLPHTTPExporter(.init(endpoint: server.baseURL, timeout: Self.patient), onRejected: errors.report)
        let store = SpanStore(limit: 100)
        _ = recordTwoSpans(into: store)
        try await exporter.export(store.spans())
        await server.shutdown()
        #expect(exporter.counters.sentSpans == 1 && exporter.counters.rejectedSpans == 1)
        #expect(errors.all.map(\.reason) == ["1 of 2 spans rejected: no id"])
    }

    @Test func aRefusedConnectionIsRetriedThenReported() async throws {
        // A port that was just free: nothing listens there.
        let server = try await LocalHTTPServer.start { _ in .text("") }
        let url = server.baseURL
        await server.shutdown()
        let sleeps = Sleeps()
        let exporter = OTLPHTTPExporter(.init(endpoint: url, maxAttempts: 2, initialBackoff: .milliseconds(10)), sleep: sleeps.sleep)
        let store = SpanStore(limit: 100)
        _ = recordTwoSpans(into: store)
        let error = await #expect(throws: AITracingError.self) { try await exporter.export(store.spans()) }
        #expect(error?.reason == "connection refused (after 2 attempts)")
        #expect(sleeps.all == [.milliseconds(10)])
    }

    @Test func endpointsFollowTheOpenTelemetryRules() throws {
        #expect(OTLPHTTPExporter.Configuration(endpoint: "http://h:4318").endpoint == "http://h:4318/v1/traces")
        #expect(OTLPHTTPExporter.Configuration(endpoint: "http://h:4318/").endpoint == "http://h:4318/v1/traces")
        #expect(OTLPHTTPExporter.Configuration(endpoint: "http://h:6006/v1/traces").endpoint == "http://h:6006/v1/traces")
        let base = try #require(OTLPHTTPExporter.Configuration.fromEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector:4318/",
            "OTEL_EXPORTER_OTLP_HEADERS": "api_key=abc%20def, x-team = ai",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
        ]))
        #expect(base.endpoint == "https://collector:4318/v1/traces")
        #expect(base.headers == ["api_key": "abc def", "x-team": "ai"])
        #expect(base.gzip == false && base.timeout == .milliseconds(2500))
        let traces = try #require(OTLPHTTPExporter.Configuration.fromEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://ignored:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://phoenix:6006/custom",
        ]))
        #expect(traces.endpoint == "http://phoenix:6006/custom" && traces.gzip)
        #expect(OTLPHTTPExporter.Configuration.fromEnvironment([:]) == nil)
    }

    @Test func retryAfterTakesSecondsOrAnHTTPDate() {
        #expect(OTLPHTTPExporter.retryAfter("120") == .seconds(120))
        #expect(OTLPHTTPExporter.retryAfter(" 0 ") == .seconds(0))
        // A date in the past means "now".
        #expect(OTLPHTTPExporter.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == .zero)
        #expect(OTLPHTTPExporter.retryAfter("soon") == nil)
        #expect(OTLPHTTPExporter.retryAfter("-5") == nil)
    }
}
