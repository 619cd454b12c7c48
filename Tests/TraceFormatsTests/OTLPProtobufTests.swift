import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

@Suite struct OTLPProtobufTests {
    @Test func decodesTheRealPythonExporterAndAgreesWithItsZipkinTwin() throws {
        var collector = SpanCollector()
        for body in try pythonProtobufBodies() {
            let result = try OTLPProtobuf.read(body, into: &collector)
            #expect(result.rejected == 0 && result.accepted == 1)
        }
        let doc = collector.document(source: "otlp")
        let t = try #require(doc.traces.first)
        let zipkin = try #require(try fixture("python-otel-zipkin.json").traces.first)
        #expect(t.id == zipkin.id)
        #expect(t.count == 3)
        #expect(Set(t.spans.map(\.spanID)) == Set(zipkin.spans.map(\.spanID)))
        for s in t.spans {
            let twin = try #require(zipkin.spans.first { $0.spanID == s.spanID })
            #expect(s.name == twin.name && s.parentID == twin.parentID && s.service == "support-bot")
            // Zipkin rounds to microseconds; protobuf keeps nanoseconds.
            #expect(abs(s.startNanos - twin.startNanos) < 1_000)
        }
        let chat = try #require(index(t, "chat gpt-4o-mini"))
        #expect(t.spans[chat].kind == .client)
        let call = try #require(t.llmCallDetails(at: chat))
        #expect(call.promptTokens == 412 && call.completionTokens == 57)
        #expect(t.spans[chat].attributes[key: "gen_ai.request.temperature"] == .double(0.2))   // typed, unlike Zipkin
        #expect(call.finishReasons == ["stop"])
        let tool = try #require(index(t, "execute_tool refund_payment"))
        #expect(t.spans[tool].status == SpanStatus(.error, message: "TimeoutError: payments API did not answer within 2 s"))
        #expect(t.spans[tool].events.first?.attributes[key: "exception.type"] == .string("TimeoutError"))
        #expect(t.spans[tool].origin.scopeName == "support_bot.agent")
        #expect(t.spans[tool].origin.resource[key: "deployment.environment"] == .string("test"))
    }

    @Test func truncatedAndGarbageBodiesAreErrorsNotCrashes() throws {
        let body = try pythonProtobufBodies()[0]
        var collector = SpanCollector()
        for cut in stride(from: 1, to: body.count, by: 7) {
            _ = try? OTLPProtobuf.read(Array(body[0..<cut]), into: &collector)
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let junk = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? OTLPProtobuf.read(junk, into: &collector)
        }
        do {
            _ = try OTLPProtobuf.read([0x0A, 0xFF, 0x01], into: &collector)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("invalid OTLP protobuf at byte"))
        }
    }

    @Test func spansWithBadIdsAreRejectedAndCounted() throws {
        // ResourceSpans{ScopeSpans{Span{trace_id: 3 bytes, span_id: 8 bytes}}}
        let span: [UInt8] = [0x0A, 0x03, 1, 2, 3, 0x12, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x2A, 0x01, 0x78]
        let scope: [UInt8] = [0x12, UInt8(span.count)] + span
        let resource: [UInt8] = [0x12, UInt8(scope.count)] + scope
        let request: [UInt8] = [0x0A, UInt8(resource.count)] + resource
        var collector = SpanCollector()
        let result = try OTLPProtobuf.read(request, into: &collector)
        #expect(result.accepted == 0 && result.rejected == 1)
        #expect(result.message.contains("trace_id"))
        // The partial-success response: field 1 {rejected_spans: 1, error_message}.
        let response = OTLPProtobuf.response(rejected: 1, message: "x")
        #expect(response == [0x0A, 0x05, 0x08, 0x01, 0x12, 0x01, UInt8(ascii: "x")])
        #expect(OTLPProtobuf.response(rejected: 0, message: "").isEmpty)
    }
}
