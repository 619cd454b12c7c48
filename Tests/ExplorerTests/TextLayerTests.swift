import Testing
import TerminalText
import TraceAnalysis
import TraceModel
@testable import Explorer

/// The shared pieces the explorer now takes from TerminalText and TraceModel.
struct TextLayerTests {
    @Test func partitioningIndexAgreesWithALinearScan() {
        // Every sorted array of up to 7 values from 0...3, against every key: the first value
        // not below the key, found by walking (a different method from the binary search).
        func sortedArrays(_ length: Int, from low: Int) -> [[Int]] {
            guard length > 0 else { return [[]] }
            return (low...3).flatMap { v in sortedArrays(length - 1, from: v).map { [v] + $0 } }
        }
        var checked = 0
        for a in (0...6).flatMap({ sortedArrays($0, from: 0) }) {
            for key in -1...4 {
                var expected = 0
                while expected < a.count && a[expected] < key { expected += 1 }
                #expect(a.partitioningIndex { $0 >= key } == expected, "\(a) key \(key)")
                checked += 1
            }
        }
        #expect(checked > 100)
        // A slice answers with its own indices.
        let slice = [1, 2, 3, 4, 5][2...]
        #expect(slice.partitioningIndex { $0 >= 4 } == 3)
        #expect(slice.partitioningIndex { $0 > 9 } == slice.endIndex)
    }

    @Test func terminalSafeIsTheExplorersConvention() {
        #expect(terminalSafe("a\u{1B}[31mb") == "a^[[31mb")
        #expect(terminalSafe("x\u{202E}y\u{200B}z\u{85}") == "x\\u{202E}y\\u{200B}z\\u{85}")
        #expect(terminalSafe("two\nlines") == "two^Jlines")
    }

    @Test func theSpanExportKeepsInvisibleCharactersAsEscapes() {
        let trace = Fixtures.trace("t1", [
            Fixtures.SpanSpec(id: "a", parent: nil, name: "rtl\u{202E}zw\u{200B}c1\u{85}bom\u{FEFF}\u{1B}", start: 0, end: 10),
        ])
        let json = Export.json(for: 0, in: TraceInsight(trace: trace, prices: .standard))
        #expect(json.contains(#""name": "rtl\u202ezw\u200bc1\u0085bom\ufeff\u001b""#))
        #expect(!json.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x85 || $0.value == 0x1B })
        #expect(json.contains(#""duration_ms": 10"#))
    }
}
