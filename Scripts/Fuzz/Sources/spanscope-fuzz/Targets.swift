import AITracing
import Explorer
@testable import TraceConventions
@testable import TraceFormats
import TraceModel

/// A fuzz target: gets libFuzzer's bytes, returns 0; traps (precondition) on a broken promise.
typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// Every target by name. Each reads the bytes with one reader or parser; reader targets then
/// exercise the index, the analysis and the explorer on what was read.
let fuzzTargets: [(name: String, run: FuzzTarget)] = [
    // W3C `baggage` values (one per line): parsing stays within the limits, and what was parsed
    // survives writing and reading again.
    ("fuzz-baggage", { data, count in
        let values = FuzzSupport.values(UnsafeRawBufferPointer(start: data, count: count))
        let baggage = BaggageHeader.parse(values)
        precondition(baggage.entries.count <= BaggageHeader.maxMembers, "too many baggage members")
        if let header = BaggageHeader.format(baggage) {
            precondition(header.utf8.count <= BaggageHeader.maxBytes, "baggage header over the byte limit")
            let again = BaggageHeader.parse([header])
            precondition(again.entries.count <= baggage.entries.count, "round trip grew the baggage")
            for e in again.entries {
                precondition(baggage.entries.contains(e), "round trip changed an entry: \(e)")
            }
        }
        return 0
    }),
    // Whole files as `spanscope FILE` reads them: gzip, BOM, format detection, every reader; what
    // was read before an error (the partial document the explorer shows) is exercised too.
    ("fuzz-decode", { data, count in
        let bytes = Array(UnsafeBufferPointer(start: data, count: count))
        do throws(TraceFormatError) {
            FuzzSupport.exercise(try TraceLoader.decode(bytes, source: "fuzz"))
        } catch {
            precondition(!error.description.contains("\n"), "error message spans lines")
            if let partial = error.partial { FuzzSupport.exercise(partial) }
        }
        return 0
    }),
    // Jaeger query-API JSON, read by JaegerJSONReader directly.
    ("fuzz-jaeger-json", { data, count in
        let buf = UnsafeBufferPointer(start: data, count: count)
        var collector = SpanCollector()
        var reader = JaegerJSONReader(scanner: JSONScanner(buf))
        try? reader.readAll(into: &collector, source: "fuzz")
        FuzzSupport.exercise(collector.document(source: "fuzz"))
        return 0
    }),
    // OTLP JSON, one or more request objects, read by OTLPJSONReader directly, in full and as
    // `summary` reads it.
    ("fuzz-otlp-json", { data, count in
        let buf = UnsafeBufferPointer(start: data, count: count)
        var collector = SpanCollector()
        var reader = OTLPJSONReader(scanner: JSONScanner(buf))
        _ = try? reader.readAll(into: &collector, source: "fuzz")
        let full = collector.document(source: "fuzz")
        FuzzSupport.exercise(full)
        // `spanscope summary` reads the same text skipping what it does not show: the same spans,
        // or more when only skipped parts (events, links) were malformed.
        var summary = SpanCollector()
        var lean = OTLPJSONReader(scanner: JSONScanner(buf))
        lean.keepAttribute = LLMConventions.isSummaryKey
        _ = try? lean.readAll(into: &summary, source: "fuzz")
        let short = summary.document(source: "fuzz")
        precondition(short.spanCount >= full.spanCount, "summary reading lost spans")
        return 0
    }),
    // OTLP JSON Lines through the parallel path: the splitter cuts the input into up to four chunks
    // (no minimum size here), each parsed on its own and merged with line offsets.
    ("fuzz-otlp-jsonl", { data, count in
        let buf = UnsafeBufferPointer(start: data, count: count)
        var collector = SpanCollector()
        let chunks = JSONLinesSplitter.chunks(buf, from: 0, parts: 4, minimumSize: 0) ?? [0..<count]
        try? TraceLoader.readOTLPLinesInParallel(buf, chunks: chunks, source: "fuzz", into: &collector, release: false, progress: LoadProgress(),
                                                      detail: .full)
        FuzzSupport.exercise(collector.document(source: "fuzz"))
        return 0
    }),
    // OTLP protobuf ExportTraceServiceRequest bodies (what the live receiver decodes).
    ("fuzz-otlp-protobuf", { data, count in
        let buf = UnsafeBufferPointer(start: data, count: count)
        var collector = SpanCollector()
        _ = try? OTLPProtobuf.read(Array(buf), into: &collector)
        FuzzSupport.exercise(collector.document(source: "fuzz"))
        return 0
    }),
    // The seed's X-Trace-ID / X-Span-ID / X-Baggage headers (lines 1, 2 and the rest), through the
    // propagator's extract as a server would call it, and written back with inject.
    ("fuzz-seed-headers", { data, count in
        let lines = FuzzSupport.values(UnsafeRawBufferPointer(start: data, count: count))
        let trace = lines.first ?? "", span = lines.count > 1 ? lines[1] : ""
        let baggage = Array(lines.dropFirst(2))
        let propagator = Propagator(formats: .seed)
        let remote = propagator.extract { name in
            switch name.lowercased() {
            case "x-trace-id": return [trace]
            case "x-span-id": return [span]
            case "x-baggage": return baggage
            default: return []
            }
        }
        _ = Propagator.parseSeedIDs(trace: trace, span: span)
        precondition(remote.baggage.entries.count <= BaggageHeader.maxMembers, "too many seed baggage items")
        var written: [String: String] = [:]
        propagator.inject(remote.span, baggage: remote.baggage) { written[$0] = $1 }
        if let header = written["X-Baggage"] {
            let again = SeedBaggage.parse([header])
            precondition(again.entries.count <= remote.baggage.entries.count, "seed baggage round trip grew")
        }
        if let span = remote.span {
            precondition(written["X-Trace-ID"] != nil && written["X-Span-ID"] != nil, "context not written back")
            let back = Propagator.parseSeedIDs(trace: written["X-Trace-ID"]!, span: written["X-Span-ID"]!)
            precondition(back?.traceID == span.traceID && back?.spanID == span.spanID, "seed ids round trip changed")
        }
        return 0
    }),
    // The seed's trace shape, read by SeedJSONReader directly.
    ("fuzz-seed-json", { data, count in
        let buf = UnsafeBufferPointer(start: data, count: count)
        var collector = SpanCollector()
        var reader = SeedJSONReader(scanner: JSONScanner(buf))
        try? reader.readAll(into: &collector, source: "fuzz")
        FuzzSupport.exercise(collector.document(source: "fuzz"))
        return 0
    }),
    // `traceparent` (first line) with `tracestate` values (the other lines). A context that parses
    // must write back out as the same traceparent (version 00) it was read from.
    ("fuzz-traceparent", { data, count in
        let lines = FuzzSupport.values(UnsafeRawBufferPointer(start: data, count: count))
        guard let parent = lines.first else { return 0 }
        if let context = Propagator.parseTraceparent(parent, tracestate: Array(lines.dropFirst())) {
            guard let written = Propagator.traceparent(for: context) else { fatalError("parsed context cannot be written") }
            guard let again = Propagator.parseTraceparent(written) else { fatalError("written traceparent does not parse: \(written)") }
            precondition(again.traceID == context.traceID && again.spanID == context.spanID
                         && again.traceFlags == context.traceFlags, "traceparent round trip changed the context")
        }
        return 0
    }),
    // `tracestate` values (one per line) with a valid traceparent: never crashes, never keeps more
    // than the spec's 32 members, and whatever is kept parses again unchanged.
    ("fuzz-tracestate", { data, count in
        let states = FuzzSupport.values(UnsafeRawBufferPointer(start: data, count: count))
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        guard let context = Propagator.parseTraceparent(parent, tracestate: states) else {
            fatalError("a bad tracestate lost a valid traceparent")
        }
        let state = context.traceState
        if !state.isEmpty {
            precondition(state.split(separator: ",").count <= 32, "more than 32 tracestate members kept")
            let again = Propagator.parseTraceparent(parent, tracestate: [state])
            precondition(again?.traceState == state, "kept tracestate does not read back the same")
        }
        return 0
    }),
    // Zipkin v2 JSON, read by ZipkinJSONReader directly.
    ("fuzz-zipkin-json", { data, count in
        let buf = UnsafeBufferPointer(start: data, count: count)
        var collector = SpanCollector()
        var reader = ZipkinJSONReader(scanner: JSONScanner(buf))
        try? reader.readAll(into: &collector, source: "fuzz")
        FuzzSupport.exercise(collector.document(source: "fuzz"))
        return 0
    }),
    // The explorer driven by keys: the bytes after the first NUL pick keys from the key table and
    // terminal sizes, the bytes before it are the trace file. Every state is drawn.
    ("fuzz-explorer-keys", { data, count in
        let bytes = Array(UnsafeBufferPointer(start: data, count: count))
        let cut = bytes.firstIndex(of: 0) ?? bytes.count
        let file = Array(bytes[..<cut])
        let document: TraceDocument
        do throws(TraceFormatError) {
            document = try TraceLoader.decode(file, source: "fuzz")
        } catch {
            guard let partial = error.partial else { return 0 }
            document = partial
        }
        guard document.spanCount <= 4_000 else { return 0 }
        let keys = KeyTable.bindings.flatMap(\.keys) + "abcxyz /-+".map { Key.character($0) }
        var state = ExplorerState(document: document, size: Size(width: 80, height: 24))
        for b in bytes.dropFirst(cut + 1).prefix(200) {
            if b >= 0xF0 {
                // A resize: 0xF0–0xFF pick sizes from a tiny 1×1 to a wide 200×60.
                let sizes = [(1, 1), (2, 2), (10, 3), (5, 1), (15, 4), (39, 11), (40, 12), (60, 20), (80, 24), (100, 30),
                             (120, 40), (200, 60), (1, 40), (200, 1), (0, 0), (3, 3)]
                let (w, h) = sizes[Int(b - 0xF0)]
                _ = state.apply(.resize(Size(width: w, height: h)))
            } else if let action = state.action(for: keys[Int(b) % keys.count]) {
                _ = state.apply(action)
            }
            _ = render(state, size: state.size)
            if state.quitting { break }
        }
        return 0
    }),
]

