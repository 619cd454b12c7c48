import TestSupport
import Testing
@testable import Explorer
#if canImport(Glibc)
import Glibc
import TerminalText

// Glibc's Swift module hides wcwidth (it needs _XOPEN_SOURCE); the C symbol is there.
@_silgen_name("wcwidth") private func platformWcwidth(_ c: wchar_t) -> Int32
#endif

@Suite struct CellWidthTests {
    @Test func widthsOfCommonText() {
        #expect(CellWidth.of("agent.run") == 9)
        #expect(CellWidth.of("中文") == 4)
        #expect(CellWidth.of("😀") == 2)
        #expect(CellWidth.of("e\u{301}") == 1)          // e + combining acute
        #expect(CellWidth.of("❤\u{FE0F}") == 1)         // variation selector dropped
    }

    @Test func hostileCharactersBecomeVisibleEscapes() {
        #expect(Glyphs.sanitized("\u{1B}[31mred\u{1B}[0m") == "^[[31mred^[[0m")
        // OSC 52 clipboard write and a title change, both terminated by BEL or ST.
        #expect(Glyphs.sanitized("\u{1B}]52;c;ZXZpbA==\u{07}") == "^[]52;c;ZXZpbA==^G")
        #expect(Glyphs.sanitized("\u{1B}]0;pwned\u{1B}\\") == "^[]0;pwned^[\\")
        #expect(Glyphs.sanitized("a\u{9B}31m") == "a\\u{9B}31m")               // C1 CSI
        #expect(Glyphs.sanitized("abc\u{202E}fed") == "abc\\u{202E}fed")        // right-to-left override
        #expect(Glyphs.sanitized("x\u{2066}y\u{2069}") == "x\\u{2066}y\\u{2069}")
        #expect(Glyphs.sanitized("zero\u{200B}width") == "zero\\u{200B}width")
        #expect(Glyphs.sanitized("bell\u{07}\u{7F}") == "bell^G^?")
        #expect(Glyphs.sanitized("line\nbreak\ttab") == "line^Jbreak^Itab")
        #expect(Glyphs.sanitized("\u{0378}") == "\\u{378}")                      // unassigned
    }

    @Test func combiningMarkWithoutBaseGetsADottedCircle() {
        var count = 0
        Glyphs.forEach(in: "\u{301}x") { g in
            if count == 0 { #expect(g.text == "\u{25CC}\u{301}") }
            count += 1
            return true
        }
        #expect(count == 2)
    }

    @Test func zalgoKeepsAtMostFourMarksPerCell() {
        let zalgo = "a" + String(repeating: "\u{301}", count: 40)
        var glyphs: [Glyph] = []
        Glyphs.forEach(in: zalgo) { glyphs.append($0); return true }
        #expect(glyphs.count == 1)
        #expect(glyphs[0].text.unicodeScalars.count == 5)
    }

    #if canImport(Glibc)
    /// The frozen table must agree with the C library ncurses uses, or columns drift on screen.
    @Test func tableAgreesWithPlatformWcwidth() async throws {
        // Every code point: seconds in a debug build, so off the cooperative pool (TestSupport's
        // `offPool`). The locale is per thread: it is set and used on that one thread.
        let mismatches = await offPool { () -> [String]? in
            // Without the locale wcwidth answers -1 for every non-ASCII character: fail, never skip.
            guard let loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) else { return nil }
            defer { freelocale(loc) }
            let old = uselocale(loc)
            defer { uselocale(old) }
            var mismatches: [String] = []
            for v in UInt32(0x20)...0x10FFFF {
                guard let scalar = Unicode.Scalar(v) else { continue }
                let w = platformWcwidth(wchar_t(bitPattern: v))
                let expected: Int?
                switch CellWidth.kind(scalar) {
                case .narrow: expected = 1
                case .wide: expected = 2
                case .combining: expected = 0
                case .escape, .drop: expected = nil
                }
                if let e = expected, Int(w) != e, mismatches.count < 10 {
                    mismatches.append("U+\(String(v, radix: 16)): table \(e), wcwidth \(w)")
                }
            }
            return mismatches
        }
        let found = try #require(mismatches, "the C.UTF-8 locale is not available")
        #expect(found.isEmpty, "\(found)")
    }
    #endif
}

@Suite struct ScreenTests {
    @Test func putTruncatesWithEllipsis() {
        var s = Screen(size: Size(width: 10, height: 1))
        #expect(s.put("hello world", row: 0, column: 0) == 10)
        #expect(s.text == "hello wor…")
        var t = Screen(size: Size(width: 10, height: 1))
        #expect(t.put("exactly10!", row: 0, column: 0) == 10)
        #expect(t.text == "exactly10!")
    }

    @Test func wideCharactersNeverSplitAcrossTheEdge() {
        var s = Screen(size: Size(width: 5, height: 1))
        s.put("ab中文", row: 0, column: 0)
        #expect(s.text == "ab中…")
        #expect(s[0, 3].isContinuation)
        var t = Screen(size: Size(width: 5, height: 1))
        t.put("abcd中", row: 0, column: 0, ellipsis: false)
        #expect(t.text == "abcd")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var s = Screen(size: Size(width: 4, height: 1))
        s.put("中", row: 0, column: 0)
        s.put("x", row: 0, column: 1)
        #expect(s.text == " x")
        #expect(!s[0, 1].isContinuation)
    }

    @Test func escapesAreStyledAndCountTheirWidth() {
        var s = Screen(size: Size(width: 12, height: 1))
        s.put("a\u{1B}b", row: 0, column: 0, style: Style(ink: .llm))
        #expect(s.text == "a^[b")
        #expect(s[0, 1].style.ink == .escaped)
        #expect(s[0, 2].style.ink == .escaped)
        #expect(s[0, 3].style.ink == .llm)
    }

    @Test func diffSendsOnlyChangedCells() {
        var a = Screen(size: Size(width: 8, height: 2))
        a.put("abcdefgh", row: 0, column: 0)
        a.put("12345678", row: 1, column: 0)
        var b = a
        b.put("XY", row: 0, column: 3)
        b.put("中", row: 1, column: 6)
        let runs = b.changes(since: a)
        #expect(runs.count == 2)
        #expect(runs[0].row == 0 && runs[0].column == 3 && runs[0].cells.count == 2)
        #expect(runs[1].row == 1 && runs[1].column == 6 && runs[1].cells.count == 2)
        #expect(b.changes(since: b).isEmpty)
        #expect(b.changes(since: nil).count == 2)
    }
}

@Suite struct FormatTests {
    @Test func durations() {
        #expect(Format.duration(850) == "850ns")
        #expect(Format.duration(12_345) == "12.3µs")
        #expect(Format.duration(450_000_000) == "450ms")
        #expect(Format.duration(1_234_000_000) == "1.23s")
        #expect(Format.duration(125_000_000_000) == "2m05s")
    }

    @Test func countsAndMoney() {
        #expect(Format.compact(950) == "950")
        #expect(Format.compact(1_234) == "1.2k")
        #expect(Format.compact(12_345) == "12k")
        #expect(Format.compact(2_500_000) == "2.5M")
        #expect(Format.grouped(1_234_567) == "1,234,567")
        #expect(Format.usd(0.00312) == "$0.0031")
        #expect(Format.usd(0.0425) == "$0.043")
        #expect(Format.usd(12.5) == "$12.50")
        #expect(Format.usd(0.0000674) == "$0.000067")
        #expect(Format.usd(0.0000003) == "<$0.00001")
        #expect(Format.percent(1, of: 3) == "33%")
    }

    @Test func timestamps() {
        #expect(Format.timestamp(0) == "1970-01-01 00:00:00.000Z")
        #expect(Format.timestamp(1_714_564_803_250_000_000) == "2024-05-01 12:00:03.250Z")
    }
}

@Suite struct InvisibleCharacterTests {
    /// Every character Unicode calls a control, a format character (bidi overrides and isolates,
    /// zero-width spaces and joiners, the BOM, soft hyphen, tags) or a line/paragraph separator is
    /// drawn as a visible escape, never passed to the terminal, whatever the width table says.
    @Test func everyControlFormatAndSeparatorCharacterIsEscaped() async {
        // Every code point: seconds in a debug build, so off the cooperative pool.
        let leaked = await offPool { () -> [String] in
            var leaked: [String] = []
            for v in UInt32(0)...0x10FFFF {
                guard let scalar = Unicode.Scalar(v) else { continue }
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator:
                    var glyphs: [Glyph] = []
                    Glyphs.forEach(in: String(Character(scalar))) { glyphs.append($0); return true }
                    if !(glyphs.count == 1 && glyphs[0].isEscape) && !glyphs.isEmpty {
                        leaked.append(String(v, radix: 16))
                    }
                default:
                    continue
                }
            }
            return leaked
        }
        #expect(leaked.isEmpty, "not escaped: \(leaked.prefix(40).joined(separator: " "))")
    }
}
