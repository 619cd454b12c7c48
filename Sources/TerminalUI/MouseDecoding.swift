import Explorer

/// One report in xterm's SGR mouse encoding (mode 1006): `ESC [ < button ; column ; row M` for a
/// press, the same ending in `m` for a release; column and row count from 1. Unlike the older
/// X10 encoding it has no 223-column limit.
/// Source: XTerm Control Sequences, "Extended coordinates" / "SGR (1006)",
/// https://invisible-island.net/xterm/ctlseqs/ctlseqs.html#h2-Mouse-Tracking
struct SGRMouseReport: Equatable, Sendable {
    /// The button code with the modifier bits (Shift 4, Meta 8, Control 16, motion 32) removed:
    /// 0 left, 1 middle, 2 right, 64 wheel up, 65 wheel down.
    var button: Int
    /// Modifier bits as sent (Shift 4, Meta 8, Control 16, motion 32).
    var modifiers: Int
    /// True for a press (`M`), false for a release (`m`).
    var pressed: Bool
    /// 0-based column.
    var column: Int
    /// 0-based row.
    var row: Int

    /// Parses what follows `ESC [ <`: `button;column;row` and the final `M` or `m`; nil for
    /// anything else (a truncated or garbled report is dropped, never turned into keys).
    static func parse(_ body: [UInt8]) -> SGRMouseReport? {
        guard let last = body.last, last == UInt8(ascii: "M") || last == UInt8(ascii: "m") else { return nil }
        var numbers: [Int] = []
        var current = 0
        var digits = 0
        for byte in body.dropLast() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 6 else { return nil }
                current = current * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: ";"):
                guard digits > 0 else { return nil }
                numbers.append(current)
                current = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0 else { return nil }
        numbers.append(current)
        guard numbers.count == 3, numbers[1] >= 1, numbers[2] >= 1 else { return nil }
        let code = numbers[0]
        return SGRMouseReport(button: code & ~(4 | 8 | 16 | 32), modifiers: code & (4 | 8 | 16 | 32),
                              pressed: last == UInt8(ascii: "M"), column: numbers[1] - 1, row: numbers[2] - 1)
    }
}

/// Turns presses into clicks and double clicks: a second left press on the same row within
/// `doubleClickMillis` of the first is a double click (a third starts over with a click).
struct ClickTracker: Sendable {
    /// How close two presses must be to make a double click (GNOME's and Windows' default is
    /// 400–500 ms; xterm's 250 ms is short for a trackpad).
    static let doubleClickMillis: Int64 = 400

    private var last: (row: Int, millis: Int64)?

    /// The event for a left press at `row`, `column` at time `millis` (any monotonic clock).
    mutating func press(row: Int, column: Int, millis: Int64) -> MouseEvent {
        if let l = last, l.row == row, millis - l.millis <= ClickTracker.doubleClickMillis, millis >= l.millis {
            last = nil
            return MouseEvent(.doubleClick, row: row, column: column)
        }
        last = (row, millis)
        return MouseEvent(.click, row: row, column: column)
    }
}

extension SGRMouseReport {
    /// What the explorer gets from this report: wheel steps as keys, left presses as clicks
    /// (through `clicks`), nothing for releases and other buttons.
    func input(clicks: inout ClickTracker, millis: Int64) -> TerminalInput {
        guard pressed else { return .nothing }
        switch button {
        case 64: return .key(.wheelUp)
        case 65: return .key(.wheelDown)
        case 0: return .mouse(clicks.press(row: row, column: column, millis: millis))
        default: return .nothing
        }
    }
}
