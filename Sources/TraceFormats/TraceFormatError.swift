import TraceModel

/// A problem reading a trace source, described in one line that names the source and place.
public struct TraceFormatError: Error, CustomStringConvertible, Sendable {
    /// Where in the source the problem is.
    public enum Location: Sendable, Equatable {
        /// A byte offset, with its 1-based line and column.
        case byte(offset: Int, line: Int, column: Int)
        /// A line of a line-oriented source (JSON Lines).
        case line(Int)
        /// No particular place (missing file, empty file, unknown format).
        case none
    }

    /// The file path, `-` for standard input, or a label.
    public var source: String
    /// Where the problem is.
    public var location: Location
    /// What is wrong, in words.
    public var message: String
    /// Whatever could be read before the problem, for a marked best-effort view.
    public var partial: TraceDocument?

    /// Creates an error.
    public init(source: String, location: Location = .none, message: String, partial: TraceDocument? = nil) {
        self.source = source
        self.location = location
        self.message = message
        self.partial = partial
    }

    /// `file:line:column: message (byte N)`, the form compilers use, so editors can jump to it.
    public var description: String {
        switch location {
        case .byte(let offset, let line, let column):
            return "\(source):\(line):\(column): \(message) (byte \(offset))"
        case .line(let line):
            return "\(source):\(line): \(message)"
        case .none:
            return "\(source): \(message)"
        }
    }
}
