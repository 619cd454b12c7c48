/// A document a retrieval (or rerank) step returned, as the span recorded it.
///
/// OpenInference writes them flattened (`retrieval.documents.N.document.id/score/content/metadata`),
/// OTel GenAI as one `gen_ai.retrieval.documents` list, OpenLLMetry as `db.query.result` events;
/// the readers' decoder maps all of them here.
public struct RetrievalDocument: Hashable, Sendable {
    /// The document's id in its store, when recorded.
    public var id: String?
    /// Relevance score (or distance, for stores that report one), when recorded.
    public var score: Double?
    /// The text retrieved, when recorded.
    public var content: String?
    /// Metadata as recorded (often a JSON object), when present.
    public var metadata: String?

    /// Creates a document; every field is optional.
    public init(id: String? = nil, score: Double? = nil, content: String? = nil, metadata: String? = nil) {
        self.id = id
        self.score = score
        self.content = content
        self.metadata = metadata
    }

    /// True when nothing at all was recorded.
    public var isEmpty: Bool { id == nil && score == nil && content == nil && metadata == nil }
}
