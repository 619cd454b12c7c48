/// A trace a backend's search found, known only by the summary the search answer gives (Tempo's
/// `/api/search`, Phoenix's root spans): enough for a line in a trace list, not for the tree.
public struct TraceSearchHit: Hashable, Sendable {
    /// The trace's id.
    public var id: TraceID
    /// The root span's name ("" when the backend did not say).
    public var rootName: String
    /// The root span's service ("" when unknown).
    public var service: String
    /// Start, in nanoseconds since the Unix epoch.
    public var startNanos: Int64
    /// Duration in nanoseconds.
    public var durationNanos: Int64
    /// Spans in the whole trace, when the backend counts them (Tempo's `serviceStats`).
    public var spanCount: Int?
    /// Spans with an error status, when the backend counts them (or the root's own status says one failed).
    public var errorCount: Int?

    /// Creates a hit.
    public init(id: TraceID, rootName: String, service: String, startNanos: Int64, durationNanos: Int64,
                spanCount: Int? = nil, errorCount: Int? = nil) {
        self.id = id
        self.rootName = rootName
        self.service = service
        self.startNanos = startNanos
        self.durationNanos = max(0, durationNanos)
        self.spanCount = spanCount
        self.errorCount = errorCount
    }
}
