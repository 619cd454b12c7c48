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

    /// One screen line: part of a block.
    struct Line: Sendable {
        var block: Int32
        var range: Range<String.Index>
        var first: Bool
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
            let room = max(8, width - b.indent - b.labelWidth)
            var first = true
            for r in DocumentView.wrap(b.text, width: room) {
                lines.append(Line(block: Int32(i), range: r, first: first))
                first = false
            }
        }
        top = lines.firstIndex { $0.block == keep } ?? 0
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
            if line.first && !b.label.isEmpty {
                screen.put(b.label, row: row + i, column: x, limit: max(0, b.labelWidth - 1), style: b.labelStyle)
            }
            x += b.labelWidth
            screen.put(b.text[line.range], row: row + i, column: x, style: b.style)
        }
    }

    /// The largest useful `top` for a view `height` lines tall.
    func maxTop(height: Int) -> Int { max(0, lines.count - height) }
}
