import TraceConventions
import TraceModel

/// Decodes the documents a retrieval or rerank span recorded, from every convention we know:
///
/// - OpenInference: `retrieval.documents.N.document.{id,score,content,metadata}` on RETRIEVER
///   spans and `reranker.output_documents.N.document.*` on RERANKER spans
///   (openinference-semantic-conventions, `DocumentAttributePostfixes`, `RETRIEVAL_DOCUMENTS`).
/// - OTel GenAI: `gen_ai.retrieval.documents`, a list of objects with at least `id` and `score`,
///   structured or as JSON text (semantic-conventions registry, `gen_ai.retrieval.documents`).
/// - OpenLLMetry: one `db.query.result` event per hit with `db.query.result.{id,score,distance,
///   document,metadata}`, or `db.search.result` with `db.search.result.{id,score,distance,entity}`
///   (opentelemetry-semantic-conventions-ai, `Events` and `EventAttributes`).
///
/// The first convention that yields documents wins; OpenInference's flattened lists are ordered
/// by their index, events by their order on the span.
public enum RetrievalDocuments {
    /// The documents on `span`, or none.
    public static func documents(in span: Span) -> [RetrievalDocument] {
        var flat: [Int: RetrievalDocument] = [:]
        var reranked: [Int: RetrievalDocument] = [:]
        var genAI: [RetrievalDocument] = []
        for a in span.attributes {
            guard let first = a.key.utf8.first, first == UInt8(ascii: "r") || first == UInt8(ascii: "g") else { continue }
            if a.key.hasPrefix("retrieval.documents.") {
                takeFlat(a, prefix: "retrieval.documents.", into: &flat)
            } else if a.key.hasPrefix("reranker.output_documents.") {
                takeFlat(a, prefix: "reranker.output_documents.", into: &reranked)
            } else if a.key == "gen_ai.retrieval.documents" {
                genAI = documents(fromList: a.value)
            }
        }
        for found in [flat, reranked] where !found.isEmpty {
            return found.keys.sorted().map { found[$0]! }.filter { !$0.isEmpty }
        }
        if !genAI.isEmpty { return genAI }
        return span.events.compactMap(document(from:))
    }

    /// `<prefix>N.document.<field>` into document N.
    static func takeFlat(_ a: Attribute, prefix: String, into docs: inout [Int: RetrievalDocument]) {
        let rest = a.key.utf8.dropFirst(prefix.utf8.count)
        guard let dot = rest.firstIndex(of: UInt8(ascii: ".")),
              let n = Int(String(decoding: rest[rest.startIndex..<dot], as: UTF8.self)), n >= 0, n < 100_000 else { return }
        let field = String(decoding: rest[rest.index(after: dot)...], as: UTF8.self)
        var doc = docs[n] ?? RetrievalDocument()
        switch field {
        case "document.id": doc.id = a.value.displayText
        case "document.score": doc.score = a.value.doubleValue
        case "document.content": doc.content = a.value.displayText
        case "document.metadata": doc.metadata = a.value.displayText
        default: return
        }
        docs[n] = doc
    }

    /// A GenAI list: structured (array of maps) or JSON text holding one.
    static func documents(fromList value: AttributeValue) -> [RetrievalDocument] {
        var list = value
        if let text = value.stringValue {
            guard let parsed = JSONScanner.parse(text) else { return [] }
            list = parsed.attributeValue
        }
        guard let items = list.arrayValue else { return [] }
        return items.compactMap { item -> RetrievalDocument? in
            guard case .kvlist(let fields) = item else { return nil }
            let doc = RetrievalDocument(
                id: fields[key: "id"]?.displayText,
                score: fields[key: "score"]?.doubleValue,
                content: (fields[key: "content"] ?? fields[key: "text"])?.displayText,
                metadata: fields[key: "metadata"]?.displayText)
            return doc.isEmpty ? nil : doc
        }
    }

    /// An OpenLLMetry result event, or nil for any other event.
    static func document(from event: SpanEvent) -> RetrievalDocument? {
        let prefix: String, contentKey: String
        switch event.name {
        case "db.query.result": prefix = "db.query.result."; contentKey = "document"
        case "db.search.result": prefix = "db.search.result."; contentKey = "entity"
        default: return nil
        }
        let a = event.attributes
        let doc = RetrievalDocument(
            id: a[key: prefix + "id"]?.displayText,
            score: (a[key: prefix + "score"] ?? a[key: prefix + "distance"])?.doubleValue,
            content: a[key: prefix + contentKey]?.displayText,
            metadata: a[key: prefix + "metadata"]?.displayText)
        return doc.isEmpty ? nil : doc
    }
}
