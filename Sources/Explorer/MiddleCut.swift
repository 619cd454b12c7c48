import TerminalText

/// Names cut in the middle: `claude-3-5…20241022` keeps both the family and the date that tell
/// two models apart, where a cut at the end (`claude-3-5-so…`) makes them look the same.
enum MiddleCut {
    /// `text` made safe and, when wider than `width` cells, its head and tail around `…`.
    static func fit(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        // A name can be megabytes long: only its ends can be shown, so only they are measured.
        var source = text
        if text.utf8.count > 4096 {
            let scalars = text.unicodeScalars
            source = String(String.UnicodeScalarView(scalars.prefix(1024))) + "\u{2026}"
                + String(String.UnicodeScalarView(scalars.suffix(1024)))
        }
        var glyphs: [Glyph] = []
        var total = 0
        Glyphs.forEach(in: source) { g in
            glyphs.append(g)
            total += g.width
            return true
        }
        if total <= width { return glyphs.map(\.text).joined() }
        guard width > 1 else { return "…" }
        let room = width - 1
        let headRoom = (room + 1) / 2
        var head = "", tail = ""
        var used = 0
        var i = 0
        while i < glyphs.count, used + glyphs[i].width <= headRoom {
            head += glyphs[i].text
            used += glyphs[i].width
            i += 1
        }
        var tailUsed = 0
        var j = glyphs.count - 1
        var tailGlyphs: [String] = []
        while j >= i, used + tailUsed + glyphs[j].width <= room {
            tailGlyphs.append(glyphs[j].text)
            tailUsed += glyphs[j].width
            j -= 1
        }
        for g in tailGlyphs.reversed() { tail += g }
        return head + "…" + tail
    }
}

extension Screen {
    /// Puts a name within `limit` cells, cut in the middle when it does not fit; returns the cells used.
    @discardableResult
    mutating func putName(_ text: String, row: Int, column: Int, limit: Int, style: Style = .plain) -> Int {
        guard limit > 0 else { return 0 }
        return put(MiddleCut.fit(text, width: limit), row: row, column: column, limit: limit, style: style, ellipsis: false)
    }
}
