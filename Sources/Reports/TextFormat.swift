import TerminalText

/// Column layout for plain-text reports, measured in terminal cells (text is made safe first).
enum TextFormat {
    /// `s` padded on the right to `width` cells plus one space; cut with `…` when longer.
    static func pad(_ s: String, _ width: Int) -> String {
        let n = CellWidth.of(s)
        if n <= width { return s + String(repeating: " ", count: width - n + 1) }
        var out = ""
        var used = 0
        Glyphs.forEach(in: s) { g in
            guard used + g.width <= width - 1 else { return false }
            out += g.text
            used += g.width
            return true
        }
        return out + "…" + String(repeating: " ", count: width - used)
    }

    /// `s` right-aligned in `width` cells.
    static func left(_ s: String, _ width: Int) -> String {
        let n = CellWidth.of(s)
        return n >= width ? s : String(repeating: " ", count: width - n) + s
    }
}
