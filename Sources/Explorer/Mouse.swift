/// A mouse button event the explorer acts on, at a screen cell (0-based row and column).
///
/// The terminal backend decodes the terminal's reports into these: a press of the left button is
/// a click, a second press on the same row soon after is a double click; the wheel arrives as
/// `Key.wheelUp`/`Key.wheelDown` instead.
public struct MouseEvent: Hashable, Sendable {
    /// What happened.
    public enum Kind: Hashable, Sendable {
        /// The left button went down.
        case click
        /// The left button went down a second time on the same row, quickly.
        case doubleClick
    }

    /// What happened.
    public var kind: Kind
    /// Screen row, 0 at the top.
    public var row: Int
    /// Screen column, 0 at the left.
    public var column: Int

    /// Creates an event.
    public init(_ kind: Kind, row: Int, column: Int) {
        self.kind = kind
        self.row = row
        self.column = column
    }
}
