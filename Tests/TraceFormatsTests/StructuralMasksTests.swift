#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synthetic
import TestSupport
import Testing
import TraceConventions
import TraceModel
@testable import TraceFormats

/// The index scan's stage 1 (64-byte blocks classified into bit masks) against a byte-by-byte
/// reference, and the walker that reads the masks against the same walker reading bytes alone,
/// on random and hostile lines: escapes and backslash runs across block edges, multibyte UTF-8,
/// brackets, colons and commas inside strings, truncated lines and bytes flipped at random.
@Suite struct StructuralMasksTests {
    typealias Random = SplitMix64

    /// The masks worked out one byte at a time: a byte is escaped when an odd number of
    /// backslashes run right before it; an unescaped quote flips "in string".
    struct Reference {
        var quotes: [Bool] = [], backslashes: [Bool] = [], inString: [Bool] = [], brackets: [Bool] = []
        var trusted = true

        init(_ bytes: [UInt8]) {
            var run = 0
            var inside = false
            for c in bytes {
                let escaped = run % 2 == 1
                let quote = c == 0x22 && !escaped
                if c == 0x22 && escaped && !inside { trusted = false }
                if quote { inside.toggle() }
                quotes.append(quote)
                backslashes.append(c == 0x5C)
                inString.append(inside)
                brackets.append(!inside && (c == 0x7B || c == 0x7D || c == 0x5B || c == 0x5D))
                run = c == 0x5C ? run + 1 : 0
            }
        }
    }

    static func bit(_ words: UnsafeMutablePointer<UInt64>, _ i: Int) -> Bool {
        words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    /// Classifies `line` placed `shift` bytes into a buffer, and compares every mask bit.
    static func expectMatchesReference(_ line: [UInt8], shift: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let masks = StructuralMasks()
        let buffer = [UInt8](repeating: 0x41, count: shift) + line + [0x22, 0x5C, 0x7B]
        let reference = Reference(line)
        buffer.withUnsafeBufferPointer { b in
            masks.classify(b.baseAddress!, from: shift, to: shift + line.count)
        }
        let v = masks.view
        var wrong: [Int] = []
        for i in 0..<line.count where bit(v.quotes, i) != reference.quotes[i] || bit(v.backslashes, i) != reference.backslashes[i]
            || bit(v.inString, i) != reference.inString[i] || bit(v.brackets, i) != reference.brackets[i] {
            wrong.append(i)
        }
        // Past the line's end no bit is set (the bytes after it are not the line's).
        for i in line.count..<(v.count * 64) where bit(v.quotes, i) || bit(v.backslashes, i) || bit(v.brackets, i) {
            wrong.append(i)
        }
        #expect(wrong.isEmpty, "bytes \(wrong.prefix(5)) of \(String(decoding: line, as: UTF8.self).debugDescription)",
                sourceLocation: sourceLocation)
        #expect(v.trusted == reference.trusted, sourceLocation: sourceLocation)
    }

    @Test func randomBytesGiveTheReferenceMasksAtEveryAlignment() {
        var r = Random(seed: 17)
        let alphabet: [[UInt8]] = [[0x22], [0x5C], [0x5C, 0x5C], [0x5C, 0x22], [0x7B], [0x7D], [0x5B], [0x5D], [0x3A], [0x2C],
                                   [0x61], [0x20], Array("é".utf8), Array("😀".utf8), Array("中".utf8)]
        for _ in 0..<400 {
            var line: [UInt8] = []
            let length = r.below(300)
            while line.count < length { line += alphabet[r.below(alphabet.count)] }
            Self.expectMatchesReference(line, shift: r.below(9))
        }
    }

    /// `\\…\"` runs of every length ending at every offset around the 64- and 128-byte block
    /// edges: the carry of a backslash run from one block to the next.
    @Test func backslashRunsAcrossBlockEdgesGiveTheReferenceMasks() {
        for pad in 50..<140 {
            for run in 0...9 {
                let line = Array((#"{"a":""# + String(repeating: "x", count: pad) + String(repeating: "\\", count: run)
                                  + #""]}"# + #","b":"{[:,\\"}"#).utf8)
                Self.expectMatchesReference(line, shift: 0)
                Self.expectMatchesReference(line, shift: 3)
            }
        }
    }

    /// Skips one value at the line's start with the masks and without: the same end, or the
    /// same error at the same offset.
    static func expectSameSkip(_ line: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let masks = StructuralMasks()
        line.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            masks.classify(base, from: 0, to: line.count)
            func skip(_ m: StructuralMasks.View?) -> String {
                var w = LineWalker(base, from: 0, to: line.count, masks: m)
                do throws(ScanFailure) {
                    try w.skipValue()
                    let after = w.peek().map { String($0) } ?? "end"
                    return "ok \(w.p) then \(after)"
                } catch {
                    return "error \(error.offset): \(error.message)"
                }
            }
            let bytes = skip(nil), fast = skip(masks.view)
            #expect(bytes == fast, "\(String(decoding: line, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
        }
    }

    /// Lines of the fuzz generator, cut short, with bytes flipped to quotes, backslashes and
    /// brackets, and hand-written hostile shapes (a quote inside a bare word, a `\"` outside a
    /// string) where the in-string mask and the byte walk disagree.
    @Test func skippingAValueWithTheMasksEndsWhereTheByteWalkEnds() {
        let file = Array(IndexScanFuzzTests.file(seed: 9, lines: 6).utf8)
        let lines = file.split(separator: 0x0A).map(Array.init)
        var r = Random(seed: 5)
        let flips: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x20, 0xC3]
        for line in lines {
            Self.expectSameSkip(line)
            for _ in 0..<60 {
                var l = Array(line.prefix(r.below(line.count + 1)))
                if !l.isEmpty, r.below(2) == 0 {
                    for _ in 0..<(1 + r.below(3)) { l[r.below(l.count)] = flips[r.below(flips.count)] }
                }
                Self.expectSameSkip(l)
            }
        }
        for text in [#"{"a":tr"ue,"b":{"c":"}"}}"#, #"{"a":[1,\"x"],"b":"]"}"#, #"[\"{"]"#, #"{"a":"\\\"}"#,
                     #"{"a":"x\"#, #"{"a":{"b":"c"}"#, #"["é{",{"k":"]\\"}]"#, #"{}"#, #"[]"#, #"""#, #"{"#, #"\"#] {
            Self.expectSameSkip(Array(text.utf8))
        }
    }

    /// Whole files scanned with the masks and by bytes alone: the same traces, runs, roots,
    /// calls, warnings and errors, whole or cut short, with bytes flipped.
    @Test(arguments: [21, 22, 23] as [UInt64])
    func partScansWithAndWithoutTheMasksAgree(seed: UInt64) throws {
        var r = Random(seed: seed)
        let whole = Array(IndexScanFuzzTests.file(seed: seed, lines: 12).utf8)
        let flips: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x0A]
        let path = temporaryDirectory() + "/stage1-\(seed).jsonl"
        for round in 0..<24 {
            var bytes = round == 0 ? whole : Array(whole.prefix(r.below(whole.count + 1)))
            if round > 0, !bytes.isEmpty, r.below(2) == 0 { bytes[r.below(bytes.count)] = flips[r.below(flips.count)] }
            try writeFile(path, bytes)
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            let range = 0..<bytes.count
            let fast = TraceIndexer.scanPart(fd: fd, range: range, window: 4096, progress: nil, stage1: true)
            let slow = TraceIndexer.scanPart(fd: fd, range: range, window: 4096, progress: nil, stage1: false)
            #expect(StructuralMasksTests.describe(fast) == StructuralMasksTests.describe(slow), "round \(round)")
            if round == 0 { #expect(fast.failure == nil && fast.entries.count == 4) }
        }
    }

    /// The scan's eight-digits-at-a-time decimal against the full reader's digit loop, on
    /// times, 19-digit edges past Int64.max, and strings with a non-digit at every place.
    @Test func decimalsReadEightAtATimeAsTheFullReaderReadsThem() {
        var r = Random(seed: 3)
        var cases = ["", "0", "7", "12345678", "1795597200409641356", "9223372036854775807", "9223372036854775808",
                     "9999999999999999999", "18446744073709551615", "00000000000000000001", "123456789012345678"]
        for _ in 0..<2000 {
            var digits = (0..<(1 + r.below(20))).map { _ in Character(String(r.below(10))) }
            if r.below(3) == 0 { digits[r.below(digits.count)] = [" ", "/", ":", "a", "-", "\u{FF}"][r.below(6)] }
            cases.append(String(digits))
        }
        for text in cases {
            let bytes = Array(text.utf8)
            let fast = bytes.withUnsafeBufferPointer { b in LineWalker.decimal(b.baseAddress ?? UnsafePointer(bitPattern: 8)!, b.count) }
            let full = bytes.withUnsafeBufferPointer { OTLPJSONReader.parseUInt($0) }
            #expect(fast == full, "\(text.debugDescription)")
        }
    }

    /// The scan's remembered summary-key answers against the convention table, asked over and
    /// over in shuffled order, so keys that share a slot push each other out.
    @Test func rememberedSummaryKeysAnswerAsTheConventionTable() {
        var r = Random(seed: 11)
        var keys = ["gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.system",
                    "gen_ai.operation.name", "gen_ai.input.messages", "llm.model_name", "llm.token_count.prompt",
                    "openinference.span.kind", "ai.model.id", "http.route", "service.name", "g", "", "é",
                    String(repeating: "gen_ai.", count: 12)]
        for _ in 0..<300 {
            let base = keys[r.below(keys.count)]
            keys.append(String(base.prefix(r.below(base.count + 1))) + ["", "x", "s", ".id", "_tokens"][r.below(5)])
        }
        let memo = SummaryKeyMemo()
        var wrong: [String] = []
        for _ in 0..<4000 {
            let key = keys[r.below(keys.count)]
            let bytes = Array(key.utf8)
            bytes.withUnsafeBufferPointer { b in
                let expected = LLMConventions.isSummaryKey(b)
                let name = memo.keptName(b) { String(decoding: $0, as: UTF8.self) }
                if memo.isSummaryKey(b) != expected || name != (expected ? key : nil) { wrong.append(key) }
            }
        }
        #expect(wrong.isEmpty, "\(Set(wrong).prefix(5))")
    }

    static func describe(_ p: PartIndex) -> [String] {
        var out = p.entries.map { e in
            "\(e.id) \(e.spanCount) \(e.errorCount) \(e.startNanos) \(e.endNanos) \(e.rootName.debugDescription) "
                + "\(e.llmCalls.count) \(e.runs.map { "\($0.start)-\($0.end)/\($0.context)/\($0.spans)" })"
        }
        out += p.contexts.map { "\($0.resource.map { "\($0)" } ?? "-") \($0.scope.map { "\($0)" } ?? "-") \($0.service)" }
        out += p.warnings.map { "\($0.line):\($0.column) \($0.message)" }
        out.append("\(p.skipped) \(p.clamped) \(p.lines) \(p.requests)")
        if let f = p.failure { out.append("failure \(f.line):\(f.column) @\(f.offset) \(f.message)") }
        return out
    }
}
