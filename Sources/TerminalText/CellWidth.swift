import TraceModel

/// Terminal cell widths and the rules that make hostile text inert.
///
/// Widths follow the C library's `wcwidth` (which ncurses uses to place characters), frozen
/// into a generated table so that screens are the same on every machine. Control and format
/// characters never reach the terminal: they are replaced by a visible escape such as `^[`
/// or `\u{202E}`.
public enum CellWidth {
    /// How a code point is drawn.
    public enum Kind: UInt8, Sendable {
        /// One cell.
        case narrow = 0
        /// Zero cells: combines with the character before it.
        case combining = 1
        /// Two cells (CJK, most emoji).
        case wide = 2
        /// Shown as a visible escape instead (controls, bidi overrides, zero-width spaces, unassigned).
        case escape = 3
        /// Dropped (emoji/text variation selectors, on whose width terminals disagree).
        case drop = 4
    }

    /// The kind of a code point.
    @inline(__always)
    public static func kind(_ scalar: Unicode.Scalar) -> Kind {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return .narrow }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return .escape }
        return lookup(v)
    }

    static func lookup(_ v: UInt32) -> Kind {
        if v < rangeStarts[0] { return .narrow }
        // The last range starting at or before v.
        let lo = rangeStarts.partitioningIndex { $0 > v } - 1
        let packed = rangeEndsAndClasses[lo]
        if v <= packed & 0xFF_FFFF { return Kind(rawValue: UInt8(packed >> 24)) ?? .narrow }
        return .narrow
    }

    /// The visible text that stands in for an escaped code point: caret notation for C0
    /// controls and DEL (`^[`, `^G`, `^?`), `\u{…}` for everything else.
    public static func escapeText(_ scalar: Unicode.Scalar) -> String {
        let v = scalar.value
        if v < 0x20 { return "^" + String(UnicodeScalar(UInt8(v + 0x40))) }
        if v == 0x7F { return "^?" }
        return "\\u{" + String(v, radix: 16, uppercase: true) + "}"
    }

    /// Cells the text takes once made safe for the terminal.
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        var total = 0
        Glyphs.forEach(in: text) { g in
            total += g.width
            return true
        }
        return total
    }
}

/// One drawable unit: a base character with its combining marks, or the escape for an unsafe one.
public struct Glyph: Hashable, Sendable {
    /// What to draw; for escapes the whole escape text, which spans `width` one-cell characters.
    public var text: String
    /// Cells taken: 1 or 2 for characters, the escape's length for escapes.
    public var width: Int
    /// True when this stands in for a control or format character from the input.
    public var isEscape: Bool

    /// Creates a glyph.
    public init(text: String, width: Int, isEscape: Bool = false) {
        self.text = text
        self.width = width
        self.isEscape = isEscape
    }
}

/// Turns text into glyphs that are safe to put on a terminal.
public enum Glyphs {
    /// ncurses keeps at most five wide characters per cell (CCHARW_MAX): a base and four marks.
    static let maxMarks = 4

    /// Calls `body` with each glyph of `text` in order until it returns false.
    ///
    /// Combining marks join the glyph before them; a mark with nothing to join is drawn on a
    /// dotted circle (U+25CC) so it cannot merge with whatever the terminal has to its left.
    public static func forEach<S: StringProtocol>(in text: S, _ body: (Glyph) -> Bool) {
        forEachIndexed(in: text) { g, _ in body(g) }
    }

    /// Like `forEach`, also passing where in `text` each glyph comes from.
    public static func forEachIndexed<S: StringProtocol>(in text: S, _ body: (Glyph, Range<String.Index>) -> Bool) {
        let scalars = text.unicodeScalars
        var hasBase = false
        var baseWide = false
        var marks = 0
        var pending = ""
        var pendingStart = scalars.startIndex
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let scalar = scalars[i]
            let kind = CellWidth.kind(scalar)
            switch kind {
            case .combining:
                if !hasBase {
                    hasBase = true
                    baseWide = false
                    pending = "\u{25CC}"
                    pendingStart = i
                    marks = 0
                }
                if marks < maxMarks {
                    pending.unicodeScalars.append(scalar)
                    marks += 1
                }
                i = scalars.index(after: i)
                continue
            case .drop:
                i = scalars.index(after: i)
                continue
            case .narrow, .wide, .escape:
                break
            }
            if hasBase {
                if !body(Glyph(text: pending, width: baseWide ? 2 : 1), pendingStart..<i) { return }
                hasBase = false
            }
            let next = scalars.index(after: i)
            if kind == .escape {
                let e = CellWidth.escapeText(scalar)
                if !body(Glyph(text: e, width: e.utf8.count, isEscape: true), i..<next) { return }
                i = next
                continue
            }
            hasBase = true
            baseWide = kind == .wide
            pending = String(Character(scalar))
            pendingStart = i
            marks = 0
            i = next
        }
        if hasBase { _ = body(Glyph(text: pending, width: baseWide ? 2 : 1), pendingStart..<scalars.endIndex) }
    }

    /// The text made safe, as one string (escapes spelled out).
    public static func sanitized<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        forEach(in: text) { g in
            out += g.text
            return true
        }
        return out
    }
}
