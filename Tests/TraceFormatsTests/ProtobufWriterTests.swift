import Testing
import TraceModel
import TraceFormats
import TerminalText
import TraceWriters

@Suite struct ProtobufWriterTests {
    /// Every fact a span carries through OTLP, as text, so two decodings can be compared whole.
    func facts(_ s: Span) -> String {
        let attributes = s.attributes.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let events = s.events.map { "\($0.name)@\($0.timeNanos)[\($0.attributes.map { "\($0.key)=\($0.value)" })]" }
        let links = s.links.map { "\($0.traceID)/\($0.spanID)[\($0.attributes.map { "\($0.key)=\($0.value)" })]" }
        return "\(s.traceID) \(s.spanID) \(s.parentID.map(String.init(describing:)) ?? "-") \(s.name) \(s.service) "
            + "\(s.kind) \(s.startNanos)-\(s.endNanos) \(s.status.code) \(s.status.message) {\(attributes)} \(events) \(links) "
            + "res{\(s.origin.resource.map { "\($0.key)=\($0.value)" }.joined(separator: ","))} "
            + "scope \(s.origin.scopeName) \(s.origin.scopeVersion)"
    }

    func readProtobuf(_ bytes: [UInt8]) throws -> TraceDocument {
        var collector = SpanCollector()
        let result = try OTLPProtobuf.read(bytes, into: &collector)
        #expect(result.rejected == 0)
        return collector.document(source: "round.binpb")
    }

    /// The samples written as protobuf read back span for span as they do written as OTLP JSON
    /// (an encoder written independently, checked by its own round-trip tests).
    @Test(arguments: WriterRoundTripTests.samples)
    func protobufReadsBackAsTheJSONWriterDoes(_ name: String) throws {
        let original = try sample(name)
        let spans = original.traces.flatMap(\.spans)
        let viaProtobuf = try readProtobuf(OTLPProtobufWriter.request(spans))
        let viaJSON = try TraceLoader.decode(OTLPJSONWriter.encode(original.traces), source: "round.json")
        #expect(viaProtobuf.traces.count == original.traces.count)
        let a = viaProtobuf.traces.flatMap(\.spans).map(facts).sorted()
        let b = viaJSON.traces.flatMap(\.spans).map(facts).sorted()
        #expect(a == b)
        #expect(viaProtobuf.traces.map(\.llmCalls.count) == original.traces.map(\.llmCalls.count))
        #expect(viaProtobuf.traces.map { $0.llmCalls.map(\.totalTokens) } == original.traces.map { $0.llmCalls.map(\.totalTokens) })
    }

    @Test func everyAttributeTypeEventLinkAndStatusSurvives() throws {
        let origin = SpanOrigin(resource: [Attribute("service.name", .string("svc")), Attribute("host.name", .string("h1"))],
                                scopeName: "lib", scopeVersion: "2.0")
        let values: [Attribute] = [
            Attribute("s", .string("héllo\u{0}\n")), Attribute("empty", .string("")),
            Attribute("i", .int(-42)), Attribute("zero", .int(0)), Attribute("max", .int(.max)),
            Attribute("d", .double(-1.5)), Attribute("dz", .double(0)),
            Attribute("t", .bool(true)), Attribute("f", .bool(false)),
            Attribute("b", .bytes([0, 1, 255])), Attribute("nb", .bytes([])),
            Attribute("a", .array([.int(1), .string("x"), .array([.bool(false)])])),
            Attribute("kv", .kvlist([Attribute("k", .double(2.25)), Attribute("n", .kvlist([]))])),
            Attribute("big", .string(String(repeating: "z", count: 70_000))),
        ]
        let parent = Span(traceID: TraceID("0af7651916cd43dd8448eb211c80319c"), spanID: SpanID("b7ad6b7169203331"),
                          name: "root", service: "svc", kind: .server, startNanos: 1_700_000_000_000_000_001,
                          endNanos: 1_700_000_000_500_000_000, status: SpanStatus(.error, message: "boom"),
                          attributes: values,
                          events: [SpanEvent(timeNanos: 1_700_000_000_100_000_000, name: "exception",
                                             attributes: [Attribute("exception.message", .string("bad"))])],
                          links: [SpanLink(traceID: TraceID("11111111111111112222222222222222"), spanID: SpanID("3333333333333333"),
                                           attributes: [Attribute("why", .string("retry"))])],
                          origin: origin)
        let child = Span(traceID: parent.traceID, spanID: SpanID("00000000000000aa"), parentID: parent.spanID,
                         name: "child", service: "svc", kind: .client, startNanos: 1_700_000_000_000_000_002,
                         endNanos: 1_700_000_000_000_000_002, status: SpanStatus(.ok), origin: origin)
        let back = try readProtobuf(OTLPProtobufWriter.request([parent, child]))
        let t = try #require(back.traces.first)
        #expect(t.count == 2)
        let root = try #require(t.spans.first { $0.name == "root" })
        #expect(root.attributes == values)
        #expect(root.kind == .server && root.status == SpanStatus(.error, message: "boom"))
        #expect(root.startNanos == 1_700_000_000_000_000_001 && root.endNanos == 1_700_000_000_500_000_000)
        #expect(root.events == parent.events && root.links == parent.links)
        #expect(root.origin.resource == origin.resource && root.origin.scopeName == "lib" && root.origin.scopeVersion == "2.0")
        let c = try #require(t.spans.first { $0.name == "child" })
        #expect(c.parentID == parent.spanID && c.kind == .client && c.status.code == .ok)
        #expect(c.traceID.description == "0af7651916cd43dd8448eb211c80319c" && c.spanID.description == "00000000000000aa")
    }

    /// Bytes worked out by hand from the wire-format rules for the smallest useful request.
    @Test func theSmallestRequestIsTheBytesTheSpecificationGives() {
        let span = Span(traceID: TraceID("000102030405060708090a0b0c0d0e0f"), spanID: SpanID("1011121314151617"),
                        name: "x", service: "", kind: .internal, startNanos: 1, endNanos: 2,
                        origin: SpanOrigin(scopeName: "s"))
        let bytes = OTLPProtobufWriter.request([span])
        let spanFields: [UInt8] = [0x0A, 16] + Array(0...15)        // 1: trace_id, 16 bytes
            + [0x12, 8] + Array(0x10...0x17)                          // 2: span_id
            + [0x2A, 1, UInt8(ascii: "x")]                           // 5: name
            + [0x30, 1]                                              // 6: kind INTERNAL
            + [0x39, 1, 0, 0, 0, 0, 0, 0, 0]                         // 7: start, fixed64
            + [0x41, 2, 0, 0, 0, 0, 0, 0, 0]                         // 8: end, fixed64
        let scope: [UInt8] = [0x0A, 3, 0x0A, 1, UInt8(ascii: "s")]      // ScopeSpans.scope{name "s"}
        let scopeSpans: [UInt8] = scope + [0x12, UInt8(spanFields.count)] + spanFields
        let resourceSpans: [UInt8] = [0x0A, 0]                          // resource, no attributes
            + [0x12, UInt8(scopeSpans.count)] + scopeSpans
        #expect(bytes == [0x0A, UInt8(resourceSpans.count)] + resourceSpans)
    }

    @Test func idsThatDoNotFitKeepTheOriginalLikeTheJSONWriter() throws {
        let doc = try sample("seed-agent-tool.json")
        let back = try readProtobuf(OTLPProtobufWriter.request(doc.traces[0].spans))
        let s = try #require(back.traces.first?.spans.first)
        #expect(s.attributes[key: OTLPJSONWriter.originalSpanIDKey] != nil)
        #expect(back.traces[0].count == doc.traces[0].count)
    }
}
