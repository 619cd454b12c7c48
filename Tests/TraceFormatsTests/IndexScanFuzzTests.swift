import Synthetic
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// The index scan's block search (quotes, backslashes and brackets found 16 and 32 bytes at a
/// time) against a full load, on lines full of what trips a block scanner: escaped quotes,
/// backslash runs of every length, multibyte UTF-8, brackets inside strings, strings that
/// straddle 16-, 32- and 64-byte blocks, and whitespace between tokens.
@Suite struct IndexScanFuzzTests {
    /// JSON string contents (as written in the file, escapes included) that stress the scan.
    static func hostile(_ r: inout SplitMix64, length: Int) -> String {
        let pieces = [#"\""#, #"\\"#, #"\\\""#, #"\\\\"#, #"\\\\\\\""#, #"\n"#, #"\t"#, #"\/"#, #"\u00e9"#,
                      #"\ud83d\ude00"#, "é", "😀", "中文", "{", "}", "[", "]", ":", ",", " ", #"\u005c"#]
        var s = ""
        while s.utf8.count < length {
            if r.below(3) == 0 {
                s += pieces[r.below(pieces.count)]
            } else {
                s += String(repeating: Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(r.below(26)))), count: r.below(40))
            }
        }
        return s
    }

    /// A line of JSON where tokens may have whitespace between them.
    struct Writer {
        var out = ""
        var r: SplitMix64
        mutating func gap() {
            switch r.below(8) {
            case 0: out += " "
            case 1: out += "\t "
            default: break
            }
        }
        mutating func token(_ t: String) { gap(); out += t; gap() }
    }

    static func file(seed: UInt64, lines: Int) -> String {
        var w = Writer(r: SplitMix64(seed: seed))
        let traces = ["1", "a", "7", "e"].map { String(repeating: $0, count: 31) + "1" }
        var spanNumber = 0
        for line in 0..<lines {
            w.token("{"); w.token(#""resourceSpans""#); w.token(":"); w.token("[")
            w.token("{"); w.token(#""resource""#); w.token(":"); w.token("{"); w.token(#""attributes""#); w.token(":"); w.token("[")
            w.token(#"{"key":"service.name","value":{"stringValue":"svc-\#(line % 3)"}}"#)
            w.token("]"); w.token("}"); w.token(",")
            w.token(#""scopeSpans""#); w.token(":"); w.token("["); w.token("{")
            w.token(#""scope""#); w.token(":"); w.token(#"{"name":"\#(hostile(&w.r, length: w.r.below(30)))"}"#); w.token(",")
            w.token(#""spans""#); w.token(":"); w.token("[")
            let count = 1 + w.r.below(6)
            for k in 0..<count {
                spanNumber += 1
                if k > 0 { w.token(",") }
                let trace = traces[w.r.below(traces.count)]
                let id = String(format16: spanNumber)
                let parentless = w.r.below(4) == 0
                let start = 1_000 + Int64(w.r.below(100_000))
                let end = start + Int64(w.r.below(50_000))
                var members: [(String, String)] = [
                    ("traceId", #""\#(trace)""#), ("spanId", #""\#(id)""#),
                    ("name", #""\#(hostile(&w.r, length: w.r.below(90)))""#),
                    ("startTimeUnixNano", #""\#(start)""#), ("endTimeUnixNano", #""\#(end)""#),
                ]
                if !parentless { members.append(("parentSpanId", #""\#(String(format16: 1 + w.r.below(spanNumber)))""#)) }
                var attributes: [String] = []
                for _ in 0..<w.r.below(5) {
                    switch w.r.below(5) {
                    case 0: attributes.append(#"{"key":"note","value":{"stringValue":"\#(hostile(&w.r, length: w.r.below(300)))"}}"#)
                    case 1: attributes.append(#"{"value":{"stringValue":"\#(hostile(&w.r, length: w.r.below(80)))"},"key":"gen_ai.request.model"}"#)
                    case 2: attributes.append(#"{"key":"gen_ai.usage.input_tokens","value":{"intValue":"\#(w.r.below(5000))"}}"#)
                    case 3: attributes.append(#"{"key":"n\"o\\te","value":{"arrayValue":{"values":[{"stringValue":"\#(hostile(&w.r, length: 40))"},{"kvlistValue":{"values":[]}}]}}}"#)
                    default: attributes.append(#"{"key":"gen_ai.system","value":{"stringValue":"openai"}}"#)
                    }
                }
                members.append(("attributes", "[" + attributes.joined(separator: ",") + "]"))
                if w.r.below(3) == 0 { members.append(("status", #"{"message":"\#(hostile(&w.r, length: 50))","code":2}"#)) }
                if w.r.below(3) == 0 { members.append(("events", #"[{"name":"\#(hostile(&w.r, length: 60))","timeUnixNano":"\#(start)"}]"#)) }
                // Members in any order, as a writer may put them.
                for i in stride(from: members.count - 1, to: 0, by: -1) { members.swapAt(i, w.r.below(i + 1)) }
                w.token("{")
                for (i, (key, value)) in members.enumerated() {
                    if i > 0 { w.token(",") }
                    w.token(#""\#(key)""#); w.token(":"); w.token(value)
                }
                w.token("}")
            }
            w.token("]"); w.token("}"); w.token("]"); w.token("}"); w.token("]"); w.token("}")
            w.out += "\n"
        }
        return w.out
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func hostileLinesIndexAsAFullLoadReadsThem(seed: UInt64) throws {
        let path = temporaryDirectory() + "/fuzz-\(seed).jsonl"
        try writeFile(path, Array(IndexScanFuzzTests.file(seed: seed, lines: 40).utf8))
        let full = try TraceLoader.load(path: path)
        #expect(full.traces.count == 4 && full.skippedSpans == 0, "the generated file is valid JSON the reader takes whole")
        for parts in [1, 2] {
            try TraceIndexTests().expectMatchesFullLoad(path, parts: parts, window: 4096)
        }
    }

    /// A backslash run of every length ending at every offset of a 64-byte block: the byte
    /// after a backslash is skipped, wherever the block ends.
    @Test func backslashRunsAtEveryBlockOffsetEndTheirStringsWhereTheReaderDoes() throws {
        var lines: [String] = []
        for pad in 0..<70 {
            for run in 1...4 {
                // `run` escaped backslashes then an escaped quote: 2·run + 2 bytes of escapes.
                let name = String(repeating: "x", count: pad) + String(repeating: #"\\"#, count: run) + #"\""# + "{]"
                let trace = String(format: pad * 10 + run)
                lines.append(otlp(service: "s", [otlpSpan("00000000000000a1", name: name, trace: trace)]))
            }
        }
        let path = temporaryDirectory() + "/backslashes.jsonl"
        try writeFile(path, Array((lines.map { String($0.filter { $0 != "\n" }) }.joined(separator: "\n") + "\n").utf8))
        let index = try TraceIndexer.index(path: path, parts: 1)
        #expect(index.traces.count == 280)
        // Decoded by hand: each `\\` is one backslash, `\"` a quote.
        let expected = Set((0..<70).flatMap { pad in (1...4).map { run in
            String(repeating: "x", count: pad) + String(repeating: "\\", count: run) + "\"{]" } })
        #expect(Set(index.traces.map(\.rootName)) == expected)
        try TraceIndexTests().expectMatchesFullLoad(path, parts: 2, window: 4096)
    }
}

private extension String {
    /// A 16-digit hex span id.
    init(format16 n: Int) {
        let hex = String(n, radix: 16)
        self = String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A 32-digit hex trace id that is not zero.
    init(format n: Int) {
        let hex = String(n + 1, radix: 16)
        self = String(repeating: "0", count: 32 - hex.count) + hex
    }
}

extension SplitMix64 {
    /// A number in 0..<n (the slight modulo bias does not matter to a test).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
