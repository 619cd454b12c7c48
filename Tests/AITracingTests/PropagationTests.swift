import AITracing
import TraceModel
import Testing

@Suite struct TraceparentTests {
    let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func parsesAValidHeader() throws {
        let c = try #require(Propagator.parseTraceparent(valid))
        #expect(c.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(c.spanID.description == "00f067aa0ba902b7")
        #expect(c.traceFlags == 1)
        #expect(c.isRemote)
    }

    @Test(arguments: [
        "",                                                            // empty
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",        // no flags
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",     // uppercase
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",     // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",     // zero span id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // version ff
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",   // v00 with extra
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // bad version
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // bad delimiter
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",     // non-hex
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",    // v01 extra not after '-'
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\u{e9}", // non-ASCII
    ])
    func rejectsMalformedHeaders(_ header: String) {
        #expect(Propagator.parseTraceparent(header) == nil)
    }

    @Test func readsAFutureVersionAsVersion00() throws {
        let c = try #require(Propagator.parseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"))
        #expect(c.spanID.description == "00f067aa0ba902b7")
    }

    @Test func keepsAValidTracestateAndDropsABadOneButNotTheParent() throws {
        let good = try #require(Propagator.parseTraceparent(valid, tracestate: ["congo=t61rcWkgMzE", " rojo=00f067aa0ba902b7 ,"]))
        #expect(good.traceState == "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")
        let bad = try #require(Propagator.parseTraceparent(valid, tracestate: ["Bad Key=1"]))
        #expect(bad.traceState == "")
        let tooMany = (0..<33).map { "k\($0)=v" }.joined(separator: ",")
        #expect(try #require(Propagator.parseTraceparent(valid, tracestate: [tooMany])).traceState == "")
    }

    @Test func writesVersion00WithTheSpanOfThisTask() throws {
        let tracer = makeTracer()
        var headers: [String: String] = [:]
        tracer.withSpan("outgoing") { s in
            Propagator().inject(into: &headers)
            #expect(headers["traceparent"] == "00-\(s.context.traceID)-\(s.context.spanID)-01")
            #expect(headers["X-Trace-ID"] == s.context.traceID.description)
            #expect(headers["X-Span-ID"] == s.context.spanID.description)
        }
        let back = try #require(Propagator.parseTraceparent(headers["traceparent"]!))
        #expect(back.traceID == tracer.store.spans()[0].traceID)
    }
}

@Suite struct BaggageTests {
    @Test func specExampleParses() {
        let b = BaggageHeader.parse(["key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue"])
        #expect(b.entries.map(\.key) == ["key1", "key2", "key3"])
        #expect(b["key2"] == "value2")
        #expect(b.entries[0].properties == "property1;property2")
        #expect(b.entries[2].properties == "propertyKey=propertyValue")
    }

    @Test func percentEncodingRoundTripsCommasEqualsAndUnicode() throws {
        var b = Baggage()
        b["query"] = "a=b,c=d; e"
        b["user"] = "Zoë 🚀"
        b["pct"] = "100%"
        let header = try #require(BaggageHeader.format(b))
        #expect(!header.contains(" "))
        #expect(header.contains("query=a=b%2Cc=d%3B%20e"))
        let back = BaggageHeader.parse([header])
        #expect(back == b)
        // Several headers combine; multiple spaces and tabs around members are OWS.
        let split = BaggageHeader.parse(["userId=alice", " serverNode = DF%2028 ,\tisProduction=false"])
        #expect(split["serverNode"] == "DF 28")
        #expect(split.entries.count == 3)
    }

    @Test func malformedMembersAreSkippedNotFatal() {
        let b = BaggageHeader.parse(["good=1,no-equals,=novalue,bad key=1,quote=\"x\",ok=2,,", "k(ey)=3,uni=%E2%82"])
        #expect(b.entries.map(\.key) == ["good", "ok", "uni"])
        #expect(b["uni"] == "\u{FFFD}")   // a cut-off UTF-8 sequence decodes to U+FFFD
    }

    @Test func limitsAreEnforced() {
        let many = (0..<500).map { "k\($0)=v" }.joined(separator: ",")
        #expect(BaggageHeader.parse([many]).entries.count == BaggageHeader.maxMembers)
        var big = Baggage()
        for i in 0..<100 { big["k\(i)"] = String(repeating: "x", count: 200) }
        let header = BaggageHeader.format(big) ?? ""
        #expect(header.utf8.count <= BaggageHeader.maxBytes)
        let invalidKey: Baggage = ["bad key": "v", "good": "v"]
        #expect(BaggageHeader.format(invalidKey) == "good=v")
    }

    @Test func seedBaggageSurvivesEqualsAndCommasTheSeedBrokeOn() throws {
        let b: Baggage = ["filter": "a=1,b=2", "user": "u-42"]
        let header = try #require(SeedBaggage.format(b))
        #expect(header.split(separator: ",").count == 2)
        #expect(SeedBaggage.parse([header]) == b)
        // The seed's own writer, with plain values, still reads; broken items are skipped.
        #expect(SeedBaggage.parse(["user=u-42,broken,=x,plan=pro"]) == ["user": "u-42", "plan": "pro"])
    }
}

@Suite struct HeaderPropagationTests {
    @Test func bothFormatsRoundTripContextAndBaggage() throws {
        let client = makeTracer("agent-service", seed: 1)
        var headers: [String: String] = [:]
        let sent: SpanContext = client.withSpan("call_tool") { s in
            Baggage.with("user", "u-42, vip=yes") { Propagator().inject(into: &headers) }
            return s.context
        }
        for formats: Propagator.Formats in [.w3c, .seed, [.w3c, .seed]] {
            let remote = Propagator(formats: formats).extract(from: headers)
            let ctx = try #require(remote.span)
            #expect(ctx.traceID == sent.traceID)
            #expect(ctx.spanID == sent.spanID)
            #expect(ctx.isRemote)
            #expect(remote.baggage["user"] == "u-42, vip=yes")
        }
        // The server side continues the trace.
        let server = makeTracer("tool-service", seed: 2)
        let remote = Propagator().extract(from: headers)
        remote.withCurrent {
            server.withSpan("execute_tool") { s in
                #expect(s.parentID == sent.spanID)
                #expect(s.context.traceID == sent.traceID)
                #expect(Baggage.current["user"] == "u-42, vip=yes")
            }
        }
    }

    @Test func headerNamesMatchCaseInsensitivelyAndAreConfigurable() throws {
        let headers = ["TraceParent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]
        #expect(Propagator().extract(from: headers).span?.spanID.description == "00f067aa0ba902b7")
        let custom = Propagator(formats: .seed, seedHeaders: SeedHeaderNames(traceID: "X-Request-Trace", spanID: "X-Parent", baggage: "X-Bag"))
        var out: [String: String] = [:]
        let ctx = SpanContext(traceID: TraceID("4bf92f3577b34da6a3ce929d0e0e4736"), spanID: SpanID("00f067aa0ba902b7"))
        custom.inject(ctx, baggage: ["a": "b"]) { out[$0] = $1 }
        #expect(out == ["X-Request-Trace": "4bf92f3577b34da6a3ce929d0e0e4736", "X-Parent": "00f067aa0ba902b7", "X-Bag": "a=b"])
        #expect(custom.extract(from: out).span?.traceID == ctx.traceID)
    }

    @Test func theSeedsUUIDHeadersAreAccepted() throws {
        let remote = Propagator().extract(from: ["X-Trace-ID": "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f",
                                                 "X-Span-ID": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"])
        let ctx = try #require(remote.span)
        #expect(ctx.traceID.description == "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f")
        // A child of a UUID-identified parent still gets a traceparent (the id folded as OTLP export does).
        var headers: [String: String] = [:]
        Propagator(formats: .w3c).inject(ctx, baggage: Baggage()) { headers[$0] = $1 }
        #expect(headers["traceparent"]?.hasPrefix("00-6f1c2a4e8d3b4c5a9e7f0a1b2c3d4e5f-") == true)
    }

    @Test(arguments: [
        ["X-Trace-ID": "not-an-id", "X-Span-ID": "00f067aa0ba902b7"],
        ["X-Trace-ID": "4bf92f3577b34da6a3ce929d0e0e4736"],
        ["X-Trace-ID": "00000000000000000000000000000000", "X-Span-ID": "00f067aa0ba902b7"],
        ["X-Trace-ID": String(repeating: "a", count: 10_000), "X-Span-ID": "00f067aa0ba902b7"],
        ["traceparent": "garbage", "X-Baggage": "=,,=,"],
        ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u{0}"],
    ])
    func malformedHeadersAreIgnored(_ headers: [String: String]) {
        let remote = Propagator().extract(from: headers)
        #expect(remote.span == nil)
        #expect(remote.baggage.isEmpty)
    }

    @Test func injectUsesThisTasksContextNotAnotherTracersOrTasks() async {
        // The seed injected the context of the first tracer that had one; two concurrent
        // requests on different tracers must each send their own.
        let a = makeTracer("a", seed: 1), b = makeTracer("b", seed: 2)
        async let fromA: (SpanContext, [String: String]) = a.withSpan("a-request") { s in
            try? await Task.sleep(for: .milliseconds(5))
            var h: [String: String] = [:]
            Propagator().inject(into: &h)
            return (s.context, h)
        }
        async let fromB: (SpanContext, [String: String]) = b.withSpan("b-request") { s in
            var h: [String: String] = [:]
            Propagator().inject(into: &h)
            try? await Task.sleep(for: .milliseconds(5))
            return (s.context, h)
        }
        let (ra, rb) = await (fromA, fromB)
        #expect(ra.1["X-Span-ID"] == ra.0.spanID.description)
        #expect(rb.1["X-Span-ID"] == rb.0.spanID.description)
        var none: [String: String] = [:]
        Propagator().inject(into: &none)
        #expect(none.isEmpty)
    }
}

/// Found by Scripts/fuzz.sh (fuzz-traceparent, 330k executions): a tracestate key of digits with
/// combining marks crashed swift-w3c-trace-context's decoder (see Propagator.normaliseTracestate).
@Suite struct TracestateFuzzFindingTests {
    @Test func aTracestateWithCombiningMarksIsDroppedNotACrash() throws {
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let key = String(repeating: "0\u{35D}", count: 200)
        let context = try #require(Propagator.parseTraceparent(parent, tracestate: [key + "=v"]))
        #expect(context.traceState == "")
        #expect(context.spanID.description == "00f067aa0ba902b7")
        // Also when it arrives through extract, as a server would see it.
        let remote = Propagator().extract(from: ["traceparent": parent, "tracestate": "ok=1,\(key)=v,é=x"])
        #expect(remote.span?.traceState == "")
        #expect(Propagator.parseTraceparent(parent, tracestate: ["ok=1"])?.traceState == "ok=1")
    }
}
