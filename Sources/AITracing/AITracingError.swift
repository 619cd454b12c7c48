/// A failure in the recording library, described in one line that names the file or header.
public struct AITracingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// Writing spans to a file failed; the spans were kept.
        case exportFailed
        /// An argument was not usable (an unknown format name, a bad limit, …).
        case invalidArgument
    }

    /// What went wrong.
    public var kind: Kind
    /// The file, header or argument concerned.
    public var subject: String
    /// Why, in words.
    public var reason: String

    /// Creates an error.
    public init(_ kind: Kind, subject: String, reason: String) {
        self.kind = kind
        self.subject = subject
        self.reason = reason
    }

    /// `subject: reason`.
    public var description: String { "\(subject): \(reason)" }
}
