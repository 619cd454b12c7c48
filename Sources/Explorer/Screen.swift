import TerminalText

/// A terminal size in cells.
public struct Size: Hashable, Sendable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int

    /// Creates a size; negative values count as zero.
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
    }
}

/// One terminal cell.
public struct Cell: Hashable, Sendable {
    /// The character drawn here with its combining marks; empty for the right half of a wide character.
    public var text: String
    /// How it looks.
    public var style: Style

    /// Creates a cell.
    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }

    /// A blank cell.
    public static let blank = Cell(" ")

    /// True for the right half of a wide character.
    public var isContinuation: Bool { text.isEmpty }
}

/// A grid of cells: what one frame of the explorer looks like, independent of any terminal.
///
/// Text is put through `Glyphs`, so nothing written here can carry a control character or
/// escape sequence to the terminal, and wide characters always take two cells.
public struct Screen: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Cells row by row.
    public private(set) var cells: [Cell]

    /// A blank screen of `size`.
    public init(size: Size) {
        width = size.width
        height = size.height
        cells = [Cell](repeating: .blank, count: size.width * size.height)
    }

    /// The screen's size.
    public var size: Size { Size(width: width, height: height) }

    /// The cell at `row`, `column`.
    public subscript(row: Int, column: Int) -> Cell {
        cells[row * width + column]
    }

    /// Sets one cell, keeping wide characters whole: overwriting either half of one blanks the other half.
    mutating func set(_ row: Int, _ col: Int, _ cell: Cell) {
        guard row >= 0, row < height, col >= 0, col < width else { return }
        let i = row * width + col
        if cells[i].isContinuation, col > 0 {
            cells[i - 1] = Cell(" ", cells[i - 1].style)
        }
        if col + 1 < width, cells[i + 1].isContinuation {
            cells[i + 1] = Cell(" ", cells[i + 1].style)
        }
        cells[i] = cell
    }

    /// Puts one of the explorer's own one-cell symbols (never text from a trace) at a cell,
    /// skipping the width and safety checks that `put` does for arbitrary text.
    mutating func symbol(_ symbol: String, row: Int, column: Int, style: Style) {
        set(row, column, Cell(symbol, style))
    }

    /// Fills a rectangle with `character` (a one-cell character) in `style`.
    public mutating func fill(row: Int, column: Int, width w: Int, height h: Int,
                              character: String = " ", style: Style = .plain) {
        let r0 = max(0, row), r1 = min(height, row + h)
        let c0 = max(0, column), c1 = min(width, column + w)
        guard r0 < r1, c0 < c1 else { return }
        for r in r0..<r1 {
            for c in c0..<c1 { set(r, c, Cell(character, style)) }
        }
    }

    /// Changes the style of cells in a row span, keeping their characters.
    public mutating func restyle(row: Int, column: Int, width w: Int, _ change: (Style) -> Style) {
        guard row >= 0, row < height else { return }
        let c0 = max(0, column), c1 = min(width, column + w)
        guard c0 < c1 else { return }
        for c in c0..<c1 {
            let i = row * width + c
            cells[i].style = change(cells[i].style)
        }
    }

    /// Writes `text` at `row`, `column`, using at most `limit` cells (default: to the right edge).
    ///
    /// Text that does not fit ends in `…` when `ellipsis` is set. Escaped characters get the
    /// `escaped` ink on the same paper. Returns the cells used.
    @discardableResult
    public mutating func put<S: StringProtocol>(_ text: S, row: Int, column: Int, limit: Int? = nil,
                                                style: Style = .plain, ellipsis: Bool = true) -> Int {
        guard row >= 0, row < height, column >= 0, column < width else { return 0 }
        let room = min(limit ?? (width - column), width - column)
        guard room > 0 else { return 0 }
        var used = 0
        var held: Glyph? = nil
        var truncated = false
        let reserve = ellipsis ? 1 : 0
        Glyphs.forEach(in: text) { g in
            if held != nil {
                truncated = true
                return false
            }
            if used + g.width <= room - reserve {
                draw(g, row: row, column: column + used, style: style)
                used += g.width
                return true
            }
            if used + g.width <= room {
                held = g
                return true
            }
            truncated = true
            return false
        }
        if truncated {
            if ellipsis {
                set(row, column + used, Cell("…", style))
                used += 1
            }
        } else if let g = held {
            draw(g, row: row, column: column + used, style: style)
            used += g.width
        }
        return used
    }

    /// Writes `text` right-aligned so that it ends just before `endColumn`; returns its first column.
    @discardableResult
    public mutating func putRight<S: StringProtocol>(_ text: S, row: Int, endColumn: Int, limit: Int,
                                                     style: Style = .plain) -> Int {
        let w = min(CellWidth.of(text), limit)
        let start = endColumn - w
        put(text, row: row, column: start, limit: w, style: style)
        return start
    }

    private mutating func draw(_ g: Glyph, row: Int, column: Int, style: Style) {
        if g.isEscape {
            let s = style.ink(.escaped)
            var c = column
            for ch in g.text.unicodeScalars {
                set(row, c, Cell(String(Character(ch)), s))
                c += 1
            }
        } else {
            set(row, column, Cell(g.text, style))
            if g.width == 2 {
                set(row, column + 1, Cell("", style))
            }
        }
    }

    // MARK: Text form for tests

    /// The characters, one line per row, trailing blanks trimmed.
    public var text: String {
        var lines: [String] = []
        lines.reserveCapacity(height)
        for r in 0..<height {
            var line = ""
            for c in 0..<width { line += cells[r * width + c].text }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The screen as text, then a grid of style letters (`.` = plain; the right half of a wide
    /// character repeats its letter), then a legend saying what each letter means.
    ///
    /// Letters are given in order of first appearance, reading row by row.
    public var rendering: String {
        var letters: [Style: Character] = [.plain: "."]
        var order: [Style] = []
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var grid: [String] = []
        for r in 0..<height {
            var line = ""
            for c in 0..<width {
                let s = cells[r * width + c].style
                if let l = letters[s] {
                    line.append(l)
                } else {
                    let l = order.count < alphabet.count ? alphabet[order.count] : "?"
                    letters[s] = l
                    order.append(s)
                    line.append(l)
                }
            }
            while line.last == "." { line.removeLast() }
            grid.append(line)
        }
        var out = "screen \(width)x\(height)\n" + text + "\n-- styles --\n" + grid.joined(separator: "\n") + "\n-- legend --\n"
        for s in order { out += "\(letters[s]!) \(s.legend)\n" }
        return out
    }

    // MARK: Diff

    /// A run of changed cells in one row, to be drawn left to right from `column`.
    public struct Run: Hashable, Sendable {
        /// Row.
        public var row: Int
        /// First column.
        public var column: Int
        /// The cells, continuation halves included so columns stay aligned.
        public var cells: ArraySlice<Cell>
    }

    /// The runs of cells that differ from `previous`; everything when there is no previous
    /// frame or its size differs.
    public func changes(since previous: Screen?) -> [Run] {
        var runs: [Run] = []
        guard let old = previous, old.width == width, old.height == height else {
            for r in 0..<height where width > 0 {
                runs.append(Run(row: r, column: 0, cells: cells[r * width..<(r + 1) * width]))
            }
            return runs
        }
        for r in 0..<height {
            let base = r * width
            var c = 0
            while c < width {
                if cells[base + c] == old.cells[base + c] {
                    c += 1
                    continue
                }
                var start = c
                // A changed right half means its wide character must be redrawn from the left half.
                if cells[base + start].isContinuation, start > 0 { start -= 1 }
                var end = c + 1
                while end < width, cells[base + end] != old.cells[base + end] || cells[base + end].isContinuation {
                    end += 1
                }
                runs.append(Run(row: r, column: start, cells: cells[base + start..<base + end]))
                c = end
            }
        }
        return runs
    }
}
