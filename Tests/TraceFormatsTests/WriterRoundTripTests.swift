import Testing
import TraceModel
@testable import TraceConventions
@testable import TraceFormats
import TerminalText
import TraceWriters

@Suite struct WriterRoundTripTests {
    static let samples = ["rag-pipeline.otlp.json", "agent-parallel-tools.otlp.jsonl",
                          "openinference-incident-qa.otlp.json", "openllmetry-triage-batch.otlp.jsonl",
                          "seed-agent-tool.json"]

    /// Parent name per span name path, a shape that survives id rewriting.
    func shape(_ t: Trace) -> [String] {
        (0..<t.count).map { i in t.ancestry(of: i).map { t.spans[$0].name }.joined(separator: " > ") }.sorted()
    }

    @Test(arguments: samples)
    func otlpRoundTripKeepsTreeTimesAndTokens(_ name: String) throws {
        let original = try sample(name)
        for lines in [false, true] {
            let bytes = OTLPJSONWriter.encode(original.traces, lines: lines)
            let back = try TraceLoader.decode(bytes, source: "round.json")
            #expect(back.format == (lines && original.traces.count > 1 ? "OTLP JSON Lines" : "OTLP JSON"))
            #expect(back.traces.count == original.traces.count)
            for (a, b) in zip(original.traces, back.traces) {
                #expect(shape(a) == shape(b))
                #expect(a.startNanos == b.startNanos && a.endNanos == b.endNanos)
                #expect(a.llmCalls.map(\.totalTokens) == b.llmCalls.map(\.totalTokens))
                #expect(a.llmCalls.map(\.model) == b.llmCalls.map(\.model))
                // Spans are regrouped by resource on the way out, so compare them as sets.
                let facts = { (t: Trace) in t.spans.map { "\($0.name)|\($0.service)|\($0.status)|\($0.startNanos)" }.sorted() }
                #expect(facts(a) == facts(b))
                let messages = { (t: Trace) in (0..<t.count).compactMap { t.llmCallDetails(at: $0)?.inputMessages } }
                #expect(messages(a).sorted { $0.count < $1.count } == messages(b).sorted { $0.count < $1.count })
            }
        }
    }

    @Test(arguments: samples)
    func seedRoundTripKeepsTreeTokensAndTimesToTheMicrosecond(_ name: String) throws {
        let original = try sample(name)
        let bytes = SeedJSONWriter.encode(original.traces)
        let back = try TraceLoader.decode(bytes, source: "round.json")
        #expect(back.format == "seed JSON")
        #expect(back.traces.count == original.traces.count)
        for (a, b) in zip(original.traces, back.traces) {
            #expect(shape(a) == shape(b))
            #expect(!b.timingEstimated)
            #expect(abs(a.startNanos - b.startNanos) < 1_000)
            #expect(a.llmCalls.map(\.totalTokens) == b.llmCalls.map(\.totalTokens))
            #expect(a.spans.map(\.status.code) == b.spans.map(\.status.code))
        }
    }

    @Test func nonHexIdsBecomeValidOTLPAndKeepTheOriginal() throws {
        let doc = try sample("seed-agent-tool.json")
        var w = JSONWriter()
        OTLPJSONWriter.span(doc.traces[0].spans[0], into: &w)
        let text = w.output
        #expect(text.contains(#""traceId":"a426fe096e9e4f5a8c4c9e2fd8bf1fa2""#))
        #expect(text.contains(OTLPJSONWriter.originalSpanIDKey))
        let spanID = text.split(separator: "\"spanId\":\"")[1].prefix(16)
        #expect(spanID.allSatisfy { $0.isHexDigit })
    }

    @Test func writerEscapesEverythingThatWouldBreakJSON() throws {
        var w = JSONWriter()
        w.beginObject()
        w.member("s", "quote\" back\\ nl\n esc\u{1B} del\u{7F} bell\u{07} é 😀")
        w.member("nan", Double.nan)
        w.endObject()
        #expect(w.output == #"{"s":"quote\" back\\ nl\n esc\u001b del\u007f bell\u0007 é 😀","nan":null}"#)
        let parsed = JSONScanner.parse(w.output)
        #expect(parsed?["s"]?.string == "quote\" back\\ nl\n esc\u{1B} del\u{7F} bell\u{07} é 😀")
    }
}

@Suite struct JSONWriterSafetyTests {
    /// JSON printed to a terminal (convert to -, summary --json) must not carry what a terminal
    /// obeys: C1 controls such as U+009B (CSI), bidi overrides, zero-width characters.
    @Test func terminalControlsAndInvisibleCharactersAreWrittenAsEscapes() throws {
        let hostile = "a\u{1B}[2J\u{07}\u{9B}31m\u{202E}evil\u{200B}\u{2066}x\u{FEFF}\u{061C}é€😀"
        var w = JSONWriter()
        w.string(hostile)
        let text = w.output
        #expect(text == #""a\u001b[2J\u0007\u009b31m\u202eevil\u200b\u2066x\ufeff\u061cé€😀""#)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        // Still the same string to a JSON reader.
        var copy = text
        let parsed = copy.withUTF8 { buf -> String? in
            var s = JSONScanner(buf)
            return try? s.readString()
        }
        #expect(parsed == hostile)
    }
}
