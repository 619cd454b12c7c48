import TerminalText
/// A paragraph of a scrollable document: an optional label column and wrapped text.
public struct DocumentBlock: Sendable {
    /// Text in the label column (first line only), such as `model`.
    public var label: String
    /// Cells reserved for the label column (0 for none).
    public var labelWidth: Int
    /// Style of the label.
    public var labelStyle: Style
    /// The text; wrapped to the width, `\n` starts a new line.
    public var text: String
    /// Style of the text.
    public var style: Style
    /// Cells of indentation before the label.
    public var indent: Int

    /// A block of text, optionally labelled.
    public init(_ text: String, style: Style = .plain, label: String = "", labelWidth: Int = 0,
                labelStyle: Style = Style(ink: .muted), indent: Int = 0) {
        self.text = DocumentBlock.normalised(text)
        self.style = style
        self.label = label
        self.labelWidth = labelWidth
        self.labelStyle = labelStyle
        self.indent = indent
    }

    /// A section heading.
    public static func heading(_ text: String) -> DocumentBlock {
        DocumentBlock(text, style: Style(ink: .accent, attributes: [.bold]))
    }

    /// An empty line.
    public static let blank = DocumentBlock("")

    /// Tabs become four spaces and CR LF or CR become LF, so the terminal never sees them raw.
    static func normalised(_ text: String) -> String {
        var needed = false
        for b in text.utf8 where b == 0x09 || b == 0x0D {
            needed = true
            break
        }
        guard needed else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\t": out += "    "; previousCR = false
            case "\r": out += "\n"; previousCR = true
            case "\n": if !previousCR { out += "\n" }; previousCR = false
            default: out.unicodeScalars.append(scalar); previousCR = false
            }
        }
        return out
    }
}

/// A scrollable, wrapped document: span and LLM call details, help, warnings.
public struct DocumentView: Sendable {
    /// What the document shows.
    public enum Kind: Hashable, Sendable {
        /// The key help.
        case help
        /// The reader's warnings.
        case warnings
        /// Details of a span (with its LLM call when it has one).
        case span(Int)
        /// One step of a comparison: both sides, and both LLM calls with their text diff.
        case comparison(Int)
    }

    /// One screen line: part of a block's text, or of its label when the label is too wide
    /// for the label column (it then gets lines of its own above the text, whole).
    struct Line: Sendable {
        var block: Int32
        var range: Range<String.Index>
        var first: Bool
        var isLabel = false
    }

    /// What is shown.
    public let kind: Kind
    /// Title for the top bar.
    public let title: String
    /// The paragraphs.
    public let blocks: [DocumentBlock]
    /// Lines after wrapping to `wrapWidth`.
    private(set) var lines: [Line] = []
    /// The width the lines were wrapped to.
    public private(set) var wrapWidth = 0
    /// The first line on screen.
    public var top = 0
    /// What matches of the trace's search look like here (nil: nothing is highlighted).
    public private(set) var search: TextSearch?
    /// Lines holding a match of `search`, in order.
    public private(set) var matchLines: [Int] = []
    /// The match line `n`/`N` went to last, as an index into `matchLines`.
    public private(set) var currentMatch: Int?

    /// A document wrapped to `width`.
    public init(kind: Kind, title: String, blocks: [DocumentBlock], width: Int) {
        self.kind = kind
        self.title = title
        self.blocks = blocks
        wrap(width: width)
    }

    /// Number of wrapped lines.
    public var lineCount: Int { lines.count }

    /// Wraps again for a new width, keeping the top line's block in view.
    public mutating func wrap(width: Int) {
        let keep = top < lines.count ? lines[top].block : 0
        wrapWidth = width
        lines = []
        for (i, b) in blocks.enumerated() {
            var labelColumns = self.labelColumns(b)
            var first = true
            if labelOnOwnLines(b, labelColumns) {
                labelColumns = DocumentView.valueIndent
                // Cut, long keys that differ only inside (`llm.input_messages.2.message.tool_calls…`)
                // would look alike: the whole label goes on lines of its own.
                for r in DocumentView.wrap(b.label, width: max(8, width - b.indent)) {
                    lines.append(Line(block: Int32(i), range: r, first: first, isLabel: true))
                }
                first = false
            }
            let room = max(8, width - b.indent - labelColumns)
            for r in DocumentView.wrap(b.text, width: room) {
                lines.append(Line(block: Int32(i), range: r, first: first))
                first = false
            }
        }
        top = lines.firstIndex { $0.block == keep } ?? 0
        findMatches()
    }

    /// Cells of the label column of `b` at the wrapped width: at most two fifths of the width,
    /// so that the text keeps most of a narrow terminal.
    private func labelColumns(_ b: DocumentBlock) -> Int {
        b.labelWidth == 0 ? 0 : min(b.labelWidth, max(8, wrapWidth * 2 / 5))
    }

    /// Under a label on lines of its own, the text is indented this much instead of starting in the label column.
    static let valueIndent = 4

    /// True when `b`'s label is wider than its column and so gets lines of its own.
    private func labelOnOwnLines(_ b: DocumentBlock, _ columns: Int) -> Bool {
        !b.label.isEmpty && CellWidth.of(b.label) > columns - 1
    }

    /// Highlights the matches of `text` (the trace's search) and scrolls to the first one.
    public mutating func highlight(_ text: String, height: Int) {
        search = TextSearch(text)
        findMatches()
        if !matchLines.isEmpty { goToMatch(0, height: height) }
    }

    /// Scrolls to the next match line after the current one (or the previous one), wrapping
    /// around; returns the match's place, or nil when nothing matches.
    public mutating func stepMatch(forward: Bool, height: Int) -> (index: Int, count: Int)? {
        guard !matchLines.isEmpty else { return nil }
        let n = matchLines.count
        let i: Int
        if let c = currentMatch {
            i = ((c + (forward ? 1 : -1)) % n + n) % n
        } else {
            // Not walked yet: the first match from the top of the view.
            let after = matchLines.firstIndex { $0 >= top } ?? 0
            i = forward ? after : (after - 1 + n) % n
        }
        goToMatch(i, height: height)
        return (i, n)
    }

    private mutating func goToMatch(_ i: Int, height: Int) {
        currentMatch = i
        // A line of context above the match, when there is one.
        top = min(max(0, matchLines[i] - 1), maxTop(height: height))
    }

    /// Every line with a match, found block by block so only matching blocks are walked line by line.
    private mutating func findMatches() {
        matchLines = []
        currentMatch = nil
        guard let search else { return }
        var line = 0
        for (i, b) in blocks.enumerated() {
            let start = line
            while line < lines.count && lines[line].block == Int32(i) { line += 1 }
            var hits = Set<Int>()
            if !search.ranges(in: b.label[...]).isEmpty { hits.insert(start) }
            var l = start
            for r in search.ranges(in: b.text[...]) {
                while l < line && (lines[l].isLabel || lines[l].range.upperBound < r.lowerBound
                                   || (lines[l].range.upperBound == r.lowerBound && l + 1 < line)) { l += 1 }
                if l < line { hits.insert(l) }
            }
            matchLines += hits.sorted()
        }
    }

    /// Ranges of `text` that make up its lines at `width` cells: words move whole to the next
    /// line when they fit on one; longer ones break anywhere; every `\n` ends a line.
    static func wrap(_ text: String, width: Int) -> [Range<String.Index>] {
        var out: [Range<String.Index>] = []
        var lineStart = text.startIndex
        var used = 0
        var lastSpaceEnd: String.Index? = nil   // just after the last space on this line
        var usedAtSpace = 0
        var atLineStart = true
        Glyphs.forEachIndexed(in: text) { g, r in
            if g.isEscape && g.text == "^J" {
                out.append(lineStart..<r.lowerBound)
                lineStart = r.upperBound
                used = 0
                lastSpaceEnd = nil
                atLineStart = true
                return true
            }
            if used + g.width > width && !atLineStart {
                if g.text == " " {
                    // A space at the break point disappears.
                    out.append(lineStart..<r.lowerBound)
                    lineStart = r.upperBound
                    used = 0
                    lastSpaceEnd = nil
                    atLineStart = true
                    return true
                }
                if let s = lastSpaceEnd, s > lineStart {
                    out.append(lineStart..<s)
                    lineStart = s
                    used -= usedAtSpace
                } else {
                    out.append(lineStart..<r.lowerBound)
                    lineStart = r.lowerBound
                    used = 0
                }
                lastSpaceEnd = nil
            }
            used += g.width
            atLineStart = false
            if g.text == " " {
                lastSpaceEnd = r.upperBound
                usedAtSpace = used
            }
            return true
        }
        out.append(lineStart..<text.endIndex)
        return out
    }

    /// Draws the lines from `top` into `screen` rows `row ..< row + height`.
    func draw(into screen: inout Screen, row: Int, height: Int, column: Int = 0) {
        for i in 0..<height {
            let n = top + i
            guard n < lines.count else { break }
            let line = lines[n]
            let b = blocks[Int(line.block)]
            var x = column + b.indent
            if line.isLabel {
                screen.put(b.label[line.range], row: row + i, column: x, style: b.labelStyle)
                mark(b.label[line.range], row: row + i, column: x, &screen)
                continue
            }
            var labelColumns = self.labelColumns(b)
            if labelOnOwnLines(b, labelColumns) { labelColumns = DocumentView.valueIndent }
            if line.first && !b.label.isEmpty {
                screen.put(b.label, row: row + i, column: x, limit: max(0, labelColumns - 1), style: b.labelStyle)
                mark(b.label[...], row: row + i, column: x, limit: max(0, labelColumns - 1), &screen)
            }
            x += labelColumns
            screen.put(b.text[line.range], row: row + i, column: x, style: b.style)
            mark(b.text[line.range], row: row + i, column: x, &screen)
        }
    }

    /// Puts the match paper under the matches of the search in `text`, drawn from `column`.
    private func mark(_ text: Substring, row: Int, column: Int, limit: Int = .max, _ screen: inout Screen) {
        guard let search else { return }
        let found = search.ranges(in: text)
        guard !found.isEmpty else { return }
        var x = column
        var k = 0
        Glyphs.forEachIndexed(in: text) { g, r in
            while k < found.count && found[k].upperBound <= r.lowerBound { k += 1 }
            guard k < found.count, x - column + g.width <= limit else { return false }
            if r.lowerBound >= found[k].lowerBound {
                screen.restyle(row: row, column: x, width: g.width) { $0.paper(.match) }
            }
            x += g.width
            return true
        }
    }

    /// The paragraph whose line is at the top of the view, if any.
    public var topBlock: DocumentBlock? {
        top < lines.count ? blocks[Int(lines[top].block)] : nil
    }

    /// The largest useful `top` for a view `height` lines tall.
    func maxTop(height: Int) -> Int { max(0, lines.count - height) }
}

/// A search's text as found in a document: ASCII letters match either case (like the trace
/// search, `SpanQuery`); other characters match as typed.
public struct TextSearch: Sendable {
    /// The search as typed.
    public let text: String
    private let needle: [UInt8]

    /// A search for `text`; nil for the empty text.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        self.text = text
        needle = text.utf8.map(TextSearch.fold)
    }

    private static func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Where `text` holds the search, in order, without overlaps.
    func ranges(in text: Substring) -> [Range<String.Index>] {
        let u = text.utf8
        let n = needle.count
        guard u.count >= n else { return [] }
        var out: [Range<String.Index>] = []
        var index = u.startIndex
        var offset = 0, lastOffset = 0
        var lastIndex = u.startIndex
        let bytes = Array(u)
        let first = needle[0]
        while offset + n <= bytes.count {
            if TextSearch.fold(bytes[offset]) == first {
                var j = 1
                while j < n && TextSearch.fold(bytes[offset + j]) == needle[j] { j += 1 }
                if j == n {
                    // Indices move forward from the last match, so finding them all stays linear.
                    index = u.index(lastIndex, offsetBy: offset - lastOffset)
                    let end = u.index(index, offsetBy: n)
                    out.append(index..<end)
                    lastIndex = end
                    lastOffset = offset + n
                    offset += n
                    continue
                }
            }
            offset += 1
        }
        return out
    }
}
