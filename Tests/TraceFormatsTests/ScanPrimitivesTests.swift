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

/// The index scan's small parts against the full reader's: decimals, the remembered key answers.
@Suite struct ScanPrimitivesTests {
    typealias Random = SplitMix64

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

    /// The scan's remembered summary-key answers and rows against the convention table, asked over and
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
                let row = memo.keptRow(b)
                if memo.isSummaryKey(b) != expected || row.map({ LLMConventions.rules[$0].key }) != (expected ? key : nil) {
                    wrong.append(key)
                }
            }
        }
        #expect(wrong.isEmpty, "\(Set(wrong).prefix(5))")
    }

    /// Keys the memo's hash cannot tell apart (same length, same first and last eight bytes),
    /// keys of every length around the word size and past the slot width, and table keys
    /// with one byte changed anywhere: every answer is the table's, asked again and again.
    @Test func keysThatShareTheirHashedBytesAreToldApartByTheirWholeBytes() {
        var keys: [String] = []
        for rule in LLMConventions.rules {
            let bytes = Array(rule.key.utf8)
            keys.append(rule.key)
            // One byte changed in the middle: same length, same first and last eight bytes.
            for i in stride(from: 8, to: max(8, bytes.count - 8), by: 3) {
                var b = bytes
                b[i] = b[i] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
                keys.append(String(decoding: b, as: UTF8.self))
            }
        }
        for n in [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 300] {
            keys.append("gen_ai.request.model" + String(repeating: "m", count: max(0, n - 20)))
            keys.append(String(("gen_ai.usage.input_tokens" + String(repeating: "s", count: n)).prefix(n)))
        }
        // Two table keys that share their first sixteen bytes.
        keys += ["gen_ai.request.model", "gen_ai.request.mode", "gen_ai.response.model", "gen_ai.response.id"]
        let memo = SummaryKeyMemo()
        var r = Random(seed: 17)
        var wrong: Set<String> = []
        for round in 0..<20_000 {
            let key = round < keys.count ? keys[round] : keys[r.below(keys.count)]
            Array(key.utf8).withUnsafeBufferPointer { b in
                let use = memo.use(b)
                let row = LLMConventions.summaryRow(b).map { Int32($0) } ?? -1
                let rank = SessionConventions.standardKeys.firstIndex(of: key).map { Int32($0) } ?? -1
                if use.row != row || use.sessionRank != rank { wrong.insert(key) }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        // The comparison means something only if the table answered some of them.
        #expect(keys.filter { k in Array(k.utf8).withUnsafeBufferPointer { LLMConventions.summaryRow($0) != nil } }.count
                >= LLMConventions.rules.count / 2)
    }

    /// A file's few dozen keys are each looked up in the table once, however often they come;
    /// a flood of distinct keys fills the memo to half and no further, and is still answered.
    @Test func eachDistinctKeyGoesToTheTableOnceUntilTheMemoIsHalfFull() {
        let memo = SummaryKeyMemo()
        let few = LLMConventions.rules.prefix(40).map(\.key)
        for _ in 0..<50 {
            for key in few { _ = Array(key.utf8).withUnsafeBufferPointer { memo.use($0) } }
        }
        #expect(memo.misses == Set(few).count)
        #expect(memo.hits == 50 * few.count - Set(few).count)
        var wrong = 0
        for i in 0..<(SummaryKeyMemo.slots * 2) {
            let key = "gen_ai.flood.\(i)"
            Array(key.utf8).withUnsafeBufferPointer { b in if memo.use(b).wanted { wrong += 1 } }
        }
        #expect(wrong == 0)
        #expect(memo.count == SummaryKeyMemo.slots / 2)
        for key in few {
            Array(key.utf8).withUnsafeBufferPointer { b in
                if memo.use(b).row != LLMConventions.summaryRow(b).map({ Int32($0) }) ?? -1 { wrong += 1 }
            }
        }
        #expect(wrong == 0)
    }

    /// The scan's status rule without Strings against the rule on Strings (the full reader's
    /// words), on every spelling of an error code and near misses.
    @Test func statusCodesWrittenInASCIIAreReadAsTheStringRuleReadsThem() {
        func byStrings(_ raw: String) -> Bool {
            var text = raw
            if text.hasPrefix("\"") { text = String(text.dropFirst().dropLast()) }
            if text.hasPrefix("STATUS_CODE_") { text = String(text.dropFirst(12)) }
            return text == "2" || text.uppercased() == "ERROR"
        }
        let codes = ["2", "1", "0", "22", #""2""#, #""ERROR""#, #""error""#, #""ErRoR""#, #""STATUS_CODE_ERROR""#,
                     #""STATUS_CODE_error""#, #""status_code_ERROR""#, #""STATUS_CODE_2""#, #""STATUS_CODE_OK""#, #""ERRORS""#,
                     #""ERRO""#, #""""#, #""ERROR""#, #""%RROR""#, #""eRRoR""#, "null", "true", #""ÉRROR""#, #""errör""#,
                     #""STATUS_CODE_""#, #""STATUS_CODE_ERROR "#]
        var wrong: [String] = []
        for code in codes {
            let bytes = Array(code.utf8)
            let fast = bytes.withUnsafeBufferPointer { PartScanner.asciiStatusIsError($0) }
            if let fast, fast != byStrings(code) { wrong.append(code) }
            if fast == nil, bytes.allSatisfy({ $0 < 0x80 }) { wrong.append("\(code): no answer") }
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    /// Times read by the scan's short path (a quote, 16–19 digits, a quote) and by its general
    /// path give the full reader's number, or nil where it has none.
    @Test func timesReadByTheShortPathAreTheFullReadersNumbers() {
        var r = Random(seed: 41)
        var cases = ["1795597200409641356", "9223372036854775807", "9223372036854775808", "0000000000000000",
                     "99999999999999999999", "179559720040964135", "1795597200409641", "179559720040964"]
        for _ in 0..<2000 {
            var digits = (0..<(14 + r.below(8))).map { _ in Character(String(r.below(10))) }
            if r.below(4) == 0 { digits[r.below(digits.count)] = ["x", "\\", ".", "-"][r.below(4)] }
            cases.append(String(digits))
        }
        var wrong: [String] = []
        for text in cases {
            let line = Array(("\"" + text + "\",\"endTimeUnixNano\":\"1\"}").utf8)
            let got: Int64? = line.withUnsafeBufferPointer { b in
                var w = LineWalker(b.baseAddress!, from: 0, to: b.count)
                return (try? w.nanos()) ?? nil
            }
            let expected = text.contains("\\") ? nil : Array(text.utf8).withUnsafeBufferPointer { OTLPJSONReader.parseUInt($0) }
            if got != expected { wrong.append(text) }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }
}
